"""Rule retrieval_results: every evaluation's rows with intervals and the targets ->
results/retrieval_results.{json,csv} and the tables."""

from pathlib import Path

from unlearnflow.job import script_job
from unlearnflow.retrieval.results import retrieval_results

with script_job(snakemake):
    retrieval_results(
        evaluations=snakemake.params.evaluations,
        targets=snakemake.params.targets,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.results,
        output_csv=snakemake.output.csv,
        tables_dir=Path(snakemake.output.tables[0]).parent,
    )
