"""The retrieval track's figures: forget against retain Recall@k of every model at the
full width (the trade-off, intervals over queries), Recall@k per Matryoshka dimension,
and forget Recall@k in float and under each quantization scheme."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ..plots import _error_bars  # noqa: E402
from .plan import BASE, FINETUNED, GOLD, LABELS, UNLEARN  # noqa: E402

REFERENCES = {BASE: ("grey", "P"), FINETUNED: ("black", "s"), GOLD: ("goldenrod", "*")}


def tradeoff(frame: pd.DataFrame, k: int):
    full = frame[(frame["scheme"] == "float") & (frame["dimension"] == frame["dimension"].max())]
    figure, ax = plt.subplots(figsize=(7, 5))
    _error_bars(ax, full, "forget_recall", "retain_recall")
    for model, (color, marker) in REFERENCES.items():
        row = full[full["model"] == model]
        ax.scatter(row["forget_recall"], row["retain_recall"], color=color, marker=marker, s=200,
                   label=LABELS[model], zorder=2)  # fmt: skip
    runs = full[full["model"].str.startswith(UNLEARN)].assign(
        method=lambda f: f["model"].str.split("/").str[1]
    )
    sns.scatterplot(runs, x="forget_recall", y="retain_recall", hue="method", style="method",
                    s=60, ax=ax, zorder=3)  # fmt: skip
    ax.set(
        xlabel=f"forget-query Recall@{k} (lower: more forgotten)",
        ylabel=f"retain-query Recall@{k}",
        title="Unlearning documents: forgetting against retrieval",
    )
    ax.legend(fontsize="small")
    return figure


def dimensions(frame: pd.DataFrame, k: int):
    floats = frame[frame["scheme"] == "float"]
    long = pd.concat(
        [
            floats.assign(queries=group, recall=floats[f"{group}_recall"])
            for group in ("retain", "forget")
        ]
    )
    grid = sns.relplot(long, x="dimension", y="recall", hue="label", col="queries", kind="line",
                       marker="o", height=4, facet_kws={"sharey": True})  # fmt: skip
    grid.set_axis_labels("Matryoshka dimension", f"Recall@{k}")
    grid.figure.suptitle("Recall per embedding dimension (every model)", y=1.03)
    return grid.figure


def quantization(frame: pd.DataFrame, k: int):
    full = frame[frame["dimension"] == frame["dimension"].max()]
    figure, ax = plt.subplots(figsize=(8, 0.5 * full["label"].nunique() + 2))
    sns.barplot(full, y="label", x="forget_recall", hue="scheme", ax=ax)
    ax.set(xlabel=f"forget-query Recall@{k}", ylabel="",
           title="Do quantized embedders retrieve forgotten documents again?")  # fmt: skip
    return figure


def retrieval_figures(results: Path, output: dict[str, Path]) -> None:
    loaded = json.loads(Path(results).read_text())
    frame, k = pd.DataFrame(loaded["rows"]), loaded["k"]
    drawn = {"tradeoff": tradeoff(frame, k), "dimensions": dimensions(frame, k),
             "quantization": quantization(frame, k)}  # fmt: skip
    for name, figure in drawn.items():
        Path(output[name]).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(output[name], dpi=120, bbox_inches="tight")
        plt.close(figure)
