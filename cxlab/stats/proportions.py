"""Proportions and rating scales: Wilson intervals, CSAT (top boxes) and CES.

Layer 2 of cxlab (statistics). The Wilson score interval comes from statsmodels
(``proportion_confint(method="wilson")``), imported when first needed; the CES mean's t
interval from :mod:`cxlab.stats.common`. Imports numpy, :mod:`cxlab._validate`,
:mod:`cxlab.metrics` and :mod:`cxlab.stats.common`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._validate import check_ci, check_scale, check_whole
from ..metrics import _check_box, scale_counts
from .common import ConfidenceInterval, _HasInterval, deprecated_alias, formerly_positional, t_quantile

@formerly_positional("ci")
def wilson_interval(successes: int, n: int, *, ci: float = 0.95) -> ConfidenceInterval:
    """Wilson (1927) score interval for a proportion, on 0..1.

    Examples
    --------
    >>> low, high = wilson_interval(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    """
    from statsmodels.stats.proportion import proportion_confint

    ci = check_ci(ci)
    n = check_whole(n, "n", minimum=1, what="a whole count")
    successes = check_whole(successes, "successes", minimum=0, maximum=n, what="a whole count")
    low, high = proportion_confint(successes, n, alpha=1 - ci, method="wilson")
    # At 0 or n successes the bound is exactly 0 or 1; rounding must not move it.
    low = 0.0 if successes == 0 else max(float(low), 0.0)
    high = 1.0 if successes == n else min(float(high), 1.0)
    return ConfidenceInterval(low, high)


@dataclass(frozen=True)
class CSATResult(_HasInterval):
    """Percent satisfied (the top boxes) with a Wilson interval, in percent."""

    value: float
    low: float
    high: float
    n: int
    satisfied: int
    scale: int
    top: int
    ci: float
    _again: Callable | None = field(default=None, repr=False, compare=False)



@formerly_positional("scale", "top", "ci")
def csat(ratings, *, scale: int = 5, top: int = 2, ci: float = 0.95, nan_policy: str = "raise") -> CSATResult:
    """Customer satisfaction: share of ratings in the top ``top`` boxes, in percent.

    Parameters
    ----------
    ratings : array-like of int
        Ratings on 1..``scale``.
    scale : int
        Number of scale points (5 by default).
    top : int
        How many top points count as satisfied (2: "4 or 5" on a 5-point scale).
    ci : float
        Confidence level of the Wilson interval.

    Examples
    --------
    >>> result = csat([5, 4, 4, 3, 2, 5, 5, 1, 4, 4])
    >>> result.value, round(result.low, 1), round(result.high, 1)
    (70.0, 39.7, 89.2)
    """
    scale, top = _check_box(scale, top, "top")
    counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
    n = int(counts.sum())
    satisfied = int(counts[scale - top :].sum())
    low, high = wilson_interval(satisfied, n, ci=ci)
    return CSATResult(
        value=100.0 * satisfied / n,
        low=100.0 * low,
        high=100.0 * high,
        n=n,
        satisfied=satisfied,
        scale=scale,
        top=top,
        ci=check_ci(ci),
        _again=functools.partial(csat, ratings, scale=scale, top=top, nan_policy=nan_policy),
    )


@dataclass(frozen=True)
class CESResult(_HasInterval):
    """Customer Effort Score: mean agreement and the share agreeing, with intervals."""

    value: float
    low: float
    high: float
    share_agree: float
    agree_low: float
    agree_high: float
    n: int
    scale: int
    agree_from: int
    ci: float
    _again: Callable | None = field(default=None, repr=False, compare=False)

    mean = deprecated_alias("value", "mean")



@formerly_positional("scale", "ci")
def ces(
    ratings,
    *,
    scale: int = 7,
    ci: float = 0.95,
    agree_from: int | None = None,
    nan_policy: str = "raise",
) -> CESResult:
    """Customer Effort Score on a 1..``scale`` agreement scale ("The company made it easy").

    Returns the mean with a t interval, and the percentage agreeing (``agree_from``
    and above: 5-7 on a 7-point scale, 4-5 on a 5-point one) with a Wilson interval.

    Examples
    --------
    >>> result = ces([7, 6, 5, 5, 3, 2, 6, 7])
    >>> result.value, result.share_agree
    (5.125, 75.0)
    """
    scale = check_scale(scale, minimum=3)
    if agree_from is None:
        agree_from = math.ceil(scale / 2) + 1
    agree_from = check_whole(agree_from, "agree_from", minimum=2, maximum=scale, what="an integer point of the scale")
    ci = check_ci(ci)
    counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
    n = int(counts.sum())
    points = np.arange(1, scale + 1)
    mean = float(np.dot(points, counts) / n)
    if n > 1:
        variance = float(np.dot((points - mean) ** 2, counts) / (n - 1))
        half = t_quantile(ci, n - 1) * math.sqrt(variance / n)
    else:
        half = math.inf
    agree = int(counts[agree_from - 1 :].sum())
    agree_low, agree_high = wilson_interval(agree, n, ci=ci)
    return CESResult(
        value=mean,
        low=max(mean - half, 1.0),
        high=min(mean + half, float(scale)),
        share_agree=100.0 * agree / n,
        agree_low=100.0 * agree_low,
        agree_high=100.0 * agree_high,
        n=n,
        scale=scale,
        agree_from=agree_from,
        ci=ci,
        _again=functools.partial(ces, ratings, scale=scale, agree_from=agree_from, nan_policy=nan_policy),
    )

