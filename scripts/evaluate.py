"""Rules evaluate and quantize_evaluate: every metric of one model, quantized or not
-> results/eval/{model}.json, results/quantize/{scheme}/{model}.json."""

from unlearnflow.evaluate import evaluate
from unlearnflow.job import model_job

with model_job(snakemake):
    evaluate(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        holdout=snakemake.input.holdout,
        wrong_details=snakemake.input.wrong_details,
        probes=snakemake.input.probes,
        real_authors=snakemake.input.real_authors,
        world_facts=snakemake.input.world_facts,
        settings=snakemake.params.settings,
        system_prompt=snakemake.params.system_prompt,
        seed=snakemake.params.seed,
        output=snakemake.output.evaluation,
        quantization=snakemake.params.get("quantization"),
        precision=snakemake.params.precision,
    )
