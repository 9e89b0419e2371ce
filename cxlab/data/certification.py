"""Variants of the certification exercise: the teams of :func:`cxlab.data.make_teams`, their panel
(:func:`cxlab.data.make_team_panel`) and the two vendors of the paradox question.

Every variant keeps the design the notebook relies on (80 teams, four maturity levels, 16
course teams, 16 process-fix teams, 48 controls, two half-years; two vendors, two types of
contact) and draws its own world: how strongly maturity and budget decide who is certified,
whether the certificate and the course truly do something (in about half the variants each
has a real, modest effect; in the others none, as in the book), the season's common rise,
the process fix's effects, and the vendors' contact mix and resolution rates (which decide
whether the paradox appears). What is asked varies too: the outcome of questions 1 to 4
(``outcome``: ``csat`` or ``fcr``) and the panel outcome of questions 5 and 6
(``panel_outcome``: ``csat`` or ``nps``).

A draw is set aside (:func:`knife_edges`) when an answer would sit on a knife-edge: a
maturity level with fewer than three certified or three uncertified teams (too few for the
stratified comparison); an adjusted p-value (question 4) or the course's
difference-in-differences p-value (question 6) within 0.005 of 0.05, or the end of the
course's interval within 0.01 of zero; a control group whose change is within 0.02 of zero
(a before/after answer would then pass as the difference-in-differences); a naive
difference within 0.02 of another outcome's (which the check names as a slip); a naive
difference smaller than one point in size, or a pooled one more than 1.5 times its size (the
share of the naive difference left after stratifying, question 3, would then swing with the
last decimal or pass for a percentage); or a vendors' gap, overall or within a type, within
0.01 of zero (its sign decides the paradox).

Layer 4 of cxlab (data): numpy, pandas and the group comparisons of :mod:`cxlab.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats import adjusted_effect, compare_groups, diff_in_diff
from . import TEAMS_MODEL, load_team_panel, load_teams

#: The chapter's task: what the exercise asked before it had variants.
BOOK_TASK = {"outcome": "csat", "panel_outcome": "csat"}
OUTCOMES = ("csat", "fcr")
PANEL_OUTCOMES = ("csat", "nps")
CONTROLS = ("maturity", "budget_per_agent", "size")
#: The columns whose naive difference question 1's check tells apart.
NAIVE_COLUMNS = ("nps", "csat", "fcr")
CONTACT_TYPES = ("simple", "complex")
#: The vendors table of the exercise's question 7 before it had variants.
BOOK_VENDORS = {
    "vendor": ["A", "A", "B", "B"],
    "contact_type": ["simple", "complex", "simple", "complex"],
    "contacts": [100, 300, 300, 100],
    "resolved": [90, 150, 260, 40],
}
#: The fewest certified and uncertified teams a maturity level may have.
MIN_PER_CELL = 3
#: The smallest naive difference (in points) whose share left after stratifying is asked.
MIN_NAIVE = 1.0
#: The largest size of that share (pooled over naive difference) a variant may have.
MAX_SHARE_LEFT = 1.5


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    tables = {"teams": load_teams(), "panel": load_team_panel(), "vendors": pd.DataFrame(BOOK_VENDORS)}
    return tables, dict(BOOK_TASK)


def _teams_model(rng) -> dict:
    model = dict(TEAMS_MODEL)
    model["maturity_p"] = (0.3, 0.2, 0.2, 0.3)
    # how strongly maturity and budget decide who is certified; centred so that about half
    # the teams of the middle levels are, which keeps both groups at every level
    per_level, per_log_budget = float(rng.uniform(0.3, 0.55)), float(rng.uniform(0.8, 1.6))
    intercept = 0.288 * per_log_budget - 1.5 * (per_level + 0.28 * per_log_budget) + float(rng.uniform(-0.3, 0.3))
    model["propensity"] = (round(intercept, 3), round(per_level, 3), round(per_log_budget, 3))
    # half the worlds give the certificate a modest real effect, the others none
    model["certificate_effect"] = round(float(rng.uniform(0.12, 0.4)), 3) if rng.random() < 0.5 else 0.0
    model["common_trend_nps"] = round(float(rng.uniform(1.0, 5.0)), 2)
    model["common_trend_csat"] = round(float(rng.uniform(0.5, 3.0)), 2)
    model["fix_days_factor"] = round(float(rng.uniform(0.6, 0.9)), 3)
    model["fix_nps"] = round(float(rng.uniform(4.0, 10.0)), 2)
    model["fix_csat"] = round(float(rng.uniform(2.0, 6.0)), 2)
    if rng.random() < 0.5:
        model["course_nps"] = round(float(rng.uniform(3.0, 8.0)), 2)
        model["course_csat"] = round(float(rng.uniform(1.5, 4.5)), 2)
    else:
        model["course_nps"] = model["course_csat"] = 0.0
    return model


def _vendors(rng) -> pd.DataFrame:
    """Two vendors' contacts and resolutions by type: a paradox in some variants, not in others."""
    simple_rate = rng.uniform(0.78, 0.95)
    complex_rate = rng.uniform(0.30, 0.60)
    advantage = rng.uniform(0.03, 0.12, 2)
    if rng.random() < 0.2:
        advantage[int(rng.integers(0, 2))] *= -1  # better at one type, worse at the other
    better, worse = ("A", "B") if rng.random() < 0.5 else ("B", "A")
    skewed = rng.random() < 0.65
    complex_share = {better: rng.uniform(0.6, 0.85) if skewed else rng.uniform(0.35, 0.6),
                     worse: rng.uniform(0.15, 0.4) if skewed else rng.uniform(0.35, 0.6)}
    rows = []
    for vendor in ("A", "B"):
        total = 10 * int(rng.integers(30, 61))
        complex_contacts = 10 * int(round(total * complex_share[vendor] / 10))
        contacts = {"simple": total - complex_contacts, "complex": complex_contacts}
        sign = 1.0 if vendor == better else -1.0
        rates = {"simple": simple_rate + sign * advantage[0] / 2, "complex": complex_rate + sign * advantage[1] / 2}
        for contact_type in CONTACT_TYPES:
            count = contacts[contact_type]
            rows.append({"vendor": vendor, "contact_type": contact_type, "contacts": count,
                         "resolved": int(round(count * float(rates[contact_type])))})
    return pd.DataFrame(rows).astype({"contacts": "int64", "resolved": "int64"})


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    from . import _teams_world

    teams, panel = _teams_world(rng.spawn("teams"), _teams_model(rng.spawn("world")))
    vendors = _vendors(rng.spawn("vendors"))
    asked = rng.spawn("task")
    task = {"outcome": str(asked.choice(OUTCOMES)), "panel_outcome": str(asked.choice(PANEL_OUTCOMES))}
    return {"teams": teams, "panel": panel, "vendors": vendors}, task


def vendor_gaps(vendors: pd.DataFrame) -> tuple[float, pd.Series]:
    """A's share resolved minus B's: over all contacts, and within each type (complex, simple)."""
    totals = vendors.groupby("vendor")[["contacts", "resolved"]].sum()
    share = totals["resolved"] / totals["contacts"]
    by_type = vendors.assign(share=vendors["resolved"] / vendors["contacts"]).pivot(
        index="contact_type", columns="vendor", values="share")
    return float(share["A"] - share["B"]), (by_type["A"] - by_type["B"]).sort_index()


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can)."""
    teams, panel, vendors = tables["teams"], tables["panel"], tables["vendors"]
    outcome, panel_outcome = task["outcome"], task["panel_outcome"]
    reasons = []
    arms = panel.loc[panel["period"] == "2026-H1", "arm"].value_counts().to_dict()
    if arms != {"none": 48, "certification course": 16, "process fix": 16}:
        return [f"the panel's arms are not 16 course, 16 fix and 48 control teams: {arms}"]
    certified = teams["certificate"].to_numpy() == "certified"
    maturity = teams["maturity"].to_numpy()
    cells = [int(np.sum((maturity == level) & (certified == flag))) for level in (1, 2, 3, 4) for flag in (True, False)]
    if min(cells) < MIN_PER_CELL:
        reasons.append(f"a maturity level has fewer than {MIN_PER_CELL} certified or uncertified teams "
                       f"(certified, none by level: {cells})")
        return reasons  # the comparisons below need every cell
    # the naive difference of question 1 (compare_groups' value: certified minus none); its check
    # names an answer that equals another outcome's difference as a slip
    naive = {column: float(teams[column].to_numpy()[certified].mean() - teams[column].to_numpy()[~certified].mean())
             for column in NAIVE_COLUMNS}
    for column in NAIVE_COLUMNS:
        if column != outcome and abs(naive[outcome] - naive[column]) < 0.02:
            reasons.append(f"the naive {outcome} difference {naive[outcome]:.3f} lies within 0.02 of the {column} one "
                           f"{naive[column]:.3f}")
    if abs(naive[outcome]) < MIN_NAIVE:
        reasons.append(f"the naive {outcome} difference {naive[outcome]:.3f} is smaller than {MIN_NAIVE:g} point in size")
    else:
        pooled = compare_groups(teams, outcome, "certificate", strata="maturity").value
        if abs(pooled / naive[outcome]) > MAX_SHARE_LEFT:
            reasons.append(f"the pooled difference {pooled:.3f} is more than {MAX_SHARE_LEFT:g} times the naive "
                           f"{naive[outcome]:.3f}")
    adjusted = adjusted_effect(teams, outcome, "certificate", list(CONTROLS))
    if abs(adjusted.pvalue - 0.05) < 0.005:
        reasons.append(f"the adjusted effect has p = {adjusted.pvalue:.4f}, within 0.005 of 0.05")
    course = diff_in_diff(panel, panel_outcome, "arm", "period", treated="certification course", control="none",
                          unit="team")
    if abs(course.pvalue - 0.05) < 0.005:
        reasons.append(f"the course's difference-in-differences has p = {course.pvalue:.4f}, within 0.005 of 0.05")
    if abs(course.low) < 0.01:
        reasons.append(f"the course's interval starts at {course.low:.4f}, within 0.01 of zero")
    if abs(course.control_change) < 0.02:
        reasons.append(f"the control teams' change {course.control_change:.4f} lies within 0.02 of zero")
    overall, within = vendor_gaps(vendors)
    if abs(overall) < 0.01 or float(within.abs().min()) < 0.01:
        reasons.append(f"a vendors' gap lies within 0.01 of zero (overall {overall:.4f}, "
                       f"by type {within.round(4).tolist()})")
    return reasons
