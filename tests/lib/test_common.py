"""What the statistics modules share: critical values, the two-sided test, interval results.

Reference values, named where they are used:
- the standard normal table: z = 1.645, 1.960 and 2.576 for two-sided 90%, 95% and
  99% intervals; 1.959963984540054 = sqrt(2) * erfinv(0.95) to double precision.
- Student's t table: t = 2.228 for a two-sided 95% interval with 10 degrees of freedom
  and 4.032 for 99% with 5. For an even number of degrees of freedom the t
  distribution function has a closed form (a finite sum), which gives
  2.2281388519862747 for the first to 17 digits.
- scipy.stats.norm and scipy.stats.t, independent implementations, for the quantiles
  and tail areas.
- statsmodels' ``multipletests``, for the adjusted p-values (cxlab computes Holm's itself).
"""

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests

import cxlab
from cxlab.stats.common import ConfidenceInterval, adjust_pvalues, check_resamples, normal_quantile, t_quantile, two_sided_test


@pytest.mark.parametrize(("ci", "table"), [(0.90, 1.645), (0.95, 1.960), (0.99, 2.576)])
def test_normal_quantile_matches_the_standard_normal_table(ci, table):
    assert round(normal_quantile(ci), 3) == table
    assert normal_quantile(ci) == pytest.approx(scipy_stats.norm.ppf(0.5 + ci / 2), rel=1e-14)


def test_normal_quantile_of_95_percent_to_double_precision():
    assert normal_quantile(0.95) == pytest.approx(1.959963984540054, rel=1e-15)


def test_t_quantile_matches_the_t_table_and_scipy():
    assert t_quantile(0.95, 10) == pytest.approx(2.2281388519862747, rel=1e-13)
    assert round(t_quantile(0.95, 10), 3) == 2.228
    assert round(t_quantile(0.99, 5), 3) == 4.032
    for ci, dof in ((0.95, 10), (0.99, 5), (0.9, 2.5), (0.95, 1000)):
        assert t_quantile(ci, dof) == pytest.approx(scipy_stats.t.ppf(0.5 + ci / 2, dof), rel=1e-12)


def test_t_quantile_with_infinite_degrees_of_freedom_is_the_normal_quantile():
    assert t_quantile(0.95, math.inf) == normal_quantile(0.95)
    assert t_quantile(0.95, 1e6) == pytest.approx(normal_quantile(0.95), rel=1e-5)


@pytest.mark.parametrize(("estimate", "se"), [(2.5, 1.25), (-2.5, 1.25), (0.3, 2.0), (-40.0, 3.0)])
def test_two_sided_test_matches_the_normal_tail_areas_in_scipy(estimate, se):
    statistic, pvalue = two_sided_test(estimate, se)
    assert statistic == pytest.approx(estimate / se)
    assert pvalue == pytest.approx(2 * scipy_stats.norm.sf(abs(estimate / se)), rel=1e-12)


@pytest.mark.parametrize(("estimate", "se", "dof"), [(2.5, 1.25, 10), (-2.5, 1.25, 10), (0.3, 2.0, 3.5), (-9.0, 2.0, 40)])
def test_two_sided_test_matches_the_t_tail_areas_in_scipy(estimate, se, dof):
    statistic, pvalue = two_sided_test(estimate, se, dof)
    assert statistic == pytest.approx(estimate / se)
    assert pvalue == pytest.approx(2 * scipy_stats.t.sf(abs(estimate / se), dof), rel=1e-10)


def test_two_sided_test_at_the_table_critical_values_gives_p_five_percent():
    assert two_sided_test(1.959963984540054, 1.0)[1] == pytest.approx(0.05, rel=1e-12)
    assert two_sided_test(2.2281388519862747, 1.0, 10)[1] == pytest.approx(0.05, rel=1e-10)


@pytest.mark.parametrize("dof", [math.inf, 10])
def test_two_sided_test_with_zero_standard_error(dof):
    # No spread at all: any difference is certain, and no difference is no evidence.
    assert two_sided_test(3.0, 0.0, dof) == (math.inf, 0.0)
    assert two_sided_test(-3.0, 0.0, dof) == (-math.inf, 0.0)
    assert two_sided_test(0.0, 0.0, dof) == (0.0, 1.0)


def test_results_give_their_interval_as_a_named_pair():
    result = cxlab.nps_from_counts(50, 30, 20)
    interval = result.confidence_interval()
    assert isinstance(interval, ConfidenceInterval)
    assert interval == (result.low, result.high)
    assert (interval.low, interval.high) == (result.low, result.high)


def test_check_resamples_asks_for_at_least_100():
    assert check_resamples(100) == 100
    with pytest.raises(ValueError, match=r"^n_resamples must be at least 100, got 99$"):
        check_resamples(99)
    with pytest.raises(TypeError, match=r"n_resamples must be a whole number, got 1000\.0"):
        check_resamples(1000.0)


_PVALUES = st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.01, 0.05, 0.2, 1.0, 1e-300])), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_PVALUES, st.sampled_from(["holm", "bonferroni", "fdr_bh"]))
def test_adjusted_pvalues_are_statsmodels_multipletests_to_the_last_bit(pvalues, adjust):
    # cxlab computes Holm's step-down itself (statsmodels' runs a full garbage collection at
    # every call); ties, zeros, ones and lone values included, the numbers must be the same bits.
    # (The reference's garbage collection is skipped here: it changes no number, and in a test
    # worker holding many objects it made this test take a minute.)
    values = np.array(pvalues, dtype=float)
    with mock.patch("gc.collect", return_value=0):
        expected = multipletests(values, method={"holm": "holm", "bonferroni": "bonferroni", "fdr_bh": "fdr_bh"}[adjust])[1]
    found = adjust_pvalues(values, adjust)
    assert found.shape == values.shape
    assert found.tobytes() == np.asarray(expected, dtype=float).tobytes(), (values, found, expected)


def test_adjusted_pvalues_leave_missing_ones_out_of_the_count():
    values = np.array([0.01, np.nan, 0.02, 0.04, np.nan])
    found = adjust_pvalues(values, "holm")
    assert np.isnan(found[[1, 4]]).all()
    assert found[[0, 2, 3]].tobytes() == multipletests(values[[0, 2, 3]], method="holm")[1].tobytes()
    assert adjust_pvalues(values, None) is not None and np.array_equal(adjust_pvalues(values, None), values, equal_nan=True)
