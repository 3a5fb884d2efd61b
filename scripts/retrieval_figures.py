"""Rule retrieval_figures: the retrieval track's figures."""

from unlearnflow.job import script_job
from unlearnflow.retrieval.figures import retrieval_figures

with script_job(snakemake):
    retrieval_figures(results=snakemake.input.results, output=dict(snakemake.output.items()))
