"""Variants of the voice-of-the-customer exercise: its four data sets and what it asks.

Every variant keeps the chapter's four designs (1,200 comments over six months, 36 agents'
surveys, 6,000 hotline calls from hour 8 to 19, a launch to 2,500 customers) and draws its own
world: how fast each category of comment is acted on, which agents game their surveys and
which one is genuinely better, which hours the hotline is slow, and whether the launch pays
off once complaints arrive. What is asked varies too: the days within which comments count
as acted on in time (``threshold_days``), how many agents the league table takes
(``top_count``), the minutes the hotline promises (``promise_minutes``), the two horizons the
launch is judged at (``early_horizon``, ``late_horizon``) and the bootstrap's seed.

A draw is set aside (:func:`knife_edges`) when an answer would sit on a knife-edge or would
let a typical mistake through: an agent's p-value (raw or Holm-adjusted, all surveys or
random invitations only, or all surveys against the random invitations' NPS as target)
within 0.005 of 0.05; no agent flagged; a tie at the edge of the league table or between the
two worst hours; the closed comments' mean within half a day of the true mean; a
Kaplan-Meier figure equal to the naive one, or a Kaplan-Meier median less than a day above
the closed comments' median; the upper end of the launch's interval within 5% of its width
of zero; an answer equal to the chapter's own.

Layer 4 of cxlab (data): numpy, pandas and the analyses of :mod:`cxlab.voc`.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from ..voc import action_curve, cumulative_value, nps_funnel, share_acted_within
from . import (FEEDBACK_CATEGORIES, FEEDBACK_SHAPE, FEEDBACK_SHARES, HOTLINE_MEDIAN_BY_HOUR, HOTLINE_VOLUME_BY_HOUR,
               N_AGENTS, load_agent_surveys, load_feedback_log, load_hotline_waits, load_launch_cashflows)

#: The chapter's task: what the book's own figures answer.
BOOK_TASK = {
    "threshold_days": 30,
    "true_mean_days": 33.95,
    "top_count": 8,
    "promise_minutes": 5,
    "early_horizon": 3,
    "late_horizon": 24,
    "bootstrap_seed": 1,
}
THRESHOLDS = (21, 30, 45, 60, 90)
TOP_COUNTS = (5, 6, 7, 8, 9, 10)
PROMISES = (3, 4, 5, 6, 7)
EARLY_HORIZONS = (2, 3, 4, 5, 6)
LATE_HORIZONS = (12, 18, 24, 30, 36)
#: The graded tolerance of the continuous answers.
TOLERANCE = 0.01


def logged_times_truth(categories: dict, shares, shape: float, days: int = 30) -> dict:
    """What the model of a feedback log implies for the logged times to action (in whole days).

    Each comment's time is ``ceil(Gamma(shape, mean m))`` with ``m`` by category, so the logged
    times are the gamma draws rounded up: their true mean is ``sum over j >= 0 of P(X > j)``,
    about half a day more than the mixture's mean. Returns the true ``mean``, the ``median``
    (whole days) and the ``share_within`` ``days`` days of the logged times.

    >>> truth = logged_times_truth({"all": 10.0}, [1.0], 1.0)
    >>> round(truth["mean"], 2), truth["median"], round(truth["share_within"], 3)
    (10.51, 7, 0.95)
    """
    from scipy.special import gammainc

    means = np.asarray(list(categories.values()), dtype=float)
    weights = np.asarray(list(shares), dtype=float)
    steps = np.arange(0, int(40 * means.max() / min(shape, 1.0)) + 1, dtype=float)
    # P(X <= j) for every whole day j: the mixture of the categories' gamma distributions
    below = (weights[:, None] * gammainc(shape, steps[None, :] * shape / means[:, None])).sum(axis=0)
    return {"mean": float((1 - below).sum()), "median": int(steps[np.argmax(below >= 0.5)]),
            "share_within": float(below[int(days)])}


def _true_mean(categories: dict, shares, shape: float) -> float:
    """The true mean of the logged (rounded-up) times to action, to two decimals."""
    return round(logged_times_truth(categories, shares, shape)["mean"], 2)


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    tables = {"log": load_feedback_log(), "surveys": load_agent_surveys(), "waits": load_hotline_waits(),
              "flows": load_launch_cashflows()}
    return tables, dict(BOOK_TASK)


def _draw_log(rng) -> tuple[pd.DataFrame, dict]:
    """The feedback log: each category's speed and share, and the spread of the times."""
    from . import _feedback_log

    world = rng.spawn("world")
    names = list(FEEDBACK_CATEGORIES)
    factor = np.exp(world.uniform(-0.7, 0.5) + world.uniform(-0.4, 0.4, len(names)))
    categories = {name: round(float(FEEDBACK_CATEGORIES[name] * factor[index]), 1) for index, name in enumerate(names)}
    weights = np.asarray(FEEDBACK_SHARES) * world.uniform(0.5, 1.5, len(names))
    shares = np.round(weights / weights.sum(), 3)
    shares[-1] = round(1 - float(shares[:-1].sum()), 3)
    shape = round(float(world.uniform(1.2, 2.2)), 2)
    log = _feedback_log(rng.spawn("data"), categories, shares.tolist(), shape)
    return log, {"true_mean_days": _true_mean(categories, shares.tolist(), shape)}


def _draw_surveys(rng) -> tuple[pd.DataFrame, dict]:
    """The agents: who games, how hard, who is genuinely better."""
    from . import _agent_surveys

    world = rng.spawn("world")
    agents = [f"A{k:02d}" for k in range(1, N_AGENTS + 1)]
    order = world.permutation(len(agents))
    n_gaming = int(world.integers(3, 8))
    gaming = tuple(sorted(agents[int(index)] for index in order[:n_gaming]))
    strong = {agents[int(order[n_gaming])]: round(float(world.uniform(0.35, 0.7)), 2)}
    surveys = _agent_surveys(rng.spawn("data"), gaming, strong, round(float(world.uniform(0.3, 0.5)), 2),
                             round(float(world.uniform(0.6, 0.95)), 2))
    return surveys, {}


def _draw_waits(rng) -> tuple[pd.DataFrame, dict]:
    """The hotline: quiet hours and one or two rush hours."""
    from . import _hotline_waits

    world = rng.spawn("world")
    hours = list(HOTLINE_MEDIAN_BY_HOUR)
    median = world.uniform(1.5, 4.5, len(hours))
    rush = world.permutation(len(hours))[: int(world.integers(1, 3))]
    median[rush] = world.uniform(4.5, 7.5, len(rush))
    medians = {hour: round(float(median[index]), 1) for index, hour in enumerate(hours)}
    volume = np.asarray(list(HOTLINE_VOLUME_BY_HOUR.values()), dtype=float) * world.uniform(0.7, 1.3, len(hours))
    volumes = {hour: round(float(volume[index]), 2) for index, hour in enumerate(hours)}
    return _hotline_waits(rng.spawn("data"), medians, volumes, round(float(world.uniform(0.7, 1.1)), 2)), {}


def _draw_flows(rng) -> tuple[pd.DataFrame, dict]:
    """The launch: margin, complaints, their delay and cost."""
    from . import _launch_cashflows

    world = rng.spawn("world")
    flows = _launch_cashflows(rng.spawn("data"), margin=round(float(world.uniform(80, 160))),
                              complaint_rate=round(float(world.uniform(0.15, 0.4)), 2),
                              complaint_delay=round(float(world.uniform(6, 14)), 1),
                              complaint_cost=round(float(world.uniform(300, 700))))
    return flows, {}


#: How often one part of a draw is drawn again (from its own sub-stream) before the whole draw
#: is left to :func:`knife_edges` and the next attempt.
PART_DRAWS = 12


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    asked = rng.spawn("task")
    task = {
        "threshold_days": int(asked.choice(THRESHOLDS)),
        "true_mean_days": None,  # the log's model sets it
        "top_count": int(asked.choice(TOP_COUNTS)),
        "promise_minutes": int(asked.choice(PROMISES)),
        "early_horizon": int(asked.choice(EARLY_HORIZONS)),
        "late_horizon": int(asked.choice(LATE_HORIZONS)),
        "bootstrap_seed": int(asked.integers(1, 10_000)),
    }
    draws = {"surveys": _draw_surveys, "log": _draw_log, "waits": _draw_waits, "flows": _draw_flows}
    tables = {}
    # The parts are independent: a part on a knife-edge is drawn again from its next sub-stream,
    # which costs a fraction of a whole new draw (the agents' p-values sit near 0.05 in about
    # half of all draws). knife_edges still vets the whole draw.
    parts = dict(_PARTS)
    for name in ("log", "surveys", "waits", "flows"):  # the log first: it settles the task's true mean
        part = parts[name]
        for redraw in range(PART_DRAWS):
            table, settled = draws[name](rng.spawn(f"{name}/{redraw}"))
            task.update(settled)
            if name == "surveys":
                # the commonest knife-edge first, before the rest of the agents' answers
                funnel = nps_funnel(table, "agent", adjust=None).table
                if _near_005(funnel["pvalue"]):
                    continue
                found = _agent_answers(table, task, funnel)
                _LAST[name] = (table, tuple(sorted(task.items())), found)
            found = _part_answers(name, part, table, task)
            if not _EDGES[name](found, task) + _chapter_edges(found):
                break
        tables[name] = table
    return {"log": tables["log"], "surveys": tables["surveys"], "waits": tables["waits"], "flows": tables["flows"]}, task


def _holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values, as statsmodels' ``multipletests(method="holm")`` gives them (which
    :func:`cxlab.voc.nps_funnel` uses), without the full garbage collection statsmodels runs there."""
    order = np.argsort(pvalues)
    m = len(pvalues)
    adjusted = np.minimum(np.maximum.accumulate(pvalues[order] * np.arange(m, 0, -1)), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def _agent_answers(surveys: pd.DataFrame, task: dict, funnel: pd.DataFrame | None = None) -> dict:
    # no adjustment inside nps_funnel here: the Holm step is _holm's (the same numbers, see the tests)
    funnel = nps_funnel(surveys, "agent", adjust=None).table if funnel is None else funnel
    adjusted = pd.Series(_holm(funnel["pvalue"].to_numpy()), index=funnel.index)
    random = surveys[surveys["invitation"] == "random"]
    random_funnel = nps_funnel(random, "agent", adjust=None).table
    # the funnel of all surveys against a target the agents cannot move: the NPS of the
    # randomly invited customers, pooled
    random_target = nps_funnel(random, "agent", adjust=None).target
    fair_funnel = nps_funnel(surveys, "agent", target=random_target, adjust=None).table
    outside = sorted(funnel.index[funnel["outside_95"]])
    fair_outside = sorted(fair_funnel.index[fair_funnel["outside_95"]])
    flagged = sorted(funnel.index[adjusted < 0.05])
    top = sorted(funnel["value"].nlargest(task["top_count"]).index)
    return {
        "outside_95": outside,
        "flagged": flagged,
        "fair_outside_95": fair_outside,
        "pooled_only_count": len(set(outside) - set(fair_outside)),
        "top_raw": top,
        "raw_only": sorted(set(top) - set(flagged)),
        "random_outside_95": sorted(random_funnel.index[random_funnel["outside_95"]]),
        "random_nps_of_flagged": random_funnel.loc[flagged, "value"],
        "_funnel": funnel.assign(pvalue_adjusted=adjusted),
        "_random_funnel": random_funnel,
        "_fair_funnel": fair_funnel,
        "_random_counts": random["agent"].value_counts().reindex(funnel.index, fill_value=0),
    }


def _log_answers(log: pd.DataFrame, task: dict) -> dict:
    threshold = task["threshold_days"]
    closed = log.loc[log["acted"], "days_open"]
    km_median = float(action_curve(log).value)
    return {
        "closed_mean": float(closed.mean()),
        "naive_share_within": float((log["acted"] & (log["days_open"] <= threshold)).mean()),
        "km_median": km_median,
        "km_share_within": float(share_acted_within(log, threshold).value),
        "median_understated_by": km_median - float(closed.median()),
        "_closed_median": float(closed.median()),
    }


def _hotline_answers(waits: pd.DataFrame, task: dict) -> dict:
    beyond = waits["wait_minutes"] > task["promise_minutes"]
    by_hour = beyond.groupby(waits["hour"]).mean()
    return {"share_beyond_all": float(beyond.mean()), "worst_hour": int(by_hour.idxmax()),
            "worst_hour_share": float(by_hour.max()), "_by_hour": by_hour}


def _launch_answers(flows: pd.DataFrame, task: dict) -> dict:
    early, late = task["early_horizon"], task["late_horizon"]
    horizon = cumulative_value(flows, "customer", "month", "amount", [early, late], seed=task["bootstrap_seed"])
    return {"value_early": float(horizon.loc[early, "value"]), "value_late": float(horizon.loc[late, "value"]),
            "negative_at_late": bool(horizon.loc[late, "high"] < 0), "_late_low": float(horizon.loc[late, "low"]),
            "_late_high": float(horizon.loc[late, "high"])}


#: Each part of the exercise: its table and how its answers are computed, cheapest vetting first.
_PARTS = (("surveys", _agent_answers), ("log", _log_answers), ("waits", _hotline_answers),
          ("flows", _launch_answers))


#: The last answers of each part, with the table and task they came from: knife_edges runs right
#: after generate on the same tables, and need not compute them again.
_LAST: dict = {}


def _part_answers(name, part, table, task) -> dict:
    key = tuple(sorted(task.items()))
    last = _LAST.get(name)
    if last is not None and last[0] is table and last[1] == key:
        return last[2]
    found = part(table, task)
    _LAST[name] = (table, key, found)
    return found


def answers(tables: dict, task: dict) -> dict:
    """The model answers of the exercise for these tables and this task, computed as the source
    notebook computes them (names starting with ``_`` are the figures the vetting looks at)."""
    found = {}
    for table, part in _PARTS:
        found.update(part(tables[table], task))
    return found


@functools.cache
def _book_answers() -> dict:
    return answers(*book())


def _near_005(pvalues) -> list[str]:
    return [str(name) for name, p in pvalues.items() if abs(p - 0.05) < 0.005]


def _agent_edges(found: dict, task: dict) -> list[str]:
    funnel, random_funnel = found["_funnel"], found["_random_funnel"]
    reasons = []
    if near := _near_005(funnel["pvalue"]):
        reasons.append(f"agents {near} have a p-value within 0.005 of 0.05 on all surveys")
    if near := _near_005(funnel["pvalue_adjusted"]):
        reasons.append(f"agents {near} have a Holm-adjusted p-value within 0.005 of 0.05")
    if near := _near_005(random_funnel["pvalue"]):
        reasons.append(f"agents {near} have a p-value within 0.005 of 0.05 on random invitations")
    if near := _near_005(found["_fair_funnel"]["pvalue"]):
        reasons.append(f"agents {near} have a p-value within 0.005 of 0.05 against the random-invitation target")
    if not found["flagged"]:
        reasons.append("no agent is flagged after the adjustment")
    elif found["flagged"] == found["outside_95"]:
        reasons.append("the adjustment flags exactly the agents outside the 95% limits")
    if found["_random_counts"].min() < 10:
        reasons.append("an agent has fewer than 10 random invitations")
    ranked = funnel["value"].sort_values(ascending=False).to_numpy()
    edge = task["top_count"]
    if ranked[edge - 1] - ranked[edge] < TOLERANCE:
        reasons.append(f"agents {edge} and {edge + 1} of the league table tie")
    return reasons


def _log_edges(found: dict, task: dict) -> list[str]:
    reasons = []
    if not math.isfinite(found["km_median"]):
        reasons.append("fewer than half of the comments were acted on: no Kaplan-Meier median")
    elif found["median_understated_by"] < 1:
        reasons.append("the Kaplan-Meier median is not a day or more above the closed comments' median")
    elif abs(100 * found["median_understated_by"] % 1 - 0.5) < 0.1:
        reasons.append("the closed median's shortfall lies within 0.001 of a rounding border at 2 decimals")
    if abs(found["km_share_within"] - found["naive_share_within"]) <= TOLERANCE:
        reasons.append("the Kaplan-Meier share within the threshold is within 0.01 of the naive share")
    if abs(found["closed_mean"] - task["true_mean_days"]) < 0.5:
        reasons.append(f"the closed mean {found['closed_mean']:.2f} lies within half a day of the true mean")
    return reasons


def _hotline_edges(found: dict, task: dict) -> list[str]:
    shares = found["_by_hour"].sort_values(ascending=False).to_numpy()
    if shares[0] - shares[1] < max(TOLERANCE / 2, 0.01 * shares[0]):
        return [f"the two worst hours' shares ({shares[0]:.4f}, {shares[1]:.4f}) nearly tie"]
    return []


def _launch_edges(found: dict, task: dict) -> list[str]:
    reasons = []
    for name in ("value_early", "value_late"):
        if abs(found[name]) < 2000:
            reasons.append(f"{name} is {found[name]:.2f}, too close to zero for a total in EUR")
    width = found["_late_high"] - found["_late_low"]
    if abs(found["_late_high"]) < 0.05 * width:
        reasons.append(f"the interval's upper end at the late horizon ({found['_late_high']:.0f}) is near zero")
    return reasons


_EDGES = {"surveys": _agent_edges, "log": _log_edges, "waits": _hotline_edges, "flows": _launch_edges}
#: Answers that are True or False, or a count of a few agents: the chapter's value is one of a
#: handful that repeat by chance, not a figure to copy.
_BOOLEANS = ("negative_at_late", "pooled_only_count")


def _chapter_edges(found: dict) -> list[str]:
    """The answers that equal the chapter's own (within the graded tolerance)."""
    chapter = _book_answers()
    reasons = []
    for name, value in found.items():
        if name.startswith("_") or name in _BOOLEANS:
            continue
        book_value = chapter[name]
        if isinstance(value, pd.Series):
            same = any(abs(v - b) <= TOLERANCE for v in value.to_numpy() for b in book_value.to_numpy())
        elif isinstance(value, list):
            same = value == book_value
        else:
            same = abs(value - book_value) <= TOLERANCE
        if same:
            reasons.append(f"{name} equals the chapter's figure")
    return reasons


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can).

    The parts are vetted one after the other, cheapest first; the first part with a reason
    ends the vetting (one reason is enough to draw again)."""
    for table, part in _PARTS:
        found = _part_answers(table, part, tables[table], task)
        reasons = _EDGES[table](found, task) + _chapter_edges(found)
        if reasons:
            return reasons
    return []
