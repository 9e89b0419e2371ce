"""Variants of the CX-role exercise: an initiative to price, a funnel to read, organisations to compare.

Every variant prices its own complaint redesign: the customers it reaches, their margin,
retention and the uplift, the discount rate, the costs and the horizon; the plausible
ranges around these (centred on them, so that question 3's single-number ROI is question
2's); the seed of the Monte Carlo; the reported growth of CX job offers and the public
sector's premium; the market's representation funnel and one company's own counts; and
400 simulated organisations whose maturity drives both their collaboration and their ROI,
with a slope and a true effect of collaboration (often zero) drawn per variant.

What is asked varies too (the task's keys):

- ``horizon``: the years of question 1's lifetime value and question 2's return;
- ``known_input``: the input a pilot pins down in question 4 (``margin``, ``retention``,
  ``uplift``, ``discount_rate`` or ``cost``);
- ``premium_end``: which end of the reported public-sector premium question 5 takes
  (``"lower"`` or ``"upper"``);
- ``funnel_level``: the level of question 6 whose interval is held against the market
  (``"managers"`` or ``"leaders"``).

A draw is set aside (:func:`knife_edges`) when an answer would sit on a knife-edge: the
adjusted collaboration gap's p-value within 0.005 of 0.05; the two widest swings of the
tornado within 1% of each other; a count of question 6 whose unrounded value lies within
0.01 of a rounding boundary; a market share within 0.005 of the end of the asked level's
interval; a payback that is not reached well within the horizon; a probability of a loss
below 0.05 or above 0.95, or within 0.02 of the one with the input known; a median ROI
within 0.02 of the single-number ROI; a naive and adjusted gap within 0.05 of each other;
reading A not above the managers (so that swapping the readings shows); or any numeric
answer within its graded tolerance (plus a margin) of the figure the chapter prints for it
(or of the book variant's answer): no exercise variant reproduces the chapter.

Layer 4 of cxlab (data): numpy, pandas, :mod:`cxlab.value` and the group comparisons of
:mod:`cxlab.stats`.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from .. import value
from ..stats import adjusted_effect, compare_groups, wilson_interval

#: The inputs of question 3's simulation that have a range, as value.roi_simulation names them.
RANGED_INPUTS = ("margin", "retention", "uplift", "discount_rate", "cost")
#: The levels of the representation funnel.
LEVELS = ("workforce", "managers", "leaders")
HORIZONS = (6, 8, 10, 12, 15)
ORGANISATIONS = 400
N_DRAWS = 10_000
#: The exercise's organisations in the book variant (the chapter's own are seed 7).
BOOK_ORGANISATIONS_SEED = 18
CHAPTER_ORGANISATIONS_SEED = 7

#: The chapter's task: the exercise's inputs as the book prints them.
BOOK_TASK = {
    "customers": 10_000, "margin": 150, "retention": 0.80, "uplift": 0.03, "discount_rate": 0.10,
    "cost": 250_000, "running_cost": 20_000, "horizon": 10,
    "ranges": {"margin": [112.5, 187.5], "retention": [0.75, 0.85], "uplift": [0.0, 0.03, 0.06],
               "discount_rate": [0.06, 0.14], "cost": [200_000, 250_000, 350_000]},
    "simulation_seed": 1,
    "known_input": "uplift",
    "growth_percent": 385,
    "premium_percents": [30, 40],
    "premium_end": "lower",
    "market": [0.70, 0.30, 0.12],
    "staff": 2_000, "managers": 200,
    "own_women": [1_390, 44, 2], "own_people": [2_000, 200, 30],
    "funnel_level": "managers",
}

# Graded tolerance of each numeric answer (None: exact), for the rule against the chapter's figures.
_TOLERANCE = {"clv_horizon": 0.01, "margin_multiple": 0.01, "uplift_per_customer": 0.01, "initiative_roi": 0.01,
              "payback_years": 0.01, "roi_median": 0.01, "prob_loss": 0.01, "prob_loss_known_input": 0.01,
              "australia_multiple": 0.01, "commercial_below_public": 0.01, "naive_gap": 0.01, "adjusted_gap": 0.01,
              "women_managers_of_women": None, "women_managers_of_managers": None}
_MARGIN = 0.005


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    organisations = value.simulate_organisations(ORGANISATIONS, seed=BOOK_ORGANISATIONS_SEED)
    return {"organisations": organisations}, _plain(BOOK_TASK)


def _plain(task: dict) -> dict:
    return {key: (dict(item) if isinstance(item, dict) else list(item) if isinstance(item, list) else item)
            for key, item in task.items()}


def _organisations(rng, n: int, slope: float, effect: float) -> pd.DataFrame:
    """value.simulate_organisations' model, drawn from a StableRandom, with its maturity slope and effect."""
    maturity = rng.choice(np.arange(1, 6), size=n, p=[0.15, 0.35, 0.25, 0.15, 0.10])
    high = rng.random(n) < 1 / (1 + np.exp(-(0.9 * maturity - 2.7)))
    roi = -10 + slope * maturity + effect * high + rng.normal(0, 15, n)
    return pd.DataFrame({
        "organisation": [f"O{number:03d}" for number in range(1, n + 1)],
        "maturity": maturity.astype("int64"),
        "collaboration": np.where(high, "high", "low"),
        "roi_pct": roi.round(1),
    })


def _initiative(task: dict, **changes) -> value.InitiativeReturn:
    inputs = {name: task[name] for name in ("margin", "retention", "uplift", "discount_rate", "cost", "running_cost")}
    inputs.update(changes)
    return value.initiative_return(task["customers"], **inputs, horizon=task["horizon"])


def _share_below(percent: float) -> float:
    return 1 - 1 / (1 + percent / 100)


def _clear_of(number: float, figures, tolerance: float = 0.01) -> bool:
    return all(abs(number - figure) > tolerance + _MARGIN for figure in figures)


# What the generator draws from: values whose answers keep clear of the figures the chapter prints.
_RETENTIONS = tuple(round(0.70 + 0.005 * step, 3) for step in range(33))
_DISCOUNT_RATES = tuple(round(0.06 + 0.005 * step, 3) for step in range(17))
_CHAPTER_MULTIPLES = tuple(float(value.clv(1.0, retention, rate))
                           for retention in (0.6, 0.7, 0.8, 0.9) for rate in (0.06, 0.10, 0.14))
_RATE_PAIRS = tuple((retention, rate) for retention in _RETENTIONS for rate in _DISCOUNT_RATES
                    if _clear_of(float(value.clv(1.0, retention, rate)), _CHAPTER_MULTIPLES))
_PREMIUMS = tuple(percent / 2 for percent in range(28, 141)
                  if _clear_of(_share_below(percent / 2), (_share_below(30), _share_below(40))))
_GROWTHS = tuple(percent for percent in range(120, 651) if abs(percent - 385) > 1)
# How wide each input's range is, by its part in the variant: (low, high) of a relative or absolute half-width.
_WIDTHS = {
    "uplift": {"wide": ((0.7, 1.0), (0.7, 1.2)), "medium": ((0.35, 0.6), (0.35, 0.6)), "narrow": ((0.1, 0.25), (0.1, 0.25))},
    "margin": {"wide": (0.35, 0.5), "medium": (0.2, 0.3), "narrow": (0.05, 0.12)},
    "retention": {"wide": (5, 8), "medium": (3, 5), "narrow": (1, 3)},
    "cost": {"wide": ((0.2, 0.3), (0.8, 1.2)), "medium": ((0.1, 0.2), (0.4, 0.6)), "narrow": ((0.05, 0.1), (0.15, 0.3))},
}


def _ranges(spread, task: dict, parts: dict) -> dict:
    margin, retention, uplift, rate, cost = (task[name] for name in RANGED_INPUTS)
    (below, above) = (float(spread.uniform(*bounds)) for bounds in _WIDTHS["uplift"][parts["uplift"]])
    half = float(spread.uniform(*_WIDTHS["margin"][parts["margin"]]))
    retention_half = round(0.01 * int(spread.integers(*_WIDTHS["retention"][parts["retention"]])), 2)
    (cost_below, cost_above) = (float(spread.uniform(*bounds)) for bounds in _WIDTHS["cost"][parts["cost"]])
    rate_half = round(0.01 * int(spread.integers(1, 4)), 2)
    margin_high = round(margin * (1 + half) * 2) / 2
    retention_high = round(retention + retention_half, 3)
    return {
        # uniform ranges are centred on the single-number input, triangular ones have it as their mode
        "margin": [margin - (margin_high - margin), margin_high],
        "retention": [round(retention - retention_half, 3), retention_high],
        # retention and uplift together stay below 1 over the whole ranges
        "uplift": [round(max(0.0, uplift * (1 - below)), 3), uplift,
                   round(min(uplift * (1 + above), 0.99 - retention_high), 3)],
        "discount_rate": [round(rate - rate_half, 3), round(rate + rate_half, 3)],
        "cost": [int(round(cost * (1 - cost_below), -3)), cost, int(round(cost * (1 + cost_above), -3))],
    }


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    inputs = rng.spawn("initiative")
    customers = int(inputs.integers(5, 41)) * 1_000
    margin = int(inputs.integers(16, 51)) * 5
    retention, discount_rate = _RATE_PAIRS[int(inputs.integers(0, len(_RATE_PAIRS)))]
    uplift = round(0.015 + 0.005 * int(inputs.integers(0, 8)), 3)
    horizon = int(inputs.choice(HORIZONS))
    running_cost = int(round(customers * margin * float(inputs.uniform(0.005, 0.02)) / 1_000)) * 1_000
    # the upfront cost puts the single-number ROI between a thin and a good return (a payback within the horizon)
    target_roi = float(inputs.uniform(0.05, 0.6))
    gain = value.initiative_return(customers, margin=margin, retention=retention, uplift=uplift,
                                   discount_rate=discount_rate, cost=1.0, running_cost=running_cost, horizon=horizon)
    running_pv = gain.cost - 1.0
    cost = max(50_000, int(round((gain.gain / (1 + target_roi) - running_pv) / 10_000)) * 10_000)
    task = {"customers": customers, "margin": margin, "retention": retention, "uplift": uplift,
            "discount_rate": discount_rate, "cost": cost, "running_cost": running_cost, "horizon": horizon}

    # one input's range is wide, another's medium, the rest narrow: which drives the doubt varies
    spread = rng.spawn("ranges")
    order = [str(name) for name in spread.permutation(["uplift", "margin", "retention", "cost"])]
    parts = {name: part for name, part in zip(order, ("wide", "medium", "narrow", "narrow"), strict=True)}
    ranges = _ranges(spread, task, parts)

    percentages = rng.spawn("percentages")
    growth = int(percentages.choice(_GROWTHS))
    # the ends of the range lie 5 to 15 points apart, so that taking the other end shows
    premium_low = float(percentages.choice([percent for percent in _PREMIUMS if percent <= 55]))
    premium_high = float(percentages.choice([percent for percent in _PREMIUMS if 5 <= percent - premium_low <= 15]))
    premium_low, premium_high = (int(percent) if percent.is_integer() else percent for percent in (premium_low, premium_high))

    funnel = rng.spawn("funnel")
    staff = int(funnel.integers(20, 61)) * 50
    managers = int(round(staff * float(funnel.uniform(0.06, 0.14))))
    leaders = int(funnel.integers(20, 61))
    market = [round(0.01 * int(funnel.integers(55, 81)), 2), round(0.01 * int(funnel.integers(20, 46)), 2),
              round(0.01 * int(funnel.integers(6, 21)), 2)]
    own_share = [float(np.clip(market[0] + funnel.normal(0, 0.02), 0.05, 0.95)),
                 float(np.clip(market[1] + funnel.uniform(-0.15, 0.06), 0.03, 0.95)),
                 float(np.clip(market[2] + funnel.uniform(-0.12, 0.05), 0.01, 0.95))]
    own_people = [staff, managers, leaders]
    own_women = [int(funnel.binomial(people, share)) for people, share in zip(own_people, own_share, strict=True)]

    world = rng.spawn("organisations")
    slope = round(float(world.uniform(8.0, 16.0)), 1)
    effect = 0.0 if world.random() < 0.4 else round(float(world.uniform(3.5, 9.0)), 1)
    organisations = _organisations(world, ORGANISATIONS, slope, effect)

    asked = rng.spawn("task")
    task.update({
        "ranges": ranges,
        "simulation_seed": int(asked.integers(2, 100_000)),
        # the pilot pins down the input whose range is widest
        "known_input": order[0],
        "growth_percent": growth,
        "premium_percents": [premium_low, premium_high],
        "premium_end": str(asked.choice(["lower", "upper"])),
        "market": market,
        "staff": staff, "managers": managers,
        "own_women": own_women, "own_people": own_people,
        "funnel_level": str(asked.choice(LEVELS[1:])),
    })
    return {"organisations": organisations}, task


def _simulation(task: dict, **fixed) -> value.ROISimulation:
    return value.roi_simulation(task["customers"], **{**task["ranges"], **fixed}, running_cost=task["running_cost"],
                                horizon=task["horizon"], n_draws=N_DRAWS, seed=task["simulation_seed"])


def _answers(tables: dict, task: dict) -> tuple[dict, dict]:
    """The model answers of the exercise, and the quantities behind its knife-edges."""
    initiative = _initiative(task)
    simulation = _simulation(task)
    known_input = task["known_input"]
    known = _simulation(task, **{known_input: task[known_input]})
    market, staff, managers = task["market"], task["staff"], task["managers"]
    # value.funnel_against_market's interval and compare_groups' value, without their tests (faster)
    level = LEVELS.index(task["funnel_level"])
    low, high = wilson_interval(int(task["own_women"][level]), int(task["own_people"][level]))
    organisations = tables["organisations"]
    means = organisations.groupby("collaboration")["roi_pct"].mean()
    adjusted = adjusted_effect(organisations, "roi_pct", "collaboration", ["maturity"], order=("high", "low"))
    premium = task["premium_percents"][0 if task["premium_end"] == "lower" else 1]
    answers = {
        "clv_horizon": float(value.clv(task["margin"], task["retention"], task["discount_rate"],
                                       horizon=task["horizon"])),
        "margin_multiple": float(value.clv(1, task["retention"], task["discount_rate"])),
        "uplift_per_customer": initiative.clv_after - initiative.clv_before,
        "initiative_roi": initiative.value,
        "payback_years": initiative.payback,
        "roi_median": simulation.value,
        "prob_loss": simulation.prob_negative,
        "top_driver": simulation.top_driver,
        "prob_loss_known_input": known.prob_negative,
        "australia_multiple": float(value.growth_multiple(task["growth_percent"])),
        "commercial_below_public": 1 - 1 / (1 + premium / 100),
        "women_managers_of_women": round(market[1] * market[0] * staff),
        "women_managers_of_managers": round(market[1] * managers),
        "level_matches_market": bool(low <= market[level] <= high),
        "naive_gap": float(means["high"] - means["low"]),
        "adjusted_gap": adjusted.value,
        "collaboration_pays": bool(adjusted.pvalue < 0.05),
    }
    behind = {"initiative": initiative, "simulation": simulation, "known": known,
              "interval": (low, high, market[level]),
              "adjusted": adjusted,
              "undiscounted_roi": _initiative(task, discount_rate=0.0).value,
              "reading_a": market[1] * market[0] * staff, "reading_b": market[1] * managers}
    return answers, behind


@functools.lru_cache(maxsize=1)
def _chapter_figures() -> dict[str, tuple[float, ...]]:
    """Per numeric answer, the figures that the chapter (and the book variant) print for it."""
    tables, task = book()
    chapter_tables = {"organisations": value.simulate_organisations(ORGANISATIONS, seed=CHAPTER_ORGANISATIONS_SEED)}
    figures: dict[str, set] = {name: set() for name in _TOLERANCE}
    for source in (tables, chapter_tables):
        answers, behind = _answers(source, task)
        for name in _TOLERANCE:
            figures[name].add(float(answers[name]))
    _, behind = _answers(chapter_tables, task)
    retention = np.array([0.6, 0.7, 0.8, 0.9])
    for rate in (0.06, 0.10, 0.14):
        figures["margin_multiple"].update(float(multiple) for multiple in value.clv(1.0, retention, rate))
    figures["commercial_below_public"].add(1 - 1 / 1.40)
    organisations = chapter_tables["organisations"]
    within = compare_groups(organisations, "roi_pct", "collaboration", strata="maturity", order=("high", "low"))
    figures["adjusted_gap"].add(float(within.value))
    figures["payback_years"].add(round(behind["initiative"].payback, 1))
    return {name: tuple(sorted(found)) for name, found in figures.items()}


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can)."""
    answers, behind = _answers(tables, task)
    reasons = []
    pvalue = behind["adjusted"].pvalue
    if abs(pvalue - 0.05) < 0.005:
        reasons.append(f"the adjusted collaboration gap has p = {pvalue:.4f}, within 0.005 of 0.05")
    swings = behind["simulation"].drivers["swing"].to_numpy()
    if len(swings) > 1 and swings[0] - swings[1] < 0.01 * swings[0]:
        reasons.append(f"the two widest swings of the tornado are within 1% ({swings[0]:.4f}, {swings[1]:.4f})")
    for label in ("reading_a", "reading_b"):
        unrounded = behind[label]
        if abs(unrounded - math.floor(unrounded) - 0.5) < 0.01:
            reasons.append(f"the count of {label.replace('_', ' ')}, {unrounded:.4f}, lies within 0.01 of a rounding "
                           "boundary")
    if behind["reading_a"] <= task["managers"]:
        reasons.append(f"reading A ({behind['reading_a']:.1f}) does not exceed the {task['managers']} managers")
    low, high, market = behind["interval"]
    if min(abs(market - low), abs(market - high)) < 0.005:
        reasons.append(f"the market's share of {task['funnel_level']} lies within 0.005 of its interval's end "
                       f"({low:.4f} to {high:.4f})")
    payback = answers["payback_years"]
    if not math.isfinite(payback) or payback > task["horizon"] - 0.05:
        reasons.append(f"the payback ({payback:.2f}) is not reached within the {task['horizon']}-year horizon")
    if not 0.02 <= answers["prob_loss"] <= 0.98:
        reasons.append(f"prob_loss is {answers['prob_loss']:.4f}, outside 0.02 to 0.98")
    if answers["prob_loss_known_input"] < 0.01:
        reasons.append(f"prob_loss_known_input is {answers['prob_loss_known_input']:.4f}: a loss all but vanishes")
    # answers that the hidden tests tell from a typical wrong one (within the tolerance of 0.01)
    apart = 0.01 + _MARGIN
    if abs(answers["prob_loss"] - answers["prob_loss_known_input"]) <= apart:
        reasons.append(f"knowing the input changes the probability of a loss by {apart} or less")
    if abs(answers["roi_median"] - behind["simulation"].point) <= apart:
        reasons.append(f"the median ROI lies within {apart} of the single-number ROI")
    if abs(answers["initiative_roi"] - behind["undiscounted_roi"]) <= apart:
        reasons.append(f"the discounted ROI lies within {apart} of the undiscounted one")
    if answers["initiative_roi"] < 0.1:
        # the check takes an ROI of 10 or more for one in per cent: below 0.1 that slip would pass
        reasons.append(f"the initiative's ROI ({answers['initiative_roi']:.4f}) is below 0.1")
    if abs(answers["naive_gap"] - answers["adjusted_gap"]) < 0.05:
        reasons.append("the naive and adjusted gaps lie within 0.05 of each other")
    # question 7 accepts the regression's or the strata's adjusted gap: either they agree, or a
    # value just outside the tolerance of one must not land inside the other's
    try:
        within = compare_groups(tables["organisations"], "roi_pct", "collaboration", strata="maturity",
                                order=("high", "low")).value
    except ValueError as error:  # the hidden test computes it too: a draw where it cannot is no exercise
        reasons.append(f"the gap within maturity levels cannot be computed: {error}")
        within = answers["adjusted_gap"]
    if 0.0005 <= abs(within - answers["adjusted_gap"]) <= 0.03:
        reasons.append(f"the two adjusted gaps ({answers['adjusted_gap']:.4f}, {within:.4f}) differ by more than "
                       "nothing and less than 0.03")
    for name, figures in _chapter_figures().items():
        tolerance = _TOLERANCE[name]
        for figure in figures:
            if (answers[name] == figure) if tolerance is None else abs(answers[name] - figure) <= tolerance + _MARGIN:
                reasons.append(f"{name} ({answers[name]:.4f}) reproduces the chapter's figure {figure:.4f}")
    return reasons
