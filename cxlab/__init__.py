"""cxlab: measure customer experience with honest numbers.

The names most learners need are here at the top level::

    import cxlab
    cxlab.nps([10, 9, 7, 3])            # NPS with a 95% interval
    cxlab.nps_test(this_quarter, last_quarter)
    cxlab.compare_groups(teams, "nps", "certificate", strata="maturity")

The library is layered; a module imports only the layers below it (import-linter
contracts in ``pyproject.toml`` enforce this):

1. :mod:`cxlab._validate` (input checks), :mod:`cxlab.metrics` (point metrics),
   :mod:`cxlab.io` (:func:`read_survey`, survey exports as they come) and
   :mod:`cxlab.periods` (period labels in their real order);
2. :mod:`cxlab.stats` (intervals and tests, one module per topic, re-exported here);
3. analyses: :mod:`cxlab.drivers`, :mod:`cxlab.linkage`, :mod:`cxlab.journey`,
   :mod:`cxlab.opinions`, :mod:`cxlab.voc`, :mod:`cxlab.value` and :mod:`cxlab.paths`;
4. :mod:`cxlab.data` (the course data sets and their data cards);
5. presentation: :mod:`cxlab.plots` (matplotlib), :mod:`cxlab.widgets` (ipywidgets) and
   :mod:`cxlab.report` (the survey report for training teams);
6. :mod:`cxlab.course`, the instructor's toolkit and its commands;
7. :mod:`cxlab.cli`, the ``cxlab`` command (``survey-report`` without the course toolkit).

``import cxlab`` loads layers 1 and 2 only, and neither scipy.stats, statsmodels,
matplotlib, ipywidgets nor nbgrader: the functions that need those import them on
first use.
"""

from .io import SurveyFile, read_survey
from .language import set_language
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
    ProportionResult,
    RakingResult,
    effective_sample_size,
    kish_design_effect,
    proportion,
    rake,
)

__version__ = "0.1.0"

__all__ = [
    "set_language",
    "AdjustedEffect",
    "BootstrapResult",
    "CESResult",
    "DiDResult",
    "GroupComparison",
    "adjusted_effect",
    "bootstrap_interval",
    "compare_groups",
    "diff_in_diff",
    "ProportionResult",
    "RakingResult",
    "effective_sample_size",
    "kish_design_effect",
    "proportion",
    "rake",
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
    "read_survey",
    "segment_table",
    "SurveyFile",
    "top_box",
    "wilson_interval",
]
