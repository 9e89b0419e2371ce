"""The butterfly-effect simulator: reproducible, with common random numbers that hold
(a change to one part of the journey leaves every other part's draws as they were),
monotone where the model says so, in agreement with the model's analytic means, and
strict about invalid journeys."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
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
#: What happened to a customer in one step, as ``simulate(..., per_step=True)`` reports it.
DRAWS = ("work", "handoff", "error", "recovered", "rework", "unclear")
OUTCOMES = ["errors", "recovered", "unclear", "total_days", "satisfaction", "rating", "churned"]


def step_draws(customers: pd.DataFrame, step_name: str) -> pd.DataFrame:
    return customers[[f"{kind}_{step_name}" for kind in DRAWS]]


def assert_draws_equal(before: pd.DataFrame, after: pd.DataFrame, step_names) -> None:
    """Every customer's draws in ``step_names`` are identical, to the last bit."""
    for name in step_names:
        pd.testing.assert_frame_equal(step_draws(before, name), step_draws(after, name), check_exact=True)


def assert_moves_one_way(before: pd.DataFrame, after: pd.DataFrame, worse: bool) -> None:
    """Each customer's outcome moves in one direction (or not at all): worse, or better."""
    if not worse:
        before, after = after, before
    assert (after["total_days"] >= before["total_days"] - 1e-9).all()
    assert (after["satisfaction"] <= before["satisfaction"] + 1e-9).all()
    assert (after["rating"] <= before["rating"]).all()
    assert (after["churned"] | ~before["churned"]).all()  # whoever left before still leaves


def assert_untouched_customers_identical(before: pd.DataFrame, after: pd.DataFrame, untouched) -> None:
    """Customers whose experience did not change keep their rating noise and churn draw."""
    pd.testing.assert_frame_equal(before.loc[untouched, OUTCOMES], after.loc[untouched, OUTCOMES], check_exact=True)


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


# Common random numbers. Each test changes one parameter, simulates the same customers
# (same seed) before and after, and checks that every draw outside the change is
# identical for every customer, the changed step's own uniforms too, and that, where
# the model is monotone, each customer's outcome moves one way only.

STEP_PARAMETERS = {
    "mean_days": st.floats(min_value=0.0, max_value=20.0),
    "cv": st.floats(min_value=0.05, max_value=3.0),
    "error_rate": st.floats(min_value=0.0, max_value=1.0),
    "rework_days": st.floats(min_value=0.0, max_value=10.0),
    "clarity": st.floats(min_value=0.0, max_value=1.0),
}


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(STEP_NAMES), st.sampled_from(sorted(STEP_PARAMETERS)), st.data(), st.integers(0, 10_000))
def test_changing_one_step_leaves_every_other_steps_draws_unchanged(step_name, parameter, data, seed):
    value = data.draw(STEP_PARAMETERS[parameter], label=parameter)
    changed = LEASE.with_step(step_name, **{parameter: value})
    before = simulate(LEASE, 2000, seed=seed, per_step=True)
    after = simulate(changed, 2000, seed=seed, per_step=True)
    assert_draws_equal(before, after, [name for name in STEP_NAMES if name != step_name])


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(STEP_NAMES), st.floats(min_value=1.05, max_value=8.0), st.integers(0, 10_000))
def test_a_longer_step_keeps_each_customers_quantile_and_never_raises_any_rating(step_name, factor, seed):
    step = LEASE.step(step_name)
    slower = LEASE.with_step(step_name, mean_days=step.mean_days * factor)
    before, after = simulate(LEASE, 3000, seed=seed, per_step=True), simulate(slower, 3000, seed=seed, per_step=True)
    assert_draws_equal(before, after, [name for name in STEP_NAMES if name != step_name])
    # The customer's working time is scaled, not redrawn: the same quantile of a longer step.
    work = f"work_{step_name}"
    np.testing.assert_allclose(after[work], factor * before[work], rtol=1e-12)
    for kind in ("handoff", "error", "recovered", "rework", "unclear"):
        pd.testing.assert_series_equal(before[f"{kind}_{step_name}"], after[f"{kind}_{step_name}"], check_exact=True)
    assert_moves_one_way(before, after, worse=True)
    assert after["rating"].mean() <= before["rating"].mean()


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(STEP_NAMES), st.floats(min_value=0.05, max_value=3.0), st.integers(0, 10_000))
def test_a_more_or_less_variable_step_keeps_each_customers_quantile(step_name, cv, seed):
    from scipy import special

    step = LEASE.step(step_name)
    changed = LEASE.with_step(step_name, cv=cv)
    before, after = simulate(LEASE, 3000, seed=seed, per_step=True), simulate(changed, 3000, seed=seed, per_step=True)
    assert_draws_equal(before, after, [name for name in STEP_NAMES if name != step_name])
    for kind in ("handoff", "error", "recovered", "rework", "unclear"):
        pd.testing.assert_series_equal(before[f"{kind}_{step_name}"], after[f"{kind}_{step_name}"], check_exact=True)

    def quantile(customers, spread):
        shape = 1 / spread**2
        return special.gammainc(shape, customers[f"work_{step_name}"].to_numpy() / step.mean_days * shape)

    np.testing.assert_allclose(quantile(after, cv), quantile(before, step.cv), rtol=0, atol=1e-9)
    # Only that step's time moved, so errors and unclear steps are as they were for everyone.
    pd.testing.assert_frame_equal(before[["errors", "recovered", "unclear"]], after[["errors", "recovered", "unclear"]])


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(STEP_NAMES), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.integers(0, 10_000))
def test_a_higher_error_rate_only_adds_errors_and_never_raises_any_rating(step_name, rate, other, seed):
    low, high = sorted((rate, other))
    before = simulate(LEASE.with_step(step_name, error_rate=low), 2000, seed=seed, per_step=True)
    after = simulate(LEASE.with_step(step_name, error_rate=high), 2000, seed=seed, per_step=True)
    assert_draws_equal(before, after, [name for name in STEP_NAMES if name != step_name])
    error = f"error_{step_name}"
    assert (after[error] | ~before[error]).all()  # an error before is an error after
    assert (after["errors"] >= before["errors"]).all()
    assert_moves_one_way(before, after, worse=True)
    assert_untouched_customers_identical(before, after, before[error] == after[error])


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(STEP_NAMES), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.integers(0, 10_000))
def test_clearer_communication_only_removes_unclear_steps_and_never_lowers_any_rating(step_name, clarity, other,
                                                                                       seed):
    low, high = sorted((clarity, other))
    before = simulate(LEASE.with_step(step_name, clarity=low), 2000, seed=seed, per_step=True)
    after = simulate(LEASE.with_step(step_name, clarity=high), 2000, seed=seed, per_step=True)
    assert_draws_equal(before, after, [name for name in STEP_NAMES if name != step_name])
    unclear = f"unclear_{step_name}"
    assert (before[unclear] | ~after[unclear]).all()  # clear before, clear after
    assert_moves_one_way(before, after, worse=False)
    assert_untouched_customers_identical(before, after, before[unclear] == after[unclear])


def assert_handoffs_scaled(before: pd.DataFrame, after: pd.DataFrame, factor: float) -> None:
    """Every hand-off is ``factor`` times as long; nothing else a customer drew has changed."""
    for name in STEP_NAMES:
        np.testing.assert_allclose(after[f"handoff_{name}"], factor * before[f"handoff_{name}"], rtol=1e-12)
        for kind in ("work", "error", "recovered", "rework", "unclear"):
            pd.testing.assert_series_equal(before[f"{kind}_{name}"], after[f"{kind}_{name}"], check_exact=True)


@settings(deadline=None, max_examples=25)
@given(st.floats(0.01, 3.0), st.floats(1.0, 10.0), st.integers(0, 10_000))
def test_longer_handoffs_scale_every_handoff_and_never_raise_any_rating(days, factor, seed):
    before = simulate(LEASE.with_changes(handoff_days=days), 2000, seed=seed, per_step=True)
    after = simulate(LEASE.with_changes(handoff_days=days * factor), 2000, seed=seed, per_step=True)
    assert_handoffs_scaled(before, after, factor)
    assert_moves_one_way(before, after, worse=True)
    none = simulate(LEASE.with_changes(handoff_days=0.0), 2000, seed=seed, per_step=True)
    assert_handoffs_scaled(before, none, 0.0)
    assert_moves_one_way(none, before, worse=True)


@settings(deadline=None, max_examples=25)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.integers(0, 10_000))
def test_a_more_siloed_culture_scales_every_handoff_and_never_raises_any_rating(silo, other, seed):
    low, high = sorted((silo, other))
    before = simulate(LEASE.with_changes(silo=low), 2000, seed=seed, per_step=True)
    after = simulate(LEASE.with_changes(silo=high), 2000, seed=seed, per_step=True)
    assert_handoffs_scaled(before, after, (1 + 3 * high) / (1 + 3 * low))
    assert_moves_one_way(before, after, worse=True)


@settings(deadline=None, max_examples=25)
@given(st.floats(min_value=0.0, max_value=0.95), st.floats(min_value=0.01, max_value=1.0), st.integers(0, 10_000))
def test_more_front_line_autonomy_only_fixes_errors_on_the_spot_and_never_lowers_any_rating(autonomy, extra, seed):
    more = min(autonomy + extra, 1.0)
    low, high = LEASE.with_changes(autonomy=autonomy), LEASE.with_changes(autonomy=more)
    before, after = simulate(low, 3000, seed=seed, per_step=True), simulate(high, 3000, seed=seed, per_step=True)
    for name in STEP_NAMES:
        for kind in ("work", "handoff", "error", "unclear"):
            pd.testing.assert_series_equal(before[f"{kind}_{name}"], after[f"{kind}_{name}"], check_exact=True)
        assert (after[f"recovered_{name}"] | ~before[f"recovered_{name}"]).all()  # fixed before, fixed after
        still_reworked = after[f"rework_{name}"] > 0
        assert (after.loc[still_reworked, f"rework_{name}"] == before.loc[still_reworked, f"rework_{name}"]).all()
    assert_moves_one_way(before, after, worse=False)
    assert after["rating"].mean() >= before["rating"].mean()
    assert after["churned"].sum() <= before["churned"].sum()
    assert_untouched_customers_identical(before, after, before["recovered"] == after["recovered"])


def test_a_new_step_or_a_new_order_leaves_the_other_steps_draws_unchanged():
    # Streams are keyed by step name: the draws follow the step, not its position.
    before = simulate(LEASE, 2000, seed=3, per_step=True)
    extra = Step("welcome pack", "customer service", mean_days=1.0, after=("contract",))
    longer = simulate(LEASE.with_changes(steps=(*LEASE.steps, extra)), 2000, seed=3, per_step=True)
    assert_draws_equal(before, longer, STEP_NAMES)
    explicit = [replace(step, after=LEASE.predecessors(step)) for step in LEASE.steps]
    listed_backwards = LEASE.with_changes(steps=tuple(reversed(explicit)))
    reordered = simulate(listed_backwards, 2000, seed=3, per_step=True)
    pd.testing.assert_frame_equal(reordered[before.columns], before, check_exact=True)


def test_a_change_of_spread_no_longer_reshuffles_later_steps():
    # With one shared stream and rejection sampling for the gamma times, a different cv
    # in the first step changed how many numbers it consumed, and so the luck of every
    # later step: only about half of the customers kept their number of errors.
    before = simulate(LEASE, 20_000, seed=1)
    after = simulate(LEASE.with_step("application", cv=0.7), 20_000, seed=1)
    pd.testing.assert_frame_equal(before[["errors", "recovered", "unclear"]], after[["errors", "recovered", "unclear"]])


def test_a_generator_or_a_seed_sequence_seeds_the_same_customers():
    same = simulate(LEASE, 500, seed=np.random.default_rng(8)), simulate(LEASE, 500, seed=np.random.default_rng(8))
    pd.testing.assert_frame_equal(*same)
    root = np.random.SeedSequence(8)
    pd.testing.assert_frame_equal(simulate(LEASE, 500, seed=root), simulate(LEASE, 500, seed=8))


def test_sensitivity_without_a_seed_still_shares_random_numbers_across_scenarios():
    table = sensitivity(LEASE, n_customers=3000)
    times = table[table["lever"].str.endswith("mean_days")]
    assert (times["worse"] <= 0).all() and (times["better"] >= 0).all()


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
        (lambda: simulate(LEASE, 10, seed=-1), ValueError, "seed must be None, a whole number 0 or more"),
        (lambda: simulate(LEASE, 10, seed=2.5), TypeError, "seed must be None, a whole number 0 or more"),
        (lambda: simulate(LEASE, 10, seed="lease"), TypeError, "seed must be"),
        (lambda: simulate(LEASE, 10, seed=1, per_step="yes"), TypeError, "per_step must be True or False"),
    ],
    ids=["unknown-department", "negative-time", "probability-above-one", "negative-clarity", "autonomy-above-one",
         "cycle", "unknown-predecessor", "duplicate-step", "no-steps", "text-time", "unknown-zone", "no-customers",
         "table-not-journey", "unknown-step", "table-missing-columns", "change-out-of-range", "negative-seed",
         "fractional-seed", "text-seed", "per-step-not-bool"],
)
def test_invalid_journeys_raise_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_seed_and_ci_are_keyword_options_with_one_release_of_grace():
    with pytest.warns(DeprecationWarning, match="write seed=..."):
        old = simulate(LEASE, 300, 4)
    pd.testing.assert_frame_equal(old, simulate(LEASE, 300, seed=4))
    with pytest.warns(DeprecationWarning, match="write seed=..., ci=..."):
        what_if(LEASE, LEASE, 300, 1, 0.9)
