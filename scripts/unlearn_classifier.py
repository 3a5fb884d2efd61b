"""Rule unlearn_classifier: one method at one grid point, from the original classifier."""

from unlearnflow.classification.training import unlearn_classifier
from unlearnflow.job import model_job

with model_job(snakemake):
    unlearn_classifier(
        original=snakemake.input.original,
        splits={split: snakemake.input[split] for split in ("train", "validation")},
        classes_file=snakemake.input.classes,
        method_name=snakemake.wildcards.method,
        hparams=snakemake.params.hparams,
        settings=snakemake.params.settings,
        seed=snakemake.params.seed,
        precision=snakemake.params.precision,
        output=snakemake.output.model,
        curve=snakemake.output.curve,
    )
