"""NPS and eNPS with confidence intervals, and the test of a difference between two NPS values.

Layer 2 of cxlab (statistics). Each response scores +1 (promoter), 0 (passive) or -1
(detractor), so NPS is a mean whose variance per response is ``(p + d) - (p - d)**2``
(Rocks 2016, "Interval estimation for the 'net promoter score'", *The American
Statistician* 70(4)). No kept library computes trinomial-mean intervals or the
multinomial-count bootstrap, so they are written here. Imports numpy,
:mod:`cxlab._validate`, :mod:`cxlab.metrics`, :mod:`cxlab.stats.common` and
:mod:`cxlab.stats.weights` (``weights=``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check_ci, check_shares, check_whole, child_seeds, seed_sequence
from ..metrics import DETRACTOR_UP_TO, NPS_HIGH, NPS_LOW, PROMOTER_FROM, NPSCounts, nps_counts
from .common import (
    IntervalRule,
    NormalInterval,
    _HasInterval,
    caller_stacklevel,
    check_resamples,
    deprecated_alias,
    formerly_positional,
    interval_at,
    normal_quantile,
    two_sided_test,
)
from .weights import weighted_scale_counts

NPS_METHODS = ("wald", "adjusted-wald", "bootstrap")
#: The method used when none is named; see :func:`nps_from_counts` for the evidence behind it.
DEFAULT_METHOD = "adjusted-wald"
#: Pseudo-responses added by the adjusted Wald interval (Rocks 2016): 3 in all.
_ADD_PROMOTERS, _ADD_PASSIVES, _ADD_DETRACTORS = 0.75, 1.5, 0.75


def _check_method(method: str) -> str:
    if not isinstance(method, str):
        raise TypeError(f"method must be one of {NPS_METHODS}, got {method!r}")
    if method not in NPS_METHODS:
        raise ValueError(f"method must be one of {NPS_METHODS}, got {method!r}")
    return method


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
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)
    #: Kish's effective sample size behind the interval: ``n`` without weights.
    effective_n: float | None = None
    _weighted_shares: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def margin_of_error(self) -> float:
        """Half the width of the interval, in NPS points."""
        return (self.high - self.low) / 2

    @property
    def shares(self) -> dict[str, float]:
        """Percent promoters, passives and detractors (weighted, when the NPS is)."""
        if self._weighted_shares is not None:
            return dict(zip(("promoters", "passives", "detractors"), self._weighted_shares))
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


def _moments(promoters, passives, detractors):
    """NPS on -100..100 and its standard error, from counts (numbers or numpy arrays alike)."""
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    mean = p - d
    variance = np.maximum((p + d) - mean**2, 0.0)
    return 100.0 * mean, 100.0 * np.sqrt(variance / n)


def _normal_bounds(promoters, passives, detractors, method: str, z: float):
    """Centre, standard error and clipped bounds of the Wald or adjusted Wald interval (vectorised)."""
    centre, se = _moments(*_adjusted(promoters, passives, detractors, method))
    return centre, se, np.maximum(centre - z * se, -100.0), np.minimum(centre + z * se, 100.0)


def _adjusted(promoters, passives, detractors, method: str):
    """The counts an interval of ``method`` works on: with the adjusted Wald's pseudo-answers added."""
    if method == "adjusted-wald":
        return promoters + _ADD_PROMOTERS, passives + _ADD_PASSIVES, detractors + _ADD_DETRACTORS
    return promoters, passives, detractors


def _trimmed(size: int, ci: float) -> int:
    """How many resamples a percentile interval leaves out at each end.

    The largest r with ``2 r / size < 1 - ci``, computed with the same arithmetic as the
    bootstrap p-value, so that the interval excludes 0 exactly when p < 1 - ci.
    """
    alpha = 1.0 - ci
    r = max(int(math.floor(alpha * size / 2)), 0)
    while r > 0 and 2 * r / size >= alpha:
        r -= 1
    while 2 * (r + 1) / size < alpha:
        r += 1
    return r


def _percentile_bounds(samples: np.ndarray, ci: float) -> tuple[float, float]:
    """The percentile interval of bootstrap samples: order statistics r and size-1-r."""
    ordered = np.sort(samples, axis=-1)
    r = _trimmed(ordered.shape[-1], ci)
    return ordered[..., r], ordered[..., ordered.shape[-1] - 1 - r]


def _bootstrap_pvalue(samples: np.ndarray) -> float:
    """Twice the smaller share of resampled differences at or beyond 0 (at most 1)."""
    below = int(np.count_nonzero(samples <= 0))
    above = int(np.count_nonzero(samples >= 0))
    return min(1.0, 2 * min(below, above) / samples.size)


def _bootstrap_nps(counts: NPSCounts, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """NPS of resampled samples, drawn as multinomial category counts (cost independent of n)."""
    probabilities = np.array([counts.promoters, counts.passives, counts.detractors]) / counts.n
    draws = rng.multinomial(counts.n, probabilities, size=n_resamples)
    return 100.0 * (draws[:, 0] - draws[:, 2]) / counts.n


@dataclass(frozen=True, eq=False)
class _NPSPercentileInterval(IntervalRule):
    """The percentile interval of kept resampled NPS values (or differences): order statistics.

    The same order statistics at every level as :func:`_percentile_bounds`, so that the
    interval and the bootstrap p-value agree.
    """

    samples: np.ndarray
    method = "percentile bootstrap"
    caveat = ("a percentile interval follows the resampled NPS values, which in a small or lopsided sample can "
              "lie to one side of the sample's NPS")

    def __call__(self, level: float) -> tuple[float, float]:
        low, high = _percentile_bounds(self.samples, level)
        return float(low), float(high)


_ADJUSTED_CAVEAT = ("the adjusted Wald interval is centred on the NPS with 3 pseudo-answers added (Rocks 2016), "
                    "which in a small or one-sided sample lies far from the sample's own NPS (at n = 1, say); "
                    "report the interval with the sample's NPS, or collect more answers")


def _normal_interval(promoters, passives, detractors, method: str) -> NormalInterval:
    """The Wald or adjusted Wald interval of an NPS from its (possibly weighted) counts."""
    centre, se = _moments(*_adjusted(promoters, passives, detractors, method))
    return NormalInterval(float(centre), float(se), lower=-100.0, upper=100.0,
                          method="adjusted Wald" if method == "adjusted-wald" else "Wald",
                          caveat=_ADJUSTED_CAVEAT if method == "adjusted-wald" else "")


def _warn_degenerate(what: str, advice: str) -> None:
    warnings.warn(f"{what}; {advice}", RuntimeWarning, stacklevel=caller_stacklevel())


@formerly_positional("ci", "method")
def nps_from_counts(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    ci: float = 0.95,
    method: str = DEFAULT_METHOD,
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
    method : {"adjusted-wald", "wald", "bootstrap"}
        ``"adjusted-wald"`` (the default): the Wald interval after adding 0.75
        promoters, 1.5 passives and 0.75 detractors (Rocks 2016). ``"wald"``: value
        +/- z * se, clipped to -100..100. ``"bootstrap"``: percentile interval of
        ``n_resamples`` multinomial resamples of the category counts, seeded by ``seed``.

        Why adjusted Wald by default: ``bench/nps_coverage.py`` computes the actual
        coverage of nominal 95% intervals for n from 10 to 1,000 over a grid of true
        promoter and detractor shares (exactly, by summing the multinomial
        probabilities of every possible sample; the bootstrap by simulation). The
        adjusted Wald interval stays close to 95% everywhere on that grid, while Wald
        and the bootstrap fall far below it for small samples and extreme shares: a
        sample with only promoters gives them a zero-width interval at +100. The NPS
        chapter shows the table and the figure. With n in the thousands the three
        agree.

    Warns
    -----
    RuntimeWarning
        When the interval has zero width (every answer in one category, with Wald or
        the bootstrap): the sample cannot show its own uncertainty; the warning
        suggests ``method="adjusted-wald"``.

    Examples
    --------
    >>> result = nps_from_counts(promoters=50, passives=30, detractors=20)
    >>> round(result.value, 1), round(result.low, 1), round(result.high, 1)
    (30.0, 14.1, 44.2)
    >>> round(nps_from_counts(50, 30, 20, method="wald").low, 1)
    14.7
    """
    counts = NPSCounts(promoters=promoters, passives=passives, detractors=detractors)
    ci = check_ci(ci)
    _check_method(method)
    seed = seed_sequence(seed)  # checked whatever the method, so that a bad seed never passes unseen
    if counts.n == 0:
        raise ValueError("NPS needs at least one respondent; all three counts are 0")
    if method == "bootstrap":
        n_resamples = check_resamples(n_resamples)
        samples = _bootstrap_nps(counts, n_resamples, np.random.default_rng(seed))
        rule = _NPSPercentileInterval(samples)
        se = float(samples.std(ddof=1))
    else:
        rule = _normal_interval(counts.promoters, counts.passives, counts.detractors, method)
        se = rule.se
    low, high = interval_at(rule, counts.value, ci, "NPSResult")
    if high <= low:
        _warn_degenerate(
            f"the {method} interval of this NPS has zero width (all {counts.n} answers in one category)",
            "it does not show the uncertainty of so small or so uniform a sample; use method='adjusted-wald'",
        )
    return NPSResult(
        value=counts.value,
        low=float(low),
        high=float(high),
        se=float(se),
        n=counts.n,
        promoters=counts.promoters,
        passives=counts.passives,
        detractors=counts.detractors,
        ci=ci,
        method=method,
        _interval=rule,
        effective_n=float(counts.n),
    )


@formerly_positional("ci", "method")
def nps(
    scores,
    *,
    ci: float = 0.95,
    method: str = DEFAULT_METHOD,
    nan_policy: str = "raise",
    seed=None,
    n_resamples: int = 10_000,
    weights=None,
) -> NPSResult:
    """Net Promoter Score of 0-10 scores with a confidence interval.

    Parameters
    ----------
    scores : array-like of int
        Answers to "How likely are you to recommend ...?" on 0..10. Lists, numpy
        arrays and pandas Series (nullable ``Int64`` too) are accepted.
    ci : float
        Confidence level, strictly between 0 and 1.
    method : {"adjusted-wald", "wald", "bootstrap"}
        See :func:`nps_from_counts`, which also says why adjusted Wald is the default.
    nan_policy : {"raise", "omit"}
        What to do with missing scores.
    seed : int or numpy Generator, optional
        Seeds the bootstrap; ignored by the other methods.
    weights : array-like of float, optional
        One survey weight per score (for example from :func:`cxlab.rake`). ``value``
        is then the weighted NPS, ``shares`` the weighted shares, and the Wald and
        adjusted Wald intervals are computed as for a sample of Kish's effective size
        ``effective_n`` with the weighted shares (the adjusted Wald interval adds its
        three pseudo-answers to that effective sample). The counts stay counts of
        people. The bootstrap is not offered with weights.

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
    43.4
    >>> weighted = nps([10, 8, 3, 3], weights=[3, 1, 1, 1])
    >>> weighted.value, weighted.effective_n
    (16.666666666666668, 3.0)
    """
    seed = seed_sequence(seed)
    if weights is not None:
        return _weighted_nps(scores, weights, ci=ci, method=method, nan_policy=nan_policy)
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


def _weighted_nps(scores, weights, *, ci: float, method: str, nan_policy: str) -> NPSResult:
    """The weighted NPS and its interval on Kish's effective sample size."""
    ci = check_ci(ci)
    _check_method(method)
    if method == "bootstrap":
        raise ValueError("method='bootstrap' does not take weights; with weights use method='adjusted-wald' "
                         "or 'wald' (intervals on Kish's effective sample size)")
    totals, n, effective_n = weighted_scale_counts(scores, weights, low=NPS_LOW, high=NPS_HIGH,
                                                   nan_policy=nan_policy)
    promoters = float(totals[PROMOTER_FROM:].sum())
    passives = float(totals[DETRACTOR_UP_TO + 1 : PROMOTER_FROM].sum())
    detractors = float(totals[: DETRACTOR_UP_TO + 1].sum())
    counts = nps_counts(scores, nan_policy="omit")
    rule = _normal_interval(promoters, passives, detractors, method)
    value = 100.0 * (promoters - detractors) / effective_n
    low, high = interval_at(rule, value, ci, "NPSResult")
    return NPSResult(
        value=value,
        low=low,
        high=high,
        se=rule.se,
        n=n,
        promoters=counts.promoters,
        passives=counts.passives,
        detractors=counts.detractors,
        ci=ci,
        method=method,
        _interval=rule,
        effective_n=effective_n,
        _weighted_shares=tuple(100.0 * part / effective_n for part in (promoters, passives, detractors)),
    )


@formerly_positional("ci", "method")
def enps(scores, *, ci: float = 0.95, method: str = DEFAULT_METHOD, **options) -> NPSResult:
    """Employee NPS: the same computation on employees' 0-10 answers.

    Examples
    --------
    >>> enps([9, 10, 6, 7]).value
    25.0
    """
    return nps(scores, ci=ci, method=method, **options)


@dataclass(frozen=True)
class NPSTestResult(_HasInterval):
    """Difference between two independent NPS values (a - b), on -200..200.

    ``value`` is the plain difference of the two sample NPS values. ``low`` and
    ``high`` are the method's interval, and ``statistic`` and ``pvalue`` its test of no
    difference, computed from the same centre and spread, so that ``pvalue < 1 - ci``
    exactly when the interval excludes 0. For the adjusted Wald method that centre is
    the difference of the adjusted NPS values (``centre``), a little closer to 0 than
    ``value`` in small samples.
    """

    value: float
    se: float
    statistic: float
    pvalue: float
    low: float
    high: float
    ci: float
    method: str
    n_a: int
    n_b: int
    centre: float
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    difference = deprecated_alias("value", "difference")

    def __str__(self) -> str:
        return (
            f"NPS difference {self.value:+.1f} ({self.ci:.0%} CI {self.low:+.1f} to "
            f"{self.high:+.1f}), z={self.statistic:.2f}, p={self.pvalue:.3g}"
        )


@formerly_positional("ci", "method")
def nps_test(
    a,
    b,
    *,
    ci: float = 0.95,
    method: str = DEFAULT_METHOD,
    nan_policy: str = "raise",
    seed=None,
    n_resamples: int = 10_000,
) -> NPSTestResult:
    """Compare the NPS of two independent samples (for example two quarters or segments).

    ``value`` is NPS(a) - NPS(b). With ``"wald"`` the standard error is
    ``sqrt(se_a**2 + se_b**2)``, the interval is the difference +/- z * se and the z
    test divides the difference by se. ``"adjusted-wald"`` (the default) does the
    same with each sample's adjusted counts (Rocks 2016), the difference included.
    ``"bootstrap"`` draws both samples' category counts; the interval is the
    percentile interval of the resampled differences and the p-value twice the
    smaller share of them at or beyond 0. For every method ``pvalue < 1 - ci``
    exactly when the interval excludes 0.

    Warns
    -----
    RuntimeWarning
        When the standard error is 0 (both samples without spread, with Wald): the
        statistic is then infinite or 0; the warning suggests ``method="adjusted-wald"``.

    Examples
    --------
    >>> quarter_2 = [10] * 45 + [8] * 30 + [4] * 25
    >>> quarter_1 = [10] * 40 + [8] * 30 + [4] * 30
    >>> result = nps_test(quarter_2, quarter_1)
    >>> result.value, round(result.pvalue, 2)
    (10.0, 0.39)
    """
    ci = check_ci(ci)
    _check_method(method)
    seed = seed_sequence(seed)
    counts_a = nps_counts(a, nan_policy=nan_policy)
    counts_b = nps_counts(b, nan_policy=nan_policy)
    difference = counts_a.value - counts_b.value

    if method == "bootstrap":
        n_resamples = check_resamples(n_resamples)
        rng = np.random.default_rng(seed)
        samples = _bootstrap_nps(counts_a, n_resamples, rng) - _bootstrap_nps(counts_b, n_resamples, rng)
        rule = _NPSPercentileInterval(samples)
        se = float(samples.std(ddof=1))
        pvalue = _bootstrap_pvalue(samples)
        centre = difference
        statistic = two_sided_test(difference, se)[0]
    else:
        one, other = _normal_interval(*_triple(counts_a), method), _normal_interval(*_triple(counts_b), method)
        centre = one.centre - other.centre
        se = math.hypot(one.se, other.se)
        rule = NormalInterval(centre, se, lower=-200.0, upper=200.0, method=one.method, caveat=one.caveat)
        statistic, pvalue = two_sided_test(centre, se)
    low, high = interval_at(rule, difference, ci, "NPSTestResult")
    if se == 0:
        _warn_degenerate(
            "both samples have every answer in one category, so the difference has no standard error "
            f"(z = {statistic})",
            "the test cannot judge so small or so uniform a sample; use method='adjusted-wald'",
        )
    return NPSTestResult(
        value=float(difference),
        se=float(se),
        statistic=float(statistic),
        pvalue=float(pvalue),
        low=low,
        high=high,
        ci=ci,
        method=method,
        n_a=counts_a.n,
        n_b=counts_b.n,
        centre=float(centre),
        _interval=rule,
    )


def _triple(counts: NPSCounts) -> tuple[int, int, int]:
    return counts.promoters, counts.passives, counts.detractors


def interval_coverage(
    n: int,
    promoters: float,
    detractors: float,
    *,
    method: str = DEFAULT_METHOD,
    ci: float = 0.95,
    n_samples: int = 2_000,
    n_resamples: int = 1_000,
    seed=None,
) -> float:
    """How often (0 to 1) an NPS interval covers the true NPS, for samples of ``n`` from given true shares.

    ``promoters`` and ``detractors`` are the true shares (0 to 1, summing to at most 1).
    For Wald and adjusted Wald the coverage is exact: the multinomial probability of
    every possible sample of ``n`` whose interval contains the true NPS, summed. For
    the bootstrap it is simulated: ``n_samples`` samples, each with ``n_resamples``
    resamples, seeded by ``seed``. This is the kind of study Rocks (2016) reports.

    Examples
    --------
    >>> round(interval_coverage(20, 0.9, 0.05, method="wald"), 3)
    0.74
    >>> round(interval_coverage(20, 0.9, 0.05, method="adjusted-wald"), 3)
    0.963
    """
    from scipy.special import gammaln

    n = check_whole(n, "n", minimum=1)
    _check_method(method)
    ci = check_ci(ci)
    seed = seed_sequence(seed)
    promoters, detractors = (float(check_shares(share, name)) for name, share in (("promoters", promoters),
                                                                                 ("detractors", detractors)))
    if promoters + detractors > 1 + 1e-12:
        raise ValueError(f"promoters + detractors must be at most 1, got {promoters + detractors!r}")
    passives = max(1.0 - promoters - detractors, 0.0)
    truth = 100.0 * (promoters - detractors)
    if method == "bootstrap":
        rng = np.random.default_rng(seed)
        samples = rng.multinomial(n, [promoters, passives, detractors], size=n_samples)
        shares = samples / n
        draws = rng.multinomial(n, shares, size=(n_resamples, n_samples))
        values = 100.0 * (draws[..., 0] - draws[..., 2]) / n
        low, high = _percentile_bounds(values.T, ci)
        return float(np.mean((low <= truth + 1e-9) & (truth - 1e-9 <= high)))
    p_count, d_count = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    possible = p_count + d_count <= n
    p_count, d_count = p_count[possible].astype(float), d_count[possible].astype(float)
    a_count = n - p_count - d_count
    with np.errstate(divide="ignore", invalid="ignore"):
        log_probability = (
            gammaln(n + 1) - gammaln(p_count + 1) - gammaln(a_count + 1) - gammaln(d_count + 1)
            + _xlogy(p_count, promoters) + _xlogy(a_count, passives) + _xlogy(d_count, detractors)
        )
    probability = np.exp(log_probability)
    _, _, low, high = _normal_bounds(p_count, a_count, d_count, method, normal_quantile(ci))
    covered = (low <= truth + 1e-9) & (truth - 1e-9 <= high)
    return float(probability[covered].sum())


def _xlogy(count: np.ndarray, share: float) -> np.ndarray:
    """count * log(share), with 0 * log(0) = 0."""
    if share > 0:
        return count * math.log(share)
    return np.where(count > 0, -np.inf, 0.0)


#: True promoter and detractor shares of the coverage study: from balanced to the extremes.
COVERAGE_SHARES = ((0.98, 0.01), (0.90, 0.05), (0.60, 0.10), (0.40, 0.40), (0.20, 0.30), (0.05, 0.90), (0.01, 0.98))
COVERAGE_SIZES = (10, 20, 30, 50, 100, 200, 500, 1000)


def coverage_table(
    sizes=COVERAGE_SIZES,
    shares=COVERAGE_SHARES,
    methods=NPS_METHODS,
    *,
    ci: float = 0.95,
    n_samples: int = 2_000,
    n_resamples: int = 1_000,
    seed=None,
):
    """The coverage of each method's interval over a grid of sample sizes and true shares.

    One row per method, n, and true (promoters, detractors) pair (shares from 0 to 1, as
    ``shares`` gives them), with ``coverage`` (0 to 1) from :func:`interval_coverage`
    (exact for Wald and adjusted Wald, simulated for the bootstrap, each cell with its
    own random stream from ``seed``).

    Examples
    --------
    >>> table = coverage_table(sizes=[10], shares=[(0.9, 0.05)], methods=["wald", "adjusted-wald"])
    >>> table[["method", "n", "coverage"]].round(3).values.tolist()
    [['wald', 10, 0.649], ['adjusted-wald', 10, 0.959]]
    """
    cells = [(method, n, promoters, detractors) for method in methods for n in sizes for promoters, detractors in shares]
    rows = []
    for (method, n, promoters, detractors), cell_seed in zip(cells, child_seeds(seed_sequence(seed), len(cells))):
        coverage = interval_coverage(n, promoters, detractors, method=method, ci=ci, n_samples=n_samples,
                                     n_resamples=n_resamples, seed=cell_seed)
        rows.append({"method": method, "n": n, "promoters": promoters, "detractors": detractors,
                     "true_nps": round(100 * (promoters - detractors), 6), "coverage": coverage})
    return pd.DataFrame(rows)
