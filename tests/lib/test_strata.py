"""Comparisons within strata, pooled with Mantel-Haenszel weights: Simpson's paradox and Sato's variance.

Reference values come from outside cxlab: the kidney-stone counts of Charig et al.
(1986, BMJ 292:879) as tabulated by Julious and Mullee (1994, BMJ 309:1480); Sato's
(1989) variance checked against the large-sample binomial variance and by simulated
coverage. Invariants of the pooled difference are checked on generated data (hypothesis).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cxlab
from cxlab.stats.groups import compare_groups

from .strategies import values


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
    assert overall.value == pytest.approx(273 / 350 - 289 / 350)
    assert overall.value < 0
    assert (stratified.table["value"] > 0).all()
    assert stratified.value > 0
    # The Mantel-Haenszel weights n_a * n_b / n, computed by hand from the counts.
    w_small, w_large = 87 * 270 / 357, 263 * 80 / 343
    expected = (w_small * (81 / 87 - 234 / 270) + w_large * (192 / 263 - 55 / 80)) / (w_small + w_large)
    assert stratified.value == pytest.approx(expected)
    assert stratified.table["weight"].sum() == pytest.approx(1.0)


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
    result = compare_groups(frame, "y", "g", strata="s", kind="proportion")
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
        result = compare_groups(pd.concat(frames, ignore_index=True), "y", "g", strata="s",
                                kind="proportion" if binary else "mean")
        covered += result.low <= true_difference <= result.high
    # 600 trials: a correct 95% interval covers 92.9%..97.1% of the time with 99% probability.
    assert 0.929 <= covered / trials <= 0.971


def test_single_stratum_gives_the_plain_difference(teams):
    one = teams.assign(everyone="all")
    plain = compare_groups(one, "nps", "certificate")
    pooled = compare_groups(one, "nps", "certificate", strata="everyone")
    assert pooled.value == pytest.approx(plain.value)
    assert pooled.se == pytest.approx(plain.se)


# ------------------------------------------------------------------ invariants


@settings(settings.get_profile("cxlab-groups"))
@given(stratified())
def test_mantel_haenszel_lies_within_the_stratum_differences(frame):
    assume(spread(frame))
    result = cxlab.compare_groups(frame, "y", "g", strata="s")
    differences = result.table["value"]
    assert differences.min() - 1e-9 <= result.value <= differences.max() + 1e-9
    assert result.table["weight"].sum() == pytest.approx(1.0)
    assert 0 <= result.pvalue <= 1


@settings(settings.get_profile("cxlab-groups"))
@given(stratified(binary=True))
def test_risk_difference_stays_between_minus_one_and_one(frame):
    result = cxlab.compare_groups(frame, "y", "g", strata="s", kind="proportion")
    assert result.kind == "proportion"
    assert -1 <= result.value <= 1
    assert result.se >= 0
    plain = cxlab.compare_groups(frame, "y", "g", kind="proportion")
    assert -1 <= plain.low <= plain.value <= plain.high <= 1


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t, p: compare_groups(t.assign(stratum=np.where(t["certificate"] == "none", "x", t["maturity"].astype(str))),
                                     "nps", "certificate", strata="stratum"), ValueError, "has no rows with certificate="),
    ],
    ids=["empty-stratum"],
)
def test_bad_input_raises_a_clear_error(teams, panel, call, error, message):
    with pytest.raises(error, match=message):
        call(teams, panel)
