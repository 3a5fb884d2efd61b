"""Rule validate_data: the red team -> data/validation_report.json (or a failed rule)."""

from unlearnflow.data.backends import with_transport
from unlearnflow.data.validate import validate_data
from unlearnflow.job import script_job

judge = snakemake.params.judge_backend
with script_job(snakemake):
    validate_data(
        expected=snakemake.params.expected,
        judge_backend=with_transport(judge, snakemake.resources) if judge else None,
        profiles=snakemake.input.profiles,
        facts=snakemake.input.facts,
        forget=snakemake.input.forget,
        retain=snakemake.input.retain,
        holdout=snakemake.input.holdout,
        wrong_details=snakemake.input.wrong_details,
        probes=snakemake.input.probes,
        report=snakemake.output.report,
    )
