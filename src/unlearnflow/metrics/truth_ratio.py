"""Truth ratio per item (TOFU, Maini et al. 2024, section 2.5; aggregate_eval_stat.py).

With length-normalised losses: TR = exp(mean_j L(wrong_j) - L(paraphrased)), i.e. how
much likelier the paraphrased true answer is than the wrong answers. Scored as
min(TR, 1/TR) on the forget set (1 when the model cannot tell true from wrong) and as
max(0, 1 - 1/TR) elsewhere (high when it prefers the truth); TOFU reports the mean
over items.
"""

from __future__ import annotations

import numpy as np


def truth_ratios(paraphrased_loss: np.ndarray, wrong_losses: np.ndarray) -> np.ndarray:
    paraphrased = np.asarray(paraphrased_loss, dtype=np.float64)
    wrong = np.asarray(wrong_losses, dtype=np.float64).mean(axis=-1)
    return np.exp(wrong - paraphrased)


def forget_truth_ratio_scores(ratios: np.ndarray) -> np.ndarray:
    return np.minimum(ratios, 1 / ratios)


def retain_truth_ratio_scores(ratios: np.ndarray) -> np.ndarray:
    return np.maximum(0, 1 - 1 / ratios)
