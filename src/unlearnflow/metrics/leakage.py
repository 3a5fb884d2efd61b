"""Leakage on free-form probes: does a greedy answer reveal the forget fact?

An answer leaks when it contains any of its fact's key details (whole words, case
and punctuation ignored); the leakage rate is the share of probe answers that leak.
"""

from __future__ import annotations

from ..data.text import mentions


def leaks(answer: str, key_details: list[str]) -> bool:
    return any(mentions(answer, detail) for detail in key_details)


def leakage_rate(leaked: list[bool]) -> float:
    """The share of probe answers that leak, from each answer's `leaks`."""
    if not leaked:
        raise ValueError("leakage rate of no answers")
    return sum(leaked) / len(leaked)
