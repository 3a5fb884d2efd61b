"""ROUGE-L recall of a generated answer (TOFU, Maini et al. 2024, section 2.5).

TOFU scores greedy generations with `rouge_score`'s ROUGE-L, Porter stemming on,
and reports recall: the share of the reference's longest common subsequence found
in the generation.
"""

from __future__ import annotations

from functools import cache

from rouge_score import rouge_scorer


@cache
def _scorer() -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l_recall(generated: str, reference: str) -> float:
    return _scorer().score(reference, generated)["rougeL"].recall
