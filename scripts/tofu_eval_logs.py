"""Rule tofu_eval_logs: a model's evaluation as TOFU eval logs -> results/tofu_logs/{model}/."""

import json
from pathlib import Path

from unlearnflow.job import script_job
from unlearnflow.metrics.tofu_logs import write_checkpoint_logs

with script_job(snakemake):
    evaluation = json.loads(Path(snakemake.input.evaluation).read_text())
    write_checkpoint_logs(evaluation, dict(snakemake.output.items()))
