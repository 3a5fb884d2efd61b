"""Rules finetune and retain_only: LoRA (or full) fine-tuning on the QA in input.data,
rehearsing input.rehearsal where there is one."""

from unlearnflow.finetune import finetune
from unlearnflow.job import model_job

with model_job(snakemake):
    finetune(
        base=snakemake.input.base,
        data=list(snakemake.input.data),
        rehearsal=list(snakemake.input.rehearsal),
        training=snakemake.params.training,
        system_prompt=snakemake.params.system_prompt,
        seed=snakemake.params.seed,
        output=snakemake.output.model,
        train_log=snakemake.output.train_log,
        precision=snakemake.params.precision,
    )
