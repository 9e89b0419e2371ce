"""One row per segment: a metric with its interval for every group of a column.

Layer 2 of cxlab (statistics). Imports pandas, :mod:`cxlab._validate` and the NPS and
proportion modules of :mod:`cxlab.stats`.
"""

from __future__ import annotations

import inspect
import warnings

import pandas as pd

from .._validate import _where, check_nan_policy, require_columns
from .common import adjust_pvalues, formerly_positional
from .groups import compare_groups
from .nps_intervals import nps, nps_test
from .proportions import ces, csat

_SEGMENT_METRICS = ("nps", "csat", "ces")


@formerly_positional("metric", "ci")
def segment_table(
    df: pd.DataFrame,
    score: str,
    by: str,
    *,
    metric: str = "nps",
    ci: float = 0.95,
    adjust: str | None = None,
    nan_policy: str = "raise",
    **options,
) -> pd.DataFrame:
    """One row per group of ``by``: the metric of column ``score``, its interval and n.

    ``value``, ``low`` and ``high`` are the metric in its own points: NPS on -100..100,
    CSAT in percent, the CES mean on its scale.

    ``metric`` is ``"nps"`` (0-10 scores), ``"csat"`` or ``"ces"``; ``options`` go to
    that function (for example ``method="wald"`` or ``scale=5``). Rows follow the
    sorted group labels; missing group labels are an error.

    ``pvalue`` tests each group against all the other answers together (for NPS with
    :func:`~cxlab.stats.nps_intervals.nps_test`; for CSAT, the share satisfied, and
    for CES, the mean, with :func:`~cxlab.stats.groups.compare_groups`). With many
    groups some will look different by chance: ``adjust="holm"`` (or ``"bh"`` for
    Benjamini-Hochberg) adds ``pvalue_adjusted``, through statsmodels'
    ``multipletests``.

    Examples
    --------
    >>> survey = pd.DataFrame({"channel": ["chat"] * 4 + ["phone"] * 4,
    ...                        "recommend": [10, 9, 8, 3, 10, 6, 5, 2]})
    >>> segment_table(survey, "recommend", by="channel")[["value", "n"]]
             value  n
    channel
    chat      25.0  4
    phone    -50.0  4
    """
    require_columns(df, score, by)
    check_nan_policy(nan_policy)
    if not isinstance(metric, str):
        raise TypeError(f"metric must be one of {_SEGMENT_METRICS}, got {metric!r}")
    if metric not in _SEGMENT_METRICS:
        raise ValueError(f"metric must be one of {_SEGMENT_METRICS}, got {metric!r}")
    if df[by].isna().any():
        unlabelled = df[by].isna().to_numpy()
        raise ValueError(f"column {by!r} has {int(unlabelled.sum())} missing group label(s), "
                         f"the first {_where(df[by], unlabelled)}")
    function = {"nps": nps, "csat": csat, "ces": ces}[metric]
    rows = {}
    groups = df.groupby(by, sort=True, observed=True)
    for group, part in groups:
        try:
            result = function(part[score], ci=ci, nan_policy=nan_policy, **options)
        except ValueError as error:
            raise ValueError(f"{by}={group!r}, column {score!r}: {error}") from error
        rows[group] = {
            "value": result.value,
            "low": result.low,
            "high": result.high,
            "n": result.n,
        }
        if metric == "nps":
            rows[group].update(
                promoters=result.promoters, passives=result.passives, detractors=result.detractors
            )
    for group, part in groups:
        rest = df.loc[df[by] != group, score]
        rows[group]["pvalue"] = _versus_rest(metric, part[score], rest, nan_policy, options) if len(rest) else float("nan")
    if not rows:
        raise ValueError(f"the DataFrame is empty: no groups in column {by!r}")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = by
    if adjust is not None:
        table["pvalue_adjusted"] = adjust_pvalues(table["pvalue"].to_numpy(), adjust)
    return table


def _versus_rest(metric: str, part: pd.Series, rest: pd.Series, nan_policy: str, options: dict) -> float:
    """The p-value of one group's metric against all the other answers."""
    if metric == "nps":
        method = {key: value for key, value in options.items() if key in ("method", "seed", "n_resamples")}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return nps_test(part, rest, nan_policy=nan_policy, **method).pvalue
    frame = pd.DataFrame({"y": pd.concat([part, rest], ignore_index=True),
                          "g": ["this"] * len(part) + ["rest"] * len(rest)})
    frame = frame.dropna() if nan_policy == "omit" else frame
    if metric == "csat":
        # The same top boxes as the group's own CSAT, with csat's defaults where not given.
        defaults = inspect.signature(csat).parameters
        scale = options.get("scale", defaults["scale"].default)
        top = options.get("top", defaults["top"].default)
        frame["y"] = frame["y"] >= scale - top + 1
        kind = "proportion"
    else:
        kind = "mean"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return compare_groups(frame, "y", "g", kind=kind, order=("this", "rest")).pvalue
        except ValueError:  # fewer than two answers on one side: no test
            return float("nan")

