"""EX -> CX linkage: joining unit tables and lagged correlations within units.

Reference values come from outside cxlab: numpy's correlation coefficient and
scipy.stats.pearsonr with its Fisher-z interval, on the same pairs of values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import linkage


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: linkage.lagged_correlation(pd.DataFrame({"u": [1, 1], "t": [1, 1], "x": [1, 2], "y": [1, 2]}),
                                            "x", "y", "u", "t", lags=[0]), ValueError, "more than one row"),
        (lambda: linkage.join_units(pd.DataFrame({"branch": ["A", "A"], "quarter": ["Q1", "Q1"]}),
                                    pd.DataFrame({"branch": ["A"], "quarter": ["Q1"]})), ValueError, "repeated keys"),
    ],
    ids=["duplicate-panel-rows", "duplicate-join-keys"],
)
def test_bad_input_names_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_lagged_correlation_matches_numpy_and_scipy():
    from scipy import stats

    rng = np.random.default_rng(4)
    units, periods = 12, 6
    ex = rng.normal(size=(units, periods))
    cx = np.zeros_like(ex)
    cx[:, 1:] = 0.8 * ex[:, :-1] + rng.normal(0, 0.5, (units, periods - 1))
    panel = pd.DataFrame({"unit": np.repeat(np.arange(units), periods), "t": np.tile(np.arange(periods), units),
                          "ex": ex.ravel(), "cx": cx.ravel()})
    table = linkage.lagged_correlation(panel, "ex", "cx", "unit", "t", lags=[-1, 0, 1])
    reference = stats.pearsonr(ex[:, :-1].ravel(), cx[:, 1:].ravel())
    assert table.loc[1, "r"] == pytest.approx(reference.statistic)
    assert table.loc[1, "pvalue"] == pytest.approx(reference.pvalue)
    low, high = reference.confidence_interval(0.95)
    assert (table.loc[1, "low"], table.loc[1, "high"]) == (pytest.approx(low), pytest.approx(high))
    assert table.loc[-1, "r"] == pytest.approx(np.corrcoef(ex[:, 1:].ravel(), cx[:, :-1].ravel())[0, 1])
    assert table.loc[1, "n"] == units * (periods - 1)


def test_within_unit_correlation_removes_fixed_differences():
    # Units differ a lot in level (a confounder) but, within each, x and y move independently.
    rng = np.random.default_rng(5)
    level = np.repeat(rng.normal(0, 5, 30), 8)
    panel = pd.DataFrame({"unit": np.repeat(np.arange(30), 8), "t": np.tile(np.arange(8), 30),
                          "x": level + rng.normal(size=240), "y": level + rng.normal(size=240)})
    pooled = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[0])
    within = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[0], within=True)
    assert pooled.loc[0, "r"] > 0.9
    assert within.loc[0, "low"] < 0 < within.loc[0, "high"]


def test_course_panel_shows_ex_leading_cx_within_branches():
    import cxlab
    from cxlab.data import load_branch_outcomes, load_employee_survey

    staff = load_employee_survey().groupby(["branch", "quarter"])["recommend"].apply(
        lambda scores: cxlab.enps(scores).value).rename("enps").reset_index()
    joined = linkage.join_units(staff, load_branch_outcomes())
    assert joined.unmatched_left == 1 and joined.unmatched_right == 3  # B40 closed, B12 skipped a survey, B41 new
    within = linkage.lagged_correlation(joined.table, "enps", "nps", "branch", "quarter", lags=[-1, 1], within=True)
    assert within.loc[1, "low"] > 0 and within.loc[1, "r"] > within.loc[-1, "r"] + 0.2
