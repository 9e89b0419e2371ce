"""Intervals and tests for CX metrics, one module per topic, re-exported here and from :mod:`cxlab`.

Layer 2 of cxlab (statistics): imports :mod:`cxlab.metrics` and :mod:`cxlab._validate`,
numpy, pandas and ``scipy.special``; ``scipy.stats`` and statsmodels only inside the
functions that need them, so that ``import cxlab`` stays light.

- :mod:`~cxlab.stats.nps_intervals`: :func:`nps`, :func:`enps`, :func:`nps_from_counts`, :func:`nps_test`
- :mod:`~cxlab.stats.proportions`: :func:`wilson_interval`, :func:`csat`, :func:`ces`
- :mod:`~cxlab.stats.segments`: :func:`segment_table`
- :mod:`~cxlab.stats.groups`: :func:`compare_groups` (plain, or within strata)
- :mod:`~cxlab.stats.strata`: Mantel-Haenszel pooling behind ``compare_groups(strata=...)``
- :mod:`~cxlab.stats.regression`: :func:`adjusted_effect`, :func:`diff_in_diff`
- :mod:`~cxlab.stats.bootstrap`: :func:`bootstrap_interval`
"""

from .common import ConfidenceInterval
from .bootstrap import BOOTSTRAP_METHODS, BootstrapResult, bootstrap_interval
from .groups import GroupComparison, compare_groups
from .nps_intervals import NPS_METHODS, NPSResult, NPSTestResult, enps, nps, nps_from_counts, nps_test
from .proportions import CESResult, CSATResult, ces, csat, wilson_interval
from .regression import COV_TYPES, AdjustedEffect, DiDResult, adjusted_effect, diff_in_diff
from .segments import segment_table

__all__ = [
    "AdjustedEffect",
    "BOOTSTRAP_METHODS",
    "BootstrapResult",
    "CESResult",
    "COV_TYPES",
    "CSATResult",
    "ConfidenceInterval",
    "DiDResult",
    "GroupComparison",
    "NPSResult",
    "NPSTestResult",
    "NPS_METHODS",
    "adjusted_effect",
    "bootstrap_interval",
    "ces",
    "compare_groups",
    "csat",
    "diff_in_diff",
    "enps",
    "nps",
    "nps_from_counts",
    "nps_test",
    "segment_table",
    "wilson_interval",
]
