"""The certification exercise's variants: the book's data, pinned fingerprints, and 200 vetted variants.

The knife-edge conditions are recomputed here from the tables with numpy and scipy, not
by calling the generator's ``knife_edges``; so are the answers whose values must differ
between variants.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlab.data import exercise, load_team_panel, load_teams
from cxlab.data.certification import BOOK_TASK, OUTCOMES, PANEL_OUTCOMES
from cxlab.data.variants import BOOK

VETTED = [f"s{number:04d}" for number in range(200)]
LEVELS = (1, 2, 3, 4)


def test_book_is_the_chapter_data_and_the_task_the_exercise_asked_before():
    book = exercise("certification", BOOK)
    pd.testing.assert_frame_equal(book["teams"], load_teams())
    pd.testing.assert_frame_equal(book["panel"], load_team_panel())
    # the vendors table the exercise printed before it had variants
    vendors = book["vendors"]
    assert vendors[["vendor", "contact_type"]].values.tolist() == [["A", "simple"], ["A", "complex"], ["B", "simple"],
                                                                   ["B", "complex"]]
    assert vendors["contacts"].tolist() == [100, 300, 300, 100]
    assert vendors["resolved"].tolist() == [90, 150, 260, 40]
    assert dict(book.task) == {"outcome": "csat", "panel_outcome": "csat"} == BOOK_TASK
    assert book.attempt == 0 and not book.rejected


def test_pinned_fingerprints():
    assert exercise("certification", "practice-001").fingerprint == "9171ee2a68ec"
    assert exercise("certification", "practice-002").fingerprint == "5c0cbbb8ad07"
    assert exercise("certification", "s0001").fingerprint == "b14b08078a73"


# --------------------------------------------------------------------------------------
# 200 variants: each recomputed independently.

def _adjusted(teams: pd.DataFrame, outcome: str) -> tuple[float, float]:
    """The certificate's coefficient and its HC3 t-test p-value, controls maturity, budget and size."""
    x = np.column_stack([np.ones(len(teams)), (teams["certificate"] == "certified").to_numpy(float),
                         teams["maturity"].to_numpy(float), teams["budget_per_agent"].to_numpy(float),
                         teams["size"].to_numpy(float)])
    y = teams[outcome].to_numpy(float)
    inverse = np.linalg.inv(x.T @ x)
    beta = inverse @ x.T @ y
    residuals = y - x @ beta
    leverage = np.einsum("ij,jk,ik->i", x, inverse, x)
    meat = x.T @ (x * (residuals / (1 - leverage))[:, None] ** 2)
    se = math.sqrt((inverse @ meat @ inverse)[1, 1])
    return float(beta[1]), float(2 * stats.t.sf(abs(beta[1] / se), len(y) - x.shape[1]))


def _changes(panel: pd.DataFrame, outcome: str) -> tuple[pd.Series, pd.Series]:
    wide = panel.pivot(index="team", columns="period", values=outcome)
    return wide["2026-H2"] - wide["2026-H1"], panel.groupby("team")["arm"].first()


def _answers(variant: str) -> dict:
    """The data-dependent answers of the notebook and the quantities its knife-edges look at."""
    drawn = exercise("certification", variant)
    teams, panel, vendors = drawn["teams"], drawn["panel"], drawn["vendors"]
    outcome, panel_outcome = drawn.task["outcome"], drawn.task["panel_outcome"]
    certified = teams["certificate"] == "certified"
    cells = pd.crosstab(teams["maturity"], teams["certificate"]).reindex(index=LEVELS, columns=["certified", "none"],
                                                                          fill_value=0)
    naive = {column: float(teams.loc[certified, column].mean() - teams.loc[~certified, column].mean())
             for column in ("nps", "csat", "fcr")}
    means = teams.groupby(["maturity", "certificate"])[outcome].mean().unstack()
    within = (means["certified"] - means["none"]).reindex(LEVELS)
    weights = cells["certified"] * cells["none"] / (cells["certified"] + cells["none"])
    adjusted, adjusted_p = _adjusted(teams, outcome)
    change, arm = _changes(panel, panel_outcome)
    fix = change[arm == "process fix"].mean() - change[arm == "none"].mean()
    course = stats.ttest_ind(change[arm == "certification course"], change[arm == "none"], equal_var=False)
    course_low = course.confidence_interval(0.95).low
    table = vendors.set_index(["vendor", "contact_type"])
    share = table["resolved"] / table["contacts"]
    totals = table.groupby("vendor")[["contacts", "resolved"]].sum()
    overall = float(totals.loc["A", "resolved"] / totals.loc["A", "contacts"]
                    - totals.loc["B", "resolved"] / totals.loc["B", "contacts"])
    gaps = [float(share["A", kind] - share["B", kind]) for kind in ("complex", "simple")]
    return {
        "task": dict(drawn.task), "cells": int(cells.to_numpy().min()), "naive": naive, "outcome": outcome,
        "numbers": {
            "naive_difference": naive[outcome], "within": tuple(within.round(9)),
            "mh_difference": float((weights * within).sum() / weights.sum()),
            "share_left": float((weights * within).sum() / weights.sum()) / naive[outcome],
            "adjusted": adjusted, "adjusted_pvalue": adjusted_p, "fix_effect": float(fix),
            "course_before_after": float(change[arm == "certification course"].mean()),
            "course_did": float(change[arm == "certification course"].mean() - change[arm == "none"].mean()),
            "overall_gap": overall, "gaps_by_type": tuple(gaps),
        },
        "course_p": float(course.pvalue), "course_low": float(course_low),
        "control_change": float(change[arm == "none"].mean()),
        "booleans": {"certificate_significant": adjusted_p < 0.05, "course_works": course_low > 0,
                     "paradox": all(gap * overall < 0 for gap in gaps)},
    }


@pytest.fixture(scope="module")
def vetted() -> list[dict]:
    return [_answers(variant) for variant in VETTED]


def test_no_vetted_variant_sits_on_a_knife_edge(vetted):
    for variant, answers in zip(VETTED, vetted):
        assert answers["cells"] >= 3, (variant, "a maturity level with fewer than 3 certified or uncertified teams")
        numbers = answers["numbers"]
        assert abs(numbers["adjusted_pvalue"] - 0.05) >= 0.005, (variant, numbers["adjusted_pvalue"])
        assert abs(answers["course_p"] - 0.05) >= 0.005, (variant, answers["course_p"])
        assert abs(answers["course_low"]) >= 0.01, (variant, answers["course_low"])
        assert abs(answers["control_change"]) >= 0.02, (variant, answers["control_change"])
        naive = answers["naive"]
        for column, value in naive.items():
            if column != answers["outcome"]:
                assert abs(value - naive[answers["outcome"]]) >= 0.02, (variant, column, naive)
        assert abs(naive[answers["outcome"]]) >= 1, (variant, "a naive difference below one point", naive)
        assert abs(numbers["share_left"]) <= 1.5, (variant, numbers["share_left"])
        assert abs(numbers["overall_gap"]) >= 0.01, (variant, numbers["overall_gap"])
        assert min(abs(gap) for gap in numbers["gaps_by_type"]) >= 0.01, (variant, numbers["gaps_by_type"])


def test_every_data_dependent_answer_differs_between_consecutive_variants(vetted):
    for (first, one), (second, other) in zip(zip(VETTED, vetted), zip(VETTED[1:], vetted[1:])):
        for name, value in one["numbers"].items():
            assert value != other["numbers"][name], (first, second, name, value)


def test_what_is_asked_and_what_is_concluded_vary(vetted):
    assert {answers["task"]["outcome"] for answers in vetted} == set(OUTCOMES)
    assert {answers["task"]["panel_outcome"] for answers in vetted} == set(PANEL_OUTCOMES)
    for name in ("certificate_significant", "course_works", "paradox"):
        counts = pd.Series([answers["booleans"][name] for answers in vetted]).value_counts()
        assert set(counts.index) == {True, False} and counts.min() >= 20, (name, counts.to_dict())


def test_variants_keep_the_design_the_notebook_relies_on():
    drawn = exercise("certification", "practice-003")
    book = exercise("certification", BOOK)
    for name in ("teams", "panel", "vendors"):
        assert drawn[name].columns.tolist() == book[name].columns.tolist()
        assert drawn[name].dtypes.tolist() == book[name].dtypes.tolist()
        assert drawn[name].shape == book[name].shape
    arms = drawn["panel"].groupby("arm")["team"].nunique().to_dict()
    assert arms == {"certification course": 16, "none": 48, "process fix": 16}
    assert (drawn["panel"].loc[drawn["panel"]["arm"] == "certification course", "certificate"] == "none").all()
    for column in ("nps", "csat", "fcr", "days_to_resolve", "budget_per_agent"):
        values = drawn["panel"][column]
        assert (values == values.round(2)).all(), column


@settings(max_examples=10, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,20}", fullmatch=True))
def test_no_variant_is_the_book_and_each_is_reproducible(variant):
    if variant == BOOK:
        return
    drawn = exercise("certification", variant)
    assert drawn.fingerprint != exercise("certification", BOOK).fingerprint
    assert not drawn["teams"].equals(load_teams())
    from cxlab.data import certification
    from cxlab.data.variants import GENERATOR_VERSION, StableRandom

    tables, task = certification.generate(
        StableRandom(f"cxlab|certification|{drawn.variant}|v{GENERATOR_VERSION}|{drawn.attempt}"))
    pd.testing.assert_frame_equal(tables["teams"], drawn["teams"])
    assert task == dict(drawn.task)


def test_no_vetted_variant_has_the_books_data():
    book = exercise("certification", "book").fingerprint
    assert [variant for variant in VETTED if exercise("certification", variant).fingerprint == book] == []
