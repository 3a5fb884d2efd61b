"""Rule import_benchmark: a published benchmark -> the data files and its report."""

from unlearnflow.benchmarks import benchmark_module
from unlearnflow.job import script_job

with script_job(snakemake):
    settings = snakemake.params.benchmark
    benchmark_module(settings["name"]).import_benchmark(settings, dict(snakemake.output.items()))
