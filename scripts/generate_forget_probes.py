"""Rule generate_forget_probes: indirect prompts per forget fact -> data/forget_probes.jsonl."""

from unlearnflow.data.backends import with_transport
from unlearnflow.data.generate import generate_forget_probes
from unlearnflow.job import script_job

with script_job(snakemake):
    generate_forget_probes(
        backend=with_transport(snakemake.params.backend, snakemake.resources),
        probes_per_fact=snakemake.params.probes_per_fact,
        profiles=snakemake.input.profiles,
        facts=snakemake.input.facts,
        forget=snakemake.input.forget,
        probes=snakemake.output.probes,
    )
