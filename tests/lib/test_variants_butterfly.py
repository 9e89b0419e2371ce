"""The butterfly exercise's variants: the book's loan reproduced, fingerprints pinned, every
variant's loan a valid journey whose asked changes are real changes, no draw on a knife-edge,
and conclusions (the bottleneck, the department with the most leverage, whether autonomy
makes up for the delay under the default rating rule and under question 6's gentler one)
that differ between variants."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab import journey as cxjourney
from cxlab.data import butterfly, exercise
from cxlab.metrics import nps_score

VARIANTS = [f"s{number:04d}" for number in range(200)]
#: Task keys that change what a question asks (the seeds vary too, but do not change the form).
ASKED = ("delay_step", "delay_days", "improvement", "unclear_step", "unclear_clarity", "autonomy_target",
         "lateness_weight")
SEEDS = ("seed_customers", "seed_delay", "seed_leverage", "seed_unclear", "seed_autonomy")


def loan_of(variant) -> cxjourney.Journey:
    """The loan as the notebook's setup builds it."""
    found = exercise("butterfly", variant)
    settings_row = found["loan_settings"].iloc[0].to_dict()
    return cxjourney.journey_from_table(found["loan_steps"], "consumer loan", **settings_row)


def tables_of(variant) -> dict:
    found = exercise("butterfly", variant)
    return {name: found[name] for name in found.tables}


def mean_step_days(journey: cxjourney.Journey) -> pd.Series:
    """Each step's mean time in the model (hand-off in, work, rework, an unclear step's delay)."""
    days = {}
    for position, step in enumerate(journey.steps):
        crossed = position > 0 and journey.steps[position - 1].department != step.department
        days[step.name] = (step.mean_days + step.error_rate * (1 - journey.autonomy) * step.rework_days
                           + (1 - step.clarity) * journey.unclear_delay_days
                           + crossed * journey.handoff_days * (1 + 3 * journey.silo))
    return pd.Series(days)


@functools.cache
def vetted() -> dict:
    """Per variant: the loan, the task, and the quantities the knife-edge rules look at."""
    found = {}
    for variant in VARIANTS:
        journey = loan_of(variant)
        task = dict(exercise("butterfly", variant).task)
        tables = tables_of(variant)
        means = mean_step_days(journey).sort_values(ascending=False)
        leverage = butterfly._leverage(tables, task["improvement"])
        lost, gain = butterfly._offset(tables, task)
        gentle_lost, gentle_gain = butterfly._offset(tables, task, lateness_weight=task["lateness_weight"])
        found[variant] = {"journey": journey, "task": task, "tables": tables, "means": means, "leverage": leverage,
                          "lost": lost, "gain": gain, "gentle_lost": gentle_lost, "gentle_gain": gentle_gain}
    return found


# ------------------------------------------------------------------ (a) the book

def test_the_book_variant_is_the_loan_and_the_seeds_the_exercise_always_used():
    book = exercise("butterfly", "book")
    loan = cxjourney.loan_journey()
    pd.testing.assert_frame_equal(book["loan_steps"], loan.to_table())
    assert book["loan_settings"].iloc[0].to_dict() == {
        "expected_days": 20.0, "handoff_days": 0.4, "silo": 0.5, "autonomy": 0.3, "unclear_delay_days": 2.0}
    assert dict(book.task) == {
        "seed_customers": 1, "delay_step": "income verification", "delay_days": 14, "seed_delay": 3,
        "improvement": 0.25, "seed_leverage": 4, "unclear_step": "offer letter", "unclear_clarity": 0.6,
        "seed_unclear": 5, "autonomy_target": 0.9, "seed_autonomy": 6, "lateness_weight": 2.0}


def test_the_book_loan_built_from_its_tables_simulates_exactly_as_loan_journey():
    rebuilt, loan = loan_of("book"), cxjourney.loan_journey()
    pd.testing.assert_frame_equal(rebuilt.to_table(), loan.to_table())
    pd.testing.assert_frame_equal(cxjourney.simulate(rebuilt, 3000, seed=1), cxjourney.simulate(loan, 3000, seed=1))
    pd.testing.assert_series_equal(
        cxjourney.department_leverage(rebuilt, 0.25, 2000, seed=4).sort_index(),
        cxjourney.department_leverage(loan, 0.25, 2000, seed=4).sort_index())


# ------------------------------------------------------------------ (b) pinned fingerprints

@pytest.mark.parametrize("variant, expected", [
    ("practice-001", "c010393b82db"),
    ("practice-002", "cb910f9587a3"),
    ("s0001", "39211389bc51"),
])
def test_fingerprints_are_pinned(variant, expected):
    assert exercise("butterfly", variant).fingerprint == expected


# ------------------------------------------------------------------ (c) the first 200 variants

def test_every_variant_is_a_valid_loan_whose_asked_changes_are_real_changes():
    book_steps = cxjourney.loan_journey().to_table()
    for variant, found in vetted().items():
        journey, task = found["journey"], found["task"]
        table = journey.to_table()
        assert table[["name", "department", "zone", "cv", "after"]].equals(
            book_steps[["name", "department", "zone", "cv", "after"]]), variant
        delayed, unclear = journey.step(task["delay_step"]), journey.step(task["unclear_step"])
        assert journey.department_of(task["delay_step"]).zone == "back office", variant
        assert task["delay_days"] >= delayed.mean_days + 2, variant
        assert task["unclear_clarity"] <= unclear.clarity - 0.1, variant
        assert task["autonomy_target"] - journey.autonomy > 0.25, variant
        assert task["lateness_weight"] in butterfly.LATENESS_WEIGHTS, variant
        assert task["lateness_weight"] < cxjourney.RatingModel().lateness_weight, variant
        assert 0 < task["improvement"] < 1, variant
        assert journey.expected_days >= cxjourney.expected_total_days(journey) - 0.5, variant
        for key in SEEDS:
            assert isinstance(task[key], int) and task[key] >= 10, (variant, key)


def test_no_variant_sits_on_a_knife_edge():
    """Each rule recomputed here: the two slowest steps 0.1 days apart or more, the two departments
    with the most leverage 0.6 NPS points apart or more, autonomy's gain 3 points or more from
    the NPS the delay costs, under the default rating rule and under question 6's gentler one."""
    for variant, found in vetted().items():
        means, leverage = found["means"], found["leverage"]
        assert means.iloc[0] - means.iloc[1] >= 0.1, (variant, means.head(2))
        assert leverage.iloc[0] - leverage.iloc[1] >= 0.6, (variant, leverage.head(2))
        assert abs(found["gain"] - found["lost"]) >= 3.0, (variant, found["gain"], found["lost"])
        assert abs(found["gentle_gain"] - found["gentle_lost"]) >= 3.0, (variant, found["gentle_gain"],
                                                                          found["gentle_lost"])


def test_the_step_means_of_the_rules_are_the_models_own():
    for variant in VARIANTS[:20]:
        journey = vetted()[variant]["journey"]
        assert mean_step_days(journey).sum() == pytest.approx(cxjourney.expected_total_days(journey), abs=1e-9)


def test_consecutive_variants_differ_in_the_loan_and_in_every_seed():
    """Every answer is a simulation of the variant's loan with one of its seeds, so different
    loans and different seeds give different numbers in every answer."""
    found = vetted()
    for first, second in zip(VARIANTS, VARIANTS[1:]):
        a, b = found[first], found[second]
        assert not a["journey"].to_table().equals(b["journey"].to_table()), (first, second)
        for key in SEEDS:
            assert a["task"][key] != b["task"][key], (first, second, key)


def test_the_first_answers_differ_between_consecutive_variants():
    answers = []
    for variant in VARIANTS[:3]:
        journey, task = vetted()[variant]["journey"], vetted()[variant]["task"]
        days = cxjourney.simulate(journey, 50_000, seed=task["seed_customers"])["total_days"]
        answers.append((days.median(), days.quantile(0.9), (days > journey.expected_days).mean()))
    for first, second in zip(answers, answers[1:]):
        assert all(abs(x - y) > 0.01 for x, y in zip(first, second)), (first, second)


def test_what_is_asked_and_what_is_concluded_vary():
    found = vetted().values()
    for key in ASKED:
        assert len({item["task"][key] for item in found}) >= 2, key
    assert len({item["means"].index[0] for item in found}) >= 3          # the bottleneck
    assert len({item["leverage"].index[0] for item in found}) >= 3       # the department with the most leverage
    front_line_top = {dict((d.name, d.zone) for d in item["journey"].departments)[item["leverage"].index[0]]
                      == "front line" for item in found}
    assert front_line_top == {True, False}
    assert {item["gain"] >= item["lost"] for item in found} == {True, False}  # autonomy offsets the delay
    holds = [item["gentle_lost"] > item["gentle_gain"] for item in found]       # question 6's conclusion_holds
    assert 0.2 <= sum(holds) / len(holds) <= 0.8, sum(holds)


# ------------------------------------------------------------------ the estimates behind the rules

def test_the_estimates_agree_with_the_exercises_own_simulations():
    """For one practice variant, the rules' estimates name the answers the notebook's model
    solution computes: the bottleneck, the top department, and whether autonomy offsets the delay."""
    journey, found = loan_of("practice-002"), exercise("butterfly", "practice-002")
    task, tables = dict(found.task), tables_of("practice-002")
    customers = cxjourney.simulate(journey, 50_000, seed=task["seed_customers"])
    step_means = customers.filter(like="days_").mean().rename(lambda name: name.removeprefix("days_"))
    assert step_means.idxmax() == mean_step_days(journey).idxmax()
    assert np.allclose(step_means.sort_index(), mean_step_days(journey).sort_index(), atol=0.05)

    leverage = cxjourney.department_leverage(journey, task["improvement"], 20_000, seed=task["seed_leverage"])
    estimate = butterfly._leverage(tables, task["improvement"])
    assert leverage.index[0] == estimate.index[0]
    assert np.allclose(leverage.sort_index(), estimate.sort_index(), atol=0.5)

    slow = journey.with_step(task["delay_step"], mean_days=float(task["delay_days"]))
    lost = -cxjourney.what_if(journey, slow, 50_000, seed=task["seed_delay"]).nps_change
    gain = cxjourney.what_if(slow, slow.with_changes(autonomy=task["autonomy_target"]), 50_000,
                             seed=task["seed_autonomy"]).nps_change
    expected_lost, expected_gain = butterfly._offset(tables, task)
    assert lost == pytest.approx(expected_lost, abs=2.0) and gain == pytest.approx(expected_gain, abs=2.0)
    assert (gain >= lost) == (expected_gain >= expected_lost)
    gentle = journey.with_changes(rating=cxjourney.RatingModel(lateness_weight=task["lateness_weight"]))
    gentle_slow = gentle.with_step(task["delay_step"], mean_days=float(task["delay_days"]))
    gentle_lost = -cxjourney.what_if(gentle, gentle_slow, 50_000, seed=task["seed_delay"]).nps_change
    gentle_gain = cxjourney.what_if(gentle_slow, gentle_slow.with_changes(autonomy=task["autonomy_target"]), 50_000,
                                    seed=task["seed_autonomy"]).nps_change
    expected_lost, expected_gain = butterfly._offset(tables, task, lateness_weight=task["lateness_weight"])
    assert gentle_lost == pytest.approx(expected_lost, abs=2.0) and gentle_gain == pytest.approx(expected_gain, abs=2.0)
    assert (gentle_lost > gentle_gain) == (expected_lost > expected_gain)
    arrays, journey_settings = butterfly._parts(tables)
    parts = butterfly._contributions(arrays, journey_settings, journey.autonomy)
    expected_nps = butterfly._expected_nps(butterfly._summed(parts), journey.expected_days)
    assert nps_score(customers["rating"].to_numpy()) == pytest.approx(expected_nps, abs=1.5)


# ------------------------------------------------------------------ (d) properties

@settings(max_examples=10, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,20}", fullmatch=True))
def test_no_variant_is_the_book(variant):
    book = exercise("butterfly", "book")
    found = exercise("butterfly", variant)
    if variant != "book":
        assert found.fingerprint != book.fingerprint
        assert not found["loan_steps"].equals(book["loan_steps"])


def test_the_chapters_answers_the_generator_keeps_away_from_are_the_book_variants():
    from cxlab.course.shared.variants import model_answers
    from cxlab.data.butterfly import BOOK_ANSWERS

    from ..helpers import ROOT

    book = model_answers(ROOT / "solutions" / "butterfly" / "butterfly.ipynb", "book")
    # the autonomy question of the exercise's first edition, recomputed as its model solution did
    task, loan = dict(exercise("butterfly", "book").task), loan_of("book")
    slow = loan.with_step(task["delay_step"], mean_days=task["delay_days"])
    book["autonomy_gain"] = cxjourney.what_if(slow, slow.with_changes(autonomy=task["autonomy_target"]), 50_000,
                                              seed=task["seed_autonomy"]).nps_change
    assert {name: round(book[name], 3) for name in BOOK_ANSWERS} == BOOK_ANSWERS


def test_no_vetted_variant_has_the_books_data():
    book = exercise("butterfly", "book").fingerprint
    assert [variant for variant in VARIANTS if exercise("butterfly", variant).fingerprint == book] == []
