"""Rules finetune and retain_only: LoRA (or full) fine-tuning on the QA in input.data."""

from unlearnflow.finetune import finetune
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    finetune(
        base=snakemake.input.base,
        data=list(snakemake.input.data),
        training=snakemake.params.training,
        system_prompt=snakemake.params.system_prompt,
        seed=snakemake.params.seed,
        output=snakemake.output.model,
        train_log=snakemake.output.train_log,
    )
