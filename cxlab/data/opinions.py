"""Variants of the opinions exercise: the health-care survey and the brand survey.

Every variant keeps the two surveys' design (six age groups, three kinds of use of health
care, a four-point rating; recent, former and never customers answering the
recommendation question) and draws its own world: the size of each age group, how many of
each group are dissatisfied, who uses which kind of care, how strongly each kind of use
leans to a negative opinion (so which group rates worst), the population margins to
weight to, and the brand's standing with each kind of respondent (so whether the recent
customers' NPS clearly beats everyone's). What is asked varies too: the age group whose
satisfaction question 1 asks for (``focus_age_group``), the share of non-users at which
question 4 recomputes the headline (``nonuser_share``), the bootstrap seed of question 3
(``gap_seed``) and the population margins of questions 5 and 6 (``population_age``,
``population_use``).

A draw is set aside (:func:`knife_edges`) when an answer would sit on a knife-edge or a
check could not tell a mistake: see :func:`knife_edges`.

Layer 4 of cxlab (data): numpy, pandas, the statistics of :mod:`cxlab.stats` and the
analyses of :mod:`cxlab.opinions`.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd

from ..opinions import base_gap, headline_at_mix, measure_by_group
from ..stats import nps, proportion, rake, wilson_interval
from . import (
    BRAND_STATUS_MEANS,
    BRAND_STATUS_SIZES,
    HEALTH_AGE_SIZES,
    HEALTH_POPULATION_AGE,
    HEALTH_POPULATION_USE,
    HEALTH_USE_BY_AGE,
    HEALTH_USES,
    load_brand_survey,
    load_health_opinions,
)

#: The chapter's task: what the book's own figures answer.
BOOK_TASK = {
    "focus_age_group": "65+",
    "nonuser_share": 0.3,
    "gap_seed": 1,
    "population_age": dict(HEALTH_POPULATION_AGE),
    "population_use": dict(HEALTH_POPULATION_USE),
}
#: Shares of non-users question 4 may ask about (0.5 is left out: there the users' and
#: the non-users' weights are equal, and a swapped mix could not be told from the right one).
NONUSER_SHARES = (0.2, 0.25, 0.35, 0.4, 0.45, 0.55, 0.6)
AGE_GROUPS = tuple(HEALTH_AGE_SIZES)
#: Ties and thresholds: two mean ratings closer than this are a tie (1% of a rating near 2).
RATING_TIE = 0.02
#: The graded tolerance of every number in the exercise.
TOLERANCE = 0.01
#: A group of use needs this many respondents for its interval (the chapter's Wilson interval).
MIN_GROUP = 30
#: Answers whose visible check takes a value strictly between -1 and 1 for a share given instead of a percentage.
SHARE_CHECKED = ("dissatisfied_all", "focus_satisfied_low", "focus_satisfied_high", "dissatisfied_users",
                 "nonuser_contribution", "mixed_headline", "weighted_dissatisfied", "weighted_low", "weighted_high",
                 "nps_recent", "nps_everyone")
#: Numbers the chapter's prose and figure descriptions state (not computed in its cells).
_CHAPTER_PROSE = (0.0, 0.3, 0.4, 0.58, 0.7, 1.0, 1.25, 2.0, 3.0, 4.0, 12.0, 25.0, 32.5, 34.0, 37.5, 40.0, 56.0, 58.0,
                  60.0, 65.0, 66.0, 66.8, 70.0, 75.0, 80.0, 81.0, 86.0, 89.0, 95.0, 100.0, 800.0, 1000.0, 1200.0, 1250.0)


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    return {"health": load_health_opinions(), "brand": load_brand_survey()}, _copy_task(BOOK_TASK)


def _copy_task(task: dict) -> dict:
    return {key: dict(value) if isinstance(value, dict) else value for key, value in task.items()}


def _rounded_shares(raw: dict) -> dict:
    """Shares rounded to 2 decimals that add up to exactly 1 (the largest takes the rounding)."""
    total = sum(raw.values())
    shares = {level: round(value / total, 2) for level, value in raw.items()}
    largest = max(shares, key=shares.get)
    shares[largest] = round(1.0 - sum(share for level, share in shares.items() if level != largest), 2)
    return shares


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    from . import _brand_survey, _health_opinions

    world = rng.spawn("world")
    sizes = {age: int(world.integers(round(0.8 * size), round(1.2 * size) + 1)) for age, size in HEALTH_AGE_SIZES.items()}
    dissatisfied = {age: int(round(float(world.uniform(0.58, 0.86)) * size)) for age, size in sizes.items()}
    use_by_age = {}
    for age, (public, private, _none) in HEALTH_USE_BY_AGE.items():
        public = min(max(public + float(world.uniform(-0.12, 0.12)), 0.25), 0.88)
        private = private * float(world.uniform(0.6, 1.6))
        use_by_age[age] = (public, private, max(1.0 - public - private, 0.05))
    use_by_age = {age: tuple(chance / sum(chances) for chance in chances) for age, chances in use_by_age.items()}
    use_effect = {"public": 0.0, "none": round(float(world.uniform(0.2, 1.6)), 3),
                  "private only": round(float(world.uniform(0.2, 1.8)), 3)}
    health = _health_opinions(rng.spawn("health"), sizes, dissatisfied, use_by_age, use_effect)

    standing = rng.spawn("brand")
    brand_sizes = {"recent customer": int(standing.integers(220, 381)), "former customer": int(standing.integers(150, 251)),
                   "never a customer": int(standing.integers(400, 601))}
    brand_means = {"recent customer": round(float(standing.uniform(-0.45, 0.45)), 3),
                   "former customer": round(float(standing.uniform(-0.9, -0.2)), 3),
                   "never a customer": round(float(standing.uniform(-0.7, -0.1)), 3)}
    brand = _brand_survey(rng.spawn("brand answers"), brand_sizes, brand_means)

    asked = rng.spawn("task")
    population_age = _rounded_shares({age: share * float(asked.uniform(0.6, 1.5))
                                      for age, share in HEALTH_POPULATION_AGE.items()})
    public = float(asked.uniform(0.5, 0.78))
    private = float(asked.uniform(0.04, 0.16))
    population_use = _rounded_shares({"public": public, "private only": private, "none": 1.0 - public - private})
    task = {
        "focus_age_group": str(asked.choice(AGE_GROUPS)),
        "nonuser_share": float(asked.choice(NONUSER_SHARES)),
        "gap_seed": int(asked.integers(2, 100_000)),
        "population_age": population_age,
        "population_use": population_use,
    }
    return {"health": health, "brand": brand}, task


def _margins(task: dict) -> dict:
    return {"age_group": dict(task["population_age"]), "use": dict(task["population_use"])}


def _unweighted(tables: dict, task: dict) -> dict:
    """The model answers that need no weights, with what the checks compare them to.

    Plain percentages are group means of the True/False column; intervals, the base gap
    and the NPS come from cxlab's own functions, as the notebook computes them.
    """
    health, brand = tables["health"], tables["brand"]
    dissatisfied = health["dissatisfied"].to_numpy(dtype=float)
    used = health["used_public"].to_numpy(dtype=bool)
    focus = health.loc[health["age_group"] == task["focus_age_group"], "rating"] >= 3
    focus_satisfied = proportion(focus)
    wald = 1.959964 * math.sqrt(focus.mean() * (1 - focus.mean()) / len(focus))
    by_use = 100 * health.groupby("use")["dissatisfied"].mean()
    mean_rating = health.groupby("use")["rating"].mean().sort_values()
    gap = base_gap(health, "dissatisfied", "used_public", seed=task["gap_seed"])
    users_pct, others_pct = 100 * dissatisfied[used].mean(), 100 * dissatisfied[~used].mean()
    share = task["nonuser_share"]
    plain = proportion(health["dissatisfied"])
    recent = nps(brand.loc[brand["status"] == "recent customer", "recommend"])
    everyone = nps(brand["recommend"])
    return {
        "numbers": {
            "dissatisfied_all": float(plain.value),
            "focus_satisfied_low": float(focus_satisfied.low),
            "focus_satisfied_high": float(focus_satisfied.high),
            **{f"by_use[{group}]": float(by_use[group]) for group in HEALTH_USES if group in by_use.index},
            "dissatisfied_users": float(users_pct),
            "gap": float(gap.value),
            "gap_low": float(gap.low),
            "gap_high": float(gap.high),
            "nonuser_contribution": float(100 * dissatisfied[~used].sum() / len(health)),
            "mixed_headline": float(headline_at_mix(users_pct, others_pct, share)),
            "nps_recent": float(recent.value),
            "nps_everyone": float(everyone.value),
        },
        "worst_use": str(mean_rating.index[0]),
        "recent_clearly_above": bool(recent.low > everyone.high),
        # what the checks compare the model answers with
        "mean_ratings": mean_rating.tolist(),
        "use_counts": health["use"].value_counts().to_dict(),
        "focus_wald_low": float(100 * (focus.mean() - wald)),
        "others_pct": float(others_pct),
        "swapped_mix": float(headline_at_mix(users_pct, others_pct, 1 - share)),
        "plain_low": float(plain.low),
        "recent_low_minus_everyone_high": float(recent.low - everyone.high),
    }


def _weighted(tables: dict, task: dict) -> dict:
    """The model answers of questions 5 and 6 (raking), with what the checks compare them to."""
    health = tables["health"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raked = rake(health, _margins(task))
    weighted = proportion(health["dissatisfied"], weights=raked.weights)
    nominal = wilson_interval(round(weighted.value / 100 * len(health)), len(health))
    return {
        "numbers": {
            "design_effect": float(raked.design_effect),
            "effective_n": float(raked.effective_n),
            "weighted_dissatisfied": float(weighted.value),
            "weighted_low": float(weighted.low),
            "weighted_high": float(weighted.high),
        },
        "nominal_low": float(100 * nominal.low),
        "converged": bool(raked.converged) and not any(issubclass(w.category, RuntimeWarning) for w in caught),
    }


def _answers(tables: dict, task: dict) -> dict:
    """All the model answers of the exercise for these data and this task."""
    plain, weighted = _unweighted(tables, task), _weighted(tables, task)
    return {**plain, **weighted, "numbers": {**plain["numbers"], **weighted["numbers"]}}


@functools.lru_cache(maxsize=1)
def _chapter_figures() -> np.ndarray:
    """Every number the chapter prints (computed as its cells compute them, at the precision they print)."""
    health, brand = load_health_opinions(), load_brand_survey()
    figures = list(_CHAPTER_PROSE)

    def add(values, decimals):
        for value in np.ravel(np.asarray(values, dtype=float)):
            figures.append(round(float(value), decimals) if decimals is not None else float(value))

    headline = proportion(health["dissatisfied"])
    add([headline.value, headline.low, headline.high, headline.n, headline.successes, headline.effective_n], None)
    add([headline.value], 0), add([headline.value], 1)
    by_age = measure_by_group(health, "dissatisfied", "age_group")
    add(by_age[["n", "value", "low", "high"]].to_numpy(), 1)
    add(by_age.loc["25-34", ["value"]], 0)
    old = proportion(health.loc[health["age_group"] == "65+", "rating"] >= 3)
    add([old.value], 0), add([old.low, old.high], 1)
    by_use = measure_by_group(health, "dissatisfied", "use")
    mean_rating = health.groupby("use")["rating"].mean()
    add(by_use[["n", "share", "value", "low", "high"]].to_numpy(), 2), add(mean_rating.to_numpy(), 2)
    add(by_use["value"], 0), add(by_use[["low", "high"]].to_numpy(), 1), add(100 * by_use["share"], 0)
    split = measure_by_group(health, "dissatisfied", "used_public")
    add(split[["n", "share", "value", "contribution"]].to_numpy(), 2), add(split["contribution"], 1)
    add(100 * split["share"], 0)
    gap = base_gap(health, "dissatisfied", "used_public", seed=1)
    add([gap.everyone, gap.among, gap.value, gap.low, gap.high], 1)
    raked = rake(health, _margins(BOOK_TASK))
    add([raked.n, raked.design_effect, raked.effective_n], None), add([raked.design_effect], 3)
    add([raked.effective_n], 0), add(raked.margins.to_numpy(), 3)
    weighted = proportion(health["dissatisfied"], weights=raked.weights)
    nominal = wilson_interval(round(weighted.value / 100 * len(health)), len(health))
    add([headline.value, headline.low, headline.high, weighted.value, weighted.low, weighted.high,
         100 * nominal.low, 100 * nominal.high, headline.effective_n, weighted.effective_n], 2)
    add([weighted.value, weighted.low, weighted.high, headline.value - weighted.value], 1)
    weighted_parts = measure_by_group(health, "dissatisfied", "used_public", weights=raked.weights)
    add(weighted_parts["value"], 1)
    recent = nps(brand.loc[brand["status"] == "recent customer", "recommend"])
    everyone = nps(brand["recommend"])
    for result in (recent, everyone):
        add([getattr(result, name) for name in ("value", "low", "high") if hasattr(result, name)], None)
        add([result.value, result.low, result.high], 0)
    brand_parts = measure_by_group(brand, "recommend", "status", metric="nps")
    add(brand_parts[["n", "share", "value", "low", "high", "contribution"]].to_numpy(), 2)
    return np.unique(np.asarray(figures, dtype=float))


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can).

    - a group of use with fewer than 30 respondents (too few for its interval);
    - raking that does not reach the margins (the notebook would print a warning);
    - the focus group's satisfied interval reaching 50% (the check that catches the
      dissatisfied taken for the satisfied could not tell them apart);
    - the gap of question 3 outside its own bootstrap interval (its check would fail);
    - the two lowest mean ratings by use within 0.02 of each other (a tie for "the worst");
    - the recent customers' lower bound within 0.5 NPS points of everyone's upper bound
      (the True/False answer of question 7 on its threshold);
    - a right answer within 0.05 (the Wilson and the Wald bound) or 0.01 (the others) of
      a wrong one that a hidden test names (users and non-users, the swapped mix, the
      unweighted percentage, the nominal-n and unweighted intervals, everyone's NPS);
    - a percentage or an NPS strictly between -1 and 1, which its visible check would take
      for a share given instead of a percentage;
    - a graded number within the graded tolerance (0.01) of a number the chapter prints.

    The rules on the weighted answers (raking costs most) are tried only on a draw that
    the others let through, so a rejected draw lists the reasons found up to that stage.
    """
    answers = _unweighted(tables, task)
    reasons = _unweighted_edges(answers, task)
    if reasons:  # raking costs most: a draw already set aside is not weighted
        return reasons
    weighted = _weighted(tables, task)
    if not weighted["converged"]:
        reasons.append("raking does not reach the population margins")
    numbers = weighted["numbers"]
    for name, wrong in (("weighted_dissatisfied", answers["numbers"]["dissatisfied_all"]),
                        ("weighted_low", weighted["nominal_low"]), ("weighted_low", answers["plain_low"])):
        if abs(numbers[name] - wrong) <= TOLERANCE:
            reasons.append(f"{name} ({numbers[name]:.4f}) is within {TOLERANCE} of a wrong answer ({wrong:.4f})")
    return reasons + _looks_like_share(numbers) + _near_chapter(numbers)


def _looks_like_share(numbers: dict) -> list[str]:
    return [f"{name} is {numbers[name]:.4f}: its check would take it for a share" for name in SHARE_CHECKED
            if name in numbers and 0 < abs(numbers[name]) < 1]


def _near_chapter(numbers: dict) -> list[str]:
    figures = _chapter_figures()
    reasons = []
    for name, value in numbers.items():
        nearest = figures[np.argmin(np.abs(figures - value))]
        if abs(value - nearest) <= TOLERANCE + 1e-9:
            reasons.append(f"{name} ({value:.4f}) is within {TOLERANCE} of {nearest:g}, which the chapter prints")
    return reasons


def _unweighted_edges(answers: dict, task: dict) -> list[str]:
    numbers = answers["numbers"]
    reasons = []
    small = {use: count for use, count in answers["use_counts"].items() if count < MIN_GROUP}
    if small or set(answers["use_counts"]) != set(HEALTH_USES):
        reasons.append(f"a group of use is too small for its interval: {answers['use_counts']}")
        return reasons
    if numbers["focus_satisfied_high"] >= 50:
        reasons.append(f"the satisfied share of {task['focus_age_group']} reaches 50% "
                       f"(upper bound {numbers['focus_satisfied_high']:.2f})")
    ratings = answers["mean_ratings"]
    if ratings[1] - ratings[0] < RATING_TIE:
        reasons.append(f"the two lowest mean ratings by use tie ({ratings[0]:.4f}, {ratings[1]:.4f})")
    if not numbers["gap_low"] <= numbers["gap"] <= numbers["gap_high"]:
        reasons.append(f"the gap {numbers['gap']:.4f} lies outside its bootstrap interval")
    edge = answers["recent_low_minus_everyone_high"]
    if abs(edge) < 0.5:
        reasons.append(f"the recent customers' lower bound is within 0.5 points of everyone's upper bound ({edge:+.3f})")
    near_wrong = [
        ("focus_satisfied_low", answers["focus_wald_low"], 0.05),
        ("dissatisfied_users", answers["others_pct"], TOLERANCE),
        ("mixed_headline", answers["swapped_mix"], TOLERANCE),
        ("nps_recent", numbers["nps_everyone"], TOLERANCE),
    ]
    for name, wrong, tolerance in near_wrong:
        if abs(numbers[name] - wrong) <= tolerance:
            reasons.append(f"{name} ({numbers[name]:.4f}) is within {tolerance} of a wrong answer ({wrong:.4f})")
    return reasons + _looks_like_share(numbers) + _near_chapter(numbers)
