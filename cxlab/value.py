"""The CX role in numbers: what a customer is worth, what an initiative returns, and how sure we are.

A CX manager asked to "prove the return" needs a model that a finance department can
read. This module holds a small one, vectorised throughout (every numeric input may be
an array, and the arrays broadcast), so that the same code gives one answer and ten
thousand Monte Carlo answers.

The model (Gupta and Lehmann 2003, "Customers as assets"):

- A customer brings ``margin`` per period while they stay; they stay from one period to
  the next with probability ``retention``; a margin arrives at the end of a period and is
  discounted at ``discount_rate`` per period. The customer lifetime value is then
  ``CLV = sum over t = 1..T of margin * retention**t / (1 + discount_rate)**t``, which for
  an unlimited horizon is ``margin * retention / (1 + discount_rate - retention)``
  (:func:`clv`). ``retention / (1 + discount_rate - retention)`` is Gupta and Lehmann's
  *margin multiple*. With ``retention = 1`` the same sum is an ordinary annuity
  (:func:`annuity`).
- A CX initiative raises retention by ``uplift`` (a share: 0.02 is two percentage
  points) for a base of ``customers`` customers, at an upfront ``cost`` and a
  ``running_cost`` per period. Its gain is the difference of the base's lifetime values
  with and without the uplift over the horizon; its ROI is ``(gain - cost) / cost`` with
  every amount discounted to today; its payback is when the cumulative discounted net
  cash flow turns positive (:func:`initiative_return`).
- :func:`roi_simulation` draws the uncertain inputs from plausible ranges (uniform or
  triangular), computes the ROI of every draw at once, and reports its distribution,
  the probability that it is negative, and which input drives the uncertainty (a
  one-at-a-time swing for a tornado chart, and each input's rank correlation with ROI).

Reading percentages: :func:`growth_multiple` (+385% is 4.85 times), and
:func:`representation_funnel` and :func:`funnel_against_market` for the share of women
at each level of a workforce, with Wilson intervals against market figures.
:func:`simulate_organisations` makes organisations whose CX maturity drives both how
much they collaborate and their ROI, to test a survey report's claim.

Layer 3 of cxlab (analyses): imports numpy, pandas, :mod:`cxlab._validate` and
:mod:`cxlab.stats`; scipy.stats (the binomial test) inside the function that needs it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._validate import check_ci, check_whole, seed_sequence
from .stats.common import IntervalRule, PercentileInterval, _HasInterval, formerly_positional, interval_at
from .stats.proportions import wilson_interval

__all__ = [
    "INITIATIVE_INPUTS",
    "InitiativeReturn",
    "ROISimulation",
    "annuity",
    "clv",
    "funnel_against_market",
    "growth_multiple",
    "initiative_return",
    "representation_funnel",
    "roi_simulation",
    "simulate_organisations",
]

#: The inputs of :func:`initiative_return`, in order, and the range each must lie in.
INITIATIVE_INPUTS = ("customers", "margin", "retention", "uplift", "discount_rate", "cost", "running_cost")


# --------------------------------------------------------------------------- input checks

def _numbers(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
             valid: str = "") -> np.ndarray:
    """``value`` as a float array; TypeError for text, bools or None, ValueError outside the range or NaN."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a number or an array of numbers{valid and ' ' + valid}, got {value!r}")
    if isinstance(value, (list, tuple)) and any(isinstance(item, (str, bytes, bool, np.bool_)) or item is None
                                                 for item in np.ravel(np.asarray(value, dtype=object))):
        raise TypeError(f"{name} must hold numbers only, got {value!r}")
    array = np.asarray(value)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.number)):
        raise TypeError(f"{name} must be a number or an array of numbers{valid and ' ' + valid}, got {value!r}")
    array = array.astype(float)
    if not np.isfinite(array).all():
        bad = array[~np.isfinite(array)].flat[0]
        raise ValueError(f"{name} must be finite{valid and ', ' + valid}, got {bad}")
    if minimum is not None and (array < minimum).any():
        raise ValueError(f"{name} must be {valid or f'at least {minimum:g}'}, got {array[array < minimum].flat[0]:g}")
    if maximum is not None and (array > maximum).any():
        raise ValueError(f"{name} must be {valid or f'at most {maximum:g}'}, got {array[array > maximum].flat[0]:g}")
    return array


def _retention(value, name: str = "retention") -> np.ndarray:
    return _numbers(value, name, minimum=0.0, maximum=1.0,
                    valid="a share between 0 and 1 (0.8 for 80% of customers staying each period)")


def _rate(value, name: str = "discount_rate") -> np.ndarray:
    return _numbers(value, name, minimum=0.0, maximum=1.0,
                    valid="a share per period between 0 and 1 (0.1 for 10%)")


def _horizon(horizon, *, allow_none: bool = True) -> int | None:
    if horizon is None and allow_none:
        return None
    return check_whole(horizon, "horizon", minimum=1, maximum=1000, what="a whole number of periods")


def _scalar_or_array(array: np.ndarray):
    return float(array) if array.ndim == 0 else array


# --------------------------------------------------------------------------- lifetime value

def clv(margin, retention, discount_rate, *, horizon: int | None = None):
    """Customer lifetime value: the discounted margins a customer is expected to bring.

    ``sum over t = 1..horizon of margin * retention**t / (1 + discount_rate)**t``: the
    customer is still there at the end of period ``t`` with probability
    ``retention**t``, and the margin of that period arrives then. Without a horizon the
    sum runs for ever and equals ``margin * retention / (1 + discount_rate - retention)``
    (Gupta and Lehmann 2003). Arrays broadcast.

    Parameters
    ----------
    margin : float or array
        Margin per customer and period (revenue minus the cost of serving them).
    retention : float or array
        Share of customers who stay from one period to the next, 0 to 1.
    discount_rate : float or array
        Discount rate per period as a share, 0 to 1 (0.1 for 10% a year).
    horizon : int, optional
        Number of periods; None (the default) for an unlimited horizon.

    Examples
    --------
    >>> round(clv(100, 0.8, 0.1), 2)            # margin multiple 0.8 / 0.3
    266.67
    >>> round(clv(100, 0.8, 0.0, horizon=3), 2)  # no discounting: 80 + 64 + 51.2
    195.2
    >>> clv(100, [0.8, 0.9], 0.1).round(1)
    array([266.7, 450. ])
    """
    margin = _numbers(margin, "margin")
    retention = _retention(retention)
    discount_rate = _rate(discount_rate)
    horizon = _horizon(horizon)
    ratio = retention / (1 + discount_rate)
    if horizon is None:
        if (ratio >= 1).any():
            raise ValueError("with retention 1 and discount_rate 0 the value never stops growing: "
                             "give a horizon, or a discount_rate above 0")
        return _scalar_or_array(margin * retention / (1 + discount_rate - retention))
    # q (1 - q**T) / (1 - q) with expm1, which keeps its precision for q near 1
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(ratio)
        geometric = np.where(ratio == 1.0, float(horizon),
                             ratio * np.expm1(horizon * log_ratio) / np.expm1(log_ratio))
    return _scalar_or_array(margin * geometric)


def annuity(payment, discount_rate, periods: int | None):
    """Present value of ``payment`` at the end of each of ``periods`` periods (an ordinary annuity).

    ``payment * (1 - (1 + rate) ** -periods) / rate``; ``payment * periods`` at a rate
    of 0; ``payment / rate`` (a perpetuity) when ``periods`` is None. It is
    :func:`clv` with a retention of 1.

    Examples
    --------
    >>> round(annuity(1000, 0.10, 7), 2)
    4868.42
    """
    if periods is None:
        rate = _rate(discount_rate)
        if (rate == 0).any():
            raise ValueError("a perpetuity at a discount_rate of 0 has no finite value: give periods")
    return clv(payment, 1.0, discount_rate, horizon=_horizon(periods))


# --------------------------------------------------------------------------- the return of an initiative

def _flows(customers, margin, retention, uplift, discount_rate, cost, running_cost, horizon):
    """Per-period arrays (..., horizon) of the initiative, every input broadcast; no checks."""
    periods = np.arange(1, horizon + 1)
    shape = np.broadcast_shapes(*(np.shape(x) for x in (customers, margin, retention, uplift, discount_rate,
                                                         cost, running_cost)))
    expand = lambda x: np.broadcast_to(x, shape)[..., None]  # noqa: E731
    customers, margin, retention, uplift, discount_rate, cost, running_cost = map(
        expand, (customers, margin, retention, uplift, discount_rate, cost, running_cost))
    gain = customers * margin * ((retention + uplift) ** periods - retention ** periods)
    factor = (1 + discount_rate) ** -periods.astype(float)
    discounted_net = (gain - running_cost) * factor
    cumulative = -cost + np.cumsum(discounted_net, axis=-1)
    gain_pv = (gain * factor).sum(axis=-1)
    cost_pv = cost[..., 0] + (running_cost * factor).sum(axis=-1)
    return gain, discounted_net, cumulative, gain_pv, cost_pv, cost[..., 0]


def _payback(cumulative: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Periods until the cumulative discounted net turns 0 or more, interpolated within the period; inf if never."""
    start = -cost[..., None]
    before = np.concatenate([start, cumulative[..., :-1]], axis=-1)
    crossed = cumulative >= 0
    first = np.argmax(crossed, axis=-1)
    ever = crossed.any(axis=-1)
    take = lambda a: np.take_along_axis(a, first[..., None], axis=-1)[..., 0]  # noqa: E731
    low, high = take(before), take(cumulative)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(high > low, -low / (high - low), 0.0)
    payback = first + np.clip(inside, 0.0, 1.0)
    payback = np.where(cost <= 0, 0.0, payback)
    return np.where(ever | (cost <= 0), payback, np.inf)


def _checked_inputs(customers, margin, retention, uplift, discount_rate, cost, running_cost) -> dict:
    values = {
        "customers": _numbers(customers, "customers", minimum=0.0, valid="a number of customers, 0 or more"),
        "margin": _numbers(margin, "margin"),
        "retention": _retention(retention),
        "uplift": _numbers(uplift, "uplift", minimum=-1.0, maximum=1.0,
                           valid="a change of retention as a share between -1 and 1 (0.02 for 2 percentage points)"),
        "discount_rate": _rate(discount_rate),
        "cost": _numbers(cost, "cost", minimum=0.0, valid="an amount of 0 or more"),
        "running_cost": _numbers(running_cost, "running_cost", minimum=0.0, valid="an amount per period, 0 or more"),
    }
    after = values["retention"] + values["uplift"]
    if (after > 1).any() or (after < 0).any():
        bad = after[(after > 1) | (after < 0)].flat[0]
        raise ValueError(f"retention + uplift must stay between 0 and 1, got {bad:g}: "
                         "give uplift as a share (0.02 for 2 percentage points)")
    return values


@dataclass(frozen=True)
class InitiativeReturn:
    """The return of a CX initiative that raises retention, every amount discounted to today.

    ``value`` is the ROI (``net / cost``, a share: 0.5 is 50%); ``clv_before`` and
    ``clv_after`` the lifetime value of one customer over the horizon without and with
    the uplift; ``gain`` the base's extra value; ``cost`` the upfront cost plus the
    discounted running costs; ``net`` is ``gain - cost``; ``payback`` the periods until
    the cumulative discounted net turns positive (interpolated within a period, ``inf``
    when not within the horizon). ``table`` has one row per period.
    """

    value: float
    clv_before: float
    clv_after: float
    gain: float
    cost: float
    net: float
    payback: float
    horizon: int
    table: pd.DataFrame = field(repr=False)

    @property
    def roi(self) -> float:
        """The ROI, as ``value``."""
        return self.value

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame, without the table."""
        names = ("value", "clv_before", "clv_after", "gain", "cost", "net", "payback", "horizon")
        return pd.DataFrame([{name: getattr(self, name) for name in names}], index=[type(self).__name__])


@formerly_positional("margin", "retention", "uplift", "discount_rate", "cost")
def initiative_return(customers, *, margin, retention, uplift, discount_rate, cost, running_cost=0.0,
                      horizon: int = 10) -> InitiativeReturn:
    """ROI and payback of an initiative that raises retention by ``uplift`` for ``customers`` customers.

    Every input after ``customers`` is named: six numbers of one kind in a row are too
    easy to swap (retention for uplift changes the ROI tenfold without an error). Passing
    them by position still works for this release, with a ``DeprecationWarning``.

    Parameters
    ----------
    customers : float
        Customers the initiative reaches (today's base).
    margin : float
        Margin per customer and period.
    retention : float
        Retention per period without the initiative, 0 to 1.
    uplift : float
        What the initiative adds to retention, as a share: 0.02 is two percentage points.
    discount_rate : float
        Discount rate per period, 0 to 1.
    cost : float
        Upfront cost, paid today.
    running_cost : float
        Cost per period for the horizon (paid at each period's end).
    horizon : int
        Periods over which the gain is counted (10 by default: a ten-year view in years).

    Examples
    --------
    >>> result = initiative_return(10_000, margin=150, retention=0.80, uplift=0.03, discount_rate=0.10,
    ...                            cost=250_000, running_cost=20_000, horizon=10)
    >>> round(result.clv_after - result.clv_before, 2), round(result.value, 3), round(result.payback, 2)
    (50.09, 0.343, 5.66)
    """
    values = _checked_inputs(customers, margin, retention, uplift, discount_rate, cost, running_cost)
    if any(array.ndim for array in values.values()):
        raise TypeError("initiative_return takes one number per input; for arrays of draws use roi_simulation")
    horizon = _horizon(horizon, allow_none=False)
    gain, discounted_net, cumulative, gain_pv, cost_pv, upfront = _flows(*values.values(), horizon)
    if cost_pv <= 0:
        raise ValueError("the initiative costs nothing (cost and running_cost are 0), so its ROI is undefined")
    net = float(gain_pv - cost_pv)
    before = clv(values["margin"], values["retention"], values["discount_rate"], horizon=horizon)
    after = clv(values["margin"], values["retention"] + values["uplift"], values["discount_rate"], horizon=horizon)
    periods = np.arange(1, horizon + 1)
    table = pd.DataFrame({"gain": gain, "running_cost": float(values["running_cost"]),
                          "discounted_net": discounted_net, "cumulative": cumulative},
                         index=pd.Index(periods, name="period"))
    return InitiativeReturn(value=net / float(cost_pv), clv_before=float(before), clv_after=float(after),
                            gain=float(gain_pv), cost=float(cost_pv), net=net,
                            payback=float(_payback(cumulative, upfront)), horizon=horizon, table=table)


# --------------------------------------------------------------------------- Monte Carlo

def _distribution(spec, name: str):
    """(low, central, high, kind) of one input: a number, (low, high) uniform or (low, mode, high) triangular."""
    if isinstance(spec, (tuple, list)):
        parts = _numbers(list(spec), name)
        if parts.size == 2:
            low, high = parts
            if not low <= high:
                raise ValueError(f"{name}: a range (low, high) needs low <= high, got {tuple(spec)!r}")
            return float(low), float((low + high) / 2), float(high), "uniform"
        if parts.size == 3:
            low, mode, high = parts
            if not low <= mode <= high:
                raise ValueError(f"{name}: a range (low, most likely, high) needs low <= most likely <= high, "
                                 f"got {tuple(spec)!r}")
            return float(low), float(mode), float(high), "triangular"
        raise ValueError(f"{name} must be a number, (low, high) or (low, most likely, high), got {tuple(spec)!r}")
    number = float(_numbers(spec, name))
    return number, number, number, "fixed"


def _draw(low, central, high, kind, n, rng) -> np.ndarray:
    if kind == "fixed" or low == high:
        return np.full(n, central)
    if kind == "uniform":
        return rng.uniform(low, high, n)
    return rng.triangular(low, central, high, n)


@dataclass(frozen=True)
class ROISimulation(_HasInterval):
    """The ROI of an initiative over uncertain inputs, by Monte Carlo.

    Every ROI is a fraction (0.25 for 25%), as in :func:`initiative_return`. ``value`` is
    the median ROI of the draws, ``low`` and ``high`` the central interval at level ``ci``
    (a share of the draws: 0.9 leaves 5% on each side), ``mean`` the mean ROI,
    ``prob_negative`` the share of draws (0 to 1) in which the initiative loses money (ROI
    below 0), ``point`` the ROI at the central values (the midpoint of a uniform range,
    the most likely value of a triangular one): the single number a spreadsheet gives.
    ``draws`` has one row per draw (the inputs, ``roi``, ``net`` and ``payback``).
    ``drivers`` has one row per uncertain input, largest swing first: the ends of its
    range (``range_low``, ``range_high``; ``low`` and ``high`` name intervals throughout
    cxlab), the ROI with that input at either end and the others at their central values
    (``roi_at_low``, ``roi_at_high``), the ``swing`` between them, and the input's
    Spearman rank correlation with ROI over the draws.
    """

    value: float
    low: float
    high: float
    ci: float
    mean: float
    prob_negative: float
    point: float
    n_draws: int
    draws: pd.DataFrame = field(repr=False)
    drivers: pd.DataFrame = field(repr=False)
    _interval: IntervalRule | None = field(default=None, repr=False, compare=False)

    @property
    def top_driver(self) -> str:
        """The input whose range moves the ROI most (the top bar of the tornado)."""
        return str(self.drivers.index[0])


def _rois(values: dict, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _, _, cumulative, gain_pv, cost_pv, upfront = _flows(*(values[name] for name in INITIATIVE_INPUTS), horizon)
    if (cost_pv <= 0).any():
        raise ValueError("some draws cost nothing (cost and running_cost both 0), where ROI is undefined: "
                         "give the cost a range above 0")
    net = gain_pv - cost_pv
    return net / cost_pv, net, _payback(cumulative, upfront)


def _ranks(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rank().to_numpy()


@formerly_positional("margin", "retention", "uplift", "discount_rate", "cost")
def roi_simulation(customers, *, margin, retention, uplift, discount_rate, cost, running_cost=0.0,
                   horizon: int = 10, n_draws: int = 10_000, ci: float = 0.90, seed=None) -> ROISimulation:
    """Monte Carlo of :func:`initiative_return` over plausible ranges of its inputs.

    As there, every input after ``customers`` is named (by position: deprecated).

    Every input is a number (known), a pair ``(low, high)`` (uniform between them) or a
    triple ``(low, most likely, high)`` (triangular). The inputs are drawn independently,
    ``n_draws`` times, and the ROI of all draws is computed in one vectorised pass.

    Examples
    --------
    >>> sim = roi_simulation(10_000, margin=(112.5, 187.5), retention=(0.75, 0.85), uplift=(0.0, 0.03, 0.06),
    ...                      discount_rate=(0.06, 0.14), cost=(200_000, 250_000, 350_000), running_cost=20_000,
    ...                      seed=1)
    >>> round(sim.point, 3), round(sim.prob_negative, 2), sim.top_driver
    (0.343, 0.34, 'uplift')
    """
    n_draws = check_whole(n_draws, "n_draws", minimum=100, maximum=10_000_000, what="a whole number of draws")
    ci = check_ci(ci)
    horizon = _horizon(horizon, allow_none=False)
    specs = dict(zip(INITIATIVE_INPUTS, (customers, margin, retention, uplift, discount_rate, cost, running_cost)))
    ranges = {name: _distribution(spec, name) for name, spec in specs.items()}
    # The whole range of every input must be valid, so a draw never is not.
    for position in (0, 2, 1):  # the ends first: an error names the value given, not a midpoint
        _checked_inputs(*(ranges[name][position] for name in INITIATIVE_INPUTS))
    if ranges["retention"][2] + ranges["uplift"][2] > 1 or ranges["retention"][0] + ranges["uplift"][0] < 0:
        raise ValueError("retention + uplift must stay between 0 and 1 over the whole ranges: "
                         f"retention {ranges['retention'][0]:g} to {ranges['retention'][2]:g}, "
                         f"uplift {ranges['uplift'][0]:g} to {ranges['uplift'][2]:g}")

    rng = np.random.default_rng(seed_sequence(seed))
    draws = {name: _draw(*ranges[name], n_draws, rng) for name in INITIATIVE_INPUTS}
    roi, net, payback = _rois(draws, horizon)
    central = {name: np.asarray(part[1]) for name, part in ranges.items()}
    point = float(_rois(central, horizon)[0])

    uncertain = [name for name in INITIATIVE_INPUTS if ranges[name][3] != "fixed" and ranges[name][0] < ranges[name][2]]
    rows = {}
    roi_ranks = _ranks(roi)
    for name in uncertain:
        at_low, at_high = (float(_rois({**central, name: np.asarray(ranges[name][end])}, horizon)[0]) for end in (0, 2))
        rows[name] = {"range_low": ranges[name][0], "range_high": ranges[name][2], "roi_at_low": at_low,
                      "roi_at_high": at_high,
                      "swing": abs(at_high - at_low),
                      "rank_correlation": float(np.corrcoef(_ranks(draws[name]), roi_ranks)[0, 1])}
    drivers = pd.DataFrame.from_dict(rows, orient="index",
                                     columns=["range_low", "range_high", "roi_at_low", "roi_at_high", "swing",
                                              "rank_correlation"])
    drivers.index.name = "input"
    drivers = drivers.sort_values("swing", ascending=False)
    rule = PercentileInterval(roi, method="central interval of the draws")
    median = float(np.median(roi))
    low, high = interval_at(rule, median, ci, "ROISimulation")
    table = pd.DataFrame({**draws, "roi": roi, "net": net, "payback": payback})
    return ROISimulation(value=median, low=low, high=high, ci=ci, mean=float(roi.mean()),
                         prob_negative=float((roi < 0).mean()), point=point, n_draws=n_draws, draws=table,
                         drivers=drivers, _interval=rule)


# --------------------------------------------------------------------------- reading percentages

def growth_multiple(percent_change):
    """How many times the old value the new one is, after a change of ``percent_change`` per cent.

    An increase of 385% gives 4.85 times the old value, not 3.85: the new value is the
    old one plus 385% of it. Arrays work element by element.

    Examples
    --------
    >>> growth_multiple(385)
    4.85
    >>> growth_multiple([30, 40]).tolist()
    [1.3, 1.4]
    """
    change = _numbers(percent_change, "percent_change", minimum=-100.0,
                      valid="a change in per cent, -100 or more (385 for +385%)")
    return _scalar_or_array(np.round(1 + change / 100, 12))


def representation_funnel(people, share_women, *, levels=None) -> pd.DataFrame:
    """Counts of women and men at each level of an organisation, from the share of women at each level.

    ``people`` is the number of people at each level (workforce, managers, leaders) and
    ``share_women`` the share of them who are women (0 to 1). Note the base: "women are
    30% of managers" is a share *of the managers*; "30% of the women are managers" is a
    share *of the women*, and gives another count.

    Examples
    --------
    >>> representation_funnel([1000, 120, 25], [0.70, 0.30, 0.12], levels=["workforce", "managers", "leaders"])
               people  share_women  women   men
    level
    workforce    1000         0.70  700.0 300.0
    managers      120         0.30   36.0  84.0
    leaders        25         0.12    3.0  22.0
    """
    people = _numbers(people, "people", minimum=0.0, valid="numbers of people, 0 or more")
    shares = _numbers(share_women, "share_women", minimum=0.0, maximum=1.0,
                      valid="shares between 0 and 1 (0.3 for 30%)")
    if people.ndim != 1 or shares.shape != people.shape:
        raise ValueError(f"people and share_women need one value per level, got {people.size} and {shares.size}")
    levels = list(levels) if levels is not None else [f"level {position + 1}" for position in range(people.size)]
    if len(levels) != people.size:
        raise ValueError(f"levels names {len(levels)} levels, but people has {people.size}")
    women = people * shares
    table = pd.DataFrame({"people": people, "share_women": shares, "women": women, "men": people - women},
                         index=pd.Index(levels, name="level"))
    if np.all(people == np.round(people)):
        table["people"] = table["people"].astype("int64")
    return table


def funnel_against_market(women, people, market_share, *, levels=None, ci: float = 0.95) -> pd.DataFrame:
    """A company's own share of women at each level, with Wilson intervals, against market figures.

    One row per level: ``people``, ``women``, the company's share of women ``value`` (0 to
    1) with its interval (``low``, ``high``), the ``market`` share (0 to 1), ``pvalue`` of the exact two-sided binomial test of
    the company's count against the market share (``scipy.stats.binomtest``), and
    ``inside`` (the market share lies inside the interval). With a few dozen managers
    the interval is wide: a company's funnel can differ from the market's by chance.

    Examples
    --------
    >>> table = funnel_against_market([700, 40, 4], [1000, 120, 25], [0.70, 0.30, 0.12])
    >>> table["value"].round(3).tolist(), table["low"].round(3).tolist(), table["inside"].tolist()
    ([0.7, 0.333, 0.16], [0.671, 0.255, 0.064], [True, True, True])
    """
    from scipy.stats import binomtest

    ci = check_ci(ci)
    women = np.atleast_1d(_numbers(women, "women", minimum=0.0, valid="counts of women, 0 or more"))
    people = np.atleast_1d(_numbers(people, "people", minimum=1.0, valid="counts of people, 1 or more"))
    market = np.atleast_1d(_numbers(market_share, "market_share", minimum=0.0, maximum=1.0,
                                    valid="shares between 0 and 1 (0.3 for 30%)"))
    if not (women.shape == people.shape == market.shape) or women.ndim != 1:
        raise ValueError("women, people and market_share need one value per level each")
    if (women != np.round(women)).any() or (people != np.round(people)).any():
        raise ValueError("women and people must be whole counts")
    if (women > people).any():
        raise ValueError(f"a level has more women than people: {int(women[women > people][0])}")
    levels = list(levels) if levels is not None else [f"level {position + 1}" for position in range(women.size)]
    rows = []
    for count, size, share in zip(women.astype(int), people.astype(int), market, strict=True):
        low, high = wilson_interval(int(count), int(size), ci=ci)
        rows.append({"people": int(size), "women": int(count), "value": count / size, "low": low, "high": high,
                     "market": float(share), "pvalue": float(binomtest(int(count), int(size), float(share)).pvalue),
                     "inside": bool(low <= share <= high)})
    return pd.DataFrame(rows, index=pd.Index(levels, name="level"))


# --------------------------------------------------------------------------- a survey report's claim

def simulate_organisations(n_organisations: int = 400, *, collaboration_effect: float = 0.0,
                           seed=None) -> pd.DataFrame:
    """Organisations whose CX maturity drives both their collaboration on CX and their ROI.

    The model: ``maturity`` (1 to 5) is drawn with probabilities 0.15, 0.35, 0.25, 0.15
    and 0.10 (most organisations early on); an organisation's ``collaboration`` is
    ``"high"`` with probability ``1 / (1 + exp(-(0.9 * maturity - 2.7)))`` (about 14% at
    level 1, 50% at level 3, 86% at level 5) and ``"low"`` otherwise; its ROI in per cent,
    ``roi_pct``, is ``-10 + 12 * maturity + collaboration_effect * [collaboration is high] +
    noise``, the noise normal with a standard deviation of 15. The ROI is in per cent here,
    as survey reports give it, and the column's name says so: everywhere else in cxlab an
    ROI is a fraction (0.25 for 25%). ``collaboration_effect`` is in the same percentage
    points. With the default
    ``collaboration_effect=0``, collaboration does nothing for ROI, yet organisations
    that collaborate most report a higher ROI, because they are more mature.

    Examples
    --------
    >>> orgs = simulate_organisations(seed=1)
    >>> orgs.columns.tolist(), len(orgs)
    (['organisation', 'maturity', 'collaboration', 'roi_pct'], 400)
    """
    n_organisations = check_whole(n_organisations, "n_organisations", minimum=20, maximum=1_000_000,
                                  what="a whole number of organisations")
    if isinstance(collaboration_effect, bool) or not isinstance(collaboration_effect, numbers.Real) \
            or not math.isfinite(collaboration_effect):
        raise TypeError(f"collaboration_effect must be a finite number of ROI percentage points, got "
                        f"{collaboration_effect!r}")
    rng = np.random.default_rng(seed_sequence(seed))
    maturity = rng.choice(np.arange(1, 6), size=n_organisations, p=[0.15, 0.35, 0.25, 0.15, 0.10])
    high = rng.random(n_organisations) < 1 / (1 + np.exp(-(0.9 * maturity - 2.7)))
    roi = -10 + 12 * maturity + collaboration_effect * high + rng.normal(0, 15, n_organisations)
    return pd.DataFrame({
        "organisation": [f"O{number:03d}" for number in range(1, n_organisations + 1)],
        "maturity": maturity.astype("int64"),
        "collaboration": np.where(high, "high", "low"),
        "roi_pct": roi.round(1),
    })
