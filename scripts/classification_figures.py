"""Rule classification_figures: the classification track's figures."""

from unlearnflow.classification.figures import classification_figures
from unlearnflow.job import script_job

with script_job(snakemake):
    classification_figures(
        splits={split: snakemake.input[split] for split in ("train", "validation", "test")},
        embedder=snakemake.input.embedder,
        curves=snakemake.params.curves,
        evaluations=snakemake.params.evaluations,
        results=snakemake.input.results,
        output=dict(snakemake.output.items()),
    )
