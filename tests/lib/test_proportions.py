"""Wilson intervals, CSAT and CES against published values and an independent implementation.

Reference sources, named where they are used:
- Newcombe (1998), Statistics in Medicine 17(8), Table I: Wilson score intervals
  for 81/263, 15/148, 0/20 and 1/29.
- statsmodels, an independent implementation, for Wilson and t intervals.

Invariants of CSAT are checked on generated samples (hypothesis).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

import cxlab

# ------------------------------------------------------------- Wilson and CSAT


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_newcombe_1998(successes, n, low, high):
    interval = cxlab.wilson_interval(successes, n)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)
    assert interval == pytest.approx(proportion_confint(successes, n, method="wilson"))


def test_csat_is_top_two_box_with_wilson_interval():
    ratings = [5] * 30 + [4] * 51 + [3] * 100 + [2] * 50 + [1] * 32  # 81 of 263 satisfied
    result = cxlab.csat(ratings)
    assert result.value == pytest.approx(100 * 81 / 263)
    assert (result.low, result.high) == pytest.approx((25.53, 36.62), abs=0.01)
    assert cxlab.csat(ratings, top=1).satisfied == 30


def test_csat_on_other_scales():
    assert cxlab.csat([7, 6, 5, 1], scale=7, top=2).value == 50.0
    with pytest.raises(ValueError, match="1-7"):
        cxlab.csat([8], scale=7)


def test_ces_mean_interval_matches_statsmodels_t_interval():
    ratings = [7, 6, 6, 5, 5, 5, 4, 3, 2, 7, 6, 1]
    result = cxlab.ces(ratings)
    low, high = DescrStatsW(np.array(ratings, dtype=float)).tconfint_mean()
    assert result.value == pytest.approx(np.mean(ratings))
    assert (result.low, result.high) == pytest.approx((low, high))
    assert result.share_agree == pytest.approx(100 * 8 / 12)  # 5, 6, 7 agree on a 7-point scale


# ------------------------------------------------------------------ invariants


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=200))
def test_csat_interval_contains_estimate_and_stays_in_0_100(ratings):
    result = cxlab.csat(ratings)
    assert 0 <= result.low <= result.value <= result.high <= 100


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: cxlab.csat([5], top=5), r"top must be between 1 and 4"),
        (lambda: cxlab.csat([6]), r"integers 1-5; found 6"),
        (lambda: cxlab.ces([0]), r"integers 1-7; found 0"),
        (lambda: cxlab.wilson_interval(5, 3), r"successes must be between 0 and 3"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()
