"""Rule evaluate_embedder: one embedder's Recall and nDCG per query and dimension, in
float or under a quantization scheme."""

from unlearnflow.job import model_job
from unlearnflow.retrieval.evaluate import evaluate_embedder

with model_job(snakemake):
    evaluate_embedder(
        model_dir=snakemake.input.model,
        files={
            key: snakemake.input[key] for key in ("corpus", "queries", "train", "test", "forget")
        },
        settings=snakemake.params.settings,
        precision=snakemake.params.precision,
        output=snakemake.output.evaluation,
        scheme=snakemake.params.scheme,
        group_size=snakemake.params.group_size,
    )
