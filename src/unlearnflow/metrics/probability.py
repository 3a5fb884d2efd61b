"""Answer probability per item (TOFU, Maini et al. 2024, section 2.5).

Losses are length-normalised: the mean negative log-likelihood per answer token,
so exp(-loss) is the geometric-mean token probability P(a|q)^(1/|a|). TOFU's Prob is
the mean over items of these values.
"""

from __future__ import annotations

import numpy as np


def answer_probabilities(answer_loss: np.ndarray) -> np.ndarray:
    """exp(-loss): TOFU's Prob on the forget and retain sets."""
    return np.exp(-np.asarray(answer_loss, dtype=np.float64))


def normalized_answer_probabilities(
    answer_loss: np.ndarray, wrong_losses: np.ndarray
) -> np.ndarray:
    """P(true) / (P(true) + sum P(wrong)): TOFU's Prob on real authors and world facts."""
    true = answer_probabilities(answer_loss)
    wrong = answer_probabilities(wrong_losses).sum(axis=-1)
    return true / (true + wrong)
