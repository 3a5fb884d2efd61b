"""Rule generate_profiles: fictional people -> data/profiles.jsonl."""

from unlearnflow.data.generate import generate_profiles
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    generate_profiles(
        backend=snakemake.params.backend,
        people=snakemake.params.people,
        holdout_people=snakemake.params.holdout_people,
        profiles=snakemake.output.profiles,
    )
