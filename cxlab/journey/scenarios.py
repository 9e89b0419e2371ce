"""What a change to a journey does to NPS and churn: outcomes, what-ifs, sensitivity.

Layer 3 of cxlab (analyses), part of :mod:`cxlab.journey`: imports pandas,
:mod:`cxlab._validate`, :mod:`cxlab.stats` and the journey's model and simulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check_ci, child_seeds
from ..metrics import nps_score
from ..stats import compare_groups, nps, nps_test, wilson_interval
from ..stats.common import IntervalRule, _HasInterval, formerly_positional
from .model import ORGANISATION_LEVERS, STEP_LEVERS, Journey, _number
from .simulation import check_customers, seed_sequence, simulate

@dataclass(frozen=True)
class JourneyOutcome(_HasInterval):
    """NPS and churn of a simulated group of customers.

    In the library's result dialect ``value``, ``low`` and ``high`` are the NPS and its
    interval (the headline); churn keeps its own named fields.
    """

    nps: float
    nps_low: float
    nps_high: float
    churn_per_10k: float
    churn_low: float
    churn_high: float
    mean_days: float
    n: int
    ci: float = 0.95
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    value = property(lambda self: self.nps, doc="The NPS (same as ``nps``).")
    low = property(lambda self: self.nps_low, doc="Lower end of the NPS interval.")
    high = property(lambda self: self.nps_high, doc="Upper end of the NPS interval.")


@formerly_positional("ci")
def outcome(customers: pd.DataFrame, *, ci: float = 0.95) -> JourneyOutcome:
    """NPS (with cxlab's default, the adjusted Wald interval) and churned customers per 10,000 (Wilson interval)."""
    ci = check_ci(ci)
    for column in ("rating", "churned", "total_days"):
        if column not in customers.columns:
            raise ValueError(f"customers needs a {column!r} column, as simulate() returns; it has {list(customers.columns)}")
    score = nps(customers["rating"].to_numpy(), ci=ci)
    n = len(customers)
    churned = int(customers["churned"].sum())
    low, high = wilson_interval(churned, n, ci=ci)
    return JourneyOutcome(
        nps=score.value, nps_low=score.low, nps_high=score.high,
        churn_per_10k=1e4 * churned / n, churn_low=1e4 * low, churn_high=1e4 * high,
        mean_days=float(customers["total_days"].mean()), n=n, ci=ci, _interval=score._interval,
    )


@dataclass(frozen=True)
class WhatIfResult(_HasInterval):
    """The shift in NPS and churn when a journey changes, each with an interval.

    ``nps_change`` is changed minus baseline in NPS points; ``churn_change_per_10k`` is
    the change in churned customers per 10,000. The two groups are simulated with
    independent random numbers, so the intervals are those of two independent samples.
    In the library's result dialect ``value``, ``low``, ``high`` and ``pvalue`` are the
    NPS change, its interval and its test (the headline); churn keeps its named fields.
    """

    nps_change: float
    nps_low: float
    nps_high: float
    nps_pvalue: float
    churn_change_per_10k: float
    churn_low: float
    churn_high: float
    baseline: JourneyOutcome
    changed: JourneyOutcome
    ci: float = 0.95
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    value = property(lambda self: self.nps_change, doc="The NPS change (same as ``nps_change``).")
    low = property(lambda self: self.nps_low, doc="Lower end of the NPS change's interval.")
    high = property(lambda self: self.nps_high, doc="Upper end of the NPS change's interval.")
    pvalue = property(lambda self: self.nps_pvalue, doc="The NPS change's p-value (same as ``nps_pvalue``).")


@formerly_positional("seed", "ci")
def what_if(baseline: Journey, changed: Journey, n_customers: int = 100_000, *, seed=None, ci: float = 0.95) -> WhatIfResult:
    """Simulate both journeys and report how NPS and churn shift, with intervals.

    The NPS change and its interval come from :func:`cxlab.nps_test`; the churn
    change from :func:`cxlab.compare_groups` on the churn indicator (Newcombe's
    interval).

    Examples
    --------
    >>> from cxlab.journey import leasing_journey
    >>> journey = leasing_journey()
    >>> slow = journey.with_step("document check", mean_days=14)
    >>> result = what_if(journey, slow, n_customers=20_000, seed=1)
    >>> bool(result.nps_high < 0 and result.churn_low > 0)
    True
    """
    ci = check_ci(ci)
    n = check_customers(n_customers)
    base_seed, changed_seed = child_seeds(seed_sequence(seed), 2)
    before = simulate(baseline, n, seed=base_seed)
    after = simulate(changed, n, seed=changed_seed)
    test = nps_test(after["rating"].to_numpy(), before["rating"].to_numpy(), ci=ci)
    both = pd.DataFrame({
        "churned": np.r_[after["churned"].to_numpy(), before["churned"].to_numpy()].astype(np.int64),
        "journey": np.r_[np.full(n, "changed"), np.full(n, "baseline")],
    })
    churn = compare_groups(both, "churned", "journey", ci=ci, order=("changed", "baseline"))
    return WhatIfResult(
        nps_change=test.value, nps_low=test.low, nps_high=test.high, nps_pvalue=test.pvalue,
        churn_change_per_10k=1e4 * churn.value, churn_low=1e4 * churn.low, churn_high=1e4 * churn.high,
        baseline=outcome(before, ci=ci), changed=outcome(after, ci=ci), ci=ci, _interval=test._interval,
    )


def _nps_of(journey: Journey, n: int, seed) -> float:
    return nps_score(simulate(journey, n, seed=seed)["rating"].to_numpy())


def _levers(journey: Journey, change: float):
    """(lever, department, zone, worse journey, better journey) for every lever."""
    zones = {department.name: department.zone for department in journey.departments}
    for step in journey.steps:
        for lever in STEP_LEVERS:
            value = getattr(step, lever)
            if lever == "clarity":
                gap = 1 - value
                worse, better = 1 - min(gap * (1 + change), 1.0), 1 - gap * (1 - change)
            elif lever == "error_rate":
                worse, better = min(value * (1 + change), 1.0), value * (1 - change)
            else:
                worse, better = value * (1 + change), value * (1 - change)
            if worse == better:
                continue
            yield (f"{step.name}: {lever}", step.department, zones[step.department],
                   journey.with_step(step.name, **{lever: worse}), journey.with_step(step.name, **{lever: better}))
    for lever in ORGANISATION_LEVERS:
        value = getattr(journey, lever)
        if lever == "autonomy":
            gap = 1 - value
            worse, better = value * (1 - change), 1 - gap * (1 - change)
        elif lever == "silo":
            worse, better = min(value * (1 + change), 1.0), value * (1 - change)
        else:
            worse, better = value * (1 + change), value * (1 - change)
        if worse == better:
            continue
        owner = "front line (culture)" if lever == "autonomy" else "leadership (culture)"
        yield (f"organisation: {lever}", owner, "leadership", journey.with_changes(**{lever: worse}),
               journey.with_changes(**{lever: better}))


@formerly_positional("seed")
def sensitivity(journey: Journey, change: float = 0.5, n_customers: int = 50_000, *, seed=None) -> pd.DataFrame:
    """How far NPS moves when each lever is made worse or better by ``change``, one at a time.

    ``change`` is a share from 0.01 to 0.99 (0.5 for 50%). Step times, error rates,
    hand-off time and silo are multiplied by ``1 +/- change``;
    the *gaps* to perfection of clarity and autonomy (``1 - clarity``, ``1 - autonomy``)
    likewise. Every scenario uses the same random numbers (common random numbers: with
    ``seed=None`` they are fresh, drawn once for all scenarios), so the differences show
    the levers, not the luck of the draw. Returns one row per lever,
    sorted by ``swing`` (the NPS range between worse and better), largest first.

    Examples
    --------
    >>> from cxlab.journey import leasing_journey
    >>> table = sensitivity(leasing_journey(), n_customers=5_000, seed=1)
    >>> list(table.columns)
    ['lever', 'department', 'zone', 'worse', 'better', 'swing']
    """
    _number(change, "change", low=0.01, high=0.99)
    n = check_customers(n_customers)
    root = seed_sequence(seed)
    baseline = _nps_of(journey, n, root)
    rows = []
    for lever, department, zone, worse, better in _levers(journey, change):
        rows.append({
            "lever": lever, "department": department, "zone": zone,
            "worse": _nps_of(worse, n, root) - baseline, "better": _nps_of(better, n, root) - baseline,
        })
    table = pd.DataFrame(rows)
    table["swing"] = table["better"] - table["worse"]
    table = table.sort_values("swing", ascending=False, ignore_index=True)
    table.attrs["baseline_nps"] = baseline
    return table


@formerly_positional("seed")
def department_leverage(journey: Journey, improvement: float = 0.25, n_customers: int = 50_000, *, seed=None) -> pd.Series:
    """NPS gained when one department improves all its steps at once, for each department.

    Improving means: its steps' times, error rates and unclear communication (the gap
    ``1 - clarity``) each fall by ``improvement`` (a share from 0.01 to 1: 0.25 for 25%). Common random numbers, as
    in :func:`sensitivity`. Returns NPS points gained, largest first.

    Examples
    --------
    >>> from cxlab.journey import leasing_journey
    >>> leverage = department_leverage(leasing_journey(), n_customers=5_000, seed=1)
    >>> sorted(leverage.index)[:2]
    ['administration', 'customer service']
    """
    _number(improvement, "improvement", low=0.01, high=1.0)
    n = check_customers(n_customers)
    root = seed_sequence(seed)
    baseline = _nps_of(journey, n, root)
    gains = {}
    for department in journey.departments:
        improved = journey
        for step in journey.steps:
            if step.department == department.name:
                improved = improved.with_step(
                    step.name,
                    mean_days=step.mean_days * (1 - improvement),
                    error_rate=step.error_rate * (1 - improvement),
                    clarity=1 - (1 - step.clarity) * (1 - improvement),
                )
        gains[department.name] = _nps_of(improved, n, root) - baseline
    series = pd.Series(gains, name="nps_gain").sort_values(ascending=False)
    series.index.name = "department"
    return series
