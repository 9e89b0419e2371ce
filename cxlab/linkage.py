"""Linking employee experience to customer experience across units and periods.

The questions are: do branches (teams, stores) with better
employee experience have better customer outcomes; does this quarter's EX go with
next quarter's CX more than the reverse; and does the link hold *within* a branch
over time, once fixed differences between branches (size, location) are removed?

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab._validate` and
:mod:`cxlab.stats`; inside :func:`lagged_correlation` only, scipy.stats (across units)
and statsmodels (within units, and for ``adjust``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ._validate import check_ci, check_nan_policy, check_whole, drop_missing, numeric_column, require_columns
from .stats.common import t_quantile, two_sided_test

#: The p-value adjustments of :func:`lagged_correlation`, as statsmodels' ``multipletests`` names them.
ADJUSTMENTS = ("holm", "fdr_bh")


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


def _pooled_row(pairs: pd.DataFrame, ci: float) -> dict:
    """Pearson's r of the pairs, as if they were independent, with scipy's test and Fisher-z interval."""
    from scipy.stats import pearsonr

    n = len(pairs)
    test = pearsonr(pairs["_x"], pairs["_y"])
    r, pvalue = float(test.statistic), float(test.pvalue)
    low, high = test.confidence_interval(confidence_level=ci) if n > 3 else (math.nan, math.nan)
    dof = n - 2
    statistic = r * math.sqrt(dof / (1 - r * r)) if abs(r) < 1 else math.copysign(math.inf, r)
    return {"value": r, "low": float(low), "high": float(high), "statistic": statistic, "dof": dof,
            "pvalue": pvalue, "n": n}


def _within_row(pairs: pd.DataFrame, unit: str, controlled: bool, ci: float) -> dict:
    """The within-unit (fixed-effects) regression of y on lagged x, given same-period x, clustered by unit.

    The unit means are removed from the rows of this regression (the within
    transformation, equal to a dummy per unit); units with a single row carry no
    within-unit information and are left out, so they do not count as clusters.
    """
    empty = {"value": math.nan, "low": math.nan, "high": math.nan, "coef": math.nan, "se": math.nan,
             "statistic": math.nan, "dof": math.nan, "pvalue": math.nan, "n": 0, "units": 0}
    sizes = pairs.groupby(unit)[unit].transform("size")
    pairs = pairs[sizes.to_numpy() > 1]
    columns = ["_y", "_x", "_now"] if controlled else ["_y", "_x"]
    centred = pairs[columns] - pairs.groupby(unit)[columns].transform("mean")
    units = int(pairs[unit].nunique())
    row = {**empty, "n": len(pairs), "units": units}
    regressors = centred[columns[1:]].to_numpy(dtype=float)
    outcome = centred["_y"].to_numpy(dtype=float)
    if units < 2 or len(pairs) <= regressors.shape[1] + 1:
        return row
    # Partial out same-period x (Frisch-Waugh-Lovell): what is left of lagged x and of y.
    lagged, rest = regressors[:, 0], outcome
    if controlled:
        now = regressors[:, 1]
        if now @ now == 0:
            return row
        lagged = lagged - (now @ lagged) / (now @ now) * now
        rest = rest - (now @ rest) / (now @ now) * now
    spread_x, spread_y = math.sqrt(lagged @ lagged), math.sqrt(rest @ rest)
    if spread_x <= 1e-12 * max(1.0, math.sqrt(regressors[:, 0] @ regressors[:, 0])) or spread_y == 0:
        return row
    import statsmodels.api as sm

    groups = pd.factorize(pairs[unit])[0]
    fit = sm.OLS(outcome, regressors).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    coef, se = float(fit.params[0]), float(fit.bse[0])
    dof = units - 1  # t with one degree of freedom fewer than clusters, as statsmodels and Stata use
    statistic, pvalue = two_sided_test(coef, se, dof)
    half = t_quantile(ci, dof) * se
    # The partial correlation is the coefficient in units of the partialled spreads.
    scale = spread_x / spread_y
    row.update(value=coef * scale, low=max(-1.0, (coef - half) * scale), high=min(1.0, (coef + half) * scale),
               coef=coef, se=se, statistic=statistic, dof=dof, pvalue=pvalue)
    return row


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
    nan_policy: str = "raise",
    adjust: str | None = None,
) -> pd.DataFrame:
    """Correlation of ``x`` at period t with ``y`` at period t + lag, for each lag.

    A positive lag asks whether ``x`` goes with *later* ``y`` (EX now, CX next
    quarter); a negative lag the reverse. Periods are ordered by sorting their
    labels (``2025-Q4`` before ``2026-Q1``); a unit missing a period simply has no
    pair for it.

    The table's estimate column is ``value``, as in every cxlab table; it is a correlation.
    Across units (``within=False``), ``value`` is Pearson's r of the pairs,
    with scipy's test and Fisher-z interval, which treat the pairs as independent.

    Within units (``within=True``), ``value`` is a **within-unit partial correlation**:
    of ``x`` at t with ``y`` at t + lag, given ``x`` at t + lag (the same period as
    ``y``; at lag 0 there is nothing to hold fixed), after removing each unit's
    mean. It comes from the fixed-effects regression
    ``y[t+lag] = coef * x[t] + b * x[t+lag] + unit effect + error``, whose ``coef``
    and standard error ``se`` (clustered by unit, so serial correlation within a unit
    is allowed for) are reported too; ``statistic`` is ``coef / se``, tested against
    Student's t with ``units - 1`` degrees of freedom (``dof``), and ``low``/``high``
    are the coefficient's interval in the units of ``value`` (clipped to -1..1). Holding
    same-period ``x`` fixed matters: when x and y move together within a period and
    both carry over between periods, x now goes with y next period without any
    lagged link, and a plain within-unit correlation (or removing the unit means of
    all periods first) finds leads that are not there. Units with a single pair
    carry no within-unit information and are left out. Clustered standard errors need
    many units: with fewer than about 30, read the p-values as rough.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period.
    x, y, unit, period : str
        Column names.
    lags : int or sequence of int
        Lags in periods.
    within : bool
        Compare within units (fixed effects) instead of across all pairs.
    ci : float
        Confidence level of the intervals.
    nan_policy : {"raise", "omit"}
        A missing ``x`` or ``y`` is an error naming the column, the count and the first
        row label (``"raise"``), or its row is left out (``"omit"``; the number left out
        is in ``table.attrs["dropped_missing"]``).
    adjust : {None, "holm", "fdr_bh"}
        Adjust the p-values of the lags for testing several (Holm's step-down, or
        Benjamini-Hochberg's false discovery rate) with statsmodels' ``multipletests``,
        in a column ``pvalue_adjusted``.

    Returns
    -------
    DataFrame
        One row per lag: ``value`` (the correlation), ``low``, ``high``, ``statistic``, ``dof``, ``pvalue``
        (and ``pvalue_adjusted``) and ``n`` (pairs used); within units also ``coef``,
        ``se`` and ``units`` (the clusters). ``attrs`` holds ``within``, ``estimate``
        (what ``value`` is), ``ci``, ``nan_policy``, ``dropped_missing`` and ``adjust``.

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 4, "t": [1, 2, 3, 4] * 2,
    ...                       "ex": [1, 2, 3, 4, 2, 1, 4, 3], "cx": [0, 1, 2, 3, 4, 2, 1, 4]})
    >>> lagged_correlation(panel, "ex", "cx", "unit", "t", lags=[1])["value"].round(3).tolist()
    [1.0]
    >>> rng = np.random.default_rng(1)
    >>> ex = rng.normal(size=(30, 6))
    >>> cx = 0.8 * np.roll(ex, 1, axis=1) + rng.normal(size=(30, 6))
    >>> long = pd.DataFrame({"unit": np.repeat(np.arange(30), 5), "t": np.tile(np.arange(5), 30),
    ...                      "ex": ex[:, 1:].ravel(), "cx": cx[:, 1:].ravel()})
    >>> table = lagged_correlation(long, "ex", "cx", "unit", "t", lags=[-1, 1], within=True, adjust="holm")
    >>> bool(table.loc[1, "pvalue_adjusted"] < 0.001 < table.loc[-1, "pvalue_adjusted"])
    True
    """
    ci = check_ci(ci)
    check_nan_policy(nan_policy)
    if not isinstance(within, bool | np.bool_):
        raise TypeError(f"within must be True or False, got {within!r}")
    if adjust is not None and not isinstance(adjust, str):
        raise TypeError(f"adjust must be None or one of {list(ADJUSTMENTS)}, got {adjust!r}")
    if adjust is not None and adjust not in ADJUSTMENTS:
        raise ValueError(f"adjust must be None or one of {list(ADJUSTMENTS)}, got {adjust!r}")
    require_columns(panel, x, y, unit, period)
    measures = {column: numeric_column(panel, column) for column in (x, y)}
    if isinstance(lags, int | np.integer):
        lags = [lags]
    lags = [check_whole(lag, "each lag", what="a whole number of periods") for lag in lags]
    if not lags:
        raise ValueError("lags must name at least one lag, got an empty list")
    if len(set(lags)) != len(lags):
        raise ValueError(f"lags must not repeat a lag, got {lags}")
    frame = panel[[unit, period]].copy()
    for column, numbers in measures.items():
        frame[column] = numbers
    if frame[[unit, period]].isna().any().any():
        raise ValueError(f"columns {unit!r} and {period!r} must not have missing values")
    if frame.duplicated([unit, period]).any():
        first = frame.loc[frame.duplicated([unit, period]), [unit, period]].iloc[0].tolist()
        raise ValueError(f"the panel has more than one row for {unit} and {period} {first}; aggregate first")
    # The periods come from the whole panel, so that leaving out rows never shifts a lag.
    periods = sorted(frame[period].unique().tolist())
    if max(abs(lag) for lag in lags) >= len(periods):
        raise ValueError(f"lags {lags} reach beyond the {len(periods)} periods of the panel")
    if nan_policy == "raise":
        for column in (x, y):
            drop_missing(frame[[column]], [column], nan_policy)
    complete = drop_missing(frame[[x, y]], [x, y], "omit").index
    dropped = len(frame) - len(complete)
    frame = frame.loc[complete]
    frame["_t"] = frame[period].map({label: index for index, label in enumerate(periods)})
    left = frame[[unit, "_t", x]].rename(columns={x: "_x"})
    right = frame[[unit, "_t", y, x]].rename(columns={y: "_y", x: "_now"})
    rows = []
    for lag in lags:
        pairs = left.merge(right.assign(_t=right["_t"] - lag), on=[unit, "_t"])
        if within:
            row = _within_row(pairs, unit, lag != 0, ci)
        elif len(pairs) < 3 or pairs["_x"].std() == 0 or pairs["_y"].std() == 0:
            row = {"value": math.nan, "low": math.nan, "high": math.nan, "statistic": math.nan, "dof": math.nan,
                   "pvalue": math.nan, "n": len(pairs)}
        else:
            row = _pooled_row(pairs, ci)
        rows.append({"lag": lag, **row})
    order = (["value", "low", "high", "coef", "se", "statistic", "dof", "pvalue", "n", "units"] if within
             else ["value", "low", "high", "statistic", "dof", "pvalue", "n"])
    table = pd.DataFrame(rows).set_index("lag")[order]
    if adjust is not None:
        from statsmodels.stats.multitest import multipletests

        tested = table["pvalue"].notna().to_numpy()
        adjusted = np.full(len(table), np.nan)
        if tested.any():
            adjusted[tested] = multipletests(table["pvalue"].to_numpy()[tested], method=adjust)[1]
        table.insert(table.columns.get_loc("pvalue") + 1, "pvalue_adjusted", adjusted)
    table.attrs.update(
        within=within,
        estimate=("within-unit partial correlation of x(t) and y(t+lag) given x(t+lag), from a fixed-effects "
                  "regression with standard errors clustered by unit" if within
                  else "Pearson correlation of x(t) and y(t+lag) across all pairs"),
        ci=ci, nan_policy=nan_policy, dropped_missing=dropped, adjust=adjust,
    )
    return table
