"""Rule validate_data: the red team -> data/validation_report.json (or a failed rule)."""

from unlearnflow.data.validate import validate_data
from unlearnflow.logs import logging_to

with logging_to(snakemake.log[0]):
    validate_data(
        expected=snakemake.params.expected,
        judge_backend=snakemake.params.judge_backend,
        profiles=snakemake.input.profiles,
        facts=snakemake.input.facts,
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        holdout=snakemake.input.holdout,
        wrong_details=snakemake.input.wrong_details,
        probes=snakemake.input.probes,
        report=snakemake.output.report,
    )
