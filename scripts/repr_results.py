"""Rule repr_results: every model's drift and logit lens -> results/repr_results.json."""

from unlearnflow.logs import logging_to
from unlearnflow.repr_results import repr_results

with logging_to(snakemake.log[0]):
    repr_results(
        drifts=snakemake.params.drifts,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.table,
    )
