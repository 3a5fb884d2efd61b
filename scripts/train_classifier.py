"""Rule train_classifier: the original (every class) or the gold (retain classes)
classifier."""

from unlearnflow.classification.plan import GOLD
from unlearnflow.classification.training import train_classifier
from unlearnflow.job import model_job

with model_job(snakemake):
    train_classifier(
        backbone=snakemake.input.embedder,
        splits={split: snakemake.input[split] for split in ("train", "validation")},
        classes_file=snakemake.input.classes,
        gold=snakemake.wildcards.kind == GOLD,
        settings=snakemake.params.settings,
        seed=snakemake.params.seed,
        precision=snakemake.params.precision,
        output=snakemake.output.model,
        curve=snakemake.output.curve,
    )
