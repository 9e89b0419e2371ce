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

import numpy as np
import pandas as pd

from .stats import ces, csat, nps, proportion
from .stats.bootstrap import resampled_sums
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


def _prepared(frame, column, weights, nan_policy, extra_columns=()):
    """The frame's answered rows and their weights (ones without ``weights``)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    check_nan_policy(nan_policy)
    named = [column, *extra_columns] + ([weights] if isinstance(weights, str) else [])
    require_columns(frame, *named)
    if isinstance(weights, str):
        weight_values = check_weights(frame[weights], name=f"column {weights!r}")
    elif weights is None:
        weight_values = np.ones(len(frame))
    else:
        weight_values = check_weights(weights, len(frame))
    answered = frame[column].notna().to_numpy()
    if not answered.all() and nan_policy == "raise":
        raise ValueError(f"column {column!r} has {int((~answered).sum())} missing answer(s); "
                         "pass nan_policy='omit' to leave them out")
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
        their rows), drawn as multinomial counts over the distinct answer-and-weight
        cells (:func:`cxlab.stats.bootstrap.resampled_sums`), so memory does not grow
        with the resamples.

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
    rows, weight_values = _prepared(frame, column, weights, nan_policy)
    mask = mask_all[frame[column].notna().to_numpy()]
    if not mask.any():
        raise ValueError("among selects no answered row: the narrower base is empty")
    plain = weights is None
    everyone = function(rows[column], weights=None if plain else weight_values, **options)
    narrower = function(rows[column][mask], weights=None if plain else weight_values[mask], **options)
    points = _answer_points(metric, rows[column], options)
    rng = np.random.default_rng(seed_sequence(seed))
    weighted, weighted_points = weight_values, weight_values * points
    sums = resampled_sums(np.column_stack([weighted_points, weighted, weighted_points * mask, weighted * mask]),
                          n_resamples, rng)
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
