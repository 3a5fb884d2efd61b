"""Exact and near-duplicate detection (normalized text, then rapidfuzz token-sort ratio)."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from .text import normalize


class DuplicateIndex:
    """Remembers texts; `find` returns the earlier text a new one duplicates, if any."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.normalized: list[str] = []
        self.originals: list[str] = []

    def find(self, text: str) -> str | None:
        needle = normalize(text)
        match = process.extractOne(
            needle, self.normalized, scorer=fuzz.token_sort_ratio, score_cutoff=self.threshold
        )
        return self.originals[match[2]] if match else None

    def add(self, text: str) -> None:
        self.normalized.append(normalize(text))
        self.originals.append(text)
