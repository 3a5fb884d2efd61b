"""Rule epoch_results: every unlearning run after each epoch -> results/epoch_results.json."""

from unlearnflow.epoch_results import epoch_results
from unlearnflow.job import script_job

with script_job(snakemake):
    epoch_results(
        evaluations=snakemake.params.evaluations,
        drifts=snakemake.params.drifts,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
    )
