"""Rule tables: the sweep, quantization, drift, findings, relearning and probe summaries
-> results/tables/*.csv, .md, .tex."""

from pathlib import Path

from unlearnflow.job import script_job
from unlearnflow.tables import tables

with script_job(snakemake):
    tables(
        sweep=snakemake.input.sweep,
        quantize=snakemake.input.quantize,
        representation=snakemake.input.representation,
        relearning=next(iter(snakemake.input.relearning), None),
        probes=next(iter(snakemake.input.probes), None),
        confidence=snakemake.params.confidence,
        output_dir=Path(snakemake.output.tables[0]).parent,
    )
