"""Rules evaluate and quantize_evaluate: every metric of one model, quantized or not
-> results/eval/{model}.json, results/quantize/{scheme}/{model}.json."""

from unlearnflow.evaluate import evaluate
from unlearnflow.job import model_job

with model_job(snakemake):
    evaluate(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        data={
            name: path
            for name, path in snakemake.input.items()
            if name not in ("base", "stages", "validated")
        },
        settings=snakemake.params.settings,
        system_prompt=snakemake.params.system_prompt,
        seed=snakemake.params.seed,
        output=snakemake.output.evaluation,
        quantization=snakemake.params.get("quantization"),
        precision=snakemake.params.precision,
    )
