"""Replicate seeds fold into one row: the mean and the t-interval across seeds."""

import numpy as np
import pytest
from scipy.stats import t as student_t

from unlearnflow.replicates import across_seeds, t_interval


def row(point, seed, value, low, high):
    return {"point": point, "seed": seed, "m": value, "m_ci_low": low, "m_ci_high": high}


def test_t_interval_by_hand():
    values = [0.2, 0.4, 0.6]
    half = student_t.ppf(0.975, 2) * np.std(values, ddof=1) / np.sqrt(3)
    assert t_interval(values, 0.95) == pytest.approx((0.4 - half, 0.4 + half))


def test_several_seeds_give_the_mean_and_the_interval_across_them():
    rows = [row("a", 0, 0.2, 0.1, 0.3), row("b", 0, 0.5, 0.4, 0.6), row("a", 1, 0.4, 0.3, 0.5)]
    folded = across_seeds(rows, 0.95)
    assert [r["point"] for r in folded] == ["a", "b"]
    a, b = folded
    assert a["seeds"] == 2 and "seed" not in a
    assert a["m"] == pytest.approx(0.3)
    assert (a["m_ci_low"], a["m_ci_high"]) == pytest.approx(t_interval([0.2, 0.4], 0.95))
    # one seed: its interval over items stays
    assert (b["seeds"], b["m"], b["m_ci_low"], b["m_ci_high"]) == (1, 0.5, 0.4, 0.6)


def test_a_missing_value_leaves_no_mean():
    rows = [row("a", 0, None, None, None), row("a", 1, 0.4, 0.3, 0.5)]
    assert across_seeds(rows, 0.95)[0]["m"] is None
