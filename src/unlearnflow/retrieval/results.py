"""The retrieval track's results: one row per model, Matryoshka dimension and precision
(float, or a quantization scheme) with Recall@k and nDCG@k on the retain and on the
forget queries, each the mean over queries with its percentile-bootstrap interval; and
for every unlearned model at every dimension whether it meets the targets: forget
Recall@k within `forget_within` of gold's, retain Recall@k within `retain_within` of
the fine-tuned model's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..atomic import write_text_atomic
from ..metrics.bootstrap import Bootstrap
from ..tables import with_intervals, write_table
from .plan import FINETUNED, GOLD, UNLEARN, label

COLUMNS = {
    "retain_recall": "retain Recall@k",
    "retain_ndcg": "retain nDCG@k",
    "forget_recall": "forget Recall@k",
    "forget_ndcg": "forget nDCG@k",
}


def rows_of(model: str, scheme: str, evaluation: dict, sampler: Bootstrap) -> list[dict]:
    rows = []
    for dimension, queries in evaluation["dimensions"].items():
        row = {"model": model, "label": label(model), "scheme": scheme, "dimension": int(dimension)}
        for group, forget in (("retain", False), ("forget", True)):
            chosen = [values for values in queries.values() if values["forget"] == forget]
            row[f"{group}_queries"] = len(chosen)
            for metric in ("recall", "ndcg"):
                values = [values[metric] for values in chosen]
                key = f"{group}_{metric}"
                row[key] = float(np.mean(values)) if values else None
                row[f"{key}_ci_low"], row[f"{key}_ci_high"] = sampler.mean_interval(values)
        rows.append(row)
    return rows


def with_targets(rows: list[dict], forget_within: float, retain_within: float) -> None:
    """`meets_targets` on every float unlearned row, against gold and the fine-tuned
    model at the same dimension."""
    reference = {(r["model"], r["dimension"]): r for r in rows if r["scheme"] == "float"}
    for row in rows:
        if row["scheme"] != "float" or not row["model"].startswith(UNLEARN):
            row["meets_targets"] = None
            continue
        gold, finetuned = reference[GOLD, row["dimension"]], reference[FINETUNED, row["dimension"]]
        row["forget_recall_minus_gold"] = row["forget_recall"] - gold["forget_recall"]
        row["retain_recall_minus_finetuned"] = row["retain_recall"] - finetuned["retain_recall"]
        row["meets_targets"] = (
            abs(row["forget_recall_minus_gold"]) <= forget_within
            and row["retain_recall_minus_finetuned"] >= -retain_within
        )


def retrieval_results(
    evaluations: dict[str, dict[str, Path]],
    targets: dict,
    bootstrap: dict,
    output_json: Path,
    output_csv: Path,
    tables_dir: Path,
) -> None:
    """`evaluations`: scheme ("float" or a quantization scheme) -> model -> file."""
    import pandas as pd

    sampler = Bootstrap(bootstrap["resamples"], bootstrap["confidence"], bootstrap["seed"])
    rows, k = [], None
    for scheme, models in evaluations.items():
        for model, path in models.items():
            evaluation = json.loads(Path(path).read_text())
            k = evaluation["k"]
            rows.extend(rows_of(model, scheme, evaluation, sampler))
    with_targets(rows, targets["forget_within"], targets["retain_within"])
    meeting = [
        {"model": r["model"], "dimension": r["dimension"]} for r in rows if r["meets_targets"]
    ]
    result = {
        "k": k,
        "targets": targets,
        "confidence": bootstrap["confidence"],
        "meeting_targets": meeting,
        "rows": rows,
    }
    write_text_atomic(output_json, json.dumps(result, indent=1) + "\n")
    pd.DataFrame(rows).to_csv(output_csv, index=False)
    columns = {key: name.replace("@k", f"@{k}") for key, name in COLUMNS.items()}
    for name, keep in (("retrieval", "float"), ("retrieval_quantize", None)):
        chosen = [r for r in rows if (r["scheme"] == "float") == (keep == "float")]
        if not chosen:
            table = pd.DataFrame({name: ["no quantization scheme in this run"]},
                                 index=pd.Index(["--"], name="model"))  # fmt: skip
        else:
            table = with_intervals(chosen, columns)
            if keep == "float":
                table["meets targets"] = [
                    "--" if r["meets_targets"] is None else ("yes" if r["meets_targets"] else "no")
                    for r in chosen
                ]
            table.index = pd.MultiIndex.from_arrays(
                [
                    [r["label"] for r in chosen],
                    [r["scheme"] for r in chosen],
                    [r["dimension"] for r in chosen],
                ],
                names=["model", "precision", "dimension"],
            )
        write_table(
            table,
            Path(tables_dir) / name,
            f"Retrieval at k={k}: Recall and nDCG on the retain and the forget queries, per"
            " Matryoshka dimension"
            + (
                f"; an unlearned model meets the targets where its forget Recall@{k} is within"
                f" {targets['forget_within']} of gold's and its retain Recall@{k} within"
                f" {targets['retain_within']} of the fine-tuned model's"
                if keep == "float"
                else ", every model under each quantization scheme"
            )
            + "; intervals over queries.",
        )
