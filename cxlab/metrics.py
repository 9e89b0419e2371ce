"""Point metrics of customer experience: NPS, top/bottom box, CSAT, CES and NSS.

Layer 1 of cxlab: imports numpy, pandas and :mod:`cxlab._validate`, nothing else.
Each metric works on the counts of each scale point (one ``np.bincount``), never on a
Python loop over responses. Intervals and tests live one layer up, in :mod:`cxlab.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validate import as_scores, check_nan_policy, check_scale, check_whole

#: 0-10 "How likely are you to recommend ...?"
NPS_LOW, NPS_HIGH = 0, 10
#: Promoters answer 9 or 10; detractors 0 to 6; passives 7 or 8 (Reichheld 2003).
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6


@dataclass(frozen=True)
class NPSCounts:
    """How many respondents fall in each NPS category.

    Examples
    --------
    >>> counts = NPSCounts(promoters=50, passives=30, detractors=20)
    >>> counts.n, counts.value
    (100, 30.0)
    """

    promoters: int
    passives: int
    detractors: int

    def __post_init__(self):
        for field in ("promoters", "passives", "detractors"):
            check_whole(getattr(self, field), field, minimum=0, what="a whole count")

    @property
    def n(self) -> int:
        return int(self.promoters + self.passives + self.detractors)

    @property
    def value(self) -> float:
        """NPS on the -100..100 scale: % promoters minus % detractors."""
        if self.n == 0:
            raise ValueError("NPS is undefined for zero respondents")
        return 100.0 * (self.promoters - self.detractors) / self.n


def scale_counts(values, *, low: int, high: int, name: str = "scores", nan_policy: str = "raise"):
    """Count how many responses sit on each point of an integer scale.

    Returns an int64 array of length ``high - low + 1``; element ``i`` counts the
    responses equal to ``low + i``.

    Examples
    --------
    >>> scale_counts([1, 5, 5, 3], low=1, high=5)
    array([1, 0, 1, 0, 2])
    """
    counts = _count_integers(values, low, high)
    if counts is not None:
        return counts
    scores = as_scores(values, low=low, high=high, name=name, nan_policy=nan_policy)
    shifted = scores - low if low else scores
    return np.bincount(shifted, minlength=high - low + 1)


def _count_integers(values, low: int, high: int):
    """Counts of an integer array or Series in one ``np.bincount`` pass, or None to take the checked path.

    The counts themselves say whether every score is in range: a negative score makes
    bincount refuse, one above ``high`` makes the counts longer, one below ``low`` puts
    a count before it. Out-of-range, empty or non-integer input returns None, and
    :func:`cxlab._validate.as_scores` then finds and names the culprit.
    """
    if isinstance(values, pd.Series) and values.dtype.kind in "iu":
        values = values.to_numpy()
    if not (isinstance(values, np.ndarray) and values.dtype.kind in "iu" and values.ndim == 1 and values.size):
        return None
    try:
        counts = np.bincount(values, minlength=high + 1)
    except (ValueError, MemoryError):  # a negative score, or one too large to allocate a count for
        return None
    if counts.size != high + 1 or counts[:low].any():
        return None
    return counts[low:]


def nps_counts(scores, *, nan_policy: str = "raise") -> NPSCounts:
    """Promoters (9-10), passives (7-8) and detractors (0-6) among 0-10 scores.

    Examples
    --------
    >>> nps_counts([10, 9, 8, 7, 6, 0])
    NPSCounts(promoters=2, passives=2, detractors=2)
    """
    counts = scale_counts(scores, low=NPS_LOW, high=NPS_HIGH, nan_policy=nan_policy)
    return NPSCounts(
        promoters=int(counts[PROMOTER_FROM:].sum()),
        passives=int(counts[DETRACTOR_UP_TO + 1 : PROMOTER_FROM].sum()),
        detractors=int(counts[: DETRACTOR_UP_TO + 1].sum()),
    )


def nps_score(scores, *, nan_policy: str = "raise") -> float:
    """Net Promoter Score of 0-10 scores, on -100..100, without an interval.

    Use :func:`cxlab.nps` for the score with its margin of error.

    Examples
    --------
    >>> nps_score([10, 10, 9, 8, 3])
    40.0
    """
    return nps_counts(scores, nan_policy=nan_policy).value


def _check_box(scale: int, box: int, name: str) -> tuple[int, int]:
    scale = check_scale(scale)
    return scale, check_whole(box, name, minimum=1, maximum=scale - 1, what="a whole number of scale points",
                              where=f" on a {scale}-point scale")


def top_box(ratings, scale: int = 5, top: int = 1, *, nan_policy: str = "raise") -> float:
    """Share of ratings in the top ``top`` points of a 1..``scale`` scale, in percent.

    Examples
    --------
    >>> top_box([5, 5, 4, 3], scale=5, top=1)
    50.0
    >>> top_box([5, 5, 4, 3], scale=5, top=2)
    75.0
    """
    scale, top = _check_box(scale, top, "top")
    counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
    return float(100.0 * counts[scale - top :].sum() / counts.sum())


def bottom_box(ratings, scale: int = 5, bottom: int = 1, *, nan_policy: str = "raise") -> float:
    """Share of ratings in the bottom ``bottom`` points of a 1..``scale`` scale, in percent.

    Examples
    --------
    >>> bottom_box([1, 2, 4, 5], scale=5, bottom=2)
    50.0
    """
    scale, bottom = _check_box(scale, bottom, "bottom")
    counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
    return float(100.0 * counts[:bottom].sum() / counts.sum())


def csat_score(ratings, scale: int = 5, top: int = 2, *, nan_policy: str = "raise") -> float:
    """CSAT: the percentage of satisfied customers (the top ``top`` boxes).

    Examples
    --------
    >>> csat_score([5, 4, 4, 2, 1])
    60.0
    """
    return top_box(ratings, scale=scale, top=top, nan_policy=nan_policy)


def ces_score(ratings, scale: int = 7, *, nan_policy: str = "raise") -> float:
    """Customer Effort Score: the mean agreement with "the company made it easy".

    Examples
    --------
    >>> ces_score([7, 6, 5, 2])
    5.0
    """
    scale = check_scale(scale)
    counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
    return float(np.dot(np.arange(1, scale + 1), counts) / counts.sum())


@dataclass(frozen=True)
class NSSResult:
    """Net Sentiment Score and the mention counts behind it."""

    value: float
    positive: int
    negative: int
    neutral: int

    @property
    def n(self) -> int:
        return self.positive + self.negative + self.neutral

    def __float__(self) -> float:
        return self.value


def nss(positive, negative, neutral=0) -> NSSResult:
    """Net Sentiment Score: (positive - negative) / all mentions, in percent (-100..100).

    Takes the number of positive, negative and neutral mentions, for example from
    comments coded by sentiment. Use :func:`nss_from_labels` to count labels first.

    Examples
    --------
    >>> nss(positive=60, negative=25, neutral=15)
    NSSResult(value=35.0, positive=60, negative=25, neutral=15)
    """
    counts = {"positive": positive, "negative": negative, "neutral": neutral}
    for name, count in counts.items():
        check_whole(count, name, minimum=0, what="a whole number of mentions")
    total = positive + negative + neutral
    if total == 0:
        raise ValueError("NSS needs at least one mention; positive, negative and neutral are all 0")
    return NSSResult(
        value=100.0 * (positive - negative) / total,
        positive=int(positive),
        negative=int(negative),
        neutral=int(neutral),
    )


SENTIMENT_LABELS = ("positive", "neutral", "negative")


def nss_from_labels(labels, *, nan_policy: str = "omit") -> NSSResult:
    """NSS from a column of sentiment labels ("positive", "neutral", "negative").

    Missing labels (no comment) are left out by default: NSS is a share of mentions.

    Examples
    --------
    >>> nss_from_labels(["positive", "negative", "positive", None])
    NSSResult(value=33.33333333333333, positive=2, negative=1, neutral=0)
    """
    check_nan_policy(nan_policy)
    series = pd.Series(labels, dtype=object)
    missing = series.isna()
    if missing.any() and nan_policy == "raise":
        raise ValueError(
            f"labels has {int(missing.sum())} missing value(s); pass nan_policy='omit' to leave them out"
        )
    present = series[~missing]
    unknown = present[~present.isin(SENTIMENT_LABELS)]
    if len(unknown):
        raise ValueError(
            f"sentiment labels must be one of {SENTIMENT_LABELS}; found {unknown.iloc[0]!r}"
        )
    tally = present.value_counts()
    return nss(
        positive=int(tally.get("positive", 0)),
        negative=int(tally.get("negative", 0)),
        neutral=int(tally.get("neutral", 0)),
    )
