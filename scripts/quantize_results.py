"""Rule quantize_results: every model under every scheme -> results/quantize_results.json, .csv."""

from unlearnflow.logs import logging_to
from unlearnflow.quantize_results import quantize_results

with logging_to(snakemake.log[0]):
    quantize_results(
        evaluations=snakemake.params.evaluations,
        quantized=snakemake.params.quantized,
        train_logs=snakemake.params.train_logs,
        golds=snakemake.params.golds,
        starts=snakemake.params.starts,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
        output_csv=snakemake.output.csv,
    )
