"""The opinions exercise's variants: the book's data, pinned fingerprints, vetted draws.

The knife-edge conditions are recomputed here from the variant's tables and task, with
their own code (raking by a plain iterative proportional fitting), not by calling the
generator's ``knife_edges``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxlab
from cxlab import data, opinions
from cxlab.data import exercise

VARIANTS = tuple(f"s{number:04d}" for number in range(200))
USES = ("none", "private only", "public")
AGE_GROUPS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
TOLERANCE = 0.01
#: Numbers the chapter states in its prose and self-checks (not computed by its cells).
CHAPTER_PROSE = (0.3, 0.58, 0.7, 1.25, 25, 34, 40, 56, 58, 65, 66, 70, 81, 89, 800, 1000, 1250)
#: Answers whose visible check takes a value between -1 and 1 for a share.
SHARE_CHECKED = ("dissatisfied_all", "focus_satisfied_low", "focus_satisfied_high", "dissatisfied_users",
                 "nonuser_contribution", "mixed_headline", "weighted_dissatisfied", "weighted_low", "weighted_high",
                 "nps_recent", "nps_everyone")
#: The numeric answers of each graded question (by_use enters as one number per group).
QUESTIONS = {
    "q1": ("dissatisfied_all", "focus_satisfied_low", "focus_satisfied_high"),
    "q2": tuple(f"by_use[{use}]" for use in USES),
    "q3": ("dissatisfied_users", "gap", "gap_low", "gap_high"),
    "q4": ("nonuser_contribution", "mixed_headline"),
    "q5": ("design_effect", "effective_n", "weighted_dissatisfied"),
    "q6": ("weighted_low", "weighted_high"),
    "q7": ("nps_recent", "nps_everyone"),
}


def _ipf(frame: pd.DataFrame, margins: dict) -> tuple[np.ndarray, bool]:
    """Raking weights (mean 1) by iterative proportional fitting, and whether every margin holds."""
    weights = np.ones(len(frame))
    columns = {name: frame[name].to_numpy() for name in margins}
    for _ in range(1000):
        before = weights.copy()
        for name, targets in margins.items():
            total = weights.sum()
            for level, share in targets.items():
                chosen = columns[name] == level
                weights[chosen] *= share * total / weights[chosen].sum()
        if np.max(np.abs(weights - before)) < 1e-13:
            break
    weights /= weights.mean()
    held = all(abs(weights[columns[name] == level].sum() / weights.sum() - share) < 1e-6
               for name, targets in margins.items() for level, share in targets.items())
    return weights, held


def _solve(variant: str) -> dict:
    """The model answers of a variant and the quantities its knife-edges depend on, computed here."""
    found = exercise("opinions", variant)
    health, brand, task = found["health"], found["brand"], found.task
    flags = health["dissatisfied"].to_numpy(dtype=float)
    users = health["used_public"].to_numpy(dtype=bool)
    focus = (health.loc[health["age_group"] == task["focus_age_group"], "rating"] >= 3).to_numpy()
    focus_wilson = cxlab.wilson_interval(int(focus.sum()), len(focus))
    share = focus.mean()
    wald = 1.959964 * math.sqrt(share * (1 - share) / len(focus))
    ratings = health.groupby("use")["rating"].mean().sort_values()
    gap = opinions.base_gap(health, "dissatisfied", "used_public", seed=task["gap_seed"])
    users_pct, others_pct = 100 * flags[users].mean(), 100 * flags[~users].mean()
    mix = task["nonuser_share"]
    margins = {"age_group": dict(task["population_age"]), "use": dict(task["population_use"])}
    weights, held = _ipf(health, margins)
    design_effect = len(weights) * np.sum(weights ** 2) / np.sum(weights) ** 2
    weighted = cxlab.proportion(health["dissatisfied"], weights=weights)
    n = len(health)
    nominal = cxlab.wilson_interval(round(weighted.value / 100 * n), n)
    plain = cxlab.wilson_interval(int(flags.sum()), n)
    recent = cxlab.nps(brand.loc[brand["status"] == "recent customer", "recommend"])
    everyone = cxlab.nps(brand["recommend"])
    numbers = {
        "dissatisfied_all": 100 * flags.mean(),
        "focus_satisfied_low": 100 * focus_wilson.low,
        "focus_satisfied_high": 100 * focus_wilson.high,
        **{f"by_use[{use}]": 100 * flags[health["use"].to_numpy() == use].mean() for use in USES},
        "dissatisfied_users": users_pct,
        "gap": gap.value, "gap_low": gap.low, "gap_high": gap.high,
        "nonuser_contribution": 100 * flags[~users].sum() / n,
        "mixed_headline": (1 - mix) * users_pct + mix * others_pct,
        "design_effect": design_effect,
        "effective_n": n / design_effect,
        "weighted_dissatisfied": weighted.value,
        "weighted_low": weighted.low,
        "weighted_high": weighted.high,
        "nps_recent": recent.value,
        "nps_everyone": everyone.value,
    }
    return {
        "exercise": found,
        "numbers": {name: float(value) for name, value in numbers.items()},
        "worst_use": str(ratings.index[0]),
        "recent_clearly_above": bool(recent.low > everyone.high),
        "ratings": ratings.to_numpy(),
        "use_counts": health["use"].value_counts(),
        "held": held,
        "weights": weights,
        "wrong": {  # answer -> (a wrong answer a hidden test names, how far apart they must be)
            "focus_satisfied_low": (100 * (share - wald), 0.05),
            "dissatisfied_users": (others_pct, TOLERANCE),
            "mixed_headline": (mix * users_pct + (1 - mix) * others_pct, TOLERANCE),
            "weighted_dissatisfied": (100 * flags.mean(), TOLERANCE),
            "weighted_low (nominal n)": (100 * nominal.low, TOLERANCE),
            "weighted_low (unweighted)": (100 * plain.low, TOLERANCE),
            "nps_recent": (everyone.value, TOLERANCE),
        },
        "edge_q7": float(recent.low - everyone.high),
    }


@functools.cache
def _solved() -> dict:
    return {variant: _solve(variant) for variant in VARIANTS}


#: How the chapter prints the book's value of each answer: full precision (None) or to so many decimals.
PRINTED = {
    "dissatisfied_all": (None, 0, 1, 2), "focus_satisfied_low": (1,), "focus_satisfied_high": (1,),
    **{f"by_use[{use}]": (0, 2) for use in USES}, "dissatisfied_users": (0, 1, 2),
    "gap": (1,), "gap_low": (1,), "gap_high": (1,), "nonuser_contribution": (1, 2), "mixed_headline": (),
    "design_effect": (None, 3), "effective_n": (None, 0, 2), "weighted_dissatisfied": (1, 2),
    "weighted_low": (1, 2), "weighted_high": (1, 2), "nps_recent": (None, 0, 2), "nps_everyone": (None, 0, 2),
}


@functools.cache
def _chapter_numbers() -> np.ndarray:
    """The book variant's answers as the chapter prints them, and the numbers of its prose."""
    book = _solve("book")["numbers"]
    values = [*CHAPTER_PROSE]
    for name, value in book.items():
        values.extend(value if decimals is None else round(value, decimals) for decimals in PRINTED[name])
    return np.array(sorted(values), dtype=float)


# ------------------------------------------------------------------ (a) the book


def test_the_book_variant_is_the_chapters_data_and_task():
    book = exercise("opinions", "book")
    pd.testing.assert_frame_equal(book["health"], data.load_health_opinions())
    pd.testing.assert_frame_equal(book["brand"], data.load_brand_survey())
    assert dict(book.task) == {
        "focus_age_group": "65+", "nonuser_share": 0.3, "gap_seed": 1,
        "population_age": data.HEALTH_POPULATION_AGE, "population_use": data.HEALTH_POPULATION_USE,
    }
    assert book.attempt == 0 and book.rejected == ()
    # the chapter's figures: the column's margins and its gap with seed=1
    solved = _solve("book")["numbers"]
    assert solved["dissatisfied_all"] == pytest.approx(70.0)
    chapter_gap = opinions.base_gap(data.load_health_opinions(), "dissatisfied", "used_public", seed=1)
    assert solved["gap_low"] == chapter_gap.low and solved["gap_high"] == chapter_gap.high


# ------------------------------------------------------------------ (b) pinned fingerprints


@pytest.mark.parametrize("variant, expected", [
    ("practice-001", "1100fa8e6bb0"),
    ("practice-002", "c161b1ec1b2a"),
    ("s0001", "43868b8aa5ac"),
])
def test_pinned_fingerprints(variant, expected):
    assert exercise("opinions", variant).fingerprint == expected


# ------------------------------------------------------------------ (c) the first 200 variants


def test_raking_here_agrees_with_cxlab_rake():
    for variant in VARIANTS[:5]:
        solved = _solved()[variant]
        found = solved["exercise"]
        raked = cxlab.rake(found["health"], {"age_group": dict(found.task["population_age"]),
                                             "use": dict(found.task["population_use"])})
        np.testing.assert_allclose(raked.weights.to_numpy(), solved["weights"], rtol=1e-7)
        assert raked.design_effect == pytest.approx(solved["numbers"]["design_effect"], rel=1e-9)


def test_no_variant_sits_on_a_knife_edge():
    chapter = _chapter_numbers()
    problems = []
    for variant, solved in _solved().items():
        numbers, found = solved["numbers"], solved["exercise"]
        counts = solved["use_counts"]
        if set(counts.index) != set(USES) or counts.min() < 30:
            problems.append((variant, "a group of use under 30", counts.to_dict()))
        if not solved["held"]:
            problems.append((variant, "raking does not reach the margins"))
        if numbers["focus_satisfied_high"] >= 50:
            problems.append((variant, "focus group's satisfied interval reaches 50%"))
        if solved["ratings"][1] - solved["ratings"][0] < 0.02:
            problems.append((variant, "tie for the worst mean rating", solved["ratings"].tolist()))
        if not numbers["gap_low"] <= numbers["gap"] <= numbers["gap_high"]:
            problems.append((variant, "gap outside its interval"))
        if abs(solved["edge_q7"]) < 0.5:
            problems.append((variant, "question 7 on its threshold", solved["edge_q7"]))
        for name, (wrong, apart) in solved["wrong"].items():
            if abs(numbers[name.split(" ")[0]] - wrong) <= apart:
                problems.append((variant, f"{name} within {apart} of a named wrong answer"))
        for name in SHARE_CHECKED:
            if 0 < abs(numbers[name]) < 1:
                problems.append((variant, f"{name} = {numbers[name]:.4f} looks like a share to its check"))
        for name, value in numbers.items():
            nearest = chapter[np.argmin(np.abs(chapter - value))]
            if abs(value - nearest) <= TOLERANCE + 1e-9:
                problems.append((variant, f"{name} = {value:.4f} is the chapter's {nearest:g}"))
        if found.fingerprint == exercise("opinions", "book").fingerprint:
            problems.append((variant, "the book's data"))
    assert not problems, problems[:10]


def test_consecutive_variants_differ_in_every_answer_and_no_question_can_be_copied():
    solved = _solved()
    same, copyable = [], []
    for first, second in zip(VARIANTS, VARIANTS[1:]):
        a, b = solved[first]["numbers"], solved[second]["numbers"]
        same.extend((first, second, name) for name in a if a[name] == b[name])
        for question, names in QUESTIONS.items():
            if all(abs(a[name] - b[name]) <= TOLERANCE for name in names):
                copyable.append((first, second, question))
    assert not same, same[:10]
    assert not copyable, copyable[:10]


def test_what_is_asked_and_the_conclusions_vary():
    solved = _solved()
    tasks = [solved[variant]["exercise"].task for variant in VARIANTS]
    assert {task["focus_age_group"] for task in tasks} == set(AGE_GROUPS)
    assert len({task["nonuser_share"] for task in tasks}) >= 5
    assert 0.3 not in {task["nonuser_share"] for task in tasks} and 0.5 not in {task["nonuser_share"] for task in tasks}
    assert len({task["gap_seed"] for task in tasks}) >= 190
    assert len({tuple(task["population_age"].values()) for task in tasks}) >= 150
    assert len({tuple(task["population_use"].values()) for task in tasks}) >= 100
    for task in tasks:
        for margin in (task["population_age"], task["population_use"]):
            assert sum(margin.values()) == pytest.approx(1, abs=1e-9) and min(margin.values()) > 0
    assert {solved[variant]["worst_use"] for variant in VARIANTS} >= {"none", "private only"}
    above = [solved[variant]["recent_clearly_above"] for variant in VARIANTS]
    assert 20 <= sum(above) <= 180, sum(above)


# ------------------------------------------------------------------ (d) properties


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,20}", fullmatch=True).filter(lambda text: text != "book"))
def test_no_variant_is_the_book(variant):
    found = exercise("opinions", variant)
    book = exercise("opinions", "book")
    assert found.fingerprint != book.fingerprint
    assert dict(found.task) != dict(book.task)
    assert len(found["health"]) != len(book["health"]) or not found["health"].equals(book["health"])


def test_no_vetted_variant_has_the_books_data():
    book = exercise("opinions", "book").fingerprint
    assert [variant for variant in VARIANTS if exercise("opinions", variant).fingerprint == book] == []
