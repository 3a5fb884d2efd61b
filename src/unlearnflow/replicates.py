"""Replicates: every seed's row of one model point folded into one row.

With several seeds, each metric that carries an interval becomes its mean over the
seeds, and its interval the t-interval of that mean, mean ± t(n−1) · s / √n (Student
1908): the spread of training runs, not of items. With one seed the row keeps its
interval over items. `seeds` says how many replicates a row stands for.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.stats import t as student_t


def t_interval(values: list[float], confidence: float) -> tuple[float, float]:
    values = np.asarray(values, dtype=np.float64)
    mean, spread = values.mean(), values.std(ddof=1) / math.sqrt(len(values))
    half = student_t.ppf((1 + confidence) / 2, len(values) - 1) * spread
    return float(mean - half), float(mean + half)


def across_seeds(
    rows: list[dict], confidence: float, keys: tuple[str, ...] = ("point",)
) -> list[dict]:
    """One row per distinct `keys` (a model point; with a scheme for quantized rows), in
    first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in keys), []).append(row)
    folded = []
    for replicates in groups.values():
        row = {**replicates[0], "seeds": len(replicates)}
        row.pop("seed", None)
        if len(replicates) > 1:
            metrics = [key.removesuffix("_ci_low") for key in row if key.endswith("_ci_low")]
            for metric in metrics:
                values = [r[metric] for r in replicates]
                if any(value is None for value in values):
                    row[metric] = row[f"{metric}_ci_low"] = row[f"{metric}_ci_high"] = None
                    continue
                row[metric] = float(np.mean(values))
                row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = t_interval(values, confidence)
        folded.append(row)
    return folded


# The keys that name one row of each aggregated table, replicate seeds folded
FOLDED_KEYS = {
    "sweep": ("point",),
    "quantize": ("point", "scheme"),
    "relearning": ("point", "attack", "steps"),
    "probes": ("point", "layer"),
}


def folded_results(paths: dict[str, Path | None], confidence: float) -> dict:
    """Each of `FOLDED_KEYS`' tables (`paths[name]`: its rows as JSON, or None where the
    run has none) with its replicate seeds folded; None for a table the run lacks."""
    return {
        name: across_seeds(json.loads(Path(paths[name]).read_text()), confidence, keys)
        if paths.get(name)
        else None
        for name, keys in FOLDED_KEYS.items()
    }
