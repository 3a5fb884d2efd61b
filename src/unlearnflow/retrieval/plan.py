"""The retrieval track's plan: its model ids, sweep points and paths. Imported while the
DAG is built: no heavy imports.

Model ids: `base` (the embedding model as configured), `finetuned` (contrastive
fine-tuning on every training pair), `gold` (without the forget documents' pairs) and
`unlearn/{method}/{hparams}` (from the fine-tuned model).
"""

from __future__ import annotations

from ..classification.plan import method_and_hparams, points
from ..plan import EMBEDDER

BASE = "base"
FINETUNED = "finetuned"
GOLD = "gold"
UNLEARN = "unlearn"
DATA = {
    "corpus": "data/retrieval/corpus.jsonl",
    "queries": "data/retrieval/queries.jsonl",
    "train": "data/retrieval/qrels/train.tsv",
    "test": "data/retrieval/qrels/test.tsv",
    "forget": "data/retrieval/forget.json",
}
RESULTS = "results/retrieval_results.json"
RESULTS_CSV = "results/retrieval_results.csv"
TABLES = ("retrieval", "retrieval_quantize")
FIGURES = ("tradeoff", "dimensions", "quantization")
MODEL_ID_PATTERN = rf"{BASE}|{FINETUNED}|{GOLD}|{UNLEARN}/[^/]+/[^/]+"
LABELS = {BASE: "base", FINETUNED: "fine-tuned", GOLD: "gold"}


def model_ids(grids: dict[str, dict[str, list]]) -> list[str]:
    return [BASE, FINETUNED, GOLD, *points(grids)]


def label(model_id: str) -> str:
    if model_id in LABELS:
        return LABELS[model_id]
    method, hparams = method_and_hparams(model_id)
    return " ".join([method, *(f"{key}={value}" for key, value in hparams.items())])


def model_dir(model_id: str) -> str:
    return EMBEDDER if model_id == BASE else f"results/retrieval/models/{model_id}"


def evaluation_path(model_id: str, scheme: str | None = None) -> str:
    return f"results/retrieval/eval/{scheme or 'float'}/{model_id}.json"


def figure_path(name: str) -> str:
    return f"results/figures/retrieval_{name}.png"
