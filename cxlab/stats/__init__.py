"""Intervals and tests for CX metrics, one module per topic, re-exported here and from :mod:`cxlab`.

Layer 2 of cxlab (statistics): imports :mod:`cxlab.metrics` and :mod:`cxlab._validate`,
numpy, pandas and ``scipy.special``; ``scipy.stats`` and statsmodels only inside the
functions that need them, so that ``import cxlab`` stays light.

- :mod:`~cxlab.stats.nps_intervals`: :func:`nps`, :func:`enps`, :func:`nps_from_counts`, :func:`nps_test`,
  and the coverage study behind the default method (:func:`interval_coverage`, :func:`coverage_table`)
- :mod:`~cxlab.stats.proportions`: :func:`wilson_interval`, :func:`csat`, :func:`ces`
- :mod:`~cxlab.stats.segments`: :func:`segment_table`
- :mod:`~cxlab.stats.groups`: :func:`compare_groups` (plain, or within strata)
- :mod:`~cxlab.stats.strata`: Mantel-Haenszel pooling behind ``compare_groups(strata=...)``
- :mod:`~cxlab.stats.regression`: :func:`adjusted_effect`, :func:`diff_in_diff`
- :mod:`~cxlab.stats.bootstrap`: :func:`bootstrap_interval`
- :mod:`~cxlab.stats.weights`: survey weights: :func:`rake`, :func:`kish_design_effect`,
  :func:`effective_sample_size` (``weights=`` on :func:`nps`, :func:`csat`, :func:`ces`, :func:`proportion`)
"""

from .common import ConfidenceInterval
from .bootstrap import BOOTSTRAP_METHODS, BootstrapResult, bootstrap_interval
from .groups import GroupComparison, compare_groups
from .nps_intervals import (
    DEFAULT_METHOD,
    NPS_METHODS,
    NPSResult,
    NPSTestResult,
    coverage_table,
    enps,
    interval_coverage,
    nps,
    nps_from_counts,
    nps_test,
)
from .proportions import CESResult, CSATResult, ProportionResult, ces, csat, proportion, wilson_interval
from .regression import COV_TYPES, AdjustedEffect, DiDResult, adjusted_effect, diff_in_diff
from .segments import segment_table
from .weights import RakingResult, effective_sample_size, kish_design_effect, rake

__all__ = [
    "AdjustedEffect",
    "BOOTSTRAP_METHODS",
    "BootstrapResult",
    "CESResult",
    "COV_TYPES",
    "CSATResult",
    "ConfidenceInterval",
    "DEFAULT_METHOD",
    "DiDResult",
    "GroupComparison",
    "NPSResult",
    "NPSTestResult",
    "NPS_METHODS",
    "ProportionResult",
    "RakingResult",
    "adjusted_effect",
    "bootstrap_interval",
    "ces",
    "compare_groups",
    "coverage_table",
    "csat",
    "diff_in_diff",
    "effective_sample_size",
    "enps",
    "interval_coverage",
    "kish_design_effect",
    "nps",
    "nps_from_counts",
    "nps_test",
    "proportion",
    "rake",
    "segment_table",
    "wilson_interval",
]
