"""Path models: how reliable a multi-item scale is, how much of an effect runs through a mediator, and SEM.

A chain such as *experience -> trust -> compliance* is measured with several items per
construct and has a variable in the middle. Three tools answer its questions:

- :func:`cronbach_alpha` and :func:`mcdonald_omega`: the reliability of the sum of a scale's
  items (how much of its variance is the construct, not item noise), with intervals;
- :func:`mediation`: the indirect effect ``a * b`` of ``x`` on ``y`` through a mediator ``m``,
  with the direct and total effects, from ordinary least squares and a percentile bootstrap
  of the rows;
- :func:`fit_sem`: a structural equation model in lavaan's syntax (latent measures ``=~``,
  regressions ``~``, covariances ``~~``), fitted by semopy (maximum likelihood), returned as
  lavaan's parameter table and fit indices.

Reliabilities are shares from 0 to 1. Effects are in the units of the outcome per unit of
the cause, as regression coefficients are; standardised ones per standard deviation.

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab._validate`, :mod:`cxlab.io`
(to name a missing extra) and :mod:`cxlab.stats`; inside functions scipy.stats, statsmodels
and, in :func:`fit_sem` only, semopy (the ``sem`` extra), so that ``import cxlab.paths``
stays light.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._validate import check_ci, check_nan_policy, drop_missing, numeric_column, require_columns, seed_sequence
from .io import require_extra
from .stats.bootstrap import resampled_sums
from .stats.common import IntervalRule, PercentileInterval, _HasInterval, check_resamples, t_quantile

#: The SEM operators :func:`fit_sem` reads, as lavaan writes them.
SEM_OPERATORS = ("=~", "~~", "~")

#: The fit indices of :attr:`SemResult.fit`, in order.
FIT_INDICES = ("chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_low", "rmsea_high", "srmr")


class _LevelNamedConfidence:
    """Results of this module name their level ``confidence_level`` (scipy's word); the shared dialect reads ``ci``."""

    @property
    def ci(self) -> float:
        return self.confidence_level


# ----------------------------------------------------------------------------------------
# Reliability


@dataclass(frozen=True, eq=False)
class _FeldtInterval(IntervalRule):
    """Feldt's (1965) interval for alpha: ``(1 - alpha) / (1 - alpha_hat)`` is F with n - 1 and (n - 1)(k - 1) df."""

    alpha: float
    n: int
    n_items: int
    method = "Feldt F"

    def __call__(self, level: float) -> tuple[float, float]:
        from scipy.stats import f

        dfn, dfd = self.n - 1, (self.n - 1) * (self.n_items - 1)
        return (1 - (1 - self.alpha) * float(f.isf((1 - level) / 2, dfn, dfd)),
                1 - (1 - self.alpha) * float(f.isf((1 + level) / 2, dfn, dfd)))


@dataclass(frozen=True)
class ReliabilityResult(_LevelNamedConfidence, _HasInterval):
    """The reliability of a scale's summed items (0 to 1), with its interval.

    ``method`` is ``"alpha"`` (Cronbach's alpha, Feldt's interval) or ``"omega"``
    (McDonald's omega total, percentile bootstrap interval); ``n`` counts the rows used,
    ``items`` names the item columns.
    """

    value: float
    low: float
    high: float
    confidence_level: float
    method: str
    n: int
    n_items: int
    items: tuple = field(repr=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row: the reliability, its interval, the method, the counts and the items (joined by ", ")."""
        return pd.DataFrame([{"value": self.value, "low": self.low, "high": self.high,
                              "confidence_level": self.confidence_level, "method": self.method, "n": self.n,
                              "n_items": self.n_items, "items": ", ".join(map(str, self.items))}],
                            index=[type(self).__name__])


def _item_frame(data, items, nan_policy: str, *, minimum_items: int = 2) -> pd.DataFrame:
    """The item columns as floats, complete rows only, each item varying: the checks every reliability needs."""
    check_nan_policy(nan_policy)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame with one column per item, got {type(data).__name__}")
    if items is None:
        items = list(data.columns)
    elif isinstance(items, str):
        raise TypeError(f"items must be a list of column names, got the single text {items!r}")
    else:
        items = list(items)
    if len(set(items)) != len(items):
        raise ValueError(f"items must be different columns, got {items}")
    if len(items) < minimum_items:
        raise ValueError(f"a scale needs at least {minimum_items} items (columns), got {len(items)}: {items}")
    require_columns(data, *items)
    numbers = {item: numeric_column(data, item, valid="item scores (numbers)") for item in items}
    frame = drop_missing(pd.DataFrame(numbers), items, nan_policy)
    if not np.isfinite(frame.to_numpy()).all():
        bad = [item for item in items if not np.isfinite(frame[item]).all()]
        raise ValueError(f"item column(s) {bad} hold an infinite value; scores must be finite numbers")
    if len(frame) < 3:
        raise ValueError(f"{len(frame)} complete rows are too few for a reliability: need at least 3")
    spread = frame.std(ddof=1)
    constant = [item for item in items if not spread[item] > 0]
    if constant:
        raise ValueError(f"item column(s) {constant} are constant: an item that never varies measures nothing; "
                         "drop it from items")
    return frame


def _alpha(covariance: np.ndarray) -> np.ndarray:
    """Cronbach's alpha of one covariance matrix or a stack of them (..., k, k)."""
    k = covariance.shape[-1]
    total = covariance.sum(axis=(-2, -1))
    return k / (k - 1) * (1 - np.trace(covariance, axis1=-2, axis2=-1) / total)


def cronbach_alpha(data: pd.DataFrame, items=None, *, confidence_level: float = 0.95,
                   nan_policy: str = "raise") -> ReliabilityResult:
    """Cronbach's alpha of the sum of ``items``, with Feldt's F-based interval.

    Alpha is ``k / (k - 1) * (1 - sum of the item variances / variance of the sum)``, a
    share from 0 to 1 for a scale whose items measure one thing (it can fall below 0 when
    items disagree). It is the reliability of the *sum* when the items are essentially
    tau-equivalent (equal loadings); with unequal loadings it underestimates it, which
    :func:`mcdonald_omega` does not. Alpha depends on the items' scales: to give each item
    the same weight, standardise them first. Feldt's interval (Feldt, Woodruff and Salih
    1987) treats ``(1 - alpha) / (1 - estimate)`` as F with ``n - 1`` and
    ``(n - 1)(k - 1)`` degrees of freedom.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item.
    items : list of str, optional
        The item columns (default: every column of ``data``); at least two.
    confidence_level : float
        Of the interval, strictly between 0 and 1.
    nan_policy : {"raise", "omit"}
        A row with a missing item is an error, or is left out.

    Returns
    -------
    ReliabilityResult
        ``value`` (alpha), ``low``, ``high``, ``method="alpha"``, ``n``, ``n_items``, ``items``.

    Examples
    --------
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 3, 2, 4, 5, 4]})
    >>> result = cronbach_alpha(items)
    >>> round(result.value, 3), result.n, result.n_items
    (0.918, 6, 3)
    >>> round(result.low, 3), round(result.high, 3)
    (0.654, 0.988)
    """
    level = check_ci(confidence_level)
    frame = _item_frame(data, items, nan_policy)
    covariance = np.cov(frame.to_numpy(), rowvar=False)
    value = float(_alpha(covariance))
    rule = _FeldtInterval(value, len(frame), frame.shape[1])
    low, high = rule(level)
    return ReliabilityResult(value=value, low=low, high=high, confidence_level=level, method="alpha", n=len(frame),
                             n_items=frame.shape[1], items=tuple(frame.columns), _interval=rule)


def _one_factor_omega(covariance: np.ndarray, iterations: int = 500, tolerance: float = 1e-10) -> np.ndarray:
    """Omega total of one-factor maximum-likelihood fits to a stack of covariance matrices (..., k, k).

    The fit is Jöreskog's (1967) for one factor: given the residual variances Psi, the
    loadings are the leading eigenvector of ``Psi^-1/2 S Psi^-1/2`` scaled by its
    eigenvalue less one; Psi is then ``diag(S - L L')``, kept above a small share of each
    item's variance (a Heywood case stops there). Run on all resamples at once, it gives
    the same loadings as statsmodels' ``Factor(method="ml")``, and omega is
    ``(sum L)^2 / ((sum L)^2 + sum Psi)``: the variance of the sum that the factor explains.
    """
    stack = np.asarray(covariance, dtype=float)
    variances = np.diagonal(stack, axis1=-2, axis2=-1)
    floor = 0.005 * variances
    # start from the squared multiple correlations' complement (the classic start)
    psi = np.maximum(1 / np.diagonal(np.linalg.inv(stack), axis1=-2, axis2=-1), floor)
    for _ in range(iterations):
        root = 1 / np.sqrt(psi)
        scaled = stack * root[..., :, None] * root[..., None, :]
        eigenvalues, eigenvectors = np.linalg.eigh(scaled)
        leading, vector = eigenvalues[..., -1], eigenvectors[..., :, -1]
        loadings = np.sqrt(psi) * vector * np.sqrt(np.maximum(leading - 1, 0))[..., None]
        updated = np.maximum(variances - loadings**2, floor)
        change = np.max(np.abs(updated - psi) / variances)
        psi = updated
        if change < tolerance:
            break
    loaded = np.abs(loadings.sum(axis=-1))  # the factor's sign is arbitrary
    return loaded**2 / (loaded**2 + psi.sum(axis=-1))


def _resampled_covariances(values: np.ndarray, n_resamples: int, rng) -> np.ndarray:
    """The covariance matrix of each bootstrap resample of the rows, from resampled sums of cross-products.

    Each row contributes its values and their pairwise products; a resample's sums of
    those give its covariance, so memory holds the rows' products and one matrix per
    resample, never a rows x resamples table.
    """
    n, k = values.shape
    centred = values - values.mean(axis=0)  # centring first keeps the products' sums accurate
    upper = np.triu_indices(k)
    rows = np.column_stack([centred, centred[:, upper[0]] * centred[:, upper[1]]])
    sums = resampled_sums(rows, n_resamples, rng)
    means = sums[:, :k] / n
    products = np.zeros((n_resamples, k, k))
    products[:, upper[0], upper[1]] = sums[:, k:]
    products[:, upper[1], upper[0]] = sums[:, k:]
    return (products - n * means[:, :, None] * means[:, None, :]) / (n - 1)


def mcdonald_omega(data: pd.DataFrame, items=None, *, confidence_level: float = 0.95, n_resamples: int = 1000,
                   seed=None, nan_policy: str = "raise") -> ReliabilityResult:
    """McDonald's omega total of the sum of ``items``, from a one-factor model, with a bootstrap interval.

    A one-factor model is fitted to the items' covariance matrix by maximum likelihood
    (loadings ``L``, residual variances ``Psi``); omega total is
    ``(sum L)^2 / ((sum L)^2 + sum Psi)``, the share (0 to 1) of the sum's variance that
    the common factor explains (McDonald 1999). Unlike alpha it allows each item its own
    loading; with equal loadings the two agree. Like alpha it is the reliability of the
    raw sum: standardise the items first to weigh them equally. The interval is the
    percentile bootstrap over rows (``n_resamples`` resamples, each refitted); the model
    needs at least three items.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item.
    items : list of str, optional
        The item columns (default: every column of ``data``); at least three.
    confidence_level : float
        Of the interval, strictly between 0 and 1.
    n_resamples : int
        Bootstrap resamples (at least 100).
    seed : int or numpy Generator, optional
        Makes the interval reproducible.
    nan_policy : {"raise", "omit"}
        A row with a missing item is an error, or is left out.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> factor = rng.normal(size=300)
    >>> items = pd.DataFrame({f"q{i}": loading * factor + rng.normal(size=300)
    ...                       for i, loading in enumerate([0.9, 0.7, 0.5, 0.8])})
    >>> result = mcdonald_omega(items, n_resamples=200, seed=1)
    >>> round(result.value, 2), result.method
    (0.72, 'omega')
    >>> bool(result.low < result.value < result.high)
    True
    """
    level = check_ci(confidence_level)
    n_resamples = check_resamples(n_resamples)
    frame = _item_frame(data, items, nan_policy, minimum_items=3)
    values = frame.to_numpy()
    value = float(_one_factor_omega(np.cov(values, rowvar=False)))
    rng = np.random.default_rng(seed_sequence(seed))
    draws = _one_factor_omega(_resampled_covariances(values, n_resamples, rng))
    draws = draws[np.isfinite(draws)]
    rule = PercentileInterval(draws)
    low, high = rule(level)
    return ReliabilityResult(value=value, low=low, high=high, confidence_level=level, method="omega", n=len(frame),
                             n_items=frame.shape[1], items=tuple(frame.columns), _interval=rule)


# ----------------------------------------------------------------------------------------
# Mediation


@dataclass(frozen=True)
class _OlsEffect:
    estimate: float
    se: float
    dof: float

    def interval(self, level: float) -> tuple[float, float]:
        half = t_quantile(level, self.dof) * self.se
        return self.estimate - half, self.estimate + half


@dataclass(frozen=True)
class MediationResult(_LevelNamedConfidence, _HasInterval):
    """The indirect effect of ``x`` on ``y`` through ``m`` (``value = a * b``), with the direct and total effects.

    ``a`` is the effect of ``x`` on ``m``; ``b`` that of ``m`` on ``y`` given ``x``;
    ``direct`` (c') that of ``x`` on ``y`` given ``m``; ``total`` (c) that of ``x`` on ``y``
    alone, and ``total = direct + a * b`` (all given the ``covariates``). ``low``/``high``
    are the percentile bootstrap interval of ``a * b`` over ``n_resamples`` resamples of
    the rows. :meth:`to_frame` gives one row per effect.
    """

    value: float
    low: float
    high: float
    confidence_level: float
    direct: float
    total: float
    a: float
    b: float
    n: int
    n_resamples: int
    x: str
    m: str
    y: str
    covariates: tuple = ()
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)
    _direct: _OlsEffect | None = field(default=None, repr=False, compare=False)
    _total: _OlsEffect | None = field(default=None, repr=False, compare=False)
    _spread_ratio: float = field(default=math.nan, repr=False, compare=False)

    @property
    def proportion_mediated(self) -> float:
        """The indirect effect's share of the total (``value / total``); unstable when the total is near 0."""
        return self.value / self.total if self.total != 0 else math.nan

    @property
    def standardized_indirect(self) -> float:
        """``a * b`` in standard deviations of ``y`` per standard deviation of ``x``: unchanged by rescaling either."""
        return self.value * self._spread_ratio

    def to_frame(self) -> pd.DataFrame:
        """One row per effect (``indirect``, ``direct``, ``total``): ``estimate``, ``low``, ``high``.

        The indirect effect's interval is the bootstrap's; the direct and total effects'
        are the OLS t intervals, at the result's ``confidence_level``. ``attrs`` holds
        ``proportion_mediated`` and ``confidence_level``.
        """
        rows = {"indirect": (self.value, self.low, self.high)}
        for name, effect in (("direct", self._direct), ("total", self._total)):
            rows[name] = (effect.estimate, *effect.interval(self.confidence_level))
        table = pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "low", "high"])
        table.index.name = "effect"
        table.attrs["proportion_mediated"] = self.proportion_mediated
        table.attrs["confidence_level"] = self.confidence_level
        return table


def _mediation_frame(data, x, m, y, covariates, nan_policy) -> tuple[pd.DataFrame, list[str]]:
    check_nan_policy(nan_policy)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for role, name in (("x", x), ("m", m), ("y", y)):
        if not isinstance(name, str):
            raise TypeError(f"{role} must be a column name (text), got {name!r}")
    if covariates is None:
        covariates = []
    elif isinstance(covariates, str):
        covariates = [covariates]
    else:
        covariates = list(covariates)
    columns = [x, m, y, *covariates]
    if len(set(columns)) != len(columns):
        raise ValueError(f"x, m, y and the covariates must be different columns, got x={x!r}, m={m!r}, y={y!r}, "
                         f"covariates={covariates}")
    require_columns(data, *columns)
    numbers = {column: numeric_column(data, column, valid="numbers (a score, a measure or a 0/1 group)",
                                      booleans=True) for column in columns}
    frame = drop_missing(pd.DataFrame(numbers), columns, nan_policy)
    if not np.isfinite(frame.to_numpy()).all():
        raise ValueError(f"the columns {columns} hold an infinite value; they must be finite numbers")
    needed = len(columns) + 2
    if len(frame) < needed:
        raise ValueError(f"{len(frame)} complete rows are too few for a mediation with {len(covariates)} "
                         f"covariate(s): need at least {needed}")
    spread = frame.std(ddof=1)
    constant = [column for column in columns if not spread[column] > 0]
    if constant:
        raise ValueError(f"column(s) {constant} are constant: a variable that never varies has no effect to estimate")
    design = np.column_stack([np.ones(len(frame)), frame[[x, m, *covariates]].to_numpy()])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ValueError(f"x {x!r}, m {m!r} and the covariates {covariates} are perfectly collinear: one is a "
                         "linear combination of the others; drop it")
    return frame, covariates


def _ols_effect(outcome: np.ndarray, design: np.ndarray, position: int) -> _OlsEffect:
    import statsmodels.api as sm

    fit = sm.OLS(outcome, design).fit()
    return _OlsEffect(float(fit.params[position]), float(fit.bse[position]), float(fit.df_resid))


def mediation(data: pd.DataFrame, *, x: str, m: str, y: str, covariates=None, n_resamples: int = 2000,
              confidence_level: float = 0.95, seed=None, nan_policy: str = "raise") -> MediationResult:
    """Direct, indirect and total effects of ``x`` on ``y`` through the mediator ``m``, by OLS.

    Two regressions (Baron and Kenny's paths, as Hayes' PROCESS model 4 fits them):
    ``m ~ x + covariates`` gives ``a``; ``y ~ x + m + covariates`` gives ``b`` (of ``m``)
    and the direct effect ``c'`` (of ``x``). The indirect effect is ``a * b``; the total
    ``c = c' + a * b`` is the coefficient of ``x`` in ``y ~ x + covariates``. The
    indirect effect's interval is the percentile bootstrap (Preacher and Hayes 2008):
    rows resampled ``n_resamples`` times, both regressions refitted on each resample from
    its sums of cross-products (all resamples at once; memory grows with the data and
    the number of variables, not with the resamples). The direct and total effects get
    the OLS t intervals. These are effects only if nothing left out drives both ``m``
    and ``y`` (or ``x`` and either): the design, not the arithmetic, earns the word.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    x, m, y : str
        The cause, the mediator and the outcome (numeric columns; true/false count as 1/0).
    covariates : list of str, optional
        Columns both regressions hold fixed.
    n_resamples : int
        Bootstrap resamples (at least 100).
    confidence_level : float
        Of the intervals, strictly between 0 and 1.
    seed : int or numpy Generator, optional
        Makes the bootstrap interval reproducible.
    nan_policy : {"raise", "omit"}
        A row missing any of the columns is an error, or is left out.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> experience = rng.normal(size=400)
    >>> trust = 0.6 * experience + rng.normal(size=400)
    >>> compliance = 0.5 * trust + 0.2 * experience + rng.normal(size=400)
    >>> frame = pd.DataFrame({"experience": experience, "trust": trust, "compliance": compliance})
    >>> result = mediation(frame, x="experience", m="trust", y="compliance", n_resamples=500, seed=1)
    >>> round(result.value, 2), round(result.direct, 2), round(result.total, 2)
    (0.33, 0.25, 0.58)
    >>> bool(result.low > 0)
    True
    >>> list(result.to_frame().index)
    ['indirect', 'direct', 'total']
    """
    level = check_ci(confidence_level)
    n_resamples = check_resamples(n_resamples)
    frame, covariates = _mediation_frame(data, x, m, y, covariates, nan_policy)
    n = len(frame)
    ones = np.ones((n, 1))
    rest = frame[covariates].to_numpy()
    cause, mediator, outcome = (frame[column].to_numpy() for column in (x, m, y))
    a_fit = _ols_effect(mediator, np.column_stack([ones, cause, rest]), 1)
    direct = _ols_effect(outcome, np.column_stack([ones, cause, mediator, rest]), 1)
    b_fit = _ols_effect(outcome, np.column_stack([ones, cause, mediator, rest]), 2)
    total = _ols_effect(outcome, np.column_stack([ones, cause, rest]), 1)
    value = a_fit.estimate * b_fit.estimate

    # Each resample's cross-products of [1, x, m, covariates, y] (centred for accuracy) give both fits.
    columns = np.column_stack([cause, mediator, rest, outcome])
    columns = np.column_stack([ones, columns - columns.mean(axis=0)])
    width = columns.shape[1]
    upper = np.triu_indices(width)
    rng = np.random.default_rng(seed_sequence(seed))
    sums = resampled_sums(columns[:, upper[0]] * columns[:, upper[1]], n_resamples, rng)
    cross = np.zeros((n_resamples, width, width))
    cross[:, upper[0], upper[1]] = sums
    cross[:, upper[1], upper[0]] = sums
    regressors_a = [0, 1, *range(3, width - 1)]          # 1, x, covariates -> m (column 2)
    regressors_b = [0, 1, 2, *range(3, width - 1)]       # 1, x, m, covariates -> y (last column)
    a_draws = _solve(cross, regressors_a, 2)[:, 1]
    b_draws = _solve(cross, regressors_b, width - 1)[:, 2]
    draws = a_draws * b_draws
    draws = draws[np.isfinite(draws)]
    if draws.size < n_resamples // 2:
        raise ValueError("most bootstrap resamples could not be fitted (a variable that rarely varies is constant in "
                         "them); more rows or a variable that varies more are needed")
    rule = PercentileInterval(draws)
    low, high = rule(level)
    return MediationResult(value=value, low=low, high=high, confidence_level=level, direct=direct.estimate,
                           total=total.estimate, a=a_fit.estimate, b=b_fit.estimate, n=n, n_resamples=n_resamples,
                           x=x, m=m, y=y, covariates=tuple(covariates), _interval=rule, _direct=direct,
                           _total=total, _spread_ratio=float(np.std(cause, ddof=1) / np.std(outcome, ddof=1)))


def _solve(cross: np.ndarray, regressors: list[int], target: int) -> np.ndarray:
    """OLS coefficients of column ``target`` on ``regressors`` for each stacked cross-product matrix (NaN if singular)."""
    gram = cross[:, regressors][:, :, regressors]
    right = cross[:, regressors, target]
    coefficients = np.full(right.shape, np.nan)
    solvable = np.abs(np.linalg.det(gram)) > 1e-12 * np.prod(np.diagonal(gram, axis1=1, axis2=2), axis=1)
    coefficients[solvable] = np.linalg.solve(gram[solvable], right[solvable][..., None])[..., 0]
    return coefficients


# ----------------------------------------------------------------------------------------
# Structural equation models


@dataclass(frozen=True)
class SemResult:
    """A fitted structural equation model: lavaan's parameter table and fit indices.

    ``estimates`` has one row per parameter: ``lhs``, ``op``, ``rhs``, ``estimate``, ``se``,
    ``z``, ``pvalue`` and ``std_all`` (the estimate with every variable standardised,
    lavaan's ``std.all``). ``op`` is ``=~`` (``lhs`` is the latent variable, ``rhs`` its
    indicator), ``~`` (``lhs`` is regressed on ``rhs``) or ``~~`` (a variance, or a
    covariance). Fixed parameters (the first loading of each latent variable, 1) have no
    ``se``, ``z`` or ``pvalue``. ``fit`` is a Series of :data:`FIT_INDICES`. ``model`` is
    the model's text as given; ``n`` the rows used.
    """

    estimates: pd.DataFrame = field(repr=False)
    fit: pd.Series = field(repr=False)
    n: int
    model: str = field(repr=False)

    def paths(self) -> pd.DataFrame:
        """The regressions (``op == "~"``) only."""
        return self.estimates[self.estimates["op"] == "~"].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The parameter table, :attr:`estimates`."""
        return self.estimates

    def __repr__(self) -> str:
        fit = self.fit
        return (f"SemResult(n={self.n}, parameters={len(self.estimates)}, chi2={fit['chi2']:.3f}, df={fit['df']:g}, "
                f"pvalue={fit['pvalue']:.3f}, cfi={fit['cfi']:.3f}, rmsea={fit['rmsea']:.3f} "
                f"[{fit['rmsea_low']:.3f}, {fit['rmsea_high']:.3f}], srmr={fit['srmr']:.3f})")


_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


def _parse_model(model: str) -> tuple[dict, list[tuple[str, str, str]]]:
    """The model's measurement blocks (latent -> indicators) and all its (lhs, op, rhs) statements, checked."""
    if not isinstance(model, str):
        raise TypeError(f"model must be text in lavaan's syntax (lines such as 'trust =~ t1 + t2 + t3'), "
                        f"got {type(model).__name__}")
    measurement, statements = {}, []
    for number, raw in enumerate(model.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        for operator in SEM_OPERATORS:  # "=~" and "~~" before "~"
            if operator in line:
                left, right = (part.strip() for part in line.split(operator, 1))
                break
        else:
            raise ValueError(f"model line {number} ({line!r}) has none of the operators {list(SEM_OPERATORS)}")
        lefts = [name.strip() for name in left.split(",")]
        rights = [name.strip() for name in right.split("+")]
        for name in (*lefts, *rights):
            if "*" in name:
                continue  # a fixed value or label (lavaan's "1*x"): semopy reads it
            if not _NAME.match(name):
                raise ValueError(f"model line {number} ({line!r}): {name!r} is not a variable name (letters, digits, "
                                 "'_' and '.', not starting with a digit)")
        names = [name.split("*")[-1].strip() for name in rights]
        for lhs in lefts:
            for rhs in names:
                statements.append((lhs, operator, rhs))
            if operator == "=~":
                measurement.setdefault(lhs, []).extend(names)
    if not statements:
        raise ValueError("model is empty: write one statement a line, such as 'trust =~ t1 + t2 + t3'")
    return measurement, statements


def _rmsea_interval(chi2: float, df: float, n: int, level: float = 0.90) -> tuple[float, float]:
    """RMSEA's interval from the noncentral chi-square (Steiger and Lind 1980), with semopy's N - 1."""
    from scipy.optimize import brentq
    from scipy.stats import chi2 as central, ncx2

    if df <= 0 or not math.isfinite(chi2):
        return math.nan, math.nan

    def noncentrality(share: float) -> float:
        # the noncentrality at which chi2 is the share-quantile; 0 when even a central chi-square puts it lower
        if central.cdf(chi2, df) <= share:
            return 0.0
        high = max(chi2, df)
        while ncx2.cdf(chi2, df, high) > share:
            high *= 2
        return brentq(lambda lam: ncx2.cdf(chi2, df, lam) - share, 0.0, high, xtol=1e-10)

    scale = df * (n - 1)
    return (math.sqrt(noncentrality((1 + level) / 2) / scale), math.sqrt(noncentrality((1 - level) / 2) / scale))


def _srmr(sample: np.ndarray, implied: np.ndarray) -> float:
    """Bentler's SRMR: the root mean square of the covariance residuals in sample standard deviations, diagonal included."""
    spread = np.sqrt(np.diag(sample))
    residuals = (sample - implied) / np.outer(spread, spread)
    lower = np.tril_indices_from(residuals)
    return float(np.sqrt(np.mean(residuals[lower] ** 2)))


def fit_sem(data: pd.DataFrame, model: str, *, nan_policy: str = "raise") -> SemResult:
    """Fit a structural equation model written in lavaan's syntax, by maximum likelihood (semopy).

    The model is one statement a line: ``trust =~ t1 + t2 + t3`` (the latent variable
    ``trust`` is measured by the columns ``t1..t3``; its first loading is fixed at 1),
    ``compliance ~ trust + experience`` (a regression), ``t1 ~~ t2`` (a residual
    covariance); ``#`` starts a comment. Every name that is not a latent variable must be
    a numeric column of ``data``. semopy (Igolkina and Meshcheryakov 2020) fits it with its
    default Wishart likelihood, which reproduces lavaan's ML estimates and chi-square. The
    fit indices are semopy's (chi-square, df, its p-value, TLI, RMSEA), with CFI bounded to
    0..1 as lavaan reports it, RMSEA's 90% interval from the noncentral chi-square (with
    semopy's ``n - 1``, as its RMSEA) and Bentler's SRMR (as lavaan's ``srmr``) computed here. Read them
    as evidence against misfit, not proof of a causal order: models with the arrows
    reversed often fit exactly as well.

    Needs semopy, the ``sem`` extra (``pip install "cxlab[sem]"``; the ``lab`` and
    ``course`` extras include it); it is imported on the first call, which takes a few
    seconds.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    model : str
        The model in lavaan's syntax.
    nan_policy : {"raise", "omit"}
        A row missing a column the model uses is an error, or is left out.

    Returns
    -------
    SemResult
        ``estimates`` (lavaan's table), ``fit`` (the indices), ``n``, ``model``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> experience = rng.normal(size=300)
    >>> trust = 0.7 * experience + rng.normal(scale=0.7, size=300)
    >>> frame = pd.DataFrame({f"t{i}": trust + rng.normal(scale=0.5, size=300) for i in (1, 2, 3)})
    >>> frame["experience"] = experience
    >>> result = fit_sem(frame, "trust =~ t1 + t2 + t3\\ntrust ~ experience")
    >>> result.paths()[["lhs", "op", "rhs"]].values.tolist()
    [['trust', '~', 'experience']]
    >>> round(float(result.paths()["estimate"].iloc[0]), 2)
    0.75
    >>> result.fit[["chi2", "df", "cfi"]].round(3).tolist()
    [1.595, 3.0, 1.0]
    """
    check_nan_policy(nan_policy)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    measurement, statements = _parse_model(model)
    latent = set(measurement)
    used = list(dict.fromkeys(name for lhs, _, rhs in statements for name in (lhs, rhs) if name not in latent))
    unknown = [name for name in used if name not in data.columns]
    if unknown:
        raise ValueError(f"the model names {unknown}, which are neither columns of data nor latent variables "
                         f"(defined with '=~'); data has columns {list(data.columns)}")
    if not used:
        raise ValueError("the model names no column of data: a model needs observed variables")
    numbers = {column: numeric_column(data, column, valid="numbers (scores or measures)", booleans=True)
               for column in used}
    frame = drop_missing(pd.DataFrame(numbers), used, nan_policy)
    if not np.isfinite(frame.to_numpy()).all():
        raise ValueError(f"the columns {used} hold an infinite value; they must be finite numbers")
    if len(frame) <= len(used):
        raise ValueError(f"{len(frame)} complete rows are too few for a model of {len(used)} observed variables: "
                         f"need at least {len(used) + 1} (and many more for stable estimates: 10 or more a parameter)")
    spread = frame.std(ddof=1)
    constant = [column for column in used if not spread[column] > 0]
    if constant:
        raise ValueError(f"column(s) {constant} are constant: a variable that never varies cannot be modelled")
    require_extra("semopy", "sem", "fit_sem")
    import semopy

    fitted = semopy.Model(model)
    fitted.fit(frame)
    table = fitted.inspect(std_est=True)
    loadings = {(indicator, construct) for construct, indicators in measurement.items() for indicator in indicators}
    rows = []
    for record in table.to_dict("records"):
        lhs, op, rhs = record["lval"], record["op"], record["rval"]
        if op == "~" and (lhs, rhs) in loadings:  # semopy writes a loading as "indicator ~ latent"
            lhs, op, rhs = rhs, "=~", lhs
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "estimate": record["Estimate"], "se": record["Std. Err"],
                     "z": record["z-value"], "pvalue": record["p-value"], "std_all": record["Est. Std"]})
    estimates = pd.DataFrame(rows)
    for column in ("estimate", "se", "z", "pvalue", "std_all"):
        estimates[column] = pd.to_numeric(estimates[column].replace("-", np.nan), errors="coerce").astype(float)
    order = {"=~": 0, "~": 1, "~~": 2}
    estimates = (estimates.assign(_order=estimates["op"].map(order)).sort_values("_order", kind="stable")
                 .drop(columns="_order").reset_index(drop=True))
    stats = semopy.calc_stats(fitted).iloc[0]
    chi2, df = float(stats["chi2"]), float(stats["DoF"])
    # CFI as Bentler (1990) and lavaan bound it, to 0..1 (semopy's can pass 1 when chi2 < df)
    misfit, baseline = max(chi2 - df, 0.0), max(float(stats["chi2 Baseline"]) - float(stats["DoF Baseline"]), 0.0)
    cfi = 1.0 - misfit / max(misfit, baseline) if max(misfit, baseline) > 0 else 1.0
    rmsea_low, rmsea_high = _rmsea_interval(chi2, df, len(frame))
    implied = fitted.calc_sigma()[0]
    fit = pd.Series({"chi2": chi2, "df": df, "pvalue": float(stats["chi2 p-value"]), "cfi": cfi,
                     "tli": float(stats["TLI"]), "rmsea": float(stats["RMSEA"]), "rmsea_low": rmsea_low,
                     "rmsea_high": rmsea_high, "srmr": _srmr(np.asarray(fitted.mx_cov), np.asarray(implied))},
                    name="fit")
    return SemResult(estimates=estimates, fit=fit, n=len(frame), model=model)
