"""The CX role in numbers: lifetime value, annuities, ROI and payback, the Monte Carlo, percentages.

Reference values come from outside cxlab:

- the margin multiples ``r / (1 + i - r)`` that Gupta and Lehmann tabulate for retention
  rates of 60% to 90% and discount rates of 10% to 16% (Gupta, S. and Lehmann, D. R.
  (2003), "Customers as assets", *Journal of Interactive Marketing* 17(1), 9-24, the
  table of margin multiples; the same table in their book *Managing Customers as
  Investments*, 2005): 1.07 at 60% retention and 16%, 4.50 at 90% and 10%, 2.67 at 80%
  and 10%;
- the present value of 1 a year for t years from the annuity table of Brealey, Myers and
  Allen, *Principles of Corporate Finance* (appendix table "Present value of an annuity"):
  4.868 at 10% for 7 years, 7.722 at 5% for 10 years, 3.993 at 8% for 5 years;
- a two-period initiative worked by hand below, scipy's exact binomial test and the
  course's own Wilson interval (itself checked against Newcombe 1998).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cxlab import compare_groups, value, wilson_interval

# Gupta and Lehmann (2003): margin multiple by (retention, discount rate), two decimals.
GUPTA_LEHMANN_MULTIPLES = {(0.60, 0.16): 1.07, (0.60, 0.10): 1.20, (0.70, 0.12): 1.67, (0.80, 0.10): 2.67,
                           (0.80, 0.14): 2.35, (0.90, 0.10): 4.50, (0.90, 0.16): 3.46}
# Brealey, Myers and Allen: present value of 1 a year for `years` years at `rate`.
ANNUITY_TABLE = {(0.10, 7): 4.868, (0.05, 10): 7.722, (0.08, 5): 3.993}

retentions = st.floats(min_value=0.0, max_value=0.99)
rates = st.floats(min_value=0.0, max_value=0.5)
margins = st.floats(min_value=0.0, max_value=10_000.0)
horizons = st.integers(min_value=1, max_value=60)


# --------------------------------------------------------------------------- published values

@pytest.mark.parametrize("retention, rate", sorted(GUPTA_LEHMANN_MULTIPLES))
def test_clv_gives_gupta_and_lehmanns_margin_multiples(retention, rate):
    assert value.clv(1.0, retention, rate) == pytest.approx(GUPTA_LEHMANN_MULTIPLES[(retention, rate)], abs=0.005)


@pytest.mark.parametrize("rate, years", sorted(ANNUITY_TABLE))
def test_annuity_gives_the_annuity_table_of_brealey_myers_allen(rate, years):
    assert value.annuity(1.0, rate, years) == pytest.approx(ANNUITY_TABLE[(rate, years)], abs=0.0005)
    # CLV with everybody staying is the same annuity
    assert value.clv(1000.0, 1.0, rate, horizon=years) == pytest.approx(1000 * ANNUITY_TABLE[(rate, years)], abs=0.5)


def test_a_perpetuity_is_the_payment_over_the_rate():
    assert value.annuity(50.0, 0.05, None) == pytest.approx(1000.0)


# --------------------------------------------------------------------------- invariants

@given(margins, retentions, retentions, rates, st.one_of(st.none(), horizons))
def test_more_retention_never_lowers_clv(margin, r1, r2, rate, horizon):
    low, high = sorted((r1, r2))
    assert value.clv(margin, high, rate, horizon=horizon) >= value.clv(margin, low, rate, horizon=horizon) - 1e-9


@given(margins, retentions, rates, rates, st.one_of(st.none(), horizons))
def test_a_higher_discount_rate_never_raises_clv(margin, retention, i1, i2, horizon):
    low, high = sorted((i1, i2))
    assume(horizon is not None or retention < 1)
    assert value.clv(margin, retention, high, horizon=horizon) <= value.clv(margin, retention, low, horizon=horizon) + 1e-9


@given(margins, st.floats(min_value=0.0, max_value=1.0), horizons)
def test_a_zero_discount_rate_gives_the_plain_sum(margin, retention, horizon):
    plain = sum(margin * retention ** t for t in range(1, horizon + 1))
    assert value.clv(margin, retention, 0.0, horizon=horizon) == pytest.approx(plain, rel=1e-9, abs=1e-9)


@given(margins, retentions, rates, horizons)
def test_the_finite_sum_grows_with_the_horizon_towards_the_closed_form(margin, retention, rate, horizon):
    assume(rate > 0 or retention < 0.99)
    shorter = value.clv(margin, retention, rate, horizon=horizon)
    longer = value.clv(margin, retention, rate, horizon=horizon + 1)
    unlimited = value.clv(margin, retention, rate)
    assert shorter <= longer + 1e-9 <= unlimited + 2e-9
    # what is left after the horizon is the unlimited value times the chance of being there, discounted
    ratio = retention / (1 + rate)
    assert shorter == pytest.approx(unlimited * (1 - ratio ** horizon), rel=1e-9, abs=1e-9)


def test_clv_broadcasts_arrays_as_the_loop_would():
    retention = np.linspace(0.5, 0.95, 10)
    rate = np.array([[0.05], [0.1], [0.2]])
    vectorised = value.clv(80.0, retention, rate, horizon=12)
    assert vectorised.shape == (3, 10)
    for row, i in enumerate(rate[:, 0]):
        for column, r in enumerate(retention):
            assert vectorised[row, column] == pytest.approx(value.clv(80.0, r, i, horizon=12))


# --------------------------------------------------------------------------- the initiative

def test_initiative_return_matches_a_two_period_example_worked_by_hand():
    # 100 customers, margin 10, retention 0.5 -> 0.6, no discounting, cost 10 today.
    # Period 1: 100 * 10 * (0.6 - 0.5) = 100; period 2: 100 * 10 * (0.36 - 0.25) = 110.
    result = value.initiative_return(100, margin=10, retention=0.5, uplift=0.1, discount_rate=0.0, cost=10, horizon=2)
    assert result.gain == pytest.approx(210)
    assert result.cost == pytest.approx(10)
    assert result.net == pytest.approx(200)
    assert result.value == pytest.approx(20) == result.roi
    assert result.clv_after - result.clv_before == pytest.approx(2.1)
    # the cumulative net goes from -10 to +90 within period 1: a tenth of the way
    assert result.payback == pytest.approx(0.1)
    assert result.table["cumulative"].tolist() == pytest.approx([90, 200])


def test_a_discounted_initiative_adds_its_running_costs_as_an_annuity():
    result = value.initiative_return(1000, margin=50, retention=0.8, uplift=0.05, discount_rate=0.10, cost=20_000, running_cost=2_000, horizon=7)
    assert result.cost == pytest.approx(20_000 + 2_000 * ANNUITY_TABLE[(0.10, 7)], abs=1)
    per_customer = value.clv(50, 0.85, 0.10, horizon=7) - value.clv(50, 0.8, 0.10, horizon=7)
    assert result.gain == pytest.approx(1000 * per_customer)


def test_an_initiative_that_changes_nothing_loses_its_cost_and_never_pays_back():
    result = value.initiative_return(5000, margin=100, retention=0.8, uplift=0.0, discount_rate=0.1, cost=50_000, horizon=10)
    assert result.value == -1.0
    assert result.payback == math.inf


@given(st.floats(min_value=0.0, max_value=0.09), st.floats(min_value=0.0, max_value=0.09), rates)
def test_more_uplift_never_lowers_the_roi_nor_delays_payback(u1, u2, rate):
    low, high = sorted((u1, u2))
    args = dict(customers=1000, margin=100, retention=0.9, discount_rate=rate, cost=30_000, horizon=10)
    worse, better = value.initiative_return(uplift=low, **args), value.initiative_return(uplift=high, **args)
    assert better.value >= worse.value - 1e-12
    assert better.payback <= worse.payback + 1e-12


# --------------------------------------------------------------------------- Monte Carlo

SCENARIO = dict(customers=10_000, margin=(112.5, 187.5), retention=(0.75, 0.85), uplift=(0.0, 0.03, 0.06),
                discount_rate=(0.06, 0.14), cost=(200_000, 250_000, 350_000), running_cost=20_000)


def test_the_simulation_agrees_with_initiative_return_draw_by_draw():
    sim = value.roi_simulation(**SCENARIO, n_draws=2000, seed=3)
    for _, draw in sim.draws.sample(20, random_state=1).iterrows():
        one = value.initiative_return(**{name: draw[name] for name in value.INITIATIVE_INPUTS})
        assert draw["roi"] == pytest.approx(one.value)
        assert draw["payback"] == pytest.approx(one.payback)
    assert sim.prob_negative == (sim.draws["roi"] < 0).mean()
    assert sim.value == pytest.approx(sim.draws["roi"].median())
    assert sim.low < sim.value < sim.high
    central = {name: (spec[1] if len(spec) == 3 else sum(spec) / 2) if isinstance(spec, tuple) else spec
               for name, spec in SCENARIO.items()}
    assert sim.point == pytest.approx(value.initiative_return(**central).value)


def test_the_simulation_is_reproducible_with_a_seed_and_varies_without_one():
    a = value.roi_simulation(**SCENARIO, n_draws=500, seed=7)
    b = value.roi_simulation(**SCENARIO, n_draws=500, seed=7)
    c = value.roi_simulation(**SCENARIO, n_draws=500, seed=8)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert not a.draws["roi"].equals(c.draws["roi"])


def test_known_inputs_give_no_spread_and_a_certain_verdict():
    sim = value.roi_simulation(1000, margin=100, retention=0.8, uplift=0.0, discount_rate=0.1, cost=10_000, n_draws=200, seed=1)
    assert sim.low == sim.high == sim.value == sim.point == -1.0
    assert sim.prob_negative == 1.0
    assert sim.drivers.empty


def test_the_input_with_the_widest_range_of_effect_drives_the_uncertainty():
    sim = value.roi_simulation(**SCENARIO, n_draws=4000, seed=1)
    assert sim.top_driver == "uplift"
    assert sim.drivers["swing"].is_monotonic_decreasing
    assert set(sim.drivers.index) == {"margin", "retention", "uplift", "discount_rate", "cost"}
    # ROI rises with margin and uplift and falls with cost and the discount rate
    signs = np.sign(sim.drivers["rank_correlation"])
    assert signs["uplift"] == signs["margin"] == 1 and signs["cost"] == signs["discount_rate"] == -1
    # with the uplift known, the same model has a much narrower distribution
    known = value.roi_simulation(**{**SCENARIO, "uplift": 0.03}, n_draws=4000, seed=1)
    assert known.high - known.low < 0.6 * (sim.high - sim.low)


def test_ranges_that_push_retention_past_one_are_refused_before_drawing():
    with pytest.raises(ValueError, match="retention \\+ uplift must stay between 0 and 1"):
        value.roi_simulation(**{**SCENARIO, "retention": (0.9, 0.99), "uplift": (0.0, 0.05)})


# --------------------------------------------------------------------------- percentages

def test_growth_multiple_reads_an_increase_as_times_the_old_value():
    assert value.growth_multiple(385) == 4.85
    assert value.growth_multiple(-100) == 0.0
    assert value.growth_multiple([30, 40]).tolist() == [1.3, 1.4]
    with pytest.raises(ValueError, match="-100 or more"):
        value.growth_multiple(-120)


def test_representation_funnel_counts_women_and_men_at_each_level():
    table = value.representation_funnel([2000, 200, 40], [0.7, 0.3, 0.12], levels=["staff", "managers", "leaders"])
    assert table["women"].tolist() == pytest.approx([1400, 60, 4.8])
    assert (table["women"] + table["men"]).tolist() == pytest.approx([2000, 200, 40])
    with pytest.raises(ValueError, match="between 0 and 1"):
        value.representation_funnel([100, 10], [70, 30])


def test_funnel_against_market_uses_wilson_intervals_and_the_exact_binomial_test():
    from scipy.stats import binomtest

    table = value.funnel_against_market([700, 20, 1], [1000, 120, 25], [0.70, 0.30, 0.12])
    for (women, people, market), (_, row) in zip([(700, 1000, 0.7), (20, 120, 0.3), (1, 25, 0.12)], table.iterrows()):
        assert (row["low"], row["high"]) == pytest.approx(wilson_interval(women, people))
        assert row["pvalue"] == pytest.approx(binomtest(women, people, market).pvalue)
        assert row["inside"] == (row["low"] <= market <= row["high"])
    assert table["inside"].tolist() == [True, False, True]
    with pytest.raises(ValueError, match="more women than people"):
        value.funnel_against_market([30], [20], [0.3])


# --------------------------------------------------------------------------- the survey report's claim

def test_maturity_makes_collaboration_look_profitable_when_it_is_not():
    orgs = value.simulate_organisations(20_000, seed=5)
    naive = compare_groups(orgs, "roi_pct", "collaboration", order=("high", "low"))
    within = compare_groups(orgs, "roi_pct", "collaboration", strata="maturity", order=("high", "low"))
    assert naive.value > 10 and naive.pvalue < 1e-6
    assert abs(within.value) < 1.0 and within.low < 0 < within.high
    real = value.simulate_organisations(20_000, collaboration_effect=8.0, seed=5)
    assert compare_groups(real, "roi_pct", "collaboration", strata="maturity", order=("high", "low")).value \
        == pytest.approx(8.0, abs=1.0)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, error, message", [
    (lambda: value.clv(100, 80, 0.1), ValueError, r"retention must be a share between 0 and 1 .*got 80"),
    (lambda: value.clv(100, 0.8, 10), ValueError, r"discount_rate must be a share per period .*got 10"),
    (lambda: value.clv("100", 0.8, 0.1), TypeError, r"margin must be a number"),
    (lambda: value.clv(100, True, 0.1), TypeError, r"retention must be a number"),
    (lambda: value.clv(100, float("nan"), 0.1), ValueError, r"retention must be finite"),
    (lambda: value.clv(100, 1.0, 0.0), ValueError, r"never stops growing"),
    (lambda: value.clv(100, 0.8, 0.1, horizon=2.5), TypeError, r"horizon must be a whole number"),
    (lambda: value.initiative_return(1000, margin=100, retention=0.8, uplift=3, discount_rate=0.1, cost=1000), ValueError, r"uplift must be a change"),
    (lambda: value.initiative_return(1000, margin=100, retention=0.98, uplift=0.05, discount_rate=0.1, cost=1000), ValueError, r"retention \+ uplift"),
    (lambda: value.initiative_return(1000, margin=100, retention=0.8, uplift=0.02, discount_rate=0.1, cost=0), ValueError, r"costs nothing"),
    (lambda: value.initiative_return(1000, margin=100, retention=[0.8, 0.9], uplift=0.02, discount_rate=0.1, cost=10), TypeError, r"use roi_simulation"),
    (lambda: value.roi_simulation(1000, margin=(100,), retention=0.8, uplift=0.02, discount_rate=0.1, cost=10), ValueError, r"margin must be a number, \(low"),
    (lambda: value.roi_simulation(1000, margin=(150, 100), retention=0.8, uplift=0.02, discount_rate=0.1, cost=10), ValueError, r"low <= high"),
    (lambda: value.roi_simulation(1000, margin=100, retention=0.8, uplift=0.02, discount_rate=0.1, cost=10, n_draws=5), ValueError, r"n_draws must be between 100 and 10000000, got 5"),
    (lambda: value.simulate_organisations(5), ValueError, r"n_organisations must be between 20 and 1000000, got 5"),
])
def test_bad_input_gets_an_error_that_names_the_value_and_the_valid_range(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- figures and explorer

def test_the_roi_figures_draw_what_the_simulation_found(close_figures):
    import matplotlib

    matplotlib.use("Agg")
    from cxlab import plots, widgets

    sim = value.roi_simulation(**SCENARIO, n_draws=2000, seed=1)
    ax = plots.roi_distribution(sim)
    losing, gaining = ax.containers  # the two bar groups: losses, then gains
    assert sum(bar.get_height() for bar in losing) == pytest.approx(sim.prob_negative)
    assert all(bar.get_x() + bar.get_width() <= 0 for bar in losing) and all(bar.get_x() >= 0 for bar in gaining)
    tornado = plots.roi_tornado(sim)
    assert [label.get_text() for label in tornado.get_yticklabels()][-1] == "uplift"
    table = value.funnel_against_market([700, 20, 1], [1000, 120, 25], [0.7, 0.3, 0.12])
    chart = plots.representation_chart(table)
    assert [patch.get_height() for patch in chart.patches] == pytest.approx(100 * table["value"])
    with pytest.raises(TypeError, match="roi_simulation"):
        plots.roi_tornado(table)
    assert widgets.roi_explorer(n_draws=200).children


def test_inputs_after_the_customers_are_named_and_the_old_order_still_works_with_a_warning():
    """Retention and uplift swapped by position gave ROI 54.1 instead of 3.34 without a word."""
    named = value.initiative_return(10_000, margin=150, retention=0.80, uplift=0.03, discount_rate=0.10,
                                    cost=250_000, running_cost=20_000)
    with pytest.warns(DeprecationWarning, match=r"passing margin, retention, uplift, discount_rate, cost to "
                                                r"initiative_return\(\) by position is deprecated"):
        positional = value.initiative_return(10_000, 150, 0.80, 0.03, 0.10, 250_000, running_cost=20_000)
    assert positional.value == named.value
    with pytest.warns(DeprecationWarning, match="roi_simulation"):
        old = value.roi_simulation(1000, 100, 0.8, 0.02, 0.1, 5000, n_draws=200, seed=1)
    assert old.value == value.roi_simulation(1000, margin=100, retention=0.8, uplift=0.02, discount_rate=0.1,
                                             cost=5000, n_draws=200, seed=1).value
    with pytest.raises(TypeError, match="got two values for 'uplift'"):
        value.initiative_return(1000, 100, 0.8, 0.02, uplift=0.03, discount_rate=0.1, cost=10)
