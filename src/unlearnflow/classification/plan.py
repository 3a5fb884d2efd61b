"""The classification track's plan: its model ids, sweep points and paths. Imported
while the DAG is built: no heavy imports.

Model ids: `original` (trained on every class), `gold` (the retain classes only) and
`unlearn/{method}/{hparams}` (from the original; `{hparams}` as plan.hparams_id spells it).
"""

from __future__ import annotations

import itertools

from ..plan import hparams_id, parse_hparams_id

ORIGINAL = "original"
GOLD = "gold"
UNLEARN = "unlearn"
DATA = {split: f"data/classification/{split}.jsonl" for split in ("train", "validation", "test")}
CLASSES = "data/classification/classes.json"
RESULTS = "results/classification_results.json"
RESULTS_CSV = "results/classification_results.csv"
TABLE = "classification"
FIGURES = ("token_lengths", "validation_mcc", "confusion_matrices", "retain_mcc", "tradeoff")
MODEL_ID_PATTERN = rf"{ORIGINAL}|{GOLD}|{UNLEARN}/[^/]+/[^/]+"


def points(grids: dict[str, dict[str, list]]) -> list[str]:
    """`unlearn/{method}/{hparams}` for every point of every method's grid."""
    return [
        f"{UNLEARN}/{method}/{hparams_id(dict(zip(grid, values, strict=True)))}"
        for method, grid in grids.items()
        for values in itertools.product(*grid.values())
    ]


def model_ids(grids: dict[str, dict[str, list]]) -> list[str]:
    return [ORIGINAL, GOLD, *points(grids)]


def method_and_hparams(model_id: str) -> tuple[str, dict]:
    _, method, hparams = model_id.split("/")
    return method, parse_hparams_id(hparams)


def label(model_id: str) -> str:
    """`dpo_like lr=5e-05 epochs=3 beta=0.1`; `original` or `gold` otherwise."""
    if not model_id.startswith(UNLEARN):
        return model_id
    method, hparams = method_and_hparams(model_id)
    return " ".join([method, *(f"{key}={value}" for key, value in hparams.items())])


def model_dir(model_id: str) -> str:
    return f"results/classification/models/{model_id}"


def curve_path(model_id: str) -> str:
    return f"results/classification/curves/{model_id}.json"


def evaluation_path(model_id: str) -> str:
    return f"results/classification/eval/{model_id}.json"


def figure_path(name: str) -> str:
    return f"results/figures/classification_{name}.png"
