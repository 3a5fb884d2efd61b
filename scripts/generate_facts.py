"""Rule generate_facts: one fact per person and category -> data/facts.jsonl."""

from unlearnflow.data.generate import generate_facts
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    generate_facts(
        backend=snakemake.params.backend,
        categories=snakemake.params.categories,
        forget_category=snakemake.params.forget_category,
        correlated_categories=snakemake.params.correlated_categories,
        profiles=snakemake.input.profiles,
        facts=snakemake.output.facts,
    )
