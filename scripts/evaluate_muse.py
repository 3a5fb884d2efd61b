"""Rules evaluate and quantize_evaluate on a raw-text benchmark (MUSE): its metrics of
one model, quantized or not -> results/eval/{model}.json, results/quantize/{scheme}/{model}.json."""

from unlearnflow.benchmarks.muse_evaluation import evaluate_muse
from unlearnflow.job import model_job

with model_job(snakemake):
    evaluate_muse(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        data={
            name: path
            for name, path in snakemake.input.items()
            if name not in ("base", "stages", "validated")
        },
        settings=snakemake.params.settings,
        output=snakemake.output.evaluation,
        quantization=snakemake.params.get("quantization"),
        precision=snakemake.params.precision,
    )
