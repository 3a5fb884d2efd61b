"""Rule unlearn: one method at one grid point, from the fine-tuned model."""

from unlearnflow.logs import logging_to
from unlearnflow.unlearn import unlearn

with logging_to(snakemake.log[0]):
    unlearn(
        base=snakemake.input.base,
        finetuned=snakemake.input.finetuned,
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        method=snakemake.wildcards.method,
        hparams=snakemake.params.hparams,
        training=snakemake.params.training,
        system_prompt=snakemake.params.system_prompt,
        seed=snakemake.params.seed,
        output=snakemake.output.model,
        train_log=snakemake.output.train_log,
    )
