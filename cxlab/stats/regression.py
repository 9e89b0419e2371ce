"""Regression adjustment and difference-in-differences.

Layer 2 of cxlab (statistics). :func:`adjusted_effect` fits OLS with robust standard
errors and :func:`diff_in_diff` either compares the units' own changes (Welch) or fits
an interaction model; statsmodels is imported when a model is first fitted. Imports
numpy, pandas, :mod:`cxlab._validate`, :mod:`cxlab.stats.common` and
:mod:`cxlab.stats.groups`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check_ci, check_nan_policy, drop_missing, require_columns
from .common import IntervalRule, NormalInterval, _HasInterval, deprecated_alias, formerly_positional, interval_at
from .groups import numeric_outcome, two_levels, welch_test

COV_TYPES = ("HC0", "HC1", "HC2", "HC3", "nonrobust")


@dataclass(frozen=True)
class AdjustedEffect(_HasInterval):
    """The difference between two groups after holding ``controls`` fixed in an OLS model.

    ``value`` is the coefficient of the indicator "row is in ``levels[0]``" (so it
    reads like :func:`compare_groups`: ``levels[0]`` minus ``levels[1]``), with its
    robust standard error, t ``statistic`` and ``pvalue`` on ``dof`` (the residual
    degrees of freedom). ``model`` is the fitted statsmodels result, for the full
    coefficient table.
    """

    value: float
    se: float
    low: float
    high: float
    statistic: float
    pvalue: float
    dof: float
    levels: tuple
    outcome: str
    group: str
    controls: tuple
    n: int
    r_squared: float
    cov_type: str
    ci: float
    model: object = field(repr=False, compare=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    effect = deprecated_alias("value", "effect")



def _design_columns(frame: pd.DataFrame, controls: list[str]) -> pd.DataFrame:
    """Numeric controls as they are; text, category and yes/no controls as 0/1 dummies."""
    parts = []
    for column in controls:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values.dtype):
            parts.append(values.astype("float64").rename(column))
        elif pd.api.types.is_numeric_dtype(values.dtype):
            parts.append(values.astype("float64"))
        else:
            dummies = pd.get_dummies(values.astype("str"), prefix=column, prefix_sep="=", drop_first=True, dtype="float64")
            if dummies.shape[1] == 0:
                raise ValueError(f"control {column!r} has a single level, so it cannot be adjusted for")
            parts.append(dummies)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


@formerly_positional("ci")
def adjusted_effect(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    controls=(),
    *,
    ci: float = 0.95,
    order=None,
    cov_type: str = "HC3",
    nan_policy: str = "raise",
) -> AdjustedEffect:
    """Group difference in ``outcome`` adjusted for ``controls`` by OLS, robust standard errors.

    Fits ``outcome ~ 1 + [group == levels[0]] + controls`` with statsmodels. Numeric
    controls enter as they are (a straight line); text or categorical ones as
    dummies. Standard errors are heteroskedasticity-robust (``cov_type="HC3"`` by
    default; ``"nonrobust"`` gives the classical ones).

    The interval and test use Student's t with the residual degrees of freedom
    (``n`` minus the number of coefficients), as a regression should; the same rule
    holds in :func:`compare_groups` and :func:`diff_in_diff`.

    Without controls and with ``cov_type="nonrobust"`` the result is Student's pooled
    t test. With ``cov_type="HC2"`` the standard error equals Welch's, but the degrees
    of freedom stay the residual ones (n - 2), not Welch-Satterthwaite's, so interval
    and p-value differ slightly from :func:`compare_groups`.

    Examples
    --------
    >>> from cxlab.data import load_teams
    >>> teams = load_teams()
    >>> naive = adjusted_effect(teams, "nps", "certificate")
    >>> adjusted = adjusted_effect(teams, "nps", "certificate", controls=["maturity", "budget_per_agent"])
    >>> naive.levels
    ('certified', 'none')
    >>> bool(naive.value > 5 and abs(adjusted.value) < naive.value / 2)
    True
    """
    import statsmodels.api as sm

    ci = check_ci(ci)
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if isinstance(controls, str):
        controls = [controls]
    controls = list(controls)
    check_nan_policy(nan_policy)
    require_columns(df, outcome, group, *controls)
    if outcome in controls or group in controls:
        raise ValueError(f"controls {controls} must not include the outcome {outcome!r} or the group {group!r}")
    y = numeric_outcome(df, outcome)
    frame = pd.concat([y.rename("__y"), df[[group, *controls]]], axis=1)
    frame = drop_missing(frame, [outcome, group, *controls], nan_policy)
    levels = two_levels(frame[group], group, order)
    frame = frame[frame[group].isin(levels)]
    indicator = (frame[group] == levels[0]).astype("float64").rename(f"{group}={levels[0]}")
    design = pd.concat([indicator, _design_columns(frame, controls)], axis=1)
    design = sm.add_constant(design, has_constant="add")
    if len(frame) <= design.shape[1]:
        raise ValueError(f"{len(frame)} rows are too few for a model with {design.shape[1]} coefficients")
    if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
        raise ValueError(
            f"the group and controls {controls} are collinear (one is a combination of the others), "
            "so their effects cannot be told apart; drop a control"
        )
    fit = sm.OLS(frame["__y"], design).fit(cov_type=cov_type, use_t=True)
    name = indicator.name
    # statsmodels' conf_int: the coefficient +/- t on the residual degrees of freedom times its se
    rule = NormalInterval(float(fit.params[name]), float(fit.bse[name]), float(fit.df_resid), method="OLS t")
    low, high = interval_at(rule, rule.centre, ci, "AdjustedEffect")
    return AdjustedEffect(
        value=rule.centre,
        se=rule.se,
        low=low,
        high=high,
        statistic=float(fit.tvalues[name]),
        pvalue=float(fit.pvalues[name]),
        dof=float(fit.df_resid),
        levels=levels,
        outcome=outcome,
        group=group,
        controls=tuple(controls),
        n=int(fit.nobs),
        r_squared=float(fit.rsquared),
        cov_type=cov_type,
        ci=ci,
        model=fit,
        _interval=rule,
    )


@dataclass(frozen=True)
class DiDResult(_HasInterval):
    """Difference-in-differences: the treated group's change minus the control group's change.

    ``means`` is the 2 x 2 table of mean outcomes (rows: treated, control; columns:
    before, after) with a ``change`` column; ``value`` is the difference of the two
    changes. ``method`` says how the standard error was found; ``statistic`` and
    ``pvalue`` are a t test on ``dof`` degrees of freedom.
    """

    value: float
    se: float
    low: float
    high: float
    statistic: float
    pvalue: float
    dof: float
    treated: object
    control: object
    before: object
    after: object
    n_treated: int
    n_control: int
    outcome: str
    method: str
    ci: float
    means: pd.DataFrame = field(repr=False, compare=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    estimate = deprecated_alias("value", "estimate")

    @property
    def treated_change(self) -> float:
        """The treated group's before/after change: what a comparison without a control group reports."""
        return float(self.means.loc[self.treated, "change"])

    @property
    def control_change(self) -> float:
        return float(self.means.loc[self.control, "change"])



def _pick_level(present: list, chosen, name: str, column: str):
    if chosen not in present:
        raise ValueError(f"{name}={chosen!r} is not a level of column {column!r}; it has {present[:10]}")
    return chosen


def diff_in_diff(
    panel: pd.DataFrame,
    outcome: str,
    group: str,
    period: str,
    *,
    treated,
    control=None,
    unit: str | None = None,
    before=None,
    after=None,
    ci: float = 0.95,
    nan_policy: str = "raise",
) -> DiDResult:
    """Difference-in-differences estimate for a two-period panel with a control group.

    ``(treated after - treated before) - (control after - control before)``, in the
    means of ``outcome``. A common trend that moves every group (a season, a price
    change) cancels out; what remains is the treated group's extra change, which is
    the effect of the treatment if the two groups would otherwise have moved in
    parallel.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period (long format).
    outcome, group, period : str
        Columns: the numeric outcome, the arm each unit belongs to, and the period.
    treated, control :
        Levels of ``group``. ``control`` may be left out when ``group`` has two levels.
    unit : str, optional
        The unit identifier. With it, each unit must appear once in each period; the
        estimate is then the Welch comparison of the units' own changes, which removes
        fixed differences between units from the standard error. Without it (repeated
        cross-sections), OLS with an interaction term and HC3-robust errors. Either way
        the interval and test use t: Welch-Satterthwaite degrees of freedom with
        ``unit``, the residual ones without.
    before, after :
        Levels of ``period``; by default the two levels in sorted order.

    Examples
    --------
    >>> from cxlab.data import load_team_panel
    >>> panel = load_team_panel()
    >>> fix = diff_in_diff(panel, "days_to_resolve", "arm", "period", treated="process fix",
    ...                    control="none", unit="team")
    >>> bool(fix.high < 0)
    True
    """
    ci = check_ci(ci)
    check_nan_policy(nan_policy)
    columns = [outcome, group, period] + ([unit] if unit is not None else [])
    require_columns(panel, *columns)
    y = numeric_outcome(panel, outcome)
    frame = pd.DataFrame({"y": y, "g": panel[group], "t": panel[period]})
    if unit is not None:
        frame["u"] = panel[unit]
    frame = drop_missing(frame, columns, nan_policy)
    groups = sorted(frame["g"].unique().tolist(), key=str)
    treated = _pick_level(groups, treated, "treated", group)
    if control is None:
        others = [level for level in groups if level != treated]
        if len(others) != 1:
            raise ValueError(f"column {group!r} has levels {groups}; say which is the control with control=...")
        control = others[0]
    control = _pick_level(groups, control, "control", group)
    if control == treated:
        raise ValueError(f"treated and control must be different levels of {group!r}, both are {treated!r}")
    periods = sorted(frame["t"].unique().tolist(), key=str)
    if before is None and after is None:
        if len(periods) != 2:
            raise ValueError(
                f"column {period!r} must have exactly two periods, found {len(periods)}: {periods[:10]}; "
                "pass before=... and after=... to pick two"
            )
        before, after = periods
    elif before is None or after is None:
        raise ValueError("pass both before=... and after=..., or neither")
    before = _pick_level(periods, before, "before", period)
    after = _pick_level(periods, after, "after", period)
    if before == after:
        raise ValueError(f"before and after must be different periods, both are {before!r}")
    frame = frame[frame["g"].isin([treated, control]) & frame["t"].isin([before, after])]

    cells = frame.groupby(["g", "t"], observed=True)["y"]
    sizes, cell_means = cells.size(), cells.mean()
    for arm in (treated, control):
        for moment in (before, after):
            if sizes.get((arm, moment), 0) < 2:
                raise ValueError(
                    f"{group}={arm!r} has {int(sizes.get((arm, moment), 0))} row(s) in {period}={moment!r}; "
                    "each arm needs at least 2 in each period"
                )
    means = pd.DataFrame(
        {
            before: [cell_means[treated, before], cell_means[control, before]],
            after: [cell_means[treated, after], cell_means[control, after]],
        },
        index=pd.Index([treated, control], name=group),
    )
    means.columns.name = period
    means["change"] = means[after] - means[before]
    estimate = float(means.loc[treated, "change"] - means.loc[control, "change"])

    if unit is not None:
        counts = frame.groupby(["u", "t"], observed=True).size().unstack(fill_value=0)
        counts = counts.reindex(columns=[before, after], fill_value=0)
        unbalanced = counts.index[(counts != 1).any(axis=1)].tolist()
        if unbalanced:
            raise ValueError(
                f"with unit={unit!r} every unit needs exactly one row in {before!r} and one in {after!r}; "
                f"{len(unbalanced)} do not, for example {unbalanced[:5]}"
            )
        arms = frame.groupby("u", observed=True)["g"].nunique()
        switching = arms.index[arms > 1].tolist()
        if switching:
            raise ValueError(f"unit(s) {switching[:5]} change {group!r} between periods; a unit belongs to one arm")
        wide = frame.pivot(index="u", columns="t", values="y")
        change = wide[after] - wide[before]
        arm_of = frame.groupby("u", observed=True)["g"].first()
        a = change[arm_of == treated].to_numpy()
        b = change[arm_of == control].to_numpy()
        welch = welch_test(a, b, ci)
        se, statistic, pvalue, dof, rule = welch.se, welch.statistic, welch.pvalue, welch.dof, welch.rule
        method = "Welch t on each unit's change"
        n_treated, n_control = a.size, b.size
    else:
        import statsmodels.api as sm

        is_treated = (frame["g"] == treated).astype("float64")
        is_after = (frame["t"] == after).astype("float64")
        design = pd.DataFrame({"const": 1.0, "treated": is_treated, "after": is_after, "did": is_treated * is_after})
        fit = sm.OLS(frame["y"], design).fit(cov_type="HC3", use_t=True)
        se = float(fit.bse["did"])
        statistic, pvalue, dof = float(fit.tvalues["did"]), float(fit.pvalues["did"]), float(fit.df_resid)
        rule = NormalInterval(float(fit.params["did"]), se, dof, method="OLS t")
        method = "OLS with interaction, HC3 robust t"
        n_treated, n_control = int(is_treated.sum()), int((1 - is_treated).sum())
    low, high = interval_at(rule, estimate, ci, "DiDResult")
    return DiDResult(
        value=estimate,
        se=float(se),
        low=float(low),
        high=float(high),
        statistic=float(statistic),
        pvalue=float(pvalue),
        dof=float(dof),
        treated=treated,
        control=control,
        before=before,
        after=after,
        n_treated=int(n_treated),
        n_control=int(n_control),
        outcome=outcome,
        method=method,
        ci=ci,
        means=means,
        _interval=rule,
    )

