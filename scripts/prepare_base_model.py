"""Rules prepare_base_model and published_model: model.base (or model.finetuned,
model.gold) -> a plain Hugging Face folder under results/models/."""

from unlearnflow.job import script_job
from unlearnflow.models import prepare_base_model

with script_job(snakemake):
    prepare_base_model(base=snakemake.params.base, output=snakemake.output.model)
