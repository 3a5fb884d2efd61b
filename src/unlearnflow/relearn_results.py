"""The relearning table: every attacked model's forget metrics after each number of
attack steps, with intervals over the evaluated forget items, and the steps each
unlearned model needs to win back half of what unlearning took (relearn.py).

Half recovery: the first number of steps after which the model's forget ROUGE-L is at
least halfway from its own value before the attack to the fine-tuned model's (its
seed's, on the same items, before any attack); None where the attack never gets there
within the grid, or where unlearning dropped ROUGE-L by less than MIN_DROP.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .aggregate import item_values
from .jsonl import write_json
from .metrics.bootstrap import Bootstrap
from .plan import model_columns
from .quantize_results import MIN_DROP

METRICS = ("rouge_l", "prob", "truth_ratio")


def half_recovery_steps(curve: list[tuple[int, float]], ceiling: float) -> int | None:
    """`curve`: (steps, forget ROUGE-L) from 0 steps on; `ceiling`: the fine-tuned
    model's ROUGE-L before the attack."""
    start = curve[0][1]
    if ceiling - start < MIN_DROP:
        return None
    halfway = start + (ceiling - start) / 2
    return next((steps for steps, value in curve[1:] if value >= halfway), None)


def relearn_rows(
    attacked: dict[str, dict[str, Path]], starts: dict[str, str], bootstrap: dict
) -> list[dict]:
    """`attacked` maps attack, then model id, to its relearn results; `starts` names
    each model's fine-tuned model (its seed's)."""
    resampling = Bootstrap(**bootstrap)
    rows = []
    for attack, models in attacked.items():
        loaded = {name: json.loads(Path(path).read_text()) for name, path in models.items()}
        for name, run in loaded.items():
            ceiling = loaded[starts[name]]["results"][0]["metrics"]["rouge_l"]
            curve = [(result["steps"], result["metrics"]["rouge_l"]) for result in run["results"]]
            recovery = half_recovery_steps(curve, ceiling) if name != starts[name] else None
            for result in run["results"]:
                row = {**model_columns(name), "attack": attack, "steps": result["steps"]}
                values = item_values({"splits": {"forget": result}}, "forget")
                for metric in METRICS:
                    per_item = values[metric]
                    low, high = resampling.mean_interval(per_item)
                    row.update(
                        {
                            f"forget_{metric}": float(np.mean(per_item)),
                            f"forget_{metric}_ci_low": low,
                            f"forget_{metric}_ci_high": high,
                        }
                    )
                row["half_recovery_steps"] = recovery
                row["diverged"] = run["diverged"]
                rows.append(row)
    return rows


def relearn_results(
    attacked: dict[str, dict[str, Path]],
    starts: dict[str, str],
    bootstrap: dict,
    output_json: Path,
    output_csv: Path,
) -> None:
    import pandas as pd

    rows = relearn_rows(attacked, starts, bootstrap)
    write_json(output_json, rows)
    pd.DataFrame(rows).to_csv(output_csv, index=False)
