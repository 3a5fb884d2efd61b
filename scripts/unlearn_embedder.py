"""Rule unlearn_embedder: one method at one grid point, from the fine-tuned embedder."""

from unlearnflow.job import model_job
from unlearnflow.retrieval.training import unlearn_embedder

with model_job(snakemake):
    unlearn_embedder(
        finetuned=snakemake.input.finetuned,
        files={
            key: snakemake.input[key] for key in ("corpus", "queries", "train", "test", "forget")
        },
        method_name=snakemake.wildcards.method,
        hparams=snakemake.params.hparams,
        settings=snakemake.params.settings,
        seed=snakemake.params.seed,
        precision=snakemake.params.precision,
        output=snakemake.output.model,
    )
