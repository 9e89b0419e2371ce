"""Simulate many customers through a journey at once, vectorised with numpy.

Layer 3 of cxlab (analyses), part of :mod:`cxlab.journey`: imports numpy, pandas,
:mod:`cxlab._validate`, :mod:`cxlab.metrics` and :mod:`cxlab.journey.model`. The model
is described in :mod:`cxlab.journey`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .._validate import check_whole
from .model import Journey

def check_customers(n_customers) -> int:
    return check_whole(n_customers, "n_customers", minimum=1, maximum=50_000_000)


def simulate(journey: Journey, n_customers: int = 10_000, seed=None) -> pd.DataFrame:
    """Simulate ``n_customers`` customers through ``journey``; one row per customer.

    Columns: ``days_<step>`` (the time from the end of the steps it waits for to its
    own end: hand-off, work, rework and any delay from unclear communication),
    ``errors``, ``recovered`` (errors put right on the spot), ``unclear`` (steps the
    customer could not understand), ``total_days``, ``satisfaction`` (latent),
    ``rating`` (0-10) and ``churned`` (True or False). The same seed gives the same
    customers; see the module's description for the model.

    Examples
    --------
    >>> from cxlab.journey import leasing_journey
    >>> customers = simulate(leasing_journey(), n_customers=1000, seed=1)
    >>> customers[["total_days", "rating"]].shape
    (1000, 2)
    >>> bool(customers["rating"].between(0, 10).all())
    True
    """
    if not isinstance(journey, Journey):
        raise TypeError(f"journey must be a cxlab.journey.Journey, got {type(journey).__name__}")
    n = check_customers(n_customers)
    rng = np.random.default_rng(seed)
    owner = {step.name: step.department for step in journey.steps}
    handoff_mean = journey.handoff_days * (1 + 3 * journey.silo)
    finish: dict[str, np.ndarray] = {}
    columns: dict[str, np.ndarray] = {}
    errors = np.zeros(n, dtype=np.int64)
    recovered = np.zeros(n, dtype=np.int64)
    unclear = np.zeros(n, dtype=np.int64)
    # Draws follow the steps as listed (not their run order) so that reordering
    # dependencies never reshuffles which customer gets which luck.
    draws = {}
    for step in journey.steps:
        shape = 1.0 / step.cv**2
        draws[step.name] = (
            rng.standard_gamma(shape, n) / shape,  # work time in units of the mean
            rng.random(n),  # error?
            rng.random(n),  # put right on the spot?
            rng.standard_exponential(n),  # rework time in units of its mean
            rng.random(n),  # unclear?
            rng.standard_exponential(n),  # hand-off delay in units of its mean
        )
    noise = rng.standard_normal(n)
    leave = rng.random(n)

    for step in journey.order():
        work, u_error, u_recover, rework, u_unclear, handoff = draws[step.name]
        before = journey.predecessors(step)
        start = np.zeros(n)
        for name in before:
            arrival = finish[name]
            if owner[name] != step.department:
                arrival = arrival + handoff_mean * handoff
            start = np.maximum(start, arrival)
        ready = np.max([finish[name] for name in before], axis=0) if before else np.zeros(n)
        failed = u_error < step.error_rate
        fixed_on_spot = failed & (u_recover < journey.autonomy)
        reworked = failed & ~fixed_on_spot
        confused = u_unclear >= step.clarity
        duration = (
            step.mean_days * work
            + np.where(reworked, step.rework_days * rework, 0.0)
            + np.where(confused, journey.unclear_delay_days, 0.0)
        )
        finish[step.name] = start + duration
        columns[f"days_{step.name}"] = finish[step.name] - ready
        errors += failed
        recovered += fixed_on_spot
        unclear += confused

    total = np.max([finish[step.name] for step in journey.steps], axis=0)
    model = journey.rating
    lateness = np.maximum(total - journey.expected_days, 0.0) / journey.expected_days
    satisfaction = (
        model.base
        - model.lateness_weight * lateness
        - model.unrecovered_weight * (errors - recovered)
        - model.recovered_weight * recovered
        - model.unclear_weight * unclear
        + model.noise * noise
    )
    rating = np.clip(np.rint(satisfaction), 0, 10).astype(np.int64)
    churn_probability = 1.0 / (1.0 + np.exp(-(model.churn_intercept + model.churn_slope * (8.0 - satisfaction))))
    frame = pd.DataFrame({f"days_{step.name}": columns[f"days_{step.name}"] for step in journey.steps})
    frame["errors"] = errors
    frame["recovered"] = recovered
    frame["unclear"] = unclear
    frame["total_days"] = total
    frame["satisfaction"] = satisfaction
    frame["rating"] = rating
    frame["churned"] = leave < churn_probability
    return frame


def expected_total_days(journey: Journey) -> float:
    """The mean total time of a journey whose steps run in one sequence, from the model alone.

    Each step adds its mean time, the mean rework (``error_rate * (1 - autonomy) *
    rework_days``), the mean delay of unclear communication (``(1 - clarity) *
    unclear_delay_days``) and, when the previous step belongs to another department,
    the mean hand-off. Parallel branches have no such closed form (the journey waits
    for the slower branch), so they raise an error.

    Examples
    --------
    >>> from cxlab.journey import journey_from_table
    >>> sequence = journey_from_table(pd.DataFrame({
    ...     "name": ["a", "b"], "department": ["x", "y"], "zone": ["front line", "back office"],
    ...     "mean_days": [1.0, 2.0], "error_rate": [0.0, 0.0], "clarity": [1.0, 1.0]}),
    ...     expected_days=3, handoff_days=0.5, silo=0.0)
    >>> expected_total_days(sequence)
    3.5
    """
    ordered = journey.order()
    total = 0.0
    previous = None
    for step in ordered:
        before = journey.predecessors(step)
        expected_before = (previous.name,) if previous is not None else ()
        if tuple(before) != expected_before:
            raise ValueError(
                f"step {step.name!r} waits for {list(before)}: expected_total_days needs a single sequence "
                "(each step after the one before it)"
            )
        if previous is not None and previous.department != step.department:
            total += journey.handoff_days * (1 + 3 * journey.silo)
        total += step.mean_days
        total += step.error_rate * (1 - journey.autonomy) * step.rework_days
        total += (1 - step.clarity) * journey.unclear_delay_days
        previous = step
    return total


def as_sequence(journey: Journey) -> Journey:
    """The same journey with every step waiting only for the step listed before it."""
    return replace(journey, steps=tuple(replace(step, after=None) for step in journey.steps))
