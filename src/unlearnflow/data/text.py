"""Text matching shared by the generators and the red team."""

from __future__ import annotations

import re

from rapidfuzz.distance import LCSseq

# A wrong answer keeps at least this share of its paraphrase's sentence form.
SAME_FORM = 0.8


def normalize(text: str) -> str:
    """Casefolded, punctuation-free, single-spaced: the form duplicates are compared in."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def mentions(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, ignoring case and punctuation."""
    needle = normalize(phrase)
    return bool(needle) and f" {needle} " in f" {normalize(text)} "


def sentence_form(text: str, details: list[str]) -> list[str]:
    """The words of `text` outside its `details` (normalized): its sentence form."""
    padded = f" {normalize(text)} "
    for detail in sorted(details, key=len, reverse=True):
        needle = normalize(detail)
        if needle:
            padded = padded.replace(f" {needle} ", " ")
    return padded.split()


def shares_form(text: str, variant: str, details: list[str]) -> bool:
    """Whether `variant` keeps, in order, at least SAME_FORM of `text`'s sentence form.

    TOFU's perturbed answers rewrite the paraphrased answer's details and nothing else,
    so that the truth ratio compares facts, not wordings (Maini et al. 2024, section 2.5).
    """
    form = sentence_form(text, details)
    if not form:
        return True
    kept = LCSseq.similarity(form, normalize(variant).split())
    return kept >= SAME_FORM * len(form)
