"""Variants of the NPS exercise: the two-quarter survey of :func:`cxlab.data.make_survey`.

Every variant keeps the survey's design (2,000 answers, four channels, two quarters, the
same sizes per cell) and draws its own world: each channel's level and how it moved
between the quarters. What is asked varies too: the quarter whose interval question 3
asks for, the margin of error question 6 plans for, and the channel question 7 looks at.
The tests of questions 4, 5 and 8 use the adjusted Wald method (cxlab's default, the one
the chapter recommends for cells of a few hundred answers or fewer).

A draw is set aside (:func:`knife_edges`) when an answer would sit on a knife-edge: a
p-value of questions 4 and 5, or a Holm-adjusted p-value of question 8, within 0.005 of
0.05; two channels within half a point of "the biggest fall"; or a planned sample size
whose unrounded value lies within 0.01 of a whole number (rounding up would then hang on
the last digit).

Layer 4 of cxlab (data): numpy, pandas and the NPS test and p-value adjustment of
:mod:`cxlab.stats`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..stats import nps_test
from ..stats.common import adjust_pvalues
from . import _CHANNELS, _QUARTERS, _SURVEY_SIZES, load_survey

#: The chapter's task: what the book's own figures answer.
BOOK_TASK = {"interval_quarter": "2026-Q2", "margin": 5, "focus_channel": "chat"}
MARGINS = (3, 4, 5, 6)
_Z = 1.959963984540054


def book() -> tuple[dict[str, pd.DataFrame], dict]:
    return {"survey": load_survey()}, dict(BOOK_TASK)


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    from . import _survey

    world = rng.spawn("world")
    level = world.uniform(-0.05, 0.65, len(_CHANNELS))
    # most channels move a little; the draw decides which, and in which direction
    shift = world.normal(0.0, 0.22, len(_CHANNELS))
    means = {}
    for index, channel in enumerate(_CHANNELS):
        means[channel, _QUARTERS[0]] = round(float(level[index]), 3)
        means[channel, _QUARTERS[1]] = round(float(level[index] + shift[index]), 3)
    survey = _survey(rng.spawn("answers"), means, _SURVEY_SIZES)
    asked = rng.spawn("task")
    task = {
        "interval_quarter": str(asked.choice(_QUARTERS)),
        "margin": int(asked.choice(MARGINS)),
        "focus_channel": str(asked.choice(_CHANNELS)),
    }
    return {"survey": survey}, task


def _recommend(survey: pd.DataFrame, quarter: str, channel: str | None = None) -> np.ndarray:
    rows = survey["quarter"] == quarter
    if channel is not None:
        rows &= survey["channel"] == channel
    return survey.loc[rows, "recommend"].to_numpy()


def _net(scores: np.ndarray) -> float:
    return 100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6))


def _checks_would_misread(survey: pd.DataFrame, focus_channel: str) -> list[str]:
    """Answers that a visible check would take for a slip: a score between -1.5 and +1.5 (read
    as a share), a CSAT or CES share below 7.5% (read as a mean score on the 1-5 or 1-7 scale)."""
    reasons = []
    overall = _net(survey["recommend"].to_numpy())
    if abs(overall) < 1.5:
        reasons.append(f"the overall NPS {overall:.2f} would look like a share to the check")
    rows = survey[(survey["quarter"] == _QUARTERS[1]) & (survey["channel"] == focus_channel)]
    channel = focus_channel
    coded = rows["sentiment"].dropna()
    coded = coded[coded.isin(("positive", "negative", "neutral"))]
    values = {
        "CSAT": 100.0 * np.mean(rows["satisfaction"].to_numpy() >= 4),
        "CES agreement": 100.0 * np.mean(rows["effort"].to_numpy() >= 5),
        "NSS": 100.0 * (np.sum(coded == "positive") - np.sum(coded == "negative")) / max(len(coded), 1),
    }
    for label, value in values.items():
        if abs(value) < 1.5 or (label != "NSS" and value < 7.5):
            reasons.append(f"the {label} of {channel} ({value:.2f}) would look like a slip to the check")
    return reasons


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can)."""
    survey = tables["survey"]
    later, earlier = _QUARTERS[1], _QUARTERS[0]
    reasons = []
    overall = nps_test(_recommend(survey, later), _recommend(survey, earlier), method="adjusted-wald")
    if abs(overall.pvalue - 0.05) < 0.005:
        reasons.append(f"the overall change has p = {overall.pvalue:.4f}, within 0.005 of 0.05")
    changes, pvalues = {}, {}
    for channel in _CHANNELS:
        test = nps_test(_recommend(survey, later, channel), _recommend(survey, earlier, channel),
                        method="adjusted-wald")
        changes[channel], pvalues[channel] = test.value, test.pvalue
        if abs(test.pvalue - 0.05) < 0.005:
            reasons.append(f"the change of {channel} has p = {test.pvalue:.4f}, within 0.005 of 0.05")
    for channel, adjusted in zip(pvalues, adjust_pvalues(list(pvalues.values()), "holm"), strict=True):
        if abs(adjusted - 0.05) < 0.005:
            reasons.append(f"the change of {channel} has a Holm-adjusted p = {adjusted:.4f}, within 0.005 of 0.05")
    falls = sorted(changes.values())
    if falls[1] - falls[0] < 0.5:
        reasons.append(f"two channels fall within half a point of each other ({falls[0]:.2f}, {falls[1]:.2f})")
    reasons.extend(_checks_would_misread(survey, task["focus_channel"]))
    planned = _recommend(survey, later)
    promoters, detractors = float(np.mean(planned >= 9)), float(np.mean(planned <= 6))
    spread = 100 * math.sqrt((promoters + detractors) - (promoters - detractors) ** 2)
    needed = (_Z * spread / task["margin"]) ** 2
    if abs(needed - round(needed)) < 0.01:
        reasons.append(f"the planned sample size {needed:.4f} lies within 0.01 of a whole number")
    return reasons
