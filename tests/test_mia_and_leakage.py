"""Membership-inference scores, privleak, memorization and leakage, each checked against
values computed by hand from per-token log-probabilities, as open-unlearning defines
them (src/evals/metrics/mia/*.py, privacy.py, memorization.py)."""

import zlib

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from unlearnflow.metrics.leakage import leakage_rate, leaks
from unlearnflow.metrics.memorization import exact_memorization, extraction_strength
from unlearnflow.metrics.mia import (
    loss_score,
    membership_auc,
    min_k_plus_plus_score,
    min_k_score,
    privleak,
    zlib_score,
)

LOGPROBS = np.array([-0.1, -2.0, -0.5, -4.0, -0.2, -1.0, -0.3, -0.4, -0.6, -3.0])


def test_loss_and_min_k_take_int_of_k_n_tokens():
    assert loss_score(LOGPROBS) == pytest.approx(12.1 / 10)
    # int(0.4 * 10) = 4 lowest: -4, -3, -2, -1
    assert min_k_score(LOGPROBS, k=0.4) == pytest.approx(10.0 / 4)
    # int(0.25 * 10) = 2 (ceil would take 3)
    assert min_k_score(LOGPROBS, k=0.25) == pytest.approx(7.0 / 2)
    assert min_k_score(LOGPROBS, k=0.01) == pytest.approx(4.0)  # at least one token


def test_zlib_divides_the_mean_loss_by_the_compressed_length():
    text = "On 3 May 1998, Ada Berg was arrested in Lund for tax fraud."
    assert zlib_score(LOGPROBS, text) == pytest.approx(1.21 / len(zlib.compress(text.encode())))
    # the mean, not the sum: the score does not grow with the answer's length
    assert zlib_score(np.tile(LOGPROBS, 2), text) == pytest.approx(zlib_score(LOGPROBS, text))


def test_min_k_plus_plus_standardises_per_token_with_a_variance_floor():
    mu = np.full(10, -1.0)
    sigma = np.full(10, 2.0)
    # int(0.4 * 10) = 4 lowest standardised values: (-4+1)/2, (-3+1)/2, (-2+1)/2, (-1+1)/2
    assert min_k_plus_plus_score(LOGPROBS, mu, sigma, k=0.4) == pytest.approx(6.0 / 2 / 4)
    # a point-mass next-token distribution: σ² floored at 1e-6, so σ = 1e-3
    floored = min_k_plus_plus_score(LOGPROBS, mu, np.zeros(10), k=0.1)
    assert floored == pytest.approx(-(-4.0 + 1.0) / 1e-3)


def test_auc_is_that_of_holdout_against_forget_with_ties_counted_half():
    rng = np.random.default_rng(0)
    forget, holdout = rng.normal(0, 1, 40).round(1), rng.normal(0.5, 1, 40).round(1)
    expected = roc_auc_score([0] * 40 + [1] * 40, np.concatenate([forget, holdout]))
    assert membership_auc(forget, holdout) == pytest.approx(expected)
    assert membership_auc([1, 2], [3, 4]) == 1.0  # forget likelier (lower loss): members found
    assert membership_auc([3, 4], [1, 2]) == 0.0
    assert membership_auc([1, 2], [1, 2]) == 0.5


def test_auc_is_vectorised_over_resamples():
    forget = np.array([[1.0, 2.0], [3.0, 4.0]])
    holdout = np.array([[3.0, 4.0], [1.0, 2.0]])
    assert membership_auc(forget, holdout, axis=-1).tolist() == [1.0, 0.0]


def test_privleak_is_muses_relative_gap_on_one_minus_auc():
    # open-unlearning privacy.py: ((1 - auc) - (1 - ref)) / (1 - ref) * 100
    assert privleak(0.5, 0.5) == 0.0
    assert privleak(0.9, 0.5) == pytest.approx((0.1 - 0.5) / 0.5 * 100)  # still leaks
    assert privleak(0.3, 0.5) == pytest.approx((0.7 - 0.5) / 0.5 * 100)  # over-shoots


def test_exact_memorization_and_extraction_strength():
    hits = np.array([False, True, False, True, True])
    assert exact_memorization(hits) == pytest.approx(3 / 5)
    # hits from index 3 on: k = 3
    assert extraction_strength(hits) == pytest.approx(1 - 3 / 5)
    assert extraction_strength(np.ones(4, bool)) == 1.0
    # the reference's loop stops at k = n - 1 when even the last token is missed
    assert extraction_strength(np.array([True, True, False])) == pytest.approx(1 - 2 / 3)
    assert extraction_strength(np.zeros(4, bool)) == pytest.approx(1 / 4)


def test_leakage():
    details = ["3 May 1998", "Lund", "tax fraud"]
    assert leaks("She was once arrested in lund.", details)
    assert not leaks("She lives in Lundby and paid her taxes.", details)
    answers = ["Nothing is known.", "Tax fraud, in 1998.", "No controversies."]
    assert leakage_rate([leaks(answer, details) for answer in answers]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="no answers"):
        leakage_rate([])
