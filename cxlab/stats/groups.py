"""Does a group (certified team leads, a new process) go with a better outcome?

Layer 2 of cxlab (statistics). :func:`compare_groups` compares two groups plainly
(Welch's t through ``scipy.stats.ttest_ind``; proportions with Newcombe's interval
from statsmodels) or within strata (:mod:`cxlab.stats.strata`). The preparation of the
two groups is shared with :mod:`cxlab.stats.regression`. Imports numpy, pandas,
:mod:`cxlab._validate`, :mod:`cxlab.stats.common` and :mod:`cxlab.stats.strata`;
scipy.stats and statsmodels only when a comparison needs them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validate import check_ci, check_nan_policy, drop_missing, numeric_column, require_columns
from .common import (IntervalRule, NormalInterval, _HasInterval, caller_stacklevel, deprecated_alias,
                     formerly_positional, interval_at, normal_quantile, two_sided_test)
from .strata import mantel_haenszel, stratum_table

# Does the difference survive once a confounder is held fixed? Here: a plain two-group
# comparison, or the same within strata pooled with Mantel-Haenszel weights. An OLS model
# with controls and a difference-in-differences are in cxlab.stats.regression, a general
# row bootstrap in cxlab.stats.bootstrap.


@dataclass(frozen=True)
class GroupComparison(_HasInterval):
    """A difference between two groups (``levels[0]`` minus ``levels[1]``) with its interval.

    ``kind`` is ``"mean"`` or ``"proportion"`` (a 0/1 outcome; then the means are shares
    between 0 and 1). ``method`` says how ``se``, ``low``, ``high``, ``statistic`` and
    ``pvalue`` were found; ``dof`` is the t distribution's degrees of freedom behind them
    (Welch-Satterthwaite), or infinite for a normal (z) interval and test. With strata,
    ``table`` has one row per stratum; without, it is ``None``.
    """

    value: float
    se: float
    low: float
    high: float
    statistic: float
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
    dof: float = math.inf
    table: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    difference = deprecated_alias("value", "difference")



def numeric_outcome(df: pd.DataFrame, outcome: str) -> pd.Series:
    return numeric_column(df, outcome, valid="numbers (a score, or 0/1 or True/False for a yes/no outcome)",
                          booleans=True)


def two_levels(values: pd.Series, group: str, order) -> tuple:
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


KINDS = ("mean", "proportion")


def _prepare_groups(df, outcome, group, strata, order, nan_policy, kind=None):
    """Validate, drop or reject missing values, and keep the two compared levels."""
    check_nan_policy(nan_policy)
    columns = [outcome, group] + ([strata] if strata is not None else [])
    require_columns(df, *columns)
    if len(set(columns)) != len(columns):
        raise ValueError(f"outcome, group and strata must be different columns, got {columns}")
    y = numeric_outcome(df, outcome)
    frame = pd.DataFrame({"y": y, "g": df[group]})
    if strata is not None:
        frame["s"] = df[strata]
    frame = drop_missing(frame, columns, nan_policy)
    if frame.empty:
        raise ValueError(f"no rows to compare: the DataFrame has no complete values in {columns}")
    if not np.isfinite(frame["y"].to_numpy()).all():
        raise ValueError(f"outcome column {outcome!r} has an infinite value")
    levels = two_levels(frame["g"], group, order)
    frame = frame[frame["g"].isin(levels)]
    if kind is None:
        kind = "proportion" if pd.api.types.is_bool_dtype(df[outcome].dtype) else "mean"
    elif not isinstance(kind, str):
        raise TypeError(f"kind must be one of {KINDS} or None, got {kind!r}")
    elif kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, got {kind!r}")
    if kind == "proportion":
        values = frame["y"].to_numpy()
        bad = ~np.isin(values, (0.0, 1.0))
        if bad.any():
            first = frame.index[bad][0]
            raise ValueError(
                f"kind='proportion' needs an outcome of 0 and 1 (or True and False); column {outcome!r} has "
                f"{int(bad.sum())} other value(s), the first {values[bad][0]!r} at row {first!r}"
            )
    return frame, levels, kind


class Estimate(NamedTuple):
    """A difference with its standard error, interval, test and degrees of freedom, and the interval's rule."""

    value: float
    se: float
    low: float
    high: float
    statistic: float
    pvalue: float
    dof: float
    rule: IntervalRule


@dataclass(frozen=True)
class NewcombeInterval(IntervalRule):
    """Newcombe's hybrid score interval for a difference of two proportions, from the four counts.

    statsmodels' ``confint_proportions_2indep(method="newcomb")``; it always holds the
    observed difference (each side adds a Wilson interval's distance to it).
    """

    successes_a: int
    n_a: int
    successes_b: int
    n_b: int
    method = "Newcombe"

    def __call__(self, level: float) -> tuple[float, float]:
        from statsmodels.stats.proportion import confint_proportions_2indep

        low, high = confint_proportions_2indep(self.successes_a, self.n_a, self.successes_b, self.n_b,
                                               method="newcomb", compare="diff", alpha=1 - level)
        return float(low), float(high)


def _estimate(value, se, statistic, pvalue, dof, rule, ci) -> Estimate:
    low, high = interval_at(rule, value, ci, "GroupComparison")
    return Estimate(float(value), float(se), low, high, float(statistic), float(pvalue), float(dof), rule)


def welch_test(a: np.ndarray, b: np.ndarray, ci: float) -> Estimate:
    """Welch's comparison of mean(a) - mean(b), as ``scipy.stats.ttest_ind(equal_var=False)`` makes it.

    The standard error is reported too. When neither sample varies scipy returns NaN,
    while the difference is then certain: a zero-width interval, p = 0 (or 1 for no
    difference), with a warning. The interval is scipy's: the difference plus and minus
    Student's t quantile on Welch's degrees of freedom times the standard error, which
    the kept rule gives at any other level.
    """
    difference = float(a.mean() - b.mean())
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    if se == 0:
        statistic, pvalue = two_sided_test(difference, 0.0)
        warnings.warn(
            "neither group's outcome varies, so the difference has no standard error and its interval no "
            "width; with so little spread the groups cannot show their uncertainty (collect more data)",
            RuntimeWarning, stacklevel=caller_stacklevel(),
        )
        return _estimate(difference, 0.0, statistic, pvalue, math.inf, NormalInterval(difference, 0.0), ci)
    from scipy.stats import ttest_ind

    test = ttest_ind(a, b, equal_var=False)
    rule = NormalInterval(difference, se, float(test.df), method="Welch t")
    return _estimate(difference, se, test.statistic, test.pvalue, test.df, rule, ci)


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
        xa, xb = int(a.sum()), int(b.sum())
        pa, pb = xa / a.size, xb / b.size
        se = math.sqrt(pa * (1 - pa) / a.size + pb * (1 - pb) / b.size)
        pooled = (xa + xb) / (a.size + b.size)
        se_null = math.sqrt(pooled * (1 - pooled) * (1 / a.size + 1 / b.size))
        statistic, pvalue = two_sided_test(difference, se_null) if se_null > 0 else (0.0, 1.0)
        method = "Newcombe hybrid score interval; pooled z test (Pearson chi-square)"
        rule = NewcombeInterval(xa, int(a.size), xb, int(b.size))
        return _estimate(difference, se, statistic, pvalue, math.inf, rule, ci), method
    _need_two_each(frame, levels, group)
    return welch_test(a, b, ci), "Welch t"


@formerly_positional("strata", "ci")
def compare_groups(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    *,
    strata: str | None = None,
    kind: str | None = None,
    ci: float = 0.95,
    order=None,
    nan_policy: str = "raise",
) -> GroupComparison:
    """Difference in mean (or proportion) of ``outcome`` between the two levels of ``group``.

    Parameters
    ----------
    df : DataFrame
        One row per unit (customer, team, patient).
    outcome : str
        A numeric column, or a yes/no (boolean) one.
    group : str
        A column with exactly two levels (or more, with ``order`` picking two).
    strata : str, optional
        A column that defines strata (for example a confounder's levels). The result
        is then the Mantel-Haenszel weighted difference: each stratum's difference
        weighted by ``n_a * n_b / (n_a + n_b)``, and ``table`` holds one row per stratum:
        the groups' sizes (``n_<level>``) and means (``mean_<level>``), the stratum's
        difference ``value`` with its ``se``, ``low`` and ``high`` (a normal interval)
        and its ``weight`` in the pooled difference.
    kind : {"mean", "proportion"}, optional
        ``"proportion"`` for a 0/1 outcome (the difference is one of shares between 0
        and 1, not percentages), ``"mean"`` for a score. When not given, a boolean
        column is a proportion and anything else a mean: the values never switch the
        method, so a score that happens to hold only 0 and 1 stays a mean.
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
        ``value`` (the difference), ``se``, ``low``, ``high``, ``statistic`` and
        ``pvalue``, plus ``levels``, the two groups' ``means`` and sizes ``n``.
        The rule for t and z: t wherever a t test is behind the estimate, z otherwise.
        Without strata, a mean difference uses Welch's t test and interval (``dof``
        from Welch-Satterthwaite); a difference of proportions uses Newcombe's hybrid
        score interval and the pooled z test (the same p-value as Pearson's
        chi-square). With strata, a normal (z) interval and test around the
        Mantel-Haenszel estimate, with Sato's (1989) variance for proportions.

    Examples
    --------
    The kidney-stone data (Charig et al. 1986): open surgery looks worse overall,
    yet it is better for small stones and for large ones.

    >>> from cxlab.data import load_kidney_stones
    >>> stones = load_kidney_stones()
    >>> overall = compare_groups(stones, "success", "treatment", kind="proportion")
    >>> overall.levels, round(overall.value, 3)
    (('open surgery', 'percutaneous'), -0.046)
    >>> pooled = compare_groups(stones, "success", "treatment", strata="stone_size", kind="proportion")
    >>> round(pooled.value, 3)
    0.054
    >>> pooled.table["value"].round(3).to_dict()
    {'large': 0.043, 'small': 0.064}
    """
    ci = check_ci(ci)
    frame, levels, kind = _prepare_groups(df, outcome, group, strata, order, nan_policy, kind)
    overall_means = tuple(float(frame.loc[frame["g"] == level, "y"].mean()) for level in levels)
    sizes = tuple(int((frame["g"] == level).sum()) for level in levels)
    if strata is None:
        estimate, method = _plain_difference(frame, levels, kind, group, ci)
        table = None
    else:
        table = stratum_table(frame, levels, kind, group, strata)
        difference, se, pvalue, weights, method = mantel_haenszel(table, levels, kind)
        statistic = two_sided_test(difference, se)[0]
        estimate = _estimate(difference, se, statistic, pvalue, math.inf, NormalInterval(difference, se), ci)
        z = normal_quantile(ci)
        table = table.drop(columns=["successes_a", "successes_b"])
        table["low"] = table["value"] - z * table["se"]
        table["high"] = table["value"] + z * table["se"]
        table["weight"] = weights
    return GroupComparison(
        value=float(estimate.value),
        se=float(estimate.se),
        low=float(estimate.low),
        high=float(estimate.high),
        statistic=float(estimate.statistic),
        pvalue=float(estimate.pvalue),
        levels=levels,
        means=overall_means,
        n=sizes,
        outcome=outcome,
        group=group,
        kind=kind,
        method=method,
        ci=ci,
        strata=strata,
        dof=float(estimate.dof),
        table=table,
        _interval=estimate.rule,
    )

