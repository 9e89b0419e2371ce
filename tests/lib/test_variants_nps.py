"""The NPS exercise's variants: the book variant is the chapter's survey; the others are vetted.

The knife-edge conditions are recomputed here from the data with numpy and the textbook
adjusted Wald formulas (Rocks 2016: 0.75 promoters, 1.5 passives and 0.75 detractors added)
and Holm's step-down rule, not by calling the generator's ``knife_edges``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from cxlab.data import exercise as _exercise
from cxlab.data import load_survey
from cxlab.data.nps import BOOK_TASK, MARGINS

ASSIGNMENT = "nps"
FIRST = [f"s{number:04d}" for number in range(200)]
CHANNELS = ("phone", "chat", "email", "branch")
Z = 1.959963984540054


@functools.cache
def exercise(variant: str):
    return _exercise(ASSIGNMENT, variant)


def _net_and_variance(scores: np.ndarray) -> tuple[float, float]:
    promoters, detractors = np.mean(scores >= 9), np.mean(scores <= 6)
    return 100 * (promoters - detractors), 1e4 * ((promoters + detractors) - (promoters - detractors) ** 2) / scores.size


def _adjusted_net_and_variance(scores: np.ndarray) -> tuple[float, float]:
    size = scores.size + 3
    promoters, detractors = (np.sum(scores >= 9) + 0.75) / size, (np.sum(scores <= 6) + 0.75) / size
    return 100 * (promoters - detractors), 1e4 * ((promoters + detractors) - (promoters - detractors) ** 2) / size


def _adjusted_wald_test(later: np.ndarray, earlier: np.ndarray) -> tuple[float, float]:
    """The plain difference of the two scores and the p-value of the adjusted Wald test."""
    (a, va), (b, vb) = _adjusted_net_and_variance(later), _adjusted_net_and_variance(earlier)
    difference = _net_and_variance(later)[0] - _net_and_variance(earlier)[0]
    return difference, math.erfc(abs((a - b) / math.sqrt(va + vb)) / math.sqrt(2))


def _holm(pvalues: dict) -> dict:
    """Holm's step-down adjusted p-values, by hand."""
    adjusted, running = {}, 0.0
    for rank, name in enumerate(sorted(pvalues, key=pvalues.get)):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[name]))
        adjusted[name] = running
    return adjusted


def answers(variant: str) -> dict:
    """The data-dependent answers of the exercise, computed straight from the data."""
    data, task = exercise(variant)["survey"], exercise(variant).task
    scores = data["recommend"].to_numpy()
    by = {(quarter, channel): rows["recommend"].to_numpy() for (quarter, channel), rows in
          data.groupby(["quarter", "channel"])}
    quarter = lambda name: data.loc[data["quarter"] == name, "recommend"].to_numpy()  # noqa: E731
    value, variance = _adjusted_net_and_variance(quarter(task["interval_quarter"]))
    change, pvalue = _adjusted_wald_test(quarter("2026-Q2"), quarter("2026-Q1"))
    channel_tests = {channel: _adjusted_wald_test(by["2026-Q2", channel], by["2026-Q1", channel]) for channel in CHANNELS}
    latest = quarter("2026-Q2")
    _, variance_latest = _net_and_variance(latest)
    needed_raw = (Z * math.sqrt(variance_latest * latest.size) / task["margin"]) ** 2
    focus = data[(data["channel"] == task["focus_channel"]) & (data["quarter"] == "2026-Q2")]
    coded = focus["sentiment"].dropna()
    return {
        "promoters": int(np.sum(scores >= 9)), "passives": int(np.sum((scores >= 7) & (scores <= 8))),
        "nps_all": _net_and_variance(scores)[0],
        "interval_low": value - Z * math.sqrt(variance), "interval_high": value + Z * math.sqrt(variance),
        "change": change, "change_pvalue": pvalue,
        "channel_pvalues": {channel: test[1] for channel, test in channel_tests.items()},
        "channel_changes": {channel: test[0] for channel, test in channel_tests.items()},
        "holm_pvalues": _holm({channel: test[1] for channel, test in channel_tests.items()}),
        "needed_raw": needed_raw,
        "focus_csat": 100 * np.mean(focus["satisfaction"] >= 4), "focus_ces_agree": 100 * np.mean(focus["effort"] >= 5),
        "focus_nss": 100 * (np.sum(coded == "positive") - np.sum(coded == "negative")) / len(coded),
    }


def test_the_book_variant_is_the_chapters_survey_and_task():
    book = exercise("book")
    pd.testing.assert_frame_equal(book["survey"], load_survey())
    assert dict(book.task) == BOOK_TASK


def test_fingerprints_are_pinned():
    # Computed once; a change means every student's data changed: bump GENERATOR_VERSION.
    assert exercise("practice-001").fingerprint == "8e82a92c32a6"
    assert exercise("practice-002").fingerprint == "731b89fe1270"
    assert exercise("s0001").fingerprint == "0c1b9704ac0e"
    assert exercise("book").fingerprint == "aed1a0f2b3d2"


def test_the_first_200_variants_sit_on_no_knife_edge():
    for variant in FIRST:
        found = answers(variant)
        assert abs(found["change_pvalue"] - 0.05) >= 0.005, variant
        assert all(abs(p - 0.05) >= 0.005 for p in found["channel_pvalues"].values()), variant
        assert all(abs(p - 0.05) >= 0.005 for p in found["holm_pvalues"].values()), variant
        falls = sorted(found["channel_changes"].values())
        assert falls[1] - falls[0] >= 0.5, variant
        assert abs(found["needed_raw"] - round(found["needed_raw"])) >= 0.01, variant
        # the visible checks would read these as slips
        assert abs(found["nps_all"]) >= 1.5, variant
        assert found["focus_csat"] >= 7.5 and found["focus_ces_agree"] >= 7.5 and abs(found["focus_nss"]) >= 1.5, variant


def test_consecutive_variants_differ_in_every_continuous_answer():
    names = ("nps_all", "interval_low", "interval_high", "change", "change_pvalue", "focus_csat", "focus_nss")
    same = {name: 0 for name in names}
    for first, second in zip(FIRST, FIRST[1:]):
        one, other = answers(first), answers(second)
        for name in names:
            same[name] += abs(one[name] - other[name]) <= 0.01
    # the scores, their intervals and the change always differ; a share of the 50 to 210 answers
    # of one channel and quarter moves in steps of 0.5 to 2 points and can coincide by chance
    assert same["interval_low"] == same["interval_high"] == same["change"] == same["nps_all"] == 0, same
    assert all(count <= 0.1 * (len(FIRST) - 1) for count in same.values()), same


def test_what_is_asked_varies():
    tasks = [exercise(variant).task for variant in FIRST]
    assert {task["interval_quarter"] for task in tasks} == {"2026-Q1", "2026-Q2"}
    assert {task["margin"] for task in tasks} == set(MARGINS)
    assert {task["focus_channel"] for task in tasks} == set(CHANNELS)


def test_conclusions_vary_not_only_the_decimals():
    significant = {tuple(sorted(c for c, p in answers(v)["channel_pvalues"].items() if p < 0.05)) for v in FIRST[:60]}
    biggest = {min(answers(v)["channel_changes"].items(), key=lambda item: item[1])[0] for v in FIRST[:60]}
    assert len(significant) >= 5 and biggest == set(CHANNELS)


def test_holms_adjustment_changes_the_conclusion_in_some_variants_and_not_in_others():
    # question 8 would be a copy of question 5 if the adjustment never mattered, and a trick if it always did
    differs = [variant for variant in FIRST
               if {c for c, p in answers(variant)["channel_pvalues"].items() if p < 0.05}
               != {c for c, p in answers(variant)["holm_pvalues"].items() if p < 0.05}]
    assert 0.1 * len(FIRST) <= len(differs) <= 0.9 * len(FIRST), len(differs)


def test_the_interval_is_the_adjusted_wald_one_of_cxlab():
    import cxlab

    for variant in FIRST[:5]:
        data, task = exercise(variant)["survey"], exercise(variant).task
        result = cxlab.nps(data.loc[data["quarter"] == task["interval_quarter"], "recommend"])
        found = answers(variant)
        assert result.method == "adjusted-wald"
        assert math.isclose(result.low, found["interval_low"], abs_tol=1e-9)
        assert math.isclose(result.high, found["interval_high"], abs_tol=1e-9)


def test_no_variant_gives_the_books_scores():
    book = answers("book")
    for variant in FIRST[:100]:
        found = answers(variant)
        for name in ("nps_all", "interval_low", "interval_high", "change"):
            assert abs(found[name] - book[name]) > 0.01, (variant, name)


def test_no_vetted_variant_has_the_books_data():
    book = _exercise("nps", "book").fingerprint
    assert [variant for variant in FIRST if _exercise("nps", variant).fingerprint == book] == []
