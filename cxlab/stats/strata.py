"""A difference between two groups within strata, pooled with Mantel-Haenszel weights.

Layer 2 of cxlab (statistics). No kept Python library gives the Mantel-Haenszel risk
difference with Sato's (1989) variance, or the weighted mean difference, so both are
written here and tested against the kidney-stone table (Charig et al. 1986) and by
simulated coverage. Imports numpy, pandas and :mod:`cxlab.stats.common`.
"""

from __future__ import annotations

import math

import pandas as pd

from .common import two_sided_test

def stratum_table(frame, levels, kind, group, strata):
    rows = {}
    for stratum, part in frame.groupby("s", sort=True, observed=True):
        a = part.loc[part["g"] == levels[0], "y"].to_numpy()
        b = part.loc[part["g"] == levels[1], "y"].to_numpy()
        if a.size == 0 or b.size == 0:
            empty = levels[0] if a.size == 0 else levels[1]
            raise ValueError(
                f"stratum {strata}={stratum!r} has no rows with {group}={empty!r}, so it says nothing "
                "about the difference; merge it with a neighbouring stratum or leave it out"
            )
        if kind == "mean" and (a.size < 2 or b.size < 2):
            small = levels[0] if a.size < 2 else levels[1]
            raise ValueError(
                f"stratum {strata}={stratum!r} has a single row with {group}={small!r}; a mean difference "
                "needs at least 2 in each group of every stratum (merge small strata)"
            )
        ma, mb = float(a.mean()), float(b.mean())
        if kind == "proportion":
            variance = ma * (1 - ma) / a.size + mb * (1 - mb) / b.size
        else:
            variance = a.var(ddof=1) / a.size + b.var(ddof=1) / b.size
        rows[stratum] = {
            f"n_{levels[0]}": a.size,
            f"n_{levels[1]}": b.size,
            f"mean_{levels[0]}": ma,
            f"mean_{levels[1]}": mb,
            "value": ma - mb,
            "se": math.sqrt(variance),
            "successes_a": float(a.sum()),
            "successes_b": float(b.sum()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = strata
    return table


def mantel_haenszel(table, levels, kind):
    """The pooled difference, its standard error, its p-value, the strata's weights and the method's name.

    The interval is the caller's: a normal one around the difference with this
    standard error (:class:`cxlab.stats.common.NormalInterval`).
    """
    n_a = table[f"n_{levels[0]}"].to_numpy(dtype=float)
    n_b = table[f"n_{levels[1]}"].to_numpy(dtype=float)
    total = n_a + n_b
    weights = n_a * n_b / total
    w_sum = weights.sum()
    difference = float((weights * table["value"].to_numpy()).sum() / w_sum)
    if kind == "proportion":
        # Sato (1989): consistent both for many small strata and for a few large ones.
        x_a, x_b = table["successes_a"].to_numpy(), table["successes_b"].to_numpy()
        p_term = (n_a**2 * x_b - n_b**2 * x_a + n_a * n_b * (n_b - n_a) / 2) / total**2
        q_term = (x_a * (n_b - x_b) + x_b * (n_a - x_a)) / (2 * total)
        variance = max((difference * p_term.sum() + q_term.sum()) / w_sum**2, 0.0)
        method = "Mantel-Haenszel risk difference, Sato (1989) variance, z test"
    else:
        variance = float((weights**2 * table["se"].to_numpy() ** 2).sum() / w_sum**2)
        method = "Mantel-Haenszel weighted mean difference, z test"
    se = math.sqrt(variance)
    pvalue = two_sided_test(difference, se)[1]
    return difference, se, pvalue, weights / w_sum, method


