"""Rule repr_results: every model's drift and logit lens -> results/repr_results.json."""

from unlearnflow.job import script_job
from unlearnflow.repr_results import repr_results

with script_job(snakemake):
    repr_results(
        drifts=snakemake.params.drifts,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
    )
