"""Intervals over items: the percentile bootstrap (Efron and Tibshirani 1993, chapter 13)
through scipy.stats.bootstrap.

Item indices are what is resampled, so that one routine serves every statistic: a
split's mean, model utility over three splits resampled apart, forget quality (the KS
test against the gold model on the same resampled forget items), an MIA AUC over
members and non-members resampled apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import bootstrap


@dataclass(frozen=True)
class Bootstrap:
    resamples: int
    confidence: float
    seed: int

    def interval(self, statistic: Callable, *sizes: int) -> tuple[float | None, float | None]:
        """The interval of `statistic(*indices, axis=-1)`, where `indices` holds one array
        of resampled item indices, shaped (resamples, size), per group of `sizes` items;
        None at an end where the statistic is not finite, or both where a group has fewer
        than two items."""
        if min(sizes) < 2:
            return None, None
        result = bootstrap(
            tuple(np.arange(size) for size in sizes),
            statistic,
            n_resamples=self.resamples,
            confidence_level=self.confidence,
            vectorized=True,
            method="percentile",
            rng=np.random.default_rng(self.seed),
        )
        return tuple(
            float(end) if math.isfinite(end) else None for end in result.confidence_interval
        )

    def mean_interval(self, values) -> tuple[float | None, float | None]:
        values = np.asarray(values, dtype=np.float64)
        return self.interval(lambda index, axis: values[index].mean(axis=axis), len(values))
