"""Figures for the course (matplotlib).

Layer 5 of cxlab (presentation): imports matplotlib and every library layer below it
(metrics, stats, analyses, data), never :mod:`cxlab.widgets` or :mod:`cxlab.course`;
nothing in the library imports this module, so ``import cxlab`` does not load matplotlib.

Colours come from the Okabe-Ito palette, which stays distinguishable for readers
with colour-vision deficiencies; categories are also labelled, never colour-coded only.

Figures are at most about 6.5 inches wide and take their text sizes from matplotlib's
settings; :func:`use_course_style` sets those a little larger than matplotlib's
defaults, so that a figure shrunk to a phone's width (about 340 CSS pixels) keeps
its smallest text near 8 pixels and its lane labels above 9.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath
import numpy as np
import pandas as pd

from .metrics import DETRACTOR_UP_TO, PROMOTER_FROM, scale_counts
from ._validate import check_ci, check_shares
from .data import make_confounded
from .stats import adjusted_effect, compare_groups, nps_from_counts
from .stats.common import formerly_positional, normal_quantile

DETRACTOR_COLOUR = "#D55E00"
PASSIVE_COLOUR = "#999999"
PROMOTER_COLOUR = "#0072B2"

# Widths are in inches at 100 dpi. A phone shows a figure about 340 CSS pixels wide,
# so a 6.2-inch figure is drawn at 0.55 of its size there: 11-point text lands at
# 8.4 pixels, 12-point text at 9.2.
FIGURE_WIDTH = 6.2
COURSE_STYLE = {
    "figure.dpi": 100,
    "figure.figsize": (FIGURE_WIDTH, 3.8),
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 11,
    "figure.titlesize": 13,
}


def use_course_style() -> None:
    """Set matplotlib's text sizes and figure size for the course's figures.

    The figures stay legible when a page shrinks them to a phone's width. It changes
    only sizes (``COURSE_STYLE``), for every figure drawn afterwards in this session.
    """
    plt.rcParams.update(COURSE_STYLE)


def _category_colours() -> list[str]:
    return [
        DETRACTOR_COLOUR if score <= DETRACTOR_UP_TO else PROMOTER_COLOUR if score >= PROMOTER_FROM else PASSIVE_COLOUR
        for score in range(11)
    ]


def score_distribution(scores, ax=None, title: str | None = None, *, nan_policy: str = "raise"):
    """Bar chart of 0-10 scores, coloured and labelled by NPS category, with the NPS in the title.

    Returns the matplotlib Axes.
    """
    counts = scale_counts(scores, low=0, high=10, nan_policy=nan_policy)
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.4), layout="constrained")[1]
    shares = 100 * counts / counts.sum()
    ax.bar(np.arange(11), shares, color=_category_colours(), edgecolor="black", linewidth=0.4)
    ax.set_xticks(range(11))
    # The categories are named in words as well as colours.
    ax.set_xlabel("likelihood to recommend\n0-6 detractors, 7-8 passives, 9-10 promoters")
    ax.set_ylabel("% of respondents")
    top = shares.max() * 1.25 if shares.max() > 0 else 1
    ax.set_ylim(0, max(ax.get_ylim()[1], top))
    handles = [
        Patch(facecolor=colour, edgecolor="black", linewidth=0.4, label=label)
        for colour, label in ((DETRACTOR_COLOUR, "detractors"), (PASSIVE_COLOUR, "passives"), (PROMOTER_COLOUR, "promoters"))
    ]
    ax.legend(handles=handles, loc="upper left", frameon=False)
    result = nps_from_counts(
        int(counts[PROMOTER_FROM:].sum()),
        int(counts[DETRACTOR_UP_TO + 1 : PROMOTER_FROM].sum()),
        int(counts[: DETRACTOR_UP_TO + 1].sum()),
    )
    heading = f"NPS {result.value:+.0f} (n={result.n})"
    ax.set_title(f"{title}: {heading}" if title else heading)
    return ax


def segment_intervals(table: pd.DataFrame, ax=None, title: str | None = None, xlabel: str = "NPS"):
    """Dot-and-whisker chart of a :func:`cxlab.segment_table`: one row per segment.

    Returns the matplotlib Axes.
    """
    for column in ("value", "low", "high", "n"):
        if column not in table.columns:
            raise ValueError(f"table needs a {column!r} column, as cxlab.segment_table returns; it has {list(table.columns)}")
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 0.6 * len(table) + 1.3), layout="constrained")[1]
    positions = np.arange(len(table))[::-1]
    ax.errorbar(
        table["value"],
        positions,
        xerr=[table["value"] - table["low"], table["high"] - table["value"]],
        fmt="o",
        color=PROMOTER_COLOUR,
        ecolor="black",
        capsize=4,
    )
    ax.set_yticks(positions)
    ax.set_yticklabels([f"{label} (n={n})" for label, n in zip(table.index, table["n"], strict=True)])
    ax.axvline(0, color=PASSIVE_COLOUR, linewidth=0.8)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return ax


@formerly_positional("ci", "ax")
def margin_of_error_curve(shares=((0.4, 0.4), (0.5, 0.2), (0.3, 0.1)), n_max: int = 2000, *, ci: float = 0.95,
                          ax=None):
    """Margin of error of the NPS (Wald) against sample size, for a few score mixes.

    ``shares`` holds (promoters, detractors) pairs of shares from 0 to 1, as
    everywhere in cxlab: (0.4, 0.4) for 40% promoters and 40% detractors. Returns the
    matplotlib Axes.
    """
    ci = check_ci(ci)
    shares = check_shares(shares, "shares")
    if shares.ndim != 2 or shares.shape[1] != 2 or (shares.sum(axis=1) > 1 + 1e-12).any():
        raise ValueError(f"shares must be (promoters, detractors) pairs that add up to at most 1, got {shares.tolist()}")
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 4.2), layout="constrained")[1]
    sizes = np.unique(np.geomspace(20, n_max, 60).astype(int))
    styles = ("-", "--", ":")
    for index, (p, d) in enumerate(shares):
        spread = np.sqrt((p + d) - (p - d) ** 2)
        margin = 100 * normal_quantile(ci) * spread / np.sqrt(sizes)
        ax.plot(sizes, margin, styles[index % 3], color="black",
                label=f"{p:.0%} promoters, {d:.0%} detractors (NPS {100 * (p - d):+.0f})")
    ax.set_xscale("log")
    ax.set_xlabel("respondents (log scale)")
    ax.set_ylabel(f"± NPS points ({ci:.0%} margin)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax


def stratified_differences(result, naive=None, ax=None, xlabel: str | None = None):
    """Forest plot of a stratified :func:`cxlab.compare_groups` result.

    One row per stratum (difference and interval), then the Mantel-Haenszel pooled
    estimate (a diamond) and, if given, the naive comparison without strata (a
    square). Returns the matplotlib Axes.
    """
    if getattr(result, "table", None) is None:
        raise ValueError("result must come from compare_groups(..., strata=...), which has a per-stratum table")
    table = result.table
    rows = [(f"{result.strata} = {label}", row["value"], row["low"], row["high"], "o", PASSIVE_COLOUR)
            for label, row in table.iterrows()]
    rows.append(("pooled within strata\n(Mantel-Haenszel)", result.value, result.low, result.high, "D", PROMOTER_COLOUR))
    if naive is not None:
        rows.append(("ignoring the strata", naive.value, naive.low, naive.high, "s", DETRACTOR_COLOUR))
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 0.6 * len(rows) + 1.5), layout="constrained")[1]
    positions = np.arange(len(rows))[::-1]
    for position, (label, value, low, high, marker, colour) in zip(positions, rows, strict=True):
        ax.errorbar(value, position, xerr=[[value - low], [high - value]], fmt=marker, color=colour,
                    ecolor="black", capsize=4, markersize=7)
    ax.set_yticks(positions)
    ax.set_yticklabels([row[0] for row in rows])
    ax.axvline(0, color="black", linewidth=0.8, linestyle=":")
    a, b = result.levels
    ax.set_xlabel(xlabel or f"difference in {result.outcome}: {a} minus {b}\n({result.ci:.0%} interval)")
    return ax


def did_lines(result, ax=None, ylabel: str | None = None):
    """The two arms of a :func:`cxlab.diff_in_diff` before and after, with the counterfactual.

    The dashed line is where the treated arm would have ended had it moved like the
    control arm; the gap at the end is the estimate. Returns the matplotlib Axes.
    """
    means = result.means
    before, after = result.before, result.after
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.8), layout="constrained")[1]
    x = [0, 1]
    treated = [means.loc[result.treated, before], means.loc[result.treated, after]]
    control = [means.loc[result.control, before], means.loc[result.control, after]]
    counterfactual = [treated[0], treated[0] + result.control_change]
    ax.plot(x, control, "s-", color=PASSIVE_COLOUR, label=f"{result.control} (control)")
    ax.plot(x, treated, "o-", color=PROMOTER_COLOUR, label=f"{result.treated}")
    ax.plot(x, counterfactual, "o--", color=PROMOTER_COLOUR, alpha=0.6, markerfacecolor="white",
            label=f"{result.treated} had it moved like the control")
    ax.annotate("", xy=(1.04, treated[1]), xytext=(1.04, counterfactual[1]),
                arrowprops={"arrowstyle": "<->", "color": "black"})
    ax.text(1.07, (treated[1] + counterfactual[1]) / 2, f"{result.value:+.1f}", va="center")
    ax.set_xticks(x)
    ax.set_xticklabels([str(before), str(after)])
    ax.set_xlim(-0.2, 1.35)
    ax.set_ylabel(ylabel or f"mean {result.outcome}")
    # Under the chart, where the long labels cover no line.
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), frameon=False)
    return ax


@formerly_positional("seed", "ax")
def confounding_curve(strengths=None, true_effect: float = 0.0, n_teams: int = 400, *, seed=None, ax=None):
    """Naive, stratified and adjusted estimates of a certificate's effect as confounding grows.

    Uses :func:`cxlab.data.make_confounded`; the horizontal line is the true effect.
    ``seed`` makes the curve reproducible (None draws new teams each time). With few
    teams and strong confounding a maturity level can lack certified or uncertified
    teams; the stratified estimate then raises a ValueError naming it: use more
    ``n_teams``. Returns the matplotlib Axes.
    """

    strengths = np.linspace(0, 3, 13) if strengths is None else np.asarray(strengths, dtype=float)
    naive, pooled, adjusted = [], [], []
    for strength in strengths:
        frame = make_confounded(float(strength), true_effect, n_teams, seed=seed)
        naive.append(compare_groups(frame, "nps", "certificate").value)
        pooled.append(compare_groups(frame, "nps", "certificate", strata="maturity").value)
        adjusted.append(adjusted_effect(frame, "nps", "certificate", ["maturity"]).value)
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 4.2), layout="constrained")[1]
    ax.plot(strengths, naive, "s-", color=DETRACTOR_COLOUR, label="naive: certified minus none")
    ax.plot(strengths, pooled, "D-", color=PROMOTER_COLOUR, label="within maturity levels (Mantel-Haenszel)")
    ax.plot(strengths, adjusted, "o:", color="black", label="regression on maturity")
    ax.axhline(true_effect, color=PASSIVE_COLOUR, linewidth=2, label=f"true effect ({true_effect:+g})")
    ax.set_xlabel("confounding: how strongly maturity\ndrives who is certified")
    ax.set_ylabel("estimated effect on NPS (points)")
    ax.legend()
    return ax


ZONE_STYLES = {  # colour and hatch per zone: the legend also names each zone
    "front line": ("#0072B2", ""),
    "back office": ("#E69F00", "//"),
    "leadership": ("#009E73", ".."),
}


def journey_diagram(journey, ax=None):
    """Swimlane diagram of a :class:`cxlab.journey.Journey`: one lane per department.

    Steps are boxes placed left to right in run order, in their department's lane;
    arrows show which step waits for which, and a hand-off between departments is
    drawn dashed. Each lane is labelled with its department along its top edge, inside
    the diagram, so the steps get the figure's whole width and the labels can be large;
    the lane's colour and the box's hatching tell its zone, which the legend names.
    Returns the Axes.
    """
    ordered = journey.order()
    departments = [department for department in journey.departments
                   if any(step.department == department.name for step in journey.steps)]
    lane = {department.name: index for index, department in enumerate(reversed(departments))}
    zone_of = {department.name: department.zone for department in departments}
    column = {}
    for step in ordered:
        before = journey.predecessors(step)
        column[step.name] = max((column[name] + 1 for name in before), default=0)
    n_columns = max(column.values()) + 1
    box_size = plt.rcParams["font.size"] * 0.92
    lane_size = plt.rcParams["font.size"] * 1.2
    # Step names are wrapped at every space; a box is as wide as its longest word needs.
    font = FontProperties(size=box_size)
    word_inches = {step.name: max(TextToPath().get_text_width_height_descent(word, font, ismath=False)[0]
                                  for word in step.name.split()) / 72 for step in ordered}
    column_inches = max(0.92, (max(word_inches.values()) + 0.06) / 0.98)
    ax = ax or plt.subplots(figsize=(column_inches * n_columns + 0.1, 1.05 * len(departments) + 0.9),
                            layout="constrained")[1]
    box_low, box_high = -0.44, 0.14  # a box sits in the lower part of its lane, under the lane's label
    middle = (box_low + box_high) / 2
    half_width = {name: min(max((inches + 0.06) / column_inches, 0.8), 0.98) / 2 for name, inches in word_inches.items()}
    for department in departments:
        y = lane[department.name]
        colour, hatch = ZONE_STYLES[department.zone]
        ax.axhspan(y - 0.48, y + 0.48, color=colour, alpha=0.1, linewidth=0)
    for step in ordered:
        x, y = column[step.name], lane[step.department]
        colour, hatch = ZONE_STYLES[zone_of[step.department]]
        half = half_width[step.name]
        ax.add_patch(plt.Rectangle((x - half, y + box_low), 2 * half, box_high - box_low, facecolor="white",
                                   edgecolor=colour, hatch=hatch, linewidth=1.5))
        ax.text(x, y + middle, step.name.replace(" ", "\n"), ha="center", va="center",
                fontsize=box_size, linespacing=1.0,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3})
        for name in journey.predecessors(step):
            x0, y0 = column[name], lane[journey.step(name).department]
            handoff = journey.step(name).department != step.department
            ax.annotate("", xy=(x - half, y + middle), xytext=(x0 + half_width[name], y0 + middle),
                        arrowprops={"arrowstyle": "->", "linestyle": "--" if handoff else "-",
                                    "color": "black", "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0,
                                    "connectionstyle": "arc3,rad=0.0"})
    # Lane labels are the y tick labels, moved inside the axes to the top of each lane.
    ax.set_yticks([lane[department.name] + 0.31 for department in departments])
    ax.set_yticklabels([department.name for department in departments], fontsize=lane_size, fontweight="bold",
                       color="#222222")
    ax.tick_params(axis="y", length=0, pad=-4)
    for label in ax.get_yticklabels():
        label.set_horizontalalignment("left")
    # The zone is told by the lane's colour and the box's hatching, and named in the legend.
    zones = dict.fromkeys(department.zone for department in departments)
    ax.legend(handles=[Patch(facecolor="white", edgecolor=ZONE_STYLES[zone][0], hatch=ZONE_STYLES[zone][1],
                             linewidth=1.5, label=f"{zone} step") for zone in zones],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(zones), frameon=False, handlelength=2.4,
              handleheight=1.4)
    ax.set_xticks([])
    ax.set_xlim(-0.5, n_columns - 0.5)
    ax.set_ylim(-0.5, len(departments) - 0.5)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{journey.name}: steps by department\n(dashed arrows are hand-offs)")
    return ax


def tornado(table, ax=None, top: int = 12):
    """Tornado chart of :func:`cxlab.journey.sensitivity`: NPS change when each lever is
    made worse (left bar, labelled) or better (right bar), largest swing on top.
    Returns the Axes.
    """
    for column in ("lever", "worse", "better", "swing"):
        if column not in table.columns:
            raise ValueError(f"table needs a {column!r} column, as cxlab.journey.sensitivity returns")
    rows = table.sort_values("swing", ascending=False).head(top).iloc[::-1]
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 0.42 * len(rows) + 1.6), layout="constrained")[1]
    positions = np.arange(len(rows))
    ax.barh(positions, rows["worse"], color=DETRACTOR_COLOUR, hatch="//", edgecolor="black", label="lever made worse")
    ax.barh(positions, rows["better"], color=PROMOTER_COLOUR, edgecolor="black", label="lever made better")
    ax.set_yticks(positions)
    ax.set_yticklabels(rows["lever"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("change in NPS (points) against today")
    ax.legend(loc="lower right")
    return ax


def importance_performance_chart(grid, ax=None):
    """Scatter of :func:`cxlab.drivers.importance_performance`: importance across, performance up.

    Dashed lines at the means split the four quadrants, each named in its corner;
    every point is labelled with its driver. Returns the Axes.
    """
    for column in ("importance", "performance"):
        if column not in grid.columns:
            raise ValueError(f"grid needs a {column!r} column, as cxlab.drivers.importance_performance returns")
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 4.6), layout="constrained")[1]
    importance = 100 * grid["importance"]  # shares of R², shown in per cent
    ax.scatter(importance, grid["performance"], s=60, color=PROMOTER_COLOUR, edgecolor="black", zorder=3)
    for name, x, y in zip(grid.index, importance, grid["performance"], strict=True):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(6, 5))
    x_mid, y_mid = importance.mean(), grid["performance"].mean()
    ax.axvline(x_mid, color="black", linestyle="--", linewidth=0.8)
    ax.axhline(y_mid, color="black", linestyle="--", linewidth=0.8)
    x_low, x_high = 0, max(importance.max() * 1.15, x_mid * 1.5)
    y_pad = max((grid["performance"].max() - grid["performance"].min()) * 0.25, 0.2)
    y_low, y_high = grid["performance"].min() - y_pad, grid["performance"].max() + y_pad
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    for text, x, y, ha, va in (("fix first", x_high, y_low, "right", "bottom"),
                               ("keep it up", x_high, y_high, "right", "top"),
                               ("lower priority", x_low, y_low, "left", "bottom"),
                               ("possible overkill", x_low, y_high, "left", "top")):
        ax.text(x, y, f" {text} ", ha=ha, va=va, style="italic", color="#555555")
    ax.set_xlabel("importance: % of explained variance (relative weights)")
    ax.set_ylabel("performance: mean rating")
    return ax


def lag_profile(tables: dict, ax=None, xlabel: str = "lag (quarters): EX leads CX when positive"):
    """Correlation with its interval at each lag, one line per table of :func:`cxlab.linkage.lagged_correlation`.

    ``tables`` maps a label (for example "across branches", "within branches") to a
    table. Returns the Axes.
    """
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.8), layout="constrained")[1]
    styles = (("o-", PROMOTER_COLOUR), ("s--", DETRACTOR_COLOUR), ("D:", "black"))
    for index, (label, table) in enumerate(tables.items()):
        marker, colour = styles[index % len(styles)]
        offset = (index - (len(tables) - 1) / 2) * 0.06
        lags = table.index.to_numpy(dtype=float) + offset
        ax.errorbar(lags, table["value"], yerr=[table["value"] - table["low"], table["high"] - table["value"]], fmt=marker,
                    color=colour, capsize=3, label=label)
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xticks(sorted({int(lag) for table in tables.values() for lag in table.index}))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("correlation (95% interval)")
    ax.legend()
    return ax


@formerly_positional("ci", "axes")
def coverage_chart(table: pd.DataFrame, *, ci: float = 0.95, axes=None):
    """Actual coverage of nominal NPS intervals against sample size, one panel per method.

    ``table`` is :func:`cxlab.stats.nps_intervals.coverage_table`'s output. Each line is
    one true mix of promoters and detractors; the dashed line is the nominal level.
    Returns the array of Axes.
    """
    required = {"method", "n", "promoters", "detractors", "coverage"}
    if not isinstance(table, pd.DataFrame) or not required <= set(table.columns):
        raise ValueError(f"table must be a coverage table with columns {sorted(required)}")
    methods = list(dict.fromkeys(table["method"]))
    if axes is None:
        figure = plt.figure(figsize=(FIGURE_WIDTH, 2.9 * len(methods) + 0.6), layout="constrained")
        axes = figure.subplots(len(methods), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    styles = ("-", "--", ":", "-.")
    markers = ("o", "s", "^", "v", "D", "P", "X")
    mixes = list(dict.fromkeys(zip(table["promoters"], table["detractors"])))
    for ax, method in zip(axes, methods):
        part = table[table["method"] == method]
        for index, (promoters, detractors) in enumerate(mixes):
            line = part[(part["promoters"] == promoters) & (part["detractors"] == detractors)].sort_values("n")
            ax.plot(line["n"], 100 * line["coverage"], styles[index % len(styles)], marker=markers[index % len(markers)],
                    color="black", markersize=4, linewidth=1,
                    label=f"{promoters:.0%} promoters, {detractors:.0%} detractors")
        ax.axhline(100 * ci, color=PROMOTER_COLOUR, linestyle="--", linewidth=1.5)
        ax.set_title(f"{method}: lowest coverage {100 * part['coverage'].min():.1f}%", loc="left")
        ax.set_xscale("log")
        ax.set_ylabel("coverage (%)")
        ax.grid(True, which="both", alpha=0.3)
    axes[-1].set_xlabel("respondents (log scale)")
    axes[0].legend(fontsize="small", ncols=2, loc="lower right")
    return axes


def action_curve_chart(curve, ax=None, days: float | None = None):
    """Share of comments acted on over time (Kaplan-Meier, with its band) against the closed-only view.

    ``curve`` is :func:`cxlab.voc.action_curve`'s result. The dashed line is the share
    that looks acted on when open comments are ignored: the empirical curve of the
    closed comments alone, which reaches 100% by construction. ``days`` marks a
    deadline. Returns the Axes.
    """
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.8), layout="constrained")[1]
    table = curve.table
    days_axis = np.r_[0.0, table["days"].to_numpy()]
    ax.step(days_axis, 100 * np.r_[0.0, table["share_acted"].to_numpy()], where="post", color=PROMOTER_COLOUR,
            linewidth=2, label="Kaplan-Meier, open comments counted")
    ax.fill_between(days_axis, 100 * np.r_[0.0, table["share_acted_low"].to_numpy()],
                    100 * np.r_[0.0, table["share_acted_high"].to_numpy()], step="post", color=PROMOTER_COLOUR,
                    alpha=0.2, label=f"{100 * curve.ci:g}% band")
    closed = np.r_[0.0, np.cumsum(table["acted"].to_numpy()) / max(curve.acted, 1)]
    ax.step(days_axis, 100 * closed, where="post", color=DETRACTOR_COLOUR, linestyle="--", linewidth=1.5,
            label="closed comments only")
    if days is not None:
        ax.axvline(days, color="black", linestyle=":", linewidth=1)
        ax.text(days, 3, f" {days:g} days", va="bottom")
    ax.set_xlabel("days since the comment arrived")
    ax.set_ylabel("acted on (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="lower right")
    return ax


def funnel_plot(funnel, ax=None, labels: bool = True, title: str | None = None):
    """NPS of each unit against its number of responses, with the funnel's control limits.

    ``funnel`` is :func:`cxlab.voc.nps_funnel`'s result. Solid lines are the 95%
    limits, dashed the 99.8% ones, dotted the limits the flags follow (the adjustment
    ``nps_funnel`` was given, Holm by default, named in the legend): a unit is drawn as a
    filled square, and with ``labels`` named, exactly when it lies outside them. Returns
    the Axes.
    """
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 4.2), layout="constrained")[1]
    table = funnel.table
    n = np.linspace(max(5, table["n"].min() * 0.8), table["n"].max() * 1.1, 200)
    for level, style in zip(funnel.levels, ("-", "--", "-.")):
        low, high = funnel.limits(n, level)
        ax.plot(n, low, style, color="#999999", linewidth=1.2)
        ax.plot(n, high, style, color="#999999", linewidth=1.2, label=f"{100 * level:g}% limits")
    low, high = funnel.adjusted_limits(n)
    ax.plot(n, high, ":", color="black", linewidth=1.2, label=f"flag limits ({funnel.adjustment_label})")
    ax.plot(n, low, ":", color="black", linewidth=1.2)
    ax.axhline(funnel.target, color=PROMOTER_COLOUR, linewidth=1, label=f"target {funnel.target:.1f}")
    flagged = table["flagged"].to_numpy()
    ax.scatter(table["n"][~flagged], table["value"][~flagged], s=22, color=PROMOTER_COLOUR, alpha=0.8,
               label="within the flag limits")
    ax.scatter(table["n"][flagged], table["value"][flagged], s=40, marker="s", color=DETRACTOR_COLOUR,
               label="flagged")
    if labels:
        named = table["flagged"] | (table["z"].abs() > normal_quantile(funnel.levels[0]))
        for name, row in table[named].iterrows():
            ax.annotate(str(name), (row["n"], row["value"]), textcoords="offset points", xytext=(4, 3),
                        fontsize="small")
    ax.set_xlabel("responses")
    ax.set_ylabel("NPS")
    if title:
        ax.set_title(title, loc="left")
    ax.legend(fontsize="small", ncols=2, loc="lower right")
    return ax


def promise_chart(table: pd.DataFrame, promise: float, ax=None, xlabel: str = "hour of day"):
    """Share of customers beyond a promise, and the 90th percentile, by group (:func:`cxlab.voc.promise_gap`).

    Bars show the share beyond the promise with its interval; the line on the second
    axis shows the 90th percentile wait (with its interval) against the promise
    itself, dashed. Returns the two Axes.
    """
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.9), layout="constrained")[1]
    positions = np.arange(len(table))
    share = 100 * table["share_beyond"].to_numpy()
    ax.bar(positions, share, color=DETRACTOR_COLOUR, alpha=0.7, hatch="//", label="beyond the promise (%)",
           yerr=[share - 100 * table["share_beyond_low"], 100 * table["share_beyond_high"] - share], capsize=2)
    ax.set_xticks(positions)
    ax.set_xticklabels([str(label) for label in table.index])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("callers beyond the promise (%)")
    ax.set_ylim(0, 100)
    other = ax.twinx()
    if "p90" in table:
        p90 = table["p90"].to_numpy()
        other.errorbar(positions, p90, yerr=[p90 - table["p90_low"], table["p90_high"] - p90], fmt="o-",
                       color=PROMOTER_COLOUR, capsize=2, label="90th percentile wait")
    other.axhline(promise, color="black", linestyle="--", linewidth=1, label=f"promise: {promise:g}")
    other.set_ylabel("wait (minutes)")
    other.set_ylim(0, None)
    handles = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize="small")
    return ax, other


def horizon_chart(table: pd.DataFrame, ax=None, unit: str = "EUR thousand", scale: float = 1000.0):
    """Cumulative net value with its interval at each horizon (:func:`cxlab.voc.cumulative_value`).

    Returns the Axes.
    """
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.6), layout="constrained")[1]
    horizons = table.index.to_numpy(dtype=float)
    ax.fill_between(horizons, table["low"] / scale, table["high"] / scale, color=PROMOTER_COLOUR, alpha=0.25,
                    label="95% interval")
    ax.plot(horizons, table["value"] / scale, "o-", color=PROMOTER_COLOUR, markersize=3, label="cumulative net value")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("months since launch")
    ax.set_ylabel(f"net value ({unit})")
    ax.legend(loc="lower left")
    return ax


def roi_distribution(simulation, ax=None, bins: int = 60):
    """Histogram of the ROI draws of :func:`cxlab.value.roi_simulation`, in per cent.

    Draws with a negative ROI are hatched and coloured apart; lines mark break-even,
    the median with its central interval and the single-number ROI at the central
    values. Returns the Axes.
    """
    for name in ("draws", "prob_negative", "point", "low", "high"):
        if not hasattr(simulation, name):
            raise TypeError("simulation should be the result of cxlab.value.roi_simulation")
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.8), layout="constrained")[1]
    roi = 100 * simulation.draws["roi"].to_numpy()
    # a bin edge at 0, so that no bar mixes losses and gains
    edges = np.union1d(np.histogram_bin_edges(roi, bins=bins), [0.0])
    counts, edges = np.histogram(roi, bins=edges)
    share = counts / roi.size
    left = edges[:-1] < 0
    widths = np.diff(edges)
    ax.bar(edges[:-1][left], share[left], width=widths[left], align="edge", color=DETRACTOR_COLOUR,
           hatch="//", edgecolor="black", linewidth=0.3,
           label=f"loses money: {100 * simulation.prob_negative:.0f}% of draws")
    ax.bar(edges[:-1][~left], share[~left], width=widths[~left], align="edge", color=PROMOTER_COLOUR,
           edgecolor="black", linewidth=0.3, label="pays back")
    ax.axvline(0, color="black", linewidth=1)
    ax.axvline(100 * simulation.point, color="black", linestyle="--", linewidth=1.2,
               label=f"single-number ROI {100 * simulation.point:+.0f}%")
    ax.axvspan(100 * simulation.low, 100 * simulation.high, color=PASSIVE_COLOUR, alpha=0.18,
               label=f"central {100 * simulation.ci:.0f}% of draws")
    ax.set_xlabel("ROI over the horizon (%)")
    ax.set_ylabel("share of draws")
    ax.legend(fontsize="small", loc="upper right")
    return ax


def roi_tornado(simulation, ax=None, labels: dict | None = None):
    """Tornado chart of :func:`cxlab.value.roi_simulation`'s ``drivers``: the ROI with each
    input at the low and the high end of its range, the others at their central values,
    widest swing on top. Returns the Axes.
    """
    drivers = getattr(simulation, "drivers", None)
    if not isinstance(drivers, pd.DataFrame) or not {"roi_at_low", "roi_at_high"} <= set(drivers.columns):
        raise TypeError("simulation should be the result of cxlab.value.roi_simulation")
    labels = labels or {}
    rows = drivers.iloc[::-1]
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 0.5 * len(rows) + 1.9), layout="constrained")[1]
    base = 100 * simulation.point
    positions = np.arange(len(rows))
    ax.barh(positions, 100 * rows["roi_at_low"] - base, left=base, color=DETRACTOR_COLOUR, hatch="//",
            edgecolor="black", label="input at the low end of its range")
    ax.barh(positions, 100 * rows["roi_at_high"] - base, left=base, color=PROMOTER_COLOUR, edgecolor="black",
            label="input at the high end")
    ax.set_yticks(positions)
    ax.set_yticklabels([labels.get(name, str(name).replace("_", " ")) for name in rows.index])
    ax.axvline(base, color="black", linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlabel(f"ROI (%); centre line: {base:+.0f}% at the central values")
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)
    return ax


def representation_chart(table: pd.DataFrame, ax=None, market: dict | None = None):
    """Share of women at each level (:func:`cxlab.value.funnel_against_market`), with
    Wilson intervals as whiskers and the market's shares as diamonds. Returns the Axes.
    """
    for column in ("value", "low", "high", "market", "women", "people"):
        if column not in table.columns:
            raise ValueError(f"table needs a {column!r} column, as cxlab.value.funnel_against_market returns")
    ax = ax or plt.subplots(figsize=(FIGURE_WIDTH, 3.6), layout="constrained")[1]
    positions = np.arange(len(table))
    share = 100 * table["value"].to_numpy()
    ax.bar(positions, share, color=PROMOTER_COLOUR, width=0.55, edgecolor="black", label="this company")
    ax.errorbar(positions, share, yerr=[share - 100 * table["low"], 100 * table["high"] - share], fmt="none",
                ecolor="black", capsize=6, label="95% interval")
    ax.scatter(positions, 100 * table["market"], marker="D", s=60, color=DETRACTOR_COLOUR, zorder=3,
               edgecolor="black", label="market figure")
    for position, (_, row) in zip(positions, table.iterrows()):
        top = 100 * max(row["high"], row["market"])
        ax.annotate(f"{int(row['women'])} of {int(row['people'])}", (position, top),
                    textcoords="offset points", xytext=(0, 8), ha="center", fontsize="small")
    ax.set_xticks(positions)
    ax.set_xticklabels([str(name) for name in table.index])
    ax.set_ylim(0, 100)
    ax.set_ylabel("women (%)")
    ax.legend(fontsize="small", loc="upper right")
    return ax


def _text_inches(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` points, in inches."""
    return TextToPath().get_text_width_height_descent(text, FontProperties(size=size), ismath=False)[0] / 72


def _structural_levels(names: list[str], causes: dict) -> dict:
    """Each variable's column: 0 for one with no causes, else one more than its latest cause (model order on a loop)."""
    level = {name: 0 for name in names}
    for _ in range(len(names)):
        changed = False
        for name in names:
            wanted = max((level[cause] + 1 for cause in causes.get(name, ())), default=0)
            if wanted != level[name] and wanted < len(names):
                level[name], changed = wanted, True
        if not changed:
            break
    return level


def path_diagram(result, *, ax=None, standardized: bool = True, title: str | None = None):
    """Path diagram of a :class:`cxlab.paths.SemResult`: boxes for observed variables, ellipses for latent ones.

    Left to right in the model's causal order: the indicators of the latent causes, the
    causes, the mediators, the outcomes. Regression arrows are labelled with their
    estimate; loading arrows (latent to indicator) too, beside the indicator. The
    indicators of a latent variable further right sit in a row under it. Estimates are
    standardised (``std_all``) unless ``standardized=False``. Residual variances and
    covariances are not drawn; the table has them. Text is no smaller than the course
    style's smallest size, so the figure stays legible at a phone's width. Returns the
    Figure.
    """
    from matplotlib.patches import Ellipse, FancyBboxPatch

    estimates = getattr(result, "estimates", None)
    if not isinstance(estimates, pd.DataFrame) or not {"lhs", "op", "rhs", "estimate", "std_all"} <= set(estimates):
        raise TypeError(f"result must be a SemResult from cxlab.paths.fit_sem, got {type(result).__name__}")
    column = "std_all" if standardized else "estimate"
    loadings = estimates[estimates["op"] == "=~"]
    regressions = estimates[estimates["op"] == "~"]
    indicators = {}
    for latent, indicator, value in zip(loadings["lhs"], loadings["rhs"], loadings[column], strict=True):
        indicators.setdefault(latent, []).append((indicator, value))
    latent_names = set(indicators)
    structural = list(dict.fromkeys([*indicators, *regressions["rhs"], *regressions["lhs"]]))
    # model order: first appearance in the table, causes before what they cause
    order = {name: position for position, name in enumerate(dict.fromkeys(
        [*loadings["lhs"], *[name for pair in zip(regressions["rhs"], regressions["lhs"]) for name in pair]]))}
    structural.sort(key=order.get)
    causes = {}
    for outcome, cause in zip(regressions["lhs"], regressions["rhs"], strict=True):
        causes.setdefault(outcome, []).append(cause)
    level = _structural_levels(structural, causes)
    left_latents = [name for name in structural if name in latent_names and level[name] == 0]
    offset = 1 if left_latents else 0

    label_size = max(plt.rcParams["font.size"], 11.0)
    number_size = max(plt.rcParams["font.size"] * 0.92, 11.0)
    n_columns = max(level.values(), default=0) + 1 + offset
    width = FIGURE_WIDTH
    column_width = width / n_columns
    box_height, row_gap = 0.36, 0.95

    def box_width(name: str) -> float:
        return _text_inches(name, label_size) + 0.2

    def spread(names: list[str]) -> list[tuple[str, float]]:
        """Boxes side by side, each as wide as its name needs: (name, half width)."""
        return [(name, box_width(name) / 2) for name in names]

    gap = 0.2
    columns = {}
    for name in structural:
        columns.setdefault(level[name], []).append(name)
    # The latents further right have their indicators in a band under the model, each group under its
    # latent as far as the groups let; a group that does not fit on the band's line starts a new line.
    groups = [(name, spread([indicator for indicator, _ in indicators[name]]))
              for name in structural if name in latent_names and name not in left_latents]
    structure_rows = max([len(names) for names in columns.values()] + [1])
    left_count = sum(len(indicators[name]) for name in left_latents)
    # groups go on one line while they fit the width, else on a new line; on its line a group sits under its
    # latent as far as the groups before it let, and a line that runs past the right edge moves left
    lines, line, used = [], [], 0.0
    for name, boxes in groups:
        group_width = sum(2 * half for _, half in boxes) + gap * (len(boxes) - 1)
        if line and used + 2 * gap + group_width > width:
            lines.append(line)
            line, used = [], 0.0
        line.append((name, boxes, group_width))
        used += group_width + (2 * gap if len(line) > 1 else 0.0)
    if line:
        lines.append(line)
    placed = []
    for line in lines:
        lefts, right_edge = [], -np.inf
        for name, boxes, group_width in line:
            wanted = (level[name] + offset + 0.5) * column_width - group_width / 2
            left = max(wanted, right_edge + 2 * gap, 0.0)
            lefts.append(left)
            right_edge = left + group_width
        shift = max(right_edge - (width - 0.05), 0.0)
        placed.append([(name, boxes, max(left - shift, 0.0)) for (name, boxes, _), left in zip(line, lefts, strict=True)])
    lines = placed
    band_height = len(lines) * row_gap
    structure_height = max(structure_rows * row_gap * 1.1, left_count * 0.5 * row_gap - band_height, row_gap)
    top = band_height + structure_height + (0.6 if lines else 0.0)
    height = max(2.2, top + 0.75)
    if ax is None:
        figure = plt.figure(figsize=(width, height))
        ax = figure.add_axes((0, 0, 1, 1 - 0.55 / height))
    figure = ax.figure
    ax.set_xlim(0, width)
    ax.set_ylim(-0.05, top + 0.05)
    ax.set_axis_off()

    position, shape = {}, {}
    for level_number, names in columns.items():
        x = (level_number + offset + 0.5) * column_width
        step = structure_height / len(names)
        for index, name in enumerate(names):
            position[name] = (x, top - step * (index + 0.5))
            shape[name] = "ellipse" if name in latent_names else "box"
    if left_latents:
        left_indicators = [indicator for latent in left_latents for indicator, _ in indicators[latent]]
        step = top / len(left_indicators)
        for index, indicator in enumerate(left_indicators):
            position[indicator] = (0.5 * column_width, top - step * (index + 0.5))
            shape[indicator] = "box"
    for line_number, line in enumerate(lines):
        y = band_height - row_gap * (line_number + 0.5)
        for _, boxes, left in line:
            for indicator, half in boxes:
                position[indicator] = (left + half, y)
                shape[indicator] = "box"
                left += 2 * half + gap

    extent = {}
    for name, (x, y) in position.items():
        half_width = box_width(name) / 2
        if shape[name] == "ellipse":
            half_width, half_height = half_width * 1.25 + 0.05, box_height * 0.75
            ax.add_patch(Ellipse((x, y), 2 * half_width, 2 * half_height, facecolor="#E8F1F8",
                                 edgecolor=PROMOTER_COLOUR, linewidth=1.4, zorder=2))
        else:
            half_height = box_height / 2
            ax.add_patch(FancyBboxPatch((x - half_width, y - half_height), 2 * half_width, 2 * half_height,
                                        boxstyle="square,pad=0", facecolor="white", edgecolor="black",
                                        linewidth=1.0, zorder=2))
        ax.text(x, y, name, ha="center", va="center", fontsize=label_size, zorder=3)
        extent[name] = (half_width, half_height)

    def edge(name: str, towards: tuple[float, float]) -> tuple[float, float]:
        """Where the line from ``name``'s centre towards a point leaves its shape."""
        (x, y), (half_width, half_height) = position[name], extent[name]
        dx, dy = towards[0] - x, towards[1] - y
        if dx == 0 and dy == 0:
            return x, y
        if shape[name] == "ellipse":
            scale = 1 / np.hypot(dx / half_width, dy / half_height)
        else:
            scale = min(half_width / abs(dx) if dx else np.inf, half_height / abs(dy) if dy else np.inf)
        return x + dx * scale, y + dy * scale

    def blocked(source: str, target: str) -> bool:
        """Whether the straight line between two variables passes through a third one's shape."""
        (x0, y0), (x1, y1) = position[source], position[target]
        for name, (x, y) in position.items():
            if name in (source, target):
                continue
            length = np.hypot(x1 - x0, y1 - y0)
            along = ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / length**2
            across = abs((x - x0) * (y1 - y0) - (y - y0) * (x1 - x0)) / length
            if 0 < along < 1 and across < extent[name][1] + 0.05:
                return True
        return False

    def arrow(source: str, target: str, value: float, *, near_target: bool):
        (x0, y0), (x1, y1) = position[source], position[target]
        # an arrow that would cross another variable bows over it (matplotlib's arc3 curve)
        rad = -0.35 if not near_target and blocked(source, target) else 0.0
        control = ((x0 + x1) / 2 + rad * (y1 - y0), (y0 + y1) / 2 - rad * (x1 - x0))
        start, end = edge(source, control), edge(target, control)
        ax.annotate("", xy=end, xytext=start, zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.1, "shrinkA": 0,
                                "shrinkB": 1, "mutation_scale": 12, "connectionstyle": f"arc3,rad={rad}"})
        if rad:
            middle = (x0 + x1) / 2, (y0 + y1) / 2
            spot = (middle[0] + rad / 2 * (y1 - y0), middle[1] - rad / 2 * (x1 - x0))
        else:
            length = np.hypot(end[0] - start[0], end[1] - start[1])
            # a loading's number sits a fixed distance from its indicator, so a fan of them does not collide
            share = max(0.5, 1 - 0.3 / length) if near_target and length > 0 else 0.5
            spot = (start[0] + (end[0] - start[0]) * share, start[1] + (end[1] - start[1]) * share)
        ax.text(*spot, f"{value:.2f}", ha="center", va="center", fontsize=number_size, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})

    for latent, rows in indicators.items():
        for indicator, value in rows:
            arrow(latent, indicator, value, near_target=True)
    for outcome, cause, value in zip(regressions["lhs"], regressions["rhs"], regressions[column], strict=True):
        arrow(cause, outcome, value, near_target=False)
    kind = "standardised estimates" if standardized else "estimates"
    figure.suptitle(title if title else f"Path model ({kind})", fontsize=plt.rcParams["axes.titlesize"])
    return figure
