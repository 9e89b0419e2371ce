"""Simulate a customer journey and follow a back-office decision to the customer's rating.

Layer 3 of cxlab. A :class:`Journey` is plain data: its steps (each owned by a
department, with a time, a chance of error and a clarity of communication), the
departments (each in a zone: front line, back office or leadership), the
organisation's culture (how siloed hand-offs are, how much autonomy the front line
has) and a :class:`RatingModel` that turns a customer's experience into a 0-10 rating
and a chance to leave. :func:`simulate` draws many customers at once with numpy.

The model, per customer and step, in the order of the steps:

- the step waits for the steps it comes ``after`` (by default the previous one);
  when one of those belongs to another department, a hand-off adds an exponential
  delay with mean ``handoff_days * (1 + 3 * silo)``;
- the step itself takes a gamma-distributed time with mean ``mean_days`` and
  coefficient of variation ``cv``;
- with probability ``error_rate`` it goes wrong. With probability ``autonomy`` the
  front line puts the error right on the spot (a recovered error, no delay);
  otherwise it is reworked, adding an exponential delay with mean ``rework_days``;
- with probability ``1 - clarity`` the customer cannot understand what the step
  told them (a letter, a form) and must get in touch, adding ``unclear_delay_days``.

The journey ends when its last step ends. Its lateness is
``max(0, total_days - expected_days) / expected_days``. The customer's latent
satisfaction is ``base - lateness_weight * lateness - unrecovered_weight * unrecovered
- recovered_weight * recovered - unclear_weight * unclear + Normal(0, noise)``; the
rating is that, rounded and clipped to 0..10; the chance to leave is
``logistic(churn_intercept + churn_slope * (8 - satisfaction))``.

Random numbers are drawn in a fixed order that does not depend on the parameters'
values, so two runs with the same seed share their randomness (common random
numbers): a what-if or a sensitivity analysis then compares like with like.
"""

from __future__ import annotations

import graphlib
import math
import numbers
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from ._validate import check_ci, check_whole
from .metrics import nps_score
from .stats import compare_groups, nps, nps_test, wilson_interval

ZONES = ("front line", "back office", "leadership")
#: Levers that :func:`sensitivity` moves, with the direction that makes things worse.
STEP_LEVERS = ("mean_days", "error_rate", "clarity")
ORGANISATION_LEVERS = ("handoff_days", "silo", "autonomy")


def _number(value, name: str, *, low: float = 0.0, high: float = math.inf, where: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise TypeError(f"{where}{name} must be a finite number, got {value!r}")
    if not low <= float(value) <= high:
        bounds = f"between {low:g} and {high:g}" if math.isfinite(high) else f"at least {low:g}"
        raise ValueError(f"{where}{name} must be {bounds}, got {value!r}")
    return float(value)


def _text(value, name: str, where: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{where}{name} must be a non-empty text, got {value!r}")
    return value


@dataclass(frozen=True)
class Department:
    """A department and the zone it works in (``"front line"``, ``"back office"``, ``"leadership"``)."""

    name: str
    zone: str = "back office"

    def __post_init__(self):
        _text(self.name, "name", "department: ")
        if self.zone not in ZONES:
            raise ValueError(f"department {self.name!r}: zone must be one of {ZONES}, got {self.zone!r}")


@dataclass(frozen=True)
class Step:
    """One step of a journey, owned by one department."""

    name: str
    department: str
    mean_days: float
    cv: float = 0.5
    error_rate: float = 0.05
    rework_days: float = 2.0
    clarity: float = 1.0
    after: tuple[str, ...] | None = None

    def __post_init__(self):
        where = f"step {self.name!r}: "
        _text(self.name, "name", "step: ")
        _text(self.department, "department", where)
        _number(self.mean_days, "mean_days", where=where)
        _number(self.cv, "cv", low=0.01, high=5.0, where=where)
        _number(self.error_rate, "error_rate", high=1.0, where=where)
        _number(self.rework_days, "rework_days", where=where)
        _number(self.clarity, "clarity", high=1.0, where=where)
        if self.after is not None:
            if isinstance(self.after, str) or not all(isinstance(name, str) for name in self.after):
                raise TypeError(f"{where}after must be a tuple of step names, got {self.after!r}")
            object.__setattr__(self, "after", tuple(self.after))


@dataclass(frozen=True)
class RatingModel:
    """How a customer's experience becomes a 0-10 rating and a chance to leave."""

    base: float = 9.3
    lateness_weight: float = 4.0
    unrecovered_weight: float = 1.8
    recovered_weight: float = 0.3
    unclear_weight: float = 1.2
    noise: float = 1.0
    churn_intercept: float = -4.0
    churn_slope: float = 0.7

    def __post_init__(self):
        for name, value in asdict(self).items():
            if name in ("churn_intercept",):
                _number(value, name, low=-math.inf, where="rating model: ")
            else:
                _number(value, name, where="rating model: ")


@dataclass(frozen=True)
class Journey:
    """A customer journey: steps, departments, culture and the customer's expectation.

    ``silo`` (0..1) makes hand-offs between departments slower; ``autonomy`` (0..1)
    is the chance that the front line puts an error right on the spot;
    ``expected_days`` is how long the customer expects the whole journey to take.
    """

    name: str
    steps: tuple[Step, ...]
    departments: tuple[Department, ...]
    expected_days: float
    handoff_days: float = 0.5
    silo: float = 0.5
    autonomy: float = 0.3
    unclear_delay_days: float = 2.0
    rating: RatingModel = field(default_factory=RatingModel)

    def __post_init__(self):
        where = f"journey {self.name!r}: "
        _text(self.name, "name", "journey: ")
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "departments", tuple(self.departments))
        if not self.steps:
            raise ValueError(f"{where}needs at least one step")
        for step in self.steps:
            if not isinstance(step, Step):
                raise TypeError(f"{where}steps must be Step objects, got {type(step).__name__}")
        for department in self.departments:
            if not isinstance(department, Department):
                raise TypeError(f"{where}departments must be Department objects, got {type(department).__name__}")
        _number(self.expected_days, "expected_days", low=1e-9, where=where)
        _number(self.handoff_days, "handoff_days", where=where)
        _number(self.silo, "silo", high=1.0, where=where)
        _number(self.autonomy, "autonomy", high=1.0, where=where)
        _number(self.unclear_delay_days, "unclear_delay_days", where=where)
        if not isinstance(self.rating, RatingModel):
            raise TypeError(f"{where}rating must be a RatingModel, got {type(self.rating).__name__}")
        names = [step.name for step in self.steps]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"{where}step names must be unique; repeated: {duplicates}")
        department_names = [department.name for department in self.departments]
        if len(set(department_names)) != len(department_names):
            raise ValueError(f"{where}department names must be unique, got {department_names}")
        for step in self.steps:
            if step.department not in department_names:
                raise ValueError(
                    f"{where}step {step.name!r} is owned by {step.department!r}, which is not one of its "
                    f"departments {department_names}"
                )
            for before in self.predecessors(step):
                if before not in names:
                    raise ValueError(f"{where}step {step.name!r} comes after {before!r}, which is not a step")
        self.order()  # raises on a cycle

    def predecessors(self, step: Step) -> tuple[str, ...]:
        """The steps ``step`` waits for: its ``after``, or by default the step listed before it."""
        if step.after is not None:
            return step.after
        position = [s.name for s in self.steps].index(step.name)
        return (self.steps[position - 1].name,) if position > 0 else ()

    def order(self) -> list[Step]:
        """The steps in an order where every step comes after the steps it waits for."""
        sorter = graphlib.TopologicalSorter({step.name: self.predecessors(step) for step in self.steps})
        try:
            ordered = list(sorter.static_order())
        except graphlib.CycleError as error:
            cycle = " -> ".join(error.args[1])
            raise ValueError(
                f"journey {self.name!r}: the steps form a cycle ({cycle}); a journey must run in sequence"
            ) from None
        by_name = {step.name: step for step in self.steps}
        return [by_name[name] for name in ordered]

    def department_of(self, step_name: str) -> Department:
        step = self.step(step_name)
        return next(department for department in self.departments if department.name == step.department)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise ValueError(f"journey {self.name!r} has no step {name!r}; its steps are {[s.name for s in self.steps]}")

    def with_step(self, name: str, **changes) -> Journey:
        """A copy with one step changed, for example ``with_step("document check", mean_days=14)``."""
        self.step(name)  # an unknown name is a clear error
        return replace(self, steps=tuple(replace(s, **changes) if s.name == name else s for s in self.steps))

    def with_changes(self, **changes) -> Journey:
        """A copy with journey-wide settings changed, for example ``with_changes(autonomy=0.9)``."""
        return replace(self, **changes)

    def to_table(self) -> pd.DataFrame:
        """The steps as a table a team can edit (and read back with :func:`journey_from_table`)."""
        zones = {department.name: department.zone for department in self.departments}
        rows = []
        for step in self.steps:
            row = asdict(step)
            row["after"] = "; ".join(self.predecessors(step))
            row["zone"] = zones[step.department]
            rows.append(row)
        columns = ["name", "department", "zone", "mean_days", "cv", "error_rate", "rework_days", "clarity", "after"]
        return pd.DataFrame(rows)[columns]


STEP_COLUMNS = ("name", "department", "zone", "mean_days")


def journey_from_table(table: pd.DataFrame, name: str = "our journey", *, expected_days: float, **settings) -> Journey:
    """Build a journey from a table of steps, one row per step, in journey order.

    Required columns: ``name``, ``department``, ``zone``, ``mean_days``. Optional:
    ``cv``, ``error_rate``, ``rework_days``, ``clarity``, and ``after`` (the names of
    the steps it waits for, separated by ``;``; empty for "the previous row").
    ``settings`` go to :class:`Journey` (``silo``, ``autonomy``, ...).

    Examples
    --------
    >>> table = pd.DataFrame({"name": ["apply", "approve"], "department": ["sales", "risk"],
    ...                       "zone": ["front line", "back office"], "mean_days": [1.0, 3.0]})
    >>> journey = journey_from_table(table, expected_days=5)
    >>> [step.name for step in journey.order()]
    ['apply', 'approve']
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame of steps, got {type(table).__name__}")
    missing = [column for column in STEP_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"the steps table needs column(s) {missing}; it has {list(table.columns)}")
    zones: dict[str, str] = {}
    steps = []
    for position, row in enumerate(table.to_dict("records")):
        department, zone = row["department"], row["zone"]
        if department in zones and zones[department] != zone:
            raise ValueError(f"row {position}: department {department!r} is in zone {zones[department]!r} in an earlier row")
        zones[department] = zone
        options = {key: row[key] for key in ("cv", "error_rate", "rework_days", "clarity")
                   if key in row and not pd.isna(row[key])}
        after = row.get("after")
        if isinstance(after, str) and after.strip():
            options["after"] = tuple(part.strip() for part in after.split(";") if part.strip())
        steps.append(Step(name=row["name"], department=department, mean_days=row["mean_days"], **options))
    departments = tuple(Department(department, zone) for department, zone in zones.items())
    return Journey(name=name, steps=tuple(steps), departments=departments, expected_days=expected_days, **settings)


def leasing_journey() -> Journey:
    """The course's example: applying for an equipment lease, from application to first support call.

    Eight steps owned by six departments in three zones. The numbers are illustrative,
    chosen to be plausible for a small-business lease, not measured anywhere.

    Examples
    --------
    >>> journey = leasing_journey()
    >>> [step.name for step in journey.steps][:3]
    ['application', 'credit check', 'document check']
    """
    departments = (
        Department("sales", "front line"),
        Department("customer service", "front line"),
        Department("risk", "back office"),
        Department("administration", "back office"),
        Department("legal", "back office"),
        Department("finance", "back office"),
    )
    steps = (
        Step("application", "sales", mean_days=0.5, cv=0.6, error_rate=0.08, rework_days=1.0, clarity=0.95),
        Step("credit check", "risk", mean_days=1.5, cv=0.5, error_rate=0.04, rework_days=2.0, clarity=1.0),
        Step("document check", "administration", mean_days=2.0, cv=0.5, error_rate=0.10, rework_days=3.0,
             clarity=0.9, after=("application",)),
        Step("contract", "legal", mean_days=1.5, cv=0.4, error_rate=0.05, rework_days=2.0, clarity=0.85,
             after=("credit check", "document check")),
        Step("payment set-up", "finance", mean_days=1.0, cv=0.5, error_rate=0.06, rework_days=2.0, clarity=1.0),
        Step("onboarding call", "customer service", mean_days=1.0, cv=0.5, error_rate=0.05, rework_days=1.0,
             clarity=0.95),
        Step("first invoice", "finance", mean_days=2.0, cv=0.3, error_rate=0.04, rework_days=3.0, clarity=0.9),
        Step("support", "customer service", mean_days=0.5, cv=0.8, error_rate=0.05, rework_days=1.0, clarity=0.95),
    )
    return Journey(name="equipment lease", steps=steps, departments=departments, expected_days=18.0,
                   handoff_days=0.3, silo=0.5, autonomy=0.3, unclear_delay_days=2.0)


def loan_journey() -> Journey:
    """A second example: a consumer loan applied for online, from application to first support call.

    Eight steps owned by seven departments, in one sequence. Illustrative numbers, as
    in :func:`leasing_journey`; the exercises use this journey.

    Examples
    --------
    >>> journey = loan_journey()
    >>> journey.step("income verification").department
    'administration'
    """
    departments = (
        Department("digital sales", "front line"),
        Department("contact centre", "front line"),
        Department("compliance", "back office"),
        Department("administration", "back office"),
        Department("risk", "back office"),
        Department("lending operations", "back office"),
        Department("finance", "back office"),
    )
    steps = (
        Step("online application", "digital sales", mean_days=0.3, cv=0.8, error_rate=0.10, rework_days=1.0, clarity=0.9),
        Step("identity check", "compliance", mean_days=0.5, cv=0.6, error_rate=0.05, rework_days=2.0, clarity=0.95),
        Step("income verification", "administration", mean_days=2.0, cv=0.5, error_rate=0.08, rework_days=3.0,
             clarity=0.9),
        Step("credit decision", "risk", mean_days=1.0, cv=0.5, error_rate=0.03, rework_days=2.0, clarity=1.0),
        Step("offer letter", "lending operations", mean_days=1.0, cv=0.4, error_rate=0.04, rework_days=2.0,
             clarity=0.9),
        Step("signature", "contact centre", mean_days=1.5, cv=0.7, error_rate=0.06, rework_days=1.0, clarity=0.95),
        Step("payout", "finance", mean_days=1.0, cv=0.3, error_rate=0.03, rework_days=2.0, clarity=1.0),
        Step("first statement", "finance", mean_days=3.0, cv=0.2, error_rate=0.03, rework_days=3.0, clarity=0.9),
    )
    return Journey(name="consumer loan", steps=steps, departments=departments, expected_days=20.0,
                   handoff_days=0.4, silo=0.5, autonomy=0.3, unclear_delay_days=2.0)


# ------------------------------------------------------------------ simulation


def _check_customers(n_customers) -> int:
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
    >>> customers = simulate(leasing_journey(), n_customers=1000, seed=1)
    >>> customers[["total_days", "rating"]].shape
    (1000, 2)
    >>> bool(customers["rating"].between(0, 10).all())
    True
    """
    if not isinstance(journey, Journey):
        raise TypeError(f"journey must be a cxlab.journey.Journey, got {type(journey).__name__}")
    n = _check_customers(n_customers)
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


# --------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class JourneyOutcome:
    """NPS and churn of a simulated group of customers."""

    nps: float
    nps_low: float
    nps_high: float
    churn_per_10k: float
    churn_low: float
    churn_high: float
    mean_days: float
    n: int


def outcome(customers: pd.DataFrame, ci: float = 0.95) -> JourneyOutcome:
    """NPS (Wald interval) and churned customers per 10,000 (Wilson interval) of a simulation."""
    ci = check_ci(ci)
    for column in ("rating", "churned", "total_days"):
        if column not in customers.columns:
            raise ValueError(f"customers needs a {column!r} column, as simulate() returns; it has {list(customers.columns)}")
    score = nps(customers["rating"].to_numpy(), ci=ci)
    n = len(customers)
    churned = int(customers["churned"].sum())
    low, high = wilson_interval(churned, n, ci)
    return JourneyOutcome(
        nps=score.value, nps_low=score.low, nps_high=score.high,
        churn_per_10k=1e4 * churned / n, churn_low=1e4 * low, churn_high=1e4 * high,
        mean_days=float(customers["total_days"].mean()), n=n,
    )


@dataclass(frozen=True)
class WhatIfResult:
    """The shift in NPS and churn when a journey changes, each with an interval.

    ``nps_change`` is changed minus baseline in NPS points; ``churn_change_per_10k`` is
    the change in churned customers per 10,000. The two groups are simulated with
    independent random numbers, so the intervals are those of two independent samples.
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


def what_if(baseline: Journey, changed: Journey, n_customers: int = 100_000, seed=None, ci: float = 0.95) -> WhatIfResult:
    """Simulate both journeys and report how NPS and churn shift, with intervals.

    The NPS change and its interval come from :func:`cxlab.nps_test`; the churn
    change from :func:`cxlab.compare_groups` on the churn indicator (Newcombe's
    interval).

    Examples
    --------
    >>> journey = leasing_journey()
    >>> slow = journey.with_step("document check", mean_days=14)
    >>> result = what_if(journey, slow, n_customers=20_000, seed=1)
    >>> bool(result.nps_high < 0 and result.churn_low > 0)
    True
    """
    ci = check_ci(ci)
    n = _check_customers(n_customers)
    base_seed, changed_seed = np.random.SeedSequence(seed).spawn(2)
    before = simulate(baseline, n, np.random.default_rng(base_seed))
    after = simulate(changed, n, np.random.default_rng(changed_seed))
    test = nps_test(after["rating"].to_numpy(), before["rating"].to_numpy(), ci=ci)
    both = pd.DataFrame({
        "churned": np.r_[after["churned"].to_numpy(), before["churned"].to_numpy()].astype(np.int64),
        "journey": np.r_[np.full(n, "changed"), np.full(n, "baseline")],
    })
    churn = compare_groups(both, "churned", "journey", ci=ci, order=("changed", "baseline"))
    return WhatIfResult(
        nps_change=test.difference, nps_low=test.low, nps_high=test.high, nps_pvalue=test.pvalue,
        churn_change_per_10k=1e4 * churn.difference, churn_low=1e4 * churn.low, churn_high=1e4 * churn.high,
        baseline=outcome(before, ci), changed=outcome(after, ci),
    )


def _nps_of(journey: Journey, n: int, seed) -> float:
    return nps_score(simulate(journey, n, seed)["rating"].to_numpy())


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


def sensitivity(journey: Journey, change: float = 0.5, n_customers: int = 50_000, seed=0) -> pd.DataFrame:
    """How far NPS moves when each lever is made worse or better by ``change``, one at a time.

    Step times, error rates, hand-off time and silo are multiplied by ``1 +/- change``;
    the *gaps* to perfection of clarity and autonomy (``1 - clarity``, ``1 - autonomy``)
    likewise. Every scenario uses the same seed (common random numbers), so the
    differences show the levers, not the luck of the draw. Returns one row per lever,
    sorted by ``swing`` (the NPS range between worse and better), largest first.

    Examples
    --------
    >>> table = sensitivity(leasing_journey(), n_customers=5_000, seed=1)
    >>> list(table.columns)
    ['lever', 'department', 'zone', 'worse', 'better', 'swing']
    """
    _number(change, "change", low=0.01, high=0.99)
    n = _check_customers(n_customers)
    baseline = _nps_of(journey, n, seed)
    rows = []
    for lever, department, zone, worse, better in _levers(journey, change):
        rows.append({
            "lever": lever, "department": department, "zone": zone,
            "worse": _nps_of(worse, n, seed) - baseline, "better": _nps_of(better, n, seed) - baseline,
        })
    table = pd.DataFrame(rows)
    table["swing"] = table["better"] - table["worse"]
    table = table.sort_values("swing", ascending=False, ignore_index=True)
    table.attrs["baseline_nps"] = baseline
    return table


def department_leverage(journey: Journey, improvement: float = 0.25, n_customers: int = 50_000, seed=0) -> pd.Series:
    """NPS gained when one department improves all its steps at once, for each department.

    Improving means: its steps' times, error rates and unclear communication (the gap
    ``1 - clarity``) each fall by ``improvement`` (a share). Common random numbers, as
    in :func:`sensitivity`. Returns NPS points gained, largest first.

    Examples
    --------
    >>> leverage = department_leverage(leasing_journey(), n_customers=5_000, seed=1)
    >>> sorted(leverage.index)[:2]
    ['administration', 'customer service']
    """
    _number(improvement, "improvement", low=0.01, high=1.0)
    n = _check_customers(n_customers)
    baseline = _nps_of(journey, n, seed)
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
        gains[department.name] = _nps_of(improved, n, seed) - baseline
    series = pd.Series(gains, name="nps_gain").sort_values(ascending=False)
    series.index.name = "department"
    return series
