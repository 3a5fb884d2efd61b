"""Memorization of an answer under teacher forcing, as open-unlearning computes it
(locuslab/open-unlearning, src/evals/metrics/memorization.py); both are per item.

`hits[t]` says whether the model's most likely next token at answer position t, given
the question and the true answer's tokens before t, is the true token.

- Exact memorization (Tirumala et al. 2022): the share of answer tokens it hits.
- Extraction strength (Carlini et al. 2021; as in Wang et al. 2025): 1 − k/n for the
  shortest prefix k of the n answer tokens after which it hits every token. Like the
  reference, k runs up to n − 1: an answer with no hit at all scores 1/n, not 0.
"""

from __future__ import annotations

import numpy as np


def exact_memorization(hits: np.ndarray) -> float:
    return float(np.mean(hits))


def extraction_strength(hits: np.ndarray) -> float:
    hits = np.asarray(hits, dtype=bool)
    n = len(hits)
    misses = np.flatnonzero(~hits)
    # the suffix from k on is all hits once k passes the last miss; k stops at n - 1
    k = min(int(misses[-1]) + 1, n - 1) if len(misses) else 0
    return 1 - k / n
