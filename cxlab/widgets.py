"""Interactive explorers for the book and the notebooks (ipywidgets).

Layer 5 of cxlab (presentation): imports ipywidgets, matplotlib and the library layers
below it (metrics, stats, analyses, data), never :mod:`cxlab.plots` or :mod:`cxlab.course`.

They need a live Python kernel: in the static book a reader sees the controls and
the last rendered output, and the page says where to run them live.

Layout: charts are about 6 inches wide, with two panels stacked rather than side by
side, so they stay legible at a phone's width; rows of sliders wrap, and every slider
grows to fill its row, so its track keeps a usable length on a narrow screen.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._validate import seed_sequence
from .data import load_agent_surveys, make_confounded
from .drivers import driver_table
from .journey import leasing_journey, outcome, simulate
from .stats import adjusted_effect, compare_groups, nps_from_counts
from .stats.common import formerly_positional
from .value import roi_simulation
from .voc import nps_funnel
from .opinions import headline_at_mix
from .stats import proportion
from .data import load_health_opinions
from .data.paths import SEM_MODEL, scale_scores, simulate_citizen_survey

CHART_WIDTH = 6.2  # inches: at a phone's width the chart is drawn at about 0.55 of its size


def _slider_layout(**extra) -> widgets.Layout:
    """A slider that fills its row, at least 300 pixels where there is room, and wraps below its neighbour."""
    return widgets.Layout(**{"flex": "1 1 300px", "width": "auto", "max_width": "100%", **extra})


def _row(children) -> widgets.HBox:
    """Sliders side by side on a wide screen, one under the other on a narrow one."""
    return widgets.HBox(children, layout=widgets.Layout(flex_flow="row wrap", width="100%"))


def _interval_figure(results, labels):
    fig, ax = plt.subplots(figsize=(CHART_WIDTH, 1.0 * len(labels) + 1.4), layout="constrained")
    for row, (result, label) in enumerate(zip(results, labels, strict=True)):
        ax.errorbar(result.value, row, xerr=[[result.value - result.low], [result.high - result.value]],
                    fmt="o", color="#0072B2", ecolor="black", capsize=5)
        ax.text(result.high + 2, row, f"{result.value:+.1f} ± {result.margin_of_error:.1f}", va="center")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.set_xlim(-100, 100)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel("NPS with 95% interval")
    plt.show()


def margin_of_error_explorer(n: int = 200, promoters: int = 45, detractors: int = 20):
    """Sliders for sample size and score mix; shows the NPS and its 95% interval.

    Returns the widget box; as the last line of a cell it displays itself.
    """
    n_slider = widgets.IntSlider(value=n, min=10, max=5000, step=10, description="respondents",
                                 continuous_update=False, style={"description_width": "initial"},
                                 layout=_slider_layout())
    promoter_slider = widgets.IntSlider(value=promoters, min=0, max=100, description="% promoters",
                                        continuous_update=False, style={"description_width": "initial"},
                                        layout=_slider_layout())
    detractor_slider = widgets.IntSlider(value=detractors, min=0, max=100, description="% detractors",
                                         continuous_update=False, style={"description_width": "initial"},
                                         layout=_slider_layout())

    def draw(n, promoters, detractors):
        detractors = min(detractors, 100 - promoters)
        p_count = round(n * promoters / 100)
        d_count = min(round(n * detractors / 100), n - p_count)
        result = nps_from_counts(p_count, n - p_count - d_count, d_count)
        _interval_figure([result], [f"n={n}"])

    output = widgets.interactive_output(draw, {"n": n_slider, "promoters": promoter_slider, "detractors": detractor_slider})
    box = widgets.VBox([_row([n_slider]), _row([promoter_slider, detractor_slider]), output])
    return box


def passives_explorer(promoters: int, passives: int, detractors: int):
    """Slider: what if some passives became promoters? Compares the NPS before and after.

    Returns the widget box.
    """
    before = nps_from_counts(promoters, passives, detractors)
    slider = widgets.IntSlider(value=0, min=0, max=100, step=5, description="% of passives won over",
                               continuous_update=False, style={"description_width": "initial"},
                               layout=_slider_layout(max_width="40em"))

    def draw(share):
        moved = round(passives * share / 100)
        after = nps_from_counts(promoters + moved, passives - moved, detractors)
        _interval_figure([before, after], ["today", f"{share}% of passives\nnow promoters"])

    output = widgets.interactive_output(draw, {"share": slider})
    box = widgets.VBox([slider, output])
    return box


def confounding_explorer(confounding: float = 1.5, true_effect: float = 0.0, n_teams: int = 400):
    """Sliders for confounding strength and the certificate's true effect.

    Shows the naive, stratified and adjusted estimates with their intervals against
    the true effect, on data from :func:`cxlab.data.make_confounded`. Returns the
    widget box.
    """

    style = {"description_width": "initial"}
    strength = widgets.FloatSlider(value=confounding, min=0.0, max=3.0, step=0.25, continuous_update=False,
                                   description="confounding", style=style, layout=_slider_layout())
    effect = widgets.FloatSlider(value=true_effect, min=-6.0, max=6.0, step=1.0, continuous_update=False,
                                 description="true effect (NPS points)", style=style, layout=_slider_layout())
    seed = widgets.IntSlider(value=0, min=0, max=20, continuous_update=False, description="sample", style=style,
                             layout=_slider_layout(max_width="40em"))

    def draw(strength, effect, seed):
        frame = make_confounded(strength, effect, n_teams, seed=seed)
        estimates = [
            ("naive", compare_groups(frame, "nps", "certificate")),
            ("within maturity\n(Mantel-Haenszel)", compare_groups(frame, "nps", "certificate", strata="maturity")),
            ("regression\non maturity", adjusted_effect(frame, "nps", "certificate", ["maturity"])),
        ]
        fig, ax = plt.subplots(figsize=(CHART_WIDTH, 3.2), layout="constrained")
        for row, (label, result) in enumerate(estimates):
            ax.errorbar(result.value, row, xerr=[[result.value - result.low], [result.high - result.value]],
                        fmt="o", color="#0072B2", ecolor="black", capsize=5)
            ax.text(result.high + 0.5, row, f"{result.value:+.1f}", va="center")
        ax.axvline(effect, color="#D55E00", linewidth=2, linestyle="--", label="true effect")
        ax.set_yticks(range(len(estimates)))
        ax.set_yticklabels([label for label, _ in estimates])
        ax.set_xlim(-15, 30)
        ax.set_xlabel("estimated effect of the certificate on NPS,\n95% interval")
        ax.legend(loc="lower right")
        plt.show()

    output = widgets.interactive_output(draw, {"strength": strength, "effect": effect, "seed": seed})
    return widgets.VBox([_row([strength, effect]), seed, output])


@formerly_positional("seed")
def journey_simulator(journey=None, n_customers: int = 20_000, *, seed=None):
    """Sliders for each department's speed and accuracy and for the culture; live NPS and churn.

    A department's *time* slider multiplies the time of all its steps (1 = today); its
    *errors* slider multiplies their error rates. *Silo* and *autonomy* set the
    culture; *letter clarity* sets the clarity of the first invoice. Returns the box.
    """

    journey = journey or leasing_journey()
    style = {"description_width": "initial"}
    time_sliders, error_sliders = {}, {}
    rows = []
    for department in journey.departments:
        if not any(step.department == department.name for step in journey.steps):
            continue
        time_sliders[department.name] = widgets.FloatSlider(
            value=1.0, min=0.25, max=7.0, step=0.25, continuous_update=False, style=style,
            description=f"{department.name}: time ×", layout=_slider_layout())
        error_sliders[department.name] = widgets.FloatSlider(
            value=1.0, min=0.0, max=4.0, step=0.25, continuous_update=False, style=style,
            description="errors ×", layout=_slider_layout())
        rows.append(_row([time_sliders[department.name], error_sliders[department.name]]))
    silo = widgets.FloatSlider(value=journey.silo, min=0, max=1, step=0.05, continuous_update=False,
                               description="silo (culture)", style=style, layout=_slider_layout())
    autonomy = widgets.FloatSlider(value=journey.autonomy, min=0, max=1, step=0.05, continuous_update=False,
                                   description="front-line autonomy", style=style, layout=_slider_layout())
    letter_step = next((step.name for step in journey.steps if "invoice" in step.name or "letter" in step.name),
                       journey.steps[-1].name)
    clarity = widgets.FloatSlider(value=journey.step(letter_step).clarity, min=0, max=1, step=0.05,
                                  continuous_update=False, description=f"{letter_step}: clarity", style=style,
                                  layout=_slider_layout(max_width="40em"))
    base = outcome(simulate(journey, n_customers, seed=seed))

    def draw(**values):
        changed = journey.with_changes(silo=values["silo"], autonomy=values["autonomy"])
        for step in journey.steps:
            changed = changed.with_step(
                step.name,
                mean_days=step.mean_days * values[f"time_{step.department}"],
                error_rate=min(step.error_rate * values[f"errors_{step.department}"], 1.0),
            )
        changed = changed.with_step(letter_step, clarity=values["clarity"])
        now = outcome(simulate(changed, n_customers, seed=seed))
        fig, (nps_ax, churn_ax) = plt.subplots(2, 1, figsize=(CHART_WIDTH, 4.6), layout="constrained")
        for ax, label, pair, limits in (
            (nps_ax, "NPS", ((base.nps, base.nps_low, base.nps_high), (now.nps, now.nps_low, now.nps_high)), (-100, 100)),
            (churn_ax, "churned per 10,000", ((base.churn_per_10k, base.churn_low, base.churn_high),
                                           (now.churn_per_10k, now.churn_low, now.churn_high)), (0, 10_000)),
        ):
            for row, (value, low, high) in enumerate(pair):
                ax.errorbar(value, row, xerr=[[value - low], [high - value]], fmt="o", color="#0072B2",
                            ecolor="black", capsize=4)
                ax.text(value, row + 0.25, f"{value:,.0f}", ha="center")
            ax.set_yticks([0, 1])
            ax.set_yticklabels(["today", "with your levers"])
            ax.set_ylim(-0.5, 1.7)
            ax.set_xlim(*limits)
            ax.set_xlabel(label)
        fig.suptitle(f"mean journey {now.mean_days:.1f} days (today {base.mean_days:.1f})")
        plt.show()

    controls = {f"time_{name}": slider for name, slider in time_sliders.items()}
    controls.update({f"errors_{name}": slider for name, slider in error_sliders.items()})
    controls.update(silo=silo, autonomy=autonomy, clarity=clarity)
    output = widgets.interactive_output(draw, controls)
    return widgets.VBox([*rows, _row([silo, autonomy]), clarity, output])


#: The explorer's samples: the *sample* slider runs over these seeds.
COLLINEARITY_SAMPLES = range(31)


def _collinearity_samples(rho: float, n: int) -> pd.DataFrame:
    """:func:`collinearity_explorer`'s data at one correlation: each sample's betas and relative weights.

    One row per sample of :data:`COLLINEARITY_SAMPLES` (the index), columns ``beta_advisor``,
    ``beta_ambience``, ``share_advisor`` and ``share_ambience`` (each driver's relative
    weight as a share of R², 0 to 1). The drivers are observed exactly, without measurement
    error: a driver measured with noise becomes a proxy of the other one, and the betas then
    converge instead of swinging.
    """
    rows = {}
    for sample in COLLINEARITY_SAMPLES:
        rng = np.random.default_rng(seed_sequence(sample))
        advisor = rng.normal(size=n)
        ambience = rho * advisor + np.sqrt(1 - rho**2) * rng.normal(size=n)
        frame = pd.DataFrame({"advisor": advisor, "ambience": ambience,
                              "recommend": 1.0 * advisor + 0.5 * ambience + rng.normal(0, 1.0, n)})
        table = driver_table(frame, "recommend", ["advisor", "ambience"])
        rows[sample] = {f"{column}_{driver}": float(table.loc[driver, column])
                        for column in ("beta", "share") for driver in ("advisor", "ambience")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("sample")


def collinearity_explorer(correlation: float = 0.96, n: int = 50):
    """Slider for how strongly two drivers move together; compares betas with relative weights.

    Two drivers both raise the outcome, the first (``advisor``) twice as much as the second
    (``ambience``); ``n`` customers per sample. Each panel shows the current sample's values
    as bars and, as grey dots, those of all the explorer's samples (:data:`COLLINEARITY_SAMPLES`)
    at the same correlation. At the default correlation the second driver's beta swings from
    sample to sample and turns negative in some samples. The relative weights never go below
    zero and stay near an even split, but with two drivers they rank them in the same order as
    the betas: they remove the wrong sign, not the uncertainty about which driver matters more.
    Move the *sample* slider to show another sample. Returns the widget box.
    """
    style = {"description_width": "initial"}
    rho = widgets.FloatSlider(value=correlation, min=0.0, max=0.98, step=0.02, continuous_update=False,
                              description="correlation of the drivers", style=style, layout=_slider_layout())
    sample = widgets.IntSlider(value=COLLINEARITY_SAMPLES[0], min=COLLINEARITY_SAMPLES[0],
                               max=COLLINEARITY_SAMPLES[-1], continuous_update=False, description="sample",
                               style=style, layout=_slider_layout())
    drawn = {}  # the samples at the last correlation drawn: moving the sample slider recomputes nothing

    def draw(rho, sample):
        if drawn.get("rho") != rho:
            drawn.update(rho=rho, samples=_collinearity_samples(rho, n))
        samples = drawn["samples"]
        names = ["advisor", "ambience"]
        fig, (beta_ax, weight_ax) = plt.subplots(2, 1, figsize=(CHART_WIDTH, 4.4), layout="constrained")
        for ax, column, scale, fmt, colour in ((beta_ax, "beta", 1, "{:+.2f}", "#D55E00"),
                                               (weight_ax, "share", 100, "{:.0f}%", "#0072B2")):
            for row, name in enumerate(names):
                values = samples[f"{column}_{name}"] * scale
                ax.barh(row, values[sample], color=colour, edgecolor="black", alpha=0.7)
                ax.scatter(values, np.full(len(values), row), s=12, color="#555555", zorder=3,
                           label="all samples" if row == 0 else None)
                ax.text(values[sample], row + 0.3, " " + fmt.format(values[sample]), va="center")
            ax.set_yticks(range(len(names)))
            ax.set_yticklabels(names)
            ax.set_ylim(-0.6, 1.7)
        beta_ax.axvline(0, color="black", linewidth=0.8)
        beta_ax.set_xlim(-1.0, 1.5)
        beta_ax.set_title(f"standardised beta, sample {sample} (bars) and all samples (dots)")
        weight_ax.set_xlim(0, 100)
        weight_ax.set_title("relative weight (% of R²)")
        plt.show()

    output = widgets.interactive_output(draw, {"rho": rho, "sample": sample})
    return widgets.VBox([_row([rho, sample]), output])


def gaming_explorer(responses: pd.DataFrame | None = None, unit: str = "agent", score: str = "recommend"):
    """Sliders for one extra agent's survey count and how many of its surveys are gamed.

    The other agents come from ``responses`` (by default the course's
    :func:`cxlab.data.load_agent_surveys`). The extra agent serves customers exactly
    as the target NPS says; each gamed survey replaces a detractor or passive with a
    customer who answers 10. The chart shows the funnel with that agent as a square,
    and says whether it lies outside the 95% limits and whether it is flagged after
    the Holm adjustment. Returns the widget box.
    """
    responses = load_agent_surveys() if responses is None else responses
    others = responses[[unit, score]]
    style = {"description_width": "initial"}
    surveys = widgets.IntSlider(value=100, min=20, max=400, step=10, continuous_update=False,
                                description="the agent's surveys", style=style, layout=_slider_layout())
    gamed = widgets.IntSlider(value=10, min=0, max=60, step=1, continuous_update=False,
                              description="gamed surveys", style=style, layout=_slider_layout())

    def draw(surveys, gamed):
        points = np.select([others[score] >= 9, others[score] <= 6], [1, -1], 0)
        promoters, detractors = float(np.mean(points == 1)), float(np.mean(points == -1))
        n_promoters = round(promoters * surveys)
        n_detractors = round(detractors * surveys)
        scores = np.r_[np.full(n_promoters, 10), np.full(n_detractors, 3),
                       np.full(surveys - n_promoters - n_detractors, 7)]
        changed = min(gamed, surveys - n_promoters)
        scores[np.flatnonzero(scores < 9)[:changed]] = 10  # detractors first, then passives
        extra = pd.DataFrame({unit: "you", score: scores})
        funnel = nps_funnel(pd.concat([others, extra], ignore_index=True), unit, score)
        table = funnel.table
        fig, ax = plt.subplots(figsize=(CHART_WIDTH, 4.0), layout="constrained")
        n = np.linspace(20, 420, 200)
        low, high = funnel.limits(n, 0.95)
        ax.plot(n, low, "-", color="#999999")
        ax.plot(n, high, "-", color="#999999", label="95% limits")
        low, high = funnel.adjusted_limits(n)
        ax.plot(n, low, ":", color="black")
        ax.plot(n, high, ":", color="black", label=f"flag limits ({funnel.adjustment_label})")
        ax.axhline(funnel.target, color="#0072B2", linewidth=1)
        rest = table.drop(index="you")
        ax.scatter(rest["n"], rest["value"], s=18, color="#0072B2", alpha=0.6, label="other agents")
        mine = table.loc["you"]
        verdict = "flagged" if mine["flagged"] else "outside 95% only" if mine["outside_95"] else "inside the limits"
        ax.scatter([mine["n"]], [mine["value"]], s=70, marker="s", color="#D55E00",
                   label=f"this agent: NPS {mine['value']:+.0f}, {verdict}")
        ax.set_xlabel("responses")
        ax.set_ylabel("NPS")
        ax.legend(fontsize="small", loc="lower right")
        plt.show()

    output = widgets.interactive_output(draw, {"surveys": surveys, "gamed": gamed})
    return widgets.VBox([_row([surveys, gamed]), output])


def roi_explorer(customers: int = 10_000, retention: float = 0.80, discount_rate: float = 0.10,
                 running_cost: float = 20_000, n_draws: int = 5_000):
    """Sliders for an initiative's inputs and how uncertain its retention uplift is; shows the ROI distribution.

    The uplift is drawn from a triangle around the expected value (never below 0), the
    margin within ±25% and the upfront cost between 80% and 140% of its expected value,
    retention and discount rate as given. The chart shows the ROI of every draw, the
    single-number ROI at the expected values and the probability of losing money
    (:func:`cxlab.value.roi_simulation`, a fixed seed). Returns the widget box.
    """
    style = {"description_width": "initial"}
    uplift = widgets.FloatSlider(value=3.0, min=0.0, max=6.0, step=0.5, continuous_update=False,
                                 description="expected uplift (points)", style=style, layout=_slider_layout())
    spread = widgets.FloatSlider(value=3.0, min=0.0, max=4.0, step=0.5, continuous_update=False,
                                 description="uncertainty of the uplift (± points)", style=style,
                                 layout=_slider_layout())
    margin = widgets.IntSlider(value=150, min=50, max=300, step=10, continuous_update=False,
                               description="margin per customer a year", style=style, layout=_slider_layout())
    cost = widgets.IntSlider(value=250, min=50, max=600, step=25, continuous_update=False,
                             description="upfront cost (thousand)", style=style, layout=_slider_layout())
    horizon = widgets.IntSlider(value=10, min=1, max=15, step=1, continuous_update=False,
                                description="horizon (years)", style=style, layout=_slider_layout())

    def draw(uplift, spread, margin, cost, horizon):
        expected = uplift / 100
        low, high = max(expected - spread / 100, 0.0), min(expected + spread / 100, 1 - retention)
        uplift_range = expected if high <= low else (low, min(max(expected, low), high), high)
        simulation = roi_simulation(customers, margin=(0.75 * margin, 1.25 * margin), retention=retention,
                                    uplift=uplift_range, discount_rate=discount_rate,
                                    cost=(800 * cost, 1000 * cost, 1400 * cost), running_cost=running_cost,
                                    horizon=horizon, n_draws=n_draws, seed=1)
        roi = 100 * simulation.draws["roi"].to_numpy()
        fig, ax = plt.subplots(figsize=(CHART_WIDTH, 3.8), layout="constrained")
        edges = np.union1d(np.histogram_bin_edges(roi, bins=50), [0.0])
        counts, edges = np.histogram(roi, bins=edges)
        losing = edges[:-1] < 0
        ax.bar(edges[:-1][losing], counts[losing] / roi.size, width=np.diff(edges)[losing], align="edge",
               color="#D55E00", hatch="//", edgecolor="black", linewidth=0.3,
               label=f"loses money: {100 * simulation.prob_negative:.0f}% of draws")
        ax.bar(edges[:-1][~losing], counts[~losing] / roi.size, width=np.diff(edges)[~losing], align="edge",
               color="#0072B2", edgecolor="black", linewidth=0.3, label="pays back")
        ax.axvline(0, color="black", linewidth=1)
        ax.axvline(100 * simulation.point, color="black", linestyle="--",
                   label=f"single-number ROI {100 * simulation.point:+.0f}%")
        ax.set_xlabel(f"ROI over {horizon} years (%); median {100 * simulation.value:+.0f}%")
        ax.set_ylabel("share of draws")
        ax.legend(fontsize="small", loc="upper right")
        plt.show()

    output = widgets.interactive_output(draw, {"uplift": uplift, "spread": spread, "margin": margin, "cost": cost,
                                               "horizon": horizon})
    return widgets.VBox([_row([uplift, spread]), _row([margin, cost]), _row([horizon]), output])


def headline_mix_explorer(frame: pd.DataFrame | None = None, column: str = "dissatisfied",
                          among: str = "used_public"):
    """A slider for the share of answers from people without recent experience; the headline follows.

    The two groups' own values come from ``frame`` (by default the course's simulated
    health-care survey, :func:`cxlab.data.load_health_opinions`): the share of
    ``column`` among the rows where ``among`` is True (users) and where it is False
    (the others). Moving the slider changes only who is in the sample: the users'
    experience stays where it is while the headline moves. Returns the widget box.
    """
    frame = load_health_opinions() if frame is None else frame
    users = frame[among].to_numpy(dtype=bool)
    value_users = proportion(frame.loc[users, column]).value
    value_others = proportion(frame.loc[~users, column]).value
    observed = round(100 * float((~users).mean()))
    style = {"description_width": "initial"}
    share = widgets.IntSlider(value=observed, min=0, max=100, step=5, continuous_update=False,
                              description="% of answers from non-users", style=style, layout=_slider_layout())

    def draw(share):
        fig, ax = plt.subplots(figsize=(CHART_WIDTH, 3.8), layout="constrained")
        grid = np.linspace(0, 1, 101)
        ax.plot(100 * grid, headline_at_mix(value_users, value_others, grid), color="#D55E00",
                label="headline (everyone who answered)")
        ax.axhline(value_users, color="#0072B2", linestyle="--", label="users' own experience")
        headline = float(headline_at_mix(value_users, value_others, share / 100))
        ax.scatter([share], [headline], s=70, color="#D55E00", zorder=3)
        ax.annotate(f"headline {headline:.0f}%", (share, headline), textcoords="offset points", xytext=(8, -16))
        ax.axvline(observed, color="#999999", linewidth=1, linestyle=":", label=f"this sample: {observed}%")
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.set_xlabel("% of answers from people without recent use")
        ax.set_ylabel(f"% {column}")
        ax.legend(fontsize="small", loc="lower right")
        plt.show()

    output = widgets.interactive_output(draw, {"share": share})
    return widgets.VBox([_row([share]), output])


def _standardised(frame: pd.DataFrame) -> pd.DataFrame:
    return (frame - frame.mean()) / frame.std(ddof=1)


def mediation_explorer(b: float = 0.50, trust_single: float = 0.60, n: int = 1200):
    """Sliders for the mediator's strength and the single trust item's quality; naive and path estimates.

    On a citizen survey simulated from the path-model chapter's model
    (:func:`cxlab.data.paths.simulate_citizen_survey`, experience -> trust 0.60, direct
    path 0.15), the chart compares, in standard-deviation units: the naive regression of
    compliance on experience (the total effect), the indirect and direct effects of a
    mediation with the single trust item and with the three-item scale
    (:func:`cxlab.paths.mediation`), and the standardised paths of the structural equation
    model (:func:`cxlab.paths.fit_sem`), each against its true value. Returns the widget box.
    """
    from .paths import fit_sem, mediation

    style = {"description_width": "initial"}
    strength = widgets.FloatSlider(value=b, min=0.0, max=0.8, step=0.1, continuous_update=False,
                                   description="trust -> compliance (true path)", style=style, layout=_slider_layout())
    loading = widgets.FloatSlider(value=trust_single, min=0.3, max=1.0, step=0.1, continuous_update=False,
                                  description="single trust item's loading", style=style, layout=_slider_layout())
    sample = widgets.IntSlider(value=0, min=0, max=20, continuous_update=False, description="sample", style=style,
                               layout=_slider_layout(max_width="40em"))

    def draw(strength, loading, sample):
        a, direct = 0.60, 0.15
        survey = simulate_citizen_survey(n, b=strength, trust_single=loading, seed=sample)
        scores = _standardised(scale_scores(survey))
        single = mediation(scores, x="experience", m="trust_single", y="compliance", n_resamples=200, seed=sample)
        scale = mediation(scores, x="experience", m="trust", y="compliance", n_resamples=200, seed=sample)
        sem = fit_sem(survey, SEM_MODEL).paths().set_index(["lhs", "rhs"])["std_all"]
        sem_a, sem_b, sem_c = (sem[("trust", "experience")], sem[("compliance", "trust")],
                               sem[("compliance", "experience")])
        rows = [("naive regression:\ntotal", scale.total, a * strength + direct),
                ("single item:\nindirect", single.value, a * strength), ("single item:\ndirect", single.direct, direct),
                ("3-item scale:\nindirect", scale.value, a * strength), ("3-item scale:\ndirect", scale.direct, direct),
                ("SEM: indirect", sem_a * sem_b, a * strength), ("SEM: direct", sem_c, direct)]
        fig, ax = plt.subplots(figsize=(CHART_WIDTH, 5.0), layout="constrained")
        for row, (label, estimate, truth) in enumerate(rows):
            colour = "#D55E00" if label.startswith("single") else "#0072B2"
            ax.barh(row, estimate, color=colour, edgecolor="black", hatch="//" if label.startswith("single") else None)
            ax.plot([truth, truth], [row - 0.4, row + 0.4], color="black", linewidth=2.5,
                    label="true value" if row == 0 else None)
            ax.text(max(estimate, truth) + 0.01, row, f"{estimate:.2f}", va="center")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([label for label, _, _ in rows])
        ax.invert_yaxis()
        ax.set_xlim(-0.1, 0.9)
        ax.axvline(0, color="#999999", linewidth=0.8)
        ax.set_xlabel("effect of experience on compliance (standard deviations)")
        ax.legend(loc="lower right")
        plt.show()

    output = widgets.interactive_output(draw, {"strength": strength, "loading": loading, "sample": sample})
    return widgets.VBox([_row([strength, loading]), sample, output])
