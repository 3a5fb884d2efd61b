"""Answer probability (TOFU, Maini et al. 2024, section 2.5).

Losses are length-normalised: the mean negative log-likelihood per answer token,
so exp(-loss) is the geometric-mean token probability P(a|q)^(1/|a|).
"""

from __future__ import annotations

import numpy as np


def answer_probability(answer_loss: np.ndarray) -> float:
    """Mean over items of exp(-loss): TOFU's Prob on the forget and retain sets."""
    return float(np.mean(np.exp(-np.asarray(answer_loss, dtype=np.float64))))


def normalized_answer_probability(answer_loss: np.ndarray, wrong_losses: np.ndarray) -> float:
    """Mean of P(true) / (P(true) + sum P(wrong)): TOFU's Prob on real authors and world facts."""
    true = np.exp(-np.asarray(answer_loss, dtype=np.float64))
    wrong = np.exp(-np.asarray(wrong_losses, dtype=np.float64)).sum(axis=-1)
    return float(np.mean(true / (true + wrong)))
