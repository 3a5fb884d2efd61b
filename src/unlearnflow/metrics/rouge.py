"""ROUGE-L of a generated answer against its reference.

TOFU (Maini et al. 2024, section 2.5) scores greedy generations with `rouge_score`'s
ROUGE-L, Porter stemming on, and reports recall: the share of the reference's longest
common subsequence found in the generation. MUSE (Shi et al. 2024) reports the F1 of
the same scorer (open-unlearning: configs/eval/muse_metrics/*_ROUGE.yaml, `rougeL_f1`).
"""

from __future__ import annotations

from functools import cache

from rouge_score import rouge_scorer


@cache
def _scorer() -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l_recall(generated: str, reference: str) -> float:
    return _scorer().score(reference, generated)["rougeL"].recall


def rouge_l_f1(generated: str, reference: str) -> float:
    return float(_scorer().score(reference, generated)["rougeL"].fmeasure)
