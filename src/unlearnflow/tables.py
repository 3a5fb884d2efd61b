"""Summary tables of the sweep, the quantization stress test, the representation drift,
the relearning attacks and the linear probes, each written as csv (numbers, each
interval's ends in columns of their own), markdown and LaTeX (booktabs) for papers
(`value [low, high]`). One row per model point: the replicate seeds folded
(replicates.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .findings import findings_table
from .plan import REFERENCES, point_label
from .replicates import folded_results
from .robustness import Robustness, probe_layer, robustness

SWEEP_COLUMNS = {
    "forget_rouge_l": "forget ROUGE-L",
    "forget_prob": "forget Prob",
    "forget_truth_ratio": "forget TR",
    "retain_rouge_l": "retain ROUGE-L",
    "retain_correlated_rouge_l": "correlated ROUGE-L",
    "model_utility": "model utility",
    "real_world_rouge_l": "real-world ROUGE-L",
    "forget_quality": "forget quality",
    "mia_auc_min_k": "MIA AUC (Min-K%)",
    "privleak": "privleak (%)",
    "forget_extraction_strength": "forget ES",
    "leakage_rate": "leakage",
    "forget_verbmem_rouge_l_f1": "verbmem ROUGE-L F1",
    "forget_knowmem_rouge_l_f1": "forget knowmem ROUGE-L F1",
    "retain_knowmem_rouge_l_f1": "retain knowmem ROUGE-L F1",
    "forget_verbmem_extraction_strength": "verbmem ES",
    "wmdp_accuracy": "WMDP accuracy",
    "mmlu_accuracy": "MMLU accuracy",
}
QUANTIZE_COLUMNS = {
    "forget_rouge_l": "forget ROUGE-L",
    "delta_forget_rouge_l": "Δ forget ROUGE-L",
    "forget_prob": "forget Prob",
    "delta_forget_prob": "Δ forget Prob",
    "recovery_forget_rouge_l": "recovery (ROUGE-L)",
    "recovery_forget_prob": "recovery (Prob)",
    "delta_model_utility": "Δ model utility",
    "forget_verbmem_rouge_l_f1": "verbmem ROUGE-L F1",
    "delta_forget_verbmem_rouge_l_f1": "Δ verbmem ROUGE-L F1",
    "forget_knowmem_rouge_l_f1": "knowmem ROUGE-L F1",
    "delta_forget_knowmem_rouge_l_f1": "Δ knowmem ROUGE-L F1",
    "recovery_forget_verbmem_rouge_l_f1": "recovery (verbmem)",
    "recovery_forget_knowmem_rouge_l_f1": "recovery (knowmem)",
    "delta_retain_knowmem_rouge_l_f1": "Δ retain knowmem ROUGE-L F1",
    "wmdp_accuracy": "WMDP accuracy",
    "delta_wmdp_accuracy": "Δ WMDP accuracy",
    "recovery_wmdp_accuracy": "recovery (WMDP)",
    "delta_mmlu_accuracy": "Δ MMLU accuracy",
}


def with_intervals(rows: list[dict], columns: dict[str, str]):
    """`columns` of `rows`, renamed, each followed by its interval's ends where the rows
    have one (`{label} low`, `{label} high`); a column the benchmark does not measure
    (no correlated facts, no probes: no value in any row) is left out."""
    import pandas as pd

    data = {}
    for key, label in columns.items():
        if all(row.get(key) is None for row in rows):
            continue
        data[label] = [row.get(key) for row in rows]
        if f"{key}_ci_low" in rows[0]:
            data[f"{label} low"] = [row.get(f"{key}_ci_low") for row in rows]
            data[f"{label} high"] = [row.get(f"{key}_ci_high") for row in rows]
    return pd.DataFrame(data)


def harness_columns(rows: list[dict]) -> dict[str, str]:
    """The lm-evaluation-harness columns of the sweep (`lm_eval_{task}_{metric}`), where
    the run has any."""
    keys = [key for key in rows[0] if key.startswith("lm_eval_") and not key.endswith("_ci_low")]
    keys = [key for key in keys if not key.endswith("_ci_high")]
    return {key: key.removeprefix("lm_eval_").replace("_", " ") for key in keys}


def sweep_table(rows: list[dict]):
    table = with_intervals(rows, {**SWEEP_COLUMNS, **harness_columns(rows)})
    table.index = [point_label(row["point"]) for row in rows]
    table.index.name = "model"
    return table


def quantize_table(rows: list[dict]):
    import pandas as pd

    table = with_intervals(rows, QUANTIZE_COLUMNS)
    table.index = pd.MultiIndex.from_arrays(
        [[point_label(row["point"]) for row in rows], [row["scheme"] for row in rows]],
        names=["model", "scheme"],
    )
    return table


def drift_table(results: dict):
    """Per model point, at the middle and the last layer of those measured: cosine
    similarity and ‖Δh‖ of the forget questions' states to the fine-tuned and the gold
    model; and the forget answer's probability through the logit lens at the last layer
    and at the inner layer where it is highest. Means over the replicate seeds."""
    import pandas as pd

    drift = pd.DataFrame(results["drift"])
    lens = pd.DataFrame(results["logit_lens"])
    layers = sorted(drift["layer"].unique())
    forget = drift[drift["split"] == "forget"]
    columns = {}
    for layer in (layers[len(layers) // 2], layers[-1]):
        at = forget[forget["layer"] == layer]
        for reference, short in REFERENCES.items():
            own = at[at["reference"] == reference].groupby("point", sort=False)
            columns[f"cos to {short} (layer {layer})"] = own["cosine"].mean()
            columns[f"‖Δh‖ to {short} (layer {layer})"] = own["delta_norm"].mean()
    by_model = lens.pivot_table(
        index="point", columns="layer", values="forget_answer_prob", sort=False
    )
    inner = by_model[[layer for layer in layers if 0 < layer < layers[-1]]]
    columns[f"lens Prob (layer {layers[-1]})"] = by_model[layers[-1]]
    columns["lens Prob (best inner layer)"] = inner.max(axis=1)
    columns["best inner layer"] = inner.idxmax(axis=1)
    table = pd.DataFrame(columns)
    table.index = [point_label(point) for point in table.index]
    table.index.name = "model"
    return table


def relearn_table(rows: list[dict]):
    """Per model point and attack (`rows` folded across seeds): forget ROUGE-L before the
    attack and after each number of steps, with intervals, and the steps to half
    recovery (the first seed's)."""
    import pandas as pd

    frame = pd.DataFrame(rows).set_index(["point", "attack"])
    columns = {}
    for steps in sorted(frame["steps"].unique()):
        at = frame[frame["steps"] == steps]
        label = f"ROUGE-L after {steps}"
        columns[label] = at["forget_rouge_l"]
        columns[f"{label} low"] = at["forget_rouge_l_ci_low"]
        columns[f"{label} high"] = at["forget_rouge_l_ci_high"]
    columns["steps to half recovery"] = frame[frame["steps"] == 0]["half_recovery_steps"].astype(
        "Int64"
    )  # a whole number, or empty where the attack never gets halfway
    table = pd.DataFrame(columns)
    table.index = pd.MultiIndex.from_tuples(
        [(point_label(point), attack) for point, attack in table.index], names=["model", "attack"]
    )
    return table


def probe_table(rows: list[dict]):
    """Per model point (`rows` folded across seeds), probe accuracy with its interval at
    the middle and the last layer probed and at `probe_layer`."""
    import pandas as pd

    layers = sorted({row["layer"] for row in rows})
    best = probe_layer(rows)
    chosen = {
        f"middle layer ({layers[len(layers) // 2]})": layers[len(layers) // 2],
        f"last layer ({layers[-1]})": layers[-1],
        f"fine-tuned's best layer ({best})": best,
    }
    points = list(dict.fromkeys(row["point"] for row in rows))
    at = {(row["point"], row["layer"]): row for row in rows}
    table = pd.concat(
        [
            with_intervals([at[point, layer] for point in points], {"probe_accuracy": label})
            for label, layer in chosen.items()
        ],
        axis=1,
    )
    table.index = pd.Index([point_label(point) for point in points], name="model")
    return table


def robustness_table(summary: Robustness):
    """Per trained model point: the forget metric in float, under each quantization
    scheme and around each relearning attack, and the probe accuracy (robustness.py)."""
    import pandas as pd

    table = with_intervals(summary.rows, summary.columns)
    table.index = pd.Index([point_label(row["point"]) for row in summary.rows], name="model")
    return table


def shown(table):
    """Every value to three decimals, with its interval where the table has one, as text;
    empty cells as "--"."""
    import pandas as pd

    def number(value) -> str:
        if isinstance(value, str):
            return value
        if value is None or pd.isna(value):
            return "--"
        return str(value) if isinstance(value, int | np.integer) else f"{value:.3f}"

    columns = {}
    for label in table.columns:
        if label.endswith((" low", " high")) and label.rsplit(" ", 1)[0] in table.columns:
            continue
        cells = [number(value) for value in table[label]]
        if f"{label} low" in table.columns:
            ends = zip(table[f"{label} low"], table[f"{label} high"], strict=True)
            cells = [
                cell if cell == "--" else f"{cell} [{number(low)}, {number(high)}]"
                for cell, (low, high) in zip(cells, ends, strict=True)
            ]
        columns[label] = cells
    return pd.DataFrame(columns, index=table.index)


def write_table(table, stem: Path, caption: str) -> None:
    """`stem`.csv (numbers), .md and .tex (booktabs; `shown`)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(stem.with_suffix(".csv"))
    text = shown(table)
    markdown = text.reset_index().to_markdown(index=False, disable_numparse=True)
    stem.with_suffix(".md").write_text(markdown + "\n")
    stem.with_suffix(".tex").write_text(text.to_latex(caption=caption, escape=True))


def tables(
    sweep: Path,
    quantize: Path,
    representation: Path,
    confidence: float,
    output_dir: Path,
    relearning: Path | None = None,
    probes: Path | None = None,
) -> None:
    """`confidence`: the level of the intervals across replicate seeds; `relearning` and
    `probes`: the relearning and probe results, where the run has them (else their
    tables say so)."""

    output_dir = Path(output_dir)
    folded = folded_results(
        {"sweep": sweep, "quantize": quantize, "relearning": relearning, "probes": probes},
        confidence,
    )
    sweep_rows, quantize_rows = folded["sweep"], folded["quantize"]
    drift = json.loads(Path(representation).read_text())
    write_table(
        sweep_table(sweep_rows),
        output_dir / "sweep",
        "Forgetting and utility of every model of the sweep (the benchmark's metrics), with"
        " intervals over items (one seed) or across replicate seeds.",
    )
    write_table(
        quantize_table(quantize_rows),
        output_dir / "quantize",
        "Every model quantized: forget-set metrics, their change from the float model, and"
        " the share of the forget-set drop that quantization undoes.",
    )
    write_table(
        drift_table(drift),
        output_dir / "drift",
        "Representation drift of the forget questions' states, and the forget answer's"
        " probability through the logit lens.",
    )
    write_table(
        findings_table(sweep_rows, quantize_rows, drift["drift"], confidence),
        output_dir / "findings",
        "The seed-scale experiment's findings on this run, each with its interval and"
        " whether the interval supports the claim.",
    )
    write_table(
        relearn_table(folded["relearning"])
        if relearning
        else not_run("relearning", "no attacks in this run (relearning.attacks)"),
        output_dir / "relearn",
        "Relearning attacks: forget ROUGE-L of the forget items the attack never trains on,"
        " before it and after each number of steps, and the steps an unlearned model needs"
        " to win back half of its drop (the gold model: the floor; the fine-tuned: the ceiling).",
    )
    write_table(
        probe_table(folded["probes"])
        if probes
        else not_run("probes", "no probes in this run (probes.layers)"),
        output_dir / "probes",
        "Linear probes: the share of wrong answers a probe trained on the fine-tuned model's"
        " states scores below the forget answer (0.5: chance), held out over folds of the"
        " forget items (the gold model: the floor; the fine-tuned: the ceiling).",
    )
    summary = robustness(folded)
    write_table(
        robustness_table(summary),
        output_dir / "robustness",
        f"Robustness of each model's forgetting: {summary.metric.replace('_', ' ')} in float"
        " and under each quantization scheme; forget ROUGE-L of the forget items the"
        " relearning attacks leave out, before and after the most steps; linear-probe"
        " accuracy at the fine-tuned model's best layer (0.5: chance).",
    )


def not_run(name: str, reason: str):
    """The table of an analysis the run does not have: its reason, in words."""
    import pandas as pd

    return pd.DataFrame({name: [reason]}, index=pd.Index(["--"], name="model"))
