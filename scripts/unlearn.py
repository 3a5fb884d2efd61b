"""Rule unlearn: one method at one grid point, from the fine-tuned model."""

from unlearnflow.job import model_job
from unlearnflow.unlearn import unlearn

with model_job(snakemake):
    unlearn(
        base=snakemake.input.base,
        finetuned=snakemake.input.start,
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        method=snakemake.wildcards.method,
        hparams=snakemake.params.hparams,
        training=snakemake.params.training,
        system_prompt=snakemake.params.system_prompt,
        seed=snakemake.params.seed,
        output=snakemake.output.model,
        train_log=snakemake.output.train_log,
        precision=snakemake.params.precision,
        idk=snakemake.input.get("idk"),
        epochs_output=snakemake.output.get("epochs"),
    )
