"""NPS and eNPS with confidence intervals, and the test of a difference between two NPS values.

Layer 2 of cxlab (statistics). Each response scores +1 (promoter), 0 (passive) or -1
(detractor), so NPS is a mean whose variance per response is ``(p + d) - (p - d)**2``
(Rocks 2016, "Interval estimation for the 'net promoter score'", *The American
Statistician* 70(4)). No kept library computes trinomial-mean intervals or the
multinomial-count bootstrap, so they are written here. Imports numpy,
:mod:`cxlab._validate`, :mod:`cxlab.metrics` and :mod:`cxlab.stats.common`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import check_ci
from ..metrics import NPSCounts, nps_counts
from .common import _HasInterval, check_resamples, normal_quantile, two_sided_test

NPS_METHODS = ("wald", "adjusted-wald", "bootstrap")
#: Pseudo-responses added by the adjusted Wald interval (Rocks 2016): 3 in all.
_ADD_PROMOTERS, _ADD_PASSIVES, _ADD_DETRACTORS = 0.75, 1.5, 0.75


def _check_method(method: str) -> str:
    if method not in NPS_METHODS:
        raise ValueError(f"method must be one of {NPS_METHODS}, got {method!r}")
    return method

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
    z = normal_quantile(ci)

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
        n_resamples = check_resamples(n_resamples)
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
    z = normal_quantile(ci)

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
        n_resamples = check_resamples(n_resamples)
        rng = np.random.default_rng(seed)
        samples = _bootstrap_nps(counts_a, n_resamples, rng) - _bootstrap_nps(counts_b, n_resamples, rng)
        alpha = 1 - ci
        low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2])
        se = float(samples.std(ddof=1))

    statistic, pvalue = two_sided_test(difference, se)
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

