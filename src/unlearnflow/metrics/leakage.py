"""Leakage on free-form probes: does a greedy answer reveal the forget fact?

An answer leaks when it contains any of its fact's key details (whole words, case
and punctuation ignored); the leakage rate is the share of probe answers that leak.
"""

from __future__ import annotations

from ..data.text import mentions


def leaks(answer: str, key_details: list[str]) -> bool:
    return any(mentions(answer, detail) for detail in key_details)


def leakage_rate(answers: list[str], key_details: list[list[str]]) -> float:
    if not answers:
        raise ValueError("leakage rate of no answers")
    flags = [leaks(a, d) for a, d in zip(answers, key_details, strict=True)]
    return sum(flags) / len(flags)
