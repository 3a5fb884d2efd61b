"""The classification track's figures (the study's set, pymlex/qwen3-embedding-0.6b-
unlearning, results/figures): token lengths of the texts, validation MCC while the
original and gold models train, retain MCC and forget-class recall while each method
unlearns, every model's confusion matrix on the test split, and retain MCC against
forget-class recall with the retain gate. Training curves are single runs, drawn
without intervals; the trade-off's points carry their intervals over test items."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ..plots import _error_bars  # noqa: E402
from .data import read_split  # noqa: E402
from .plan import GOLD, ORIGINAL, UNLEARN, label  # noqa: E402

REFERENCES = {ORIGINAL: ("black", "s"), GOLD: ("goldenrod", "*")}


def token_lengths(splits: dict[str, Path], embedder: Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(embedder)
    rows = [
        {"split": split, "label": row["label"], "tokens": len(tokenizer(row["text"])["input_ids"])}
        for split, path in splits.items()
        for row in read_split(path)
    ]
    figure, ax = plt.subplots(figsize=(7, 4))
    sns.histplot(
        pd.DataFrame(rows), x="tokens", hue="label", multiple="stack", discrete=True, ax=ax
    )
    ax.set(title="Token lengths of the texts (every split)", xlabel="tokens per text")
    return figure


def validation_mcc(curves: dict[str, list]):
    figure, ax = plt.subplots(figsize=(6, 4))
    for model in (ORIGINAL, GOLD):
        frame = pd.DataFrame(curves[model])
        color, marker = REFERENCES[model]
        ax.plot(frame["epoch"], frame["validation_mcc"], marker=marker, color=color, label=model)
    ax.set(xlabel="epoch", ylabel="validation MCC", title="Validation MCC while training")
    ax.legend()
    return figure


def retain_mcc(curves: dict[str, list]):
    runs = {model: curve for model, curve in curves.items() if model.startswith(UNLEARN)}
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for model, curve in runs.items():
        frame = pd.DataFrame(curve)
        axes[0].plot(frame["epoch"], frame["retain_mcc"], marker="o", label=label(model))
        axes[1].plot(frame["epoch"], frame["forget_recall"], marker="o", label=label(model))
    axes[0].set(
        xlabel="epoch", ylabel="retain MCC (validation)", title="Retain MCC while unlearning"
    )
    axes[1].set(xlabel="epoch", ylabel="forget-class recall (validation)", title="Forgetting")
    axes[1].legend(fontsize="small", loc="upper right")
    return figure


def confusion_matrices(evaluations: dict[str, dict], classes: list[str]):
    from sklearn.metrics import confusion_matrix

    columns = min(3, len(evaluations))
    rows = math.ceil(len(evaluations) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.5 * columns, 4 * rows), squeeze=False)
    for ax, (model, evaluation) in zip(axes.flat, evaluations.items(), strict=False):
        own = evaluation["classes"]
        truth = [item["label"] for item in evaluation["items"]]
        predicted = [own[int(np.argmax(item["probs"]))] for item in evaluation["items"]]
        matrix = confusion_matrix(truth, predicted, labels=classes)
        sns.heatmap(matrix, annot=True, fmt="d", cbar=False, cmap="Blues", ax=ax,
                    xticklabels=classes, yticklabels=classes)  # fmt: skip
        ax.set(title=label(model), xlabel="predicted", ylabel="true")
    for ax in axes.flat[len(evaluations) :]:
        ax.axis("off")
    figure.tight_layout()
    return figure


def tradeoff(results: dict):
    frame = pd.DataFrame(results["rows"])
    figure, ax = plt.subplots(figsize=(7, 5))
    _error_bars(ax, frame, "forget_recall", "retain_mcc")
    runs = frame[frame["model"].str.startswith(UNLEARN)]
    for model, (color, marker) in REFERENCES.items():
        row = frame[frame["model"] == model]
        ax.scatter(row["forget_recall"], row["retain_mcc"], color=color, marker=marker, s=220,
                   label=model, zorder=2)  # fmt: skip
    sns.scatterplot(runs, x="forget_recall", y="retain_mcc", hue="method", style="method", s=60,
                    alpha=0.8, ax=ax, zorder=3)  # fmt: skip
    ax.axhline(results["gate"]["retain_mcc_threshold"], color="grey", linestyle="--",
               label="retain gate")  # fmt: skip
    ax.set(
        xlabel=f"recall of {results['forget_class']!r} (lower: more forgotten)",
        ylabel="retain MCC (test)",
        title="Class unlearning: forgetting against retain MCC",
    )
    ax.legend(fontsize="small")
    return figure


def classification_figures(
    splits: dict[str, Path],
    embedder: Path,
    curves: dict[str, Path],
    evaluations: dict[str, Path],
    results: Path,
    output: dict[str, Path],
) -> None:
    """Every figure of the track as PNG at `output[name]`."""
    loaded = json.loads(Path(results).read_text())
    curve_rows = {model: json.loads(Path(path).read_text()) for model, path in curves.items()}
    evaluation_rows = {m: json.loads(Path(path).read_text()) for m, path in evaluations.items()}
    drawn = {
        "token_lengths": token_lengths(splits, embedder),
        "validation_mcc": validation_mcc(curve_rows),
        "retain_mcc": retain_mcc(curve_rows),
        "confusion_matrices": confusion_matrices(evaluation_rows, loaded["classes"]),
        "tradeoff": tradeoff(loaded),
    }
    for name, figure in drawn.items():
        Path(output[name]).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(output[name], dpi=120, bbox_inches="tight")
        plt.close(figure)
