"""Rule generate_profiles: fictional people -> data/profiles.jsonl."""

from unlearnflow.data.backends import with_transport
from unlearnflow.data.generate import generate_profiles
from unlearnflow.job import script_job

with script_job(snakemake):
    generate_profiles(
        backend=with_transport(snakemake.params.backend, snakemake.resources),
        people=snakemake.params.people,
        holdout_people=snakemake.params.holdout_people,
        profiles=snakemake.output.profiles,
    )
