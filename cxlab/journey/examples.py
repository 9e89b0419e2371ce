"""The course's example journeys: a car lease (the chapter) and a loan (the exercise).

Layer 3 of cxlab (analyses), part of :mod:`cxlab.journey`: imports :mod:`cxlab.journey.model` only.
"""

from __future__ import annotations

from .model import Department, Journey, Step

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
