"""The butterfly-effect simulator: reproducible, monotone where the model says so,
in agreement with the model's analytic means, and strict about invalid journeys."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxlab
from cxlab.journey import (
    Department,
    Journey,
    Step,
    as_sequence,
    department_leverage,
    expected_total_days,
    journey_from_table,
    leasing_journey,
    outcome,
    sensitivity,
    simulate,
    what_if,
)

LEASE = leasing_journey()
STEP_NAMES = [step.name for step in LEASE.steps]


def test_same_seed_same_customers_other_seed_other_customers():
    first, second = simulate(LEASE, 2000, seed=5), simulate(LEASE, 2000, seed=5)
    pd.testing.assert_frame_equal(first, second)
    assert not first.equals(simulate(LEASE, 2000, seed=6))


def test_columns_and_ranges():
    customers = simulate(LEASE, 5000, seed=1)
    assert [f"days_{name}" for name in STEP_NAMES] == list(customers.columns[: len(STEP_NAMES)])
    assert customers["rating"].between(0, 10).all()
    assert customers["churned"].dtype == bool
    assert (customers["recovered"] <= customers["errors"]).all()
    assert (customers.filter(like="days_") >= 0).all().all()
    # The journey ends with its last step: total time is at least the sum along the
    # path contract -> payment set-up -> ... -> support.
    tail = ["contract", "payment set-up", "onboarding call", "first invoice", "support"]
    assert (customers["total_days"] + 1e-9 >= customers[[f"days_{name}" for name in tail]].sum(axis=1)).all()


def test_simulated_mean_time_matches_the_analytic_mean():
    sequence = as_sequence(LEASE)
    customers = simulate(sequence, 400_000, seed=11)
    standard_error = customers["total_days"].std() / math.sqrt(len(customers))
    assert abs(customers["total_days"].mean() - expected_total_days(sequence)) < 4 * standard_error


def test_step_time_follows_a_gamma_distribution_with_the_given_mean_and_spread():
    lone = Journey("one step", (Step("only", "team", mean_days=3.0, cv=0.4, error_rate=0.0, clarity=1.0),),
                   (Department("team"),), expected_days=5)
    days = simulate(lone, 400_000, seed=3)["days_only"]
    assert days.mean() == pytest.approx(3.0, rel=0.005)
    assert days.std() == pytest.approx(0.4 * 3.0, rel=0.01)
    assert days.skew() == pytest.approx(2 * 0.4, abs=0.03)  # a gamma's skewness is 2 * cv


def test_analytic_mean_refuses_parallel_branches():
    with pytest.raises(ValueError, match="single sequence"):
        expected_total_days(LEASE)


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(STEP_NAMES), st.floats(min_value=1.05, max_value=8.0), st.integers(0, 10_000))
def test_a_longer_step_never_raises_any_rating(step_name, factor, seed):
    step = LEASE.step(step_name)
    slower = LEASE.with_step(step_name, mean_days=step.mean_days * factor)
    before, after = simulate(LEASE, 3000, seed), simulate(slower, 3000, seed)
    assert (after["total_days"] >= before["total_days"] - 1e-9).all()
    assert (after["rating"] <= before["rating"]).all()
    assert after["rating"].mean() <= before["rating"].mean()


@settings(deadline=None, max_examples=25)
@given(st.floats(min_value=0.0, max_value=0.95), st.floats(min_value=0.01, max_value=1.0), st.integers(0, 10_000))
def test_more_front_line_autonomy_never_lowers_any_rating(autonomy, extra, seed):
    more = min(autonomy + extra, 1.0)
    low, high = LEASE.with_changes(autonomy=autonomy), LEASE.with_changes(autonomy=more)
    before, after = simulate(low, 3000, seed), simulate(high, 3000, seed)
    assert (after["satisfaction"] >= before["satisfaction"] - 1e-9).all()
    assert after["rating"].mean() >= before["rating"].mean()
    assert after["churned"].sum() <= before["churned"].sum()


def test_what_if_reports_the_document_check_delay_with_intervals():
    slow = LEASE.with_step("document check", mean_days=14)
    result = what_if(LEASE, slow, n_customers=50_000, seed=2)
    assert result.nps_low <= result.nps_change <= result.nps_high < 0
    assert 0 < result.churn_low <= result.churn_change_per_10k <= result.churn_high
    assert result.nps_change == pytest.approx(result.changed.nps - result.baseline.nps)
    assert result.changed.mean_days > result.baseline.mean_days + 8
    same = what_if(LEASE, LEASE, n_customers=50_000, seed=2)
    assert same.nps_low <= 0 <= same.nps_high


def test_outcome_intervals_match_cxlab_stats():
    customers = simulate(LEASE, 20_000, seed=4)
    result = outcome(customers)
    reference = cxlab.nps(customers["rating"])
    assert (result.nps, result.nps_low, result.nps_high) == (reference.value, reference.low, reference.high)
    low, high = cxlab.wilson_interval(int(customers["churned"].sum()), len(customers))
    assert (result.churn_low, result.churn_high) == (pytest.approx(1e4 * low), pytest.approx(1e4 * high))


def test_sensitivity_is_sorted_and_signed():
    table = sensitivity(LEASE, n_customers=8000, seed=1)
    assert table["swing"].is_monotonic_decreasing
    assert (table["swing"] >= 0).all()
    times = table[table["lever"].str.endswith("mean_days")]
    assert len(times) == len(STEP_NAMES)
    # Common random numbers: a slower step is worse for every customer, never better.
    assert (times["worse"] <= 0).all() and (times["better"] >= 0).all()
    assert set(table["zone"]) <= {"front line", "back office", "leadership"}


def test_department_leverage_covers_every_department():
    leverage = department_leverage(LEASE, n_customers=8000, seed=1)
    assert set(leverage.index) == {department.name for department in LEASE.departments}
    assert leverage.is_monotonic_decreasing
    assert (leverage > 0).all()


def test_a_table_round_trip_gives_the_same_journey():
    table = LEASE.to_table()
    rebuilt = journey_from_table(table, LEASE.name, expected_days=LEASE.expected_days, handoff_days=LEASE.handoff_days,
                                 silo=LEASE.silo, autonomy=LEASE.autonomy)
    pd.testing.assert_frame_equal(simulate(rebuilt, 1000, seed=9), simulate(LEASE, 1000, seed=9))


def test_one_million_customers_fit_in_memory_as_compact_columns():
    # Not a timing test (see bench/bench_journey.py): the frame for a million customers
    # stays small enough for a laptop.
    customers = simulate(LEASE, 1_000_000, seed=0)
    assert len(customers) == 1_000_000
    assert customers.memory_usage(deep=True).sum() < 200 * 2**20


def make(steps, departments=(Department("team"),), **settings):
    return Journey("test", tuple(steps), tuple(departments), expected_days=settings.pop("expected_days", 5), **settings)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: make([Step("a", "nobody", 1.0)]), ValueError, "owned by 'nobody'"),
        (lambda: make([Step("a", "team", -1.0)]), ValueError, "mean_days must be at least 0"),
        (lambda: make([Step("a", "team", 1.0, error_rate=1.5)]), ValueError, "error_rate must be between 0 and 1"),
        (lambda: make([Step("a", "team", 1.0, clarity=-0.1)]), ValueError, "clarity must be between 0 and 1"),
        (lambda: make([Step("a", "team", 1.0)], autonomy=2), ValueError, "autonomy must be between 0 and 1"),
        (lambda: make([Step("a", "team", 1.0, after=("b",)), Step("b", "team", 1.0, after=("a",))]),
         ValueError, "cycle"),
        (lambda: make([Step("a", "team", 1.0, after=("z",))]), ValueError, "comes after 'z'"),
        (lambda: make([Step("a", "team", 1.0), Step("a", "team", 2.0)]), ValueError, "unique"),
        (lambda: make([]), ValueError, "at least one step"),
        (lambda: make([Step("a", "team", "two days")]), TypeError, "mean_days must be a finite number"),
        (lambda: Department("risk", "basement"), ValueError, "zone must be one of"),
        (lambda: simulate(LEASE, 0), ValueError, "n_customers"),
        (lambda: simulate(LEASE.to_table(), 10), TypeError, "Journey"),
        (lambda: LEASE.with_step("underwriting", mean_days=3), ValueError, "no step 'underwriting'"),
        (lambda: journey_from_table(pd.DataFrame({"name": ["a"]}), expected_days=3), ValueError, "needs column"),
        (lambda: sensitivity(LEASE, change=2), ValueError, "change must be between"),
    ],
    ids=["unknown-department", "negative-time", "probability-above-one", "negative-clarity", "autonomy-above-one",
         "cycle", "unknown-predecessor", "duplicate-step", "no-steps", "text-time", "unknown-zone", "no-customers",
         "table-not-journey", "unknown-step", "table-missing-columns", "change-out-of-range"],
)
def test_invalid_journeys_raise_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()
