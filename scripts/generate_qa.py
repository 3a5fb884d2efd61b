"""Rule generate_qa: QA per fact -> forget, retain and holdout splits, wrong details."""

from unlearnflow.data.backends import with_transport
from unlearnflow.data.generate import generate_qa
from unlearnflow.job import script_job

with script_job(snakemake):
    generate_qa(
        backend=with_transport(snakemake.params.backend, snakemake.resources),
        paraphrased_questions=snakemake.params.paraphrased_questions,
        wrong_answers=snakemake.params.wrong_answers,
        profiles=snakemake.input.profiles,
        facts=snakemake.input.facts,
        forget=snakemake.output.forget,
        retain=snakemake.output.retain,
        holdout=snakemake.output.holdout,
        wrong_details=snakemake.output.wrong_details,
    )
