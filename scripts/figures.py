"""Rule figures: the sweep, quantization, representation, relearning and probe results
-> results/figures/*.png."""

from pathlib import Path

from unlearnflow.job import script_job
from unlearnflow.plots import figures

with script_job(snakemake):
    figures(
        sweep=snakemake.input.sweep,
        quantize=snakemake.input.quantize,
        representation=snakemake.input.representation,
        relearning=next(iter(snakemake.input.relearning), None),
        probes=next(iter(snakemake.input.probes), None),
        epochs=next(iter(snakemake.input.epochs), None),
        confidence=snakemake.params.confidence,
        output_dir=Path(snakemake.output[0]).parent,
    )
