"""cxlab: measure customer experience with honest numbers.

The names most learners need are here at the top level::

    import cxlab
    cxlab.nps([10, 9, 7, 3])            # NPS with a 95% interval
    cxlab.nps_test(this_quarter, last_quarter)
    cxlab.compare_groups(teams, "nps", "certificate", strata="maturity")

Plots and widgets live in :mod:`cxlab.plots` and :mod:`cxlab.widgets`, which import
matplotlib and ipywidgets only when you ask for them.
"""

from .metrics import (
    NPSCounts,
    NSSResult,
    bottom_box,
    ces_score,
    csat_score,
    nps_counts,
    nps_score,
    nss,
    nss_from_labels,
    top_box,
)
from .stats import (
    AdjustedEffect,
    BootstrapResult,
    CESResult,
    DiDResult,
    GroupComparison,
    CSATResult,
    NPSResult,
    NPSTestResult,
    ces,
    csat,
    enps,
    nps,
    nps_from_counts,
    nps_test,
    segment_table,
    wilson_interval,
    adjusted_effect,
    bootstrap_interval,
    compare_groups,
    diff_in_diff,
)

__version__ = "0.1.0"

__all__ = [
    "AdjustedEffect",
    "BootstrapResult",
    "CESResult",
    "DiDResult",
    "GroupComparison",
    "adjusted_effect",
    "bootstrap_interval",
    "compare_groups",
    "diff_in_diff",
    "CSATResult",
    "NPSCounts",
    "NPSResult",
    "NPSTestResult",
    "NSSResult",
    "bottom_box",
    "ces",
    "ces_score",
    "csat",
    "csat_score",
    "enps",
    "nps",
    "nps_counts",
    "nps_from_counts",
    "nps_score",
    "nps_test",
    "nss",
    "nss_from_labels",
    "segment_table",
    "top_box",
    "wilson_interval",
]
