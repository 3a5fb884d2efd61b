"""Rule epoch_model: one saved epoch of an unlearning run
-> results/models/seed~{seed}/unlearn/{method}/{hparams}@epoch~{epoch}/."""

from pathlib import Path

from unlearnflow.atomic import linked_copy
from unlearnflow.job import script_job

with script_job(snakemake):
    linked_copy(
        Path(snakemake.input.epochs) / f"epoch~{snakemake.wildcards.epoch}", snakemake.output.model
    )
