"""A retrieval model's evaluation: every test query's Recall@k and nDCG@k at each
Matryoshka dimension, over the whole corpus, optionally with the embedder quantized
(quantize.py: does an 8- or 4-bit embedder retrieve forgotten documents again?)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..atomic import write_text_atomic
from ..embeddings import Embedder, matryoshka, query_text
from ..models import compute_device
from ..quantize import quantize
from .data import RetrievalData
from .metrics import ndcg_at_k, recall_at_k
from .training import embed


def evaluate_embedder(
    model_dir: Path,
    files: dict[str, Path],
    settings: dict,
    precision: str,
    output: Path,
    scheme: str | None = None,
    group_size: int = 64,
) -> None:
    """{"dimensions": {d: {query id: {"recall", "ndcg", "forget"}}}} at `output`; a
    query is a forget query where a forget document is relevant to it."""
    data = RetrievalData(files)
    embedder = Embedder(model_dir, settings["pooling"], settings["max_length"]).to(compute_device())
    if scheme is not None:
        embedder.backbone = quantize(embedder.backbone, scheme, group_size)
    relevance = defaultdict(dict)
    for query, doc, score in data.qrels["test"]:
        relevance[query][doc] = score
    queries, documents = sorted(relevance), list(data.corpus)
    instruction = settings["query_instruction"]
    query_vectors = embed(
        embedder, [query_text(data.queries[q], instruction) for q in queries], precision
    )
    document_vectors = embed(embedder, [data.corpus[d] for d in documents], precision)
    dimensions, k = settings["dimensions"], settings["k"]
    sliced_queries = matryoshka(query_vectors, dimensions)
    sliced_documents = matryoshka(document_vectors, dimensions)
    results = {}
    for dimension in dimensions:
        top = (sliced_queries[dimension] @ sliced_documents[dimension].T).topk(k).indices.tolist()
        results[dimension] = {
            query: {
                "recall": recall_at_k([documents[i] for i in ranked], relevance[query], k),
                "ndcg": ndcg_at_k([documents[i] for i in ranked], relevance[query], k),
                "forget": any(doc in data.forget for doc, s in relevance[query].items() if s > 0),
            }
            for query, ranked in zip(queries, top, strict=True)
        }
    write_text_atomic(output, json.dumps({"k": k, "dimensions": results}) + "\n")
