"""Intervals and tests for CX metrics.

Layer 2 of cxlab. NPS intervals follow Rocks (2016), "Interval estimation for the
'net promoter score'", *The American Statistician* 70(4): each response scores +1
(promoter), 0 (passive) or -1 (detractor), so NPS is a mean whose variance per
response is ``(p + d) - (p - d)**2``. Proportions use Wilson's (1927) score interval.

Group comparisons (:func:`compare_groups`, :func:`adjusted_effect`,
:func:`diff_in_diff`, :func:`bootstrap_interval`) ask whether a difference between
two groups survives once a confounder is held fixed: within strata with
Mantel-Haenszel weights (Sato 1989 for the variance of a risk difference), by OLS with
robust standard errors (statsmodels), or as a before/after change against a control.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from ._validate import check_ci, check_nan_policy, check_scale, drop_missing, require_columns
from .metrics import NPSCounts, _check_box, nps_counts, scale_counts

NPS_METHODS = ("wald", "adjusted-wald", "bootstrap")
#: Pseudo-responses added by the adjusted Wald interval (Rocks 2016): 3 in all.
_ADD_PROMOTERS, _ADD_PASSIVES, _ADD_DETRACTORS = 0.75, 1.5, 0.75


class ConfidenceInterval(NamedTuple):
    low: float
    high: float


class _HasInterval:
    """Results with ``low`` and ``high`` give them as a named pair, as scipy.stats results do."""

    def confidence_interval(self) -> ConfidenceInterval:
        return ConfidenceInterval(self.low, self.high)


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
class NPSResult(_HasInterval):
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
class NPSTestResult(_HasInterval):
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
class CESResult(_HasInterval):
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


# ------------------------------------------------------------ group comparisons
#
# Does a group (certified team leads, a new process) go with a better outcome, and
# does the difference survive once a confounder is held fixed? The functions below
# answer that in four ways: a plain two-group comparison, the same within strata
# pooled with Mantel-Haenszel weights, an OLS model with controls and robust standard
# errors, and a difference-in-differences for a before/after panel with a control
# group. A general row bootstrap covers any other statistic.


@dataclass(frozen=True)
class GroupComparison(_HasInterval):
    """A difference between two groups (``levels[0]`` minus ``levels[1]``) with its interval.

    ``kind`` is ``"mean"`` or ``"proportion"`` (a 0/1 outcome; then the means are shares
    between 0 and 1). ``method`` says how ``se``, ``low``, ``high`` and ``pvalue`` were
    found. With strata, ``table`` has one row per stratum; without, it is ``None``.
    """

    difference: float
    se: float
    low: float
    high: float
    pvalue: float
    levels: tuple
    means: tuple
    n: tuple
    outcome: str
    group: str
    kind: str
    method: str
    ci: float
    strata: str | None = None
    table: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def value(self) -> float:
        return self.difference



def _numeric_outcome(df: pd.DataFrame, outcome: str) -> pd.Series:
    column = df[outcome]
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.astype("float64")
    if not pd.api.types.is_numeric_dtype(column.dtype):
        example = column.dropna().iloc[0] if column.notna().any() else None
        raise TypeError(
            f"outcome column {outcome!r} must be numeric (a score, or 0/1 for a yes/no outcome); "
            f"it has dtype {column.dtype} with values such as {example!r}"
        )
    return column.astype("float64")


def _two_levels(values: pd.Series, group: str, order) -> tuple:
    present = sorted(values.dropna().unique().tolist(), key=lambda level: (str(type(level)), level))
    if order is None:
        if len(present) != 2:
            raise ValueError(
                f"column {group!r} must have exactly two levels to compare, found {len(present)}: {present[:10]}"
                + ("; pass order=(level_a, level_b) to pick two of them" if len(present) > 2 else "")
            )
        return tuple(present)
    if isinstance(order, str) or len(order) != 2 or order[0] == order[1]:
        raise ValueError(f"order must be two different levels of {group!r}, got {order!r}")
    missing = [level for level in order if level not in present]
    if missing:
        raise ValueError(f"order names level(s) {missing} that column {group!r} does not have; it has {present[:10]}")
    return tuple(order)


def _prepare_groups(df, outcome, group, strata, order, nan_policy):
    """Validate, drop or reject missing values, and keep the two compared levels."""
    check_nan_policy(nan_policy)
    columns = [outcome, group] + ([strata] if strata is not None else [])
    require_columns(df, *columns)
    if len(set(columns)) != len(columns):
        raise ValueError(f"outcome, group and strata must be different columns, got {columns}")
    y = _numeric_outcome(df, outcome)
    frame = pd.DataFrame({"y": y, "g": df[group]})
    if strata is not None:
        frame["s"] = df[strata]
    frame = drop_missing(frame, columns, nan_policy)
    if frame.empty:
        raise ValueError(f"no rows to compare: the DataFrame has no complete values in {columns}")
    if not np.isfinite(frame["y"].to_numpy()).all():
        raise ValueError(f"outcome column {outcome!r} has an infinite value")
    levels = _two_levels(frame["g"], group, order)
    frame = frame[frame["g"].isin(levels)]
    values = frame["y"].to_numpy()
    kind = "proportion" if np.isin(values, (0.0, 1.0)).all() else "mean"
    return frame, levels, kind


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Welch's standard error of mean(a) - mean(b) and its degrees of freedom."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return 0.0, math.inf
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return se, df


def _need_two_each(frame, levels, group, where=""):
    counts = frame.groupby("g", observed=True).size()
    for level in levels:
        if counts.get(level, 0) < 2:
            raise ValueError(
                f"group {group}={level!r}{where} has {int(counts.get(level, 0))} row(s); "
                "a mean difference needs at least 2 in each group to estimate its spread"
            )


def _plain_difference(frame, levels, kind, group, ci):
    a = frame.loc[frame["g"] == levels[0], "y"].to_numpy()
    b = frame.loc[frame["g"] == levels[1], "y"].to_numpy()
    difference = float(a.mean() - b.mean())
    if kind == "proportion":
        from statsmodels.stats.proportion import confint_proportions_2indep

        xa, xb = int(a.sum()), int(b.sum())
        pa, pb = xa / a.size, xb / b.size
        se = math.sqrt(pa * (1 - pa) / a.size + pb * (1 - pb) / b.size)
        low, high = confint_proportions_2indep(xa, a.size, xb, b.size, method="newcomb", compare="diff", alpha=1 - ci)
        pooled = (xa + xb) / (a.size + b.size)
        se_null = math.sqrt(pooled * (1 - pooled) * (1 / a.size + 1 / b.size))
        pvalue = 1.0 if se_null == 0 else float(2 * _scipy_stats.norm.sf(abs(difference) / se_null))
        method = "Newcombe hybrid score interval; pooled z test (Pearson chi-square)"
        return difference, se, float(low), float(high), pvalue, method
    _need_two_each(frame, levels, group)
    se, dof = _welch(a, b)
    if se == 0:
        pvalue = 1.0 if difference == 0 else 0.0
        return difference, 0.0, difference, difference, pvalue, "Welch t"
    t = float(_scipy_stats.t.ppf(0.5 + ci / 2, dof))
    pvalue = float(2 * _scipy_stats.t.sf(abs(difference) / se, dof))
    return difference, se, difference - t * se, difference + t * se, pvalue, "Welch t"


def _stratum_table(frame, levels, kind, group, strata):
    rows = {}
    for stratum, part in frame.groupby("s", sort=True, observed=True):
        a = part.loc[part["g"] == levels[0], "y"].to_numpy()
        b = part.loc[part["g"] == levels[1], "y"].to_numpy()
        if a.size == 0 or b.size == 0:
            empty = levels[0] if a.size == 0 else levels[1]
            raise ValueError(
                f"stratum {strata}={stratum!r} has no rows with {group}={empty!r}, so it says nothing "
                "about the difference; merge it with a neighbouring stratum or leave it out"
            )
        if kind == "mean" and (a.size < 2 or b.size < 2):
            small = levels[0] if a.size < 2 else levels[1]
            raise ValueError(
                f"stratum {strata}={stratum!r} has a single row with {group}={small!r}; a mean difference "
                "needs at least 2 in each group of every stratum (merge small strata)"
            )
        ma, mb = float(a.mean()), float(b.mean())
        if kind == "proportion":
            variance = ma * (1 - ma) / a.size + mb * (1 - mb) / b.size
        else:
            variance = a.var(ddof=1) / a.size + b.var(ddof=1) / b.size
        rows[stratum] = {
            f"n_{levels[0]}": a.size,
            f"n_{levels[1]}": b.size,
            f"mean_{levels[0]}": ma,
            f"mean_{levels[1]}": mb,
            "difference": ma - mb,
            "se": math.sqrt(variance),
            "successes_a": float(a.sum()),
            "successes_b": float(b.sum()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = strata
    return table


def _mantel_haenszel(table, levels, kind, ci):
    n_a = table[f"n_{levels[0]}"].to_numpy(dtype=float)
    n_b = table[f"n_{levels[1]}"].to_numpy(dtype=float)
    total = n_a + n_b
    weights = n_a * n_b / total
    w_sum = weights.sum()
    difference = float((weights * table["difference"].to_numpy()).sum() / w_sum)
    if kind == "proportion":
        # Sato (1989): consistent both for many small strata and for a few large ones.
        x_a, x_b = table["successes_a"].to_numpy(), table["successes_b"].to_numpy()
        p_term = (n_a**2 * x_b - n_b**2 * x_a + n_a * n_b * (n_b - n_a) / 2) / total**2
        q_term = (x_a * (n_b - x_b) + x_b * (n_a - x_a)) / (2 * total)
        variance = max((difference * p_term.sum() + q_term.sum()) / w_sum**2, 0.0)
        method = "Mantel-Haenszel risk difference, Sato (1989) variance, z test"
    else:
        variance = float((weights**2 * table["se"].to_numpy() ** 2).sum() / w_sum**2)
        method = "Mantel-Haenszel weighted mean difference, z test"
    se = math.sqrt(variance)
    z = _z(ci)
    if se == 0:
        pvalue = 1.0 if difference == 0 else 0.0
    else:
        pvalue = float(2 * _scipy_stats.norm.sf(abs(difference) / se))
    return difference, se, difference - z * se, difference + z * se, pvalue, weights / w_sum, method


def compare_groups(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    strata: str | None = None,
    ci: float = 0.95,
    *,
    order=None,
    nan_policy: str = "raise",
) -> GroupComparison:
    """Difference in mean (or proportion) of ``outcome`` between the two levels of ``group``.

    Parameters
    ----------
    df : DataFrame
        One row per unit (customer, team, patient).
    outcome : str
        A numeric column. When it holds only 0 and 1 the difference is one of
        proportions (shares between 0 and 1, not percentages).
    group : str
        A column with exactly two levels (or more, with ``order`` picking two).
    strata : str, optional
        A column that defines strata (for example a confounder's levels). The result
        is then the Mantel-Haenszel weighted difference: each stratum's difference
        weighted by ``n_a * n_b / (n_a + n_b)``, and ``table`` holds the per-stratum
        differences with their intervals and weights.
    ci : float
        Confidence level of the interval.
    order : (level_a, level_b), optional
        Which level comes first: the result is ``level_a - level_b``. By default the
        level that sorts first minus the other.
    nan_policy : {"raise", "omit"}
        What to do with rows that have a missing outcome, group or stratum.

    Returns
    -------
    GroupComparison
        ``difference``, ``se``, ``low``, ``high`` and ``pvalue``, plus ``levels``,
        the two groups' ``means`` and sizes ``n``. Without strata, a mean difference
        uses Welch's t; a difference of proportions uses Newcombe's hybrid score
        interval and the pooled z test (the same p-value as Pearson's chi-square).
        With strata, a normal (z) interval around the Mantel-Haenszel estimate, with
        Sato's (1989) variance for proportions.

    Examples
    --------
    The kidney-stone data (Charig et al. 1986): open surgery looks worse overall,
    yet it is better for small stones and for large ones.

    >>> from cxlab.data import load_kidney_stones
    >>> stones = load_kidney_stones()
    >>> overall = compare_groups(stones, "success", "treatment")
    >>> overall.levels, round(overall.difference, 3)
    (('open surgery', 'percutaneous'), -0.046)
    >>> pooled = compare_groups(stones, "success", "treatment", strata="stone_size")
    >>> round(pooled.difference, 3)
    0.054
    >>> pooled.table["difference"].round(3).to_dict()
    {'large': 0.043, 'small': 0.064}
    """
    ci = check_ci(ci)
    frame, levels, kind = _prepare_groups(df, outcome, group, strata, order, nan_policy)
    overall_means = tuple(float(frame.loc[frame["g"] == level, "y"].mean()) for level in levels)
    sizes = tuple(int((frame["g"] == level).sum()) for level in levels)
    if strata is None:
        difference, se, low, high, pvalue, method = _plain_difference(frame, levels, kind, group, ci)
        table = None
    else:
        table = _stratum_table(frame, levels, kind, group, strata)
        difference, se, low, high, pvalue, weights, method = _mantel_haenszel(table, levels, kind, ci)
        z = _z(ci)
        table = table.drop(columns=["successes_a", "successes_b"])
        table["low"] = table["difference"] - z * table["se"]
        table["high"] = table["difference"] + z * table["se"]
        table["weight"] = weights
    return GroupComparison(
        difference=difference,
        se=float(se),
        low=float(low),
        high=float(high),
        pvalue=float(pvalue),
        levels=levels,
        means=overall_means,
        n=sizes,
        outcome=outcome,
        group=group,
        kind=kind,
        method=method,
        ci=ci,
        strata=strata,
        table=table,
    )


# -------------------------------------------------------------- adjusted effect

COV_TYPES = ("HC0", "HC1", "HC2", "HC3", "nonrobust")


@dataclass(frozen=True)
class AdjustedEffect(_HasInterval):
    """The difference between two groups after holding ``controls`` fixed in an OLS model.

    ``effect`` is the coefficient of the indicator "row is in ``levels[0]``" (so it
    reads like :func:`compare_groups`: ``levels[0]`` minus ``levels[1]``). ``model``
    is the fitted statsmodels result, for the full coefficient table.
    """

    effect: float
    se: float
    low: float
    high: float
    pvalue: float
    levels: tuple
    outcome: str
    group: str
    controls: tuple
    n: int
    r_squared: float
    cov_type: str
    ci: float
    model: object = field(repr=False, compare=False)

    @property
    def value(self) -> float:
        return self.effect



def _design_columns(frame: pd.DataFrame, controls: list[str]) -> pd.DataFrame:
    """Numeric controls as they are; text, category and yes/no controls as 0/1 dummies."""
    parts = []
    for column in controls:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values.dtype):
            parts.append(values.astype("float64").rename(column))
        elif pd.api.types.is_numeric_dtype(values.dtype):
            parts.append(values.astype("float64"))
        else:
            dummies = pd.get_dummies(values.astype("str"), prefix=column, prefix_sep="=", drop_first=True, dtype="float64")
            if dummies.shape[1] == 0:
                raise ValueError(f"control {column!r} has a single level, so it cannot be adjusted for")
            parts.append(dummies)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def adjusted_effect(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    controls=(),
    ci: float = 0.95,
    *,
    order=None,
    cov_type: str = "HC3",
    nan_policy: str = "raise",
) -> AdjustedEffect:
    """Group difference in ``outcome`` adjusted for ``controls`` by OLS, robust standard errors.

    Fits ``outcome ~ 1 + [group == levels[0]] + controls`` with statsmodels. Numeric
    controls enter as they are (a straight line); text or categorical ones as
    dummies. Standard errors are heteroskedasticity-robust (``cov_type="HC3"`` by
    default; ``"nonrobust"`` gives the classical ones).

    Without controls and with ``cov_type="HC2"`` the result equals Welch's comparison
    of the two means; with ``"nonrobust"``, Student's pooled t test.

    Examples
    --------
    >>> from cxlab.data import load_teams
    >>> teams = load_teams()
    >>> naive = adjusted_effect(teams, "nps", "certificate")
    >>> adjusted = adjusted_effect(teams, "nps", "certificate", controls=["maturity", "budget_per_agent"])
    >>> naive.levels
    ('certified', 'none')
    >>> bool(naive.effect > 5 and abs(adjusted.effect) < naive.effect / 2)
    True
    """
    import statsmodels.api as sm

    ci = check_ci(ci)
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if isinstance(controls, str):
        controls = [controls]
    controls = list(controls)
    check_nan_policy(nan_policy)
    require_columns(df, outcome, group, *controls)
    if outcome in controls or group in controls:
        raise ValueError(f"controls {controls} must not include the outcome {outcome!r} or the group {group!r}")
    y = _numeric_outcome(df, outcome)
    frame = pd.concat([y.rename("__y"), df[[group, *controls]]], axis=1)
    frame = drop_missing(frame, [outcome, group, *controls], nan_policy)
    levels = _two_levels(frame[group], group, order)
    frame = frame[frame[group].isin(levels)]
    indicator = (frame[group] == levels[0]).astype("float64").rename(f"{group}={levels[0]}")
    design = pd.concat([indicator, _design_columns(frame, controls)], axis=1)
    design = sm.add_constant(design, has_constant="add")
    if len(frame) <= design.shape[1]:
        raise ValueError(f"{len(frame)} rows are too few for a model with {design.shape[1]} coefficients")
    if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
        raise ValueError(
            f"the group and controls {controls} are collinear (one is a combination of the others), "
            "so their effects cannot be told apart; drop a control"
        )
    fit = sm.OLS(frame["__y"], design).fit(cov_type=cov_type)
    name = indicator.name
    low, high = fit.conf_int(alpha=1 - ci).loc[name]
    return AdjustedEffect(
        effect=float(fit.params[name]),
        se=float(fit.bse[name]),
        low=float(low),
        high=float(high),
        pvalue=float(fit.pvalues[name]),
        levels=levels,
        outcome=outcome,
        group=group,
        controls=tuple(controls),
        n=int(fit.nobs),
        r_squared=float(fit.rsquared),
        cov_type=cov_type,
        ci=ci,
        model=fit,
    )


# ------------------------------------------------------ difference in differences


@dataclass(frozen=True)
class DiDResult(_HasInterval):
    """Difference-in-differences: the treated group's change minus the control group's change.

    ``means`` is the 2 x 2 table of mean outcomes (rows: treated, control; columns:
    before, after) with a ``change`` column; ``estimate`` is the difference of the two
    changes. ``method`` says how the standard error was found.
    """

    estimate: float
    se: float
    low: float
    high: float
    pvalue: float
    treated: object
    control: object
    before: object
    after: object
    n_treated: int
    n_control: int
    outcome: str
    method: str
    ci: float
    means: pd.DataFrame = field(repr=False, compare=False)

    @property
    def value(self) -> float:
        return self.estimate

    @property
    def treated_change(self) -> float:
        """The treated group's before/after change: what a comparison without a control group reports."""
        return float(self.means.loc[self.treated, "change"])

    @property
    def control_change(self) -> float:
        return float(self.means.loc[self.control, "change"])



def _pick_level(present: list, chosen, name: str, column: str):
    if chosen not in present:
        raise ValueError(f"{name}={chosen!r} is not a level of column {column!r}; it has {present[:10]}")
    return chosen


def diff_in_diff(
    panel: pd.DataFrame,
    outcome: str,
    group: str,
    period: str,
    *,
    treated,
    control=None,
    unit: str | None = None,
    before=None,
    after=None,
    ci: float = 0.95,
    nan_policy: str = "raise",
) -> DiDResult:
    """Difference-in-differences estimate for a two-period panel with a control group.

    ``(treated after - treated before) - (control after - control before)``, in the
    means of ``outcome``. A common trend that moves every group (a season, a price
    change) cancels out; what remains is the treated group's extra change, which is
    the effect of the treatment if the two groups would otherwise have moved in
    parallel.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period (long format).
    outcome, group, period : str
        Columns: the numeric outcome, the arm each unit belongs to, and the period.
    treated, control :
        Levels of ``group``. ``control`` may be left out when ``group`` has two levels.
    unit : str, optional
        The unit identifier. With it, each unit must appear once in each period; the
        estimate is then the Welch comparison of the units' own changes, which removes
        fixed differences between units from the standard error. Without it (repeated
        cross-sections), OLS with an interaction term and HC3-robust errors.
    before, after :
        Levels of ``period``; by default the two levels in sorted order.

    Examples
    --------
    >>> from cxlab.data import load_team_panel
    >>> panel = load_team_panel()
    >>> fix = diff_in_diff(panel, "days_to_resolve", "arm", "period", treated="process fix",
    ...                    control="none", unit="team")
    >>> bool(fix.high < 0)
    True
    """
    ci = check_ci(ci)
    check_nan_policy(nan_policy)
    columns = [outcome, group, period] + ([unit] if unit is not None else [])
    require_columns(panel, *columns)
    y = _numeric_outcome(panel, outcome)
    frame = pd.DataFrame({"y": y, "g": panel[group], "t": panel[period]})
    if unit is not None:
        frame["u"] = panel[unit]
    frame = drop_missing(frame, columns, nan_policy)
    groups = sorted(frame["g"].unique().tolist(), key=str)
    treated = _pick_level(groups, treated, "treated", group)
    if control is None:
        others = [level for level in groups if level != treated]
        if len(others) != 1:
            raise ValueError(f"column {group!r} has levels {groups}; say which is the control with control=...")
        control = others[0]
    control = _pick_level(groups, control, "control", group)
    if control == treated:
        raise ValueError(f"treated and control must be different levels of {group!r}, both are {treated!r}")
    periods = sorted(frame["t"].unique().tolist(), key=str)
    if before is None and after is None:
        if len(periods) != 2:
            raise ValueError(
                f"column {period!r} must have exactly two periods, found {len(periods)}: {periods[:10]}; "
                "pass before=... and after=... to pick two"
            )
        before, after = periods
    elif before is None or after is None:
        raise ValueError("pass both before=... and after=..., or neither")
    before = _pick_level(periods, before, "before", period)
    after = _pick_level(periods, after, "after", period)
    if before == after:
        raise ValueError(f"before and after must be different periods, both are {before!r}")
    frame = frame[frame["g"].isin([treated, control]) & frame["t"].isin([before, after])]

    cells = frame.groupby(["g", "t"], observed=True)["y"]
    sizes, cell_means = cells.size(), cells.mean()
    for arm in (treated, control):
        for moment in (before, after):
            if sizes.get((arm, moment), 0) < 2:
                raise ValueError(
                    f"{group}={arm!r} has {int(sizes.get((arm, moment), 0))} row(s) in {period}={moment!r}; "
                    "each arm needs at least 2 in each period"
                )
    means = pd.DataFrame(
        {
            before: [cell_means[treated, before], cell_means[control, before]],
            after: [cell_means[treated, after], cell_means[control, after]],
        },
        index=pd.Index([treated, control], name=group),
    )
    means.columns.name = period
    means["change"] = means[after] - means[before]
    estimate = float(means.loc[treated, "change"] - means.loc[control, "change"])

    if unit is not None:
        counts = frame.groupby(["u", "t"], observed=True).size().unstack(fill_value=0)
        counts = counts.reindex(columns=[before, after], fill_value=0)
        unbalanced = counts.index[(counts != 1).any(axis=1)].tolist()
        if unbalanced:
            raise ValueError(
                f"with unit={unit!r} every unit needs exactly one row in {before!r} and one in {after!r}; "
                f"{len(unbalanced)} do not, for example {unbalanced[:5]}"
            )
        arms = frame.groupby("u", observed=True)["g"].nunique()
        switching = arms.index[arms > 1].tolist()
        if switching:
            raise ValueError(f"unit(s) {switching[:5]} change {group!r} between periods; a unit belongs to one arm")
        wide = frame.pivot(index="u", columns="t", values="y")
        change = wide[after] - wide[before]
        arm_of = frame.groupby("u", observed=True)["g"].first()
        a = change[arm_of == treated].to_numpy()
        b = change[arm_of == control].to_numpy()
        se, dof = _welch(a, b)
        crit = float(_scipy_stats.t.ppf(0.5 + ci / 2, dof)) if se > 0 else 0.0
        pvalue = float(2 * _scipy_stats.t.sf(abs(estimate) / se, dof)) if se > 0 else float(estimate == 0)
        method = "Welch t on each unit's change"
        n_treated, n_control = a.size, b.size
    else:
        import statsmodels.api as sm

        is_treated = (frame["g"] == treated).astype("float64")
        is_after = (frame["t"] == after).astype("float64")
        design = pd.DataFrame({"const": 1.0, "treated": is_treated, "after": is_after, "did": is_treated * is_after})
        fit = sm.OLS(frame["y"], design).fit(cov_type="HC3")
        se = float(fit.bse["did"])
        crit = _z(ci)
        pvalue = float(fit.pvalues["did"])
        method = "OLS with interaction, HC3 robust z"
        n_treated, n_control = int(is_treated.sum()), int((1 - is_treated).sum())
    return DiDResult(
        estimate=estimate,
        se=float(se),
        low=estimate - crit * se,
        high=estimate + crit * se,
        pvalue=pvalue,
        treated=treated,
        control=control,
        before=before,
        after=after,
        n_treated=int(n_treated),
        n_control=int(n_control),
        outcome=outcome,
        method=method,
        ci=ci,
        means=means,
    )


# ------------------------------------------------------------------- bootstrap

BOOTSTRAP_METHODS = ("percentile", "basic", "bca")


@dataclass(frozen=True)
class BootstrapResult(_HasInterval):
    """A statistic of a DataFrame with a bootstrap interval.

    ``distribution`` holds the statistic on every resample.
    """

    estimate: float
    low: float
    high: float
    se: float
    ci: float
    method: str
    n_resamples: int
    distribution: np.ndarray = field(repr=False, compare=False)

    @property
    def value(self) -> float:
        return self.estimate



def _as_statistic_value(value, where: str) -> float:
    value = getattr(value, "value", value)
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"statistic must return one number (or a result with .value); {where} it returned {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"statistic returned {value!r} {where}; it must be finite on every resample")
    return value


def bootstrap_interval(
    df: pd.DataFrame,
    statistic,
    *,
    n_resamples: int = 2000,
    ci: float = 0.95,
    seed=None,
    strata: str | None = None,
    method: str = "percentile",
) -> BootstrapResult:
    """Bootstrap interval for any statistic of a DataFrame, resampling rows.

    Parameters
    ----------
    df : DataFrame
        The data; rows are resampled with replacement.
    statistic : callable
        ``statistic(frame) -> float`` (or a result with a ``.value``), for example
        ``lambda d: compare_groups(d, "nps", "certificate").difference``.
    n_resamples : int
        Number of resamples (at least 100).
    seed : int or numpy Generator
        Makes the interval reproducible. Required: an unseeded interval would change
        every time the notebook runs.
    strata : str, optional
        Resample within each level of this column, keeping every level's row count:
        use it for the group column, so that no resample loses a group.
    method : {"percentile", "basic", "bca"}
        ``"bca"`` (bias-corrected and accelerated, Efron 1987) also runs the
        statistic once per row for the jackknife.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": np.arange(1.0, 101.0)})
    >>> result = bootstrap_interval(frame, lambda d: d["x"].mean(), seed=1)
    >>> result.estimate, round(result.low, 1), round(result.high, 1)
    (50.5, 44.6, 56.0)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if not callable(statistic):
        raise TypeError(f"statistic must be a function of a DataFrame, got {statistic!r}")
    if method not in BOOTSTRAP_METHODS:
        raise ValueError(f"method must be one of {BOOTSTRAP_METHODS}, got {method!r}")
    if seed is None:
        raise ValueError("seed is required (an int or a numpy Generator) so that the interval is reproducible")
    ci = check_ci(ci)
    n_resamples = _check_resamples(n_resamples)
    if len(df) < 2:
        raise ValueError(f"the DataFrame has {len(df)} row(s); a bootstrap needs at least 2")
    rng = np.random.default_rng(seed)
    data = df.reset_index(drop=True)
    estimate = _as_statistic_value(statistic(data), "on the data")

    if strata is None:
        blocks = [np.arange(len(data))]
    else:
        require_columns(data, strata)
        if data[strata].isna().any():
            raise ValueError(f"strata column {strata!r} has missing values")
        blocks = [np.asarray(rows) for rows in data.groupby(strata, sort=True, observed=True).indices.values()]

    distribution = np.empty(n_resamples)
    for k in range(n_resamples):
        rows = np.concatenate([block[rng.integers(0, block.size, block.size)] for block in blocks])
        try:
            value = statistic(data.iloc[rows])
        except (ValueError, TypeError, ZeroDivisionError) as error:
            hint = "" if strata is not None else " (pass strata=<group column> to keep every group in each resample)"
            raise ValueError(f"statistic failed on bootstrap resample {k + 1}: {error}{hint}") from error
        distribution[k] = _as_statistic_value(value, f"on resample {k + 1}")

    alpha = 1 - ci
    if method == "percentile":
        low, high = np.quantile(distribution, [alpha / 2, 1 - alpha / 2])
    elif method == "basic":
        upper, lower = np.quantile(distribution, [1 - alpha / 2, alpha / 2])
        low, high = 2 * estimate - upper, 2 * estimate - lower
    else:
        below = np.mean(distribution < estimate) + 0.5 * np.mean(distribution == estimate)
        if below in (0.0, 1.0):
            raise ValueError("every resample falls on one side of the estimate; BCa is undefined, use 'percentile'")
        bias = _scipy_stats.norm.ppf(below)
        jackknife = np.array([
            _as_statistic_value(statistic(data.drop(index=i)), f"without row {i}") for i in range(len(data))
        ])
        spread = jackknife.mean() - jackknife
        denominator = 6 * (np.sum(spread**2)) ** 1.5
        acceleration = float(np.sum(spread**3) / denominator) if denominator > 0 else 0.0
        z = _scipy_stats.norm.ppf([alpha / 2, 1 - alpha / 2])
        adjusted = _scipy_stats.norm.cdf(bias + (bias + z) / (1 - acceleration * (bias + z)))
        low, high = np.quantile(distribution, adjusted)
    return BootstrapResult(
        estimate=estimate,
        low=float(low),
        high=float(high),
        se=float(distribution.std(ddof=1)),
        ci=ci,
        method=method,
        n_resamples=n_resamples,
        distribution=distribution,
    )
