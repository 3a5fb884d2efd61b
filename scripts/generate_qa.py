"""Rule generate_qa: QA per fact -> forget, retain and holdout splits, wrong details."""

from unlearnflow.data.generate import generate_qa
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    generate_qa(
        backend=snakemake.params.backend,
        paraphrased_questions=snakemake.params.paraphrased_questions,
        wrong_answers=snakemake.params.wrong_answers,
        profiles=snakemake.input.profiles,
        facts=snakemake.input.facts,
        forget=snakemake.output.forget,
        retain=snakemake.output.retain,
        holdout=snakemake.output.holdout,
        wrong_details=snakemake.output.wrong_details,
    )
