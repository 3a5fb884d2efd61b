"""Rule repr_results: every model's drift and logit lens -> results/repr_results.json."""

from unlearnflow.logs import logging_to
from unlearnflow.repr_results import repr_results

with logging_to(snakemake.log[0]):
    models = snakemake.params.models
    unlearned = [model for model in models if model.startswith("unlearn/")]
    repr_results(
        drifts=dict(zip(models, snakemake.input.drifts, strict=True)),
        train_logs=dict(zip(unlearned, snakemake.input.train_logs, strict=True)),
        output_json=snakemake.output.table,
    )
