"""Simulate many customers through a journey at once, vectorised with numpy.

Layer 3 of cxlab (analyses), part of :mod:`cxlab.journey`: imports numpy, pandas,
:mod:`cxlab._validate`, :mod:`cxlab.metrics` and :mod:`cxlab.journey.model`;
``scipy.special`` (the gamma distribution's inverse) on the first simulation. The
model, and what the random streams promise, are described in :mod:`cxlab.journey`.
"""

from __future__ import annotations

import numbers
from dataclasses import replace

import numpy as np
import pandas as pd

from .._validate import check_whole, seed_sequence  # noqa: F401  (seed_sequence: also this module's)
from ..stats.common import formerly_positional
from .model import Journey

# The first word of a stream's key says what kind of randomness it feeds, so that a
# step can never share a stream with an organisation-wide source, whatever its name.
_STEP_STREAM, _ORGANISATION_STREAM = 0, 1
#: Per customer and step, the columns ``simulate(..., per_step=True)`` adds, with ``_<step>`` after each.
PER_STEP_COLUMNS = ("work", "handoff", "error", "recovered", "rework", "unclear")


def check_customers(n_customers) -> int:
    return check_whole(n_customers, "n_customers", minimum=1, maximum=50_000_000)


def _stream(root: np.random.SeedSequence, kind: int, name: str) -> np.random.Generator:
    """An independent generator for one source of randomness, keyed by its ``name``.

    The name (for a step, its name) is turned into a whole number one-to-one (a
    leading 1 byte keeps names that differ only by trailing zero bytes apart), and
    that number extends the root's spawn key, as ``SeedSequence.spawn`` does with a
    counter. A key from a name instead of a position means that adding, removing or
    reordering steps leaves every other step's stream as it was.
    """
    key = int.from_bytes(b"\x01" + name.encode("utf-8"), "big")
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, kind, key), pool_size=root.pool_size)
    return np.random.Generator(np.random.PCG64(child))


@formerly_positional("seed")
def simulate(journey: Journey, n_customers: int = 10_000, *, seed=None, per_step: bool = False) -> pd.DataFrame:
    """Simulate ``n_customers`` customers through ``journey``; one row per customer.

    Columns: ``days_<step>`` (the time from the end of the steps it waits for to its
    own end: hand-off, work, rework and any delay from unclear communication),
    ``errors``, ``recovered`` (errors put right on the spot), ``unclear`` (steps the
    customer could not understand), ``total_days``, ``satisfaction`` (latent),
    ``rating`` (0-10) and ``churned`` (True or False). With ``per_step=True``, also
    what happened to the customer in each step: ``work_<step>`` (the step's own
    working time, days), ``handoff_<step>`` (the hand-off delay into it, days),
    ``error_<step>``, ``recovered_<step>`` (True or False), ``rework_<step>`` (days)
    and ``unclear_<step>`` (True or False).

    The same seed gives the same customers. Each step, and each organisation-wide
    source of randomness (the rating's noise, the churn draw), has its own random
    stream, keyed by name, so the same seed also gives the same luck in every part of
    the journey that a change does not touch; see :mod:`cxlab.journey` for the model
    and the exact promise. ``seed`` is anything :func:`seed_sequence` takes.

    Examples
    --------
    >>> from cxlab.journey import leasing_journey
    >>> customers = simulate(leasing_journey(), n_customers=1000, seed=1)
    >>> customers[["total_days", "rating"]].shape
    (1000, 2)
    >>> bool(customers["rating"].between(0, 10).all())
    True

    Common random numbers: a slower credit check leaves every other step's draws as
    they were, and the credit check's own time keeps each customer's place in line.

    >>> lease = leasing_journey()
    >>> before = simulate(lease, 1000, seed=1, per_step=True)
    >>> after = simulate(lease.with_step("credit check", mean_days=3.0), 1000, seed=1, per_step=True)
    >>> bool((after["error_contract"] == before["error_contract"]).all())
    True
    >>> bool(np.allclose(after["work_credit check"], 2 * before["work_credit check"]))
    True
    """
    if not isinstance(journey, Journey):
        raise TypeError(f"journey must be a cxlab.journey.Journey, got {type(journey).__name__}")
    n = check_customers(n_customers)
    if not isinstance(per_step, bool | np.bool_):
        raise TypeError(f"per_step must be True or False, got {per_step!r}")
    root = seed_sequence(seed)
    from scipy import special

    owner = {step.name: step.department for step in journey.steps}
    handoff_mean = journey.handoff_days * (1 + 3 * journey.silo)
    finish: dict[str, np.ndarray] = {}
    columns: dict[str, np.ndarray] = {}
    detail: dict[str, np.ndarray] = {}
    errors = np.zeros(n, dtype=np.int64)
    recovered = np.zeros(n, dtype=np.int64)
    unclear = np.zeros(n, dtype=np.int64)
    for step in journey.order():
        # Every number drawn here is a uniform or a standard variate whose count does not
        # depend on any parameter, so the stream gives a customer the same luck whatever
        # the step's (or anyone's) parameters; parameters only transform it.
        rng = _stream(root, _STEP_STREAM, step.name)
        u_work = rng.random(n)
        u_error = rng.random(n)
        u_recover = rng.random(n)
        rework_units = rng.standard_exponential(n)
        u_unclear = rng.random(n)
        handoff_units = rng.standard_exponential(n)

        # Gamma by its inverse CDF: a customer at the 90th percentile of this step stays
        # there when the step's mean or spread changes (rejection sampling would not).
        shape = 1.0 / step.cv**2
        work = step.mean_days * special.gammaincinv(shape, u_work) / shape
        before = journey.predecessors(step)
        handoff = handoff_mean * handoff_units
        start = np.zeros(n)
        crossed = False
        for name in before:
            arrival = finish[name]
            if owner[name] != step.department:
                arrival = arrival + handoff
                crossed = True
            start = np.maximum(start, arrival)
        ready = np.max([finish[name] for name in before], axis=0) if before else np.zeros(n)
        failed = u_error < step.error_rate
        fixed_on_spot = failed & (u_recover < journey.autonomy)
        reworked = failed & ~fixed_on_spot
        confused = u_unclear >= step.clarity
        rework = np.where(reworked, step.rework_days * rework_units, 0.0)
        duration = work + rework + np.where(confused, journey.unclear_delay_days, 0.0)
        finish[step.name] = start + duration
        columns[f"days_{step.name}"] = finish[step.name] - ready
        errors += failed
        recovered += fixed_on_spot
        unclear += confused
        if per_step:
            detail.update({
                f"work_{step.name}": work, f"handoff_{step.name}": handoff if crossed else np.zeros(n),
                f"error_{step.name}": failed, f"recovered_{step.name}": fixed_on_spot,
                f"rework_{step.name}": rework, f"unclear_{step.name}": confused,
            })

    noise = _stream(root, _ORGANISATION_STREAM, "rating noise").standard_normal(n)
    leave = _stream(root, _ORGANISATION_STREAM, "churn").random(n)
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
    if per_step:
        ordered = {f"{kind}_{step.name}": detail[f"{kind}_{step.name}"]
                   for step in journey.steps for kind in PER_STEP_COLUMNS}
        frame = pd.concat([frame, pd.DataFrame(ordered, index=frame.index)], axis=1)
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
