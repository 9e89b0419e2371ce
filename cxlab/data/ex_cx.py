"""Variants of the EX -> CX exercise: the branch panel and the loyalty survey.

Every variant keeps the design of :func:`cxlab.data.make_employee_survey`,
:func:`cxlab.data.make_branch_outcomes` and :func:`cxlab.data.make_loyalty_survey` (40
branches over eight quarters, about half of them city branches; 3,000 customers rating six
touchpoints) and draws its own world: how strongly employee experience leads customer
experience, how much city branches differ, which branch-quarters ran no staff survey,
which branches' outcomes stop early and which branches opened without a survey; and in the
loyalty survey which touchpoint travels with which (the one whose beta misleads), how much
each touchpoint matters and how well it is rated.

What is asked varies too: the quarter whose eNPS question 1 asks for (``enps_quarter``),
the customer outcome questions 3 and 4 link to eNPS (``outcome``), the question about staff
and customers that question 3 asks (``link_question``, one of :data:`LINK_QUESTIONS`: some
are about change within a branch, some about how branches compare, so the right analysis
differs between variants), the customers' branch location questions 5 to 7 analyse
(``segment``), and the two touchpoint changes of question 7's scenario
(``paired_touchpoint``/``paired_shift`` with ``single_touchpoint``/``single_shift``).

A draw is set aside (:func:`knife_edges`) when an answer would sit on a knife-edge: two
branches within half a point of the highest eNPS, two touchpoints whose relative weights
lie within 1% of each other (the ranking would hang on the last digits), not exactly one
touchpoint whose beta has the opposite sign to its correlation (or a beta or correlation
within 0.02 of zero, a sign that a rounding could flip), a scenario whose two gains lie
within half a point of each other, same-quarter and next-quarter correlations within 0.02
of each other, same-quarter correlations across and within branches within 0.02 of each
other (question 3's number would not tell the two analyses apart), or a segment too small
for a six-driver model.

The vetting uses :func:`cxlab.drivers.relative_weights`, and fast forms of
:func:`cxlab.linkage.lagged_correlation` and :func:`cxlab.drivers.scenario_nps_gain` that
give the same values without their intervals (``tests/lib/test_variants_ex_cx.py`` checks
that they agree).

Layer 4 of cxlab (data): numpy, pandas and :mod:`cxlab.drivers`.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from . import BRANCH_QUARTERS, N_BRANCHES, load_branch_outcomes, load_employee_survey, load_loyalty_survey

#: The touchpoints of the loyalty survey, in its column order.
TOUCHPOINTS = ("advisor", "complaints", "app", "waiting", "fees", "ambience")
#: The customer outcomes question 3 may link to eNPS (NPS is the chapter's own).
OUTCOMES = ("complaints_per_1000", "churn_pct", "handling_minutes", "cost_per_contact")
SEGMENTS = ("town", "city")
SHIFTS = (0.5, 1.0, 1.5)
#: The questions question 3 may ask; the learner decides whether each needs a comparison
#: across branches or within them.
LINK_QUESTIONS = (
    "Before funding a programme to improve staff experience in every branch, the board asks: "
    "in the quarters when a branch's staff feel better about their work than usual, do that "
    "branch's customers fare better too?",
    "A branch manager asks: when my team has a better quarter than usual, do my customers "
    "notice it in the same quarter?",
    "The regional director will visit the branches where customers fare worst and asks: are "
    "those also the branches whose staff are least satisfied, so that one visit can deal with both?",
    "For the yearly benchmark of its branches, the bank asks: do the branches with a higher "
    "eNPS also show better customer results?",
)
#: The chapter's task: what the book's own exercise asked.
BOOK_TASK = {
    "enps_quarter": "2026-Q4",
    "outcome": "complaints_per_1000",
    "segment": "town",
    "paired_touchpoint": "advisor",
    "paired_shift": 0.5,
    "single_touchpoint": "app",
    "single_shift": 1.0,
    "link_question": LINK_QUESTIONS[0],
}
#: Fewest customers in the segment for a six-driver model (50 per driver).
MIN_SEGMENT = 300


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    return ({"employees": load_employee_survey(), "outcomes": load_branch_outcomes(), "loyalty": load_loyalty_survey()},
            dict(BOOK_TASK))


def _codes(indices) -> list[str]:
    return [f"B{int(index) + 1:02d}" for index in indices]


def _branches(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    from . import _branch_outcomes, _branch_world, _employee_survey

    world = rng.spawn("world")
    model = {
        "lag1": round(float(world.uniform(0.3, 0.8)), 3),
        "same": round(float(world.uniform(-0.15, 0.35)), 3),
        "city_ex": round(float(world.uniform(-0.8, -0.2)), 3),
        "city_cx": round(float(world.uniform(-0.9, -0.3)), 3),
    }
    city, size, experience, customer = _branch_world(world.spawn("latent"), **model)

    gaps = rng.spawn("gaps")
    # branch-quarters without a staff survey: 1 to 8, anywhere in the panel
    cells = gaps.permutation(N_BRANCHES * len(BRANCH_QUARTERS))[: int(gaps.integers(1, 9))]
    skipped = [(int(cell) // len(BRANCH_QUARTERS), int(cell) % len(BRANCH_QUARTERS)) for cell in cells]
    # branches whose customer outcomes stop 1 to 3 quarters before the end (closed): 1 to 4 of them
    closing = gaps.permutation(N_BRANCHES)[: int(gaps.integers(1, 5))]
    closed = {code: int(gaps.integers(1, 4)) for code in _codes(closing)}
    # 1 to 3 branches opened lately: customer outcomes for their last 1 to 4 quarters, no staff survey yet
    opened_rows = []
    for number in range(N_BRANCHES + 1, N_BRANCHES + 1 + int(gaps.integers(1, 4))):
        quarters = BRANCH_QUARTERS[-int(gaps.integers(1, 5)):]
        in_city = bool(gaps.random() < 0.5)
        level = model["city_cx"] * in_city + float(gaps.normal(0, 0.5))
        latent = level + gaps.normal(0, 0.35, len(quarters))
        count = len(quarters)
        opened_rows.append(pd.DataFrame({
            "branch": f"B{number:02d}", "quarter": list(quarters), "location": "city" if in_city else "town",
            "employees": int(gaps.integers(12, 21) if in_city else gaps.integers(6, 14)),
            "nps": np.round(22 + 12 * latent + gaps.normal(0, 3, count), 1),
            "complaints_per_1000": np.round(8 * np.exp(-0.25 * latent + gaps.normal(0, 0.1, count)), 2),
            "handling_minutes": np.round(9 - 0.8 * latent + gaps.normal(0, 0.5, count), 2),
            "cost_per_contact": np.round(4.5 - 0.4 * latent + gaps.normal(0, 0.2, count), 2),
            "churn_pct": np.round(np.clip(8 - 1.5 * latent + gaps.normal(0, 0.6, count), 0, 100), 2),
        }))
    opened = pd.concat(opened_rows, ignore_index=True)
    opened["employees"] = opened["employees"].astype("int64")

    employees = _employee_survey(rng.spawn("staff"), size, experience, skipped)
    outcomes = _branch_outcomes(rng.spawn("outcomes"), city, size, customer, closed, opened)
    return employees, outcomes


def _loyalty(rng) -> pd.DataFrame:
    from . import _loyalty_survey

    world = rng.spawn("drivers")
    anchor = str(world.choice(TOUCHPOINTS[:4]))
    linked = str(world.choice([name for name in TOUCHPOINTS if name != anchor]))
    link = round(float(world.uniform(0.75, 0.9)), 2)
    loadings = {name: round(float(world.uniform(0.25, 0.65)), 2) for name in TOUCHPOINTS if name != linked}
    effects = {name: round(float(world.uniform(0.2, 1.0)), 2) for name in TOUCHPOINTS}
    effects[anchor] = round(float(world.uniform(1.4, 2.0)), 2)
    # holding the anchor fixed, the linked touchpoint counts against the recommendation
    effects[linked] = round(-float(world.uniform(0.75, 1.05)) * link * effects[anchor], 2)
    means = {name: round(float(world.uniform(5.2, 8.2)), 1) for name in TOUCHPOINTS}
    return _loyalty_survey(rng.spawn("customers"), 3000, effects=effects, means=means, loadings=loadings,
                           linked=(linked, anchor, link))


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    employees, outcomes = _branches(rng.spawn("branches"))
    loyalty = _loyalty(rng.spawn("loyalty"))
    asked = rng.spawn("task")
    paired, single = (str(name) for name in asked.choice(TOUCHPOINTS, size=2, replace=False))
    task = {
        "enps_quarter": str(asked.choice(BRANCH_QUARTERS)),
        "outcome": str(asked.choice(OUTCOMES)),
        "segment": str(asked.choice(SEGMENTS)),
        "paired_touchpoint": paired,
        "paired_shift": float(asked.choice(SHIFTS)),
        "single_touchpoint": single,
        "single_shift": float(asked.choice(SHIFTS)),
        "link_question": str(asked.choice(LINK_QUESTIONS)),
    }
    return {"employees": employees, "outcomes": outcomes, "loyalty": loyalty}, task


def _segment_customers(tables: dict, segment: str) -> pd.DataFrame:
    """The loyalty survey's customers of the branches whose location is ``segment``."""
    outcomes, loyalty = tables["outcomes"], tables["loyalty"]
    location = outcomes.drop_duplicates("branch").set_index("branch")["location"]
    return loyalty[loyalty["branch"].map(location) == segment]


def _staff_enps(employees: pd.DataFrame) -> pd.DataFrame:
    """eNPS per branch and quarter (columns ``branch``, ``quarter``, ``enps``), as question 2 builds it."""
    keys, cells = pd.MultiIndex.from_frame(employees[["branch", "quarter"]]).factorize(sort=True)
    recommend = employees["recommend"].to_numpy()
    net = np.where(recommend >= 9, 100.0, np.where(recommend <= 6, -100.0, 0.0))
    enps = np.bincount(keys, weights=net) / np.bincount(keys)
    return pd.DataFrame({"branch": cells.get_level_values(0), "quarter": cells.get_level_values(1), "enps": enps})


def _lag_values(panel: pd.DataFrame, outcome: str) -> tuple[float, float]:
    """The ``value`` column of ``linkage.lagged_correlation(panel, "enps", outcome, "branch", "quarter",
    lags=[0, 1], within=True)``, without the clustered standard errors that make that call slow.

    Lag 0: the correlation of eNPS and the outcome after removing each branch's means. Lag 1:
    the partial correlation of this quarter's eNPS with next quarter's outcome, given next
    quarter's eNPS, within branches (branches with a single pair left out).
    """
    branch, branches = pd.factorize(panel["branch"])
    quarter, quarters = pd.factorize(panel["quarter"], sort=True)
    x = np.full((len(branches), len(quarters)), np.nan)
    y = np.full_like(x, np.nan)
    x[branch, quarter] = panel["enps"].to_numpy(dtype=float)
    y[branch, quarter] = panel[outcome].to_numpy(dtype=float)

    def centred(mask, *columns):
        # each column's deviations from its branch mean over the cells in mask; branches with one cell left out
        keep = mask & (mask.sum(axis=1) > 1)[:, None]
        count = keep.sum(axis=1, keepdims=True)
        out = []
        for column in columns:
            filled = np.where(keep, column, 0.0)
            means = filled.sum(axis=1, keepdims=True) / np.maximum(count, 1)
            out.append((filled - means)[keep])
        return out

    def correlation(first, second):
        return float(first @ second / np.sqrt((first @ first) * (second @ second)))

    present = ~np.isnan(x)
    same = correlation(*centred(present, x, y))
    pairs = present[:, :-1] & present[:, 1:]
    lagged, later, held = centred(pairs, x[:, :-1], y[:, 1:], x[:, 1:])
    lagged = lagged - held * (held @ lagged) / (held @ held)
    later = later - held * (held @ later) / (held @ held)
    return same, correlation(lagged, later)


def _scenario_gains(customers: pd.DataFrame, changes: list[tuple[str, float]]) -> list[float]:
    """``drivers.scenario_nps_gain(customers, "recommend", TOUCHPOINTS, dict(changes[:k]))`` for k = 1, 2, ...,
    from one regression."""
    design = np.column_stack([np.ones(len(customers)), customers[list(TOUCHPOINTS)].to_numpy(dtype=float)])
    scores = customers["recommend"].to_numpy(dtype=float)
    coefficients = dict(zip(TOUCHPOINTS, np.linalg.lstsq(design, scores, rcond=None)[0][1:]))

    def nps(values):
        values = np.clip(values, 0, 10)
        return 100.0 * (np.mean(values >= 9) - np.mean(values <= 6))

    gains, shift = [], 0.0
    for name, change in changes:
        shift += coefficients[name] * change
        whole = np.floor(shift)
        part = shift - whole
        gains.append(float((1 - part) * nps(scores + whole) + part * nps(scores + whole + 1) - nps(scores)))
    return gains


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can)."""
    from ..drivers import relative_weights

    reasons = []
    staff = _staff_enps(tables["employees"])
    quarter = staff[staff["quarter"] == task["enps_quarter"]]["enps"].sort_values(ascending=False).to_numpy()
    if quarter[0] - quarter[1] < 0.5:
        reasons.append(f"two branches share the highest eNPS in {task['enps_quarter']} ({quarter[0]:.2f}, "
                       f"{quarter[1]:.2f})")

    panel = staff.merge(tables["outcomes"], on=["branch", "quarter"])
    now, later = _lag_values(panel, task["outcome"])
    if abs(now - later) < 0.02:
        reasons.append(f"the same-quarter and next-quarter correlations with {task['outcome']} are within 0.02 "
                       f"({now:.3f}, {later:.3f})")
    across = float(np.corrcoef(panel["enps"], panel[task["outcome"]])[0, 1])
    if abs(across - now) < 0.02:
        reasons.append(f"the same-quarter correlations with {task['outcome']} across and within branches are "
                       f"within 0.02 ({across:.3f}, {now:.3f})")

    customers = _segment_customers(tables, task["segment"])
    if len(customers) < MIN_SEGMENT:
        reasons.append(f"the {task['segment']} segment has {len(customers)} customers, fewer than {MIN_SEGMENT}")
        return reasons
    weights = relative_weights(customers, "recommend", list(TOUCHPOINTS)).sort_values(ascending=False)
    for (first, higher), (second, lower) in zip(weights.iloc[:-1].items(), weights.iloc[1:].items()):
        if higher - lower < 0.01 * higher:
            reasons.append(f"the relative weights of {first} and {second} lie within 1% ({higher:.5f}, {lower:.5f})")
    # the standardised betas and correlations of drivers.driver_table, without its Shapley values
    correlations = np.corrcoef(customers[["recommend", *TOUCHPOINTS]].to_numpy(dtype=float), rowvar=False)
    correlation = correlations[1:, 0]
    beta = np.linalg.solve(correlations[1:, 1:], correlation)
    flips = [name for name, b, r in zip(TOUCHPOINTS, beta, correlation) if np.sign(b) != np.sign(r)]
    if len(flips) != 1:
        reasons.append(f"{len(flips)} touchpoints have a beta of the opposite sign to their correlation: {flips}")
    near_zero = [name for name, b, r in zip(TOUCHPOINTS, beta, correlation) if min(abs(b), abs(r)) < 0.02]
    if near_zero:
        reasons.append(f"the beta or correlation of {near_zero} lies within 0.02 of zero")

    alone, both = _scenario_gains(customers, [(task["single_touchpoint"], task["single_shift"]),
                                             (task["paired_touchpoint"], task["paired_shift"])])
    if abs(both - alone) < 0.5:
        reasons.append(f"the scenario's two gains lie within half a point ({both:.2f}, {alone:.2f})")
    reasons.extend(_as_in_the_chapter(staff, tables["outcomes"], task, now, later, across))
    return reasons


def _unmatched(staff: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[int, int]:
    """Question 2's counts: branch-quarters with staff answers only, and with outcomes only."""
    left = set(zip(staff["branch"], staff["quarter"]))
    right = set(zip(outcomes["branch"], outcomes["quarter"]))
    return len(left - right), len(right - left)


@functools.cache
def _book_answers() -> dict:
    tables, task = book()
    staff = _staff_enps(tables["employees"])
    panel = staff.merge(tables["outcomes"], on=["branch", "quarter"])
    now, later = _lag_values(panel, task["outcome"])
    across = float(np.corrcoef(panel["enps"], panel[task["outcome"]])[0, 1])
    link = (task["link_question"], now if _within_question(task["link_question"]) else across)
    return {"outcome": task["outcome"], "lags": (now, later), "unmatched": _unmatched(staff, tables["outcomes"]),
            "link": link}


def _within_question(question: str) -> bool:
    """Whether question 3's ``question`` is about change inside a branch (else it compares branches)."""
    return "than usual" in question


def _as_in_the_chapter(staff, outcomes, task, now: float, later: float, across: float) -> list[str]:
    """A question whose answers would all be the chapter's own (the book variant's), within the tolerance."""
    chapter = _book_answers()
    reasons = []
    if _unmatched(staff, outcomes) == chapter["unmatched"]:
        reasons.append(f"the unmatched counts {chapter['unmatched']} are the chapter's")
    if all(abs(mine - theirs) <= 0.015 for mine, theirs in zip((now, later), chapter["lags"])):
        reasons.append("both correlations of question 4 are the chapter's within 0.015, whatever the outcome")
    link = now if _within_question(task["link_question"]) else across
    book_question, book_link = chapter["link"]
    if _within_question(task["link_question"]) == _within_question(book_question) and abs(link - book_link) <= 0.015:
        reasons.append("question 3's analysis and correlation are the chapter's (within 0.015)")
    return reasons
