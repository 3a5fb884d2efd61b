"""Rule sweep_results: one row per model -> results/sweep_results.json and .csv."""

from unlearnflow.aggregate import sweep_results
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    sweep_results(
        evaluations=snakemake.params.evaluations,
        train_logs=snakemake.params.train_logs,
        golds=snakemake.params.golds,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
        output_csv=snakemake.output.csv,
    )
