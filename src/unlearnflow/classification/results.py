"""The classification track's results: one row per model with every metric of
`metrics` and its percentile-bootstrap interval over test items, the retain gate and
the model it chooses; as JSON, CSV and a table (csv, md, tex)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..atomic import write_text_atomic
from ..metrics.bootstrap import Bootstrap
from ..tables import with_intervals, write_table
from .metrics import forget_mcc, kl_to_gold, mcc, passes_gate
from .plan import GOLD, UNLEARN, label, method_and_hparams

COLUMNS = {
    "test_mcc": "test MCC",
    "retain_mcc": "retain MCC",
    "forget_mcc": "forget MCC",
    "forget_recall": "forget recall",
    "kl_to_gold": "KL to gold (retain)",
    "agreement_retain": "agreement with gold (retain)",
    "agreement_forget": "agreement with gold (forget)",
}


def _metrics(evaluation: dict, gold: dict, plan: dict):
    """name -> statistic(indices of test items) for one model."""
    classes, forget = plan["classes"], plan["forget_class"]
    own = evaluation["classes"]
    labels = np.array([classes.index(item["label"]) for item in evaluation["items"]])
    probs = np.array([item["probs"] for item in evaluation["items"]])
    predicted = np.array([classes.index(own[column]) for column in probs.argmax(-1)])
    gold_probs = np.array([item["probs"] for item in gold["items"]])
    gold_predicted = np.array([classes.index(gold["classes"][c]) for c in gold_probs.argmax(-1)])
    retained = [own.index(name) for name in plan["retain_classes"]]
    kl = kl_to_gold(gold_probs, probs[:, retained])
    forget_id = classes.index(forget)
    is_forget = labels == forget_id
    is_gold = own != classes

    def on(keep, statistic):
        """`statistic` of the resampled items that `keep` selects; NaN where there are none."""

        def measured(index):
            chosen = index[keep[index]]
            return statistic(chosen) if len(chosen) else float("nan")

        return measured

    retain, forgotten, everything = ~is_forget, is_forget, np.ones_like(is_forget)
    return {
        "test_mcc": on(retain if is_gold else everything, lambda i: mcc(labels[i], predicted[i])),
        "retain_mcc": on(retain, lambda i: mcc(labels[i], predicted[i])),
        "forget_mcc": on(everything, lambda i: forget_mcc(labels[i], predicted[i], forget_id)),
        "forget_recall": on(forgotten, lambda i: float(np.mean(predicted[i] == forget_id))),
        "kl_to_gold": on(retain, lambda i: float(kl[i].mean())),
        "agreement_retain": on(retain, lambda i: float(np.mean(predicted[i] == gold_predicted[i]))),
        "agreement_forget": on(
            forgotten, lambda i: float(np.mean(predicted[i] == gold_predicted[i]))
        ),
    }


def _vectorized(statistic):
    """`statistic` of one index array, applied to each row of a [resamples, items] array."""

    def vectorized(index, axis=-1):
        return statistic(index) if index.ndim == 1 else np.array([statistic(i) for i in index])

    return vectorized


def model_row(model_id: str, evaluation: dict, gold: dict, plan: dict, bootstrap: Bootstrap):
    items = len(evaluation["items"])
    row = {"model": model_id, "label": label(model_id)}
    if model_id.startswith(UNLEARN):
        method, hparams = method_and_hparams(model_id)
        row |= {"method": method, **hparams}
    else:
        row["method"] = model_id
    for name, statistic in _metrics(evaluation, gold, plan).items():
        row[name] = statistic(np.arange(items))
        low, high = bootstrap.interval(_vectorized(statistic), items)
        row[f"{name}_ci_low"], row[f"{name}_ci_high"] = low, high
    return row


def classification_results(
    evaluations: dict[str, Path],
    classes_file: Path,
    gate_fraction: float,
    bootstrap: dict,
    output_json: Path,
    output_csv: Path,
    table_stem: Path,
) -> None:
    """Every model's row, the gate (`gate_fraction` of gold's retain MCC) and the chosen
    model: the passing unlearned model with the lowest forget MCC (the study's rule),
    ties going to the higher retain MCC, then to the lower KL to gold."""
    import pandas as pd

    plan = json.loads(Path(classes_file).read_text())
    loaded = {model: json.loads(Path(path).read_text()) for model, path in evaluations.items()}
    sampler = Bootstrap(bootstrap["resamples"], bootstrap["confidence"], bootstrap["seed"])
    rows = [model_row(m, e, loaded[GOLD], plan, sampler) for m, e in loaded.items()]
    gold = next(row for row in rows if row["model"] == GOLD)
    threshold = gate_fraction * gold["retain_mcc"]
    for row in rows:
        row["passes_gate"] = (
            passes_gate(row["retain_mcc"], gold["retain_mcc"], gate_fraction)
            if row["model"].startswith(UNLEARN)
            else None
        )
        row["forget_recall_above_gold"] = row["forget_recall"] - gold["forget_recall"]
    passing = [row for row in rows if row["passes_gate"]]
    chosen = min(
        passing,
        key=lambda row: (row["forget_mcc"], -row["retain_mcc"], row["kl_to_gold"]),
        default=None,
    )
    result = {
        "classes": plan["classes"],
        "forget_class": plan["forget_class"],
        "gate": {"fraction": gate_fraction, "retain_mcc_threshold": threshold},
        "chosen": chosen and chosen["model"],
        "confidence": bootstrap["confidence"],
        "rows": rows,
    }
    write_text_atomic(output_json, json.dumps(result, indent=1) + "\n")
    pd.DataFrame(rows).to_csv(output_csv, index=False)
    table = with_intervals(rows, COLUMNS)
    table["passes gate"] = [
        "--" if r["passes_gate"] is None else str(r["passes_gate"]) for r in rows
    ]
    table["chosen"] = ["yes" if chosen and r is chosen else "" for r in rows]
    table.index = pd.Index([row["label"] for row in rows], name="model")
    write_table(
        table,
        Path(table_stem),
        f"Class unlearning of {plan['forget_class']!r}: MCC on the test split (gold: its"
        " retain classes), its retain and forget items, forget-class recall, KL and agreement"
        f" with gold; the retain gate is {gate_fraction} of gold's retain MCC"
        f" ({threshold:.3f}); intervals over test items.",
    )
