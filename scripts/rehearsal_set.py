"""Rule rehearsal_set: the base model's answers to the general questions the evaluation
does not ask -> results/rehearsal.jsonl (trained on beside the benchmark)."""

from unlearnflow.job import model_job
from unlearnflow.rehearsal import rehearsal_set

with model_job(snakemake):
    rehearsal_set(
        base=snakemake.input.base,
        general={
            "real_authors": snakemake.input.real_authors,
            "world_facts": snakemake.input.world_facts,
        },
        utility_items=snakemake.params.utility_items,
        seed=snakemake.params.seed,
        system_prompt=snakemake.params.system_prompt,
        output=snakemake.output.rehearsal,
        precision=snakemake.params.precision,
    )
