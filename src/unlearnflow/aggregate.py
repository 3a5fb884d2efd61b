"""The sweep table: one row per model, every hyperparameter and every metric.

Model utility and forget quality (TOFU) are computed here from the per-item values
in each model's evaluation, forget quality against the gold (retain-only) model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .jsonl import write_json
from .metrics.utility import METRICS, UTILITY_SPLITS, SplitScores, forget_quality, model_utility

SUBSETS = ("forget", "retain", "retain_correlated", "retain_other", "real_authors", "world_facts")


def forget_scores(evaluation: dict) -> SplitScores:
    items = evaluation["splits"]["forget"]["items"]
    return SplitScores(
        answer_loss=np.array([i["answer_loss"] for i in items], dtype=float),
        paraphrased_loss=np.array([i["paraphrased_loss"] for i in items], dtype=float),
        wrong_losses=np.array([i["wrong_losses"] for i in items], dtype=float),
        rouge_l=np.array([i["rouge_l"] for i in items], dtype=float),
    )


def _clean(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def model_row(name: str, evaluation: dict, train_log: dict | None, gold: dict) -> dict:
    row = {"model": name, "method": train_log.get("method", name) if train_log else name}
    row.update((train_log or {}).get("hparams", {}))
    row["diverged"] = bool(train_log and train_log.get("diverged"))
    row["diverged_step"] = train_log.get("diverged_step") if train_log else None
    row["train_seconds"] = train_log.get("seconds") if train_log else None
    row["eval_seconds"] = evaluation["seconds"]
    metrics = {s: evaluation["splits"][s]["metrics"] for s in SUBSETS if s in evaluation["splits"]}
    for split, values in metrics.items():
        for metric, value in values.items():
            row[f"{split}_{metric}"] = value
    components = {f"{s}_{m}": metrics[s][m] for s in UTILITY_SPLITS for m in METRICS}
    valid = all(v is not None and v > 0 for v in components.values())
    row["model_utility"] = model_utility(components) if valid else 0.0
    row.update(forget_quality(forget_scores(evaluation), forget_scores(gold)))
    row.update({f"mia_auc_{k}": v for k, v in evaluation["mia_auc"].items()})
    row["leakage_rate"] = evaluation["leakage_rate"]
    return {key: _clean(value) for key, value in row.items()}


def sweep_results(
    evaluations: dict[str, Path],
    train_logs: dict[str, Path],
    gold: str,
    output_json: Path,
    output_csv: Path,
) -> None:
    import pandas as pd

    loaded = {name: json.loads(Path(path).read_text()) for name, path in evaluations.items()}
    rows = [
        model_row(
            name,
            evaluation,
            json.loads(Path(train_logs[name]).read_text()) if name in train_logs else None,
            loaded[gold],
        )
        for name, evaluation in loaded.items()
    ]
    write_json(output_json, rows)
    pd.DataFrame(rows).to_csv(output_csv, index=False)
