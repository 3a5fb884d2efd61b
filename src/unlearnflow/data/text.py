"""Text matching shared by the generators and the red team."""

from __future__ import annotations

import re


def normalize(text: str) -> str:
    """Casefolded, punctuation-free, single-spaced: the form duplicates are compared in."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def mentions(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, ignoring case and punctuation."""
    needle = normalize(phrase)
    return bool(needle) and f" {needle} " in f" {normalize(text)} "
