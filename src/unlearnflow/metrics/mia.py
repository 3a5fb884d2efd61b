"""Membership-inference attacks on answer tokens, scored so that higher means "member".

- loss: mean token log-likelihood (Yeom et al. 2018).
- zlib: log-likelihood over the zlib-compressed length of the text (Carlini et al.
  2021, "Extracting training data from large language models").
- min-k%: mean of the k% lowest token log-probabilities (Shi et al. 2024, "Detecting
  pretraining data from large language models").
- min-k%++: the same over token log-probabilities standardised by the mean and standard
  deviation of log p under the model's own next-token distribution,
  (log p(x_t) - mu_t) / sigma_t (Zhang et al. 2024, "Min-K%++").
The AUC is sklearn's ROC AUC of members (the forget set) against non-members (the
holdout set): 1 when the model tells them apart perfectly, 0.5 when it cannot.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from sklearn.metrics import roc_auc_score


def loss_score(token_logprobs: np.ndarray) -> float:
    return float(np.mean(token_logprobs))


def zlib_score(token_logprobs: np.ndarray, text: str) -> float:
    return float(np.sum(token_logprobs) / len(zlib.compress(text.encode("utf-8"))))


def min_k_score(token_logprobs: np.ndarray, k: float = 0.2) -> float:
    count = max(1, math.ceil(k * len(token_logprobs)))
    return float(np.mean(np.sort(token_logprobs)[:count]))


def min_k_plus_plus_score(
    token_logprobs: np.ndarray, mu: np.ndarray, sigma: np.ndarray, k: float = 0.2
) -> float:
    standardised = (np.asarray(token_logprobs) - mu) / np.maximum(sigma, 1e-12)
    return min_k_score(standardised, k)


def membership_auc(member_scores: list[float], nonmember_scores: list[float]) -> float:
    labels = [1] * len(member_scores) + [0] * len(nonmember_scores)
    return float(roc_auc_score(labels, [*member_scores, *nonmember_scores]))
