"""Group comparisons, adjustment, difference-in-differences and the bootstrap.

Reference values come from outside cxlab: the kidney-stone counts of Charig et al.
(1986, BMJ 292:879) as tabulated by Julious and Mullee (1994, BMJ 309:1480); scipy's
t tests and chi-square test; statsmodels' OLS; Newcombe's (1998) hybrid score
interval written out from its definition; Sato's (1989) variance checked against the
large-sample binomial variance and by simulated coverage.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as scipy_stats

from cxlab import adjusted_effect, bootstrap_interval, compare_groups, diff_in_diff, wilson_interval
from cxlab.data import load_kidney_stones, load_team_panel, load_teams


@pytest.fixture(scope="module")
def stones():
    return load_kidney_stones()


@pytest.fixture(scope="module")
def teams():
    return load_teams()


@pytest.fixture(scope="module")
def panel():
    return load_team_panel()


def two_groups(a, b, name="y"):
    return pd.DataFrame({name: np.r_[a, b], "g": ["a"] * len(a) + ["b"] * len(b)})


# ----------------------------------------------------------- Simpson's paradox


def test_kidney_stone_rates_match_the_published_table(stones):
    # Charig et al. (1986), abstract: 273/350 (78%) after open surgery, 289/350 (83%) after
    # percutaneous nephrolithotomy. Julious and Mullee (1994): small stones 81/87 (93%) and
    # 234/270; large stones 192/263 (73%) and 55/80 (69%).
    rates = stones.groupby(["treatment", "stone_size"])["success"].agg(["sum", "size"])
    assert rates.loc[("open surgery", "small")].tolist() == [81, 87]
    assert rates.loc[("open surgery", "large")].tolist() == [192, 263]
    assert rates.loc[("percutaneous", "small")].tolist() == [234, 270]
    assert rates.loc[("percutaneous", "large")].tolist() == [55, 80]
    overall = compare_groups(stones, "success", "treatment")
    assert [round(100 * mean) for mean in overall.means] == [78, 83]
    table = compare_groups(stones, "success", "treatment", strata="stone_size").table
    assert round(100 * table.loc["small", "mean_open surgery"]) == 93
    assert round(100 * table.loc["large", "mean_open surgery"]) == 73
    assert round(100 * table.loc["large", "mean_percutaneous"]) == 69
    assert table.loc["small", "mean_percutaneous"] == pytest.approx(234 / 270)


def test_kidney_stones_show_simpsons_paradox(stones):
    overall = compare_groups(stones, "success", "treatment")
    stratified = compare_groups(stones, "success", "treatment", strata="stone_size")
    assert overall.levels == ("open surgery", "percutaneous")
    assert overall.difference == pytest.approx(273 / 350 - 289 / 350)
    assert overall.difference < 0
    assert (stratified.table["difference"] > 0).all()
    assert stratified.difference > 0
    # The Mantel-Haenszel weights n_a * n_b / n, computed by hand from the counts.
    w_small, w_large = 87 * 270 / 357, 263 * 80 / 343
    expected = (w_small * (81 / 87 - 234 / 270) + w_large * (192 / 263 - 55 / 80)) / (w_small + w_large)
    assert stratified.difference == pytest.approx(expected)
    assert stratified.table["weight"].sum() == pytest.approx(1.0)


# ------------------------------------------------------- plain two-group tests


def test_mean_difference_is_welchs_t_test():
    rng = np.random.default_rng(5)
    a, b = rng.normal(3, 1, 40), rng.normal(2.5, 2, 25)
    result = compare_groups(two_groups(a, b), "y", "g")
    reference = scipy_stats.ttest_ind(a, b, equal_var=False)
    assert result.difference == pytest.approx(a.mean() - b.mean())
    assert result.pvalue == pytest.approx(reference.pvalue)
    low, high = reference.confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))
    assert result.se == pytest.approx(result.difference / reference.statistic)


def test_proportion_difference_p_value_is_pearsons_chi_square(stones):
    result = compare_groups(stones, "success", "treatment")
    table = [[273, 350 - 273], [289, 350 - 289]]
    chi2 = scipy_stats.chi2_contingency(table, correction=False)
    assert result.kind == "proportion"
    assert result.pvalue == pytest.approx(chi2.pvalue)


def test_proportion_interval_is_newcombes_hybrid_score_interval():
    # Newcombe (1998), method 10: combine the two Wilson intervals (Wilson 1927, itself
    # checked against published values in test_metrics).
    x1, n1, x2, n2 = 56, 70, 48, 80
    frame = two_groups(np.r_[np.ones(x1), np.zeros(n1 - x1)], np.r_[np.ones(x2), np.zeros(n2 - x2)])
    result = compare_groups(frame, "y", "g")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1)
    l2, u2 = wilson_interval(x2, n2)
    assert result.low == pytest.approx(p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert result.high == pytest.approx(p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def test_order_chooses_which_level_comes_first(teams):
    default = compare_groups(teams, "nps", "certificate")
    swapped = compare_groups(teams, "nps", "certificate", order=("none", "certified"))
    assert default.levels == ("certified", "none")
    assert swapped.difference == pytest.approx(-default.difference)
    assert (swapped.low, swapped.high) == (pytest.approx(-default.high), pytest.approx(-default.low))


# --------------------------------------------------------------- Mantel-Haenszel


def test_sato_variance_agrees_with_the_binomial_variance_in_large_strata():
    # With thousands per stratum, Sato's (1989) variance must match the ordinary
    # large-sample variance of a fixed-weight combination of risk differences.
    rng = np.random.default_rng(11)
    rows = []
    for stratum, (pa, pb, na, nb) in enumerate([(0.6, 0.5, 4000, 6000), (0.3, 0.25, 8000, 3000)]):
        rows.append(pd.DataFrame({"y": rng.random(na) < pa, "g": "a", "s": stratum}))
        rows.append(pd.DataFrame({"y": rng.random(nb) < pb, "g": "b", "s": stratum}))
    frame = pd.concat(rows, ignore_index=True).astype({"y": "int64"})
    result = compare_groups(frame, "y", "g", strata="s")
    table = result.table
    weights = table["weight"].to_numpy()
    binomial_se = math.sqrt(float((weights**2 * table["se"].to_numpy() ** 2).sum()))
    assert result.se == pytest.approx(binomial_se, rel=0.01)


@pytest.mark.parametrize("binary", [True, False], ids=["risk difference", "mean difference"])
def test_mantel_haenszel_interval_covers_the_true_difference_95_percent_of_the_time(binary):
    rng = np.random.default_rng(2026)
    true_difference, covered, trials = 0.1, 0, 600
    for _ in range(trials):
        frames = []
        for base, size in ((0.3, 30), (0.5, 50), (0.6, 20)):
            for group, shift in (("a", true_difference), ("b", 0.0)):
                n = size
                if binary:
                    y = (rng.random(n) < base + shift).astype("int64")
                else:
                    y = rng.normal(base + shift, 0.3, n)
                frames.append(pd.DataFrame({"y": y, "g": group, "s": base}))
        result = compare_groups(pd.concat(frames, ignore_index=True), "y", "g", strata="s")
        covered += result.low <= true_difference <= result.high
    # 600 trials: a correct 95% interval covers 92.9%..97.1% of the time with 99% probability.
    assert 0.929 <= covered / trials <= 0.971


def test_single_stratum_gives_the_plain_difference(teams):
    one = teams.assign(everyone="all")
    plain = compare_groups(one, "nps", "certificate")
    pooled = compare_groups(one, "nps", "certificate", strata="everyone")
    assert pooled.difference == pytest.approx(plain.difference)
    assert pooled.se == pytest.approx(plain.se)


# ------------------------------------------------------------------ regression


def test_adjusted_effect_matches_statsmodels_formula(teams):
    ours = adjusted_effect(teams, "nps", "certificate", ["maturity", "budget_per_agent", "size"])
    fit = smf.ols(
        "nps ~ C(certificate, Treatment('none')) + maturity + budget_per_agent + size", data=teams
    ).fit(cov_type="HC3")
    name = "C(certificate, Treatment('none'))[T.certified]"
    assert ours.effect == pytest.approx(fit.params[name])
    assert ours.se == pytest.approx(fit.bse[name])
    assert ours.pvalue == pytest.approx(fit.pvalues[name])
    assert ours.r_squared == pytest.approx(fit.rsquared)


def test_adjusted_effect_without_controls_is_the_two_sample_t_test(teams):
    certified = teams.loc[teams["certificate"] == "certified", "nps"]
    none = teams.loc[teams["certificate"] == "none", "nps"]
    difference = certified.mean() - none.mean()
    student = scipy_stats.ttest_ind(certified, none, equal_var=True)
    welch = scipy_stats.ttest_ind(certified, none, equal_var=False)
    classical = adjusted_effect(teams, "nps", "certificate", cov_type="nonrobust")
    assert classical.effect == pytest.approx(difference)
    assert classical.se == pytest.approx(difference / student.statistic)
    assert classical.pvalue == pytest.approx(student.pvalue)
    # HC2 with one binary regressor is exactly Welch's variance.
    assert adjusted_effect(teams, "nps", "certificate", cov_type="HC2").se == pytest.approx(difference / welch.statistic)


def test_categorical_controls_become_dummies(teams):
    as_text = teams.assign(maturity=teams["maturity"].map({1: "ad hoc", 2: "documented", 3: "measured", 4: "improved"}))
    ours = adjusted_effect(as_text, "nps", "certificate", ["maturity"])
    fit = smf.ols("nps ~ C(certificate, Treatment('none')) + C(maturity)", data=as_text).fit(cov_type="HC3")
    assert ours.effect == pytest.approx(fit.params["C(certificate, Treatment('none'))[T.certified]"])


# ---------------------------------------------------- difference in differences


def test_did_with_units_is_welch_on_each_units_change(panel):
    result = diff_in_diff(panel, "days_to_resolve", "arm", "period", treated="process fix", control="none", unit="team")
    wide = panel.pivot(index="team", columns="period", values="days_to_resolve")
    change = wide["2026-H2"] - wide["2026-H1"]
    arm = panel.groupby("team")["arm"].first()
    treated, control = change[arm == "process fix"], change[arm == "none"]
    welch = scipy_stats.ttest_ind(treated, control, equal_var=False)
    assert result.estimate == pytest.approx(treated.mean() - control.mean())
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
    assert result.estimate == pytest.approx(fit.params["treated:after"])
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


# -------------------------------------------------------------------- bootstrap


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
        return compare_groups(frame, "nps", "certificate").difference

    first = bootstrap_interval(teams, statistic, n_resamples=200, seed=7, strata="certificate")
    second = bootstrap_interval(teams, statistic, n_resamples=200, seed=7, strata="certificate")
    assert first == second
    assert np.array_equal(first.distribution, second.distribution)
    assert first.low < first.estimate < first.high


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t, p: compare_groups(t, "nps", "maturity"), ValueError, "exactly two levels"),
        (lambda t, p: compare_groups(t, "nps", "certified"), ValueError, "not found"),
        (lambda t, p: compare_groups(t, "team", "certificate"), TypeError, "must be numeric"),
        (lambda t, p: compare_groups(t.assign(stratum=np.where(t["certificate"] == "none", "x", t["maturity"].astype(str))),
                                     "nps", "certificate", strata="stratum"), ValueError, "has no rows with certificate="),
        (lambda t, p: compare_groups(t.assign(nps=t["nps"].where(t.index != 3)), "nps", "certificate"), ValueError, "nan_policy='omit'"),
        (lambda t, p: compare_groups(t, "nps", "certificate", order=("certified", "gold")), ValueError, "gold"),
        (lambda t, p: compare_groups(t, "nps", "certificate", ci=95), ValueError, "strictly between 0 and 1"),
        (lambda t, p: adjusted_effect(t, "nps", "certificate", ["maturity", "nps"]), ValueError, "must not include"),
        (lambda t, p: adjusted_effect(t.assign(double=2 * t["maturity"]), "nps", "certificate", ["maturity", "double"]),
         ValueError, "collinear"),
        (lambda t, p: adjusted_effect(t, "nps", "certificate", cov_type="robust"), ValueError, "cov_type"),
        (lambda t, p: diff_in_diff(p, "nps", "arm", "period", treated="training"), ValueError, "training"),
        (lambda t, p: diff_in_diff(p, "nps", "arm", "period", treated="process fix"), ValueError, "control="),
        (lambda t, p: diff_in_diff(p.iloc[1:], "nps", "arm", "period", treated="process fix", control="none", unit="team"),
         ValueError, "exactly one row"),
        (lambda t, p: bootstrap_interval(t, lambda d: d["nps"].mean()), ValueError, "seed is required"),
        (lambda t, p: bootstrap_interval(t, lambda d: "high", seed=1), TypeError, "one number"),
        (lambda t, p: bootstrap_interval(t, lambda d: d["nps"].mean(), seed=1, method="student"), ValueError, "method"),
    ],
    ids=[
        "four-levels", "missing-column", "text-outcome", "empty-stratum", "missing-value", "unknown-order-level",
        "ci-as-percent", "outcome-as-control", "collinear-controls", "unknown-cov-type", "unknown-treated",
        "control-needed", "unbalanced-panel", "unseeded-bootstrap", "text-statistic", "unknown-bootstrap-method",
    ],
)
def test_bad_input_raises_a_clear_error(teams, panel, call, error, message):
    with pytest.raises(error, match=message):
        call(teams, panel)


def test_missing_values_can_be_omitted(teams):
    gappy = teams.assign(nps=teams["nps"].where(teams.index % 10 != 0))
    result = compare_groups(gappy, "nps", "certificate", nan_policy="omit")
    assert sum(result.n) == int(gappy["nps"].notna().sum())


def test_a_failing_statistic_names_the_resample_and_suggests_strata():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"]})
    with pytest.raises(ValueError, match="resample .*strata="):
        bootstrap_interval(frame, lambda d: compare_groups(d, "y", "g").difference, n_resamples=500, seed=0)
