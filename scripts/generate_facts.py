"""Rule generate_facts: one fact per person and category -> data/facts.jsonl."""

from unlearnflow.data.backends import with_transport
from unlearnflow.data.generate import generate_facts
from unlearnflow.job import script_job

with script_job(snakemake):
    generate_facts(
        backend=with_transport(snakemake.params.backend, snakemake.resources),
        categories=snakemake.params.categories,
        forget_category=snakemake.params.forget_category,
        correlated_categories=snakemake.params.correlated_categories,
        profiles=snakemake.input.profiles,
        facts=snakemake.output.facts,
    )
