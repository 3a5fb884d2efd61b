"""Rule generate_forget_probes: indirect prompts per forget fact -> data/forget_probes.jsonl."""

from unlearnflow.data.generate import generate_forget_probes
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    generate_forget_probes(
        backend=snakemake.params.backend,
        probes_per_fact=snakemake.params.probes_per_fact,
        profiles=snakemake.input.profiles,
        facts=snakemake.input.facts,
        forget=snakemake.input.forget,
        probes=snakemake.output.probes,
    )
