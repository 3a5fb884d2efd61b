"""Rule sweep_results: one row per model -> results/sweep_results.json and .csv."""

from unlearnflow.aggregate import sweep_results
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    models = snakemake.params.models
    unlearned = [model for model in models if model.startswith("unlearn/")]
    sweep_results(
        evaluations=dict(zip(models, snakemake.input.evaluations, strict=True)),
        train_logs=dict(zip(unlearned, snakemake.input.train_logs, strict=True)),
        gold="retain_only",
        output_json=snakemake.output.table,
        output_csv=snakemake.output.csv,
    )
