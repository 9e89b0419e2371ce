"""The shipped data sets equal their documented generators, and their data cards cover every column."""

import numpy as np
import pandas as pd
import pytest

import cxlab
from cxlab import data


GENERATORS = {
    "survey": (data.load_survey, data.make_survey),
    "kidney_stones": (data.load_kidney_stones, data.make_kidney_stones),
    "teams": (data.load_teams, data.make_teams),
    "team_panel": (data.load_team_panel, data.make_team_panel),
    "employee_survey": (data.load_employee_survey, data.make_employee_survey),
    "branch_outcomes": (data.load_branch_outcomes, data.make_branch_outcomes),
    "loyalty_survey": (data.load_loyalty_survey, data.make_loyalty_survey),
    "feedback_log": (data.load_feedback_log, data.make_feedback_log),
    "agent_surveys": (data.load_agent_surveys, data.make_agent_surveys),
    "hotline_waits": (data.load_hotline_waits, data.make_hotline_waits),
    "launch_cashflows": (data.load_launch_cashflows, data.make_launch_cashflows),
    "health_opinions": (data.load_health_opinions, data.make_health_opinions),
    "brand_survey": (data.load_brand_survey, data.make_brand_survey),
    "citizen_survey": (data.load_citizen_survey, data.make_citizen_survey),
    "contact_costs": (data.load_contact_costs, data.make_contact_costs),
}


def test_every_data_set_has_a_loader_and_a_generator():
    assert set(GENERATORS) == set(data.DATASETS)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shipped_data_equal_their_generator_with_the_default_seed(name):
    load, make = GENERATORS[name]
    pd.testing.assert_frame_equal(load(), make())


def test_generator_is_seeded():
    pd.testing.assert_frame_equal(data.make_survey(seed=3), data.make_survey(seed=3))
    assert not data.make_survey(seed=3).equals(data.make_survey(seed=4))


def test_survey_values_are_on_their_scales():
    survey = data.load_survey()
    assert survey["recommend"].between(0, 10).all()
    assert survey["satisfaction"].between(1, 5).all()
    assert survey["effort"].between(1, 7).all()
    assert set(survey["sentiment"].dropna()) <= {"positive", "neutral", "negative"}
    assert survey["response_id"].is_unique
    # Every metric runs on the shipped data without complaint.
    cxlab.nps(survey["recommend"])
    cxlab.csat(survey["satisfaction"])
    cxlab.ces(survey["effort"])
    cxlab.nss_from_labels(survey["sentiment"])


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_data_card_documents_every_column(name):
    card = data.data_card(name)
    assert card.startswith(f"# Data card: `{name}`")
    for column in GENERATORS[name][0]().columns:
        assert f"`{column}`" in card, column


def test_team_panel_first_half_is_the_teams_data_and_arms_are_fixed():
    teams, panel = data.load_teams(), data.load_team_panel()
    first = panel[panel["period"] == "2026-H1"].set_index("team")
    for column in ("certificate", "maturity", "budget_per_agent", "nps", "days_to_resolve"):
        pd.testing.assert_series_equal(first[column], teams.set_index("team")[column])
    assert (panel.groupby("team")["arm"].nunique() == 1).all()
    course = panel[panel["arm"] == "certification course"]
    assert (course["certificate"] == "none").all(), "only uncertified leads go on the course"


def test_every_maturity_level_has_teams_with_and_without_a_certificate():
    cells = data.load_teams().groupby(["maturity", "certificate"]).size().unstack(fill_value=0)
    assert cells.to_numpy().min() >= 3


def test_certificate_has_no_effect_in_the_model_across_many_seeds():
    # The generating model sets the certificate's effect to zero: over 40 seeds the
    # adjusted estimate averages near 0, while the naive gap stays large.
    adjusted, naive = [], []
    for seed in range(40):
        teams = data.make_teams(seed)
        naive.append(cxlab.compare_groups(teams, "nps", "certificate").difference)
        adjusted.append(cxlab.adjusted_effect(teams, "nps", "certificate", ["maturity", "budget_per_agent"]).effect)
    assert abs(np.mean(adjusted)) < 1.0
    assert np.mean(naive) > 8


def test_planted_effects_are_recovered_in_a_large_sample():
    # The card says: phone worse in Q2, chat better, branch unchanged. A 20x sample shows it.
    frames = [data.make_survey(seed=seed) for seed in range(100, 120)]
    big = pd.concat(frames)
    q1, q2 = big[big.quarter == "2026-Q1"], big[big.quarter == "2026-Q2"]
    change = {
        channel: cxlab.nps_test(q2[q2.channel == channel].recommend, q1[q1.channel == channel].recommend)
        for channel in ("phone", "chat", "branch")
    }
    assert change["phone"].high < 0
    assert change["chat"].low > 0
    assert change["branch"].low < 0 < change["branch"].high


def test_unknown_data_set_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown data set 'sales'"):
        data.data_card("sales")


def test_health_opinions_reproduce_the_columns_figures():
    # Szawiec, "Myths and customer experience" (a 2023 survey on health care in Poland):
    # 70% dissatisfied; 40% of those aged 65+ satisfied; 81% of those aged 25-34 negative;
    # the worst ratings from those treated only outside the public system.
    health = data.load_health_opinions()
    assert 100 * health["dissatisfied"].mean() == pytest.approx(70.0)
    by_age = 100 * health.groupby("age_group")["dissatisfied"].mean()
    assert 100 - by_age["65+"] == pytest.approx(40.0)
    assert by_age["25-34"] == pytest.approx(81.0)
    assert by_age.idxmin() == "65+" and by_age.idxmax() == "25-34"
    mean_rating = health.groupby("use")["rating"].mean()
    assert mean_rating.idxmin() == "private only"
    assert (health["dissatisfied"] == (health["rating"] <= 2)).all()
    assert (health["used_public"] == (health["use"] == "public")).all()


def test_population_margins_are_shares_over_the_surveys_levels():
    health = data.load_health_opinions()
    for column, margins in (("age_group", data.HEALTH_POPULATION_AGE), ("use", data.HEALTH_POPULATION_USE)):
        assert sum(margins.values()) == pytest.approx(1.0)
        assert set(margins) == set(health[column])


def test_brand_survey_recent_customers_rate_the_brand_above_everyone():
    brand = data.load_brand_survey()
    recent = cxlab.nps(brand.loc[brand["status"] == "recent customer", "recommend"])
    everyone = cxlab.nps(brand["recommend"])
    assert recent.low > everyone.high


def test_a_data_card_can_be_shown_by_its_sections_whole_and_in_order():
    whole = data.data_card("teams")
    short = data.data_card("teams", sections=["Variants", "Columns"])
    assert short.startswith("# Data card: `teams`") and "## Columns" in short and "## Variants" in short
    assert short.index("## Columns") < short.index("## Variants") and "## How it was made" not in short
    columns = whole[whole.index("## Columns"):whole.index("## How it was made")]
    assert columns in short, "a section is kept whole, never cut"
    with pytest.raises(ValueError, match="no section 'Colums'.*Columns"):
        data.data_card("teams", sections=["Colums"])
    with pytest.raises(TypeError, match="list of section titles"):
        data.data_card("teams", sections="Columns")


def test_no_notebook_or_chapter_cuts_a_data_card_short():
    """A card sliced by characters ends mid-word; the notebooks choose whole sections instead."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sliced = re.compile(r"data_card\([^()]*\)\s*\[")
    places = sorted(root.glob("solutions/*/*.ipynb")) + sorted(root.glob("book/*.md"))
    assert len(places) >= 14
    cut = [path.relative_to(root).as_posix() for path in places if sliced.search(path.read_text(encoding="utf-8"))]
    assert not cut, f"data cards cut by characters in {cut}"
