"""Rule finetune_embedder: the fine-tuned (every pair) or gold (no forget document)
embedder, by contrastive training from the base embedder."""

from unlearnflow.job import model_job
from unlearnflow.retrieval.plan import GOLD
from unlearnflow.retrieval.training import finetune_embedder

with model_job(snakemake):
    finetune_embedder(
        base=snakemake.input.embedder,
        files={
            key: snakemake.input[key] for key in ("corpus", "queries", "train", "test", "forget")
        },
        gold=snakemake.wildcards.kind == GOLD,
        settings=snakemake.params.settings,
        seed=snakemake.params.seed,
        precision=snakemake.params.precision,
        output=snakemake.output.model,
    )
