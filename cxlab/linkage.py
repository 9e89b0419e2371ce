"""Linking employee experience to customer experience across units and periods.

The questions are: do branches (teams, stores) with better
employee experience have better customer outcomes; does this quarter's EX go with
next quarter's CX more than the reverse; and does the link hold *within* a branch
over time, once fixed differences between branches (size, location) are removed?

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab._validate` and
:mod:`cxlab.stats`; scipy.stats only inside :func:`lagged_correlation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ._validate import check_ci, check_whole, require_columns
from .stats.common import normal_quantile, two_sided_test


@dataclass(frozen=True)
class JoinResult:
    """Employee and customer tables joined by unit and period, with what did not match.

    ``table`` holds the matched rows. ``only_left`` and ``only_right`` list the
    (unit, period) keys found in only one of the tables, so that nothing disappears
    without a trace.
    """

    table: pd.DataFrame = field(repr=False)
    only_left: pd.DataFrame = field(repr=False)
    only_right: pd.DataFrame = field(repr=False)
    matched: int
    unmatched_left: int
    unmatched_right: int

    def report(self) -> str:
        lines = [f"{self.matched} rows matched"]
        for label, keys in (("only in the employee table", self.only_left),
                            ("only in the customer table", self.only_right)):
            if len(keys):
                listed = ", ".join(" ".join(str(value) for value in row) for row in keys.itertuples(index=False))
                lines.append(f"{len(keys)} {label}: {listed}")
        return "\n".join(lines)


def join_units(left: pd.DataFrame, right: pd.DataFrame, on=("branch", "quarter")) -> JoinResult:
    """Join two tables (one row per unit and period each) and report what did not match.

    Duplicate keys are an error (aggregate first, for example employees to branches),
    because a many-to-many join would silently multiply rows.

    Examples
    --------
    >>> staff = pd.DataFrame({"branch": ["A", "A", "B"], "quarter": ["Q1", "Q2", "Q1"], "enps": [10, 20, -5]})
    >>> customers = pd.DataFrame({"branch": ["A", "B", "C"], "quarter": ["Q1", "Q1", "Q1"], "nps": [30, 25, 40]})
    >>> result = join_units(staff, customers)
    >>> print(result.report())
    2 rows matched
    1 only in the employee table: A Q2
    1 only in the customer table: C Q1
    """
    on = [on] if isinstance(on, str) else list(on)
    for name, frame in (("left", left), ("right", right)):
        require_columns(frame, *on)
        duplicated = frame.duplicated(on, keep=False)
        if duplicated.any():
            example = frame.loc[duplicated, on].iloc[0].tolist()
            raise ValueError(
                f"the {name} table has {int(duplicated.sum())} rows with repeated keys {on}, for example {example}; "
                "aggregate it to one row per unit and period first"
            )
        if frame[on].isna().any().any():
            raise ValueError(f"the {name} table has missing values in the key columns {on}")
    merged = left.merge(right, on=on, how="outer", indicator=True, suffixes=("_employee", "_customer"))
    only_left = merged.loc[merged["_merge"] == "left_only", on].reset_index(drop=True)
    only_right = merged.loc[merged["_merge"] == "right_only", on].reset_index(drop=True)
    table = merged[merged["_merge"] == "both"].drop(columns="_merge").reset_index(drop=True)
    return JoinResult(table=table, only_left=only_left, only_right=only_right, matched=len(table),
                      unmatched_left=len(only_left), unmatched_right=len(only_right))


def _fisher_interval(r: float, n: int, ci: float) -> tuple[float, float]:
    # scipy's pearsonr gives this interval for plain pairs; within units the effective
    # sample size is smaller than the number of pairs, which pearsonr cannot be told.
    if n <= 3 or not math.isfinite(r) or abs(r) >= 1:
        return (math.nan, math.nan)
    z = math.atanh(r)
    half = normal_quantile(ci) / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def lagged_correlation(
    panel: pd.DataFrame,
    x: str,
    y: str,
    unit: str,
    period: str,
    lags=(-2, -1, 0, 1, 2),
    *,
    within: bool = False,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Correlation of ``x`` at period t with ``y`` at period t + lag, for each lag.

    A positive lag asks whether ``x`` goes with *later* ``y`` (EX now, CX next
    quarter); a negative lag the reverse. Periods are ordered by sorting their
    labels (``2025-Q4`` before ``2026-Q1``); a unit missing a period simply has no
    pair for it. With ``within=True`` each unit's own mean is subtracted from ``x``
    and ``y`` first, so that fixed differences between units (a city branch is
    always busier) cannot create the correlation; the interval then uses
    ``n - units`` degrees of freedom.

    Returns
    -------
    DataFrame
        One row per lag: ``r``, ``low``, ``high`` (Fisher z interval), ``pvalue``
        and ``n`` (pairs).

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 4, "t": [1, 2, 3, 4] * 2,
    ...                       "ex": [1, 2, 3, 4, 2, 1, 4, 3], "cx": [0, 1, 2, 3, 4, 2, 1, 4]})
    >>> lagged_correlation(panel, "ex", "cx", "unit", "t", lags=[1])["r"].round(3).tolist()
    [1.0]
    """
    ci = check_ci(ci)
    require_columns(panel, x, y, unit, period)
    for column in (x, y):
        if pd.api.types.is_bool_dtype(panel[column].dtype) or not pd.api.types.is_numeric_dtype(panel[column].dtype):
            raise TypeError(f"column {column!r} must be numeric, it has dtype {panel[column].dtype}")
    if isinstance(lags, int | np.integer):
        lags = [lags]
    lags = [check_whole(lag, "each lag", what="a whole number of periods") for lag in lags]
    if not lags:
        raise ValueError("lags must name at least one lag, got an empty list")
    frame = panel[[unit, period, x, y]].copy()
    if frame[[unit, period]].isna().any().any():
        raise ValueError(f"columns {unit!r} and {period!r} must not have missing values")
    if frame.duplicated([unit, period]).any():
        first = frame.loc[frame.duplicated([unit, period]), [unit, period]].iloc[0].tolist()
        raise ValueError(f"the panel has more than one row for {unit} and {period} {first}; aggregate first")
    periods = sorted(frame[period].unique().tolist())
    frame["_t"] = frame[period].map({label: index for index, label in enumerate(periods)})
    if max(abs(lag) for lag in lags) >= len(periods):
        raise ValueError(f"lags {lags} reach beyond the {len(periods)} periods of the panel")
    if within:
        for column in (x, y):
            frame[column] = frame[column] - frame.groupby(unit)[column].transform("mean")
    left = frame[[unit, "_t", x]].rename(columns={x: "_x"})
    right = frame[[unit, "_t", y]].rename(columns={y: "_y"})
    rows = []
    for lag in lags:
        shifted = right.assign(_t=right["_t"] - lag)
        pairs = left.merge(shifted, on=[unit, "_t"]).dropna()
        n = len(pairs)
        if n < 3 or pairs["_x"].std() == 0 or pairs["_y"].std() == 0:
            rows.append({"lag": lag, "r": math.nan, "low": math.nan, "high": math.nan, "pvalue": math.nan, "n": n})
            continue
        if within:
            r = float(np.corrcoef(pairs["_x"], pairs["_y"])[0, 1])
            effective = n - pairs[unit].nunique()
            low, high = _fisher_interval(r, effective, ci)
            dof = effective - 2
            pvalue = two_sided_test(r, math.sqrt((1 - r * r) / dof), dof)[1] if dof > 0 and abs(r) < 1 else math.nan
        else:
            from scipy.stats import pearsonr

            test = pearsonr(pairs["_x"], pairs["_y"])
            r, pvalue = float(test.statistic), float(test.pvalue)
            low, high = test.confidence_interval(confidence_level=ci) if n > 3 else (math.nan, math.nan)
        rows.append({"lag": lag, "r": r, "low": low, "high": high, "pvalue": pvalue, "n": n})
    table = pd.DataFrame(rows).set_index("lag")
    table.attrs["within"] = within
    return table
