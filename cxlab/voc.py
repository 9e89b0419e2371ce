"""Voice of the customer: does listening change anything, and is the score honest?

Four measurements for a feedback programme, each against a way it fools itself:

- :func:`action_curve` and :func:`share_acted_within`: how fast comments are acted on.
  Comments still open when the log is extracted are *censored* (we know only that
  they have waited at least so long), so the mean over closed comments is too short;
  the Kaplan-Meier estimator (statsmodels' ``SurvfuncRight``) uses the open ones too.
- :func:`nps_funnel`: agents' (teams', branches') NPS against control limits that
  widen as the number of responses falls (Spiegelhalter's funnel plot), with
  p-values adjusted for the number of agents compared, instead of a ranking of raw
  scores.
- :func:`promise_gap`: an advertised promise ("we answer within 5 minutes") against
  the measured distribution: percentiles with bootstrap intervals and the share of
  customers beyond the promise, overall or by a column such as the hour of day.
- :func:`cumulative_value`: a decision's cumulative net value at several horizons,
  with a bootstrap interval over customers, so that costs which arrive late
  (complaints) are counted before the decision is called a success.

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab._validate`,
:mod:`cxlab.metrics` and :mod:`cxlab.stats`; statsmodels (Kaplan-Meier) and
scipy.stats (bootstrap) inside the functions that need them.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._validate import check_ci, check_nan_policy, drop_missing, numeric_column, require_columns, seed_sequence
from .metrics import DETRACTOR_UP_TO, PROMOTER_FROM
from .stats.bootstrap import resampled_sums
from .stats.common import (IntervalRule, PercentileInterval, _HasInterval, adjust_pvalues, check_resamples, interval_at,
                           normal_quantile, warn_if_excluded)
from .stats.proportions import wilson_interval

__all__ = [
    "ActionCurve",
    "FunnelResult",
    "ShareResult",
    "action_curve",
    "cumulative_value",
    "nps_funnel",
    "promise_gap",
    "share_acted_within",
]


# --------------------------------------------------------------------------- closing the loop

def _durations(log: pd.DataFrame, time: str, acted: str, nan_policy: str) -> tuple[np.ndarray, np.ndarray]:
    require_columns(log, time, acted)
    frame = drop_missing(log[[time, acted]], [time, acted], nan_policy)
    if len(frame) == 0:
        raise ValueError(f"the feedback log has no rows with both {time!r} and {acted!r}")
    times = numeric_column(frame, time, valid="days as numbers, 0 or more").to_numpy()
    if (times < 0).any() or not np.isfinite(times).all():
        bad = times[(times < 0) | ~np.isfinite(times)][0]
        raise ValueError(f"column {time!r} must hold days of 0 or more, got {float(bad):g}")
    flags = frame[acted]
    if pd.api.types.is_bool_dtype(flags):
        events = flags.to_numpy(dtype=bool)
    else:
        values = set(pd.unique(flags))
        if not values <= {0, 1}:
            raise ValueError(
                f"column {acted!r} must be True/False (acted on or still open), got values {sorted(map(str, values))}"
            )
        events = flags.to_numpy() == 1
    return times, events


@dataclass(frozen=True)
class ActionCurve(_HasInterval):
    """Time to action of a feedback log, estimated by Kaplan-Meier.

    ``value`` is the median days to action (``inf`` when fewer than half were acted
    on within the longest follow-up), ``low`` and ``high`` its interval (statsmodels'
    ``quantile_ci``, from the log-log transformed curve). ``table`` holds the curve:
    for every day on which comments were acted on, how many were still open just
    before (``at_risk``), how many were acted on (``acted``), the estimated share
    still open (``share_open``) and acted on (``share_acted``), both 0 to 1, with
    pointwise intervals for the share acted on. ``closed_mean`` is the mean days over the
    comments acted on only, the number that ignores the open ones and is too short.
    """

    value: float
    low: float
    high: float
    ci: float
    n: int
    acted: int
    still_open: int
    closed_mean: float
    table: pd.DataFrame = field(repr=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    def share_acted_by(self, days: float) -> float:
        """The estimated share of comments acted on within ``days`` (0..1)."""
        days = _check_days(days, "days")
        rows = self.table["days"].to_numpy() <= days
        if not rows.any():
            return 0.0
        return float(self.table["share_acted"].to_numpy()[rows][-1])


def _check_days(days, name: str) -> float:
    if isinstance(days, bool | np.bool_) or not isinstance(days, numbers.Real) or not math.isfinite(days):
        raise TypeError(f"{name} must be a finite number of days, got {days!r}")
    if days < 0:
        raise ValueError(f"{name} must be 0 or more, got {days!r}")
    return float(days)


@dataclass(frozen=True, eq=False)
class _MedianInterval(IntervalRule):
    """The Kaplan-Meier median's interval at any level from the kept fit (statsmodels' ``quantile_ci``)."""

    fit: object
    method = "Kaplan-Meier median"
    caveat = ("the median's interval inverts a test at each observed day, and on a curve with few, large steps "
              "the median's own day can fall outside it")

    def __call__(self, level: float) -> tuple[float, float]:
        if not np.any(self.fit.n_events):
            return math.nan, math.nan
        # statsmodels takes log(-log S) of every point, including S = 1 and S = 0, where it is infinite
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = self.fit.quantile_ci(0.5, alpha=1 - level)
        return float(low), float(high)


@dataclass(frozen=True)
class _SharePointInterval(IntervalRule):
    """The share acted on at one day, at any level, from the curve's value and Greenwood's standard error there."""

    survival: float
    se: float
    method = "log-log"

    def __call__(self, level: float) -> tuple[float, float]:
        low, high = _log_log_band(np.array([self.survival]), np.array([self.se]), normal_quantile(level))
        return 1 - float(high[0]), 1 - float(low[0])


def _log_log_band(survival: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval of S(t) on the log(-log) scale (Kalbfleisch and Prentice), as R's survival default.

    statsmodels gives Greenwood's standard error of S; the band is
    ``S ** exp(+-z se / (S log S))``, which stays inside 0..1.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = z * se / (survival * np.log(survival))
        low, high = survival ** np.exp(-theta), survival ** np.exp(theta)
    inside = (survival > 0) & (survival < 1)
    low = np.where(inside, low, survival)
    high = np.where(inside, high, survival)
    return np.minimum(low, high), np.maximum(low, high)


def action_curve(
    log: pd.DataFrame,
    time: str = "days_open",
    acted: str = "acted",
    *,
    ci: float = 0.95,
    nan_policy: str = "raise",
) -> ActionCurve:
    """Kaplan-Meier curve of the time from a comment to the action on it.

    Parameters
    ----------
    log : DataFrame
        One row per comment.
    time : str
        Days from receiving the comment to the action on it, or, for a comment
        still open, to the day the log was extracted.
    acted : str
        True when the comment was acted on, False when it is still open (censored).
    ci : float
        Level of the intervals.
    nan_policy : {"raise", "omit"}

    Examples
    --------
    >>> log = pd.DataFrame({"days_open": [2, 5, 5, 8, 12, 20], "acted": [True, True, False, True, False, False]})
    >>> curve = action_curve(log)
    >>> curve.table[["days", "at_risk", "acted", "share_acted"]].round(3)
       days  at_risk  acted  share_acted
    0   2.0        6      1        0.167
    1   5.0        5      1        0.333
    2   8.0        3      1        0.556
    >>> curve.value, curve.closed_mean
    (8.0, 5.0)
    """
    ci = check_ci(ci)
    times, events = _durations(log, time, acted, nan_policy)
    from statsmodels.duration.survfunc import SurvfuncRight

    fit = SurvfuncRight(times, events.astype(int))
    survival = np.asarray(fit.surv_prob, dtype=float)
    low, high = _log_log_band(survival, np.asarray(fit.surv_prob_se, dtype=float), normal_quantile(ci))
    table = pd.DataFrame({
        "days": np.asarray(fit.surv_times, dtype=float),
        "at_risk": np.asarray(fit.n_risk, dtype="int64"),
        "acted": np.asarray(fit.n_events, dtype="int64"),
        "share_open": survival,
        "share_acted": 1 - survival,
        "share_acted_low": 1 - high,
        "share_acted_high": 1 - low,
    })
    rule = _MedianInterval(fit)
    if events.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            median = float(fit.quantile(0.5))
        if not math.isnan(median) and survival.min() > 0.5:
            median = math.inf
        median_low, median_high = interval_at(rule, median, ci, "ActionCurve")
        closed_mean = float(times[events].mean())
    else:
        median = median_low = median_high = closed_mean = math.nan
    return ActionCurve(value=median, low=median_low, high=median_high, ci=ci, n=int(times.size),
                       acted=int(events.sum()), still_open=int((~events).sum()), closed_mean=closed_mean,
                       table=table, _interval=rule)


@dataclass(frozen=True)
class ShareResult(_HasInterval):
    """A share (0..1) with its interval: ``value``, ``low``, ``high`` at level ``ci``."""

    value: float
    low: float
    high: float
    ci: float
    n: int
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)


def share_acted_within(
    log: pd.DataFrame,
    days: float,
    time: str = "days_open",
    acted: str = "acted",
    *,
    ci: float = 0.95,
    nan_policy: str = "raise",
) -> ShareResult:
    """Kaplan-Meier estimate of the share of comments acted on within ``days``.

    A comment still open after fewer than ``days`` days says nothing about whether it
    will be acted on in time; counting it as "not acted on" (acted within ``days``
    divided by all comments) makes the programme look slower than it is, and leaving
    it out makes it look faster. Kaplan-Meier uses it for as long as it was observed.

    Examples
    --------
    >>> log = pd.DataFrame({"days_open": [2, 5, 5, 8, 12, 20], "acted": [True, True, False, True, False, False]})
    >>> round(share_acted_within(log, 10).value, 3)
    0.556
    """
    curve = action_curve(log, time, acted, ci=ci, nan_policy=nan_policy)
    days = _check_days(days, "days")
    rows = np.flatnonzero(curve.table["days"].to_numpy() <= days)
    if not rows.size:  # nothing acted on yet: the curve is at 1, with no spread
        rule = _SharePointInterval(1.0, 0.0)
    else:
        fit = curve._interval.fit
        rule = _SharePointInterval(float(fit.surv_prob[rows[-1]]), float(fit.surv_prob_se[rows[-1]]))
    value = 1 - rule.survival
    low, high = interval_at(rule, value, curve.ci, "ShareResult")
    return ShareResult(value=value, low=low, high=high, ci=curve.ci, n=curve.n, _interval=rule)


# --------------------------------------------------------------------------- score gaming

@dataclass(frozen=True)
class FunnelResult:
    """Units' NPS against funnel-plot control limits around a common target.

    ``table`` has one row per unit: responses ``n``, the unit's NPS ``value`` (-100..100), the z
    score ``(value - target) / (sd / sqrt(n))``, its two-sided ``pvalue``, the ``pvalue``
    adjusted for the number of units (``pvalue_adjusted``), whether the unit lies
    outside each of the ``levels`` limits (``outside_95``, ``outside_99.8``) and whether
    it is ``flagged`` (adjusted p-value below ``alpha``). ``sd`` is the spread of one
    response (in NPS points) under the target: each response counts +100, 0 or -100.
    """

    target: float
    sd: float
    levels: tuple
    adjust: str | None
    alpha: float
    table: pd.DataFrame = field(repr=False)

    def limits(self, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper control limits at ``level`` for ``n`` responses (arrays)."""
        level = check_ci(level)
        n = np.asarray(n, dtype=float)
        if (n <= 0).any():
            raise ValueError("n must be a positive number of responses")
        half = normal_quantile(level) * self.sd / np.sqrt(n)
        return self.target - half, self.target + half

    @property
    def flag_threshold(self) -> float:
        """The unadjusted two-sided p-value below which a unit is flagged, under ``adjust``.

        Each adjustment flags exactly the units whose own p-value falls below one
        threshold, which depends on how many are flagged (``k`` of ``m`` units): Holm
        ``alpha / (m - k + 1)`` (``alpha / m`` when none is), Bonferroni ``alpha / m``,
        Benjamini-Hochberg ``k * alpha / m`` (``alpha / m`` when none is), none ``alpha``.
        """
        m, k = len(self.table), int(self.table["flagged"].sum())
        if self.adjust is None:
            return self.alpha
        if self.adjust == "holm":
            return self.alpha / (m - k + 1) if k else self.alpha / m
        if self.adjust in ("fdr_bh", "bh"):
            return k * self.alpha / m if k else self.alpha / m
        return self.alpha / m

    def adjusted_limits(self, n) -> tuple[np.ndarray, np.ndarray]:
        """The limits the flags follow: a unit outside them at its ``n`` is flagged (see :attr:`flag_threshold`)."""
        return self.limits(n, 1 - self.flag_threshold)

    @property
    def adjustment_label(self) -> str:
        """How the flags are adjusted, in words for a legend."""
        names = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini-Hochberg", "bh": "Benjamini-Hochberg",
                 None: "no adjustment"}
        return f"{names.get(self.adjust, self.adjust)}, {len(self.table)} units"

    @property
    def flagged(self) -> list:
        """The units whose adjusted p-value is below ``alpha``, most extreme first."""
        table = self.table[self.table["flagged"]]
        return table.sort_values("pvalue_adjusted").index.tolist()


def _level_label(level: float) -> str:
    return f"outside_{100 * level:g}"


def nps_funnel(
    responses: pd.DataFrame,
    unit: str,
    score: str = "recommend",
    *,
    target: float | None = None,
    levels=(0.95, 0.998),
    adjust: str | None = "holm",
    alpha: float = 0.05,
    nan_policy: str = "raise",
) -> FunnelResult:
    """Compare units' NPS with funnel-plot control limits instead of ranking them.

    A unit with few responses has a noisy NPS: it tops or tails a ranking by chance.
    The funnel plot (Spiegelhalter 2005) draws, around a common target, the limits
    within which a unit's NPS would fall with probability ``level`` if its true NPS
    were the target: ``target +- z * sd / sqrt(n)``, where ``sd`` is the spread of one
    response scored +100 (promoter), 0 (passive) or -100 (detractor) under the pooled
    shares: ``100 * sqrt((p + d) - (p - d) ** 2)``. Each unit also gets a z score and a
    two-sided p-value; with many units some fall outside the 95% limits by chance, so
    the p-values are adjusted for the number of units (``adjust="holm"``, or
    ``"bonferroni"``, ``"fdr_bh"``, None) and ``flagged`` marks those below ``alpha``.

    Parameters
    ----------
    responses : DataFrame
        One row per survey response.
    unit : str
        The column that names the unit (agent, team, branch).
    score : str
        The 0-10 recommendation score.
    target : float, optional
        The NPS the units are compared with; by default the pooled NPS of all responses.
        The pooled NPS includes the units under suspicion: when a few of them are far off
        (gamed surveys, a genuinely better unit), they pull it towards themselves and push
        ordinary units towards the opposite limit. Spiegelhalter (2005) draws the limits
        around a chosen target, which may be an external standard; where one exists, pass a
        target the units cannot influence, such as the NPS of randomly invited customers.
    levels : tuple of float
        The control limits to report (95% and 99.8%, Spiegelhalter's usual pair).

    Examples
    --------
    >>> responses = pd.DataFrame({"agent": ["A"] * 4 + ["B"] * 4, "recommend": [10, 9, 7, 3, 10, 10, 10, 9]})
    >>> funnel = nps_funnel(responses, "agent")
    >>> funnel.target, round(funnel.sd, 2)
    (62.5, 69.6)
    >>> funnel.table[["n", "value", "z"]].round(2)
           n  value     z
    agent
    A      4   25.0 -1.08
    B      4  100.0  1.08
    """
    require_columns(responses, unit, score)
    frame = drop_missing(responses[[unit, score]], [unit, score], nan_policy)
    if len(frame) == 0:
        raise ValueError("no responses to compare")
    values = numeric_column(frame, score, valid="0-10 scores as numbers").to_numpy()
    outside = (values < 0) | (values > 10) | (values != np.round(values))
    if outside.any():
        raise ValueError(f"column {score!r} must hold whole scores from 0 to 10, got {values[outside][0]:g}")
    levels = tuple(check_ci(level) for level in (levels if isinstance(levels, tuple | list) else (levels,)))
    alpha = check_ci(alpha)
    points = np.where(values >= PROMOTER_FROM, 100.0, np.where(values <= DETRACTOR_UP_TO, -100.0, 0.0))
    codes, names = pd.factorize(frame[unit], sort=True)
    n = np.bincount(codes, minlength=len(names))
    nps = np.bincount(codes, weights=points, minlength=len(names)) / n
    promoters, detractors = float(np.mean(points > 0)), float(np.mean(points < 0))
    # The variance of one response is taken under the pooled shares (the null of no difference).
    sd = 100 * math.sqrt(max((promoters + detractors) - (promoters - detractors) ** 2, 0.0))
    if target is None:
        target = 100 * (promoters - detractors)
    elif isinstance(target, bool) or not isinstance(target, numbers.Real) or not -100 <= target <= 100:
        raise ValueError(f"target must be an NPS between -100 and 100, got {target!r}")
    target = float(target)
    if sd == 0:
        raise ValueError("every response has the same category, so the limits have no width; nothing to compare")
    z = (nps - target) / (sd / np.sqrt(n))
    from scipy.special import ndtr

    pvalue = 2 * ndtr(-np.abs(z))
    adjusted = adjust_pvalues(pvalue, adjust)
    table = pd.DataFrame({"n": n.astype("int64"), "value": nps, "z": z, "pvalue": pvalue,
                          "pvalue_adjusted": adjusted}, index=pd.Index(names, name=unit))
    for level in levels:
        table[_level_label(level)] = np.abs(z) > normal_quantile(level)
    table["flagged"] = adjusted < alpha
    return FunnelResult(target=target, sd=sd, levels=levels, adjust=adjust, alpha=alpha, table=table)


# --------------------------------------------------------------------------- promise against experience

def promise_gap(
    frame: pd.DataFrame,
    wait: str,
    promise: float,
    *,
    by: str | None = None,
    percentiles=(50, 90),
    ci: float = 0.95,
    n_resamples: int = 2000,
    seed=None,
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Measured waits against an advertised promise: percentiles and the share beyond it.

    One row per level of ``by`` (or one row, ``"all"``): ``n``, the share of customers
    (0 to 1) who waited longer than ``promise`` with its Wilson interval (``share_beyond``,
    ``share_beyond_low``, ``share_beyond_high``), and each percentile with a percentile
    bootstrap interval (``p90``, ``p90_low``, ``p90_high``), from ``scipy.stats.bootstrap``
    with every resample of a group drawn at once. ``percentiles`` are given as numpy's
    ``percentile`` takes them, on 0..100 (90 for the 90th), as their name says.

    Examples
    --------
    >>> calls = pd.DataFrame({"wait": [1, 2, 2, 3, 4, 6, 8, 12, 3, 2] * 5})
    >>> promise_gap(calls, "wait", 5, percentiles=(50,), seed=1)[["n", "share_beyond", "p50"]]
          n  share_beyond  p50
    all  50           0.3  3.0
    """
    require_columns(frame, wait, *([by] if by is not None else []))
    ci = check_ci(ci)
    n_resamples = check_resamples(n_resamples)
    if isinstance(promise, bool) or not isinstance(promise, numbers.Real) or not math.isfinite(promise):
        raise TypeError(f"promise must be a finite number, in the units of {wait!r}, got {promise!r}")
    percentiles = tuple(percentiles)
    for q in percentiles:
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 < q < 100:
            raise ValueError(f"percentiles must lie strictly between 0 and 100, got {q!r}")
    columns = [wait] + ([by] if by is not None else [])
    data = drop_missing(frame[columns], columns, nan_policy)
    data = data.copy()
    data[wait] = numeric_column(data, wait, valid="waits as numbers, 0 or more")
    if len(data) == 0:
        raise ValueError(f"column {wait!r} has no values")
    if (data[wait] < 0).any():
        raise ValueError(f"column {wait!r} must hold waits of 0 or more, got {float(data[wait].min()):g}")
    from scipy.stats import bootstrap

    rng = np.random.default_rng(seed_sequence(seed))
    groups = [("all", data[wait])] if by is None else list(data.groupby(by, sort=True)[wait])
    rows = {}
    for name, values in groups:
        values = values.to_numpy(dtype=float)
        beyond = int((values > promise).sum())
        low, high = wilson_interval(beyond, values.size, ci=ci)
        row = {"n": values.size, "share_beyond": beyond / values.size, "share_beyond_low": low,
               "share_beyond_high": high}
        for q in percentiles:
            label = f"p{q:g}"
            row[label] = float(np.percentile(values, q))
            if values.size > 1 and np.ptp(values) > 0:
                result = bootstrap((values,), lambda sample, axis=-1, q=q: np.percentile(sample, q, axis=axis),
                                   n_resamples=n_resamples, confidence_level=ci, method="percentile",
                                   vectorized=True, batch=500, rng=rng)
                row[f"{label}_low"] = float(result.confidence_interval.low)
                row[f"{label}_high"] = float(result.confidence_interval.high)
                warn_if_excluded(PercentileInterval(result.bootstrap_distribution), row[label], row[f"{label}_low"],
                                 row[f"{label}_high"], ci, f"promise_gap, {label} of {name!r}")
            else:
                row[f"{label}_low"] = row[f"{label}_high"] = row[label]
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = by
    table["n"] = table["n"].astype("int64")
    return table


# --------------------------------------------------------------------------- the horizon of a decision

def cumulative_value(
    events: pd.DataFrame,
    customer: str,
    time: str,
    amount: str,
    horizons,
    *,
    ci: float = 0.95,
    n_resamples: int = 2000,
    seed=None,
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Cumulative net value of a decision at several horizons, with a bootstrap interval.

    ``events`` has one row per cash flow (a sale's margin, a complaint's cost as a
    negative amount) with the customer it belongs to and when it happened. The value
    at horizon ``h`` is the sum of the amounts with ``time <= h``. Customers, not rows,
    are resampled (a customer's sale and later complaint stay together): the resample
    weights are drawn as multinomial counts over the distinct rows of a
    customers-by-horizons table, a chunk of rows at a time, so memory grows with the
    customers only, not with the resamples (:func:`cxlab.stats.bootstrap.resampled_sums`).

    Returns one row per horizon: ``value``, ``low``, ``high``, ``customers``.

    Examples
    --------
    >>> flows = pd.DataFrame({"customer": [1, 2, 3, 1, 3], "month": [1, 1, 2, 9, 14],
    ...                       "amount": [100.0, 100.0, 100.0, -250.0, -250.0]})
    >>> cumulative_value(flows, "customer", "month", "amount", [3, 24], seed=1)["value"]
    horizon
    3     300.0
    24   -200.0
    Name: value, dtype: float64
    """
    require_columns(events, customer, time, amount)
    ci = check_ci(ci)
    n_resamples = check_resamples(n_resamples)
    horizons = np.atleast_1d(np.asarray(horizons))
    if horizons.size == 0 or not np.issubdtype(horizons.dtype, np.number) or not np.isfinite(horizons).all():
        raise ValueError(f"horizons must be one or more finite numbers, got {horizons.tolist()!r}")
    columns = [customer, time, amount]
    check_nan_policy(nan_policy)
    # the columns are read in place; only rows with a missing value make a copy without them
    data = events
    if any(events[column].isna().any() for column in columns):
        data = drop_missing(events[columns], columns, nan_policy)
    if len(data) == 0:
        raise ValueError("no cash flows to add up")
    ids = data[customer]
    # factorized as an array, whose hash table grows with the customers (for a Series pandas sizes it by the rows)
    codes, names = pd.factorize(ids.to_numpy() if isinstance(ids.dtype, np.dtype) else ids, size_hint=1024)
    times, amounts = (
        # a column of plain numbers is read as it is; anything else goes through the one numeric check
        data[column].to_numpy() if isinstance(data[column].dtype, np.dtype) and data[column].dtype.kind in "iuf"
        else numeric_column(data, column).to_numpy()
        for column in (time, amount))
    # customers x horizons: what each customer has brought in (or cost) by each horizon
    by_customer = np.zeros((len(names), horizons.size))
    for column, horizon in enumerate(horizons):
        by_customer[:, column] = np.bincount(codes, weights=amounts * (times <= horizon), minlength=len(names))
    value = by_customer.sum(axis=0)
    resampled = resampled_sums(by_customer, n_resamples, np.random.default_rng(seed_sequence(seed)))
    low, high = np.array([interval_at(PercentileInterval(resampled[:, column]), value[column], ci,
                                      f"cumulative_value at horizon {horizon!r}")
                          for column, horizon in enumerate(horizons.tolist())]).T
    table = pd.DataFrame({"value": value, "low": low, "high": high, "customers": len(names)},
                         index=pd.Index(horizons, name="horizon"))
    return table
