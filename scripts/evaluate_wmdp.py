"""Rules evaluate and quantize_evaluate on WMDP: WMDP and MMLU accuracy of one model,
quantized or not -> results/eval/{model}.json, results/quantize/{scheme}/{model}.json."""

from unlearnflow.benchmarks.wmdp_evaluation import evaluate_wmdp
from unlearnflow.job import model_job

with model_job(snakemake):
    evaluate_wmdp(
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
