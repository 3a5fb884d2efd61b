"""Rule sweep_results: one row per model -> results/sweep_results.json and .csv."""

from unlearnflow.aggregate import sweep_results
from unlearnflow.job import script_job

with script_job(snakemake):
    sweep_results(
        evaluations=snakemake.params.evaluations,
        train_logs=snakemake.params.train_logs,
        golds=snakemake.params.golds,
        harness=snakemake.params.harness,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
        output_csv=snakemake.output.csv,
    )
