"""The epoch table: every unlearning run's forgetting and drift after each epoch
(`training.unlearn.save_every_epoch`), the last epoch being the sweep's own model.

`metrics` rows: the model columns (plan.py), `run` (the point of the run's last
model) and `epoch`, and per split of the evaluation (a QA benchmark's forget and retain, MUSE's
verbmem and knowmem, WMDP's wmdp and mmlu...) every value a split metric is the mean of
(aggregate.item_values), `{split}_{metric}`, each with its interval over items.
`drift` rows: the same model columns, split, layer and ‖Δh‖ from the fine-tuned model
with its interval over the questions (represent.py): seed 003's `layerdrift_by_epoch`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .aggregate import item_values
from .jsonl import write_json
from .metrics.bootstrap import Bootstrap
from .plan import FINETUNED, Model, model_columns


def epoch_columns(model_id: str) -> dict:
    model = Model.parse(model_id)
    return {**model_columns(model_id), "run": model.final().point, "epoch": model.epochs()}


def epoch_rows(
    evaluations: dict[str, Path], drifts: dict[str, Path], bootstrap: dict
) -> dict[str, list[dict]]:
    resampling = Bootstrap(**bootstrap)
    metrics, drift = [], []
    for name, path in evaluations.items():
        evaluation = json.loads(Path(path).read_text())
        row = epoch_columns(name)
        for split in evaluation["splits"]:
            for metric, values in item_values(evaluation, split).items():
                key = f"{split}_{metric}"
                row[key] = float(np.mean(values))
                row[f"{key}_ci_low"], row[f"{key}_ci_high"] = resampling.mean_interval(values)
        metrics.append(row)
    for name, path in drifts.items():
        result = json.loads(Path(path).read_text())
        for split, references in result["drift"].items():
            per_question = references[FINETUNED]["items"]["delta_norm"]
            for layer, values in zip(result["layers"], per_question, strict=True):
                low, high = resampling.mean_interval(values)
                drift.append(
                    {
                        **epoch_columns(name),
                        "split": split,
                        "layer": layer,
                        "delta_norm": float(np.mean(values)),
                        "delta_norm_ci_low": low,
                        "delta_norm_ci_high": high,
                    }
                )
    return {"metrics": metrics, "drift": drift}


def epoch_results(
    evaluations: dict[str, Path], drifts: dict[str, Path], bootstrap: dict, output_json: Path
) -> None:
    write_json(output_json, epoch_rows(evaluations, drifts, bootstrap))
