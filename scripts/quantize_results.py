"""Rule quantize_results: every model under every scheme -> results/quantize_results.json, .csv."""

from unlearnflow.logs import logging_to
from unlearnflow.quantize_results import quantize_results

with logging_to(snakemake.log[0]):
    models, schemes = snakemake.params.models, snakemake.params.schemes
    unlearned = [model for model in models if model.startswith("unlearn/")]
    quantized = [(scheme, model) for scheme in schemes for model in models]
    quantize_results(
        evaluations=dict(zip(models, snakemake.input.evaluations, strict=True)),
        quantized=dict(zip(quantized, snakemake.input.quantized, strict=True)),
        train_logs=dict(zip(unlearned, snakemake.input.train_logs, strict=True)),
        gold="retain_only",
        finetuned="finetuned",
        output_json=snakemake.output.table,
        output_csv=snakemake.output.csv,
    )
