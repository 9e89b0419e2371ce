"""Figures draw what they claim, from real data, with the real libraries."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cxlab  # noqa: E402
from cxlab import plots, widgets  # noqa: E402
from cxlab.data import load_survey  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


def test_score_distribution_has_eleven_bars_coloured_by_category():
    scores = [0, 6, 7, 8, 9, 10, 10]
    ax = plots.score_distribution(scores)
    bars = ax.patches
    assert len(bars) == 11
    assert sum(bar.get_height() for bar in bars) == pytest.approx(100)
    colours = {matplotlib.colors.to_hex(bar.get_facecolor()).upper() for bar in bars}
    assert colours == {plots.DETRACTOR_COLOUR, plots.PASSIVE_COLOUR, plots.PROMOTER_COLOUR}
    assert f"NPS {cxlab.nps(scores).value:+.0f}" in ax.get_title()


def test_segment_intervals_draws_one_row_per_segment():
    table = cxlab.segment_table(load_survey(), "recommend", by="channel")
    ax = plots.segment_intervals(table)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert len(labels) == len(table) == 4
    assert all("n=" in label for label in labels)
    with pytest.raises(ValueError, match="'low'"):
        plots.segment_intervals(table.drop(columns="low"))


def test_margin_curve_falls_with_sample_size():
    ax = plots.margin_of_error_curve(shares=((0.4, 0.2),), n_max=1000)
    (line,) = ax.get_lines()
    margins = line.get_ydata()
    assert margins[0] > margins[-1] > 0
    # Wald's margin at n = 20 for 40% promoters and 20% detractors: 1.96 x 100 x sqrt(0.6 - 0.04) / sqrt(20)
    assert margins[0] == pytest.approx(1.959963984540054 * 100 * np.sqrt(0.56) / np.sqrt(20))
    assert line.get_label() == "40% promoters, 20% detractors (NPS +20)"
    with pytest.raises(ValueError, match="ci must be"):
        plots.margin_of_error_curve(ci=95)
    with pytest.raises(ValueError, match=r"shares must be a share from 0 to 1 \(0.45 for 45%\), got 40"):
        plots.margin_of_error_curve(shares=((40, 20),))  # per cent where shares are expected


def test_stratified_differences_draws_strata_pooled_and_naive():
    from cxlab.data import load_teams

    teams = load_teams()
    stratified = cxlab.compare_groups(teams, "nps", "certificate", strata="maturity")
    naive = cxlab.compare_groups(teams, "nps", "certificate")
    ax = plots.stratified_differences(stratified, naive=naive)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[:4] == [f"maturity = {level}" for level in (1, 2, 3, 4)]
    assert "Mantel-Haenszel" in labels[4] and labels[5] == "ignoring the strata"
    assert "certified minus none" in ax.get_xlabel()
    with pytest.raises(ValueError, match="strata="):
        plots.stratified_differences(naive)


def test_did_lines_end_the_gap_at_the_estimate():
    from cxlab.data import load_team_panel

    result = cxlab.diff_in_diff(load_team_panel(), "nps", "arm", "period", treated="process fix",
                                control="none", unit="team")
    ax = plots.did_lines(result)
    control, treated, counterfactual = (line.get_ydata() for line in ax.get_lines()[:3])
    assert treated[1] - counterfactual[1] == pytest.approx(result.value)
    assert counterfactual[1] - counterfactual[0] == pytest.approx(control[1] - control[0])
    assert any(f"{result.value:+.1f}" == text.get_text() for text in ax.texts)


def test_confounding_curve_separates_naive_from_adjusted():
    ax = plots.confounding_curve(strengths=[0.0, 3.0], true_effect=0.0, seed=0)
    naive, pooled, adjusted = (line.get_ydata() for line in ax.get_lines()[:3])
    assert naive[1] - naive[0] > 5, "strong confounding should inflate the naive estimate"
    assert abs(pooled[1]) < 3 and abs(adjusted[1]) < 3


def test_journey_diagram_puts_each_step_in_its_department_lane():
    from cxlab.journey import leasing_journey

    journey = leasing_journey()
    ax = plots.journey_diagram(journey)
    lanes = [label.get_text().split("\n")[0] for label in ax.get_yticklabels()]
    assert sorted(lanes) == sorted(department.name for department in journey.departments)
    boxes = [text.get_text().replace("\n", " ") for text in ax.texts if text.get_text()]
    assert sorted(boxes) == sorted(step.name for step in journey.steps)
    arrows = [text for text in ax.texts if not text.get_text() and getattr(text, "arrow_patch", None)]
    assert len(arrows) == sum(len(journey.predecessors(step)) for step in journey.steps)
    dashed = [arrow for arrow in arrows if arrow.arrow_patch.get_linestyle() != "-"]
    handoffs = sum(journey.step(name).department != step.department
                   for step in journey.steps for name in journey.predecessors(step))
    assert len(dashed) == handoffs


def test_tornado_sorts_levers_and_checks_its_input():
    from cxlab.journey import leasing_journey, sensitivity

    table = sensitivity(leasing_journey(), n_customers=4000, seed=1)
    ax = plots.tornado(table, top=5)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[::-1] == table["lever"].head(5).tolist()  # widest swing on top
    with pytest.raises(ValueError, match="'swing'"):
        plots.tornado(table.drop(columns="swing"))


def test_importance_performance_chart_labels_every_driver_and_quadrant():
    from cxlab.data import load_loyalty_survey
    from cxlab.drivers import importance_performance

    grid = importance_performance(load_loyalty_survey(), "recommend", ["advisor", "complaints", "app", "fees"])
    ax = plots.importance_performance_chart(grid)
    texts = {text.get_text().strip() for text in ax.texts}
    assert set(grid.index) <= texts
    assert {"fix first", "keep it up", "lower priority", "possible overkill"} <= texts
    # importance is a share of R² (0 to 1); the chart shows it in per cent
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 0], 100 * grid["importance"])
    with pytest.raises(ValueError, match="'performance'"):
        plots.importance_performance_chart(grid.drop(columns="performance"))


def test_lag_profile_draws_one_series_per_table_and_the_collinearity_explorer_redraws():
    import pandas as pd

    from cxlab.linkage import lagged_correlation

    panel = pd.DataFrame({"unit": [1] * 5 + [2] * 5, "t": list(range(5)) * 2,
                          "x": [1, 3, 2, 5, 4, 2, 2, 4, 3, 6], "y": [0, 1, 3, 2, 5, 1, 3, 2, 4, 3]})
    tables = {"pooled": lagged_correlation(panel, "x", "y", "unit", "t", lags=[-1, 0, 1]),
              "within": lagged_correlation(panel, "x", "y", "unit", "t", lags=[-1, 0, 1], within=True)}
    ax = plots.lag_profile(tables)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["pooled", "within"]
    box = widgets.collinearity_explorer()
    box.children[0].children[0].value = 0.5
    box.children[0].children[1].value = 7


def test_path_diagram_draws_observed_as_boxes_latent_as_ellipses_with_legible_estimates():
    pytest.importorskip("semopy")
    import pandas as pd
    from matplotlib.patches import Ellipse, FancyBboxPatch

    from cxlab import paths

    rng = np.random.default_rng(0)
    cause = rng.normal(size=300)
    latent = 0.7 * cause + rng.normal(scale=0.7, size=300)
    frame = pd.DataFrame({f"t{i}": latent + rng.normal(scale=0.5, size=300) for i in (1, 2, 3)}).assign(cause=cause)
    result = paths.fit_sem(frame, "trust =~ t1 + t2 + t3\ntrust ~ cause")
    with matplotlib.rc_context():
        plots.use_course_style()
        figure = plots.path_diagram(result)
    (ax,) = figure.axes
    assert len([patch for patch in ax.patches if isinstance(patch, Ellipse)]) == 1
    assert len([patch for patch in ax.patches if isinstance(patch, FancyBboxPatch)]) == 4
    texts = [text for text in ax.texts if text.get_text()]
    names = {text.get_text() for text in texts}
    assert {"trust", "t1", "t2", "t3", "cause"} <= names
    standardised = result.estimates.set_index(["lhs", "rhs"]).loc[("trust", "cause"), "std_all"]
    assert f"{standardised:.2f}" in names
    smallest = min(size for key, size in plots.COURSE_STYLE.items() if key.endswith("size") and not isinstance(size, tuple))
    assert min(text.get_fontsize() for text in texts) >= smallest
    assert figure.get_figwidth() <= plots.FIGURE_WIDTH
    raw = plots.path_diagram(result, standardized=False, title="raw")
    estimate = result.estimates.set_index(["lhs", "rhs"]).loc[("trust", "cause"), "estimate"]
    assert f"{estimate:.2f}" in {text.get_text() for text in raw.axes[0].texts}
    with pytest.raises(TypeError, match="result must be a SemResult"):
        plots.path_diagram(frame)


def _explorer_setting_on_the_page() -> dict:
    """The arguments book/ex-cx.md gives collinearity_explorer, over its defaults."""
    import ast
    import inspect
    import re
    from pathlib import Path

    page = (Path(__file__).parents[2] / "book" / "ex-cx.md").read_text(encoding="utf-8")
    calls = re.findall(r"^widgets\.collinearity_explorer\((.*)\)$", page, flags=re.MULTILINE)
    assert len(calls) == 1, "the chapter shows the collinearity explorer once"
    arguments = {name: parameter.default
                 for name, parameter in inspect.signature(widgets.collinearity_explorer).parameters.items()}
    call = ast.parse(f"f({calls[0]})", mode="eval").body
    arguments.update({keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords})
    # the numbers glued under the explorer come from the same setting
    glued = re.findall(r"widgets\._collinearity_samples\((.*)\)", page)
    assert glued, "the chapter glues its numbers from widgets._collinearity_samples"
    for call in glued:
        assert ast.literal_eval(f"({call},)") == (arguments["correlation"], arguments["n"])
    return arguments


def test_the_collinearity_explorer_shows_what_its_chapter_says_over_all_its_samples():
    """book/ex-cx.md, under the explorer: at the page's setting, over every sample of the slider,
    the second driver's beta swings and is negative in some samples (not all); the relative
    weights are never negative, stay near an even split, and rank the two drivers in the same
    order as the betas, so they do not always put the second driver second."""
    setting = _explorer_setting_on_the_page()
    samples = widgets._collinearity_samples(setting["correlation"], setting["n"])
    assert list(samples.index) == list(widgets.COLLINEARITY_SAMPLES)
    negative = int((samples["beta_ambience"] < 0).sum())
    assert 1 <= negative < len(samples) / 2, negative
    assert samples["beta_ambience"].max() - samples["beta_ambience"].min() > 0.8
    assert (samples[["share_advisor", "share_ambience"]] >= 0).all().all()
    np.testing.assert_allclose(samples["share_advisor"] + samples["share_ambience"], 1.0)
    assert samples["share_ambience"].between(0.4, 0.6).all()
    second_by_weight = samples["share_ambience"] < samples["share_advisor"]
    second_by_beta = samples["beta_ambience"] < samples["beta_advisor"]
    assert (second_by_weight == second_by_beta).all()
    assert len(samples) / 2 < second_by_weight.sum() < len(samples)


def test_the_explorer_draws_every_sample_and_marks_the_chosen_one():
    samples = widgets._collinearity_samples(0.5, 40)
    assert samples.shape == (len(widgets.COLLINEARITY_SAMPLES), 4)
    # measured without error, the drivers' betas are the sample's own regression, not a proxy's
    assert samples["beta_advisor"].mean() > samples["beta_ambience"].mean() > 0
