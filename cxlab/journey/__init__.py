"""Simulate a customer journey and follow a back-office decision to the customer's rating.

A :class:`Journey` is plain data: its steps (each owned by a
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

Random numbers (common random numbers). Each step has its own random stream, and so
do the two organisation-wide sources, the rating's noise and the churn draw. The
streams come from the seed through numpy's ``SeedSequence``, each keyed by its name
(a step's name, not its position). Each stream draws the same count of standard
variates (uniforms, standard exponentials, standard normals) whatever the parameters;
the parameters only transform them, and a step's working time is the gamma
distribution's inverse CDF at the customer's uniform. So two runs with the same seed
and the same number of customers give every customer the same luck wherever a change
does not reach, and a what-if or a sensitivity analysis compares like with like:

- changing any parameter of one step (``mean_days``, ``cv``, ``error_rate``,
  ``rework_days``, ``clarity``, ``after``) leaves every other step's draws (working
  time, hand-off delay, error, on-the-spot fix, rework time, unclear communication)
  and the rating noise and churn draw of every customer unchanged;
- within the changed step, the customer's own uniforms stay: a longer ``mean_days``
  scales each customer's working time by the same factor and a different ``cv`` keeps
  each customer's quantile; a higher ``error_rate`` only adds errors, a lower
  ``clarity`` only adds unclear steps;
- a longer ``handoff_days`` or a higher ``silo`` lengthens every hand-off by the same
  factor; a higher ``autonomy`` only turns reworked errors into ones put right on the
  spot;
- adding, removing or reordering steps leaves the other steps' draws unchanged (a
  renamed step gets new ones).

Totals, ratings and churn then change only through the model. With the default
rating model (an error put right costs less than one reworked) every customer's
satisfaction, rating and churn move the same way or not at all: down (churn up) for a
longer step, a higher error rate, a longer or more siloed hand-off, less clarity or
less autonomy, and up for the opposite changes. A different number of customers gives
different draws. :func:`what_if` simulates its two journeys with independent streams on
purpose (its intervals are those of two independent samples); :func:`sensitivity` and
:func:`department_leverage` give every scenario the same streams.

The subpackage has four modules: :mod:`~cxlab.journey.model` (the plain-data journey
and its checks), :mod:`~cxlab.journey.examples` (the leasing and loan journeys of the
course), :mod:`~cxlab.journey.simulation` (:func:`simulate`, :func:`expected_total_days`)
and :mod:`~cxlab.journey.scenarios` (:func:`outcome`, :func:`what_if`,
:func:`sensitivity`, :func:`department_leverage`); every public name is re-exported here.

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab._validate`,
:mod:`cxlab.metrics` and :mod:`cxlab.stats`; ``scipy.special`` on the first simulation.
"""

from .examples import leasing_journey, loan_journey
from .model import (
    ORGANISATION_LEVERS,
    STEP_COLUMNS,
    STEP_LEVERS,
    ZONES,
    Department,
    Journey,
    RatingModel,
    Step,
    journey_from_table,
)
from .scenarios import JourneyOutcome, WhatIfResult, department_leverage, outcome, sensitivity, what_if
from .simulation import as_sequence, expected_total_days, simulate

__all__ = [
    "Department",
    "Journey",
    "JourneyOutcome",
    "ORGANISATION_LEVERS",
    "RatingModel",
    "STEP_COLUMNS",
    "STEP_LEVERS",
    "Step",
    "WhatIfResult",
    "ZONES",
    "as_sequence",
    "department_leverage",
    "expected_total_days",
    "journey_from_table",
    "leasing_journey",
    "loan_journey",
    "outcome",
    "sensitivity",
    "simulate",
    "what_if",
]
