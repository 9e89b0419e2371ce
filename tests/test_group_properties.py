"""Invariants of the group comparisons, checked on generated data (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cxlab

settings.register_profile("cxlab-groups", deadline=None, max_examples=80)

values = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
samples = st.lists(values, min_size=2, max_size=30)


@st.composite
def stratified(draw, binary=False):
    """2-4 strata, each with 2-15 rows in each of the groups "a" and "b"."""
    frames = []
    for stratum in range(draw(st.integers(2, 4))):
        for group in ("a", "b"):
            size = draw(st.integers(2, 15))
            element = st.integers(0, 1) if binary else values
            y = draw(st.lists(element, min_size=size, max_size=size))
            frames.append(pd.DataFrame({"y": np.asarray(y, dtype=float), "g": group, "s": stratum}))
    return pd.concat(frames, ignore_index=True)


def spread(frame):
    return frame.groupby(["s", "g"])["y"].std().min() > 1e-6


@settings(settings.get_profile("cxlab-groups"))
@given(samples, samples, values)
def test_swapping_groups_negates_and_shifting_changes_nothing(a, b, shift):
    frame = pd.DataFrame({"y": a + b, "g": ["a"] * len(a) + ["b"] * len(b)})
    assume(np.std(a) > 1e-6 or np.std(b) > 1e-6)
    forward = cxlab.compare_groups(frame, "y", "g")
    backward = cxlab.compare_groups(frame, "y", "g", order=("b", "a"))
    assert backward.difference == pytest.approx(-forward.difference, abs=1e-9)
    assert backward.se == pytest.approx(forward.se)
    assert backward.pvalue == pytest.approx(forward.pvalue)
    assert forward.low <= forward.difference <= forward.high
    shifted = cxlab.compare_groups(frame.assign(y=frame["y"] + shift), "y", "g")
    assert shifted.difference == pytest.approx(forward.difference, abs=1e-6)
    assert shifted.se == pytest.approx(forward.se, rel=1e-6, abs=1e-9)


@settings(settings.get_profile("cxlab-groups"))
@given(stratified())
def test_mantel_haenszel_lies_within_the_stratum_differences(frame):
    assume(spread(frame))
    result = cxlab.compare_groups(frame, "y", "g", strata="s")
    differences = result.table["difference"]
    assert differences.min() - 1e-9 <= result.difference <= differences.max() + 1e-9
    assert result.table["weight"].sum() == pytest.approx(1.0)
    assert 0 <= result.pvalue <= 1


@settings(settings.get_profile("cxlab-groups"))
@given(stratified(binary=True))
def test_risk_difference_stays_between_minus_one_and_one(frame):
    result = cxlab.compare_groups(frame, "y", "g", strata="s")
    assert result.kind == "proportion"
    assert -1 <= result.difference <= 1
    assert result.se >= 0
    plain = cxlab.compare_groups(frame, "y", "g")
    assert -1 <= plain.low <= plain.difference <= plain.high <= 1


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
    assert other.estimate == pytest.approx(base.estimate, abs=1e-6)
    assert other.se == pytest.approx(base.se, rel=1e-6, abs=1e-9)
    assert base.estimate == pytest.approx(5.0 + np.mean(noise) - np.mean(noise[::-1]), abs=1e-9)


@settings(settings.get_profile("cxlab-groups"), max_examples=30)
@given(st.lists(values, min_size=5, max_size=40), st.integers(0, 2**32 - 1))
def test_bootstrap_interval_is_ordered_and_within_the_resample_range(sample, seed):
    frame = pd.DataFrame({"x": sample})
    result = cxlab.bootstrap_interval(frame, lambda d: d["x"].median(), n_resamples=100, seed=seed)
    assert result.distribution.min() <= result.low <= result.high <= result.distribution.max()
    assert min(sample) <= result.low and result.high <= max(sample)
