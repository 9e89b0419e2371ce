"""Survey weights: checking them, Kish's design effect and effective sample size, and raking.

Layer 2 of cxlab (statistics). Imports numpy, pandas, :mod:`cxlab._validate` (nothing else
of cxlab); weightipy only inside :func:`rake`.

A weighted estimate counts each answer in proportion to its weight, so that a sample
whose mix of ages or of users differs from the population's speaks for the population.
Unequal weights cost precision. Kish (1965, section 11.7; 1992, "Weighting for unequal
P_i", *Journal of Official Statistics* 8(2), 183-200) measures the cost by the design
effect of weighting, ``deff = n * sum(w**2) / sum(w)**2 = 1 + cv**2`` (``cv`` the
coefficient of variation of the weights, population form), and the effective sample
size ``n / deff = sum(w)**2 / sum(w**2)``: the size of a simple random sample that would
give the same precision. The weighted metrics (``weights=`` on :func:`cxlab.nps`,
:func:`cxlab.csat`, :func:`cxlab.ces`, :func:`cxlab.proportion`) build their intervals
on that effective size. Kish's approximation assumes the weights are unrelated to the
answer; it is the standard first approximation, not a full design-based variance.
"""

from __future__ import annotations

import contextlib
import io
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import _as_float_array, as_scores, check_nan_policy, check_whole

#: Raking stops when every weighted margin is within this distance of its target share.
RAKING_TOLERANCE = 1e-6


def check_weights(weights, n: int | None = None, *, name: str = "weights") -> np.ndarray:
    """``weights`` as a float64 array: finite, none negative, not all zero, of length ``n`` when given.

    Examples
    --------
    >>> check_weights([1, 2, 0.5])
    array([1. , 2. , 0.5])
    >>> check_weights([1, -2])
    Traceback (most recent call last):
    ...
    ValueError: weights must be 0 or more; found -2.0 at position 1
    """
    if weights is None or isinstance(weights, str | bytes):
        raise TypeError(f"{name} must be a list, numpy array or pandas Series of numbers, got {weights!r}")
    if isinstance(weights, numbers.Number | np.generic):
        raise TypeError(f"{name} must be one weight per answer (a sequence), got the single value {weights!r}")
    values = _as_float_array(weights, name, must="hold numbers of 0 or more")
    if n is not None and values.size != n:
        raise ValueError(f"{name} must have one weight per answer: {n} answers but {values.size} weights")
    if values.size == 0:
        raise ValueError(f"{name} is empty: at least one weight is needed")
    bad = ~np.isfinite(values)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be finite numbers; found {values[position].item()!r} at position {position}")
    negative = values < 0
    if negative.any():
        position = int(np.flatnonzero(negative)[0])
        raise ValueError(f"{name} must be 0 or more; found {values[position].item()!r} at position {position}")
    if not values.sum() > 0:
        raise ValueError(f"{name} are all 0: at least one answer must carry weight")
    return values


def kish_design_effect(weights) -> float:
    """Kish's design effect of unequal weights: ``n * sum(w**2) / sum(w)**2`` (1 when all are equal).

    The factor by which weighting inflates the variance of a mean, under Kish's
    assumption that the weights are unrelated to the answers (Kish 1992). Scaling
    every weight by the same factor leaves it unchanged.

    Examples
    --------
    >>> kish_design_effect([1, 1, 1, 1])
    1.0
    >>> round(kish_design_effect([1, 1, 2, 2]), 4)   # 4 * 10 / 36
    1.1111
    """
    values = check_weights(weights)
    return float(values.size * np.dot(values, values) / values.sum() ** 2)


def effective_sample_size(weights) -> float:
    """Kish's effective sample size of weighted answers: ``sum(w)**2 / sum(w**2)``, at most n.

    Examples
    --------
    >>> effective_sample_size([1, 1, 2, 2])
    3.6
    """
    values = check_weights(weights)
    return float(values.sum() ** 2 / np.dot(values, values))


def weighted_scale_counts(values, weights, *, low: int, high: int, name: str = "scores",
                          nan_policy: str = "raise") -> tuple[np.ndarray, int, float]:
    """Summed weights on each point of an integer scale, the number of answers and their effective size.

    Returns ``(counts, n, effective_n)``: ``counts[i]`` is the total weight of the
    answers equal to ``low + i``, rescaled so that the counts add up to the effective
    sample size; so the counts can stand where plain counts stand in an interval
    formula. A missing score drops its weight with it (``nan_policy="omit"``).

    Examples
    --------
    >>> counts, n, effective_n = weighted_scale_counts([5, 4, 5], [1, 1, 2], low=1, high=5)
    >>> counts.round(3).tolist(), n, round(effective_n, 3)
    ([0.0, 0.0, 0.0, 0.667, 2.0], 3, 2.667)
    """
    check_nan_policy(nan_policy)
    if values is None or isinstance(values, str | bytes | numbers.Number | np.generic | pd.DataFrame):
        as_scores(values, low=low, high=high, name=name)  # raises the usual message for this input
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got an array of shape {values.shape}")
    series = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(
        values if isinstance(values, np.ndarray) else list(values), dtype=None)
    weights = check_weights(weights, len(series))
    missing = series.isna().to_numpy()
    if missing.any() and nan_policy == "omit":
        series, weights = series[~missing], weights[~missing]
    scores = as_scores(series, low=low, high=high, name=name, nan_policy=nan_policy)
    if not weights.sum() > 0:
        raise ValueError(f"every answered {name} has weight 0: at least one answer must carry weight")
    effective_n = float(weights.sum() ** 2 / np.dot(weights, weights))
    totals = np.bincount(scores - low, weights=weights, minlength=high - low + 1)
    return totals * (effective_n / totals.sum()), int(scores.size), effective_n


def _as_shares(name: str, targets, sample_levels) -> dict:
    """Check one variable's target shares: a mapping level -> share, summing to 1."""
    if not isinstance(targets, dict | pd.Series):
        raise TypeError(f"the margins of {name!r} must be a dict of level -> population share, got {targets!r}")
    targets = dict(targets)
    for level, share in targets.items():
        if isinstance(share, bool) or not isinstance(share, numbers.Real) or not np.isfinite(share) or share <= 0:
            raise ValueError(f"the population share of {name}={level!r} must be a number above 0, got {share!r}")
    total = float(sum(targets.values()))
    if abs(total - 1) > 1e-6:
        raise ValueError(f"the population shares of {name!r} must add up to 1, they add up to {total:.6g}")
    missing = sorted(map(str, set(sample_levels) - set(targets)))
    if missing:
        raise ValueError(f"column {name!r} has levels with no population share: {missing}; give every level a share")
    absent = sorted(map(str, set(targets) - set(sample_levels)))
    if absent:
        raise ValueError(f"no answer in the sample has {name} in {absent}: raking cannot give weight to a level "
                         "nobody in the sample has; merge it with a neighbouring level")
    return targets


@dataclass(frozen=True)
class RakingResult:
    """Raking weights with what they cost: Kish's design effect and effective sample size.

    ``weights`` (a Series on the frame's index) average 1, so that they sum to the
    sample size; ``margins`` compares, for every variable and level, the sample's share,
    the population's share (the target) and the weighted share.
    """

    weights: pd.Series = field(repr=False)
    n: int
    design_effect: float
    effective_n: float
    converged: bool
    margins: pd.DataFrame = field(repr=False)

    @property
    def iterations_converged(self) -> bool:
        """The former name of :attr:`converged` (deprecated)."""
        warnings.warn("RakingResult.iterations_converged is deprecated and goes in the next release; "
                      "read RakingResult.converged", DeprecationWarning, stacklevel=2)
        return self.converged

    def to_frame(self) -> pd.DataFrame:
        """The summary as a one-row DataFrame (n, design effect, effective n)."""
        return pd.DataFrame([{"n": self.n, "design_effect": self.design_effect, "effective_n": self.effective_n}],
                            index=["RakingResult"])


def rake(frame: pd.DataFrame, margins: dict, *, max_iterations: int = 1000) -> RakingResult:
    """Weights that make the sample's margins equal the population's (raking, RIM weighting).

    Raking (iterative proportional fitting, Deming and Stephan 1940) adjusts the weights
    one variable at a time, so that the weighted share of every level matches its
    population share, and repeats until all margins hold at once. It needs the
    population's margins only, not the joint table.

    The fitting is done by weightipy (``weightipy.weight`` with a RIM scheme), chosen
    because it does this one job on plain pandas and numpy, is maintained, and adds
    no heavy dependencies: ``samplics`` points its users to a successor package and
    needs polars, and Meta's ``balance`` brings scikit-learn and more for methods
    (propensity scores, CBPS) this course does not use. The margins reached are
    checked here: if any is more than ``RAKING_TOLERANCE`` off its target, the result
    says so (``converged`` is False) and a ``RuntimeWarning`` names the margin furthest
    from its target. weightipy's own messages are not printed.

    Parameters
    ----------
    frame : DataFrame
        The sample, one row per answer, with a column for every variable in ``margins``.
    margins : dict
        ``{column: {level: population share}}``; each variable's shares add up to 1
        and cover every level in the sample.
    max_iterations : int
        Passes over the variables before giving up.

    Examples
    --------
    >>> sample = pd.DataFrame({"age": ["young"] * 6 + ["old"] * 4,
    ...                        "user": ["yes", "no", "no", "no", "no", "no", "yes", "yes", "yes", "no"]})
    >>> raked = rake(sample, {"age": {"young": 0.4, "old": 0.6}, "user": {"yes": 0.5, "no": 0.5}})
    >>> raked.margins.round(3).loc["age"]
           sample  population  weighted
    level
    old       0.4         0.6       0.6
    young     0.6         0.4       0.4
    >>> round(raked.design_effect, 3), round(raked.effective_n, 2)
    (1.169, 8.56)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(margins, dict) or not margins:
        raise TypeError(f"margins must be a non-empty dict of column -> {{level: share}}, got {margins!r}")
    max_iterations = check_whole(max_iterations, "max_iterations", minimum=1)
    if len(frame) == 0:
        raise ValueError("frame is empty: raking needs at least one answer")
    checked = {}
    for name, targets in margins.items():
        if name not in frame.columns:
            raise ValueError(f"margins name the column {name!r}, which the frame does not have; "
                             f"its columns are {list(frame.columns)}")
        if frame[name].isna().any():
            raise ValueError(f"column {name!r} has {int(frame[name].isna().sum())} missing value(s); "
                             "raking needs every answer's level")
        checked[name] = _as_shares(name, targets, frame[name].unique())

    import weightipy

    # weightipy takes percentages and plain labels; it keeps the rows in order.
    labels = {name: {level: f"L{position}" for position, level in enumerate(targets)}
              for name, targets in checked.items()}
    coded = pd.DataFrame({name: frame[name].map(labels[name]).astype(str).to_numpy() for name in checked})
    scheme = weightipy.scheme_from_dict(
        {name: {labels[name][level]: 100.0 * share for level, share in targets.items()}
         for name, targets in checked.items()},
        name="cxlab", rim_params={"max_iterations": max_iterations, "convcrit": 1e-12})
    with contextlib.redirect_stdout(io.StringIO()):  # weightipy prints its progress; the result says it here
        values = weightipy.weight(coded, scheme).to_numpy(dtype=float)
    values = values / values.mean()
    weights = pd.Series(values, index=frame.index, name="weight")

    rows, converged = [], True
    for name, targets in checked.items():
        column = frame[name].to_numpy()
        for level, share in targets.items():
            chosen = column == level
            weighted = float(values[chosen].sum() / values.sum())
            converged &= abs(weighted - share) <= RAKING_TOLERANCE
            rows.append({"variable": name, "level": level, "sample": float(chosen.mean()),
                         "population": float(share), "weighted": weighted})
    table = pd.DataFrame(rows).set_index(["variable", "level"]).sort_index()
    if not converged:
        worst = (table["weighted"] - table["population"]).abs().idxmax()
        row = table.loc[worst]
        warnings.warn(
            f"raking did not reach the population's margins in {max_iterations} iteration(s): the furthest is "
            f"{worst[0]}={worst[1]!r}, weighted {row['weighted']:.4f} against a target of {row['population']:.4f}; "
            "allow more iterations (max_iterations=...) or merge sparse levels", RuntimeWarning, stacklevel=2)
    return RakingResult(
        weights=weights,
        n=len(frame),
        design_effect=kish_design_effect(values),
        effective_n=effective_sample_size(values),
        converged=bool(converged),
        margins=table,
    )
