"""An interval is a fact of its result: asked twice at one level, a result gives one interval.

Every result with an interval offers ``confidence_interval(level)``. For a result drawn at
random (a bootstrap, a simulation) called without a seed, the randomness is drawn once,
when the result is made, and kept: another level reuses the same resamples, so asking
twice never gives two answers, and the interval at the result's own level is the one it
reports. Normal-theory and Wilson intervals, whose method guarantees it, hold their own
value at every level; percentile bootstrap intervals need not (a skewed resampling
distribution can leave the estimate outside), so only their stability is asserted there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxlab
from cxlab import opinions
from cxlab.journey import leasing_journey, what_if

levels = st.floats(min_value=0.5, max_value=0.99).map(lambda level: round(level, 3))
RATINGS = np.array([10, 9, 9, 8, 7, 6, 3, 10, 2, 9, 5, 10, 8, 0, 9] * 4)
OTHER = np.array([10, 8, 7, 7, 6, 5, 3, 9, 2, 9, 5, 10, 6, 0, 4] * 4)
SURVEY = pd.DataFrame({"user": [True] * 30 + [False] * 30, "unhappy": [True] * 10 + [False] * 20 + [True] * 25 + [False] * 5})


def _seedless_results():
    """One result of each kind drawn at random, made without a seed."""
    return {
        "bootstrap nps": cxlab.nps(RATINGS, method="bootstrap", n_resamples=500),
        "bootstrap nps_test": cxlab.nps_test(RATINGS, OTHER, method="bootstrap", n_resamples=500),
        "bootstrap_interval": cxlab.bootstrap_interval(pd.DataFrame({"x": RATINGS}), lambda d: d["x"].mean(),
                                                       n_resamples=300),
        "base_gap": opinions.base_gap(SURVEY, "unhappy", "user", n_resamples=500),
        "what_if": what_if(leasing_journey(), leasing_journey().with_step("document check", mean_days=14),
                           n_customers=400),
    }


def _interval_of(result, level):
    if hasattr(result, "nps_low"):  # what_if: the NPS change is its headline
        return result.confidence_interval(level)
    return tuple(result.confidence_interval(level))


@pytest.fixture(scope="module")
def seedless():
    return _seedless_results()


@settings(max_examples=15, deadline=None)
@given(level=levels)
def test_a_seedless_result_gives_one_interval_per_level(seedless, level):
    for name, result in seedless.items():
        first, second = _interval_of(result, level), _interval_of(result, level)
        assert first == second, (name, level, first, second)


def test_at_its_own_level_the_result_gives_the_interval_it_reports(seedless):
    for name, result in seedless.items():
        own = result.confidence_interval(result.ci)
        assert tuple(own) == (result.low, result.high) or name == "what_if", name


@pytest.mark.parametrize("name", ["bootstrap nps", "bootstrap nps_test", "base_gap"])
def test_a_wider_level_gives_a_wider_interval_from_the_same_resamples(seedless, name):
    result = seedless[name]
    narrow, wide = result.confidence_interval(0.5), result.confidence_interval(0.99)
    assert wide[0] <= narrow[0] <= narrow[1] <= wide[1], (name, narrow, wide)


normal_theory = {
    "wald nps": lambda: cxlab.nps(RATINGS, method="wald"),
    "adjusted-wald nps": lambda: cxlab.nps(RATINGS, method="adjusted-wald"),
    "nps_test": lambda: cxlab.nps_test(RATINGS, OTHER),
    "wilson proportion": lambda: cxlab.proportion(SURVEY["unhappy"]),
    "compare_groups": lambda: cxlab.compare_groups(SURVEY.assign(unhappy=SURVEY["unhappy"].astype(int)),
                                                   "unhappy", "user"),
}


@settings(max_examples=15, deadline=None)
@given(level=levels)
def test_intervals_whose_method_guarantees_it_hold_their_value_at_every_level(level):
    for name, make in normal_theory.items():
        result = make()
        low, high = result.confidence_interval(level)
        assert (low, high) == tuple(result.confidence_interval(level)), name
        assert low <= result.value <= high, (name, level, low, result.value, high)
