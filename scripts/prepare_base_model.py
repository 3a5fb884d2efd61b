"""Rule prepare_base_model: model.base -> results/models/base/ (plain HF folder)."""

from unlearnflow.logs import logging_to
from unlearnflow.models import prepare_base_model

with logging_to(snakemake.log[0]):
    prepare_base_model(base=snakemake.params.base, output=snakemake.output.model)
