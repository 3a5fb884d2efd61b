"""Rule provenance: commit, config, precision, machine, packages, job-seconds per rule
-> results/provenance.json."""

from unlearnflow.job import script_job
from unlearnflow.provenance import provenance

with script_job(snakemake):
    provenance(
        config=snakemake.params.config,
        precision=snakemake.params.precision,
        source=snakemake.params.source,
        run=".",
        output=snakemake.output.provenance,
    )
