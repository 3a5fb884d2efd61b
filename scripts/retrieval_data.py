"""Rule retrieval_data: retrieval.source -> the BEIR files and the forget documents."""

from unlearnflow.job import script_job
from unlearnflow.retrieval.data import write_retrieval_data

with script_job(snakemake):
    write_retrieval_data(
        source=snakemake.params.source,
        forget_share=snakemake.params.forget_share,
        seed=snakemake.params.seed,
        output=dict(snakemake.output.items()),
        **{key: value for key, value in snakemake.input.items() if key != "validated"},
    )
