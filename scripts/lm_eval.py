"""Rule lm_eval: one model through lm-evaluation-harness -> results/lm_eval/{model}.json."""

from unlearnflow.harness import harness_evaluation
from unlearnflow.job import model_job

with model_job(snakemake):
    harness_evaluation(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        settings=snakemake.params.settings,
        batch_size=snakemake.params.batch_size,
        seed=snakemake.params.seed,
        output=snakemake.output.results,
        precision=snakemake.params.precision,
    )
