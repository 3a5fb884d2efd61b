"""Rule prepare_embedder: embedding.model -> a plain Hugging Face folder."""

from unlearnflow.embeddings import prepare_embedder
from unlearnflow.job import script_job

with script_job(snakemake):
    prepare_embedder(source=snakemake.params.model, output=snakemake.output.model)
