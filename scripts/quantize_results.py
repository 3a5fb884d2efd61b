"""Rule quantize_results: every model under every scheme -> results/quantize_results.json, .csv."""

from unlearnflow.job import script_job
from unlearnflow.quantize_results import quantize_results

with script_job(snakemake):
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
