"""Rule classification_results: every classifier's metrics, the retain gate and the
chosen method -> results/classification_results.{json,csv} and the table."""

from pathlib import Path

from unlearnflow.classification.results import classification_results
from unlearnflow.job import script_job

with script_job(snakemake):
    classification_results(
        evaluations=snakemake.params.evaluations,
        classes_file=snakemake.input.classes,
        gate_fraction=snakemake.params.gate,
        bootstrap=snakemake.params.bootstrap,
        output_json=snakemake.output.results,
        output_csv=snakemake.output.csv,
        table_stem=Path(snakemake.output.table[0]).with_suffix(""),
    )
