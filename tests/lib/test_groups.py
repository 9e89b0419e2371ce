"""Plain two-group comparisons: Welch's t for means, Newcombe's interval for proportions.

Reference values come from outside cxlab: scipy's t tests and chi-square test, and
Newcombe's (1998) hybrid score interval written out from its definition. Invariants
of the comparison are checked on generated data (hypothesis).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import cxlab
from cxlab.stats.groups import compare_groups
from cxlab.stats.proportions import wilson_interval

from .strategies import values

samples = st.lists(values, min_size=2, max_size=30)


def two_groups(a, b, name="y"):
    return pd.DataFrame({name: np.r_[a, b], "g": ["a"] * len(a) + ["b"] * len(b)})


# ------------------------------------------------------- plain two-group tests


def test_mean_difference_is_welchs_t_test():
    rng = np.random.default_rng(5)
    a, b = rng.normal(3, 1, 40), rng.normal(2.5, 2, 25)
    result = compare_groups(two_groups(a, b), "y", "g")
    reference = scipy_stats.ttest_ind(a, b, equal_var=False)
    assert result.value == pytest.approx(a.mean() - b.mean())
    assert result.pvalue == pytest.approx(reference.pvalue)
    low, high = reference.confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))
    assert result.se == pytest.approx(result.value / reference.statistic)


def test_proportion_difference_p_value_is_pearsons_chi_square(stones):
    result = compare_groups(stones, "success", "treatment")
    table = [[273, 350 - 273], [289, 350 - 289]]
    chi2 = scipy_stats.chi2_contingency(table, correction=False)
    assert result.kind == "proportion"
    assert result.pvalue == pytest.approx(chi2.pvalue)


def test_proportion_interval_is_newcombes_hybrid_score_interval():
    # Newcombe (1998), method 10: combine the two Wilson intervals (Wilson 1927, itself
    # checked against published values in test_proportions).
    x1, n1, x2, n2 = 56, 70, 48, 80
    frame = two_groups(np.r_[np.ones(x1), np.zeros(n1 - x1)], np.r_[np.ones(x2), np.zeros(n2 - x2)])
    result = compare_groups(frame, "y", "g", kind="proportion")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1)
    l2, u2 = wilson_interval(x2, n2)
    assert result.low == pytest.approx(p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert result.high == pytest.approx(p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def test_order_chooses_which_level_comes_first(teams):
    default = compare_groups(teams, "nps", "certificate")
    swapped = compare_groups(teams, "nps", "certificate", order=("none", "certified"))
    assert default.levels == ("certified", "none")
    assert swapped.value == pytest.approx(-default.value)
    assert (swapped.low, swapped.high) == (pytest.approx(-default.high), pytest.approx(-default.low))


def test_missing_values_can_be_omitted(teams):
    gappy = teams.assign(nps=teams["nps"].where(teams.index % 10 != 0))
    result = compare_groups(gappy, "nps", "certificate", nan_policy="omit")
    assert sum(result.n) == int(gappy["nps"].notna().sum())


# ------------------------------------------------------------------ invariants


@settings(settings.get_profile("cxlab-groups"))
@given(samples, samples, values)
def test_swapping_groups_negates_and_shifting_changes_nothing(a, b, shift):
    frame = pd.DataFrame({"y": a + b, "g": ["a"] * len(a) + ["b"] * len(b)})
    assume(np.std(a) > 1e-6 or np.std(b) > 1e-6)
    forward = cxlab.compare_groups(frame, "y", "g")
    backward = cxlab.compare_groups(frame, "y", "g", order=("b", "a"))
    assert backward.value == pytest.approx(-forward.value, abs=1e-9)
    assert backward.se == pytest.approx(forward.se)
    assert backward.pvalue == pytest.approx(forward.pvalue)
    assert forward.low <= forward.value <= forward.high
    shifted = cxlab.compare_groups(frame.assign(y=frame["y"] + shift), "y", "g")
    assert shifted.value == pytest.approx(forward.value, abs=1e-6)
    assert shifted.se == pytest.approx(forward.se, rel=1e-6, abs=1e-9)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t, p: compare_groups(t, "nps", "maturity"), ValueError, "exactly two levels"),
        (lambda t, p: compare_groups(t, "nps", "certified"), ValueError, "not found"),
        (lambda t, p: compare_groups(t, "team", "certificate"), TypeError, r"column 'team' must hold numbers .*found 'T"),
        (lambda t, p: compare_groups(t.assign(nps=t["nps"].where(t.index != 3)), "nps", "certificate"), ValueError, "nan_policy='omit'"),
        (lambda t, p: compare_groups(t, "nps", "certificate", order=("certified", "gold")), ValueError, "gold"),
        (lambda t, p: compare_groups(t, "nps", "certificate", ci=95), ValueError, "strictly between 0 and 1"),
    ],
    ids=["four-levels", "missing-column", "text-outcome", "missing-value", "unknown-order-level", "ci-as-percent"],
)
def test_bad_input_raises_a_clear_error(teams, panel, call, error, message):
    with pytest.raises(error, match=message):
        call(teams, panel)


# ------------------------------------------------------------------ kind, t and z


def test_kind_is_never_guessed_from_the_values(teams):
    # A score column that happens to hold only 0 and 1 stays a mean; the same data
    # as booleans is a proportion; the values * 10 give the same kind as the values.
    scores = two_groups(np.array([0, 1, 1, 0, 1.0]), np.array([0, 0, 1, 0, 0.0]))
    as_mean = compare_groups(scores, "y", "g")
    tenfold = compare_groups(scores.assign(y=10 * scores["y"]), "y", "g")
    as_share = compare_groups(scores.assign(y=scores["y"].astype(bool)), "y", "g")
    assert as_mean.kind == tenfold.kind == "mean" and as_mean.method == "Welch t"
    assert tenfold.pvalue == pytest.approx(as_mean.pvalue)
    assert as_share.kind == "proportion" and as_share.value == pytest.approx(as_mean.value)
    assert compare_groups(scores, "y", "g", kind="proportion").method == as_share.method
    with pytest.raises(ValueError, match=r"kind='proportion' needs an outcome of 0 and 1.*10\.0"):
        compare_groups(scores.assign(y=10 * scores["y"]), "y", "g", kind="proportion")
    with pytest.raises(ValueError, match="kind must be one of"):
        compare_groups(scores, "y", "g", kind="share")


def test_welch_statistic_and_degrees_of_freedom_are_scipys(teams):
    result = compare_groups(teams, "nps", "certificate")
    a = teams.loc[teams["certificate"] == "certified", "nps"]
    b = teams.loc[teams["certificate"] == "none", "nps"]
    reference = scipy_stats.ttest_ind(a, b, equal_var=False)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.dof == pytest.approx(reference.df)
    low, high = reference.confidence_interval(confidence_level=0.9)
    assert result.confidence_interval(0.9) == pytest.approx((low, high))


def test_results_give_a_one_row_frame_and_old_names_warn(teams):
    result = compare_groups(teams, "nps", "certificate")
    frame = result.to_frame()
    assert frame.loc["GroupComparison", "value"] == result.value
    assert {"levels_0", "levels_1", "means_0", "n_1", "statistic", "pvalue"} <= set(frame.columns)
    with pytest.warns(DeprecationWarning, match="use .value"):
        assert result.difference == result.value
    with pytest.warns(DeprecationWarning, match="by position"):
        positional = compare_groups(teams, "nps", "certificate", "maturity")
    assert positional.strata == "maturity"
