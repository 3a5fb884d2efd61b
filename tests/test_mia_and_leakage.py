"""Membership-inference scores and leakage, checked against hand computations."""

import zlib

import numpy as np
import pytest

from unlearnflow.metrics.leakage import leakage_rate, leaks
from unlearnflow.metrics.mia import (
    loss_score,
    membership_auc,
    min_k_plus_plus_score,
    min_k_score,
    zlib_score,
)

LOGPROBS = np.array([-0.1, -2.0, -0.5, -4.0, -0.2, -1.0, -0.3, -0.4, -0.6, -3.0])


def test_loss_and_min_k():
    assert loss_score(LOGPROBS) == pytest.approx(-12.1 / 10)
    assert min_k_score(LOGPROBS, k=0.2) == pytest.approx((-4.0 - 3.0) / 2)
    assert min_k_score(LOGPROBS, k=0.01) == pytest.approx(-4.0)  # at least one token


def test_zlib_divides_by_compressed_length():
    text = "On 3 May 1998, Ada Berg was arrested in Lund for tax fraud."
    assert zlib_score(LOGPROBS, text) == pytest.approx(-12.1 / len(zlib.compress(text.encode())))


def test_min_k_plus_plus_standardises_per_token():
    mu = np.full(10, -1.0)
    sigma = np.full(10, 2.0)
    expected = np.mean(np.sort((LOGPROBS + 1.0) / 2.0)[:2])
    assert min_k_plus_plus_score(LOGPROBS, mu, sigma, k=0.2) == pytest.approx(expected)


def test_auc_perfect_chance_and_inverted():
    assert membership_auc([3, 4], [1, 2]) == 1.0
    assert membership_auc([1, 2], [3, 4]) == 0.0
    assert membership_auc([1, 2], [1, 2]) == 0.5


def test_leakage():
    details = ["3 May 1998", "Lund", "tax fraud"]
    assert leaks("She was once arrested in lund.", details)
    assert not leaks("She lives in Lundby and paid her taxes.", details)
    answers = ["Nothing is known.", "Tax fraud, in 1998.", "No controversies."]
    assert leakage_rate(answers, [details] * 3) == pytest.approx(1 / 3)
