"""The quantization table: every model under every scheme, beside its float self.

A row holds the quantized model's metrics (as in the sweep table; forget quality
against the gold model under the same scheme), their change from the float model
(`delta_*`), and the knowledge recovery of unlearned models: the share of the
forget-set drop from the fine-tuned to the unlearned model (both in float) that
quantization undoes (TOFU's ROUGE-L and Prob; MUSE's verbatim and knowledge
ROUGE-L F1; WMDP's accuracy): the measure of Zhang et al. 2024's
finding ("Catastrophic Failure of LLM Unlearning via Quantization") that 4-bit
quantization restores much of what unlearning removed. Recovery's interval resamples
the forget items, the same ones for the three models.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .aggregate import item_values, model_row
from .jsonl import write_json
from .metrics.bootstrap import Bootstrap
from .plan import SCHEMES

DELTA_METRICS = (
    "forget_rouge_l",
    "forget_prob",
    "forget_truth_ratio",
    "retain_rouge_l",
    "retain_prob",
    "model_utility",
    "forget_quality",
    "mia_auc_min_k",
    "leakage_rate",
    "forget_verbmem_rouge_l_f1",
    "forget_knowmem_rouge_l_f1",
    "retain_knowmem_rouge_l_f1",
    "privleak",
    "wmdp_accuracy",
    "mmlu_accuracy",
)
# (split, metric) whose recovery is reported, where the benchmark has the split: TOFU's
# forget set, MUSE's verbatim and knowledge memorization of it, WMDP's accuracy
RECOVERY_METRICS = (
    ("forget", "rouge_l"),
    ("forget", "prob"),
    ("forget_verbmem", "rouge_l_f1"),
    ("forget_knowmem", "rouge_l_f1"),
    ("wmdp", "accuracy"),
)
# Below this forget-set drop, recovery is a ratio of noise and is not reported.
MIN_DROP = 0.05


def knowledge_recovery(finetuned, unlearned, quantized):
    """(quantized - unlearned) / (finetuned - unlearned): 0 when quantization leaves the
    unlearned model as it was, 1 when it brings back the fine-tuned model's value; NaN
    where the drop is under MIN_DROP. Element-wise on arrays."""
    finetuned, unlearned, quantized = (
        np.asarray(x, dtype=np.float64) for x in (finetuned, unlearned, quantized)
    )
    drop = finetuned - unlearned
    ratio = (quantized - unlearned) / np.where(drop >= MIN_DROP, drop, np.nan)
    return ratio if ratio.ndim else float(ratio)


def recovery_with_interval(finetuned, unlearned, quantized, resampling: Bootstrap):
    """Recovery of the forget-set means of three per-item arrays, and its interval."""

    def statistic(index, axis):
        means = [values[index].mean(axis=axis) for values in (finetuned, unlearned, quantized)]
        return knowledge_recovery(*means)

    value = knowledge_recovery(*(np.mean(v) for v in (finetuned, unlearned, quantized)))
    return value, resampling.interval(statistic, len(finetuned))


def _delta(after, before):
    return None if after is None or before is None else after - before


def quantize_results(
    evaluations: dict[str, Path],
    quantized: dict[str, dict[str, Path]],
    train_logs: dict[str, Path],
    golds: dict[str, str],
    starts: dict[str, str],
    bootstrap: dict,
    output_json: Path,
    output_csv: Path,
) -> None:
    """`quantized` maps scheme, then model, to the model's evaluation under that scheme;
    `golds` and `starts` name each model's gold model and the fine-tuned model its
    unlearning started from (its seed's);
    `bootstrap` holds the intervals' `resamples`, `confidence` and `seed`."""
    import pandas as pd

    def load(path):
        return json.loads(Path(path).read_text())

    resampling = Bootstrap(**bootstrap)
    logs = {name: load(path) for name, path in train_logs.items()}
    floats = {name: load(path) for name, path in evaluations.items()}
    float_rows = {
        name: model_row(name, evaluation, logs.get(name), floats[golds[name]], resampling)
        for name, evaluation in floats.items()
    }
    rows = []
    for scheme, models in quantized.items():
        under = {name: load(path) for name, path in models.items()}
        for name, evaluation in under.items():
            gold = under[golds[name]]
            row = model_row(name, evaluation, logs.get(name), gold, resampling)
            before = float_rows[name]
            row = {"scheme": scheme, "bits": SCHEMES[scheme]["bits"], **row}
            for metric in DELTA_METRICS:
                if metric in row:
                    row[f"delta_{metric}"] = _delta(row[metric], before[metric])
            for split, metric in RECOVERY_METRICS:
                if split not in evaluation["splits"]:
                    continue
                key = f"recovery_{split}_{metric}"
                value, interval = (None, (None, None))
                if row["unlearned"]:
                    start, unlearned, after = (
                        item_values(model, split)[metric]
                        for model in (floats[starts[name]], floats[name], evaluation)
                    )
                    value, interval = recovery_with_interval(start, unlearned, after, resampling)
                row[key] = None if value is None or np.isnan(value) else value
                row[f"{key}_ci_low"], row[f"{key}_ci_high"] = interval
            rows.append(row)
    write_json(output_json, rows)
    pd.DataFrame(rows).to_csv(output_csv, index=False)
