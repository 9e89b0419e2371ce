"""Intervals and tests for CX metrics.

Layer 2 of cxlab. NPS intervals follow Rocks (2016), "Interval estimation for the
'net promoter score'", *The American Statistician* 70(4): each response scores +1
(promoter), 0 (passive) or -1 (detractor), so NPS is a mean whose variance per
response is ``(p + d) - (p - d)**2``. Proportions use Wilson's (1927) score interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from ._validate import check_ci, check_nan_policy, check_scale, require_columns
from .metrics import NPSCounts, _check_box, nps_counts, scale_counts

NPS_METHODS = ("wald", "adjusted-wald", "bootstrap")
#: Pseudo-responses added by the adjusted Wald interval (Rocks 2016): 3 in all.
_ADD_PROMOTERS, _ADD_PASSIVES, _ADD_DETRACTORS = 0.75, 1.5, 0.75


class ConfidenceInterval(NamedTuple):
    low: float
    high: float


def _z(ci: float) -> float:
    return float(_scipy_stats.norm.ppf(0.5 + ci / 2))


def _check_method(method: str) -> str:
    if method not in NPS_METHODS:
        raise ValueError(f"method must be one of {NPS_METHODS}, got {method!r}")
    return method


def _check_resamples(n_resamples: int) -> int:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise TypeError(f"n_resamples must be a whole number, got {n_resamples!r}")
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100, got {n_resamples!r}")
    return int(n_resamples)


# --------------------------------------------------------------------------- NPS


@dataclass(frozen=True)
class NPSResult:
    """An NPS with its interval, on the -100..100 scale.

    ``value`` is always the plain sample NPS; ``low`` and ``high`` come from ``method``.
    """

    value: float
    low: float
    high: float
    se: float
    n: int
    promoters: int
    passives: int
    detractors: int
    ci: float
    method: str

    def confidence_interval(self) -> ConfidenceInterval:
        return ConfidenceInterval(self.low, self.high)

    @property
    def margin_of_error(self) -> float:
        """Half the width of the interval, in NPS points."""
        return (self.high - self.low) / 2

    @property
    def shares(self) -> dict[str, float]:
        """Percent promoters, passives and detractors."""
        return {
            "promoters": 100.0 * self.promoters / self.n,
            "passives": 100.0 * self.passives / self.n,
            "detractors": 100.0 * self.detractors / self.n,
        }

    def __str__(self) -> str:
        return (
            f"NPS {self.value:+.1f} ({self.ci:.0%} CI {self.low:+.1f} to {self.high:+.1f}, "
            f"{self.method}, n={self.n})"
        )


def _nps_moments(promoters: float, passives: float, detractors: float) -> tuple[float, float]:
    """Mean of the +1/0/-1 coding and its standard error, both on the -1..1 scale."""
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    mean = p - d
    variance = max((p + d) - mean**2, 0.0)
    return mean, math.sqrt(variance / n)


def _bootstrap_nps(counts: NPSCounts, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """NPS of resampled samples, drawn as multinomial category counts (cost independent of n)."""
    probabilities = np.array([counts.promoters, counts.passives, counts.detractors]) / counts.n
    draws = rng.multinomial(counts.n, probabilities, size=n_resamples)
    return 100.0 * (draws[:, 0] - draws[:, 2]) / counts.n


def nps_from_counts(
    promoters: int,
    passives: int,
    detractors: int,
    ci: float = 0.95,
    method: str = "wald",
    *,
    seed=None,
    n_resamples: int = 10_000,
) -> NPSResult:
    """NPS and its interval from the number of promoters, passives and detractors.

    Parameters
    ----------
    promoters, passives, detractors : int
        Counts of respondents scoring 9-10, 7-8 and 0-6.
    ci : float
        Confidence level, strictly between 0 and 1.
    method : {"wald", "adjusted-wald", "bootstrap"}
        ``"wald"``: value +/- z * se, clipped to -100..100. ``"adjusted-wald"``: the
        same after adding 0.75 promoters, 1.5 passives and 0.75 detractors (Rocks
        2016), which keeps its coverage near the nominal level for small samples.
        ``"bootstrap"``: percentile interval of ``n_resamples`` multinomial resamples
        of the category counts, seeded by ``seed``.

    Examples
    --------
    >>> result = nps_from_counts(promoters=50, passives=30, detractors=20)
    >>> round(result.value, 1), round(result.low, 1), round(result.high, 1)
    (30.0, 14.7, 45.3)
    """
    counts = NPSCounts(promoters=promoters, passives=passives, detractors=detractors)
    ci = check_ci(ci)
    _check_method(method)
    if counts.n == 0:
        raise ValueError("NPS needs at least one respondent; all three counts are 0")
    value = counts.value
    z = _z(ci)

    if method == "wald":
        mean, se = _nps_moments(counts.promoters, counts.passives, counts.detractors)
        low, high = mean - z * se, mean + z * se
        low, high, se = 100 * low, 100 * high, 100 * se
    elif method == "adjusted-wald":
        mean, se = _nps_moments(
            counts.promoters + _ADD_PROMOTERS,
            counts.passives + _ADD_PASSIVES,
            counts.detractors + _ADD_DETRACTORS,
        )
        low, high, se = 100 * (mean - z * se), 100 * (mean + z * se), 100 * se
    else:
        n_resamples = _check_resamples(n_resamples)
        samples = _bootstrap_nps(counts, n_resamples, np.random.default_rng(seed))
        alpha = 1 - ci
        low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2])
        se = float(samples.std(ddof=1))

    return NPSResult(
        value=value,
        low=float(max(low, -100.0)),
        high=float(min(high, 100.0)),
        se=float(se),
        n=counts.n,
        promoters=counts.promoters,
        passives=counts.passives,
        detractors=counts.detractors,
        ci=ci,
        method=method,
    )


def nps(
    scores,
    ci: float = 0.95,
    method: str = "wald",
    *,
    nan_policy: str = "raise",
    seed=None,
    n_resamples: int = 10_000,
) -> NPSResult:
    """Net Promoter Score of 0-10 scores with a confidence interval.

    Parameters
    ----------
    scores : array-like of int
        Answers to "How likely are you to recommend ...?" on 0..10. Lists, numpy
        arrays and pandas Series (nullable ``Int64`` too) are accepted.
    ci : float
        Confidence level, strictly between 0 and 1.
    method : {"wald", "adjusted-wald", "bootstrap"}
        See :func:`nps_from_counts`.
    nan_policy : {"raise", "omit"}
        What to do with missing scores.
    seed : int or numpy Generator, optional
        Seeds the bootstrap; ignored by the other methods.

    Returns
    -------
    NPSResult
        ``value``, ``low``, ``high`` and ``se`` on -100..100, ``n`` and the counts.

    Examples
    --------
    >>> result = nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 9])
    >>> result.value, result.promoters, result.passives, result.detractors
    (40.0, 6, 2, 2)
    >>> round(result.margin_of_error, 1)
    49.6
    """
    counts = nps_counts(scores, nan_policy=nan_policy)
    return nps_from_counts(
        counts.promoters,
        counts.passives,
        counts.detractors,
        ci=ci,
        method=method,
        seed=seed,
        n_resamples=n_resamples,
    )


def enps(scores, ci: float = 0.95, method: str = "wald", **kwargs) -> NPSResult:
    """Employee NPS: the same computation on employees' 0-10 answers.

    Examples
    --------
    >>> enps([9, 10, 6, 7]).value
    25.0
    """
    return nps(scores, ci=ci, method=method, **kwargs)


@dataclass(frozen=True)
class NPSTestResult:
    """Difference between two independent NPS values (a - b), on -200..200."""

    difference: float
    se: float
    statistic: float
    pvalue: float
    low: float
    high: float
    ci: float
    method: str
    n_a: int
    n_b: int

    def confidence_interval(self) -> ConfidenceInterval:
        return ConfidenceInterval(self.low, self.high)

    def __str__(self) -> str:
        return (
            f"NPS difference {self.difference:+.1f} ({self.ci:.0%} CI {self.low:+.1f} to "
            f"{self.high:+.1f}), z={self.statistic:.2f}, p={self.pvalue:.3g}"
        )


def _z_test(difference: float, se: float) -> tuple[float, float]:
    if se > 0:
        statistic = difference / se
        return statistic, float(2 * _scipy_stats.norm.sf(abs(statistic)))
    # Both samples have no spread: any difference is certain, none is no evidence.
    if difference == 0:
        return 0.0, 1.0
    return math.copysign(math.inf, difference), 0.0


def nps_test(
    a,
    b,
    ci: float = 0.95,
    method: str = "wald",
    *,
    nan_policy: str = "raise",
    seed=None,
    n_resamples: int = 10_000,
) -> NPSTestResult:
    """Compare the NPS of two independent samples (for example two quarters or segments).

    ``difference`` is NPS(a) - NPS(b). With ``"wald"`` the standard error is
    ``sqrt(se_a**2 + se_b**2)`` and the interval is the difference +/- z * se;
    ``"adjusted-wald"`` computes both from the adjusted counts of each sample (Rocks
    2016); ``"bootstrap"`` draws both samples' category counts and takes percentiles.
    The z statistic and its two-sided p-value use the method's standard error.

    Examples
    --------
    >>> quarter_2 = [10] * 45 + [8] * 30 + [4] * 25
    >>> quarter_1 = [10] * 40 + [8] * 30 + [4] * 30
    >>> result = nps_test(quarter_2, quarter_1)
    >>> result.difference, round(result.pvalue, 2)
    (10.0, 0.39)
    """
    ci = check_ci(ci)
    _check_method(method)
    counts_a = nps_counts(a, nan_policy=nan_policy)
    counts_b = nps_counts(b, nan_policy=nan_policy)
    difference = counts_a.value - counts_b.value
    z = _z(ci)

    if method in ("wald", "adjusted-wald"):
        extra = (
            (_ADD_PROMOTERS, _ADD_PASSIVES, _ADD_DETRACTORS) if method == "adjusted-wald" else (0, 0, 0)
        )
        mean_a, se_a = _nps_moments(*(c + e for c, e in zip(_triple(counts_a), extra, strict=True)))
        mean_b, se_b = _nps_moments(*(c + e for c, e in zip(_triple(counts_b), extra, strict=True)))
        se = 100 * math.hypot(se_a, se_b)
        centre = 100 * (mean_a - mean_b)
        low, high = centre - z * se, centre + z * se
    else:
        n_resamples = _check_resamples(n_resamples)
        rng = np.random.default_rng(seed)
        samples = _bootstrap_nps(counts_a, n_resamples, rng) - _bootstrap_nps(counts_b, n_resamples, rng)
        alpha = 1 - ci
        low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2])
        se = float(samples.std(ddof=1))

    statistic, pvalue = _z_test(difference, se)
    return NPSTestResult(
        difference=float(difference),
        se=float(se),
        statistic=float(statistic),
        pvalue=pvalue,
        low=float(max(low, -200.0)),
        high=float(min(high, 200.0)),
        ci=ci,
        method=method,
        n_a=counts_a.n,
        n_b=counts_b.n,
    )


def _triple(counts: NPSCounts) -> tuple[int, int, int]:
    return counts.promoters, counts.passives, counts.detractors


# ------------------------------------------------------------ proportions, CSAT, CES


def wilson_interval(successes: int, n: int, ci: float = 0.95) -> ConfidenceInterval:
    """Wilson (1927) score interval for a proportion, on 0..1.

    Examples
    --------
    >>> low, high = wilson_interval(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    """
    ci = check_ci(ci)
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be a whole count, got {value!r}")
    if n <= 0:
        raise ValueError(f"n must be at least 1, got {n!r}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes!r}")
    z = _z(ci)
    p = successes / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    # At 0 or n successes the bound is exactly 0 or 1; rounding must not move it.
    low = 0.0 if successes == 0 else max(centre - half, 0.0)
    high = 1.0 if successes == n else min(centre + half, 1.0)
    return ConfidenceInterval(low, high)


@dataclass(frozen=True)
class CSATResult:
    """Percent satisfied (the top boxes) with a Wilson interval, in percent."""

    value: float
    low: float
    high: float
    n: int
    satisfied: int
    scale: int
    top: int
    ci: float

    def confidence_interval(self) -> ConfidenceInterval:
        return ConfidenceInterval(self.low, self.high)


def csat(ratings, scale: int = 5, top: int = 2, ci: float = 0.95, *, nan_policy: str = "raise") -> CSATResult:
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
    low, high = wilson_interval(satisfied, n, ci)
    return CSATResult(
        value=100.0 * satisfied / n,
        low=100.0 * low,
        high=100.0 * high,
        n=n,
        satisfied=satisfied,
        scale=scale,
        top=top,
        ci=check_ci(ci),
    )


@dataclass(frozen=True)
class CESResult:
    """Customer Effort Score: mean agreement and the share agreeing, with intervals."""

    mean: float
    low: float
    high: float
    share_agree: float
    agree_low: float
    agree_high: float
    n: int
    scale: int
    agree_from: int
    ci: float

    @property
    def value(self) -> float:
        return self.mean

    def confidence_interval(self) -> ConfidenceInterval:
        return ConfidenceInterval(self.low, self.high)


def ces(
    ratings,
    scale: int = 7,
    ci: float = 0.95,
    *,
    agree_from: int | None = None,
    nan_policy: str = "raise",
) -> CESResult:
    """Customer Effort Score on a 1..``scale`` agreement scale ("The company made it easy").

    Returns the mean with a t interval, and the percentage agreeing (``agree_from``
    and above: 5-7 on a 7-point scale, 4-5 on a 5-point one) with a Wilson interval.

    Examples
    --------
    >>> result = ces([7, 6, 5, 5, 3, 2, 6, 7])
    >>> result.mean, result.share_agree
    (5.125, 75.0)
    """
    scale = check_scale(scale, minimum=3)
    if agree_from is None:
        agree_from = math.ceil(scale / 2) + 1
    if isinstance(agree_from, bool) or not isinstance(agree_from, int) or not 2 <= agree_from <= scale:
        raise ValueError(f"agree_from must be an integer 2..{scale}, got {agree_from!r}")
    ci = check_ci(ci)
    counts = scale_counts(ratings, low=1, high=scale, name="ratings", nan_policy=nan_policy)
    n = int(counts.sum())
    points = np.arange(1, scale + 1)
    mean = float(np.dot(points, counts) / n)
    if n > 1:
        variance = float(np.dot((points - mean) ** 2, counts) / (n - 1))
        half = float(_scipy_stats.t.ppf(0.5 + ci / 2, n - 1)) * math.sqrt(variance / n)
    else:
        half = math.inf
    agree = int(counts[agree_from - 1 :].sum())
    agree_low, agree_high = wilson_interval(agree, n, ci)
    return CESResult(
        mean=mean,
        low=max(mean - half, 1.0),
        high=min(mean + half, float(scale)),
        share_agree=100.0 * agree / n,
        agree_low=100.0 * agree_low,
        agree_high=100.0 * agree_high,
        n=n,
        scale=scale,
        agree_from=agree_from,
        ci=ci,
    )


# ---------------------------------------------------------------------- segments

_SEGMENT_METRICS = ("nps", "csat", "ces")


def segment_table(
    df: pd.DataFrame,
    score: str,
    by: str,
    metric: str = "nps",
    ci: float = 0.95,
    *,
    nan_policy: str = "raise",
    **options,
) -> pd.DataFrame:
    """One row per group of ``by``: the metric of column ``score``, its interval and n.

    ``metric`` is ``"nps"`` (0-10 scores), ``"csat"`` or ``"ces"``; ``options`` go to
    that function (for example ``method="adjusted-wald"`` or ``scale=5``). Rows
    follow the sorted group labels; missing group labels are an error.

    Examples
    --------
    >>> survey = pd.DataFrame({"channel": ["chat"] * 4 + ["phone"] * 4,
    ...                        "recommend": [10, 9, 8, 3, 10, 6, 5, 2]})
    >>> segment_table(survey, "recommend", by="channel")[["value", "n"]]
             value  n
    channel
    chat      25.0  4
    phone    -50.0  4
    """
    require_columns(df, score, by)
    check_nan_policy(nan_policy)
    if metric not in _SEGMENT_METRICS:
        raise ValueError(f"metric must be one of {_SEGMENT_METRICS}, got {metric!r}")
    if df[by].isna().any():
        raise ValueError(f"column {by!r} has {int(df[by].isna().sum())} missing group label(s)")
    function = {"nps": nps, "csat": csat, "ces": ces}[metric]
    rows = {}
    for group, part in df.groupby(by, sort=True, observed=True):
        try:
            result = function(part[score], ci=ci, nan_policy=nan_policy, **options)
        except ValueError as error:
            raise ValueError(f"{by}={group!r}, column {score!r}: {error}") from error
        rows[group] = {
            "value": result.value,
            "low": result.low,
            "high": result.high,
            "n": result.n,
        }
        if metric == "nps":
            rows[group].update(
                promoters=result.promoters, passives=result.passives, detractors=result.detractors
            )
    if not rows:
        raise ValueError(f"the DataFrame is empty: no groups in column {by!r}")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = by
    return table
