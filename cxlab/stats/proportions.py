"""Proportions and rating scales: Wilson intervals, CSAT (top boxes) and CES.

Layer 2 of cxlab (statistics). The Wilson score interval comes from statsmodels
(``proportion_confint(method="wilson")``), imported when first needed; the CES mean's t
interval from :mod:`cxlab.stats.common`. With ``weights=`` the shares are weighted and the
intervals use Kish's effective sample size (:mod:`cxlab.stats.weights`). Imports numpy,
:mod:`cxlab._validate`, :mod:`cxlab.metrics`, :mod:`cxlab.stats.common` and
:mod:`cxlab.stats.weights`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check_ci, check_scale, check_whole
from ..metrics import _check_box, scale_counts
from .common import (ConfidenceInterval, IntervalRule, NormalInterval, _HasInterval, deprecated_alias,
                     formerly_positional, interval_at)
from .weights import weighted_scale_counts


def _wilson_percent(successes: float, n: float, ci: float) -> tuple[float, float]:
    """Wilson bounds in percent for a (possibly weighted, so fractional) count out of an effective n."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(successes, n, alpha=1 - ci, method="wilson")
    low = 0.0 if successes <= 0 else max(float(low), 0.0)
    high = 1.0 if successes >= n else min(float(high), 1.0)
    return 100.0 * low, 100.0 * high


@dataclass(frozen=True)
class WilsonInterval(IntervalRule):
    """Wilson's interval in percent from a (possibly weighted) count of ``successes`` out of ``n``.

    It always holds the share ``successes / n``: the score test does not reject the
    share it was computed at.
    """

    successes: float
    n: float
    method = "Wilson"

    def __call__(self, level: float) -> tuple[float, float]:
        return _wilson_percent(self.successes, self.n, level)


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
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)
    #: Kish's effective sample size behind the interval: ``n`` without weights.
    effective_n: float | None = None



@formerly_positional("scale", "top", "ci")
def csat(ratings, *, scale: int = 5, top: int = 2, ci: float = 0.95, nan_policy: str = "raise",
         weights=None) -> CSATResult:
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
    weights : array-like of float, optional
        One survey weight per rating (for example from :func:`cxlab.rake`). The value
        is then the weighted share, ``satisfied`` the ratings in the top boxes (a
        count of people, unweighted), and the Wilson interval is computed on Kish's
        effective sample size ``effective_n`` instead of ``n``.

    Examples
    --------
    >>> result = csat([5, 4, 4, 3, 2, 5, 5, 1, 4, 4])
    >>> result.value, round(result.low, 1), round(result.high, 1)
    (70.0, 39.7, 89.2)
    >>> weighted = csat([5, 4, 2, 1], weights=[1, 1, 3, 3])
    >>> weighted.value, weighted.effective_n
    (25.0, 3.2)
    """
    scale, top = _check_box(scale, top, "top")
    ci = check_ci(ci)
    if weights is not None:
        totals, n, effective_n = weighted_scale_counts(ratings, weights, low=1, high=scale, name="ratings",
                                                       nan_policy=nan_policy)
        counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy="omit")
        rule = WilsonInterval(float(totals[scale - top :].sum()), effective_n)
    else:
        counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
        n = int(counts.sum())
        effective_n = float(n)
        rule = WilsonInterval(int(counts[scale - top :].sum()), n)
    value = 100.0 * rule.successes / effective_n
    low, high = interval_at(rule, value, ci, "CSATResult")
    return CSATResult(value=value, low=low, high=high, n=n, satisfied=int(counts[scale - top :].sum()),
                      scale=scale, top=top, ci=ci, _interval=rule, effective_n=effective_n)


@dataclass(frozen=True)
class ProportionResult(_HasInterval):
    """A share in percent with its Wilson interval; with weights, on Kish's effective sample size."""

    value: float
    low: float
    high: float
    n: int
    successes: int
    effective_n: float
    ci: float
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)


def _bools_as_ints(flags):
    """True/False answers as 1/0 (missing ones kept), so that the scale checks can count them."""
    if isinstance(flags, pd.Series):
        if flags.dtype == "boolean":
            return flags.astype("Int64")
        if pd.api.types.is_bool_dtype(flags.dtype):
            return flags.astype("int64")
        if flags.dtype == object:
            return flags.map(lambda flag: int(flag) if isinstance(flag, bool | np.bool_) else flag)
        return flags
    if isinstance(flags, np.ndarray) and flags.dtype.kind == "b":
        return flags.astype(np.int64)
    if isinstance(flags, list | tuple):
        return [int(flag) if isinstance(flag, bool | np.bool_) else flag for flag in flags]
    return flags


@formerly_positional("ci")
def proportion(flags, *, ci: float = 0.95, nan_policy: str = "raise", weights=None) -> ProportionResult:
    """The percentage of answers that are true (1), with a Wilson interval; weighted when asked.

    Parameters
    ----------
    flags : array-like of bool or 0/1
        One answer each: ``True``/1 counts (for example "dissatisfied"), ``False``/0 not.
    ci : float
        Confidence level.
    nan_policy : {"raise", "omit"}
        What to do with missing answers.
    weights : array-like of float, optional
        Survey weights: the value is then the weighted percentage and the interval the
        Wilson interval at Kish's effective sample size ``effective_n``, the
        approximation that assumes the weights unrelated to the answer. Without
        weights it is the plain Wilson interval (``effective_n`` equals ``n``).

    Examples
    --------
    >>> result = proportion([True, True, False, True])
    >>> result.value, round(result.low, 1), round(result.high, 1)
    (75.0, 30.1, 95.4)
    >>> proportion([1, 1, 0, 0], weights=[1, 1, 1, 3]).value
    33.33333333333333
    """
    ci = check_ci(ci)
    values = _bools_as_ints(flags)
    if weights is not None:
        totals, n, effective_n = weighted_scale_counts(values, weights, low=0, high=1, name="flags",
                                                       nan_policy=nan_policy)
        counts = scale_counts(values, low=0, high=1, name="flags", nan_policy="omit")
        rule = WilsonInterval(float(totals[1]), effective_n)
    else:
        counts = scale_counts(values, low=0, high=1, name="flags", nan_policy=nan_policy)
        n = int(counts.sum())
        effective_n = float(n)
        rule = WilsonInterval(int(counts[1]), n)
    value = 100.0 * rule.successes / effective_n
    low, high = interval_at(rule, value, ci, "ProportionResult")
    return ProportionResult(value=value, low=low, high=high, n=n, successes=int(counts[1]),
                            effective_n=effective_n, ci=ci, _interval=rule)


@dataclass(frozen=True)
class CESResult(_HasInterval):
    """Customer Effort Score: mean agreement (on the scale) and the percentage agreeing, with intervals.

    ``share_agree``, ``agree_low`` and ``agree_high`` are in percent, as CSAT is: a survey
    score in the points it is reported in.
    """

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
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)
    #: Kish's effective sample size behind the intervals: ``n`` without weights.
    effective_n: float | None = None

    mean = deprecated_alias("value", "mean")



@formerly_positional("scale", "ci")
def ces(
    ratings,
    *,
    scale: int = 7,
    ci: float = 0.95,
    agree_from: int | None = None,
    nan_policy: str = "raise",
    weights=None,
) -> CESResult:
    """Customer Effort Score on a 1..``scale`` agreement scale ("The company made it easy").

    Returns the mean with a t interval, and the percentage agreeing (``agree_from``
    and above: 5-7 on a 7-point scale, 4-5 on a 5-point one) with a Wilson interval.
    With ``weights`` both are weighted and both intervals use Kish's effective sample
    size (the t interval with ``effective_n - 1`` degrees of freedom).

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
    if weights is not None:
        counts, n, effective_n = weighted_scale_counts(ratings, weights, low=1, high=scale, name="ratings",
                                                       nan_policy=nan_policy)
    else:
        counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
        n = int(counts.sum())
        effective_n = float(n)
    points = np.arange(1, scale + 1)
    mean = float(np.dot(points, counts) / effective_n)
    if effective_n > 1:
        variance = float(np.dot((points - mean) ** 2, counts) / (effective_n - 1))
        rule = NormalInterval(mean, math.sqrt(variance / effective_n), effective_n - 1, 1.0, float(scale), "t")
    else:
        rule = NormalInterval(mean, math.inf, lower=1.0, upper=float(scale), method="t")
    low, high = interval_at(rule, mean, ci, "CESResult")
    agree = float(counts[agree_from - 1 :].sum())
    agree_low, agree_high = _wilson_percent(agree, effective_n, ci)
    return CESResult(
        value=mean,
        low=low,
        high=high,
        share_agree=100.0 * agree / effective_n,
        agree_low=agree_low,
        agree_high=agree_high,
        n=n,
        scale=scale,
        agree_from=agree_from,
        ci=ci,
        _interval=rule,
        effective_n=effective_n,
    )

