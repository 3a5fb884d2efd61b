"""The probe table: every model's linear-probe accuracy per layer (probes.py), with its
interval over the forget items; one row per model and layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .jsonl import write_json
from .metrics.bootstrap import Bootstrap
from .plan import model_columns
from .probes import AnswerStates, probe_accuracies


def probe_rows(
    states: dict[str, Path], starts: dict[str, str], settings: dict, seed: int, bootstrap: dict
) -> list[dict]:
    """`states` maps model ids to their answer states, `starts` each to its seed's
    fine-tuned model, whose states train the probes (`settings`: `folds`,
    `regularization`)."""
    resampling = Bootstrap(**bootstrap)
    rows = []
    for start in sorted(set(starts.values())):
        models = {name: AnswerStates.load(states[name]) for name in states if starts[name] == start}
        accuracies = probe_accuracies(
            models[start], models, settings["folds"], settings["regularization"], seed
        )
        for name, per_layer in accuracies.items():
            for layer, values in zip(models[start].layers, per_layer, strict=True):
                low, high = resampling.mean_interval(values)
                rows.append(
                    {
                        **model_columns(name),
                        "layer": layer,
                        "probe_accuracy": float(np.mean(values)),
                        "probe_accuracy_ci_low": low,
                        "probe_accuracy_ci_high": high,
                    }
                )
    return rows


def probe_results(
    states: dict[str, Path],
    starts: dict[str, str],
    settings: dict,
    seed: int,
    bootstrap: dict,
    output_json: Path,
) -> None:
    write_json(output_json, probe_rows(states, starts, settings, seed, bootstrap))
