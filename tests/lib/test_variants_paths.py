"""The paths exercise's variants: the book variant is the chapter's data, the others are vetted.

The knife-edge conditions are recomputed here from the library's public functions, the
way the notebook's model solution computes its answers, not by calling the generator's
``knife_edges``. Each variant fits a structural equation model and two bootstrapped
mediations, so the vetted sample is smaller than for other assignments.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab import data, paths
from cxlab.data import exercise as _exercise
from cxlab.data import paths as citizen_model
from cxlab.data.variants import StableRandom

ASSIGNMENT = "paths"
FIRST = [f"s{number:04d}" for number in range(60)]
NUMERIC = ("trust_alpha", "compliance_alpha", "r_experience_compliance", "naive_slope", "indirect", "direct",
           "indirect_single", "direct_single", "sem_a", "sem_b", "sem_chi2", "cfi", "rmsea", "cost_avoided_naive",
           "cost_avoided_beyond_trend")
#: Fit indices at their bounds (CFI 1, RMSEA 0) whenever a variant's model fits: equal across variants by nature.
BOUNDED = ("cfi", "rmsea")
QUESTIONS = {1: ("trust_alpha", "compliance_alpha"), 2: ("r_experience_compliance", "naive_slope"),
             3: ("indirect", "direct", "indirect_excludes_zero"), 4: ("indirect_single", "direct_single"),
             5: ("sem_a", "sem_b"), 6: ("sem_chi2", "cfi", "rmsea", "fit_acceptable"),
             7: ("cost_avoided_naive", "cost_avoided_beyond_trend", "top_service")}
TOLERANCE = {name: (1.0 if name.startswith("cost_") else 0.01) for name in NUMERIC}


@functools.cache
def exercise(assignment: str, variant: str):
    """exercise(), kept for the whole file (its own cache holds fewer variants than the file reads)."""
    return _exercise(assignment, variant)


def model(tables, task) -> dict:
    """The notebook's model solution, on one variant's tables and task."""
    survey, costs = tables["citizen_survey"], tables["contact_costs"]
    items = {"experience": ["exp_1", "exp_2", "exp_3", "exp_4"], "trust": ["trust_1", "trust_2", "trust_3"],
             "compliance": ["compliance_1", "compliance_2", "compliance_3"]}
    scores = pd.DataFrame({name: survey[columns].mean(axis=1) for name, columns in items.items()})
    scores["trust_single"] = survey["trust_single"].astype(float)
    options = {"n_resamples": task["n_resamples"], "confidence_level": task["confidence_level"],
               "seed": task["bootstrap_seed"]}
    mediated = paths.mediation(scores, x="experience", m="trust", y="compliance", **options)
    single = paths.mediation(scores, x="experience", m="trust_single", y="compliance", **options)
    sem = paths.fit_sem(survey, citizen_model.SEM_MODEL)
    structural = sem.paths().set_index(["lhs", "rhs"])["std_all"]
    expected = costs["pilot_before"] * costs["comparison_after"] / costs["comparison_before"]
    beyond = (expected - costs["pilot_after"]) * costs["cost_per_contact"]
    by_service = beyond.groupby(costs["service"]).sum().sort_values(ascending=False)
    return {
        "trust_alpha": paths.cronbach_alpha(survey, items["trust"]).value,
        "compliance_alpha": paths.cronbach_alpha(survey, items["compliance"]).value,
        "r_experience_compliance": scores["experience"].corr(scores["compliance"]),
        "naive_slope": np.polyfit(scores["experience"], scores["compliance"], 1)[0],
        "indirect": mediated.value,
        "direct": mediated.direct,
        "indirect_excludes_zero": bool(mediated.low > 0 or mediated.high < 0),
        "indirect_single": single.value,
        "direct_single": single.direct,
        "sem_a": structural[("trust", "experience")],
        "sem_b": structural[("compliance", "trust")],
        "sem_chi2": sem.fit["chi2"],
        "cfi": sem.fit["cfi"],
        "rmsea": sem.fit["rmsea"],
        "fit_acceptable": bool(sem.fit["cfi"] >= 0.95 and sem.fit["rmsea"] <= 0.06),
        "cost_avoided_naive": ((costs["pilot_before"] - costs["pilot_after"]) * costs["cost_per_contact"]).sum(),
        "cost_avoided_beyond_trend": beyond.sum(),
        "top_service": by_service.index[0],
        # behind the answers
        "_interval": (mediated.low, mediated.high),
        "_services": by_service.to_numpy(),
        "_total": mediated.total,
    }


@functools.cache
def answers(variant: str) -> dict:
    chosen = exercise(ASSIGNMENT, variant)
    return model(dict(chosen.tables), dict(chosen.task))


# ---------------------------------------------------------------------------------------- (a) the book

def test_the_book_variant_is_the_chapters_data():
    book = exercise(ASSIGNMENT, "book")
    pd.testing.assert_frame_equal(book["citizen_survey"], data.load_citizen_survey())
    pd.testing.assert_frame_equal(book["contact_costs"], data.load_contact_costs())
    pd.testing.assert_frame_equal(data.load_citizen_survey(), data.make_citizen_survey())
    assert dict(book.task) == {"confidence_level": 0.95, "bootstrap_seed": 1, "n_resamples": 1000}
    # a variant's loader gives that variant's table
    pd.testing.assert_frame_equal(data.load_citizen_survey("practice-001"),
                                  exercise(ASSIGNMENT, "practice-001")["citizen_survey"])


def test_the_book_data_recover_the_stated_true_paths():
    found = answers("book")
    truth = citizen_model.BOOK_MODEL["paths"]
    # the SEM's standardised paths lie near the true paths; the single item moves the effect to the direct path
    assert abs(found["sem_a"] - truth["a"]) < 0.05 and abs(found["sem_b"] - truth["b"]) < 0.05
    assert found["indirect_single"] < found["indirect"] and found["direct_single"] > found["direct"]
    assert found["fit_acceptable"] and found["indirect_excludes_zero"]
    assert found["cost_avoided_beyond_trend"] < found["cost_avoided_naive"]


def test_a_single_item_understates_the_mediated_share_across_samples():
    """In the model, the bias of a noisy mediator is systematic: it holds on average over samples."""
    shares = {}
    for loading in (0.5, 1.0):
        estimates = []
        for seed in range(12):
            simulated = citizen_model.simulate_citizen_survey(600, trust_single=loading, seed=seed, latent=True)
            frame = pd.DataFrame({"x": simulated["experience_latent"], "y": simulated["compliance_latent"],
                                  "m": simulated["trust_latent"] if loading == 1.0 else simulated["trust_single"]})
            estimates.append(paths.mediation(frame, x="x", m="m", y="y", n_resamples=100, seed=seed).proportion_mediated)
        shares[loading] = float(np.mean(estimates))
    truth = 0.60 * 0.50 / (0.60 * 0.50 + 0.15)
    assert abs(shares[1.0] - truth) < 0.06
    assert shares[0.5] < truth / 2


# ---------------------------------------------------------------------------------------- (b) pinned

@pytest.mark.parametrize("variant, expected", [
    ("practice-001", "e831cdbb3aa8"),
    ("s0001", "c4ba62473d47"),
    ("book", "5f5d51fdf05b"),
])
def test_fingerprints_are_pinned(variant, expected):
    assert exercise(ASSIGNMENT, variant).fingerprint == expected


# ---------------------------------------------------------------------------------------- (c) vetted

@functools.cache
def chapter_answers() -> dict:
    return answers("book")


def _reproduces(name: str, value, figure) -> bool:
    if name not in TOLERANCE:
        return value == figure
    # the value checks compare rounded answers, one unit either way: up to two units apart
    return abs(value - figure) <= 2 * TOLERANCE[name] + 0.005


def _knife_edges(variant: str) -> list[str]:
    found = answers(variant)
    problems = []
    low, high = found["_interval"]
    if min(abs(low), abs(high)) < 0.05 * (high - low):
        problems.append("an end of the indirect effect's interval at 0")
    if abs(found["cfi"] - 0.95) < 0.005 or abs(found["rmsea"] - 0.06) < 0.004:
        problems.append("a fit index at its cut-off")
    services = found["_services"]
    if services[0] - services[1] < 0.02 * abs(services[0]):
        problems.append("a tie of the two services that save most")
    if abs(found["cost_avoided_naive"] - found["cost_avoided_beyond_trend"]) < 500:
        problems.append("the cost avoided beyond the trend equal to the plain one")
    for question, names in QUESTIONS.items():
        if all(_reproduces(name, found[name], chapter_answers()[name]) for name in names):
            problems.append(f"question {question} reproduces the chapter")
    return problems


@pytest.mark.parametrize("chunk", range(3))
def test_the_first_60_variants_sit_on_no_knife_edge(chunk):
    problems = {variant: _knife_edges(variant) for variant in FIRST[chunk * 20:(chunk + 1) * 20]}
    assert {variant: found for variant, found in problems.items() if found} == {}


def test_every_data_dependent_answer_differs_between_consecutive_variants():
    for name in NUMERIC:
        differ = [answers(first)[name] != answers(second)[name] for first, second in zip(FIRST, FIRST[1:])]
        if name in BOUNDED:
            assert sum(differ) >= 0.3 * len(differ), name
        else:
            assert all(differ), name


def test_the_conclusions_and_the_questions_vary():
    for name in ("indirect_excludes_zero", "fit_acceptable", "top_service"):
        assert len({answers(variant)[name] for variant in FIRST}) >= 2, name
    for key in ("confidence_level", "bootstrap_seed"):
        assert len({exercise(ASSIGNMENT, variant).task[key] for variant in FIRST}) >= 2, key


def test_the_checks_visible_bounds_hold_for_every_variant():
    for variant in FIRST:
        found = answers(variant)
        costs = exercise(ASSIGNMENT, variant)["contact_costs"]
        assert 0 < found["trust_alpha"] <= 1 and 0 < found["compliance_alpha"] <= 1
        assert -1 <= found["r_experience_compliance"] <= 1 and abs(found["naive_slope"]) < 6
        for name in ("indirect", "direct", "indirect_single", "direct_single"):
            assert abs(found[name]) < 6, name
        assert -1.5 < found["sem_a"] < 1.5 and -1.5 < found["sem_b"] < 1.5
        assert found["sem_chi2"] >= 0 and 0 <= found["cfi"] <= 1 and 0 <= found["rmsea"] < 1
        ceiling = costs[["pilot_before", "pilot_after"]].to_numpy().sum() * costs["cost_per_contact"].max()
        for name in ("cost_avoided_naive", "cost_avoided_beyond_trend"):
            assert 1000 <= abs(found[name]) <= ceiling, name


# ---------------------------------------------------------------------------------------- (d) properties

@settings(max_examples=10, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(lambda text: text.isalnum() and text != "book"))
def test_no_variant_is_the_book(variant):
    assert exercise(ASSIGNMENT, variant).fingerprint != exercise(ASSIGNMENT, "book").fingerprint


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_a_draw_is_the_same_twice_and_its_model_is_in_range(key):
    first_tables, first_task = citizen_model.generate(StableRandom(f"property|{key}"))
    second_tables, second_task = citizen_model.generate(StableRandom(f"property|{key}"))
    assert first_task == second_task
    for name in ("citizen_survey", "contact_costs"):
        pd.testing.assert_frame_equal(first_tables[name], second_tables[name])
    survey = first_tables["citizen_survey"]
    items = [column for column in survey if column.startswith(("exp_", "trust", "compliance_"))]
    assert survey[items].isin(range(1, 8)).all().all()
    assert set(survey["engagement"]) <= {0, 1} and set(survey["channel"]) <= set(citizen_model.CHANNELS)
    model = citizen_model.draw_model(StableRandom(f"property|{key}").spawn("model"))
    assert 0.35 <= model["paths"]["a"] <= 0.75 and (model["paths"]["b"] == 0 or 0.25 <= model["paths"]["b"] <= 0.6)


def test_no_vetted_variant_has_the_books_data():
    book = exercise("paths", "book").fingerprint
    assert [variant for variant in FIRST if exercise("paths", variant).fingerprint == book] == []
