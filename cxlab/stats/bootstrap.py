"""A bootstrap interval for any statistic of a DataFrame.

Layer 2 of cxlab (statistics). Resampling and the percentile, basic and BCa intervals
come from ``scipy.stats.bootstrap`` (imported when first needed); what scipy lacks is
kept here: a statistic of a whole DataFrame rather than of arrays, resampling within
strata (each stratum passed to scipy as a sample of its own, so every resample keeps
each stratum's row count), errors that name the failing resample, and
:func:`resampled_sums`, the bootstrap of sums that memory does not grow for with the
resamples (the analyses' row bootstraps use it). Imports numpy,
pandas, :mod:`cxlab._validate` and :mod:`cxlab.stats.common`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .._validate import check_ci, require_columns, seed_sequence
from .common import IntervalRule, _HasInterval, check_resamples, deprecated_alias, warn_if_excluded

BOOTSTRAP_METHODS = ("percentile", "basic", "bca")


@dataclass(frozen=True)
class BootstrapResult(_HasInterval):
    """A statistic of a DataFrame with a bootstrap interval.

    ``distribution`` holds the statistic on every resample; the interval at another
    level comes from it (and, for BCa, from the jackknife values kept with it), without
    running the statistic again.
    """

    value: float
    low: float
    high: float
    se: float
    ci: float
    method: str
    n_resamples: int
    distribution: np.ndarray = field(repr=False, compare=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    estimate = deprecated_alias("value", "estimate")


@dataclass(frozen=True, eq=False)
class _KeptBootstrapInterval(IntervalRule):
    """A bootstrap interval at any level from the kept resampled statistics, through ``scipy.stats.bootstrap``.

    scipy takes a previous distribution (``bootstrap_result=``, with ``n_resamples=0``)
    and computes the interval again; what it asks of the statistic besides (the estimate
    for the basic interval, the estimate and the jackknife values for BCa) is read from
    what the first run kept, so the statistic never runs again and the data may be gone.
    ``blocks`` are the row numbers of each stratum, as scipy resampled them.
    """

    distribution: np.ndarray
    estimate: float
    blocks: tuple
    jackknife: np.ndarray
    kind: str
    caveat = ("a bootstrap interval follows the resampled statistics, which can lie to one side of the estimate "
              "when the statistic is skewed or biased or the sample small")

    @property
    def method(self) -> str:
        return f"{self.kind} bootstrap"

    def __call__(self, level: float) -> tuple[float, float]:
        from scipy.stats import bootstrap

        n = self.jackknife.size
        every_row = n * (n - 1) // 2

        def kept(*row_blocks):
            rows = np.concatenate(row_blocks)
            # all rows: the estimate; all but one (a jackknife sample): that row's jackknife value
            return self.estimate if rows.size == n else self.jackknife[every_row - int(rows.sum())]

        result = bootstrap(self.blocks, kept, n_resamples=0, confidence_level=level, vectorized=False, paired=False,
                           method="BCa" if self.kind == "bca" else self.kind,
                           bootstrap_result=SimpleNamespace(bootstrap_distribution=self.distribution))
        low, high = result.confidence_interval
        return float(low), float(high)



#: Most numbers (resamples x distinct rows) one batch of :func:`resampled_sums` draws at once.
RESAMPLE_BATCH_CELLS = 2_000_000


def resampled_sums(rows, n_resamples: int, rng, *, batch_cells: int = RESAMPLE_BATCH_CELLS) -> np.ndarray:
    """Column sums of ``rows`` (n x k) over ``n_resamples`` bootstrap resamples of its rows.

    A resample of the rows is a multinomial draw of how often each row is taken; rows
    that are equal can be taken together (a multinomial over groups of categories is the
    multinomial of the groups), so the draws are made over the distinct rows only: a
    survey's answer-and-weight cells, say, however many respondents gave them. Where
    many rows differ, the draws are made in batches of at most ``batch_cells`` numbers,
    so that memory stays near the data's size whatever ``n_resamples`` is. Returns an
    ``n_resamples`` x k array.

    >>> rows = np.array([[1.0, 1.0]] * 30 + [[0.0, 1.0]] * 70)
    >>> sums = resampled_sums(rows, 500, np.random.default_rng(1))
    >>> sums.shape, bool((sums[:, 1] == 100).all()), bool(20 < sums[:, 0].mean() < 40)
    ((500, 2), True, True)
    """
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise ValueError(f"rows must be a non-empty two-dimensional table, got shape {rows.shape}")
    distinct, counts = np.unique(rows, axis=0, return_counts=True)
    shares = counts / counts.sum()
    batch = max(1, batch_cells // len(distinct))
    sums = np.empty((n_resamples, rows.shape[1]))
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        sums[start:start + size] = rng.multinomial(len(rows), shares, size=size) @ distinct
    return sums


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
        ``lambda d: compare_groups(d, "nps", "certificate").value``.
    n_resamples : int
        Number of resamples (at least 100).
    seed : int or numpy Generator, optional
        Makes the interval reproducible; without it (``None``, as everywhere in cxlab)
        the resamples, and so the interval, change every time the notebook runs.
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
    >>> result.value, round(result.low, 1), round(result.high, 1)
    (50.5, 44.6, 56.0)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if not callable(statistic):
        raise TypeError(f"statistic must be a function of a DataFrame, got {statistic!r}")
    if method not in BOOTSTRAP_METHODS:
        raise ValueError(f"method must be one of {BOOTSTRAP_METHODS}, got {method!r}")
    ci = check_ci(ci)
    n_resamples = check_resamples(n_resamples)
    if len(df) < 2:
        raise ValueError(f"the DataFrame has {len(df)} row(s); a bootstrap needs at least 2")
    data = df.reset_index(drop=True)
    estimate = _as_statistic_value(statistic(data), "on the data")

    if strata is None:
        blocks = (np.arange(len(data)),)
    else:
        require_columns(data, strata)
        if data[strata].isna().any():
            raise ValueError(f"strata column {strata!r} has missing values")
        blocks = tuple(np.asarray(rows) for rows in data.groupby(strata, sort=True, observed=True).indices.values())

    calls = 0
    # What scipy asks besides the resamples, kept for other levels: the statistic on all rows (in
    # scipy's row order) and, for BCa, without each row in turn (the jackknife).
    on_all_rows = [estimate]
    jackknife = np.full(len(data), np.nan)
    every_row = len(data) * (len(data) - 1) // 2

    def on_rows(*row_blocks):
        # scipy hands over the resampled row numbers of each stratum; the statistic sees their rows.
        nonlocal calls
        calls += 1
        rows = np.concatenate(row_blocks)
        where = f"on bootstrap resample {calls}" if calls <= n_resamples else "in the BCa jackknife"
        try:
            value = statistic(data.iloc[rows])
        except (ValueError, TypeError, ZeroDivisionError) as error:
            hint = "" if strata is not None else " (pass strata=<group column> to keep every group in each resample)"
            raise ValueError(f"statistic failed {where}: {error}{hint}") from error
        value = _as_statistic_value(value, where)
        if rows.size == len(data) - 1:  # a jackknife sample (a resample keeps every stratum's size)
            jackknife[every_row - int(rows.sum())] = value
        elif calls > n_resamples:
            on_all_rows[0] = value
        return value

    from scipy.stats import bootstrap

    kind = "BCa" if method == "bca" else method
    try:
        result = bootstrap(blocks, on_rows, n_resamples=n_resamples, confidence_level=ci, method=kind,
                           vectorized=False, paired=False, rng=np.random.default_rng(seed_sequence(seed)))
    except ValueError as error:
        if str(error).startswith("statistic"):
            raise
        raise ValueError(f"the {method} interval cannot be computed here ({error}); use method='percentile'") from error
    low, high = result.confidence_interval
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(
            f"the {method} interval is undefined for this statistic (every resample falls on one side of "
            "the estimate, or the resamples do not vary); use method='percentile'"
        )
    distribution = np.asarray(result.bootstrap_distribution, dtype=float)
    rule = _KeptBootstrapInterval(distribution, on_all_rows[0], blocks, jackknife, method)
    warn_if_excluded(rule, estimate, float(low), float(high), ci, "BootstrapResult")
    return BootstrapResult(
        value=estimate,
        low=float(low),
        high=float(high),
        se=float(result.standard_error),
        ci=ci,
        method=method,
        n_resamples=n_resamples,
        distribution=distribution,
        _interval=rule,
    )
