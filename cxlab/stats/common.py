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
from typing import NamedTuple

from .._validate import check_whole


class ConfidenceInterval(NamedTuple):
    low: float
    high: float


class _HasInterval:
    """Results with ``low`` and ``high`` give them as a named pair, as scipy.stats results do."""

    def confidence_interval(self) -> ConfidenceInterval:
        return ConfidenceInterval(self.low, self.high)


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
