"""The seed-scale experiment's findings, recomputed on this run: each a value with its
interval, the claim it is held against, and whether the interval supports the claim.

- Retain gap: correlated minus other retain facts' ROUGE-L, per sweep point, and per
  method the intensity where its size peaks. Claim (seed 003): the gap peaks at medium
  intensity, with a size of 0.24–0.41.
- Layer drift: cosine similarity of the forget questions' states to the fine-tuned
  model's at the middle and the last layer measured, per sweep point. Claim (seed 003):
  middle layers barely drift (here: cosine ≥ 0.99).
- Quantization recovery: per scheme, the mean over sweep points of the share of the
  forget-set drop that quantization undoes (quantize_results.py: TOFU's ROUGE-L and
  Prob, MUSE's verbatim and knowledge ROUGE-L F1, WMDP's accuracy); the interval is
  the t-interval across the points.
- 4-bit against 8-bit recovery: per 4-bit scheme, the mean over sweep points of its
  recovery minus the 8-bit scheme's of the same family (bnb, rtn) on the same point.
  Claim (Zhang et al. 2024, "Catastrophic failure of LLM unlearning via quantization"):
  4-bit quantization restores more of the forgotten knowledge than 8-bit (difference
  above 0).

A verdict is `yes` where the whole interval supports the claim, `no` where none of it
does, `open` otherwise; `--` where the run cannot say (no interval).
"""

from __future__ import annotations

import math

import numpy as np

from .plan import FINETUNED, SCHEMES, point_label
from .quantize_results import RECOVERY_METRICS as QUANTIZE_RECOVERY
from .replicates import across_seeds, t_interval

GAP_RANGE = (0.24, 0.41)
BARELY_DRIFTS = 0.99  # cosine to the fine-tuned model's states
# the forget-set metrics whose recovery quantize_results reports, where the benchmark has them
RECOVERY_METRICS = [f"{split}_{metric}" for split, metric in QUANTIZE_RECOVERY]


def verdict(low, high, accepted: tuple[float, float]) -> str:
    """Where the interval [low, high] lies against the accepted range of values."""
    if low is None or high is None:
        return "--"
    if accepted[0] <= low and high <= accepted[1]:
        return "yes"
    if high < accepted[0] or low > accepted[1]:
        return "no"
    return "open"


def _finding(name, subject, value, low, high, claim="", verdict_="--") -> dict:
    return {
        "finding": name,
        "subject": subject,
        "value": value,
        "value low": low,
        "value high": high,
        "claim": claim,
        "verdict": verdict_,
    }


def _size_interval(low, high) -> tuple[float | None, float | None]:
    """The interval of a gap's size |gap| from the gap's own interval."""
    if low is None or high is None:
        return None, None
    if low <= 0 <= high:
        return 0.0, max(-low, high)
    return min(abs(low), abs(high)), max(abs(low), abs(high))


def retain_gap_findings(sweep: list[dict]) -> list[dict]:
    points = [row for row in sweep if row["unlearned"] and "retain_gap_rouge_l" in row]
    rows = [
        _finding(
            "retain gap (correlated − other ROUGE-L)",
            point_label(row["point"]),
            row["retain_gap_rouge_l"],
            row["retain_gap_rouge_l_ci_low"],
            row["retain_gap_rouge_l_ci_high"],
        )
        for row in points
    ]
    for method in dict.fromkeys(row["method"] for row in points):
        own = sorted((row for row in points if row["method"] == method), key=lambda r: r["lr"])
        if len(own) < 3:
            continue
        peak = max(own, key=lambda row: abs(row["retain_gap_rouge_l"]))
        medium = own[0]["lr"] < peak["lr"] < own[-1]["lr"]
        low, high = _size_interval(
            peak["retain_gap_rouge_l_ci_low"], peak["retain_gap_rouge_l_ci_high"]
        )
        rows.append(
            _finding(
                f"retain gap size at its peak ({'medium' if medium else 'edge'} intensity)",
                point_label(peak["point"]),
                abs(peak["retain_gap_rouge_l"]),
                low,
                high,
                "seed 003: peaks at medium intensity, size 0.24–0.41",
                verdict(low, high, GAP_RANGE) if medium else "no",
            )
        )
    return rows


def drift_findings(drift: list[dict]) -> list[dict]:
    rows = [
        row
        for row in drift
        if row["unlearned"] and row["split"] == "forget" and row["reference"] == FINETUNED
    ]
    if not rows:
        return []
    layers = sorted({row["layer"] for row in rows})
    found = []
    for name, layer in (("middle", layers[len(layers) // 2]), ("last", layers[-1])):
        for row in (r for r in rows if r["layer"] == layer):
            low, high = row["cosine_ci_low"], row["cosine_ci_high"]
            found.append(
                _finding(
                    f"cosine to fine-tuned, {name} layer ({layer})",
                    point_label(row["point"]),
                    row["cosine"],
                    low,
                    high,
                    "seed 003: middle layers barely drift (cos ≥ 0.99)" if name == "middle" else "",
                    verdict(low, high, (BARELY_DRIFTS, math.inf)) if name == "middle" else "--",
                )
            )
    return found


def recovery_findings(quantize: list[dict], confidence: float) -> list[dict]:
    found = []
    for scheme in dict.fromkeys(row["scheme"] for row in quantize):
        for metric in RECOVERY_METRICS:
            values = [
                row[f"recovery_{metric}"]
                for row in quantize
                if row["scheme"] == scheme and row.get(f"recovery_{metric}") is not None
            ]
            if not values:
                continue
            low, high = t_interval(values, confidence) if len(values) > 1 else (None, None)
            found.append(
                _finding(
                    f"recovery under quantization ({metric.replace('_', ' ')})",
                    f"{scheme}, mean of {len(values)} sweep points",
                    float(np.mean(values)),
                    low,
                    high,
                )
            )
    return found


def four_bit_findings(quantize: list[dict], confidence: float) -> list[dict]:
    found = []
    schemes = list(dict.fromkeys(row["scheme"] for row in quantize))
    recovery = {(row["scheme"], row["point"]): row for row in quantize}
    for four in (s for s in schemes if SCHEMES[s]["bits"] == 4):
        family = four.split("-")[0]
        eight = next((s for s in schemes if s.startswith(family) and SCHEMES[s]["bits"] == 8), None)
        if eight is None:
            continue
        for metric in RECOVERY_METRICS:
            key = f"recovery_{metric}"
            differences = [
                row[key] - recovery[eight, point][key]
                for (scheme, point), row in recovery.items()
                if scheme == four
                and row.get(key) is not None
                and recovery.get((eight, point), {}).get(key) is not None
            ]
            if not differences:
                continue
            low, high = (
                t_interval(differences, confidence) if len(differences) > 1 else (None, None)
            )
            found.append(
                _finding(
                    f"4-bit minus 8-bit recovery ({metric.replace('_', ' ')})",
                    f"{four} − {eight}, mean of {len(differences)} sweep points",
                    float(np.mean(differences)),
                    low,
                    high,
                    "Zhang et al. 2024: 4-bit restores more than 8-bit (> 0)",
                    verdict(low, high, (0.0, math.inf)),
                )
            )
    return found


def findings_table(sweep: list[dict], quantize: list[dict], drift: list[dict], confidence: float):
    """Every finding as a row; `sweep` and `quantize` folded across seeds (replicates.py),
    `drift` as repr_results writes it."""
    import pandas as pd

    drift = across_seeds(drift, confidence, keys=("point", "split", "reference", "layer"))
    rows = [
        *retain_gap_findings(sweep),
        *drift_findings(drift),
        *recovery_findings(quantize, confidence),
        *four_bit_findings(quantize, confidence),
    ]
    return pd.DataFrame(rows).set_index(["finding", "subject"])
