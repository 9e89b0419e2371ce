"""Key-driver analysis: which experiences go with loyalty, and how much.

When drivers are correlated (a good advisor makes the branch feel
pleasant too), regression coefficients split their shared variance arbitrarily and
can even change sign. Two methods divide the model's R² among correlated drivers in
a way that stays positive and adds up:

- :func:`relative_weights`: Johnson's (2000) relative weights. The drivers are
  replaced by their closest orthogonal counterparts, the outcome is regressed on
  those, and each counterpart's share is mapped back to the original drivers.
- :func:`shapley_importance`: the LMG or Shapley decomposition (Lindeman, Merenda and
  Gold 1980): each driver's gain in R² when it joins a model, averaged over every
  order in which drivers can join. Exact, but it fits 2**p models.

Both work from the correlation matrix, so rescaling a driver changes nothing. Neither
is in scipy or statsmodels, so both are written here and tested against the R package
rwa's documented output.

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab.metrics` and
:mod:`cxlab._validate`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ._validate import check_nan_policy, drop_missing, numeric_column, require_columns
from .metrics import nps_score

#: The largest number of drivers :func:`shapley_importance` enumerates (2**15 models).
MAX_SHAPLEY_DRIVERS = 15


def _driver_frame(df: pd.DataFrame, target: str, drivers, nan_policy: str = "raise") -> pd.DataFrame:
    """Validate the columns and return the numeric frame [target, *drivers] without missing rows."""
    check_nan_policy(nan_policy)
    if isinstance(drivers, str):
        raise TypeError(f"drivers must be a list of column names, got the single text {drivers!r}")
    drivers = list(drivers)
    if not drivers:
        raise ValueError("drivers is empty: name at least one driver column")
    if len(set(drivers)) != len(drivers):
        raise ValueError(f"drivers must be different columns, got {drivers}")
    if target in drivers:
        raise ValueError(f"the target {target!r} cannot also be a driver")
    require_columns(df, target, *drivers)
    numbers = {column: numeric_column(df, column, valid="numbers (a rating or a measure)")
               for column in [target, *drivers]}
    frame = drop_missing(pd.DataFrame(numbers), [target, *drivers], nan_policy)
    if not np.isfinite(frame.to_numpy()).all():
        raise ValueError("the data contain an infinite value")
    if len(frame) < len(drivers) + 2:
        raise ValueError(
            f"{len(frame)} complete rows are too few for {len(drivers)} drivers: need at least {len(drivers) + 2}"
        )
    spread = frame.std(ddof=1)
    constant = [column for column in frame.columns if not spread[column] > 0]
    if constant:
        raise ValueError(f"column(s) {constant} are constant: a driver (or target) that never varies explains nothing")
    correlation = np.corrcoef(frame.to_numpy(), rowvar=False)[1:, 1:]
    if np.linalg.matrix_rank(correlation, tol=1e-10) < len(drivers):
        raise ValueError(f"drivers are perfectly collinear: {_collinear(frame[drivers])} (drop one of them)")
    return frame


def _collinear(drivers: pd.DataFrame) -> list[str]:
    """The drivers that are exact linear combinations of the others."""
    values = (drivers - drivers.mean()) / drivers.std(ddof=1)
    names = []
    for column in drivers.columns:
        others = values.drop(columns=column).to_numpy()
        if others.shape[1] == 0:
            continue
        coefficients, *_ = np.linalg.lstsq(others, values[column].to_numpy(), rcond=None)
        residual = values[column].to_numpy() - others @ coefficients
        if float(residual @ residual) < 1e-9 * len(values):
            names.append(column)
    return names


def _correlations(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.corrcoef(frame.to_numpy(), rowvar=False)
    return matrix[1:, 1:], matrix[1:, 0]


def _r_squared(rxx: np.ndarray, rxy: np.ndarray, subset) -> float:
    if not subset:
        return 0.0
    index = list(subset)
    r = rxy[index]
    return float(r @ np.linalg.solve(rxx[np.ix_(index, index)], r))


def relative_weights(df: pd.DataFrame, target: str, drivers, *, nan_policy: str = "raise") -> pd.Series:
    """Johnson's (2000) relative weights: each driver's share of R², summing to R².

    Parameters
    ----------
    df : DataFrame
        One row per respondent (or unit).
    target : str
        The outcome column, for example the 0-10 recommendation.
    drivers : list of str
        Numeric driver columns, for example touchpoint ratings.

    Returns
    -------
    Series
        Raw relative weights indexed by driver, in the order given. Their sum is the
        R² of the linear regression of ``target`` on all drivers; divide by it for
        shares. ``.attrs["r_squared"]`` holds that R².

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(500, 2))
    >>> frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 0] + x[:, 1], "y": x[:, 0] + rng.normal(size=500)})
    >>> weights = relative_weights(frame, "y", ["a", "b"])
    >>> bool(weights["a"] > weights["b"]), round(float(weights.sum()), 3) == round(weights.attrs["r_squared"], 3)
    (True, True)
    """
    frame = _driver_frame(df, target, drivers, nan_policy)
    rxx, rxy = _correlations(frame)
    eigenvalues, eigenvectors = np.linalg.eigh(rxx)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    # Correlations between the drivers and their orthogonal counterparts Z (Rxx^(1/2)).
    loadings = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    beta = np.linalg.solve(loadings, rxy)  # regression of the target on Z
    weights = (loadings**2) @ (beta**2)
    series = pd.Series(weights, index=list(drivers), name="relative_weight")
    series.attrs["r_squared"] = _r_squared(rxx, rxy, range(len(rxy)))
    return series


def shapley_importance(df: pd.DataFrame, target: str, drivers, *, nan_policy: str = "raise") -> pd.Series:
    """LMG / Shapley decomposition of R²: each driver's average gain in R² over all orders.

    Exact: it fits all ``2**p`` sub-models from the correlation matrix, so it refuses
    more than ``MAX_SHAPLEY_DRIVERS`` drivers (use :func:`relative_weights`, which
    agrees closely and costs one eigen-decomposition).

    Returns
    -------
    Series
        Shapley values indexed by driver; they sum to the full model's R²
        (``.attrs["r_squared"]``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(500, 2))
    >>> frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": x[:, 0] + 0.5 * x[:, 1] + rng.normal(size=500)})
    >>> values = shapley_importance(frame, "y", ["a", "b"])
    >>> bool(abs(values.sum() - values.attrs["r_squared"]) < 1e-12)
    True
    """
    drivers = list(drivers) if not isinstance(drivers, str) else drivers
    if not isinstance(drivers, str) and len(drivers) > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"shapley_importance enumerates 2**p models; {len(drivers)} drivers would need {2 ** len(drivers):,}. "
            f"Use at most {MAX_SHAPLEY_DRIVERS} drivers, group them, or use relative_weights instead"
        )
    frame = _driver_frame(df, target, drivers, nan_policy)
    rxx, rxy = _correlations(frame)
    p = len(drivers)
    fits = {}
    for size in range(p + 1):
        for subset in itertools.combinations(range(p), size):
            fits[subset] = _r_squared(rxx, rxy, subset)
    values = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                values[j] += weight * (fits[with_j] - fits[subset])
    series = pd.Series(values, index=drivers, name="shapley")
    series.attrs["r_squared"] = fits[tuple(range(p))]
    return series


def driver_table(df: pd.DataFrame, target: str, drivers, *, nan_policy: str = "raise") -> pd.DataFrame:
    """One row per driver: correlation, standardised beta, relative weight and Shapley value.

    Columns: ``correlation`` (with the target), ``beta`` (standardised regression
    coefficient with all drivers in the model), ``relative_weight`` and ``share``
    (the weight's share of R², 0 to 1), ``shapley`` (when there are at most
    ``MAX_SHAPLEY_DRIVERS`` drivers), ``rank`` (by relative weight) and
    ``sign_flip`` (True when the beta's sign differs from the correlation's: a sign
    that the driver shares most of what it says with other drivers). Sorted by rank.

    Examples
    --------
    >>> from cxlab.data import load_loyalty_survey
    >>> table = driver_table(load_loyalty_survey(), "recommend", ["advisor", "app", "waiting", "fees"])
    >>> list(table.columns)
    ['correlation', 'beta', 'relative_weight', 'share', 'shapley', 'rank', 'sign_flip']
    """
    frame = _driver_frame(df, target, drivers, nan_policy)
    drivers = list(drivers)
    rxx, rxy = _correlations(frame)
    beta = np.linalg.solve(rxx, rxy)
    weights = relative_weights(frame, target, drivers)
    table = pd.DataFrame(
        {
            "correlation": rxy,
            "beta": beta,
            "relative_weight": weights.to_numpy(),
            "share": weights.to_numpy() / weights.sum(),
        },
        index=pd.Index(drivers, name="driver"),
    )
    if len(drivers) <= MAX_SHAPLEY_DRIVERS:
        table["shapley"] = shapley_importance(frame, target, drivers).to_numpy()
    table["rank"] = table["relative_weight"].rank(ascending=False, method="min").astype("int64")
    table["sign_flip"] = np.sign(table["beta"]) != np.sign(table["correlation"])
    table.attrs["r_squared"] = weights.attrs["r_squared"]
    return table.sort_values("rank")


QUADRANTS = {
    (True, False): "fix first",
    (True, True): "keep it up",
    (False, False): "lower priority",
    (False, True): "possible overkill",
}


def importance_performance(df: pd.DataFrame, target: str, drivers, *, nan_policy: str = "raise") -> pd.DataFrame:
    """Importance (share of R² by relative weights, 0 to 1) against performance (mean rating) per driver.

    ``quadrant`` splits at the mean importance and the mean performance: *fix first*
    (important, performing below the others), *keep it up*, *lower priority* and
    *possible overkill*. Ratings should share one scale for performance to compare.

    Examples
    --------
    >>> from cxlab.data import load_loyalty_survey
    >>> grid = importance_performance(load_loyalty_survey(), "recommend", ["advisor", "app", "waiting", "fees"])
    >>> sorted(grid.columns)
    ['importance', 'performance', 'quadrant']
    """
    frame = _driver_frame(df, target, drivers, nan_policy)
    weights = relative_weights(frame, target, drivers)
    importance = weights / weights.sum()
    performance = frame[list(drivers)].mean()
    grid = pd.DataFrame({"importance": importance, "performance": performance})
    grid.index.name = "driver"
    grid["quadrant"] = [
        QUADRANTS[(bool(i >= importance.mean()), bool(p >= performance.mean()))]
        for i, p in zip(grid["importance"], grid["performance"], strict=True)
    ]
    return grid.sort_values("importance", ascending=False)


def scenario_effect(df: pd.DataFrame, target: str, drivers, changes: dict, *, nan_policy: str = "raise") -> float:
    """Expected change in the mean of ``target`` if drivers' means moved by ``changes``.

    Uses the unstandardised coefficients of the linear regression of ``target`` on
    all ``drivers``: ``sum(coefficient[d] * changes[d])``. This is a prediction from
    associations, valid as an effect only if the drivers cause the outcome and
    nothing left out moves with them.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "z": [2.0, 1, 4, 3, 5], "y": [2.0, 4, 6, 8, 10]})
    >>> round(scenario_effect(frame, "y", ["x", "z"], {"x": 0.5}), 6)
    1.0
    """
    frame = _driver_frame(df, target, drivers, nan_policy)
    if not isinstance(changes, dict) or not changes:
        raise TypeError(f"changes must be a dict {{driver: change in its mean}}, got {changes!r}")
    unknown = [name for name in changes if name not in drivers]
    if unknown:
        raise ValueError(f"changes names {unknown}, which are not among the drivers {list(drivers)}")
    design = np.column_stack([np.ones(len(frame)), frame[list(drivers)].to_numpy()])
    coefficients, *_ = np.linalg.lstsq(design, frame[target].to_numpy(), rcond=None)
    by_driver = dict(zip(drivers, coefficients[1:], strict=True))
    return float(sum(by_driver[name] * float(change) for name, change in changes.items()))


def scenario_nps_gain(df: pd.DataFrame, target: str, drivers, changes: dict, *, nan_policy: str = "raise") -> float:
    """Expected change in NPS if drivers' ratings rose by ``changes`` (0-10 target).

    Every respondent's recommendation moves by the regression's predicted change
    (:func:`scenario_effect`), ``k + f`` points with ``k`` whole and ``0 <= f < 1``:
    in expectation a share ``f`` of respondents moves ``k + 1`` points and the rest
    ``k``, kept on 0..10. The result is the expected new NPS minus today's, in points.
    The same caveat applies: it assumes the drivers cause the recommendation.

    Examples
    --------
    >>> from cxlab.data import load_loyalty_survey
    >>> gain = scenario_nps_gain(load_loyalty_survey(), "recommend", ["advisor", "complaints"], {"complaints": 1})
    >>> bool(gain > 0)
    True
    """
    frame = _driver_frame(df, target, drivers, nan_policy)
    values = frame[target].to_numpy()
    if ((values < 0) | (values > 10) | (values != np.round(values))).any():
        raise ValueError(f"target {target!r} must hold 0-10 recommendation scores for an NPS scenario")
    shift = scenario_effect(frame, target, drivers, changes)
    whole = math.floor(shift)
    part = shift - whole
    lower = nps_score(np.clip(values + whole, 0, 10).astype(np.int64))
    upper = nps_score(np.clip(values + whole + 1, 0, 10).astype(np.int64))
    return float((1 - part) * lower + part * upper - nps_score(values.astype(np.int64)))
