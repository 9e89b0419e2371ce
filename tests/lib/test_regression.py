"""Regression adjustment and difference-in-differences.

Reference values come from outside cxlab: statsmodels' OLS (formula interface) and
scipy's t tests. Invariants of the difference-in-differences are checked on generated
panels (hypothesis).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import cxlab
from cxlab.stats.groups import compare_groups
from cxlab.stats.regression import adjusted_effect, diff_in_diff

from .strategies import values

# ------------------------------------------------------------------ regression


def test_adjusted_effect_matches_statsmodels_formula(teams):
    ours = adjusted_effect(teams, "nps", "certificate", ["maturity", "budget_per_agent", "size"])
    fit = smf.ols(
        "nps ~ C(certificate, Treatment('none')) + maturity + budget_per_agent + size", data=teams
    ).fit(cov_type="HC3", use_t=True)
    name = "C(certificate, Treatment('none'))[T.certified]"
    assert ours.value == pytest.approx(fit.params[name])
    assert ours.se == pytest.approx(fit.bse[name])
    # t with the residual degrees of freedom, the rule for every regression in cxlab
    assert ours.statistic == pytest.approx(fit.tvalues[name])
    assert ours.dof == fit.df_resid
    assert ours.pvalue == pytest.approx(fit.pvalues[name])
    assert ours.r_squared == pytest.approx(fit.rsquared)


def test_adjusted_effect_without_controls_is_the_two_sample_t_test(teams):
    certified = teams.loc[teams["certificate"] == "certified", "nps"]
    none = teams.loc[teams["certificate"] == "none", "nps"]
    difference = certified.mean() - none.mean()
    student = scipy_stats.ttest_ind(certified, none, equal_var=True)
    welch = scipy_stats.ttest_ind(certified, none, equal_var=False)
    classical = adjusted_effect(teams, "nps", "certificate", cov_type="nonrobust")
    assert classical.value == pytest.approx(difference)
    assert classical.se == pytest.approx(difference / student.statistic)
    assert classical.pvalue == pytest.approx(student.pvalue)
    # HC2 with one binary regressor is exactly Welch's variance.
    assert adjusted_effect(teams, "nps", "certificate", cov_type="HC2").se == pytest.approx(difference / welch.statistic)


def test_categorical_controls_become_dummies(teams):
    as_text = teams.assign(maturity=teams["maturity"].map({1: "ad hoc", 2: "documented", 3: "measured", 4: "improved"}))
    ours = adjusted_effect(as_text, "nps", "certificate", ["maturity"])
    fit = smf.ols("nps ~ C(certificate, Treatment('none')) + C(maturity)", data=as_text).fit(cov_type="HC3")
    assert ours.value == pytest.approx(fit.params["C(certificate, Treatment('none'))[T.certified]"])


# ---------------------------------------------------- difference in differences


def test_did_with_units_is_welch_on_each_units_change(panel):
    result = diff_in_diff(panel, "days_to_resolve", "arm", "period", treated="process fix", control="none", unit="team")
    wide = panel.pivot(index="team", columns="period", values="days_to_resolve")
    change = wide["2026-H2"] - wide["2026-H1"]
    arm = panel.groupby("team")["arm"].first()
    treated, control = change[arm == "process fix"], change[arm == "none"]
    welch = scipy_stats.ttest_ind(treated, control, equal_var=False)
    assert result.value == pytest.approx(treated.mean() - control.mean())
    assert result.pvalue == pytest.approx(welch.pvalue)
    low, high = welch.confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))
    assert result.treated_change == pytest.approx(treated.mean())


def test_did_without_units_is_the_ols_interaction(panel):
    subset = panel[panel["arm"].isin(["process fix", "none"])].assign(
        treated=lambda d: (d["arm"] == "process fix").astype(int), after=lambda d: (d["period"] == "2026-H2").astype(int)
    )
    fit = smf.ols("nps ~ treated * after", data=subset).fit(cov_type="HC3")
    result = diff_in_diff(panel, "nps", "arm", "period", treated="process fix", control="none")
    assert result.value == pytest.approx(fit.params["treated:after"])
    assert result.se == pytest.approx(fit.bse["treated:after"])


def test_panel_recovers_the_documented_effects(panel):
    # The data card: process fix x0.70 days and +6 NPS, certification course 0, trend +3.
    fix_days = diff_in_diff(panel, "days_to_resolve", "arm", "period", treated="process fix", control="none", unit="team")
    fix_nps = diff_in_diff(panel, "nps", "arm", "period", treated="process fix", control="none", unit="team")
    course = diff_in_diff(panel, "nps", "arm", "period", treated="certification course", control="none", unit="team")
    assert fix_days.high < 0
    assert fix_nps.low <= 6 <= fix_nps.high and fix_nps.low > 0
    assert course.low <= 0 <= course.high
    assert course.treated_change > 2  # without a control group the course would look useful


def test_certificate_effect_is_confounded_in_the_teams_data(teams):
    naive = compare_groups(teams, "nps", "certificate")
    adjusted = adjusted_effect(teams, "nps", "certificate", ["maturity", "budget_per_agent", "size"])
    assert naive.low > 5
    assert adjusted.low <= 0 <= adjusted.high


# ------------------------------------------------------------------ invariants


@settings(settings.get_profile("cxlab-groups"))
@given(
    st.lists(values, min_size=6, max_size=6),
    st.lists(values, min_size=6, max_size=6),
    st.lists(values, min_size=12, max_size=12),
    values,
)
def test_did_ignores_unit_levels_and_common_shocks(before, noise, unit_levels, shock):
    # Six treated and six control units; adding a constant per unit, or the same
    # change to every unit in the second period, leaves the estimate unchanged.
    units = [f"u{i}" for i in range(12)]
    arm = ["t"] * 6 + ["c"] * 6
    y_before = np.r_[before, before]
    y_after = y_before + np.r_[noise, noise[::-1]] + np.r_[[5.0] * 6, [0.0] * 6]
    panel = pd.DataFrame({
        "unit": units * 2, "arm": arm * 2, "period": ["1"] * 12 + ["2"] * 12, "y": np.r_[y_before, y_after],
    })
    assume(np.std(noise) > 1e-3)
    base = cxlab.diff_in_diff(panel, "y", "arm", "period", treated="t", unit="unit")
    moved = panel.assign(y=panel["y"] + np.r_[unit_levels, unit_levels] + np.where(panel["period"] == "2", shock, 0.0))
    other = cxlab.diff_in_diff(moved, "y", "arm", "period", treated="t", unit="unit")
    assert other.value == pytest.approx(base.value, abs=1e-6)
    assert other.se == pytest.approx(base.se, rel=1e-6, abs=1e-9)
    assert base.value == pytest.approx(5.0 + np.mean(noise) - np.mean(noise[::-1]), abs=1e-9)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t, p: adjusted_effect(t, "nps", "certificate", ["maturity", "nps"]), ValueError, "must not include"),
        (lambda t, p: adjusted_effect(t.assign(double=2 * t["maturity"]), "nps", "certificate", ["maturity", "double"]),
         ValueError, "collinear"),
        (lambda t, p: adjusted_effect(t, "nps", "certificate", cov_type="robust"), ValueError, "cov_type"),
        (lambda t, p: diff_in_diff(p, "nps", "arm", "period", treated="training"), ValueError, "training"),
        (lambda t, p: diff_in_diff(p, "nps", "arm", "period", treated="process fix"), ValueError, "control="),
        (lambda t, p: diff_in_diff(p.iloc[1:], "nps", "arm", "period", treated="process fix", control="none", unit="team"),
         ValueError, "exactly one row"),
    ],
    ids=["outcome-as-control", "collinear-controls", "unknown-cov-type", "unknown-treated", "control-needed",
         "unbalanced-panel"],
)
def test_bad_input_raises_a_clear_error(teams, panel, call, error, message):
    with pytest.raises(error, match=message):
        call(teams, panel)
