"""EX -> CX linkage: joining unit tables and lagged correlations across and within units.

Reference values come from outside cxlab: numpy's correlation coefficient,
scipy.stats.pearsonr with its Fisher-z interval on the same pairs, statsmodels' own
dummy-variable regression with standard errors clustered by unit, and statsmodels'
``multipletests``. The within-unit method is also held to its error rate by simulation.
"""

from __future__ import annotations

import math

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
        (lambda: linkage.lagged_correlation(pd.DataFrame({"u": [1, 1], "t": [1, 2], "x": [1, 2], "y": [1, 2]}),
                                            "x", "y", "u", "t", lags=[0], nan_policy="drop"), ValueError,
         "nan_policy must be one of"),
        (lambda: linkage.lagged_correlation(pd.DataFrame({"u": [1, 1], "t": [1, 2], "x": [1, 2], "y": [1, 2]}),
                                            "x", "y", "u", "t", lags=[0], adjust="bonferroni"), ValueError,
         r"adjust must be None or one of \['holm', 'fdr_bh'\], got 'bonferroni'"),
        (lambda: linkage.lagged_correlation(pd.DataFrame({"u": [1, 1], "t": [1, 2], "x": [1, 2], "y": [1, 2]}),
                                            "x", "y", "u", "t", lags=[0], adjust=True), TypeError, "adjust must be"),
        (lambda: linkage.lagged_correlation(pd.DataFrame({"u": [1, 1], "t": [1, 2], "x": [1, 2], "y": [1, 2]}),
                                            "x", "y", "u", "t", lags=[0], within="yes"), TypeError,
         "within must be True or False"),
        (lambda: linkage.lagged_correlation(pd.DataFrame({"u": [1, 1], "t": [1, 2], "x": [1, 2], "y": [1, 2]}),
                                            "x", "y", "u", "t", 0, True), TypeError, "positional"),
    ],
    ids=["duplicate-panel-rows", "duplicate-join-keys", "unknown-nan-policy", "unknown-adjustment",
         "adjust-not-text", "within-not-bool", "options-by-position"],
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
    assert table.loc[1, "value"] == pytest.approx(reference.statistic)
    assert table.loc[1, "pvalue"] == pytest.approx(reference.pvalue)
    low, high = reference.confidence_interval(0.95)
    assert (table.loc[1, "low"], table.loc[1, "high"]) == (pytest.approx(low), pytest.approx(high))
    assert table.loc[-1, "value"] == pytest.approx(np.corrcoef(ex[:, 1:].ravel(), cx[:, :-1].ravel())[0, 1])
    assert table.loc[1, "n"] == units * (periods - 1)
    # pearsonr's test is Student's t on n - 2 degrees of freedom.
    assert table.loc[1, "dof"] == units * (periods - 1) - 2
    assert stats.t.sf(abs(table.loc[1, "statistic"]), table.loc[1, "dof"]) * 2 == pytest.approx(reference.pvalue)
    assert table.attrs["within"] is False and table.attrs["dropped_missing"] == 0


def test_within_unit_correlation_removes_fixed_differences():
    # Units differ a lot in level (a confounder) but, within each, x and y move independently.
    rng = np.random.default_rng(5)
    level = np.repeat(rng.normal(0, 5, 30), 8)
    panel = pd.DataFrame({"unit": np.repeat(np.arange(30), 8), "t": np.tile(np.arange(8), 30),
                          "x": level + rng.normal(size=240), "y": level + rng.normal(size=240)})
    pooled = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[0])
    within = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[0], within=True)
    assert pooled.loc[0, "value"] > 0.9
    assert within.loc[0, "low"] < 0 < within.loc[0, "high"]
    # At lag 0 nothing is held fixed: the estimate is the plain correlation of what is left
    # after removing each unit's means.
    centred = panel[["x", "y"]] - panel.groupby("unit")[["x", "y"]].transform("mean")
    assert within.loc[0, "value"] == pytest.approx(np.corrcoef(centred["x"], centred["y"])[0, 1])


def make_panel(rng, units=40, periods=8, same_period=0.5, carry_over=0.5, lagged=0.0):
    """A panel with unit fixed effects, x and y correlated within a period, AR(1) shocks.

    Each unit's shocks follow ``s[t] = carry_over * s[t-1] + innovation`` (started from
    their stationary distribution), the innovations of x and y correlate ``same_period``,
    so x and y correlate ``same_period`` in every period. ``lagged`` adds
    ``lagged * x[t-1]`` to y[t]: with 0 there is no lagged link, only carry-over.
    """
    innovation_x = rng.standard_normal((units, periods))
    innovation_y = same_period * innovation_x + math.sqrt(1 - same_period**2) * rng.standard_normal((units, periods))
    x, y = np.empty((units, periods)), np.empty((units, periods))
    stationary = 1 / math.sqrt(1 - carry_over**2)
    x[:, 0], y[:, 0] = stationary * innovation_x[:, 0], stationary * innovation_y[:, 0]
    for t in range(1, periods):
        x[:, t] = carry_over * x[:, t - 1] + innovation_x[:, t]
        y[:, t] = carry_over * y[:, t - 1] + innovation_y[:, t]
    y[:, 1:] += lagged * x[:, :-1]
    level = rng.normal(0, 2, (units, 1))
    x, y = x + level, y + 0.7 * level + rng.normal(0, 2, (units, 1))
    return pd.DataFrame({"unit": np.repeat(np.arange(units), periods), "t": np.tile(np.arange(periods), units),
                         "x": x.ravel(), "y": y.ravel()})


def previous_within_pvalue(panel: pd.DataFrame, lag: int) -> float:
    """The former estimator: correlate what is left after removing each unit's mean over all
    periods, tested as if pairs were independent with n - units - 2 degrees of freedom."""
    from scipy import stats

    centred = panel.assign(**{c: panel[c] - panel.groupby("unit")[c].transform("mean") for c in ("x", "y")})
    pairs = centred[["unit", "t", "x"]].merge(centred[["unit", "t", "y"]].assign(t=lambda d: d["t"] - lag),
                                              on=["unit", "t"])
    r = np.corrcoef(pairs["x"], pairs["y"])[0, 1]
    dof = len(pairs) - pairs["unit"].nunique() - 2
    return 2 * stats.t.sf(abs(r) / math.sqrt((1 - r * r) / dof), dof)


@pytest.mark.slow
def test_within_units_no_lagged_link_is_found_about_five_percent_of_the_time():
    # 1,000 panels of 40 units x 8 periods with fixed effects, a same-period correlation
    # of 0.5, shocks that carry over (AR(1), 0.5) and no lagged link at all.
    rng = np.random.default_rng(20260301)
    panels = 1000
    found = {-1: 0, 1: 0}
    found_before = {-1: 0, 1: 0}
    for _ in range(panels):
        panel = make_panel(rng)
        table = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[-1, 1], within=True)
        for lag in (-1, 1):
            found[lag] += table.loc[lag, "pvalue"] < 0.05
            found_before[lag] += previous_within_pvalue(panel, lag) < 0.05
    for lag in (-1, 1):
        assert 0.03 <= found[lag] / panels <= 0.07, (lag, found[lag] / panels)
        # The former estimator, on the same panels, found a lead or lag in about half of them.
        assert found_before[lag] / panels > 0.3, (lag, found_before[lag] / panels)


def test_a_planted_lagged_link_is_found_and_not_its_reverse():
    rng = np.random.default_rng(11)
    found = 0
    for _ in range(100):
        table = linkage.lagged_correlation(make_panel(rng, lagged=0.3), "x", "y", "unit", "t", lags=[-1, 1],
                                           within=True)
        found += table.loc[1, "pvalue"] < 0.05 and table.loc[1, "value"] > 0
    assert found >= 90
    table = linkage.lagged_correlation(make_panel(np.random.default_rng(12), lagged=0.6), "x", "y", "unit", "t",
                                       lags=[-1, 1], within=True)
    assert table.loc[1, "low"] > 0 and table.loc[1, "pvalue"] < 1e-4
    assert table.loc[-1, "low"] < 0 < table.loc[-1, "high"]


def test_within_units_matches_a_dummy_variable_regression_in_statsmodels():
    import statsmodels.formula.api as smf
    from scipy import stats

    rng = np.random.default_rng(8)
    panel = make_panel(rng, units=9, periods=5)
    # Unbalanced, and unit 8 keeps a single pair at lag 1: it carries no within-unit
    # information and must not count as a cluster.
    panel = panel.drop(index=[3, 11, 12, 40, 41, 43]).reset_index(drop=True)
    table = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[1, -1], within=True, ci=0.9)
    for lag in (1, -1):
        later = panel.rename(columns={"x": "x_then", "y": "y_then"}).assign(t=lambda d: d["t"] - lag)
        pairs = panel[["unit", "t", "x"]].merge(later, on=["unit", "t"])
        pairs = pairs[pairs.groupby("unit")["unit"].transform("size") > 1]
        fit = smf.ols("y_then ~ x + x_then + C(unit)", data=pairs).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(pairs["unit"])[0]}, use_t=True)
        units, n = pairs["unit"].nunique(), len(pairs)
        # statsmodels scales the clustered variance by (n - 1) / (n - k); with the unit
        # dummies in k that counts the absorbed unit means, which the within regression
        # (like Stata's xtreg, fe) does not: k = 2 there.
        se = fit.bse["x"] * math.sqrt((n - len(fit.params)) / (n - 2))
        row = table.loc[lag]
        assert row["coef"] == pytest.approx(fit.params["x"], rel=1e-9)
        assert row["se"] == pytest.approx(se, rel=1e-9)
        assert (row["n"], row["units"], row["dof"]) == (n, units, units - 1)
        assert row["statistic"] == pytest.approx(fit.params["x"] / se, rel=1e-9)
        assert row["pvalue"] == pytest.approx(2 * stats.t.sf(abs(row["statistic"]), units - 1), rel=1e-9)
        # The partial correlation of x(t) and y(t+lag) given x(t+lag) and the unit, from
        # least-squares residuals.
        controls = pd.get_dummies(pairs["unit"]).to_numpy(dtype=float)
        controls = np.column_stack([controls, pairs["x_then"]])

        def residual(values):
            return values - controls @ np.linalg.lstsq(controls, values, rcond=None)[0]

        partial = np.corrcoef(residual(pairs["x"].to_numpy()), residual(pairs["y_then"].to_numpy()))[0, 1]
        assert row["value"] == pytest.approx(partial, rel=1e-9)
        half = stats.t.ppf(0.95, units - 1) * se * partial / fit.params["x"]
        assert (row["low"], row["high"]) == (pytest.approx(partial - abs(half)), pytest.approx(partial + abs(half)))
    assert table.attrs["within"] is True and "partial correlation" in table.attrs["estimate"]


def test_a_missing_value_is_an_error_that_names_column_row_and_count():
    panel = make_panel(np.random.default_rng(3), units=6, periods=5)
    panel.index = [f"row{i}" for i in range(len(panel))]
    panel.loc[["row7", "row12"], "y"] = np.nan
    with pytest.raises(ValueError, match=r"2 row\(s\) have a missing value in \['y'\], the first at index 'row7'"):
        linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[1], within=True)
    with pytest.raises(ValueError, match="nan_policy='omit'"):
        linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[1])


@pytest.mark.parametrize("within", [False, True])
def test_omitting_missing_values_drops_their_rows_and_says_how_many(within):
    panel = make_panel(np.random.default_rng(3), units=8, periods=6)
    gaps = panel.copy()
    gaps.loc[[4, 9], "x"] = np.nan
    gaps.loc[[9, 30], "y"] = np.nan
    omitted = linkage.lagged_correlation(gaps, "x", "y", "unit", "t", lags=[-1, 0, 1], within=within,
                                         nan_policy="omit")
    without = linkage.lagged_correlation(panel.drop(index=[4, 9, 30]), "x", "y", "unit", "t", lags=[-1, 0, 1],
                                         within=within)
    pd.testing.assert_frame_equal(omitted, without)
    assert omitted.attrs["dropped_missing"] == 3 and without.attrs["dropped_missing"] == 0
    assert omitted.attrs["nan_policy"] == "omit"


def test_omitting_a_whole_period_does_not_shift_the_lags():
    panel = make_panel(np.random.default_rng(6), units=10, periods=6)
    gaps = panel.copy()
    gaps.loc[gaps["t"] == 2, "y"] = np.nan
    table = linkage.lagged_correlation(gaps, "x", "y", "unit", "t", lags=[1], nan_policy="omit")
    # Period 2 lost its rows, so pairs (x at t, y at t + 1) remain for t = 0, 3 and 4. Were the
    # periods renumbered after leaving rows out, 1 and 3 would count as neighbours (40 pairs).
    assert table.loc[1, "n"] == 10 * 3
    assert table.attrs["dropped_missing"] == 10


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
@pytest.mark.parametrize("within", [False, True])
def test_adjusted_pvalues_match_statsmodels_multipletests(method, within):
    from statsmodels.stats.multitest import multipletests

    panel = make_panel(np.random.default_rng(9), lagged=0.15)
    lags = [-2, -1, 0, 1, 2]
    table = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=lags, within=within, adjust=method)
    plain = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=lags, within=within)
    np.testing.assert_allclose(table["pvalue_adjusted"], multipletests(plain["pvalue"], method=method)[1])
    assert list(table.columns).index("pvalue_adjusted") == list(table.columns).index("pvalue") + 1
    assert table.attrs["adjust"] == method and "pvalue_adjusted" not in plain.columns


def test_a_lag_without_enough_pairs_is_left_out_of_the_adjustment():
    from statsmodels.stats.multitest import multipletests

    panel = make_panel(np.random.default_rng(2), units=30, periods=4)
    panel = panel[~((panel["t"] == 3) & (panel["unit"] > 0))]  # lag 3 keeps a single pair
    table = linkage.lagged_correlation(panel, "x", "y", "unit", "t", lags=[0, 1, 3], within=True, adjust="holm")
    assert math.isnan(table.loc[3, "pvalue"]) and math.isnan(table.loc[3, "pvalue_adjusted"])
    np.testing.assert_allclose(table.loc[[0, 1], "pvalue_adjusted"],
                               multipletests(table.loc[[0, 1], "pvalue"], method="holm")[1])


def test_course_panel_shows_ex_leading_cx_within_branches():
    import cxlab
    from cxlab.data import load_branch_outcomes, load_employee_survey

    staff = load_employee_survey().groupby(["branch", "quarter"])["recommend"].apply(
        lambda scores: cxlab.enps(scores).value).rename("enps").reset_index()
    joined = linkage.join_units(staff, load_branch_outcomes())
    assert joined.unmatched_left == 1 and joined.unmatched_right == 3  # B40 closed, B12 skipped a survey, B41 new
    within = linkage.lagged_correlation(joined.table, "enps", "nps", "branch", "quarter", lags=[-1, 1], within=True,
                                        adjust="holm")
    assert within.loc[1, "low"] > 0 and within.loc[1, "pvalue_adjusted"] < 0.001
    assert within.loc[-1, "low"] < 0 < within.loc[-1, "high"]
    assert within.loc[1, "value"] > within.loc[-1, "value"] + 0.2
