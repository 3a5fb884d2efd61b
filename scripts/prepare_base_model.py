"""Rule prepare_base_model: model.base -> results/models/base/ (plain HF folder)."""

from unlearnflow.job import script_job
from unlearnflow.models import prepare_base_model

with script_job(snakemake):
    prepare_base_model(base=snakemake.params.base, output=snakemake.output.model)
