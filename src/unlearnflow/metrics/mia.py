"""Membership-inference attacks on answer tokens, as open-unlearning computes them
(locuslab/open-unlearning, src/evals/metrics/mia/*.py and privacy.py).

Each attack scores an item so that higher means "less likely a member" (the loss's
direction); the AUC is that of telling the holdout set (label 1) from the forget set
(label 0), so it is 1 when the forget set is much likelier than the holdout, 0.5 when
the model cannot tell them apart.

- loss: the mean token negative log-likelihood (Yeom et al. 2018; mia/loss.py).
- zlib: that mean loss over the zlib-compressed length of the answer text (Carlini et
  al. 2021, "Extracting training data from large language models"; mia/zlib.py).
- min-k%: minus the mean of the int(k·n) (at least one) lowest token log-probabilities
  (Shi et al. 2024, "Detecting pretraining data from large language models"; mia/min_k.py).
- min-k%++: the same over (log p(x_t) − μ_t) / σ_t, μ_t and σ_t² the mean and variance
  of log p under the next-token distribution, σ_t² floored at 1e-6 (Zhang et al. 2024,
  "Min-K%++"; mia/min_k_plus_plus.py).
- privleak: MUSE's relative AUC gap to the gold (retain-only) model, in percent, on
  1 − AUC as open-unlearning reports it (Shi et al. 2024, "MUSE"; privacy.py): 0 when
  the unlearned model leaks membership as little and as much as a model never trained
  on the forget set; negative when it still leaks (under-unlearning), positive when it
  over-shoots.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.stats import mannwhitneyu

# σ² floor of Min-K%++ (open-unlearning's clamp)
MIN_VARIANCE = 1e-6


def loss_score(token_logprobs: np.ndarray) -> float:
    return float(-np.mean(token_logprobs))


def zlib_score(token_logprobs: np.ndarray, text: str) -> float:
    return loss_score(token_logprobs) / len(zlib.compress(text.encode("utf-8")))


def min_k_score(token_logprobs: np.ndarray, k: float) -> float:
    values = np.sort(np.asarray(token_logprobs, dtype=np.float64))
    count = max(1, int(len(values) * k))
    return float(-np.mean(values[:count]))


def min_k_plus_plus_score(
    token_logprobs: np.ndarray, mu: np.ndarray, sigma: np.ndarray, k: float
) -> float:
    """`sigma` is the standard deviation of log p; its square is floored at MIN_VARIANCE."""
    variance = np.maximum(np.square(np.asarray(sigma, dtype=np.float64)), MIN_VARIANCE)
    standardised = (np.asarray(token_logprobs, dtype=np.float64) - mu) / np.sqrt(variance)
    return min_k_score(standardised, k)


def membership_auc(forget_scores, holdout_scores, axis: int = -1):
    """ROC AUC of holdout (1) against forget (0) scores: the Mann-Whitney U of the holdout
    scores over the number of pairs (ties count one half). Vectorised along `axis`."""
    forget = np.asarray(forget_scores, dtype=np.float64)
    holdout = np.asarray(holdout_scores, dtype=np.float64)
    u = mannwhitneyu(holdout, forget, axis=axis, method="asymptotic").statistic
    return u / (forget.shape[axis] * holdout.shape[axis])


def privleak(auc: float, gold_auc: float) -> float:
    """100 · ((1 − AUC) − (1 − AUC_gold)) / (1 − AUC_gold)."""
    score, reference = 1 - auc, 1 - gold_auc
    return float("nan") if reference == 0 else 100 * (score - reference) / reference
