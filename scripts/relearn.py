"""Rule relearn: one relearning attack on one trained model
-> results/relearn/{attack}/{model}.json."""

from unlearnflow.job import model_job
from unlearnflow.relearn import relearn

with model_job(snakemake):
    relearn(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        evaluated_model=snakemake.input.evaluation,
        data={name: snakemake.input[name] for name in ("forget", "retain", "wrong_details")},
        attack=snakemake.wildcards.attack,
        settings=snakemake.params.settings,
        evaluation=snakemake.params.evaluation,
        training=snakemake.params.training,
        system_prompt=snakemake.params.system_prompt,
        split_seed=snakemake.params.split_seed,
        seed=snakemake.params.seed,
        output=snakemake.output.result,
        precision=snakemake.params.precision,
    )
