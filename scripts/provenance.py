"""Rule provenance: commit, config, precision, machine, packages, job-seconds per rule
-> results/provenance.json."""

from unlearnflow.logs import logging_to
from unlearnflow.provenance import provenance

with logging_to(snakemake.log[0]):
    provenance(
        config=snakemake.params.config,
        precision=snakemake.params.precision,
        source=snakemake.params.source,
        run=".",
        output=snakemake.output.provenance,
    )
