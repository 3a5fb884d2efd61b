"""The quantization table: every model under every scheme, beside its float self.

A row holds the quantized model's metrics (as in the sweep table; forget quality
against the gold model under the same scheme), their change from the float model
(`delta_*`), and the knowledge recovery of unlearned models: the share of the
forget-set drop from the fine-tuned to the unlearned model (both in float) that
quantization undoes, on ROUGE-L and on Prob: the measure of Zhang et al. 2024's
finding ("Catastrophic Failure of LLM Unlearning via Quantization") that 4-bit
quantization restores much of what unlearning removed.
"""

from __future__ import annotations

import json
from pathlib import Path

from .aggregate import model_row
from .jsonl import write_json
from .quantize import BITS

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
)
RECOVERY_METRICS = ("forget_rouge_l", "forget_prob")
# Below this forget-set drop, recovery is a ratio of noise and is not reported.
MIN_DROP = 0.05


def knowledge_recovery(finetuned, unlearned, quantized) -> float | None:
    """(quantized - unlearned) / (finetuned - unlearned): 0 when quantization leaves the
    unlearned model as it was, 1 when it brings back the fine-tuned model's value."""
    if None in (finetuned, unlearned, quantized):
        return None
    drop = finetuned - unlearned
    if drop < MIN_DROP:
        return None
    return (quantized - unlearned) / drop


def _delta(after, before):
    return None if after is None or before is None else after - before


def quantize_results(
    evaluations: dict[str, Path],
    quantized: dict[tuple[str, str], Path],
    train_logs: dict[str, Path],
    gold: str,
    finetuned: str,
    output_json: Path,
    output_csv: Path,
) -> None:
    """`quantized` maps (scheme, model) to the model's evaluation under that scheme."""
    import pandas as pd

    def load(path):
        return json.loads(Path(path).read_text())

    logs = {name: load(path) for name, path in train_logs.items()}
    floats = {name: load(path) for name, path in evaluations.items()}
    float_rows = {
        name: model_row(name, evaluation, logs.get(name), floats[gold])
        for name, evaluation in floats.items()
    }
    under = {key: load(path) for key, path in quantized.items()}
    rows = []
    for (scheme, name), evaluation in under.items():
        row = model_row(name, evaluation, logs.get(name), under[scheme, gold])
        before = float_rows[name]
        row = {"model": name, "scheme": scheme, "bits": BITS[scheme], **row}
        for metric in DELTA_METRICS:
            row[f"delta_{metric}"] = _delta(row[metric], before[metric])
        for metric in RECOVERY_METRICS:
            row[f"recovery_{metric}"] = (
                knowledge_recovery(float_rows[finetuned][metric], before[metric], row[metric])
                if name in logs
                else None
            )
        rows.append(row)
    write_json(output_json, rows)
    pd.DataFrame(rows).to_csv(output_csv, index=False)
