"""Retrieval metrics per query, as BEIR computes them through pytrec_eval
(beir/retrieval/evaluation.py: `recall.k`, `ndcg_cut.k`):

- Recall@k: the share of a query's relevant documents (qrels score > 0) among its k
  best-scored documents.
- nDCG@k (Järvelin and Kekäläinen 2002): DCG@k = sum over the first k ranks r of
  rel_r / log2(r + 1), the relevance `rel` the qrels score; divided by the DCG@k of the
  ideal ranking of the query's judged documents.
"""

from __future__ import annotations

import math


def recall_at_k(ranked: list[str], relevance: dict[str, int], k: int) -> float:
    relevant = {doc for doc, score in relevance.items() if score > 0}
    return len(relevant & set(ranked[:k])) / len(relevant)


def ndcg_at_k(ranked: list[str], relevance: dict[str, int], k: int) -> float:
    def dcg(gains) -> float:
        return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))

    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    return dcg([relevance.get(doc, 0) for doc in ranked[:k]]) / ideal if ideal > 0 else 0.0
