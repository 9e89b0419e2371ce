"""Variants of the butterfly exercise: the consumer-loan journey of :func:`cxlab.journey.loan_journey`.

The exercise has no data file: its data are a journey (eight steps owned by seven
departments) and the seeds and inputs of its simulations. Every variant keeps the loan's
steps, departments, zones and order, and draws its own numbers: one department struggles
(its steps slower, more error-prone and less clear), every step's time, error rate, rework
time and clarity vary around the loan's, and so do the organisation's hand-off time, silo,
autonomy, the delay of an unclear step and the time the customer expects. So the
bottleneck, the department with the most leverage and whether front-line autonomy can make
up for a back-office delay differ between variants, not only the decimals. What is asked
varies too: which step is delayed and to how many days (question 3), how much each
department improves (question 4), which step's letter turns unclear and how unclear
(question 5), the autonomy the front line is given and the lateness weight of the gentler
rating rule under which question 6 tests the chapter's conclusion, and every simulation's
seed.

The tables are ``loan_steps`` (the journey's ``to_table()``) and ``loan_settings`` (one
row: ``expected_days``, ``handoff_days``, ``silo``, ``autonomy``,
``unclear_delay_days``); ``cxlab.journey.journey_from_table`` builds the journey from them.

A draw is set aside (:func:`knife_edges`) when an answer would hang on the luck of the
draw: the two slowest steps within 0.1 days of each other (question 2), the two
departments with the most leverage within 0.6 NPS points (question 4), or the NPS that
autonomy wins back within 3 points of the NPS lost to the delay, under the default rating
rule or under the gentler rule of question 6. The gentler rule's lateness weight is drawn
among those of :data:`LATENESS_WEIGHTS` that keep that margin, so whether the chapter's
conclusion survives it differs between variants and is never a close call. The step
times are the model's exact means. The NPS figures are the model's expected values,
estimated in a few milliseconds from one fixed, stratified set of common random numbers
with the rating noise integrated out: they differ from the exercise's own simulations by
about 0.2 NPS points in a leverage gap and 1 point in the autonomy comparison, which the
margins cover about three times over.

Layer 4 of cxlab (data): numpy, pandas, scipy.special and :mod:`cxlab.journey`.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..journey import RatingModel, expected_total_days, journey_from_table, loan_journey
from .variants import StableRandom

#: The chapter's task: the seeds and inputs the exercise used before it had variants.
BOOK_TASK = {
    "seed_customers": 1,
    "delay_step": "income verification",
    "delay_days": 14,
    "seed_delay": 3,
    "improvement": 0.25,
    "seed_leverage": 4,
    "unclear_step": "offer letter",
    "unclear_clarity": 0.6,
    "seed_unclear": 5,
    "autonomy_target": 0.9,
    "seed_autonomy": 6,
    "lateness_weight": 2.0,
}
#: The back-office steps that question 3 may slow down.
DELAY_STEPS = ("identity check", "income verification", "credit decision", "offer letter", "payout")
#: The steps whose letter or form question 5 may make unclear.
UNCLEAR_STEPS = ("online application", "income verification", "offer letter", "first statement")
IMPROVEMENTS = (0.25, 0.3, 0.4, 0.5)
AUTONOMY_TARGETS = (0.7, 0.8, 0.9, 1.0)
UNCLEAR_CLARITIES = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
#: Question 6's gentler rating rules: the weight of lateness, below the default of 4.
LATENESS_WEIGHTS = (1.5, 2.0, 2.5, 3.0)
SETTINGS = ("expected_days", "handoff_days", "silo", "autonomy", "unclear_delay_days")
JOURNEY_NAME = "consumer loan"

#: Knife-edge margins (see the module's docstring).
BOTTLENECK_MARGIN_DAYS = 0.1
LEVERAGE_MARGIN_NPS = 0.6
OFFSET_MARGIN_NPS = 3.0
#: Customers in the fixed common random numbers of the knife-edge estimates.
_EDGE_CUSTOMERS = 8_000


def _settings_of(journey) -> pd.DataFrame:
    return pd.DataFrame([{name: float(getattr(journey, name)) for name in SETTINGS}])


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    loan = loan_journey()
    return {"loan_steps": loan.to_table(), "loan_settings": _settings_of(loan)}, dict(BOOK_TASK)


def _seed(rng) -> int:
    return int(rng.integers(10, 100_000))


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    book_steps = loan_journey().to_table()
    world = rng.spawn("journey")
    count = len(book_steps)
    # one department struggles: its steps are slower, go wrong more often and write less clearly
    troubled = book_steps["department"].to_numpy() == world.choice(list(dict.fromkeys(book_steps["department"])))
    strain = np.where(troubled, world.uniform(1.7, 2.5), 1.0)
    steps = book_steps.copy()
    steps["mean_days"] = np.maximum(0.1, np.round(book_steps["mean_days"] * strain
                                                  * np.exp(world.uniform(-0.5, 0.5, count)), 1))
    steps["error_rate"] = np.maximum(0.01, np.round(book_steps["error_rate"] * strain
                                                    * world.uniform(0.5, 1.8, count), 2))
    steps["rework_days"] = np.maximum(0.5, np.round(book_steps["rework_days"] * world.uniform(0.5, 2.0, count), 1))
    gap = (1 - book_steps["clarity"]) * strain * world.uniform(0.4, 1.6, count)
    steps["clarity"] = np.round(1 - gap, 2)
    settings = {
        "handoff_days": round(float(world.uniform(0.2, 0.7)), 1),
        "silo": round(float(world.uniform(0.2, 0.8)), 1),
        "autonomy": round(float(world.uniform(0.1, 0.5)), 1),
        "unclear_delay_days": round(float(world.uniform(1.5, 3.0)) * 2) / 2,
    }
    draft = journey_from_table(steps, JOURNEY_NAME, expected_days=1.0, **settings)
    settings["expected_days"] = float(round(expected_total_days(draft) * float(world.uniform(1.0, 1.3))))
    asked = rng.spawn("task")
    delay_step = str(asked.choice(DELAY_STEPS))
    unclear_step = str(asked.choice(UNCLEAR_STEPS))
    delay_now = float(steps.loc[steps["name"] == delay_step, "mean_days"].iloc[0])
    unclear_now = float(steps.loc[steps["name"] == unclear_step, "clarity"].iloc[0])
    task = {
        "seed_customers": _seed(asked),
        "delay_step": delay_step,
        "delay_days": int(asked.integers(max(4, int(delay_now) + 3), 15)),
        "seed_delay": _seed(asked),
        "improvement": float(asked.choice(IMPROVEMENTS)),
        "seed_leverage": _seed(asked),
        "unclear_step": unclear_step,
        "unclear_clarity": float(asked.choice([clarity for clarity in UNCLEAR_CLARITIES if clarity <= unclear_now - 0.15])),
        "seed_unclear": _seed(asked),
        "autonomy_target": float(asked.choice([target for target in AUTONOMY_TARGETS
                                               if target - settings["autonomy"] > 0.25])),
        "seed_autonomy": _seed(asked),
    }
    table = pd.DataFrame([{name: settings[name] for name in SETTINGS}])
    tables = {"loan_steps": steps, "loan_settings": table}
    # question 6: a gentler rule under which the comparison of question 6 is clear either way
    clear = [weight for weight in LATENESS_WEIGHTS
             if abs(np.subtract(*_offset(tables, task, lateness_weight=weight))) >= OFFSET_MARGIN_NPS]
    task["lateness_weight"] = float(asked.choice(clear or list(LATENESS_WEIGHTS)))
    return tables, task


def _journey(tables: dict):
    settings = tables["loan_settings"].iloc[0]
    return journey_from_table(tables["loan_steps"], JOURNEY_NAME, **{name: float(settings[name]) for name in SETTINGS})


def _step_means(steps: pd.DataFrame, settings: pd.Series) -> pd.Series:
    """The model's exact mean of each ``days_<step>`` of the loan (a journey in one sequence)."""
    crossed = steps["department"].ne(steps["department"].shift()) & (steps.index > 0)
    days = (steps["mean_days"] + steps["error_rate"] * (1 - settings["autonomy"]) * steps["rework_days"]
            + (1 - steps["clarity"]) * settings["unclear_delay_days"]
            + crossed * settings["handoff_days"] * (1 + 3 * settings["silo"]))
    return pd.Series(days.to_numpy(), index=steps["name"].to_numpy())


@functools.lru_cache(maxsize=1)
def _common_draws() -> dict[str, np.ndarray]:
    """Fixed standard draws: one row per step of the loan, one column per simulated customer.

    Each draw is stratified (Latin hypercube: every 1/n-th of its distribution holds one
    customer), which makes the estimates far steadier than plain draws. A step's working
    time (a gamma variate of mean 1 and the step's cv) comes from the Wilson-Hilferty
    transform of a normal quantile, close enough for an estimate and far quicker than the
    gamma's inverse.
    """
    from scipy.special import ndtri

    rng = StableRandom("cxlab|butterfly|knife-edges")
    n = _EDGE_CUSTOMERS

    def stratified(stream):
        return (stream.permutation(n) + stream.random(n)) / n

    rows = {kind: [] for kind in ("work", "error", "recover", "rework", "unclear", "handoff")}
    for step in loan_journey().steps:
        stream = rng.spawn(step.name)
        shape = 1.0 / step.cv**2
        normal = ndtri(np.clip(stratified(stream), 2.0**-53, 1 - 2.0**-53))
        rows["work"].append(np.maximum(0.0, 1 - 1 / (9 * shape) + normal / np.sqrt(9 * shape)) ** 3)
        for kind in ("error", "recover", "unclear"):
            rows[kind].append(stratified(stream))
        for kind in ("rework", "handoff"):
            rows[kind].append(-np.log1p(-stratified(stream)))
    return {kind: np.array(values) for kind, values in rows.items()}


def _contributions(steps: dict, settings: dict, autonomy: float) -> dict[str, np.ndarray]:
    """What each step adds to each simulated customer's journey: days, reworked and recovered errors, unclear steps.

    ``steps`` maps ``mean_days``, ``error_rate``, ``rework_days`` and ``clarity`` to one
    value per step of the loan, in its order; ``settings`` holds the journey-wide numbers.
    The model is that of :func:`cxlab.journey.simulate` for a journey in one sequence.
    """
    draws = _common_draws()

    def per_step(name):
        return np.asarray(steps[name], dtype=float)[:, None]

    failed = draws["error"] < per_step("error_rate")
    fixed = failed & (draws["recover"] < autonomy)
    reworked = failed & ~fixed
    confused = draws["unclear"] >= per_step("clarity")
    crossed = np.asarray(settings["crossed"], dtype=float)[:, None]
    days = (per_step("mean_days") * draws["work"] + reworked * per_step("rework_days") * draws["rework"]
            + confused * settings["unclear_delay_days"]
            + crossed * settings["handoff_days"] * (1 + 3 * settings["silo"]) * draws["handoff"])
    return {"days": days, "reworked": reworked.astype(float), "recovered": fixed.astype(float),
            "unclear": confused.astype(float)}


def _expected_nps(totals: dict, expected_days: float, lateness_weight: float | None = None) -> float:
    """NPS of customers with these totals over the steps, the rating noise integrated out.

    Each customer adds their chance of a promoter's rating less their chance of a
    detractor's, under the default :class:`cxlab.journey.RatingModel` (with
    ``lateness_weight`` instead of its own, when given).
    """
    from scipy.special import ndtr

    model = RatingModel() if lateness_weight is None else RatingModel(lateness_weight=lateness_weight)
    lateness = np.maximum(totals["days"] - expected_days, 0.0) / expected_days
    centre = (model.base - model.lateness_weight * lateness - model.unrecovered_weight * totals["reworked"]
              - model.recovered_weight * totals["recovered"] - model.unclear_weight * totals["unclear"])
    return float(100 * np.mean(ndtr((centre - 8.5) / model.noise) - ndtr((6.5 - centre) / model.noise)))


def _summed(parts: dict) -> dict:
    return {name: values.sum(axis=0) for name, values in parts.items()}


def _parts(tables: dict) -> tuple[dict, dict]:
    steps = tables["loan_steps"]
    settings = tables["loan_settings"].iloc[0]
    arrays = {column: steps[column].to_numpy(dtype=float)
              for column in ("mean_days", "error_rate", "rework_days", "clarity")}
    journey = {name: float(settings[name]) for name in SETTINGS}
    journey["crossed"] = (steps["department"].ne(steps["department"].shift()) & (steps.index > 0)).to_numpy()
    return arrays, journey


def _leverage(tables: dict, improvement: float) -> pd.Series:
    """NPS gained when each department improves its steps (as ``department_leverage`` does), expected."""
    arrays, journey = _parts(tables)
    owner = tables["loan_steps"]["department"].to_numpy()
    better = dict(arrays, mean_days=arrays["mean_days"] * (1 - improvement),
                  error_rate=arrays["error_rate"] * (1 - improvement),
                  clarity=1 - (1 - arrays["clarity"]) * (1 - improvement))
    today = _contributions(arrays, journey, journey["autonomy"])
    improved = _contributions(better, journey, journey["autonomy"])
    totals = _summed(today)
    baseline = _expected_nps(totals, journey["expected_days"])
    gains = {}
    for department in dict.fromkeys(owner):
        rows = owner == department
        changed = {name: totals[name] + (improved[name][rows] - today[name][rows]).sum(axis=0) for name in totals}
        gains[department] = _expected_nps(changed, journey["expected_days"]) - baseline
    return pd.Series(gains).sort_values(ascending=False)


def _offset(tables: dict, task: dict, lateness_weight: float | None = None) -> tuple[float, float]:
    """(NPS lost to question 3's delay, NPS won back by the autonomy of ``task``), expected.

    Under the default rating rule, or with ``lateness_weight`` instead of its own.
    """
    arrays, journey = _parts(tables)
    slow_days = arrays["mean_days"].copy()
    slow_days[list(tables["loan_steps"]["name"]).index(task["delay_step"])] = float(task["delay_days"])
    slow = dict(arrays, mean_days=slow_days)
    expected = journey["expected_days"]
    today = _expected_nps(_summed(_contributions(arrays, journey, journey["autonomy"])), expected, lateness_weight)
    delayed = _expected_nps(_summed(_contributions(slow, journey, journey["autonomy"])), expected, lateness_weight)
    empowered = _expected_nps(_summed(_contributions(slow, journey, float(task["autonomy_target"]))), expected,
                              lateness_weight)
    return today - delayed, empowered - delayed


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can)."""
    reasons = []
    means = _step_means(tables["loan_steps"], tables["loan_settings"].iloc[0]).sort_values(ascending=False)
    if means.iloc[0] - means.iloc[1] < BOTTLENECK_MARGIN_DAYS:
        reasons.append(f"steps {means.index[0]!r} and {means.index[1]!r} take {means.iloc[0]:.3f} and "
                       f"{means.iloc[1]:.3f} days on average, within {BOTTLENECK_MARGIN_DAYS} of each other")
    leverage = _leverage(tables, float(task["improvement"]))
    if leverage.iloc[0] - leverage.iloc[1] < LEVERAGE_MARGIN_NPS:
        reasons.append(f"departments {leverage.index[0]!r} and {leverage.index[1]!r} gain {leverage.iloc[0]:.2f} and "
                       f"{leverage.iloc[1]:.2f} NPS points, within {LEVERAGE_MARGIN_NPS} of each other")
    lost, gain = _offset(tables, task)
    if abs(gain - lost) < OFFSET_MARGIN_NPS:
        reasons.append(f"autonomy wins back {gain:.2f} NPS points of the {lost:.2f} lost to the delay, "
                       f"within {OFFSET_MARGIN_NPS} of it")
    gentle_lost, gentle_gain = _offset(tables, task, lateness_weight=float(task["lateness_weight"]))
    if abs(gentle_gain - gentle_lost) < OFFSET_MARGIN_NPS:
        reasons.append(f"with a lateness weight of {task['lateness_weight']:g}, autonomy wins back {gentle_gain:.2f} "
                       f"NPS points of the {gentle_lost:.2f} lost to the delay, within {OFFSET_MARGIN_NPS} of it")
    # the chapter's own answers (the book variant's, simulated): an estimate lies within about
    # 0.1 of the simulated answer, so a margin of 0.5 keeps every answer off the chapter's
    for label, mine, theirs in (("the delay's NPS change", -lost, BOOK_ANSWERS["delay_nps_change"]),
                                ("autonomy's gain", gain, BOOK_ANSWERS["autonomy_gain"]),
                                ("the top department's gain", float(leverage.iloc[0]), BOOK_ANSWERS["top_gain"])):
        if abs(mine - theirs) < CHAPTER_MARGIN_NPS:
            reasons.append(f"{label} ({mine:.2f}) lies within {CHAPTER_MARGIN_NPS} of the chapter's ({theirs:.2f})")
    return reasons


#: NPS points an estimated answer keeps from the chapter's own.
CHAPTER_MARGIN_NPS = 0.5
#: The book variant's simulated answers (the chapter's), as its model solution computes them
#: (``autonomy_gain``: the autonomy question of the exercise's first edition, kept so that no
#: variant's draw changed); tests/lib/test_variants_butterfly.py checks them against the notebook.
BOOK_ANSWERS = {"delay_nps_change": -60.854, "autonomy_gain": 10.208, "top_gain": 3.65}
