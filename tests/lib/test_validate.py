"""Input checks: what a score column may hold, and errors that name the value, the name and the range.

The score checks are exercised through ``cxlab.nps``, which hands its scores to
``cxlab._validate.as_scores`` unchanged; the argument checks are called directly.
"""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxlab
from cxlab._validate import check_ci, check_nan_policy, check_whole, drop_missing, numeric_column, require_columns

scores = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300)


# ---------------------------------------------------------------- input types


@pytest.mark.parametrize(
    "scores",
    [
        [10, 9, 8, 0],
        np.array([10, 9, 8, 0]),
        np.array([10.0, 9.0, 8.0, 0.0]),
        pd.Series([10, 9, 8, 0]),
        pd.Series([10, 9, 8, 0], dtype="Int64"),
        pd.Series([10, 9, 8, 0], dtype="float64"),
        np.array([10, 9, 8, 0], dtype=np.uint8),
    ],
)
def test_accepts_common_containers(scores):
    assert cxlab.nps(scores).value == 25.0


@given(scores)
def test_types_of_input_give_the_same_answer(sample):
    expected = cxlab.nps(sample)
    assert cxlab.nps(np.array(sample)) == expected
    assert cxlab.nps(pd.Series(sample, dtype="Int64")) == expected
    assert cxlab.nps(np.array(sample, dtype=float)) == expected


def test_nullable_missing_values_follow_nan_policy():
    scores = pd.Series([10, pd.NA, 0, 9], dtype="Int64")
    with pytest.raises(ValueError, match="missing"):
        cxlab.nps(scores)
    assert cxlab.nps(scores, nan_policy="omit").n == 3
    assert cxlab.nps([10, None, np.nan, 9], nan_policy="omit").n == 2


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("scores", "error", "pattern"),
    [
        ([11, 9], ValueError, r"integers 0-10; found 11"),
        ([-1], ValueError, r"integers 0-10; found -1"),
        ([7.5, 9], ValueError, r"non-integer 7\.5"),
        (["9", 10], TypeError, r"'9'"),
        (["ten"], TypeError, r"'ten'"),
        ([True, False], TypeError, r"bool"),
        ([], ValueError, r"empty"),
        ([np.nan, np.nan], ValueError, r"missing"),
        ("9 10 8", TypeError, r"text"),
        (None, TypeError, r"None"),
        (7, TypeError, r"single value"),
        ([[1, 2], [3, 4]], ValueError, r"one-dimensional"),
        ([np.inf], ValueError, r"inf"),
    ],
)
def test_bad_scores_raise_clear_errors(scores, error, pattern):
    with pytest.raises(error, match=pattern):
        cxlab.nps(scores)


def test_all_missing_with_omit_is_empty_error():
    with pytest.raises(ValueError, match="empty"):
        cxlab.nps([np.nan, None], nan_policy="omit")


# ------------------------------------------------------------ argument checks


def test_check_whole_returns_a_plain_int_inside_the_range():
    assert check_whole(np.int64(3), "n", minimum=1, maximum=5) == 3
    assert type(check_whole(np.int64(3), "n", minimum=1)) is int
    assert check_whole(0, "count", minimum=0) == 0


@pytest.mark.parametrize(
    ("value", "bounds", "message"),
    [
        (0, {"minimum": 1}, "n must be at least 1, got 0"),
        (-2, {"minimum": 0}, "n must be 0 or more, got -2"),
        (9, {"maximum": 8}, "n must be at most 8, got 9"),
        (6, {"minimum": 1, "maximum": 4}, "n must be between 1 and 4, got 6"),
        (6, {"minimum": 1, "maximum": 4, "where": " on a 5-point scale"}, "n must be between 1 and 4 on a 5-point scale, got 6"),
    ],
)
def test_check_whole_out_of_range_names_the_value_and_the_range(value, bounds, message):
    with pytest.raises(ValueError) as raised:
        check_whole(value, "n", **bounds)
    assert str(raised.value) == message


@pytest.mark.parametrize("value", [2.5, 2.0, "3", True, np.bool_(False), None])
def test_check_whole_rejects_anything_but_an_integer_by_name(value):
    with pytest.raises(TypeError) as raised:
        check_whole(value, "promoters", minimum=0, what="a whole count")
    assert str(raised.value) == f"promoters must be a whole count, got {value!r}"


def test_check_ci_accepts_levels_strictly_between_0_and_1():
    assert check_ci(0.95) == 0.95
    assert check_ci(np.float32(0.5)) == 0.5
    assert type(check_ci(np.float64(0.9))) is float


@pytest.mark.parametrize(("ci", "shown"), [(95, "95"), (0, "0"), (1.0, "1.0"), (-0.1, "-0.1")])
def test_check_ci_out_of_range_names_the_value_and_the_range(ci, shown):
    with pytest.raises(ValueError, match=rf"ci must be strictly between 0 and 1 \(for example 0\.95\), got {shown}$"):
        check_ci(ci)


@pytest.mark.parametrize("ci", ["0.95", True, None])
def test_check_ci_rejects_a_non_number(ci):
    with pytest.raises(TypeError, match=rf"ci must be a number strictly between 0 and 1, got {ci!r}$"):
        check_ci(ci)


def test_check_nan_policy_names_the_value_and_the_choices():
    assert check_nan_policy("raise") is None
    assert check_nan_policy("omit") is None
    with pytest.raises(ValueError) as raised:
        check_nan_policy("propagate")
    assert str(raised.value) == "nan_policy must be one of ('raise', 'omit'), got 'propagate'"


def test_require_columns_names_the_missing_and_the_present_columns():
    frame = pd.DataFrame({"region": ["a"], "recommend": [9]})
    require_columns(frame, "region", "recommend")
    with pytest.raises(ValueError, match=r"^column\(s\) \['nps'\] not found; the DataFrame has columns \['region', 'recommend'\]$"):
        require_columns(frame, "region", "nps")
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got list"):
        require_columns([9, 10], "recommend")


def test_drop_missing_omits_incomplete_rows_or_checks_the_policy():
    frame = pd.DataFrame({"y": [1.0, np.nan, 3.0, np.nan], "g": ["a", "b", None, "a"]}, index=[10, 11, 12, 13])
    assert drop_missing(frame, ["y", "g"], "omit").index.tolist() == [10]
    with pytest.raises(ValueError, match=r"^3 row\(s\) have a missing value in \['y', 'g'\], the first at index "):
        drop_missing(frame, ["y", "g"], "raise")
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        drop_missing(frame, ["y", "g"], "drop")


def test_drop_missing_names_the_first_row_as_the_learner_wrote_it():
    frame = pd.DataFrame({"y": [1.0, np.nan]}, index=[10, 11])
    with pytest.raises(ValueError, match=r"the first at index 11;"):
        drop_missing(frame, ["y"], "raise")


# ---------------------------------------------------------------- seeds: one check for all


def _every_seeded_call():
    """One small call per public function that takes a seed, the seed left to the caller."""
    import inspect

    from cxlab import data, opinions, paths, plots, value, voc, widgets
    from cxlab import journey as cx_journey

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    common = np.random.default_rng(0).normal(size=30)
    items = pd.DataFrame({f"q{k}": common + np.random.default_rng(k).normal(size=30) for k in (1, 2, 3)})
    lease = cx_journey.leasing_journey()
    calls = {
        cxlab.bootstrap_interval: lambda seed: cxlab.bootstrap_interval(frame, lambda d: d["x"].mean(), n_resamples=100,
                                                                       seed=seed),
        # the default methods draw nothing, yet a bad seed is still an error
        cxlab.nps: lambda seed: cxlab.nps([10, 3], seed=seed),
        cxlab.nps_from_counts: lambda seed: cxlab.nps_from_counts(5, 3, 2, seed=seed),
        cxlab.nps_test: lambda seed: cxlab.nps_test([10, 3], [9, 7], seed=seed),
        cxlab.stats.interval_coverage: lambda seed: cxlab.stats.interval_coverage(5, 0.5, 0.2, seed=seed),
        cxlab.stats.coverage_table: lambda seed: cxlab.stats.coverage_table(sizes=[5], shares=[(0.5, 0.2)],
                                                                           methods=["wald"], seed=seed),
        cx_journey.simulate: lambda seed: cx_journey.simulate(lease, 10, seed=seed),
        cx_journey.what_if: lambda seed: cx_journey.what_if(lease, lease, 10, seed=seed),
        cx_journey.sensitivity: lambda seed: cx_journey.sensitivity(lease, n_customers=10, seed=seed),
        cx_journey.department_leverage: lambda seed: cx_journey.department_leverage(lease, n_customers=10, seed=seed),
        opinions.base_gap: lambda seed: opinions.base_gap(pd.DataFrame({"y": [True, False] * 3, "u": [True] * 6}),
                                                          "y", "u", n_resamples=100, seed=seed),
        plots.confounding_curve: lambda seed: plots.confounding_curve([0.0], n_teams=16, seed=seed),
        value.roi_simulation: lambda seed: value.roi_simulation(100, margin=50, retention=0.8, uplift=(0.0, 0.02),
                                                                discount_rate=0.1, cost=100, n_draws=100, seed=seed),
        value.simulate_organisations: lambda seed: value.simulate_organisations(20, seed=seed),
        voc.cumulative_value: lambda seed: voc.cumulative_value(pd.DataFrame({"c": [1, 2], "t": [1, 2], "a": [1.0, 2.0]}),
                                                                "c", "t", "a", [3], n_resamples=100, seed=seed),
        voc.promise_gap: lambda seed: voc.promise_gap(pd.DataFrame({"w": [1.0, 2.0, 7.0]}), "w", 5, n_resamples=100,
                                                      seed=seed),
        widgets.journey_simulator: lambda seed: widgets.journey_simulator(lease, 10, seed=seed),
        paths.mcdonald_omega: lambda seed: paths.mcdonald_omega(items, n_resamples=100, seed=seed),
        paths.mediation: lambda seed: paths.mediation(items, x="q1", m="q2", y="q3", n_resamples=100, seed=seed),
    }
    for name in dir(data):
        function = getattr(data, name)
        if name.startswith("make_") and "seed" in inspect.signature(function).parameters:
            calls[function] = lambda seed, function=function: function(seed=seed)
    return calls


def test_every_public_function_that_takes_a_seed_is_called_here():
    import inspect

    from .. import public_api_calls

    seeded = {function for module in public_api_calls.public_modules("full")
              for function in public_api_calls.public_functions(module).values()
              if "seed" in inspect.signature(function).parameters}
    assert seeded == set(_every_seeded_call())


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2.5, TypeError), ("7", TypeError), (True, TypeError)])
def test_every_seed_goes_through_the_one_seed_check(bad, error, close_figures):
    # seed_sequence's message, the same from every function: a seed of its own check would word it otherwise
    message = r"seed must be None, a whole number 0 or more, a numpy SeedSequence or a numpy Generator, got "
    for function, call in _every_seeded_call().items():
        with pytest.raises(error, match=message + repr(bad)):
            call(bad)
    # a seed sequence made from a number is that number
    assert cxlab.nps([10, 3, 9], method="bootstrap", seed=np.random.SeedSequence(4), n_resamples=100) == \
        cxlab.nps([10, 3, 9], method="bootstrap", seed=4, n_resamples=100)


# ---------------------------------------------------------------- numeric columns: one check for all


def _numeric_callers():
    """Every function that checks a numeric column, each fed a frame with the culprit in column ``bad``."""
    from cxlab import drivers, linkage, voc

    def frame_with(column, values, **others):
        return pd.DataFrame({**others, column: values})

    return {
        "compare_groups": ("y", lambda values: cxlab.compare_groups(
            frame_with("y", values, g=["a", "b"] * (len(values) // 2) + ["a"] * (len(values) % 2)), "y", "g")),
        "adjusted_effect": ("y", lambda values: cxlab.adjusted_effect(
            frame_with("y", values, g=["a", "b"] * (len(values) // 2) + ["a"] * (len(values) % 2)), "y", "g")),
        "relative_weights": ("ease", lambda values: drivers.relative_weights(
            frame_with("ease", values, recommend=np.arange(len(values)) % 11), "recommend", ["ease"])),
        "lagged_correlation": ("ex", lambda values: linkage.lagged_correlation(
            frame_with("ex", values, cx=np.arange(len(values)), u=["a"] * len(values), t=range(len(values))),
            "ex", "cx", "u", "t", lags=[0])),
        "action_curve": ("days_open", lambda values: voc.action_curve(
            frame_with("days_open", values, acted=[True] * len(values)))),
        "nps_funnel": ("recommend", lambda values: voc.nps_funnel(
            frame_with("recommend", values, agent=["A"] * len(values)), "agent")),
        "promise_gap": ("wait", lambda values: voc.promise_gap(frame_with("wait", values), "wait", 5)),
        "cumulative_value": ("amount", lambda values: voc.cumulative_value(
            frame_with("amount", values, c=range(len(values)), m=[1] * len(values)), "c", "m", "amount", [3])),
    }


@pytest.mark.parametrize("caller", sorted(_numeric_callers()))
@settings(max_examples=25, deadline=None)
@given(numbers=st.lists(st.integers(0, 10), min_size=3, max_size=30), data=st.data())
def test_a_numeric_column_with_text_names_the_column_the_culprit_and_its_row(caller, numbers, data):
    column, call = _numeric_callers()[caller]
    position = data.draw(st.integers(1, len(numbers) - 1))  # the first value is a harmless number
    culprit = data.draw(st.sampled_from(["n/a", "ten", "soon", "?"]))
    values = [*numbers[:position], culprit, *numbers[position + 1:]]
    with pytest.raises(TypeError) as raised:
        call(values)
    message = str(raised.value)
    assert message.startswith(f"column {column!r} must hold "), message
    assert f"; found {culprit!r} (type str) at index {position}" in message, message


@pytest.mark.parametrize(("values", "expected"), [
    ([1, 2.5, None], [1.0, 2.5, np.nan]),
    (pd.array([1, None, 3], dtype="Int64"), [1.0, np.nan, 3.0]),
    (np.array([4, 5], dtype=object), [4.0, 5.0]),
])
def test_numeric_column_gives_floats_with_nan_for_missing(values, expected):
    result = numeric_column(pd.DataFrame({"x": values}, index=[7, 8, 9][: len(values)]), "x")
    np.testing.assert_array_equal(result.to_numpy(), expected)
    assert result.index.tolist() == [7, 8, 9][: len(values)] and result.name == "x"


def test_numeric_column_refuses_numbers_stored_as_text_and_true_false_unless_asked():
    with pytest.raises(TypeError, match=r"column 'x' must hold waits; it holds numbers stored as text, such as '3'"):
        numeric_column(pd.DataFrame({"x": ["3", "4"]}), "x", valid="waits")
    with pytest.raises(TypeError, match=r"column 'x' must hold numbers, not booleans"):
        numeric_column(pd.DataFrame({"x": [True, False]}), "x")
    assert numeric_column(pd.DataFrame({"x": [True, False]}), "x", booleans=True).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"column\(s\) \['y'\] not found"):
        numeric_column(pd.DataFrame({"x": [1]}), "y")


# ---------------------------------------------------------------- shares: 0 to 1, never per cent by mistake


def _share_inputs():
    """Every parameter of cxlab that is a share, given 45 (per cent) where 0 to 1 is expected."""
    from cxlab import journey as cx_journey
    from cxlab import opinions, plots, value

    lease = cx_journey.leasing_journey()
    initiative = {"margin": 10, "retention": 0.8, "uplift": 0.01, "discount_rate": 0.1, "cost": 10}
    return {
        "clv retention": lambda: value.clv(100, 45, 0.1),
        "clv discount_rate": lambda: value.clv(100, 0.8, 45),
        "annuity discount_rate": lambda: value.annuity(100, 45, 5),
        "initiative_return retention": lambda: value.initiative_return(100, **{**initiative, "retention": 45}),
        "initiative_return uplift": lambda: value.initiative_return(100, **{**initiative, "uplift": 45}),
        "initiative_return discount_rate": lambda: value.initiative_return(100, **{**initiative, "discount_rate": 45}),
        "roi_simulation retention range": lambda: value.roi_simulation(100, **{**initiative, "retention": (0.7, 45)}),
        "representation_funnel share_women": lambda: value.representation_funnel([10], [45]),
        "funnel_against_market market_share": lambda: value.funnel_against_market([1], [10], [45]),
        "headline_at_mix share_others": lambda: opinions.headline_at_mix(1, 2, 45),
        "interval_coverage promoters": lambda: cxlab.stats.interval_coverage(10, 45, 0.1),
        "interval_coverage detractors": lambda: cxlab.stats.interval_coverage(10, 0.1, 45),
        "coverage_table shares": lambda: cxlab.stats.coverage_table(sizes=[10], shares=[(45, 5)], methods=["wald"]),
        "margin_of_error_curve shares": lambda: plots.margin_of_error_curve(shares=((45, 5),)),
        "Step error_rate": lambda: lease.with_step("document check", error_rate=45),
        "Step clarity": lambda: lease.with_step("document check", clarity=45),
        "Journey silo": lambda: lease.with_changes(silo=45),
        "Journey autonomy": lambda: lease.with_changes(autonomy=45),
        "sensitivity change": lambda: cx_journey.sensitivity(lease, 45, n_customers=10),
        "department_leverage improvement": lambda: cx_journey.department_leverage(lease, 45, n_customers=10),
        "ci": lambda: cxlab.nps([10, 9], ci=45),
    }


@pytest.mark.parametrize("name", sorted(_share_inputs()))
def test_a_share_given_in_per_cent_is_an_error_naming_it_and_the_range(name, close_figures):
    with pytest.raises(ValueError) as raised:
        _share_inputs()[name]()
    parameter = {"coverage_table shares": "promoters", "roi_simulation retention range": "retention"}.get(
        name, name.split()[-1])
    assert re.search(rf"{parameter} must be .*(between -?[0-9.]+ and (0.99|1)|from 0 to 1).*, got 45$", str(raised.value)), \
        str(raised.value)


def test_population_shares_in_per_cent_are_refused_by_their_sum():
    with pytest.raises(ValueError, match=r"population shares of 'a' must add up to 1, they add up to 100"):
        cxlab.rake(pd.DataFrame({"a": ["x", "y"]}), {"a": {"x": 45, "y": 55}})
