"""One row per segment: a metric with its interval for every group of a column.

Layer 2 of cxlab (statistics). Imports pandas, :mod:`cxlab._validate` and the NPS and
proportion modules of :mod:`cxlab.stats`.
"""

from __future__ import annotations

import pandas as pd

from .._validate import check_nan_policy, require_columns
from .nps_intervals import nps
from .proportions import ces, csat

_SEGMENT_METRICS = ("nps", "csat", "ces")


def segment_table(
    df: pd.DataFrame,
    score: str,
    by: str,
    metric: str = "nps",
    ci: float = 0.95,
    *,
    nan_policy: str = "raise",
    **options,
) -> pd.DataFrame:
    """One row per group of ``by``: the metric of column ``score``, its interval and n.

    ``metric`` is ``"nps"`` (0-10 scores), ``"csat"`` or ``"ces"``; ``options`` go to
    that function (for example ``method="adjusted-wald"`` or ``scale=5``). Rows
    follow the sorted group labels; missing group labels are an error.

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
    if metric not in _SEGMENT_METRICS:
        raise ValueError(f"metric must be one of {_SEGMENT_METRICS}, got {metric!r}")
    if df[by].isna().any():
        raise ValueError(f"column {by!r} has {int(df[by].isna().sum())} missing group label(s)")
    function = {"nps": nps, "csat": csat, "ces": ces}[metric]
    rows = {}
    for group, part in df.groupby(by, sort=True, observed=True):
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
    if not rows:
        raise ValueError(f"the DataFrame is empty: no groups in column {by!r}")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = by
    return table

