"""Rule evaluate_classifier: one classifier's probabilities on the test split."""

from unlearnflow.classification.training import evaluate_classifier
from unlearnflow.job import model_job

with model_job(snakemake):
    evaluate_classifier(
        model_dir=snakemake.input.model,
        test=snakemake.input.test,
        batch_size=snakemake.params.batch_size,
        precision=snakemake.params.precision,
        output=snakemake.output.evaluation,
    )
