"""The customer journey as plain data: departments, steps, the rating model, the culture.

Layer 3 of cxlab (analyses), part of :mod:`cxlab.journey`: imports pandas and
:mod:`cxlab._validate`. Every value is checked when the object is made, so an invalid
journey (an unknown department, a cycle, a probability outside 0-1) never reaches the
simulation.
"""

from __future__ import annotations

import graphlib
import math
import numbers
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

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
    """One step of a journey, owned by one department.

    ``error_rate`` (the chance of an error in the step) and ``clarity`` (the chance that
    the customer understands it) are shares from 0 to 1; times are in days.
    """

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


