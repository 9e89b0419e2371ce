"""A bootstrap interval for any statistic of a DataFrame.

Layer 2 of cxlab (statistics). Resampling and the percentile, basic and BCa intervals
come from ``scipy.stats.bootstrap`` (imported when first needed); what scipy lacks is
kept here: a statistic of a whole DataFrame rather than of arrays, resampling within
strata (each stratum passed to scipy as a sample of its own, so every resample keeps
each stratum's row count), errors that name the failing resample, and the
bootstrap of sums that the analyses' row bootstraps use: :func:`resample_counts` draws
how often each row is taken, a chunk of rows at a time, and :func:`resampled_sums` adds
up a table's rows with them, so that memory grows neither with the resamples nor, beyond
the data's own size, with the rows. Imports numpy, pandas, :mod:`cxlab._validate` and
:mod:`cxlab.stats.common`.
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


def _within_resamples(low: float, high: float, distribution: np.ndarray, kind: str) -> tuple[float, float]:
    """The interval's ends, kept within the resampled statistics' range where they are quantiles of it.

    Percentile and BCa ends are quantiles of the resampled statistics; interpolating
    between two of them can pass the larger by a rounding error, which would put the
    interval outside every resample. (Basic-bootstrap ends are reflected, not quantiles.)
    """
    if kind == "basic" or not (math.isfinite(low) and math.isfinite(high)):
        return low, high
    smallest, largest = float(distribution.min()), float(distribution.max())
    return min(max(low, smallest), largest), min(max(high, smallest), largest)


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
        low, high = _within_resamples(*result.confidence_interval, self.distribution, self.kind)
        return float(low), float(high)



#: Most counts (resamples x rows) one chunk of draws holds at once: 1 MiB of them.
RESAMPLE_BATCH_CELLS = 131_072


def resample_counts(counts, n_resamples: int, rng, *, batch_cells: int = RESAMPLE_BATCH_CELLS):
    """How often each row is taken in ``n_resamples`` bootstrap resamples, drawn a chunk of rows at a time.

    ``counts`` says how often each row occurs in the sample (whole numbers or True/False;
    a row with 0 is never taken), or is a number of rows that occur once each. A resample
    takes ``counts.sum()`` rows with probabilities proportional to ``counts``: a
    multinomial draw. Rows that fit in one chunk (``batch_cells // n_resamples`` of them)
    are drawn as one multinomial. More rows are drawn by the multinomial's
    conditional-binomial decomposition, chunk by chunk in row order: how many of a
    resample's draws fall in a chunk is binomial (its draws not yet placed, with the
    chunk's share of the sample not yet visited), and within the chunk each of them is
    placed on a row at random, with probability proportional to the row's count: a
    multinomial over the chunk's rows. A chunk holds at most that many rows and counts;
    a row whose count alone is larger is a chunk of its own, and takes all its draws. So
    memory holds one chunk's draws, about ``batch_cells``, however many rows there are.

    Yields ``(start, draws)``: ``draws[r, j]`` is how often row ``start + j`` is taken in
    resample ``r`` (int64). Chunks with no row of the sample are skipped.

    >>> rng = np.random.default_rng(1)
    >>> [(start, draws.shape) for start, draws in resample_counts([3, 0, 1, 1, 2], 4, rng, batch_cells=8)]
    [(0, (4, 1)), (1, (4, 2)), (3, (4, 1)), (4, (4, 1))]
    >>> total = sum(int(draws.sum()) for _, draws in resample_counts(10, 4, rng, batch_cells=8))
    >>> total   # each of the 4 resamples takes 10 rows
    40
    """
    if isinstance(counts, numbers.Integral) and not isinstance(counts, bool | np.bool_):
        each, n_rows, total = None, int(counts), int(counts)
    else:
        each = np.asarray(counts)
        if each.ndim != 1 or each.dtype.kind not in "biu" or (each.dtype.kind == "i" and (each < 0).any()):
            raise ValueError("counts must be a number of rows or one whole number 0 or more per row")
        n_rows, total = each.size, int(each.sum())
    if total < 1:
        raise ValueError("the sample to resample is empty")
    width = max(1, batch_cells // n_resamples)
    if n_rows <= width:
        shares = np.full(n_rows, 1 / n_rows) if each is None else each / total
        yield 0, rng.multinomial(total, shares, size=n_resamples)
        return
    left = np.full(n_resamples, total, dtype=np.int64)  # each resample's draws not yet placed
    rows_left = total  # the sample's rows not yet visited
    start = 0
    while rows_left:
        if each is None:
            size = here = min(width, n_rows - start)
        else:  # as many rows as fit in width, and whose counts do
            running = np.cumsum(each[start:start + width], dtype=np.int64)
            size = max(1, int(np.searchsorted(running, width, side="right")))
            here = int(running[size - 1])
        if here:
            taken = left if here == rows_left else rng.binomial(left, here / rows_left)
            if size == 1:
                draws = taken[:, np.newaxis]
            else:
                places = rng.integers(0, here, size=int(taken.sum()))
                if each is not None:  # the place of each unit of count -> its row
                    places = np.repeat(np.arange(size), each[start:start + size].astype(np.intp))[places]
                places += np.repeat(np.arange(0, n_resamples * size, size), taken)
                draws = np.bincount(places, minlength=n_resamples * size).reshape(n_resamples, size)
            yield start, draws
            left = left - taken
            rows_left -= here
        start += size


def resampled_sums(rows, n_resamples: int, rng, *, counts=None, batch_cells: int = RESAMPLE_BATCH_CELLS) -> np.ndarray:
    """Column sums of ``rows`` (n x k) over ``n_resamples`` bootstrap resamples of its rows.

    A resample of the rows is a multinomial draw of how often each row is taken; rows
    that are equal can be taken together (a multinomial over groups of categories is the
    multinomial of the groups), so the draws are made over distinct rows only: a
    survey's answer-and-weight cells, say, however many respondents gave them. Pass
    ``counts`` (how often each row occurs) when ``rows`` are already distinct; without
    it equal rows are found here. The draws come from :func:`resample_counts`, a chunk
    of rows at a time, so that memory stays near the data's size whatever
    ``n_resamples`` is. Returns an ``n_resamples`` x k array.

    >>> rows = np.array([[1.0, 1.0]] * 30 + [[0.0, 1.0]] * 70)
    >>> sums = resampled_sums(rows, 500, np.random.default_rng(1))
    >>> sums.shape, bool((sums[:, 1] == 100).all()), bool(20 < sums[:, 0].mean() < 40)
    ((500, 2), True, True)
    """
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise ValueError(f"rows must be a non-empty two-dimensional table, got shape {rows.shape}")
    if counts is None:
        rows, counts = np.unique(rows, axis=0, return_counts=True)
    elif len(counts) != rows.shape[0]:
        raise ValueError(f"counts must give one count per row: {rows.shape[0]} rows, {len(counts)} counts")
    sums = np.zeros((n_resamples, rows.shape[1]))
    for start, draws in resample_counts(counts, n_resamples, rng, batch_cells=batch_cells):
        sums += draws @ rows[start:start + draws.shape[1]]
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
    low, high = _within_resamples(low, high, distribution, method)
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
