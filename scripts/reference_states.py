"""Rule reference_states: a reference model's question states -> results/repr/states/."""

from unlearnflow.job import model_job
from unlearnflow.represent import reference_states

with model_job(snakemake):
    reference_states(
        base=snakemake.input.base,
        stages=list(snakemake.input.stages),
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        settings=snakemake.params.settings,
        system_prompt=snakemake.params.system_prompt,
        output=snakemake.output.states,
        precision=snakemake.params.precision,
    )
