"""Figures for the course (matplotlib). Layer 5: nothing below imports this module.

Colours come from the Okabe-Ito palette, which stays distinguishable for readers
with colour-vision deficiencies; categories are also labelled, never colour-coded only.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
import numpy as np
import pandas as pd
from scipy.stats import norm

from .metrics import DETRACTOR_UP_TO, PROMOTER_FROM, scale_counts
from ._validate import check_ci
from .stats import nps_from_counts

DETRACTOR_COLOUR = "#D55E00"
PASSIVE_COLOUR = "#999999"
PROMOTER_COLOUR = "#0072B2"


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
    ax = ax or plt.subplots(figsize=(6, 3.2), layout="constrained")[1]
    shares = 100 * counts / counts.sum()
    ax.bar(np.arange(11), shares, color=_category_colours(), edgecolor="black", linewidth=0.4)
    ax.set_xticks(range(11))
    # The categories are named in words as well as colours.
    ax.set_xlabel("likelihood to recommend\n0-6 detractors, 7-8 passives, 9-10 promoters", fontsize=9)
    ax.set_ylabel("% of respondents")
    top = shares.max() * 1.25 if shares.max() > 0 else 1
    ax.set_ylim(0, max(ax.get_ylim()[1], top))
    handles = [
        Patch(facecolor=colour, edgecolor="black", linewidth=0.4, label=label)
        for colour, label in ((DETRACTOR_COLOUR, "detractors"), (PASSIVE_COLOUR, "passives"), (PROMOTER_COLOUR, "promoters"))
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
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
    ax = ax or plt.subplots(figsize=(6, 0.6 * len(table) + 1.2), layout="constrained")[1]
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


def margin_of_error_curve(shares=((40, 40), (50, 20), (30, 10)), n_max: int = 2000, ci: float = 0.95, ax=None):
    """Margin of error of the NPS (Wald) against sample size, for a few score mixes.

    ``shares`` holds (% promoters, % detractors) pairs. Returns the matplotlib Axes.
    """
    ci = check_ci(ci)
    ax = ax or plt.subplots(figsize=(6, 3.5), layout="constrained")[1]
    sizes = np.unique(np.geomspace(20, n_max, 60).astype(int))
    styles = ("-", "--", ":")
    for index, (promoters, detractors) in enumerate(shares):
        p, d = promoters / 100, detractors / 100
        spread = np.sqrt((p + d) - (p - d) ** 2)
        margin = 100 * norm.ppf(0.5 + ci / 2) * spread / np.sqrt(sizes)
        ax.plot(sizes, margin, styles[index % 3], color="black",
                label=f"{promoters}% promoters, {detractors}% detractors (NPS {promoters - detractors:+d})")
    ax.set_xscale("log")
    ax.set_xlabel("respondents (log scale)")
    ax.set_ylabel(f"± NPS points ({ci:.0%} margin)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return ax
