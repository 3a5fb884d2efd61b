"""Intervals over items: seeded, around the estimate, and as wide as the data says."""

import numpy as np
import pytest
from scipy.stats import bootstrap as scipy_bootstrap

from unlearnflow.metrics.bootstrap import Bootstrap

RESAMPLING = Bootstrap(resamples=1000, confidence=0.95, seed=0)


def test_mean_interval_is_scipys_percentile_bootstrap_of_the_values():
    values = np.random.default_rng(1).uniform(0, 1, 40)
    ours = RESAMPLING.mean_interval(values)
    theirs = scipy_bootstrap(
        (values,), np.mean, n_resamples=1000, method="percentile", rng=np.random.default_rng(0)
    ).confidence_interval
    # resampling indices draws the same resamples as resampling the values
    assert ours == pytest.approx((theirs.low, theirs.high))
    assert ours[0] < values.mean() < ours[1]


def test_interval_narrows_with_more_items_and_is_seeded():
    rng = np.random.default_rng(2)
    few, many = rng.uniform(0, 1, 10), rng.uniform(0, 1, 160)
    width = [high - low for low, high in map(RESAMPLING.mean_interval, (few, many))]
    assert width[1] < width[0] / 2
    assert RESAMPLING.mean_interval(few) == RESAMPLING.mean_interval(few)


def test_constant_values_give_a_point_interval():
    assert RESAMPLING.mean_interval(np.ones(12)) == (1.0, 1.0)


def test_groups_are_resampled_apart():
    a, b = np.zeros(20), np.ones(30)

    def statistic(i, j, axis):
        assert i.shape[-1] == 20 and j.shape[-1] == 30
        return a[i].mean(axis=axis) + b[j].mean(axis=axis)

    assert RESAMPLING.interval(statistic, 20, 30) == (1.0, 1.0)


def test_a_single_item_has_no_interval():
    assert RESAMPLING.mean_interval([0.5]) == (None, None)
