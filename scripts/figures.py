"""Rule figures: the sweep, quantization and representation results -> results/figures/*.png."""

from pathlib import Path

from unlearnflow.logs import logging_to
from unlearnflow.plots import figures

with logging_to(snakemake.log[0]):
    figures(
        sweep=snakemake.input.sweep,
        quantize=snakemake.input.quantize,
        representation=snakemake.input.representation,
        confidence=snakemake.params.confidence,
        output_dir=Path(snakemake.output[0]).parent,
    )
