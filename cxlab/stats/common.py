"""What every statistics module shares: interval results, quantiles and two-sided tests.

Layer 2 of cxlab (statistics), shared with the analyses and figures that need a quantile
or a test. Imports :mod:`cxlab._validate` and nothing else of cxlab.
The normal distribution comes from the standard library (``statistics.NormalDist``,
exact to double precision), Student's t from ``scipy.special``, imported on first use
so that ``import cxlab`` does not pay for scipy.
"""

from __future__ import annotations

import math
from statistics import NormalDist
import functools
import inspect
import numbers
import sys
import warnings
from dataclasses import fields
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validate import check_ci, check_whole

#: The p-value adjustments for many tests, as statsmodels' ``multipletests`` names them.
ADJUSTMENTS = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni"}


class ConfidenceInterval(NamedTuple):
    low: float
    high: float


class _HasInterval:
    """What every cxlab result with an interval offers, in scipy.stats' dialect.

    ``value`` is the point estimate, ``low`` and ``high`` the interval at level ``ci``.
    :meth:`confidence_interval` gives the interval as a named pair, at another level
    when asked (the result then calls its function again with that level, so the
    method and, for a bootstrap, the seed stay the same); :meth:`to_frame` gives the
    result as a one-row DataFrame, as pingouin does.
    """

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        if confidence_level is None:
            return ConfidenceInterval(self.low, self.high)
        level = check_ci(confidence_level)
        if level == self.ci:
            return ConfidenceInterval(self.low, self.high)
        again = getattr(self, "_again", None)
        if again is None:
            raise ValueError(
                f"this {type(self).__name__} cannot recompute its interval at confidence_level={level}; "
                f"call the function again with ci={level}"
            )
        other = again(ci=level)
        return ConfidenceInterval(other.low, other.high)

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame: its numbers and labels, without tables or models."""
        row = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name.startswith("_") or not item.repr:
                continue
            if isinstance(value, tuple) and all(_is_plain(part) for part in value):
                row.update({f"{item.name}_{position}": part for position, part in enumerate(value)})
            elif _is_plain(value):
                row[item.name] = value
        return pd.DataFrame([row], index=[type(self).__name__])


def _is_plain(value) -> bool:
    return value is None or isinstance(value, str | numbers.Number | np.generic)


def caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside cxlab."""
    package = str(Path(__file__).resolve().parents[1])
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def deprecated_alias(new: str, old: str):
    """A read-only property ``old`` that returns ``new`` with a DeprecationWarning (kept for one release)."""

    def getter(self):
        warnings.warn(
            f"{type(self).__name__}.{old} is deprecated and will be removed in the next release; use .{new}",
            DeprecationWarning,
            stacklevel=caller_stacklevel(),
        )
        return getattr(self, new)

    return property(getter, doc=f"Deprecated: use ``{new}``.")


def formerly_positional(*names: str):
    """Make options keyword-only while still accepting them by position for one release, with a warning.

    ``names`` are the options in the order the old signature took them after the
    positional parameters the function still has.
    """

    def decorate(function):
        positional = [
            parameter for parameter in inspect.signature(function).parameters.values()
            if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        ]
        count = len(positional)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if len(args) > count:
                extra = args[count:]
                if len(extra) > len(names):
                    raise TypeError(
                        f"{function.__name__}() takes {count} positional argument(s) and the options "
                        f"{', '.join(names)}; got {len(args)} positional values"
                    )
                for name, value in zip(names, extra):
                    if name in kwargs:
                        raise TypeError(f"{function.__name__}() got two values for {name!r}")
                    kwargs[name] = value
                shown = ", ".join(f"{name}=..." for name in names[: len(extra)])
                warnings.warn(
                    f"passing {', '.join(names[: len(extra)])} to {function.__name__}() by position is "
                    f"deprecated and stops working in the next release; write {shown}",
                    DeprecationWarning,
                    stacklevel=caller_stacklevel(),
                )
                args = args[:count]
            return function(*args, **kwargs)

        return wrapper

    return decorate


def adjust_pvalues(pvalues, adjust: str | None):
    """P-values adjusted for multiple comparisons (Holm or Benjamini-Hochberg) through statsmodels.

    ``adjust=None`` returns them unchanged. Missing p-values stay missing and do not
    count as tests.
    """
    values = np.asarray(pvalues, dtype=float)
    if adjust is None:
        return values
    if not isinstance(adjust, str):
        raise TypeError(f"adjust must be None or one of {sorted(ADJUSTMENTS)}, got {adjust!r}")
    if adjust not in ADJUSTMENTS:
        raise ValueError(f"adjust must be None or one of {sorted(ADJUSTMENTS)}, got {adjust!r}")
    from statsmodels.stats.multitest import multipletests

    adjusted = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        adjusted[present] = multipletests(values[present], method=ADJUSTMENTS[adjust])[1]
    return adjusted


def normal_quantile(ci: float) -> float:
    """The two-sided critical value z of a ``ci`` interval (1.96 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + ci / 2)


def t_quantile(ci: float, dof: float) -> float:
    """The two-sided critical value of Student's t with ``dof`` degrees of freedom."""
    if math.isinf(dof):
        return normal_quantile(ci)
    from scipy import special

    return float(special.stdtrit(dof, 0.5 + ci / 2))


def two_sided_test(estimate: float, se: float, dof: float = math.inf) -> tuple[float, float]:
    """``estimate / se`` and its two-sided p-value, from the normal or (finite ``dof``) t distribution.

    A zero standard error means both samples have no spread: any difference is then
    certain (p = 0, statistic infinite) and no difference is no evidence (p = 1).
    """
    if se > 0:
        statistic = estimate / se
        if math.isinf(dof):
            tail = 0.5 * math.erfc(abs(statistic) / math.sqrt(2))
        else:
            from scipy import special

            tail = float(special.stdtr(dof, -abs(statistic)))
        return statistic, 2 * tail
    if estimate == 0:
        return 0.0, 1.0
    return math.copysign(math.inf, estimate), 0.0


def check_resamples(n_resamples: int) -> int:
    return check_whole(n_resamples, "n_resamples", minimum=100)
