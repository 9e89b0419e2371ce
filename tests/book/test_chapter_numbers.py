"""The numbers a chapter's prose states are the ones its code computes, in the sign the prose uses.

Each check recomputes a number with the library, as the chapter's code does, and looks
for the sentence that states it on the built page. The sentences are the ones where a
number once drifted from the code or was stated with the wrong sign or the wrong count.
"""

from __future__ import annotations

import re

import numpy as np
from bs4 import BeautifulSoup


def page_text(built_book, name):
    """The main text of a built page, with glued values set into their sentences."""
    soup = BeautifulSoup((built_book / name).read_text(encoding="utf-8"), "html.parser")
    text = " ".join(soup.select_one("main").get_text(" ").split())
    text = text.replace("\u2019", "'").replace("\u2212", "-")
    text = re.sub(r"\s+([%).,:;])", r"\1", text)
    return re.sub(r"([(])\s+", r"\1", text)


def test_nps_chapter_states_the_interval_of_its_ten_answers(built_book):
    import cxlab

    ten = cxlab.nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 9])
    text = page_text(built_book, "book/nps.html")
    assert f"from about {ten.low:+.0f} to {ten.high:+.0f}, is the first warning" in text


def test_certification_chapter_states_days_saved_with_an_interval_of_the_same_sign(built_book):
    import cxlab
    from cxlab.data import load_team_panel, load_teams

    panel = load_team_panel()
    days = cxlab.diff_in_diff(panel, "days_to_resolve", "arm", "period", treated="process fix", control="none",
                              unit="team")
    saved, saved_low, saved_high = -days.value, -days.high, -days.low
    assert 0 < saved_low < saved < saved_high
    text = page_text(built_book, "book/certification.html")
    assert (f"fell by {saved:.1f} days more than in the control group (the interval for the days saved runs from "
            f"{saved_low:.1f} to {saved_high:.1f} days)") in text

    # The number beside "maturity and budget held fixed" comes from the model with those two controls.
    teams = load_teams()
    two_controls = cxlab.adjusted_effect(teams, "nps", "certificate", ["maturity", "budget_per_agent"])
    three_controls = cxlab.adjusted_effect(teams, "nps", "certificate", ["maturity", "budget_per_agent", "size"])
    assert f"With maturity and budget held fixed, the certificate's estimated effect falls to {two_controls.value:.1f}" in text
    assert f"only a little, to {three_controls.value:.1f} points" in text


def test_butterfly_chapter_counts_the_front_line_steps_and_sizes_the_churn_effect(built_book):
    from cxlab import journey

    lease = journey.leasing_journey()
    steps = lease.to_table()
    front_line = int((steps["zone"] == "front line").sum())
    text = page_text(built_book, "book/butterfly.html")
    assert f"Only {front_line} of the {len(steps)} steps are in the front line" in text

    letter = journey.what_if(lease, lease.with_step("contract", clarity=0.5), n_customers=200_000, seed=3)
    points = letter.churn_change_per_10k / 100
    assert 0.5 < points < 3, "the letter's effect on churn is no longer about one point; reword the chapter"
    assert f"the effect on churn is about {points:.1f} percentage points" in text
    assert not re.search(r"a few percentage points", text)


def test_ex_cx_chapter_reports_the_within_branch_lead_it_computes(built_book):
    import cxlab
    from cxlab import linkage
    from cxlab.data import load_branch_outcomes, load_employee_survey

    employees = load_employee_survey()
    staff = (employees.groupby(["branch", "quarter"])
             .agg(enps=("recommend", lambda scores: cxlab.enps(scores).value)).reset_index())
    panel = linkage.join_units(staff, load_branch_outcomes()).table
    within = linkage.lagged_correlation(panel, "enps", "nps", "branch", "quarter", lags=[-1, 0, 1], within=True)
    text = page_text(built_book, "book/ex-cx.html")
    lead = float(np.round(within.loc[1, "value"], 2))
    assert f"(partial r = {lead:.2f})" in text


def test_opinions_chapter_states_the_gap_and_the_weighted_headline_it_computes(built_book):
    import cxlab
    from cxlab import data, opinions

    health = data.load_health_opinions()
    gap = opinions.base_gap(health, "dissatisfied", "used_public", seed=1)
    raked = cxlab.rake(health, {"age_group": data.HEALTH_POPULATION_AGE, "use": data.HEALTH_POPULATION_USE})
    weighted = cxlab.proportion(health["dissatisfied"], weights=raked.weights)
    text = page_text(built_book, "book/opinions.html")
    assert (f"The headline is {gap.value:.1f} points above the users' own figure (interval "
            f"{gap.low:.1f} to {gap.high:.1f})") in text
    assert f"to {weighted.value:.1f}% (interval {weighted.low:.1f} to {weighted.high:.1f})" in text
    assert f"The design effect is {raked.design_effect:.3f}" in text
