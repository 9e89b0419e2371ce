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


def test_journey_simulator_redraws_on_every_control(monkeypatch):
    """Each control draws a new figure, and a different one: its title and the levers' estimates move."""
    import matplotlib.pyplot as plt

    drawn = []

    def record():
        figure = plt.gcf()
        drawn.append((figure.get_suptitle(), tuple(text.get_text() for axes in figure.axes for text in axes.texts)))
        plt.close(figure)

    monkeypatch.setattr(plt, "show", record)
    box = widgets.journey_simulator(n_customers=2000, seed=7)
    assert len(drawn) == 1 and drawn[0][1][0] == drawn[0][1][1]  # at first, "with your levers" is today
    first_department = box.children[0].children
    silo, autonomy = box.children[-3].children
    changes = [(first_department[0], 4.0),  # time x4
               (first_department[1], 2.0),  # errors x2
               (silo, 1.0), (autonomy, 0.9),
               (box.children[-2], 0.2)]     # an unclear first invoice
    for control, value in changes:
        before = len(drawn)
        control.value = value
        assert len(drawn) == before + 1, control.description
        assert drawn[-1] != drawn[-2], f"{control.description} = {value} drew the same figure"
    assert drawn[-1][0] != drawn[0][0]  # the mean journey in the title moved from today's


def test_headline_mix_explorer_moves_the_headline_and_keeps_the_users_value():
    box = widgets.headline_mix_explorer()
    slider = box.children[0].children[0]
    assert slider.description == "% of answers from non-users"
    assert slider.value == 42  # 503 of the 1,200 simulated respondents did not use the public system
    slider.value = 80
    slider.value = 0
