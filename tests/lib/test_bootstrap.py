"""The bootstrap interval of any statistic of a DataFrame.

Reference values come from outside cxlab: scipy.stats.bootstrap on the same data,
and the standard error of a mean, sd / sqrt(n). Invariants of the interval are
checked on generated samples (hypothesis).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import cxlab
from cxlab.stats.bootstrap import bootstrap_interval
from cxlab.stats.groups import compare_groups

from .strategies import values


def test_bootstrap_agrees_with_scipy_and_the_standard_error_of_a_mean():
    rng = np.random.default_rng(3)
    x = rng.exponential(2.0, 200)
    frame = pd.DataFrame({"x": x})
    ours = bootstrap_interval(frame, lambda d: d["x"].mean(), n_resamples=20_000, seed=1)
    reference = scipy_stats.bootstrap((x,), np.mean, n_resamples=20_000, method="percentile", rng=np.random.default_rng(2))
    assert ours.low == pytest.approx(reference.confidence_interval.low, abs=0.03)
    assert ours.high == pytest.approx(reference.confidence_interval.high, abs=0.03)
    assert ours.se == pytest.approx(x.std(ddof=0) / math.sqrt(x.size), rel=0.03)
    bca = bootstrap_interval(frame, lambda d: d["x"].mean(), n_resamples=20_000, seed=1, method="bca")
    reference_bca = scipy_stats.bootstrap((x,), np.mean, n_resamples=20_000, method="BCa", rng=np.random.default_rng(2))
    assert bca.low == pytest.approx(reference_bca.confidence_interval.low, abs=0.03)
    assert bca.high == pytest.approx(reference_bca.confidence_interval.high, abs=0.03)


def test_bootstrap_is_reproducible_and_strata_keep_group_sizes(teams):
    def statistic(frame):
        assert (frame["certificate"] == "certified").sum() == 33
        return compare_groups(frame, "nps", "certificate").value

    first = bootstrap_interval(teams, statistic, n_resamples=200, seed=7, strata="certificate")
    second = bootstrap_interval(teams, statistic, n_resamples=200, seed=7, strata="certificate")
    assert first == second
    assert np.array_equal(first.distribution, second.distribution)
    assert first.low < first.value < first.high


def test_a_failing_statistic_names_the_resample_and_suggests_strata():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"]})
    with pytest.raises(ValueError, match="resample .*strata="):
        bootstrap_interval(frame, lambda d: compare_groups(d, "y", "g").value, n_resamples=500, seed=0)


# ------------------------------------------------------------------ invariants


@settings(settings.get_profile("cxlab-groups"), max_examples=30)
@given(st.lists(values, min_size=5, max_size=40), st.integers(0, 2**32 - 1))
# numpy's interpolation between two resampled medians once passed the larger by a rounding error
@example([0.0, 0.0, 1.7999999999999998, 29.640625, 0.0, 0.0], 32766)
def test_bootstrap_interval_is_ordered_and_within_the_resample_range(sample, seed):
    frame = pd.DataFrame({"x": sample})
    result = cxlab.bootstrap_interval(frame, lambda d: d["x"].median(), n_resamples=100, seed=seed)
    assert result.distribution.min() <= result.low <= result.high <= result.distribution.max()
    assert min(sample) <= result.low and result.high <= max(sample)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t, p: bootstrap_interval(t, lambda d: d["nps"].mean(), seed=1, n_resamples=50), ValueError,
         "n_resamples must be at least 100"),
        (lambda t, p: bootstrap_interval(t, lambda d: "high", seed=1), TypeError, "one number"),
        (lambda t, p: bootstrap_interval(t, lambda d: d["nps"].mean(), seed=1, method="student"), ValueError, "method"),
    ],
    ids=["too-few-resamples", "text-statistic", "unknown-bootstrap-method"],
)
def test_bad_input_raises_a_clear_error(teams, panel, call, error, message):
    with pytest.raises(error, match=message):
        call(teams, panel)


def test_seed_means_what_it_means_everywhere_in_cxlab(teams):
    # seed=None (the default everywhere) draws fresh resamples; a seed repeats them.
    mean = lambda d: d["nps"].mean()  # noqa: E731
    assert bootstrap_interval(teams, mean, seed=3) == bootstrap_interval(teams, mean, seed=3)
    fresh = {bootstrap_interval(teams, mean, n_resamples=200).low for _ in range(3)}
    assert len(fresh) > 1
