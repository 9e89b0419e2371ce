"""Voice of the customer: Kaplan-Meier time to action, NPS funnel plots, promise gaps, decision horizons.

Reference values come from outside cxlab: the Kaplan-Meier estimates of the 6-MP group
of Freireich et al. (1963), as printed by Kleinbaum and Klein (2012), *Survival
Analysis: A Self-Learning Text*, 3rd ed., chapter 2 (and by Cox 1972); funnel-plot
limits computed by hand from Spiegelhalter (2005), *Statistics in Medicine* 24,
1185-1202, for a small case; statsmodels' ``multipletests``; and the course data sets,
whose generating model (the truth) is known.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab import data, voc

# Freireich et al. (1963), 6-MP group: weeks in remission, "+" (event 0) censored.
SIX_MP_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
# Kleinbaum and Klein (2012), table of the KM estimates for the 6-MP group: S(t) at each event time.
SIX_MP_SURVIVAL = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}


def six_mp():
    return pd.DataFrame({"days_open": SIX_MP_WEEKS, "acted": np.array(SIX_MP_EVENT, dtype=bool)})


def test_kaplan_meier_reproduces_the_published_six_mp_estimates():
    curve = voc.action_curve(six_mp())
    table = curve.table.set_index("days")
    for week, survival in SIX_MP_SURVIVAL.items():
        assert table.loc[week, "share_open"] == pytest.approx(survival, abs=5e-5), week
    # at risk just before week 6: all 21; before week 7: 17 (three events and one censored at 6)
    assert table.loc[6.0, "at_risk"] == 21 and table.loc[6.0, "acted"] == 3
    assert table.loc[7.0, "at_risk"] == 17
    # The median remission is 23 weeks (Kleinbaum and Klein 2012), the first time S falls to 0.5 or below.
    assert curve.value == 23
    assert (curve.acted, curve.still_open) == (9, 12)


def test_greenwood_band_matches_the_published_standard_error_and_stays_in_bounds():
    curve = voc.action_curve(six_mp())
    row = curve.table.set_index("days").loc[6.0]
    # Greenwood's variance at week 6: S^2 * 3 / (21 * 18) -> se 0.0764 (Kleinbaum and Klein 2012)
    se = 0.8571 * math.sqrt(3 / (21 * 18))
    assert se == pytest.approx(0.0764, abs=1e-4)
    # log(-log) band: S ** exp(+-1.96 se / (S log S))
    s = 6 / 7
    theta = 1.959964 * se / (s * math.log(s))
    assert 1 - row["share_acted_high"] == pytest.approx(s ** math.exp(-theta), abs=1e-3)
    assert 1 - row["share_acted_low"] == pytest.approx(s ** math.exp(theta), abs=1e-3)
    assert ((curve.table["share_acted_low"] >= 0) & (curve.table["share_acted_high"] <= 1)).all()


def test_share_acted_within_reads_the_curve_at_the_last_step():
    log = six_mp()
    assert voc.share_acted_within(log, 12).value == pytest.approx(1 - 0.7529, abs=5e-5)
    assert voc.share_acted_within(log, 5).value == 0
    assert voc.share_acted_within(log, 100).value == pytest.approx(1 - 0.4482, abs=5e-5)


def test_on_the_course_log_kaplan_meier_finds_the_truth_that_the_closed_mean_misses():
    log = data.load_feedback_log()
    curve = voc.action_curve(log)
    # The model's truth (data card): 63.4% acted on within 30 days, median 21 days, mean about 33.95.
    assert voc.share_acted_within(log, 30).value == pytest.approx(0.634, abs=0.03)
    assert curve.low <= 21 <= curve.high
    assert curve.closed_mean < 27  # the mean over closed comments alone is far below the true 33.95
    naive_share = float((log["acted"] & (log["days_open"] <= 30)).mean())
    assert naive_share < voc.share_acted_within(log, 30).low


@given(st.lists(st.tuples(st.integers(0, 60), st.booleans()), min_size=1, max_size=40))
def test_kaplan_meier_is_a_falling_curve_and_without_censoring_is_the_empirical_share(pairs):
    times = [time for time, _ in pairs]
    log = pd.DataFrame({"days_open": times, "acted": [event for _, event in pairs]})
    curve = voc.action_curve(log)
    shares = curve.table["share_acted"].to_numpy()
    assert np.all(np.diff(shares) >= -1e-12) and np.all((shares >= 0) & (shares <= 1 + 1e-12))
    everyone = voc.action_curve(log.assign(acted=True))
    for day in set(times):
        assert everyone.share_acted_by(day) == pytest.approx(np.mean(np.array(times) <= day))


@given(st.lists(st.tuples(st.integers(1, 60), st.booleans()), min_size=2, max_size=40))
def test_censoring_never_lowers_the_estimate_below_the_count_over_everyone(pairs):
    """Counting open comments as never acted on can only understate the share acted on."""
    log = pd.DataFrame({"days_open": [t for t, _ in pairs], "acted": [e for _, e in pairs]})
    for day in (5, 20, 40):
        naive = float((log["acted"] & (log["days_open"] <= day)).mean())
        assert voc.share_acted_within(log, day).value >= naive - 1e-12


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: voc.action_curve(pd.DataFrame({"days_open": [1, -2], "acted": [True, False]})), ValueError,
         "days of 0 or more, got -2"),
        (lambda: voc.action_curve(pd.DataFrame({"days_open": [1, 2], "acted": ["yes", "no"]})), ValueError,
         "must be True/False"),
        (lambda: voc.action_curve(pd.DataFrame({"days_open": ["1", "2"], "acted": [True, False]})), TypeError,
         "days as numbers"),
        (lambda: voc.action_curve(pd.DataFrame({"days": [1]})), ValueError, "not found"),
        (lambda: voc.share_acted_within(six_mp(), -1), ValueError, "days must be 0 or more"),
        (lambda: voc.share_acted_within(six_mp(), "30"), TypeError, "finite number of days"),
        (lambda: voc.nps_funnel(pd.DataFrame({"a": ["x"], "recommend": [11]}), "a"), ValueError,
         "whole scores from 0 to 10, got 11"),
        (lambda: voc.nps_funnel(pd.DataFrame({"a": ["x", "y"], "recommend": [10, 10]}), "a"), ValueError,
         "same category"),
        (lambda: voc.nps_funnel(pd.DataFrame({"a": ["x", "y"], "recommend": [10, 1]}), "a", adjust="sidak"),
         ValueError, "adjust must be None or one of"),
        (lambda: voc.promise_gap(pd.DataFrame({"w": [1.0, 2.0]}), "w", "5"), TypeError, "promise must be"),
        (lambda: voc.promise_gap(pd.DataFrame({"w": [1.0, 2.0]}), "w", 5, percentiles=(100,)), ValueError,
         "strictly between 0 and 100"),
        (lambda: voc.promise_gap(pd.DataFrame({"w": [1.0, None]}), "w", 5), ValueError, "nan_policy='omit'"),
        (lambda: voc.cumulative_value(pd.DataFrame({"c": [1], "m": [1], "a": ["x"]}), "c", "m", "a", [3]),
         TypeError, "column 'a' must hold numbers"),
        (lambda: voc.cumulative_value(pd.DataFrame({"c": [1], "m": [1], "a": [1.0]}), "c", "m", "a", []),
         ValueError, "horizons must be"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- funnel plots

def test_funnel_limits_match_a_hand_computed_small_case():
    """Spiegelhalter (2005): limits target +- z * sd / sqrt(n), sd of one response under the target.

    Pooled shares: 50% promoters, 20% detractors (NPS 30). One response scores +100,
    0 or -100, so its variance is (0.5 + 0.2) - (0.5 - 0.2)^2 = 0.61 in units of 100^2:
    sd = 100 * sqrt(0.61) = 78.102. For n = 100 the 95% limits are
    30 +- 1.959964 * 7.8102 = 14.692 .. 45.308; for n = 25 the 99.8% limits are
    30 +- 3.090232 * 15.6205 = -18.270 .. 78.270.
    """
    scores = [10] * 50 + [7] * 30 + [3] * 20 + [10] * 50 + [8] * 30 + [0] * 20
    responses = pd.DataFrame({"agent": ["A"] * 100 + ["B"] * 100, "recommend": scores})
    funnel = voc.nps_funnel(responses, "agent")
    assert funnel.target == pytest.approx(30.0)
    assert funnel.sd == pytest.approx(78.102, abs=1e-3)
    low, high = funnel.limits(100, 0.95)
    assert (float(low), float(high)) == pytest.approx((14.692, 45.308), abs=1e-3)
    low, high = funnel.limits(25, 0.998)
    assert (float(low), float(high)) == pytest.approx((-18.270, 78.270), abs=1e-3)
    # no unit flagged: Holm's flag limits for 2 units at alpha 0.05 are Bonferroni's, z = 2.241403
    assert funnel.flagged == [] and funnel.flag_threshold == pytest.approx(0.025)
    low, high = funnel.adjusted_limits(100)
    assert float(high) == pytest.approx(30 + 2.241403 * 7.8102, abs=1e-3)


def test_funnel_sd_is_the_spread_of_the_scored_responses_and_z_matches_it():
    surveys = data.load_agent_surveys()
    funnel = voc.nps_funnel(surveys, "agent")
    points = np.select([surveys["recommend"] >= 9, surveys["recommend"] <= 6], [100.0, -100.0], 0.0)
    assert funnel.sd == pytest.approx(points.std(ddof=0))
    assert funnel.target == pytest.approx(points.mean())
    row = funnel.table.loc["A10"]
    assert row["z"] == pytest.approx((row["value"] - funnel.target) / (funnel.sd / math.sqrt(row["n"])))


def test_funnel_adjustment_is_statsmodels_holm():
    from statsmodels.stats.multitest import multipletests

    funnel = voc.nps_funnel(data.load_agent_surveys(), "agent", adjust="holm")
    expected = multipletests(funnel.table["pvalue"], method="holm")[1]
    np.testing.assert_allclose(funnel.table["pvalue_adjusted"], expected)


def test_funnel_finds_the_gaming_agents_of_the_model_and_random_invitations_clear_them():
    surveys = data.load_agent_surveys()
    funnel = voc.nps_funnel(surveys, "agent")
    flagged = set(funnel.flagged)
    gaming = set(data.GAMING_AGENTS)
    assert flagged <= gaming | {data.STRONG_AGENT}
    assert len(flagged & gaming) >= 3
    random_only = voc.nps_funnel(surveys[surveys["invitation"] == "random"], "agent")
    assert not set(random_only.table.index[random_only.table["outside_99.8"]]) & gaming


def test_the_pooled_target_puts_honest_agents_outside_and_the_random_invitation_target_does_not():
    """What the chapter says of its funnel: the pooled target is pulled up by the agents under
    suspicion, so honest agents fall below it; against the random invitations' NPS the agents
    outside the 95% limits are exactly the gaming agents and the genuinely better one."""
    surveys = data.load_agent_surveys()
    suspects = set(data.GAMING_AGENTS) | {data.STRONG_AGENT}
    honest = sorted(set(surveys["agent"]) - suspects)
    pooled = voc.nps_funnel(surveys, "agent")
    honest_target = voc.nps_funnel(surveys[surveys["agent"].isin(honest)], "agent").target
    assert pooled.target > honest_target + 5
    assert (pooled.table.loc[honest, "value"] < pooled.target).sum() >= 0.9 * len(honest)
    assert set(pooled.table.index[pooled.table["outside_95"]]) - suspects, "honest agents lie outside the pooled funnel"
    random_target = voc.nps_funnel(surveys[surveys["invitation"] == "random"], "agent").target
    fair = voc.nps_funnel(surveys, "agent", target=random_target)
    assert set(fair.table.index[fair.table["outside_95"]]) == suspects
    assert set(fair.flagged) == suspects
    against_honest = voc.nps_funnel(surveys, "agent", target=honest_target).table
    assert not against_honest.loc[honest, "outside_95"].any()


@given(st.lists(st.tuples(st.sampled_from("ABCDE"), st.integers(0, 10)), min_size=2, max_size=60),
       st.sampled_from(["holm", "bonferroni", "fdr_bh"]))
def test_funnel_adjustment_only_removes_flags_and_limits_narrow_with_more_responses(rows, adjust):
    responses = pd.DataFrame(rows, columns=["agent", "recommend"])
    points = np.select([responses["recommend"] >= 9, responses["recommend"] <= 6], [1, -1], 0)
    if len(set(points)) < 2:
        return
    funnel = voc.nps_funnel(responses, "agent", adjust=adjust)
    unadjusted = voc.nps_funnel(responses, "agent", adjust=None)
    assert set(funnel.flagged) <= set(unadjusted.flagged)
    assert (funnel.table["pvalue_adjusted"] >= funnel.table["pvalue"] - 1e-12).all()
    lows, highs = funnel.limits([100, 10])
    assert lows[0] > lows[1] and highs[0] < highs[1]
    assert lows[0] < funnel.target < highs[0]
    assert (funnel.table["outside_99.8"] <= funnel.table["outside_95"]).all()


# --------------------------------------------------------------------------- promise and horizon

def test_promise_gap_on_the_hotline_finds_the_model_share_beyond_the_promise():
    waits = data.load_hotline_waits()
    overall = voc.promise_gap(waits, "wait_minutes", data.HOTLINE_PROMISE, seed=1).loc["all"]
    # truth of the model (data card): 37.3% of callers wait more than 5 minutes
    assert overall["share_beyond_low"] <= 0.373 <= overall["share_beyond_high"]
    assert overall["p50"] < data.HOTLINE_PROMISE < overall["p90"]
    by_hour = voc.promise_gap(waits, "wait_minutes", data.HOTLINE_PROMISE, by="hour", seed=1)
    assert by_hour["share_beyond"].idxmax() == 17
    assert by_hour["n"].sum() == len(waits)


def test_promise_gap_percentile_interval_matches_scipy_bootstrap():
    from scipy.stats import bootstrap

    values = data.load_hotline_waits()["wait_minutes"].to_numpy()[:400]
    table = voc.promise_gap(pd.DataFrame({"w": values}), "w", 5, percentiles=(90,), seed=7, n_resamples=1000)
    expected = bootstrap((values,), lambda x, axis: np.percentile(x, 90, axis=axis), n_resamples=1000,
                         method="percentile", vectorized=True, batch=500, random_state=np.random.default_rng(7))
    assert table.loc["all", "p90_low"] == pytest.approx(expected.confidence_interval.low)
    assert table.loc["all", "p90_high"] == pytest.approx(expected.confidence_interval.high)


@given(st.lists(st.floats(0, 60, allow_nan=False), min_size=3, max_size=50), st.floats(0, 30), st.floats(0, 30))
def test_share_beyond_falls_as_the_promise_grows(waits, first, second):
    frame = pd.DataFrame({"w": waits})
    strict, loose = sorted((first, second))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = voc.promise_gap(frame, "w", strict, percentiles=(50,), n_resamples=100, seed=1).loc["all"]
    b = voc.promise_gap(frame, "w", loose, percentiles=(50,), n_resamples=100, seed=1).loc["all"]
    assert a["share_beyond"] >= b["share_beyond"]
    assert a["share_beyond_low"] <= a["share_beyond"] <= a["share_beyond_high"]  # Wilson holds its share
    # A percentile bootstrap need not hold the sample's median (the two are rounded apart by a
    # last bit, or the resampled medians fall to one side): beyond a rounding, it says so.
    assert a["p50_low"] <= a["p50_high"]
    tolerance = 1e-9 * max(1.0, abs(a["p50"]))
    left_out = not a["p50_low"] - tolerance <= a["p50"] <= a["p50_high"] + tolerance
    assert left_out == any("p50 of 'all'" in str(warning.message) for warning in caught)


def test_cumulative_value_of_the_launch_turns_negative_where_its_costs_arrive():
    flows = data.load_launch_cashflows()
    table = voc.cumulative_value(flows, "customer", "month", "amount", [3, 24], seed=1)
    assert table.loc[3, "value"] == pytest.approx(flows.loc[flows["month"] <= 3, "amount"].sum())
    # The model's expected values (data card): EUR +132,000 at 3 months, -41,000 at 24.
    assert table.loc[3, "low"] <= 131_706 <= table.loc[3, "high"]
    assert table.loc[24, "low"] <= -41_320 <= table.loc[24, "high"]
    assert table.loc[24, "high"] < 0 < table.loc[3, "low"]


@given(st.lists(st.tuples(st.integers(1, 8), st.integers(0, 30), st.floats(-500, 500, allow_nan=False)),
                min_size=1, max_size=40))
def test_cumulative_value_adds_up_and_its_interval_holds_it_for_a_single_customer_case(flows):
    frame = pd.DataFrame(flows, columns=["customer", "month", "amount"])
    table = voc.cumulative_value(frame, "customer", "month", "amount", [0, 10, 30], n_resamples=200, seed=2)
    for horizon in (0, 10, 30):
        assert table.loc[horizon, "value"] == pytest.approx(frame.loc[frame["month"] <= horizon, "amount"].sum(),
                                                            abs=1e-6)
    assert (table["low"] <= table["high"] + 1e-9).all()
    if frame["customer"].nunique() == 1:
        np.testing.assert_allclose(table["low"], table["value"], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(shifts=st.lists(st.integers(-60, 60), min_size=3, max_size=12), sizes=st.lists(st.integers(20, 300), min_size=12,
                                                                                       max_size=12),
       adjust=st.sampled_from(["holm", "bonferroni", "fdr_bh", None]))
def test_a_unit_is_flagged_exactly_when_it_lies_outside_the_drawn_flag_limits(shifts, sizes, adjust):
    """The dotted lines of the funnel plot are the rule the flags follow, whatever the adjustment."""
    rng = np.random.default_rng(abs(hash((tuple(shifts), tuple(sizes)))) % 2**32)
    rows = []
    for index, shift in enumerate(shifts):
        promoter = min(max(0.35 + shift / 200, 0.0), 1.0)
        scores = np.where(rng.random(sizes[index]) < promoter, 10, rng.choice([3, 8], sizes[index]))
        rows.append(pd.DataFrame({"agent": f"a{index:02d}", "recommend": scores}))
    funnel = voc.nps_funnel(pd.concat(rows), "agent", adjust=adjust)
    table = funnel.table
    low, high = funnel.adjusted_limits(table["n"].to_numpy())
    outside = (table["value"].to_numpy() < low - 1e-9) | (table["value"].to_numpy() > high + 1e-9)
    on_line = np.isclose(table["value"].to_numpy(), low) | np.isclose(table["value"].to_numpy(), high)
    assert (outside == table["flagged"].to_numpy())[~on_line].all(), (adjust, table)
