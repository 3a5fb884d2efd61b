"""The figures: one message each, from the sweep, quantization, representation,
relearning and probe tables.

Every function takes the loaded table(s) and returns a matplotlib figure; `figures`
writes them all as PNG. The base model, the fine-tuned model (the starting point) and
the gold model (never saw the forget set: the target) are drawn the same way in every
figure. Error bars are each value's own interval over items (`{metric}_ci_low`,
`_ci_high`), never seaborn's estimate over rows that share an x value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from .plan import BASE, FINETUNED, GOLD, LABELS, point_label  # noqa: E402
from .replicates import folded_results  # noqa: E402
from .robustness import Robustness, robustness  # noqa: E402

# how the models every figure marks are drawn: (label, color, marker)
REFERENCES = {
    BASE: (LABELS[BASE], "grey", "P"),
    FINETUNED: (LABELS[FINETUNED], "black", "s"),
    GOLD: (LABELS[GOLD], "goldenrod", "*"),
}
INTENSITY = ("lr", "epochs")
MIA_ATTACKS = {
    "mia_auc_loss": "loss",
    "mia_auc_zlib": "zlib",
    "mia_auc_min_k": "Min-K%",
    "mia_auc_min_k_plus_plus": "Min-K%++",
}


def _sweep_points(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["unlearned"]]


def _measured(frame: pd.DataFrame, metrics: dict[str, str]) -> dict[str, str]:
    """The `metrics` the run has: a benchmark without probes has no leakage, one
    without correlated facts no correlated retain subset."""
    return {
        key: label for key, label in metrics.items() if key in frame and frame[key].notna().any()
    }


def _unmeasured(message: str):
    """The figure of a measure the benchmark does not have: its reason, in words."""
    fig, ax = plt.subplots(figsize=(6.5, 1.5))
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.set_axis_off()
    return fig


def _hparam_axis(ax, values, hparam: str) -> None:
    """The sweep's own values as ticks (log scale for learning rates)."""
    if hparam == "lr":
        ax.set_xscale("log")
    ax.set_xticks(sorted(set(values)))
    ax.set_xticklabels([f"{v:g}" for v in sorted(set(values))])
    ax.minorticks_off()
    ax.set_xlabel("learning rate" if hparam == "lr" else hparam)


def _melted(frame: pd.DataFrame, keep: list[str], columns: dict, name: str, value: str):
    """`columns` of `frame` stacked into one `value` column, `name` saying which (renamed),
    with their intervals' ends stacked into `low` and `high` (NaN where there is none)."""
    parts = []
    for column, label in columns.items():
        part = frame[keep].assign(**{name: label, value: frame[column]})
        for end in ("low", "high"):
            part[end] = frame.get(f"{column}_ci_{end}", float("nan"))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _errors(frame: pd.DataFrame, column: str, low: str, high: str):
    """matplotlib's two-row error array: `column`'s distance to the `low` and `high` ends."""
    value = frame[column]
    return [(value - frame[low]).clip(lower=0), (frame[high] - value).clip(lower=0)]


def _error_bars(ax, frame: pd.DataFrame, x: str, y: str) -> None:
    """Each point's interval on `y`, and on `x` where it has one."""

    def spread(column):
        low, high = f"{column}_ci_low", f"{column}_ci_high"
        return _errors(frame, column, low, high) if low in frame else None

    ax.errorbar(frame[x], frame[y], xerr=spread(x), yerr=spread(y), fmt="none",
                ecolor="grey", elinewidth=1, capsize=2, zorder=1)  # fmt: skip


def _bar_error_bars(ax, long: pd.DataFrame, category: str, hue: str, value: str) -> None:
    """Intervals (`low`, `high`) on a horizontal seaborn bar chart, bar by bar."""
    categories = list(dict.fromkeys(long[category]))
    for container, level in zip(ax.containers, dict.fromkeys(long[hue]), strict=False):
        for bar, name in zip(container, categories, strict=False):
            row = long[(long[category] == name) & (long[hue] == level)]
            if row.empty or row[[value, "low", "high"]].isna().any(axis=None):
                continue
            center = bar.get_y() + bar.get_height() / 2
            ax.errorbar(row[value], [center], xerr=_errors(row, value, "low", "high"),
                        fmt="none", ecolor="black", capsize=2)  # fmt: skip


def _mark_references(ax, sweep: pd.DataFrame, x: str, y: str) -> None:
    for point, (label, color, marker) in REFERENCES.items():
        row = sweep[sweep["point"] == point]
        _error_bars(ax, row, x, y)
        ax.scatter(row[x], row[y], color=color, marker=marker, s=160, label=label, zorder=3)


QUALITY = "forget quality (KS p-value vs gold)"
MUSE_UTILITY = "retain knowmem ROUGE-L F1"
# (x, y, x label, y label): TOFU's panels on a QA benchmark, MUSE's on MUSE
TRADEOFF_PANELS = [
    ("forget_rouge_l", "retain_rouge_l", "forget ROUGE-L (lower: more forgotten)",
     "retain ROUGE-L"),
    ("forget_quality", "model_utility", QUALITY, "model utility (TOFU)"),
    ("forget_quality", "real_world_rouge_l", QUALITY, "real-world ROUGE-L"),
    ("forget_verbmem_rouge_l_f1", "retain_knowmem_rouge_l_f1", "verbmem ROUGE-L F1", MUSE_UTILITY),
    ("forget_knowmem_rouge_l_f1", "retain_knowmem_rouge_l_f1", "forget knowmem ROUGE-L F1",
     MUSE_UTILITY),
    ("privleak", "retain_knowmem_rouge_l_f1", "privleak (%, 0: as the gold model)", MUSE_UTILITY),
    ("wmdp_accuracy", "mmlu_accuracy", "WMDP accuracy (chance: 0.25)", "MMLU accuracy"),
]  # fmt: skip


def tradeoff(sweep: pd.DataFrame):
    """Forgetting against utility, every sweep point, fine-tuned and gold marked."""
    points = _sweep_points(sweep)
    panels = [
        panel for panel in TRADEOFF_PANELS if len(_measured(sweep, dict.fromkeys(panel[:2]))) == 2
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.3 * len(panels), 4.5), squeeze=False)
    for n, (ax, (x, y, xlabel, ylabel)) in enumerate(zip(axes.flat, panels, strict=True)):
        _error_bars(ax, points, x, y)
        sns.scatterplot(data=points, x=x, y=y, hue="method", size="lr", sizes=(40, 200), ax=ax)
        _mark_references(ax, sweep, x, y)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        if x == "forget_quality":
            ax.set_xscale("symlog", linthresh=1e-3)
        if n:
            ax.get_legend().remove()
    axes.flat[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Forgetting against utility: the ideal sits at the gold model")
    return fig


def intensity(sweep: pd.DataFrame):
    """Each metric against each intensity hyperparameter that the sweep varies."""
    points = _sweep_points(sweep)
    varied = [h for h in INTENSITY if points[h].nunique() > 1] or ["lr"]
    metrics = _measured(
        sweep,
        {
            "forget_rouge_l": "forget ROUGE-L",
            "forget_prob": "forget Prob",
            "forget_quality": "forget quality",
            "leakage_rate": "probe leakage rate",
            "retain_rouge_l": "retain ROUGE-L",
            "model_utility": "model utility (TOFU)",
            "real_world_rouge_l": "real-world ROUGE-L",
            "mia_auc_min_k": "MIA AUC (Min-K%)",
            "forget_verbmem_rouge_l_f1": "verbmem ROUGE-L F1",
            "forget_knowmem_rouge_l_f1": "forget knowmem ROUGE-L F1",
            "retain_knowmem_rouge_l_f1": MUSE_UTILITY,
            "privleak": "privleak (%)",
            "wmdp_accuracy": "WMDP accuracy",
            "mmlu_accuracy": "MMLU accuracy",
        },
    )
    panels = [(h, m) for h in varied for m in metrics]
    rows = math.ceil(len(panels) / 4)
    fig, axes = plt.subplots(rows, 4, figsize=(15, 3.25 * rows), squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_axis_off()
    for n, (ax, (hparam, metric)) in enumerate(zip(axes.flat, panels, strict=False)):
        _error_bars(ax, points, hparam, metric)
        sns.lineplot(data=points, x=hparam, y=metric, hue="method", marker="o", errorbar=None,
                     ax=ax)  # fmt: skip
        for point, (name, color, _) in REFERENCES.items():
            reference = sweep[sweep["point"] == point].iloc[0]
            ax.axhline(reference[metric], color=color, linestyle="--", linewidth=1.5, label=name)
            ends = reference.get([f"{metric}_ci_low", f"{metric}_ci_high"])
            if ends is not None and ends.notna().all():
                ax.axhspan(*ends, color=color, alpha=0.1)
        _hparam_axis(ax, points[hparam], hparam)
        ax.set_ylabel(metrics[metric])
        if n:
            ax.get_legend().remove()
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Metrics against unlearning intensity (dashed: references; bands: intervals)")
    fig.tight_layout()
    return fig


def correlated_retain(sweep: pd.DataFrame):
    """Collateral damage: retain facts correlated with the forget fact against the others."""
    points = _sweep_points(sweep)
    subsets = {"retain_correlated_rouge_l": "correlated", "retain_other_rouge_l": "other"}
    if len(_measured(points, subsets)) < len(subsets):
        return _unmeasured("The benchmark has no retain facts correlated with the forget set.")
    long = _melted(points, ["method", "lr"], subsets, "retain subset", "ROUGE-L")
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.errorbar(long["lr"], long["ROUGE-L"], yerr=_errors(long, "ROUGE-L", "low", "high"),
                fmt="none", ecolor="grey", elinewidth=1, capsize=2, zorder=1)  # fmt: skip
    sns.lineplot(data=long, x="lr", y="ROUGE-L", hue="method", style="retain subset",
                 marker="o", errorbar=None, ax=ax)  # fmt: skip
    _hparam_axis(ax, long["lr"], "lr")
    ax.set_ylabel("retain ROUGE-L")
    ax.set_title("Correlated retain facts suffer first")
    return fig


def recovery(quantize: pd.DataFrame):
    """Knowledge recovery by model and scheme: the share of the forget-set drop undone."""
    points = _sweep_points(quantize).copy()
    points["model"] = [point_label(point) for point in points["point"]]
    measures = _measured(
        points,
        {
            "recovery_forget_rouge_l": "forget ROUGE-L",
            "recovery_forget_prob": "forget Prob",
            "recovery_forget_verbmem_rouge_l_f1": "verbmem ROUGE-L F1",
            "recovery_forget_knowmem_rouge_l_f1": "forget knowmem ROUGE-L F1",
            "recovery_wmdp_accuracy": "WMDP accuracy",
        },
    )
    if not measures:
        return _unmeasured(
            "No unlearned model dropped enough on the forget set to measure recovery."
        )
    long = _melted(points, ["model", "scheme"], measures, "on", "recovery")
    grid = sns.catplot(data=long, kind="bar", y="model", x="recovery", hue="scheme", col="on",
                       errorbar=None, height=5, aspect=1.2)  # fmt: skip
    for ax, measure in zip(grid.axes.flat, measures.values(), strict=True):
        _bar_error_bars(ax, long[long["on"] == measure], "model", "scheme", "recovery")
        ax.axvline(0, color="black", linewidth=1)
        ax.axvline(1, color="grey", linestyle="--", linewidth=1)
    grid.set_titles("{col_name}")
    grid.set_axis_labels("share of the drop undone", "")
    grid.figure.suptitle(
        "Does quantization bring forgotten knowledge back? (0: no, 1: back to fine-tuned)", y=1.04
    )
    return grid.figure


def layer_drift(drift: pd.DataFrame):
    """‖Δh‖ of the forget and retain questions' states from the fine-tuned model, by layer."""
    rows = _sweep_points(drift[drift["reference"] == FINETUNED])
    mean = rows.groupby(["point", "method", "lr", "split", "layer"], as_index=False)[
        "delta_norm"
    ].mean()  # over replicate seeds
    grid = sns.relplot(
        data=mean, kind="line", x="layer", y="delta_norm", hue="method", size="lr",
        units="point", estimator=None, col="split", height=4, aspect=1.2,
        facet_kws={"sharey": False},
    )  # fmt: skip
    grid.set_titles("{col_name} questions")
    grid.set_axis_labels("layer (the last after the final norm)", "‖Δh‖ from the fine-tuned model")
    grid.figure.suptitle("Where unlearning moves the hidden states", y=1.03)
    return grid.figure


def logit_lens(lens: pd.DataFrame):
    """The forget answer's probability read off each layer, every model."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    points = _sweep_points(lens)
    sns.lineplot(data=points, x="layer", y="forget_answer_prob", hue="method", units="model",
                 estimator=None, alpha=0.7, ax=ax)  # fmt: skip
    for point, (label, color, _) in REFERENCES.items():
        own = lens[lens["point"] == point].groupby("layer", as_index=False).mean(numeric_only=True)
        if own.empty:
            continue
        ax.plot(own["layer"], own["forget_answer_prob"], color=color, linewidth=2.5, label=label)
    ax.set(xlabel="layer", ylabel="forget answer Prob through the logit lens", yscale="log")
    ax.set_ylim(bottom=max(1e-12, lens["forget_answer_prob"].min()), top=1.5)
    ax.legend(fontsize=8)
    ax.set_title("Is the forgotten answer still readable inside the model?")
    return fig


def membership(sweep: pd.DataFrame):
    """MIA AUCs of every model, forget set against holdout of the same kind."""
    attacks = _measured(sweep, MIA_ATTACKS)
    if not attacks:
        return _unmeasured("The benchmark has no non-members to attack membership with.")
    labelled = sweep.assign(model=[point_label(point) for point in sweep["point"]])
    long = _melted(labelled, ["model"], attacks, "attack", "AUC")
    fig, ax = plt.subplots(figsize=(7, 6))
    sns.barplot(data=long, y="model", x="AUC", hue="attack", errorbar=None, ax=ax)
    _bar_error_bars(ax, long, "model", "attack", "AUC")
    ax.axvline(0.5, color="black", linestyle="--", linewidth=1)
    ax.set(xlim=(0, 1), xlabel="MIA AUC (0.5: members look like non-members)", ylabel="")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1, 1))
    ax.set_title("Membership inference on the forget set")
    return fig


def relearning(attacks: pd.DataFrame | None):
    """Forget ROUGE-L of the left-out forget items against relearning steps, per attack:
    every unlearned model, the gold model (floor) and the fine-tuned model (ceiling)."""
    if attacks is None:
        return _unmeasured("The run has no relearning attacks (relearning.attacks).")
    names = list(dict.fromkeys(attacks["attack"]))
    fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 4.5), squeeze=False)
    for ax, attack in zip(axes.flat, names, strict=True):
        own = attacks[attacks["attack"] == attack]
        points = _sweep_points(own)
        _error_bars(ax, points, "steps", "forget_rouge_l")
        sns.lineplot(data=points, x="steps", y="forget_rouge_l", hue="method", units="point",
                     estimator=None, marker="o", ax=ax)  # fmt: skip
        for point, (label, color, marker) in REFERENCES.items():
            line = own[own["point"] == point]
            if line.empty:
                continue
            _error_bars(ax, line, "steps", "forget_rouge_l")
            ax.plot(line["steps"], line["forget_rouge_l"], color=color, marker=marker,
                    linewidth=2.5, label=label)  # fmt: skip
        ax.set_xscale("symlog", linthresh=1)
        ax.set(xlabel="attack steps", ylabel="forget ROUGE-L (left-out items)", title=attack)
        ax.legend(fontsize=8)
    fig.suptitle("Does a little fine-tuning bring the forgotten answers back?")
    fig.tight_layout()
    return fig


def probes(accuracy: pd.DataFrame | None):
    """Linear-probe accuracy by layer: every unlearned model, the gold model (floor) and
    the fine-tuned model (the probes' own, held out: the ceiling)."""
    if accuracy is None:
        return _unmeasured("The run has no probes (probes.layers).")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    points = _sweep_points(accuracy)
    sns.lineplot(data=points, x="layer", y="probe_accuracy", hue="method", units="point",
                 estimator=None, alpha=0.7, ax=ax)  # fmt: skip
    for point, (label, color, _) in REFERENCES.items():
        line = accuracy[accuracy["point"] == point]
        if line.empty:
            continue
        ax.fill_between(line["layer"], line["probe_accuracy_ci_low"],
                        line["probe_accuracy_ci_high"], color=color, alpha=0.15)  # fmt: skip
        ax.plot(line["layer"], line["probe_accuracy"], color=color, linewidth=2.5, label=label)
    ax.axhline(0.5, color="black", linestyle="--", linewidth=1)
    ax.set(xlabel="layer", ylabel="probe accuracy (forget vs wrong answer; 0.5: chance)")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    ax.set_title("Do the hidden states still tell the forgotten answer apart?")
    return fig


NO_EPOCHS = "The run saves no model per epoch (training.unlearn.save_every_epoch)."
# what forgetting_by_epoch draws of each benchmark: a QA benchmark's, MUSE's, WMDP's
EPOCH_METRICS = {
    "forget_rouge_l": "forget ROUGE-L",
    "retain_rouge_l": "retain ROUGE-L",
    "forget_verbmem_rouge_l_f1": "verbmem ROUGE-L F1",
    "forget_knowmem_rouge_l_f1": "forget knowmem ROUGE-L F1",
    "retain_knowmem_rouge_l_f1": "retain knowmem ROUGE-L F1",
    "wmdp_accuracy": "WMDP accuracy",
    "mmlu_accuracy": "MMLU accuracy",
}


def forgetting_by_epoch(epochs: dict | None):
    """The benchmark's forget and retain metrics (`EPOCH_METRICS`) after each epoch of
    every unlearning run."""
    if epochs is None:
        return _unmeasured(NO_EPOCHS)
    rows = pd.DataFrame(epochs["metrics"])
    metrics = _measured(rows, EPOCH_METRICS)
    if not metrics:
        return _unmeasured("The benchmark has none of the metrics drawn by epoch.")
    mean = rows.groupby(["run", "method", "epoch"], as_index=False).mean(numeric_only=True)
    fig, axes = plt.subplots(1, len(metrics), figsize=(6.5 * len(metrics), 4.5), squeeze=False)
    for ax, (metric, label) in zip(axes.flat, metrics.items(), strict=True):
        sns.lineplot(data=mean, x="epoch", y=metric, hue="method", units="run",
                     estimator=None, marker="o", ax=ax)  # fmt: skip
        ax.set(xlabel="epoch", ylabel=label)
    fig.suptitle("Forgetting and utility epoch by epoch")
    fig.tight_layout()
    return fig


def layerdrift_by_epoch(epochs: dict | None):
    """‖Δh‖ of the forget questions' states from the fine-tuned model by layer, one line
    per epoch, one panel per unlearning run (seed 003's `layerdrift_by_epoch`)."""
    if epochs is None:
        return _unmeasured(NO_EPOCHS)
    drift = pd.DataFrame(epochs["drift"])
    forget = drift[drift["split"] == "forget"]
    mean = forget.groupby(["run", "epoch", "layer"], as_index=False)["delta_norm"].mean()
    mean["run"] = [point_label(run) for run in mean["run"]]
    grid = sns.relplot(data=mean, kind="line", x="layer", y="delta_norm", hue="epoch",
                       col="run", col_wrap=min(3, mean["run"].nunique()), height=3.5,
                       palette="viridis", facet_kws={"sharey": False})  # fmt: skip
    grid.set_titles("{col_name}", size=9)
    grid.set_axis_labels("layer", "‖Δh‖ from the fine-tuned model")
    grid.figure.suptitle("Where each epoch of unlearning moves the hidden states", y=1.03)
    return grid.figure


def robustness_summary(summary: Robustness):
    """Per trained model point: the forget metric in float, quantized and around each
    relearning attack (left), and the probe accuracy (right), with intervals."""
    frame = pd.DataFrame(summary.rows)
    frame["model"] = [point_label(point) for point in frame["point"]]
    probe = summary.columns.get("probe")
    forget = {key: label for key, label in summary.columns.items() if key != "probe"}
    fig, axes = plt.subplots(1, 2 if probe else 1, figsize=(13 if probe else 8, 6),
                             squeeze=False, sharey=True)  # fmt: skip
    long = _melted(frame, ["model"], forget, "condition", "value")
    sns.barplot(data=long, y="model", x="value", hue="condition", errorbar=None, ax=axes[0, 0])
    _bar_error_bars(axes[0, 0], long, "model", "condition", "value")
    axes[0, 0].set(xlabel=summary.metric.replace("_", " "), ylabel="")
    if probe:
        ax = axes[0, 1]
        ax.barh(frame["model"], frame["probe"], color="slategrey")
        ax.errorbar(frame["probe"], frame["model"],
                    xerr=_errors(frame, "probe", "probe_ci_low", "probe_ci_high"), fmt="none",
                    ecolor="black", capsize=2)  # fmt: skip
        ax.axvline(0.5, color="black", linestyle="--", linewidth=1)
        ax.set(xlim=(0, 1), xlabel=f"{probe} (0.5: chance)")
    fig.suptitle("How much of the forget set comes back, and by which attack?")
    fig.tight_layout()
    return fig


FIGURES = {
    "tradeoff": lambda t: tradeoff(t["sweep"]),
    "intensity": lambda t: intensity(t["sweep"]),
    "correlated_retain": lambda t: correlated_retain(t["sweep"]),
    "recovery": lambda t: recovery(t["quantize"]),
    "layer_drift": lambda t: layer_drift(t["drift"]),
    "logit_lens": lambda t: logit_lens(t["lens"]),
    "membership": lambda t: membership(t["sweep"]),
    "relearning": lambda t: relearning(t["relearning"]),
    "probes": lambda t: probes(t["probes"]),
    "robustness": lambda t: robustness_summary(t["robustness"]),
    "forgetting_by_epoch": lambda t: forgetting_by_epoch(t["epochs"]),
    "layerdrift_by_epoch": lambda t: layerdrift_by_epoch(t["epochs"]),
}


def figures(
    sweep: Path,
    quantize: Path,
    representation: Path,
    confidence: float,
    output_dir: Path,
    relearning: Path | None = None,
    probes: Path | None = None,
    epochs: Path | None = None,
) -> None:
    """`confidence`: the level of the intervals across replicate seeds; `relearning`,
    `probes` and `epochs`: the relearning, probe and epoch results, where the run has
    them."""
    sns.set_theme(style="whitegrid", context="notebook")
    representation_rows = json.loads(Path(representation).read_text())
    folded = folded_results(
        {"sweep": sweep, "quantize": quantize, "relearning": relearning, "probes": probes},
        confidence,
    )
    loaded = {
        **{name: None if rows is None else pd.DataFrame(rows) for name, rows in folded.items()},
        "drift": pd.DataFrame(representation_rows["drift"]),
        "lens": pd.DataFrame(representation_rows["logit_lens"]),
        "robustness": robustness(folded),
        "epochs": json.loads(Path(epochs).read_text()) if epochs else None,
    }
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    for name, draw in FIGURES.items():
        figure = draw(loaded)
        figure.savefig(Path(output_dir) / f"{name}.png", dpi=120, bbox_inches="tight")
        plt.close(figure)
