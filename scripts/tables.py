"""Rule tables: the sweep, quantization and drift summaries -> results/tables/*.csv, .md, .tex."""

from pathlib import Path

from unlearnflow.logs import logging_to
from unlearnflow.tables import tables

with logging_to(snakemake.log[0]):
    tables(
        sweep=snakemake.input.sweep,
        quantize=snakemake.input.quantize,
        representation=snakemake.input.representation,
        confidence=snakemake.params.confidence,
        output_dir=Path(snakemake.output.tables[0]).parent,
    )
