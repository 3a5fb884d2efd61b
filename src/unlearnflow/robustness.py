"""The robustness summary: per model point, how much of the forget set each way of
attacking an unlearned model gets back, beside the fine-tuned (ceiling) and gold
(floor) references.

One row per trained model point (replicate seeds folded), each value with its
interval: the benchmark's headline forget metric (`FORGET_METRICS`) in float and under
each quantization scheme (Zhang et al. 2024); forget ROUGE-L of the left-out forget
items after the largest number of relearning steps of each attack (Hu et al. 2024),
beside their value before it; and the linear probes' accuracy at the layer where they
tell the fine-tuned model's answers apart best (`probe_layer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import BASE, FINETUNED

# The forget metric each benchmark's summary reads, in the order tried
FORGET_METRICS = ("forget_rouge_l", "forget_knowmem_rouge_l_f1", "wmdp_accuracy")


def forget_metric(rows: list[dict]) -> str:
    """The first of `FORGET_METRICS` that the sweep rows carry."""
    return next(key for key in FORGET_METRICS if rows[0].get(key) is not None)


def _copied(row: dict, key: str, to: str) -> dict:
    """`row[key]` and its interval's ends, renamed to `to`."""
    return {
        to: row.get(key),
        f"{to}_ci_low": row.get(f"{key}_ci_low"),
        f"{to}_ci_high": row.get(f"{key}_ci_high"),
    }


@dataclass(frozen=True)
class Robustness:
    """The summary's `rows` (one per trained model point), the forget `metric` they
    read, and their `columns` in order ({key: label}; each key has `_ci_low`, `_ci_high`)."""

    metric: str
    rows: list[dict]
    columns: dict[str, str]


def probe_layer(probes: list[dict]) -> int:
    """The layer where the probes tell the fine-tuned model's forget answers apart best
    (held out; the first of equals)."""
    ceiling = [row for row in probes if row["point"] == FINETUNED]
    return max(ceiling, key=lambda row: row["probe_accuracy"])["layer"]


def robustness(folded: dict) -> Robustness:
    """The summary of the folded tables (replicates.folded_results); the relearning and
    probe rows where the run has them, the probes read at `probe_layer`."""
    sweep, quantize, relearning, probes = (
        folded[name] for name in ("sweep", "quantize", "relearning", "probes")
    )
    metric = forget_metric(sweep)
    rows = {row["point"]: {"point": row["point"]} for row in sweep if row["point"] != BASE}
    columns = {"float": "float"}

    def put(row: dict, key: str, column: str, label: str) -> None:
        rows[row["point"]].update(_copied(row, key, column))
        columns[column] = label

    for row in sweep:
        if row["point"] in rows:
            put(row, metric, "float", "float")
    for row in quantize:
        if row["point"] in rows:
            put(row, metric, row["scheme"], row["scheme"])
    for row in relearning or []:
        most = max(r["steps"] for r in relearning if r["attack"] == row["attack"])
        if row["steps"] in (0, most):
            after = f"{most} steps" if row["steps"] else "before"
            put(
                row,
                "forget_rouge_l",
                f"{row['attack']}_{row['steps']}",
                f"{row['attack']}: {after}",
            )
    best = probe_layer(probes) if probes else None
    for row in probes or []:
        if row["layer"] == best:
            put(row, "probe_accuracy", "probe", f"probe accuracy (layer {best})")
    return Robustness(metric, list(rows.values()), columns)
