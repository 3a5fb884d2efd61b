"""Rule check_model_parts: the config's LoRA target modules and layer numbers against the
base model -> results/models/base_parts.json (or a failed rule naming the keys)."""

from unlearnflow.job import script_job
from unlearnflow.model_parts import check_model_parts

with script_job(snakemake):
    check_model_parts(
        base=snakemake.input.base,
        references=snakemake.params.references,
        output=snakemake.output.parts,
    )
