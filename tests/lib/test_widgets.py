"""Explorers build their controls and redraw on every change, with the real libraries."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from cxlab import widgets  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


def test_explorers_build_their_controls_and_redraw_on_change():
    box = widgets.margin_of_error_explorer(n=100)
    sliders = [child for row in box.children[:2] for child in row.children]
    assert [slider.description for slider in sliders] == ["respondents", "% promoters", "% detractors"]
    sliders[0].value = 4000  # the redraw runs the callback; an error in it would raise here
    passives = widgets.passives_explorer(promoters=40, passives=30, detractors=30)
    passives.children[0].value = 50


def test_confounding_explorer_redraws_and_make_confounded_checks_input():
    from cxlab.data import make_confounded

    box = widgets.confounding_explorer()
    strength, effect = box.children[0].children
    strength.value = 3.0
    effect.value = -4.0
    box.children[1].value = 5
    with pytest.raises(ValueError, match="n_teams"):
        make_confounded(n_teams=3)
    with pytest.raises(TypeError, match="confounding"):
        make_confounded(confounding="strong")


def test_journey_simulator_redraws_on_every_control():
    box = widgets.journey_simulator(n_customers=2000)
    first_department = box.children[0].children
    first_department[0].value = 4.0   # time x4
    first_department[1].value = 2.0   # errors x2
    silo, autonomy = box.children[-3].children
    silo.value, autonomy.value = 1.0, 0.9
    box.children[-2].value = 0.2      # an unclear first invoice


def test_headline_mix_explorer_moves_the_headline_and_keeps_the_users_value():
    box = widgets.headline_mix_explorer()
    slider = box.children[0].children[0]
    assert slider.description == "% of answers from non-users"
    assert slider.value == 42  # 503 of the 1,200 simulated respondents did not use the public system
    slider.value = 80
    slider.value = 0
