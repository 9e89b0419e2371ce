"""An interval is a fact of its result: other levels come from what the result kept.

Every result with an interval offers ``confidence_interval(level)``. The interval at
another level comes from what the result kept when it was made (its resampled
statistics, its standard error and degrees of freedom, its counts), never from its input
data, which the caller may have changed or dropped since. So asking twice gives one
interval, a result drawn at random without a seed keeps its draws, and the interval at
any level equals the one the function gives when called at that level with the same
data and seed.

Whether the interval holds the result's own value depends on the method. Normal-theory
intervals centred on the estimate, Wilson's and Newcombe's, the log-log band of a
Kaplan-Meier share and the central interval of simulated draws around their median
always do, and the tests assert it. Percentile, basic and BCa bootstrap intervals, the
adjusted Wald interval (centred on the adjusted NPS) and the Kaplan-Meier median's
interval need not: for them the tests assert that a RuntimeWarning names every case
where the interval leaves its value out, and that none is raised otherwise.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cxlab
from cxlab import opinions, paths, value, voc
from cxlab.journey import leasing_journey, outcome, simulate, what_if
from cxlab.stats.common import _HasInterval

from .strategies import values

#: The level every result is made at; the levels asked of it afterwards are drawn.
OWN_LEVEL = 0.9
levels = st.floats(min_value=0.5, max_value=0.99).map(lambda level: round(level, 3))
seeds = st.one_of(st.none(), st.integers(min_value=0, max_value=2**32))
scores = st.lists(st.integers(0, 10), min_size=1, max_size=40).map(np.array)
weights = st.floats(min_value=0.2, max_value=5.0)


@dataclass
class Case:
    """How to make one kind of result from drawn data, and what its method promises."""

    kind: type
    draw_inputs: Callable  # draw -> dict of the (mutable) inputs
    make: Callable  # (inputs, level) -> result
    holds_value: Callable = lambda inputs: True  # does the method promise low <= value <= high?
    mutate: Callable = lambda inputs: None  # change the inputs in place after the result is made
    seeded: Callable = field(default=lambda inputs: inputs.get("seed", 0) is not None)


def _weighted(draw, data_strategy, metric):
    data = draw(data_strategy)
    return {"data": data, "weights": np.array(draw(st.lists(weights, min_size=len(data), max_size=len(data)))),
            "weighted": draw(st.booleans()), "metric": metric}


def _groups(draw, *, proportion=False, strata=False):
    outcome_values = st.booleans() if proportion else values
    rows = []
    for stratum in ("s1", "s2") if strata else ("s1",):
        for group in ("a", "b"):
            size = draw(st.integers(1 if proportion else 2, 6))
            rows += [(draw(outcome_values), group, stratum) for _ in range(size)]
    return {"frame": pd.DataFrame(rows, columns=["y", "g", "s"]), "strata": "s" if strata else None}


def _panel(draw, *, units: bool):
    rows = []
    for arm in ("treated", "control"):
        for unit in range(draw(st.integers(2, 5))):
            rows += [(f"{arm}{unit}", arm, period, draw(values)) for period in ("before", "after")]
    return {"panel": pd.DataFrame(rows, columns=["unit", "arm", "period", "y"]), "unit": "unit" if units else None}


def _log(draw):
    size = draw(st.integers(2, 25))
    return {"log": pd.DataFrame({"days_open": draw(st.lists(st.integers(0, 30), min_size=size, max_size=size)),
                                 "acted": draw(st.lists(st.booleans(), min_size=size, max_size=size))}),
            "days": draw(st.integers(0, 30))}


def _double_column(column):
    def mutate(inputs):
        frame = next(part for part in inputs.values() if isinstance(part, pd.DataFrame))
        frame[column] = 2 * frame[column] + 1
    return mutate


def _reverse_scores(*names):
    def mutate(inputs):
        for name in names:
            inputs[name][:] = 10 - inputs[name]
    return mutate


NPS_METHODS = st.sampled_from(["wald", "adjusted-wald", "bootstrap"])


def _nps_inputs(draw):
    return {"scores": draw(scores), "method": draw(NPS_METHODS), "seed": draw(seeds)}


def _metric(inputs, level):
    function = {"csat": cxlab.csat, "proportion": cxlab.proportion, "ces": cxlab.ces}[inputs["metric"]]
    return function(inputs["data"], ci=level, weights=inputs["weights"] if inputs["weighted"] else None)


def _bootstrap(inputs, level):
    try:
        return cxlab.bootstrap_interval(inputs["frame"], lambda frame: frame["x"].mean(), n_resamples=200, ci=level,
                                        seed=inputs["seed"], method=inputs["method"])
    except ValueError:  # BCa is undefined when the resamples do not vary
        assume(False)


def _adjusted(inputs, level):
    try:
        return cxlab.adjusted_effect(inputs["frame"], "y", "g", ["x"], ci=level)
    except ValueError:  # collinear control, or too few rows for the model
        assume(False)


def _items(draw, *, least: int):
    """A small multi-item scale: 1-7 answers driven by one common factor, so the items correlate."""
    rows, count = draw(st.integers(12, 40)), draw(st.integers(least, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    common = rng.normal(size=rows)
    items = {f"q{k}": np.clip(np.round(4 + 1.2 * common + rng.normal(size=rows)), 1, 7) for k in range(1, count + 1)}
    return {"frame": pd.DataFrame(items), "seed": draw(seeds)}


def _scale(function, options):
    def make(inputs, level):
        try:
            return function(inputs["frame"], confidence_level=level, **options(inputs))
        except ValueError:  # a constant item, or a factor model that does not converge on so few rows
            assume(False)
    return make


def _mediation_inputs(draw):
    rows = draw(st.integers(10, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=rows)
    m = draw(st.floats(-1, 1)) * x + rng.normal(size=rows)
    y = draw(st.floats(-1, 1)) * m + 0.3 * x + rng.normal(size=rows)
    return {"frame": pd.DataFrame({"x": x, "m": m, "y": y}), "seed": draw(seeds)}


CASES = {
    "cronbach_alpha": Case(paths.ReliabilityResult, lambda draw: _items(draw, least=2),
                           _scale(paths.cronbach_alpha, lambda inputs: {}), holds_value=lambda i: False,
                           mutate=_double_column("q1")),
    "mcdonald_omega": Case(paths.ReliabilityResult, lambda draw: _items(draw, least=3),
                           _scale(paths.mcdonald_omega, lambda inputs: {"seed": inputs["seed"], "n_resamples": 100}),
                           holds_value=lambda i: False, mutate=_double_column("q1")),
    "mediation": Case(paths.MediationResult, _mediation_inputs,
                      lambda i, level: paths.mediation(i["frame"], x="x", m="m", y="y", n_resamples=200,
                                                       confidence_level=level, seed=i["seed"]),
                      holds_value=lambda i: False, mutate=_double_column("m")),
    "nps": Case(
        cxlab.stats.nps_intervals.NPSResult, _nps_inputs,
        lambda i, level: cxlab.nps(i["scores"], ci=level, method=i["method"], seed=i["seed"], n_resamples=200),
        holds_value=lambda i: i["method"] == "wald", mutate=_reverse_scores("scores")),
    "weighted nps": Case(
        cxlab.stats.nps_intervals.NPSResult,
        lambda draw: {**_weighted(draw, scores, "nps"), "method": draw(st.sampled_from(["wald", "adjusted-wald"]))},
        lambda i, level: cxlab.nps(i["data"], ci=level, method=i["method"], weights=i["weights"]),
        holds_value=lambda i: i["method"] == "wald", mutate=_reverse_scores("data")),
    "nps_from_counts": Case(
        cxlab.stats.nps_intervals.NPSResult,
        lambda draw: {"counts": draw(st.tuples(*[st.integers(0, 30)] * 3).filter(any)), "method": draw(NPS_METHODS),
                      "seed": draw(seeds)},
        lambda i, level: cxlab.nps_from_counts(*i["counts"], ci=level, method=i["method"], seed=i["seed"],
                                               n_resamples=200),
        holds_value=lambda i: i["method"] == "wald"),
    "nps_test": Case(
        cxlab.stats.nps_intervals.NPSTestResult,
        lambda draw: {"a": draw(scores), "b": draw(scores), "method": draw(NPS_METHODS), "seed": draw(seeds)},
        lambda i, level: cxlab.nps_test(i["a"], i["b"], ci=level, method=i["method"], seed=i["seed"],
                                        n_resamples=200),
        holds_value=lambda i: i["method"] == "wald", mutate=_reverse_scores("a", "b")),
    "csat": Case(cxlab.stats.proportions.CSATResult,
                 lambda draw: _weighted(draw, st.lists(st.integers(1, 5), min_size=1, max_size=40).map(np.array),
                                        "csat"),
                 _metric, mutate=_reverse_scores("data")),
    "proportion": Case(cxlab.stats.proportions.ProportionResult,
                       lambda draw: _weighted(draw, st.lists(st.booleans(), min_size=1, max_size=40).map(np.array),
                                              "proportion"),
                       _metric, mutate=lambda i: i["data"].__setitem__(slice(None), ~i["data"])),
    "ces": Case(cxlab.stats.proportions.CESResult,
                lambda draw: _weighted(draw, st.lists(st.integers(1, 7), min_size=1, max_size=40).map(np.array), "ces"),
                _metric, mutate=_reverse_scores("data")),
    "compare_groups, means": Case(
        cxlab.stats.groups.GroupComparison, lambda draw: _groups(draw),
        lambda i, level: cxlab.compare_groups(i["frame"], "y", "g", strata=i["strata"], ci=level),
        mutate=_double_column("y")),
    "compare_groups, proportions": Case(
        cxlab.stats.groups.GroupComparison, lambda draw: _groups(draw, proportion=True),
        lambda i, level: cxlab.compare_groups(i["frame"], "y", "g", ci=level),
        mutate=lambda i: i["frame"].__setitem__("y", ~i["frame"]["y"])),
    "compare_groups, strata": Case(
        cxlab.stats.groups.GroupComparison, lambda draw: _groups(draw, strata=True),
        lambda i, level: cxlab.compare_groups(i["frame"], "y", "g", strata=i["strata"], ci=level),
        mutate=_double_column("y")),
    "adjusted_effect": Case(
        cxlab.stats.regression.AdjustedEffect,
        lambda draw: {"frame": _groups(draw)["frame"].assign(x=lambda frame: draw(
            st.lists(values, min_size=len(frame), max_size=len(frame))))},
        _adjusted, mutate=_double_column("y")),
    "diff_in_diff": Case(
        cxlab.stats.regression.DiDResult, lambda draw: _panel(draw, units=draw(st.booleans())),
        lambda i, level: cxlab.diff_in_diff(i["panel"], "y", "arm", "period", treated="treated", control="control",
                                            unit=i["unit"], before="before", after="after", ci=level),
        mutate=_double_column("y")),
    "bootstrap_interval": Case(
        cxlab.stats.bootstrap.BootstrapResult,
        lambda draw: {"frame": pd.DataFrame({"x": draw(st.lists(values, min_size=4, max_size=12))}),
                      "method": draw(st.sampled_from(["percentile", "basic", "bca"])), "seed": draw(seeds)},
        _bootstrap, holds_value=lambda i: False, mutate=_double_column("x")),
    "base_gap": Case(
        opinions.BaseGap,
        lambda draw: {"frame": pd.DataFrame(draw(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=4,
                                                          max_size=40)) + [(True, True)], columns=["unhappy", "user"]),
                      "seed": draw(seeds)},
        lambda i, level: opinions.base_gap(i["frame"], "unhappy", "user", ci=level, seed=i["seed"], n_resamples=200),
        holds_value=lambda i: False, mutate=lambda i: i["frame"].__setitem__("unhappy", ~i["frame"]["unhappy"])),
    "journey outcome": Case(
        cxlab.journey.JourneyOutcome,
        lambda draw: {"customers": simulate(leasing_journey(), draw(st.integers(20, 300)),
                                            seed=draw(st.integers(0, 1000)))},
        lambda i, level: outcome(i["customers"], ci=level),
        holds_value=lambda i: False, mutate=lambda i: i["customers"].__setitem__("rating", 0)),
    "what_if": Case(
        cxlab.journey.WhatIfResult,
        lambda draw: {"days": draw(st.floats(1, 20)), "n": draw(st.integers(50, 300)), "seed": draw(seeds)},
        lambda i, level: what_if(leasing_journey(), leasing_journey().with_step("document check", mean_days=i["days"]),
                                 i["n"], seed=i["seed"], ci=level),
        holds_value=lambda i: False),
    "roi_simulation": Case(
        value.ROISimulation,
        lambda draw: {"uplift": tuple(sorted(draw(st.lists(st.floats(0, 0.1), min_size=2, max_size=2, unique=True)))),
                      "seed": draw(seeds)},
        lambda i, level: value.roi_simulation(1000, margin=(100, 200), retention=0.8, uplift=i["uplift"],
                                              discount_rate=0.1, cost=(20_000, 40_000), n_draws=200, ci=level,
                                              seed=i["seed"])),
    "action_curve": Case(voc.ActionCurve, _log, lambda i, level: voc.action_curve(i["log"], ci=level),
                         holds_value=lambda i: False, mutate=_double_column("days_open")),
    "share_acted_within": Case(voc.ShareResult, _log,
                               lambda i, level: voc.share_acted_within(i["log"], i["days"], ci=level),
                               mutate=_double_column("days_open")),
}


def _all_result_types(base=_HasInterval) -> set[type]:
    found = set()
    for kind in base.__subclasses__():
        found |= {kind} | _all_result_types(kind)
    return found


def test_every_result_type_with_an_interval_has_a_case():
    assert _all_result_types() == {case.kind for case in CASES.values()}


def _exclusion_warnings(caught, low, high, estimate) -> list[str]:
    marker = f"({low:.6g} to {high:.6g}) does not hold the estimate {estimate:.6g}"
    return [str(warning.message) for warning in caught if marker in str(warning.message)]


def _holds(low, high, estimate) -> bool:
    if not math.isfinite(estimate):
        return True
    tolerance = 1e-9 * max(1.0, abs(estimate))
    return not (low > estimate + tolerance or high < estimate - tolerance)


def _made(case: Case, inputs: dict, level: float):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = case.make(inputs, level)
    return result, caught


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=40, deadline=None)
@given(data=st.data(), level=levels)
def test_an_interval_at_another_level_comes_from_what_the_result_kept(name, data, level):
    case = CASES[name]
    inputs = case.draw_inputs(data.draw)
    original = copy.deepcopy(inputs)
    result, caught = _made(case, inputs, OWN_LEVEL)
    assert type(result) is case.kind
    # The kept rule gives, at the result's own level, the interval the result reports.
    np.testing.assert_array_equal(result._interval(OWN_LEVEL), (result.low, result.high))
    case.mutate(inputs)  # whatever the caller does to the data afterwards changes nothing

    with warnings.catch_warnings(record=True) as asked:
        warnings.simplefilter("always")
        first = result.confidence_interval(level)
        np.testing.assert_array_equal(tuple(result.confidence_interval(level)), tuple(first))  # NaN equals NaN
    if case.seeded(original):
        fresh, _ = _made(case, original, level)
        np.testing.assert_array_equal(first, (fresh.low, fresh.high))

    for (low, high), warned in (((result.low, result.high), caught), (first, asked if level != OWN_LEVEL else None)):
        holds = _holds(low, high, result.value)
        if case.holds_value(original):
            assert holds, (name, level, low, result.value, high)
        if warned is not None:
            assert bool(_exclusion_warnings(warned, low, high, result.value)) == (not holds), (name, low, high)


def test_a_bootstrap_never_runs_its_statistic_again():
    frame = pd.DataFrame({"x": np.r_[np.arange(1.0, 30.0), 80.0]})
    calls = []

    def mean(part):
        calls.append(len(part))
        return part["x"].mean()

    for method in ("percentile", "basic", "bca"):
        result = cxlab.bootstrap_interval(frame, mean, n_resamples=300, method=method)
        made = len(calls)
        intervals = [result.confidence_interval(level) for level in (0.5, 0.8, 0.99)]
        assert len(calls) == made, method
        assert intervals[2].low <= intervals[1].low <= intervals[0].low <= intervals[0].high \
            <= intervals[1].high <= intervals[2].high, method


@pytest.mark.parametrize("make", [
    lambda: cxlab.nps(np.r_[[10] * 30, [3] * 20], method="bootstrap", n_resamples=500),
    lambda: cxlab.nps_test(np.r_[[10] * 30, [3] * 20], np.r_[[10] * 20, [8] * 30], method="bootstrap",
                           n_resamples=500),
    lambda: opinions.base_gap(pd.DataFrame({"user": [True] * 30 + [False] * 30,
                                            "unhappy": [True] * 10 + [False] * 20 + [True] * 25 + [False] * 5}),
                              "unhappy", "user", n_resamples=500),
], ids=["nps", "nps_test", "base_gap"])
def test_a_seedless_result_keeps_its_draws_and_widens_with_the_level(make):
    result = make()
    narrow, wide = result.confidence_interval(0.5), result.confidence_interval(0.99)
    assert wide.low <= narrow.low <= narrow.high <= wide.high
    assert result.confidence_interval(0.5) == narrow and result.confidence_interval(result.ci) == (result.low,
                                                                                                  result.high)


def test_the_adjusted_wald_interval_of_one_answer_leaves_it_out_and_says_so():
    # Rocks (2016)'s adjusted Wald adds 0.75 promoters, 1.5 passives and 0.75 detractors:
    # a single promoter gives an adjusted NPS of 25 with a standard error of 37.5, whose
    # 95% interval, 25 +/- 1.96 x 37.5, ends below the sample's +100.
    with pytest.warns(RuntimeWarning, match=r"NPSResult: the 0\.95 adjusted Wald interval .* does not hold the "
                                            r"estimate 100; .*n = 1"):
        single = cxlab.nps([10])
    assert single.high == pytest.approx(25 + 1.959963984540054 * 37.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cxlab.nps([10, 10, 3], method="wald")  # Wald is centred on the estimate: nothing to warn about


def test_a_percentile_interval_that_leaves_out_its_estimate_says_so():
    # The number of distinct values can only fall in a resample (about 63% of the rows
    # appear), so every resampled count lies below the sample's 20.
    frame = pd.DataFrame({"x": np.arange(20.0)})
    with pytest.warns(RuntimeWarning, match="percentile bootstrap interval .* does not hold the estimate 20"):
        result = cxlab.bootstrap_interval(frame, lambda part: part["x"].nunique(), seed=1, n_resamples=300)
    with pytest.warns(RuntimeWarning, match="BootstrapResult: the 0.8 percentile bootstrap"):
        result.confidence_interval(0.8)


def test_kept_draws_stay_out_of_repr_and_comparison():
    one = cxlab.nps([10, 9, 3, 7] * 5, method="bootstrap", seed=3, n_resamples=200)
    two = cxlab.nps([10, 9, 3, 7] * 5, method="bootstrap", seed=3, n_resamples=200)
    assert one == two and one._interval is not two._interval
    assert "_interval" not in repr(one) and "samples" not in repr(one)
    assert "_interval" not in cxlab.compare_groups(pd.DataFrame({"y": [1.0, 2, 3, 5], "g": list("aabb")}),
                                                   "y", "g").to_frame().columns
