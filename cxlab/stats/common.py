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
from dataclasses import dataclass, fields
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


class IntervalRule:
    """How a result finds its interval at any confidence level from what it kept, never from its data.

    A rule is called with a level and returns ``(low, high)``. ``method`` names the
    interval in messages; ``caveat`` says, for a method that does not guarantee that the
    interval holds the result's own estimate, when it may not (empty for one that does).
    """

    method = "interval"
    caveat = ""

    def __call__(self, level: float) -> tuple[float, float]:
        raise NotImplementedError


@dataclass(frozen=True)
class NormalInterval(IntervalRule):
    """``centre`` +/- the t (finite ``dof``) or normal quantile times ``se``, clipped to ``lower``..``upper``.

    What ``scipy.stats``' ``TtestResult.confidence_interval`` and statsmodels' ``conf_int``
    compute: the kept standard error and degrees of freedom give every level. When
    ``centre`` is the estimate the interval holds it at every level; a method that
    centres elsewhere (adjusted Wald) says so in ``caveat``.

    >>> low, high = NormalInterval(10.0, 2.0)(0.95)  # 10 +/- 1.96 x 2
    >>> round(low, 2), round(high, 2)
    (6.08, 13.92)
    >>> [round(end, 2) for end in NormalInterval(10.0, 2.0, dof=5)(0.95)]  # t with 5 df: 2.571
    [4.86, 15.14]
    """

    centre: float
    se: float
    dof: float = math.inf
    lower: float = -math.inf
    upper: float = math.inf
    method: str = "normal"
    caveat: str = ""

    def __call__(self, level: float) -> tuple[float, float]:
        if math.isinf(self.se):
            return self.lower, self.upper
        half = t_quantile(level, self.dof) * self.se
        return max(self.centre - half, self.lower), min(self.centre + half, self.upper)


@dataclass(frozen=True, eq=False)
class PercentileInterval(IntervalRule):
    """The central ``level`` share of kept draws (resampled statistics, simulated values).

    ``numpy.quantile`` with linear interpolation, as ``scipy.stats.bootstrap``'s
    percentile method takes it.

    >>> PercentileInterval(np.arange(101.0))(0.9)
    (5.0, 95.0)
    """

    draws: np.ndarray
    method: str = "percentile bootstrap"
    caveat: str = ("a percentile interval follows the resampled statistics, which can lie to one side of the "
                   "estimate when the statistic is skewed or biased or the sample small")

    def __call__(self, level: float) -> tuple[float, float]:
        low, high = np.quantile(self.draws, [(1 - level) / 2, (1 + level) / 2])
        # interpolating between two draws can pass the larger by a rounding error
        return float(np.clip(low, self.draws.min(), self.draws.max())), float(np.clip(high, self.draws.min(), self.draws.max()))


def warn_if_excluded(rule: IntervalRule, value: float, low: float, high: float, level: float, result: str) -> None:
    """A RuntimeWarning, naming the case, when an interval does not hold its own estimate."""
    tolerance = 1e-9 * max(1.0, abs(value)) if math.isfinite(value) else 0.0
    if math.isfinite(value) and (low > value + tolerance or high < value - tolerance):
        warnings.warn(
            f"{result}: the {level:g} {rule.method} interval ({low:.6g} to {high:.6g}) does not hold the "
            f"estimate {value:.6g}; {rule.caveat or 'the method does not promise that it does'}",
            RuntimeWarning, stacklevel=caller_stacklevel(),
        )


def interval_at(rule: IntervalRule, value: float, level: float, result: str) -> ConfidenceInterval:
    """``rule``'s interval at ``level``, with a warning when it does not hold ``value``."""
    low, high = (float(end) for end in rule(level))
    warn_if_excluded(rule, value, low, high, level, result)
    return ConfidenceInterval(low, high)


class _HasInterval:
    """What every cxlab result with an interval offers, in scipy.stats' dialect.

    ``value`` is the point estimate, ``low`` and ``high`` the interval at level ``ci``.
    :meth:`confidence_interval` gives the interval as a named pair, at another level
    when asked. That interval comes from what the result kept (its private
    ``_interval``, an :class:`IntervalRule`), never from its input data, which may have
    changed since: a bootstrap or a simulation takes the quantiles of the statistics it
    drew (the same resamples at every level), a normal-theory result its ``se`` and
    ``dof``, a Wilson or Newcombe interval its counts. Asked twice at one level, a
    result gives one interval.

    Whether the interval holds ``value`` depends on the method. Normal-theory intervals
    centred on the estimate (Wald, Welch and regression t, Mantel-Haenszel z), Wilson's
    and Newcombe's score intervals, the log-log band of a Kaplan-Meier share and the
    central interval of simulated draws around their median always do. Intervals that
    need not are percentile, basic and BCa bootstrap intervals, the adjusted Wald
    interval of an NPS or of an NPS difference (centred on the adjusted NPS; at n = 1
    its 95% interval excludes the sample's NPS), and the Kaplan-Meier median's interval;
    when one does not, a ``RuntimeWarning`` names the case. :meth:`to_frame` gives the
    result as a one-row DataFrame, as pingouin does.
    """

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        if confidence_level is None:
            return ConfidenceInterval(self.low, self.high)
        level = check_ci(confidence_level)
        if level == self.ci:
            return ConfidenceInterval(self.low, self.high)
        rule = getattr(self, "_interval", None)
        if rule is None:
            raise ValueError(
                f"this {type(self).__name__} kept nothing to compute its interval at confidence_level={level}; "
                f"call the function again with ci={level}"
            )
        return interval_at(rule, self.value, level, type(self).__name__)

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
    # Imported for Holm too, as before: it loads scipy.stats, and a notebook that draws its
    # variant's data (knife_edges calls this) has it loaded before a student's code runs, so a
    # student who patches builtins cannot break the later import of the library's statistics.
    from statsmodels.stats.multitest import multipletests

    adjusted = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        if ADJUSTMENTS[adjust] == "holm":
            adjusted[present] = _holm(values[present])
        else:
            adjusted[present] = multipletests(values[present], method=ADJUSTMENTS[adjust])[1]
    return adjusted


def _holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values: statsmodels' ``multipletests(method="holm")``, step for
    step (same sort, same products, same running maximum), so the numbers are the same to the
    last bit; without its full garbage collection at every call, which costs more than the
    adjustment itself in a process holding many objects (the variant vetting calls it thousands of times)."""
    order = np.argsort(pvalues)
    ranked = np.take(pvalues, order)
    adjusted = np.maximum.accumulate(ranked * np.arange(len(ranked), 0, -1))
    adjusted[adjusted > 1] = 1
    unsorted = np.empty_like(adjusted)
    unsorted[order] = adjusted
    return unsorted


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
