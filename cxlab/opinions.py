"""Who answered: a measure by group of respondents, and the gap between two bases.

Layer 3 of cxlab (analyses): imports numpy, pandas and :mod:`cxlab.stats` (its metrics
with ``weights=``), nothing above.

A survey's headline mixes groups: people who use a service and people who only have an
opinion of it, young and old. Every metric this module handles (a share, CSAT, NPS, the
CES mean) is a weighted mean of one number per answer: 100 for "yes" and 0 for "no";
+100, 0 or -100 for a promoter, passive or detractor; the rating itself for CES. So the
headline is the sum over groups of (the group's share of the answers) times (the
group's value): :func:`measure_by_group` lists those parts, and :func:`base_gap`
compares the headline with the same measure on a narrower base (users only), with a
bootstrap interval for the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from .stats import ces, csat, nps, proportion
from .stats.bootstrap import resample_counts, resampled_sums
from .stats.common import IntervalRule, PercentileInterval, _HasInterval, interval_at
from .stats.weights import check_weights
from ._validate import check_ci, check_nan_policy, check_shares, check_whole, require_columns, seed_sequence

#: The measures, by name: each is a weighted mean of one number per answer.
MEASURES = ("proportion", "csat", "nps", "ces")


def _measure_function(metric: str):
    if not isinstance(metric, str) or metric not in MEASURES:
        raise ValueError(f"metric must be one of {MEASURES}, got {metric!r}")
    return {"proportion": proportion, "csat": csat, "nps": nps, "ces": ces}[metric]


def _answer_points(metric: str, values: pd.Series, options: dict) -> np.ndarray:
    """One number per (already checked) answer whose mean is the metric."""
    answers = values.to_numpy(dtype=float)
    if metric == "proportion":
        return 100.0 * answers
    if metric == "nps":
        return np.select([answers >= 9, answers <= 6], [100.0, -100.0], 0.0)
    if metric == "csat":
        scale, top = options.get("scale", 5), options.get("top", 2)
        return np.where(answers >= scale - top + 1, 100.0, 0.0)
    return answers


def _answered(frame, column, weights, nan_policy, extra_columns=()):
    """Which rows answered (None when all did) and their checked weights (None without ``weights``)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    check_nan_policy(nan_policy)
    named = [column, *extra_columns] + ([weights] if isinstance(weights, str) else [])
    require_columns(frame, *named)
    if isinstance(weights, str):
        weight_values = check_weights(frame[weights], name=f"column {weights!r}")
    elif weights is None:
        weight_values = None
    else:
        weight_values = check_weights(weights, len(frame))
    missing = frame[column].isna().to_numpy()
    if not missing.any():
        return None, weight_values
    if nan_policy == "raise":
        raise ValueError(f"column {column!r} has {int(missing.sum())} missing answer(s); "
                         "pass nan_policy='omit' to leave them out")
    return ~missing, weight_values


def _prepared(frame, column, weights, nan_policy, extra_columns=()):
    """The frame's answered rows and their weights (ones without ``weights``)."""
    answered, weight_values = _answered(frame, column, weights, nan_policy, extra_columns)
    if weight_values is None:
        weight_values = np.ones(len(frame))
    if answered is None:
        return frame, weight_values
    return frame.loc[answered], weight_values[answered]


def _flags(frame: pd.DataFrame, among) -> np.ndarray:
    """``among`` as a boolean mask over the frame's rows: a column name or a boolean sequence."""
    if isinstance(among, str):
        require_columns(frame, among)
        among = frame[among]
    mask = np.asarray(among)
    if mask.dtype.kind != "b":
        raise TypeError(f"among must be the name of a True/False column or a boolean sequence, got dtype {mask.dtype}")
    if mask.shape != (len(frame),):
        raise ValueError(f"among must mark every row: the frame has {len(frame)} rows, among has {mask.size}")
    return mask


#: Rows of a survey that :func:`base_gap` checks and counts at once, so that memory follows the chunk, not the survey.
_CHUNK_ROWS = 8192
#: Weights that take at most this many values are resampled by cell (answer, weight, base); more, by row.
_CELL_WEIGHTS = 1024


class _Measure(NamedTuple):
    """A measure's value and the number of answers it rests on."""

    value: float
    n: int


def _distinct_weights(weight_values: np.ndarray):
    """The weights' distinct values, sorted, or None when there are more than ``_CELL_WEIGHTS``."""
    seen = np.empty(0)
    for start in range(0, weight_values.size, _CHUNK_ROWS):
        seen = np.union1d(seen, weight_values[start:start + _CHUNK_ROWS])
        if seen.size > _CELL_WEIGHTS:
            return None
    return seen


class _Tally:
    """A survey's answers for :func:`base_gap`, checked and counted a chunk of rows at a time.

    Each answer is checked by the metric itself and becomes its point value (what it adds
    to the metric's mean, :func:`_answer_points`). The answers are counted, and their
    weights summed, by point value and base (outside or inside the narrower one), which
    is all the two measures need. For the bootstrap, every answer is a row
    ``(w p, w, w p m, w m)`` (weight ``w``, points ``p``, ``m`` 1 inside the base); where
    the weights take few values there are few distinct rows, and the answers are counted
    by cell (points, weight, base) and resampled as cells; otherwise each answer keeps a
    one-byte cell code (points and base) beside its weight, and the rows are resampled a
    chunk at a time. Nothing row by row is held but that code.
    """

    def __init__(self, answers: pd.Series, answered, mask: np.ndarray, weight_values, metric: str, function,
                 options: dict):
        self.n_rows, self.answered, self.weights = len(answers), answered, weight_values
        self.levels = None if weight_values is None else _distinct_weights(weight_values)
        self.by_row = weight_values is not None and self.levels is None
        n_levels = 1 if self.levels is None else self.levels.size

        def whole(selected):  # the metric on all the selected answers, as it always ran: its own errors
            rows = selected if answered is None else selected & answered
            function(answers[rows], weights=None if weight_values is None else weight_values[rows], **options)

        point_of = {}  # point value -> its code, in order of first appearance
        self.counts = np.zeros((0, 2), dtype=np.int64)  # answers by points and base (outside, inside)
        self.totals = np.zeros((0, 2))  # their summed weights
        self.cell_counts = np.zeros((0, n_levels, 2), dtype=np.int64)  # answers by points, weight and base
        self.cells = np.zeros(self.n_rows, dtype=np.uint8) if self.by_row else None
        checked = False
        for start in range(0, self.n_rows, _CHUNK_ROWS):
            rows = slice(start, min(start + _CHUNK_ROWS, self.n_rows))
            part, inside = answers.iloc[rows], mask[rows]
            weight = None if weight_values is None else weight_values[rows]
            if answered is not None:
                kept = answered[rows]
                part, inside = part[kept], inside[kept]
                weight = None if weight is None else weight[kept]
            if part.empty:
                continue
            if not checked:
                try:
                    function(part, weights=weight, **options)
                except (TypeError, ValueError):
                    whole(np.ones(self.n_rows, dtype=bool))  # raises, naming the rows as it always has
                    checked = True  # only this chunk failed (all its weights 0): the whole column is fine
            values, local = np.unique(_answer_points(metric, part, options), return_inverse=True)
            codes = np.array([point_of.setdefault(value, len(point_of)) for value in values.tolist()])
            if len(point_of) > len(self.counts):
                grow = len(point_of) - len(self.counts)
                self.counts = np.concatenate([self.counts, np.zeros((grow, 2), dtype=np.int64)])
                self.totals = np.concatenate([self.totals, np.zeros((grow, 2))])
                self.cell_counts = np.concatenate([self.cell_counts, np.zeros((grow, n_levels, 2), dtype=np.int64)])
            key = local * 2 + inside
            self.counts[codes] += np.bincount(key, minlength=2 * values.size).reshape(-1, 2)
            self.totals[codes] += np.bincount(key, weights=weight, minlength=2 * values.size).reshape(-1, 2)
            if self.by_row:
                if 2 * len(point_of) > np.iinfo(self.cells.dtype).max:
                    self.cells = self.cells.astype(np.uint16)
                row_cells = codes[local] * 2 + inside
                if answered is None:
                    self.cells[rows] = row_cells
                else:
                    self.cells[rows][kept] = row_cells
            else:
                level = 0 if weight is None else np.searchsorted(self.levels, weight)
                cell = (local * n_levels + level) * 2 + inside
                self.cell_counts[codes] += np.bincount(cell, minlength=values.size * n_levels * 2).reshape(
                    -1, n_levels, 2)
        self.points = np.array(list(point_of), dtype=float)
        if weight_values is not None and not self.totals[:, 1].sum() > 0:
            whole(mask)  # every answer of the narrower base weighs 0: the metric's own error

    def measure(self, among: bool) -> _Measure:
        """The measure on everyone who answered, or on the narrower base: the weighted mean of the points."""
        counts, totals = (self.counts[:, 1], self.totals[:, 1]) if among else (self.counts.sum(axis=1),
                                                                              self.totals.sum(axis=1))
        return _Measure(value=float(np.dot(totals, self.points) / totals.sum()), n=int(counts.sum()))

    def resampled_sums(self, n_resamples: int, rng) -> np.ndarray:
        """Over resamples of the answers: summed weighted points and weights, of everyone and of the base."""
        if not self.by_row:
            points, levels, inside = np.nonzero(self.cell_counts)
            weight = np.ones(points.size) if self.levels is None else self.levels[levels]
            weighted_points, base = weight * self.points[points], inside.astype(float)
            cells = np.column_stack([weighted_points, weight, weighted_points * base, weight * base])
            distinct, which = np.unique(cells, axis=0, return_inverse=True)
            counts = np.zeros(len(distinct), dtype=np.int64)
            np.add.at(counts, which.ravel(), self.cell_counts[points, levels, inside])
            return resampled_sums(distinct, n_resamples, rng, counts=counts)
        points, base = np.repeat(self.points, 2), np.tile([0.0, 1.0], self.points.size)
        by_cell = np.column_stack([points, np.ones(points.size), points * base, base])
        sums = np.zeros((n_resamples, 4))
        taken = self.n_rows if self.answered is None else self.answered
        for start, draws in resample_counts(taken, n_resamples, rng):
            rows = slice(start, start + draws.shape[1])
            sums += draws @ (self.weights[rows, None] * by_cell[self.cells[rows]])
        return sums


def measure_by_group(frame: pd.DataFrame, column: str, by: str, *, metric: str = "proportion", weights=None,
                     ci: float = 0.95, nan_policy: str = "raise", **options) -> pd.DataFrame:
    """The measure in each group of ``by``, each group's share of the answers, and its part of the headline.

    Parameters
    ----------
    frame : DataFrame
        One row per answer.
    column : str
        The answers: True/False or 0/1 for ``"proportion"``, ratings for ``"csat"``
        and ``"ces"``, 0-10 scores for ``"nps"``.
    by : str
        The groups (age group, use of the service).
    metric : {"proportion", "csat", "nps", "ces"}
    weights : str or array-like, optional
        Survey weights: a column name or one weight per row. Values, intervals and
        group shares are then weighted, and the intervals use each group's effective
        sample size.
    options
        Passed to the metric (for example ``scale=4, top=2`` for CSAT).

    Returns
    -------
    DataFrame
        One row per group, in sorted order: ``n``, ``effective_n``, ``share`` (the
        group's share of the answers, 0 to 1, weighted when weighted), the metric's
        ``value``, ``low`` and ``high`` in its own points (percent for a proportion and
        CSAT, -100..100 for NPS, the scale for CES) and ``contribution``:
        ``share * value``, in the same points. The contributions add up to the headline
        measure of all the answers.

    Examples
    --------
    >>> survey = pd.DataFrame({"uses": ["yes"] * 4 + ["no"] * 6,
    ...                        "unhappy": [True, False, False, False] + [True] * 5 + [False]})
    >>> table = measure_by_group(survey, "unhappy", "uses")
    >>> table[["n", "share", "value", "contribution"]].round(1)
         n  share  value  contribution
    uses
    no   6    0.6   83.3          50.0
    yes  4    0.4   25.0          10.0
    >>> float(table["contribution"].sum())   # the headline: 6 unhappy out of 10
    60.0
    """
    function = _measure_function(metric)
    rows, weight_values = _prepared(frame, column, weights, nan_policy, (by,))
    if rows[by].isna().any():
        raise ValueError(f"column {by!r} has {int(rows[by].isna().sum())} missing group label(s)")
    total = weight_values.sum()
    table = {}
    for group, positions in rows.groupby(by, sort=True, observed=True).indices.items():
        part = rows[column].iloc[positions]
        try:
            result = function(part, ci=ci, weights=None if weights is None else weight_values[positions], **options)
        except ValueError as error:
            raise ValueError(f"{by}={group!r}, column {column!r}: {error}") from error
        share = weight_values[positions].sum() / total
        table[group] = {"n": result.n, "effective_n": result.effective_n, "share": share, "value": result.value,
                        "low": result.low, "high": result.high, "contribution": share * result.value}
    result = pd.DataFrame.from_dict(table, orient="index")
    result.index.name = by
    return result


@dataclass(frozen=True)
class BaseGap(_HasInterval):
    """The measure on everyone minus the measure on a narrower base, with a bootstrap interval.

    ``value`` is ``everyone - among`` in the metric's points (percentage points for a
    proportion and CSAT, NPS points, the scale for CES); ``low`` and ``high`` are the percentile interval of resampled answers (the
    two estimates share the narrower group's answers, so they are not independent
    samples and a two-sample test would not fit).
    """

    value: float
    low: float
    high: float
    everyone: float
    among: float
    n: int
    n_among: int
    metric: str
    ci: float
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)


def base_gap(frame: pd.DataFrame, column: str, among, *, metric: str = "proportion", weights=None,
             ci: float = 0.95, seed=None, n_resamples: int = 2000, nan_policy: str = "raise",
             **options) -> BaseGap:
    """How far the headline (everyone who answered) is from the same measure on a narrower base.

    Parameters
    ----------
    frame, column, metric, weights, options
        As in :func:`measure_by_group`.
    among : str or array-like of bool
        The narrower base: a True/False column (for example "used the service this
        year") or a boolean mask of the rows.
    seed, n_resamples
        The bootstrap: ``n_resamples`` resamples of the rows (weights travel with
        their rows). The statistic depends on the rows only through their points,
        weights and base, so the resamples are drawn as multinomial counts over the
        distinct answer-and-weight cells (:func:`cxlab.stats.bootstrap.resampled_sums`);
        where the weights take many values (more than 1,024), over the rows
        themselves, a chunk at a time (:func:`cxlab.stats.bootstrap.resample_counts`).
        The answers are checked and counted a chunk of rows at a time too. So memory
        does not grow with the resamples, and with the rows only by a byte or two per
        row (where the weights take many values, also their checked 8-byte copy).

    Examples
    --------
    >>> survey = pd.DataFrame({"user": [True] * 50 + [False] * 50,
    ...                        "unhappy": [True] * 20 + [False] * 30 + [True] * 40 + [False] * 10})
    >>> gap = base_gap(survey, "unhappy", "user", seed=1)
    >>> gap.everyone, gap.among, gap.value
    (60.0, 40.0, 20.0)
    >>> bool(gap.low > 0)
    True
    """
    function = _measure_function(metric)
    ci = check_ci(ci)
    n_resamples = check_whole(n_resamples, "n_resamples", minimum=100)
    mask_all = _flags(frame, among) if isinstance(frame, pd.DataFrame) else None
    answered, weight_values = _answered(frame, column, weights, nan_policy)
    if not (mask_all.any() if answered is None else np.logical_and(mask_all, answered).any()):
        raise ValueError("among selects no answered row: the narrower base is empty")
    tally = _Tally(frame[column], answered, mask_all, weight_values, metric, function, options)
    everyone, narrower = tally.measure(among=False), tally.measure(among=True)
    rng = np.random.default_rng(seed_sequence(seed))
    sums = tally.resampled_sums(n_resamples, rng)
    all_values = sums[:, 0] / sums[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        among_values = sums[:, 2] / sums[:, 3]
    rule = PercentileInterval((all_values - among_values)[np.isfinite(among_values)])
    value = float(everyone.value - narrower.value)
    low, high = interval_at(rule, value, ci, "BaseGap")
    return BaseGap(
        value=value,
        low=low,
        high=high,
        everyone=float(everyone.value),
        among=float(narrower.value),
        n=int(everyone.n),
        n_among=int(narrower.n),
        metric=metric,
        ci=ci,
        _interval=rule,
    )


def headline_at_mix(value_users: float, value_others: float, share_others) -> np.ndarray:
    """The headline a survey would report if a share ``share_others`` (0 to 1) of its answers came from non-users.

    Examples
    --------
    >>> headline_at_mix(55.0, 85.0, [0.0, 0.5, 1.0]).tolist()
    [55.0, 70.0, 85.0]
    """
    shares = check_shares(share_others, "share_others")
    return (1 - shares) * float(value_users) + shares * float(value_others)


__all__ = ["BaseGap", "MEASURES", "base_gap", "headline_at_mix", "measure_by_group"]
