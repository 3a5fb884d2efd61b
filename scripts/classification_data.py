"""Rule classification_data: classification.source -> train, validation and test texts
with labels, and the class plan."""

from unlearnflow.classification.data import write_classification_data
from unlearnflow.job import script_job

with script_job(snakemake):
    write_classification_data(
        source=snakemake.params.source,
        text_column=snakemake.params.text_column,
        label_column=snakemake.params.label_column,
        forget_class=snakemake.params.forget_class,
        validation_share=snakemake.params.validation_share,
        seed=snakemake.params.seed,
        output=dict(snakemake.output.items()),
        facts=snakemake.input.get("facts"),
        profiles=snakemake.input.get("profiles"),
    )
