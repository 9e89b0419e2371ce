"""Course data sets: generated from documented, seeded models and shipped as CSV.

Each data set has a generator (``make_*``), a loader (``load_*``) that reads the
shipped copy, and a data card (:func:`data_card`) that says what every column means
and how the data were made. The shipped CSV is exactly what the generator returns
for the default seed; the test suite checks that they never drift apart.

Layer 4 of cxlab (data): imports numpy, pandas and :mod:`cxlab._validate`. The
analyses never import it (they take any DataFrame); the figures and explorers do.
"""

from __future__ import annotations

import re

from importlib import resources

import numpy as np
import pandas as pd

from .._validate import check_whole, seed_sequence

DATASETS = ("survey", "kidney_stones", "teams", "team_panel", "employee_survey", "branch_outcomes", "loyalty_survey",
            "feedback_log", "agent_surveys", "hotline_waits", "launch_cashflows", "health_opinions", "brand_survey",
            "citizen_survey", "contact_costs")

_CHANNELS = ("phone", "chat", "email", "branch")
_QUARTERS = ("2026-Q1", "2026-Q2")
#: Responses per channel and quarter.
_SURVEY_SIZES = {"phone": 420, "chat": 300, "email": 180, "branch": 100}
#: Mean latent experience per channel and quarter (standard-normal units).
_SURVEY_MEANS = {
    ("phone", "2026-Q1"): 0.10,
    ("phone", "2026-Q2"): -0.15,  # a new phone menu made calls harder in Q2
    ("chat", "2026-Q1"): 0.00,
    ("chat", "2026-Q2"): 0.30,  # chat got a knowledge base in Q2
    ("email", "2026-Q1"): -0.20,
    ("email", "2026-Q2"): -0.20,
    ("branch", "2026-Q1"): 0.45,
    ("branch", "2026-Q2"): 0.45,
}
_TOPICS = ("waiting time", "staff", "resolution", "price", "app or website")

def _rng(seed, stream: int | None = None) -> np.random.Generator:
    """The generator of a data set: ``seed`` checked by :func:`cxlab._validate.seed_sequence`.

    ``stream`` keeps the data sets that one seed makes apart: the numbers are those of
    ``np.random.default_rng([seed, stream])``, as the shipped CSV files were made.
    """
    root = seed_sequence(seed)
    if stream is None:
        return np.random.default_rng(root)
    return np.random.default_rng(np.random.SeedSequence([*np.ravel(root.entropy).tolist(), stream]))


SURVEY_SEED = 20260101


def make_survey(seed: int = SURVEY_SEED) -> pd.DataFrame:
    """Generate the two-quarter customer survey (see ``data_card("survey")``).

    Every respondent has a latent experience ``x ~ Normal(mean[channel, quarter], 1)``.
    The answers are noisy, rounded readings of ``x``: recommendation 0-10, satisfaction
    1-5 and effort 1-7 (7 = "very easy"); about 60% leave a comment whose sentiment
    follows ``x`` and whose topic is drawn at random.

    Examples
    --------
    >>> survey = make_survey(seed=1)
    >>> sorted(survey["channel"].unique())
    ['branch', 'chat', 'email', 'phone']
    >>> int(survey["recommend"].min()) >= 0 and int(survey["recommend"].max()) <= 10
    True
    """
    return _survey(_rng(seed), _SURVEY_MEANS, _SURVEY_SIZES)


def _survey(rng, means: dict, sizes: dict) -> pd.DataFrame:
    """The survey model of :func:`make_survey`, drawn from ``rng`` with the given means and sizes.

    ``rng`` is a :class:`numpy.random.Generator` (the shipped data) or a
    :class:`cxlab.data.variants.StableRandom` (an exercise variant).
    """
    parts = []
    for quarter in _QUARTERS:
        for channel in _CHANNELS:
            size = sizes[channel]
            latent = rng.normal(means[channel, quarter], 1.0, size)
            recommend = np.clip(np.rint(7.4 + 2.1 * latent + rng.normal(0, 1.0, size)), 0, 10)
            satisfaction = np.clip(np.rint(3.8 + 0.9 * latent + rng.normal(0, 0.6, size)), 1, 5)
            effort = np.clip(np.rint(5.0 + 1.3 * latent + rng.normal(0, 1.0, size)), 1, 7)
            commented = rng.random(size) < 0.6
            tone = latent + rng.normal(0, 0.8, size)
            sentiment = np.where(tone > 0.35, "positive", np.where(tone < -0.35, "negative", "neutral"))
            topic = rng.choice(_TOPICS, size)
            parts.append(
                pd.DataFrame(
                    {
                        "quarter": quarter,
                        "channel": channel,
                        "recommend": recommend.astype("int64"),
                        "satisfaction": satisfaction.astype("int64"),
                        "effort": effort.astype("int64"),
                        "sentiment": pd.Series(np.where(commented, sentiment, None), dtype="str"),
                        "topic": pd.Series(np.where(commented, topic, None), dtype="str"),
                    }
                )
            )
    survey = pd.concat(parts, ignore_index=True)
    survey.insert(0, "response_id", np.arange(1, len(survey) + 1, dtype="int64"))
    return survey


# ------------------------------------------------------------------ kidney stones

#: Charig et al. (1986), BMJ 292:879-882, as tabulated by Julious and Mullee (1994),
#: BMJ 309:1480: successful treatments / patients, by treatment and stone size.
KIDNEY_STONE_COUNTS = {
    ("open surgery", "small"): (81, 87),
    ("open surgery", "large"): (192, 263),
    ("percutaneous", "small"): (234, 270),
    ("percutaneous", "large"): (55, 80),
}


def make_kidney_stones() -> pd.DataFrame:
    """The kidney-stone treatment data (Charig et al. 1986), one row per patient.

    Rebuilt from the published counts: 700 patients, 350 per treatment. Not random,
    so there is no seed. The classic example of Simpson's paradox: open surgery
    succeeds more often for small stones and for large stones, yet less often overall,
    because it was mostly given for the harder, large stones.

    Examples
    --------
    >>> stones = make_kidney_stones()
    >>> stones.groupby("treatment")["success"].agg(["sum", "size"])
                  sum  size
    treatment
    open surgery  273   350
    percutaneous  289   350
    """
    rows = []
    for (treatment, size), (successes, patients) in KIDNEY_STONE_COUNTS.items():
        outcome = np.r_[np.ones(successes, dtype=bool), np.zeros(patients - successes, dtype=bool)]
        rows.append(pd.DataFrame({"treatment": treatment, "stone_size": size, "success": outcome}))
    stones = pd.concat(rows, ignore_index=True)
    stones.insert(0, "patient", np.arange(1, len(stones) + 1, dtype="int64"))
    return stones


def load_kidney_stones() -> pd.DataFrame:
    """The kidney-stone treatment data shipped with cxlab (700 patients).

    Examples
    --------
    >>> load_kidney_stones().shape
    (700, 4)
    """
    return _read("kidney_stones")


# ------------------------------------------------------------ certification teams

TEAMS_SEED = 20260291
#: The certificate's true effect on the team's latent service quality. Zero: the
#: model gives a certificate no power at all, so every apparent effect is confounding.
CERTIFICATE_EFFECT = 0.0
#: The process fix's true effects between the two half-years of the panel.
PROCESS_FIX_DAYS_FACTOR = 0.70   # complaints resolved in 70% of the time
PROCESS_FIX_NPS = 6.0            # NPS points gained, on top of the common trend
PROCESS_FIX_CSAT = 3.5           # CSAT points gained, on top of the common trend
COMMON_TREND_NPS = 3.0           # every team's NPS drifts up by this much (a quiet season)
COMMON_TREND_CSAT = 1.5          # and its CSAT by this much
N_TEAMS = 80
#: The company's NPS target for a team (column ``nps_target_met``).
NPS_TARGET = 20


#: The teams model's parameters as the shipped data were made; an exercise variant
#: (:mod:`cxlab.data.certification`) draws its own.
TEAMS_MODEL = {
    "maturity_p": (0.25, 0.30, 0.25, 0.20),
    # logistic chance of a certified lead: intercept, per maturity level, per log budget
    "propensity": (-1.7, 0.75, 1.5),
    "certificate_effect": CERTIFICATE_EFFECT,
    "common_trend_nps": COMMON_TREND_NPS,
    "common_trend_csat": COMMON_TREND_CSAT,
    "fix_days_factor": PROCESS_FIX_DAYS_FACTOR,
    "fix_nps": PROCESS_FIX_NPS,
    "fix_csat": PROCESS_FIX_CSAT,
    # the certification course's true effects (none in the shipped data)
    "course_nps": 0.0,
    "course_csat": 0.0,
}


def _team_outcomes(quality: np.ndarray, rng, nps_shift, days_factor, csat_shift=0.0) -> dict:
    n = quality.size
    nps = np.clip(18 + 14 * quality + nps_shift + rng.normal(0, 4, n), -100, 100)
    csat = np.clip(80 + 6 * quality + csat_shift + rng.normal(0, 2.5, n), 0, 100)
    fcr = np.clip(71 + 5 * quality + rng.normal(0, 2.5, n), 0, 100)
    days = 7.5 * np.exp(-0.22 * quality + rng.normal(0, 0.12, n)) * days_factor
    return {
        "nps": np.round(nps, 1),
        "csat": np.round(csat, 1),
        "fcr": np.round(fcr, 1),
        "days_to_resolve": np.round(days, 1),
    }


def _teams_and_quality(rng, model: dict) -> tuple[pd.DataFrame, np.ndarray]:
    maturity = rng.choice([1, 2, 3, 4], size=N_TEAMS, p=list(model["maturity_p"]))
    size = rng.integers(6, 31, N_TEAMS)
    budget = np.round(np.exp(rng.normal(np.log(1.2) + 0.28 * (maturity - 1), 0.22)), 2)
    intercept, per_level, per_log_budget = model["propensity"]
    propensity = 1 / (1 + np.exp(-(intercept + per_level * (maturity - 1) + per_log_budget * np.log(budget / 1.6))))
    certified = rng.random(N_TEAMS) < propensity
    quality = (
        0.6 * (maturity - 2.4)
        + 0.9 * np.log(budget / 1.7)
        + model["certificate_effect"] * certified
        + rng.normal(0, 0.35, N_TEAMS)
    )
    teams = pd.DataFrame(
        {
            "team": [f"T{number:02d}" for number in range(1, N_TEAMS + 1)],
            "certificate": np.where(certified, "certified", "none"),
            "maturity": maturity.astype("int64"),
            "size": size.astype("int64"),
            "budget_per_agent": budget,
        }
    )
    return teams, quality


def make_teams(seed: int = TEAMS_SEED) -> pd.DataFrame:
    """Generate the 80 contact-centre teams (see ``data_card("teams")``).

    Process maturity (1-4) and budget per agent drive both service quality and the
    chance that the team lead holds a CX certificate; the certificate itself has no
    effect (``CERTIFICATE_EFFECT = 0``). So certified teams score better, and the gap
    is confounding.

    Examples
    --------
    >>> teams = make_teams()
    >>> len(teams), sorted(teams["certificate"].unique())
    (80, ['certified', 'none'])
    """
    return _first_half(_rng(seed), TEAMS_MODEL)[0]


def _first_half(rng, model: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """The first half-year and the latent quality; ``rng`` goes on to draw the panel."""
    teams, quality = _teams_and_quality(rng, model)
    outcomes = _team_outcomes(quality, rng, 0.0, 1.0)
    for column, values in outcomes.items():
        teams[column] = values
    teams["nps_target_met"] = teams["nps"] >= NPS_TARGET
    return teams, quality


def _weighted_sample(rng, pool: np.ndarray, count: int, weights: np.ndarray) -> np.ndarray:
    """``count`` items of ``pool`` without replacement, each drawn with chance in proportion to its weight.

    numpy's own algorithm for the shipped data; for an exercise variant (a
    :class:`~cxlab.data.variants.StableRandom`) the same law by exponential keys (Efraimidis and
    Spirakis): the ``count`` smallest ``Exponential(1) / weight``, drawn from the stable uniforms.
    """
    p = weights / weights.sum()
    if isinstance(rng, np.random.Generator):
        return rng.choice(pool, count, replace=False, p=p)
    keys = rng.exponential(1.0, len(pool)) / p
    return pool[np.argsort(keys, kind="stable")[:count]]


def make_team_panel(seed: int = TEAMS_SEED) -> pd.DataFrame:
    """Generate the two half-year panel of the same 80 teams (see ``data_card("team_panel")``).

    The first half-year (``2026-H1``) is exactly :func:`make_teams`. Between the two
    half-years, 16 teams whose leads had no certificate send them on a certification
    course, 16 teams (chosen mostly among the less mature) redesign their complaint
    process, and the rest change nothing. Every team drifts up by ``COMMON_TREND_NPS``
    (and ``COMMON_TREND_CSAT``); the course adds nothing; the process fix cuts
    resolution time to 70% and adds 6 NPS and 3.5 CSAT points.

    Examples
    --------
    >>> panel = make_team_panel()
    >>> panel.groupby(["period", "arm"]).size().unstack()
    arm      certification course  none  process fix
    period
    2026-H1                    16    48           16
    2026-H2                    16    48           16
    """
    return _teams_world(_rng(seed), TEAMS_MODEL)[1]


def _teams_world(rng, model: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The teams model of :func:`make_teams` and :func:`make_team_panel`: ``(teams, panel)``.

    ``rng`` is a :class:`numpy.random.Generator` (the shipped data) or a
    :class:`cxlab.data.variants.StableRandom` (an exercise variant); ``model`` holds the
    parameters of :data:`TEAMS_MODEL`.
    """
    teams, quality = _first_half(rng, model)
    arm = np.full(N_TEAMS, "none", dtype=object)
    uncertified = np.flatnonzero(teams["certificate"].to_numpy() == "none")
    course = rng.choice(uncertified, 16, replace=False)
    arm[course] = "certification course"
    remaining = np.flatnonzero(arm == "none")
    weights = np.where(teams["maturity"].to_numpy()[remaining] <= 2, 3.0, 1.0)
    fix = _weighted_sample(rng, remaining, 16, weights)
    arm[fix] = "process fix"

    fixed = arm == "process fix"
    coursed = arm == "certification course"
    later_quality = quality + rng.normal(0, 0.15, N_TEAMS)
    after = _team_outcomes(
        later_quality,
        rng,
        model["common_trend_nps"] + model["fix_nps"] * fixed + model["course_nps"] * coursed,
        np.where(fixed, model["fix_days_factor"], 1.0),
        model["common_trend_csat"] + model["fix_csat"] * fixed + model["course_csat"] * coursed,
    )
    columns = ["nps", "csat", "fcr", "days_to_resolve"]
    before_rows = teams[["team", "certificate", "maturity", "size", "budget_per_agent", *columns]].copy()
    before_rows.insert(1, "period", "2026-H1")
    after_rows = before_rows.copy()
    after_rows["period"] = "2026-H2"
    for column in columns:
        after_rows[column] = after[column]
    for rows in (before_rows, after_rows):
        rows.insert(2, "arm", arm)
    panel = pd.concat([before_rows, after_rows], ignore_index=True)
    return teams, panel.sort_values(["team", "period"], ignore_index=True)


def load_teams() -> pd.DataFrame:
    """The 80 contact-centre teams shipped with cxlab, one row each.

    Examples
    --------
    >>> load_teams().columns.tolist()[:5]
    ['team', 'certificate', 'maturity', 'size', 'budget_per_agent']
    """
    return _read("teams")


def load_team_panel() -> pd.DataFrame:
    """The 80 teams in two half-years (160 rows), with the arm each team was in.

    Examples
    --------
    >>> load_team_panel().shape
    (160, 11)
    """
    return _read("team_panel")


# ------------------------------------------------------------------- EX -> CX

BRANCHES_SEED = 20260301
N_BRANCHES = 40
BRANCH_QUARTERS = tuple(f"{year}-Q{quarter}" for year in (2025, 2026) for quarter in (1, 2, 3, 4))
#: How strongly last quarter's employee experience moves this quarter's customer
#: experience, and this quarter's (both in standard units of the latent scales).
EX_TO_CX_LAG1 = 0.6
EX_TO_CX_SAME = 0.15
#: City branches: staff under more strain and customers harder to please (the confounder).
CITY_EX = -0.5
CITY_CX = -0.6


#: Branch-quarters without an employee survey: (branch index, quarter index); B12 in 2025-Q3.
_SKIPPED_SURVEYS = ((11, 2),)
#: Branches whose last quarters have no customer outcomes: code -> quarters missing (B40 closed after 2026-Q3).
_CLOSED_BRANCHES = {"B40": 1}


def _branch_latent(seed: int):
    return _branch_world(_rng(seed))


def _branch_world(rng, *, lag1: float = EX_TO_CX_LAG1, same: float = EX_TO_CX_SAME, city_ex: float = CITY_EX,
                  city_cx: float = CITY_CX):
    """The latent model of :func:`make_employee_survey` and :func:`make_branch_outcomes`, drawn from ``rng``.

    Returns ``(city, size, experience, customer)``: which branches are city branches, their
    staff, and the latent employee and customer experience per branch and quarter. ``rng``
    is a :class:`numpy.random.Generator` (the shipped data) or a
    :class:`cxlab.data.variants.StableRandom` (an exercise variant).
    """
    city = rng.random(N_BRANCHES) < 0.5
    size = np.where(city, rng.integers(12, 21, N_BRANCHES), rng.integers(6, 14, N_BRANCHES))
    fixed = city_ex * city + rng.normal(0, 0.4, N_BRANCHES)
    periods = len(BRANCH_QUARTERS) + 1  # one quarter before the data start, for the lag
    shock = np.zeros((N_BRANCHES, periods))
    shock[:, 0] = rng.normal(0, 0.5 / np.sqrt(1 - 0.6**2), N_BRANCHES)
    for t in range(1, periods):
        shock[:, t] = 0.6 * shock[:, t - 1] + rng.normal(0, 0.5, N_BRANCHES)
    experience = fixed[:, None] + shock
    customer = (
        lag1 * experience[:, :-1]
        + same * experience[:, 1:]
        + city_cx * city[:, None]
        + rng.normal(0, 0.35, (N_BRANCHES, periods - 1))
    )
    return city, size, experience[:, 1:], customer


def make_employee_survey(seed: int = BRANCHES_SEED) -> pd.DataFrame:
    """Generate the quarterly employee survey of 40 branches (see ``data_card("employee_survey")``).

    Examples
    --------
    >>> survey = make_employee_survey()
    >>> sorted(survey.columns)[:4]
    ['autonomy', 'branch', 'employee', 'leadership']
    """
    _, size, experience, _ = _branch_latent(seed)
    return _employee_survey(_rng(seed, 1), size, experience, _SKIPPED_SURVEYS)


def _employee_survey(rng, size, experience, skipped) -> pd.DataFrame:
    """The answers of :func:`make_employee_survey`, drawn from ``rng`` for a latent world of :func:`_branch_world`.

    ``skipped`` lists the (branch index, quarter index) pairs that ran no survey. A
    branch's noise comes in one draw, quarter by quarter and, within a quarter, mood,
    then the items in column order: the same stream as one draw per item would give.
    """
    skipped = set(skipped)
    columns = {name: [] for name in ("branch", "quarter", "employee", "tools", "leadership", "workload", "autonomy",
                                     "recommend")}
    quarters = np.asarray(BRANCH_QUARTERS, dtype=object)
    for b in range(N_BRANCHES):
        code, count = f"B{b + 1:02d}", int(size[b])
        people = rng.normal(0, 0.6, count)  # each employee's own outlook, stable over time
        present = [t for t in range(len(BRANCH_QUARTERS)) if (b, t) not in skipped]
        # per quarter: mood, tools, leadership, workload, autonomy, recommend
        noise = rng.normal(0, 1, (len(present), 6, count))
        view = experience[b, present][:, None] + people + 0.5 * noise[:, 0]

        def item(loading, scale, which):
            return np.clip(np.rint(3.2 + loading * view + scale * noise[:, which]), 1, 5).astype("int64").ravel()

        columns["branch"].append(np.full(len(present) * count, code, dtype=object))
        columns["quarter"].append(np.repeat(quarters[present], count))
        columns["employee"].append(np.tile(np.asarray([f"{code}-E{k + 1:02d}" for k in range(count)], dtype=object),
                                           len(present)))
        columns["tools"].append(item(0.7, 0.7, 1))
        columns["leadership"].append(item(0.8, 0.7, 2))
        columns["workload"].append(np.clip(np.rint(3.0 - 0.6 * view + 0.7 * noise[:, 3]), 1, 5).astype("int64").ravel())
        columns["autonomy"].append(item(0.6, 0.7, 4))
        columns["recommend"].append(np.clip(np.rint(7.0 + 1.7 * view + 1.2 * noise[:, 5]), 0, 10).astype("int64").ravel())
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})


#: Branch B41 opened in 2026-Q3: customer outcomes, but no employee survey yet.
_OPENED_BRANCHES = pd.DataFrame({
    "branch": "B41", "quarter": ["2026-Q3", "2026-Q4"], "location": "city", "employees": 10,
    "nps": [14.0, 18.5], "complaints_per_1000": [9.4, 8.8], "handling_minutes": [9.9, 9.6],
    "cost_per_contact": [4.9, 4.8], "churn_pct": [9.1, 8.7],
})


def make_branch_outcomes(seed: int = BRANCHES_SEED) -> pd.DataFrame:
    """Generate the branches' quarterly customer outcomes (see ``data_card("branch_outcomes")``).

    Examples
    --------
    >>> outcomes = make_branch_outcomes()
    >>> outcomes.columns.tolist()[:4]
    ['branch', 'quarter', 'location', 'employees']
    """
    city, size, _, customer = _branch_latent(seed)
    return _branch_outcomes(_rng(seed, 2), city, size, customer, _CLOSED_BRANCHES, _OPENED_BRANCHES)


def _branch_outcomes(rng, city, size, customer, closed: dict, opened: pd.DataFrame) -> pd.DataFrame:
    """The outcomes of :func:`make_branch_outcomes`, drawn from ``rng`` for a latent world of :func:`_branch_world`.

    ``closed`` maps a branch code to the number of last quarters it has no outcomes for;
    ``opened`` holds the rows of branches that have no employee survey.
    """
    shape = customer.shape
    table = pd.DataFrame({
        "branch": np.repeat([f"B{b + 1:02d}" for b in range(N_BRANCHES)], shape[1]),
        "quarter": np.tile(BRANCH_QUARTERS, N_BRANCHES),
        "location": np.repeat(np.where(city, "city", "town"), shape[1]),
        "employees": np.repeat(size, shape[1]).astype("int64"),
        "nps": np.round(22 + 12 * customer + rng.normal(0, 3, shape), 1).ravel(),
        "complaints_per_1000": np.round(8 * np.exp(-0.25 * customer + rng.normal(0, 0.1, shape)), 2).ravel(),
        "handling_minutes": np.round(9 - 0.8 * customer + rng.normal(0, 0.5, shape), 2).ravel(),
        "cost_per_contact": np.round(4.5 - 0.4 * customer + rng.normal(0, 0.2, shape), 2).ravel(),
        "churn_pct": np.round(np.clip(8 - 1.5 * customer + rng.normal(0, 0.6, shape), 0, 100), 2).ravel(),
    })
    gone = np.zeros(len(table), dtype=bool)
    for branch, quarters in closed.items():
        gone |= (table["branch"] == branch).to_numpy() & table["quarter"].isin(BRANCH_QUARTERS[-quarters:]).to_numpy()
    return pd.concat([table[~gone], opened], ignore_index=True)


LOYALTY_SEED = 20260302
#: Correlation of branch ambience with the advisor's quality (the same staff keep both).
AMBIENCE_LINK = 0.85
#: Touchpoints rated 0-10 in the loyalty survey, with the true effect of each on the
#: 0-10 recommendation (per unit of the touchpoint's latent quality).
TOUCHPOINT_EFFECTS = {
    "advisor": 1.8,
    "complaints": 0.8,
    "app": 0.6,
    "waiting": 0.5,
    "fees": 0.3,
    "ambience": -1.0,
}

#: Mean rating of each touchpoint (0-10): complaint handling and fees are the weak spots.
TOUCHPOINT_MEANS = {"advisor": 7.8, "complaints": 5.6, "app": 7.2, "waiting": 6.3, "fees": 5.8, "ambience": 7.9}
#: How much of each touchpoint's quality is the customer's general impression (the halo).
_HALO_LOADINGS = {"advisor": 0.6, "complaints": 0.5, "app": 0.4, "waiting": 0.5, "fees": 0.3}


def make_loyalty_survey(seed: int = LOYALTY_SEED, n: int = 3000) -> pd.DataFrame:
    """Generate the customer loyalty survey with touchpoint ratings (see ``data_card("loyalty_survey")``).

    Examples
    --------
    >>> survey = make_loyalty_survey(n=100)
    >>> survey.columns.tolist()
    ['customer', 'branch', 'advisor', 'complaints', 'app', 'waiting', 'fees', 'ambience', 'recommend']
    """
    return _loyalty_survey(_rng(seed), n, effects=TOUCHPOINT_EFFECTS, means=TOUCHPOINT_MEANS, loadings=_HALO_LOADINGS,
                           linked=("ambience", "advisor", AMBIENCE_LINK))


def _loyalty_survey(rng, n: int, *, effects: dict, means: dict, loadings: dict, linked: tuple) -> pd.DataFrame:
    """The model of :func:`make_loyalty_survey`, drawn from ``rng``.

    ``loadings`` gives the halo loading of every touchpoint but one; ``linked`` is
    ``(touchpoint, anchor, link)``: that touchpoint's quality is ``link`` times the
    anchor's plus noise. ``effects`` (in the survey's column order) and ``means`` cover
    all six touchpoints.
    """
    halo = rng.normal(0, 1, n)
    quality = {name: weight * halo + np.sqrt(1 - weight**2) * rng.normal(0, 1, n) for name, weight in loadings.items()}
    name, anchor, link = linked
    # A pleasant branch goes with a good advisor (the same people keep both), hardly on its own.
    quality[name] = link * quality[anchor] + np.sqrt(1 - link**2) * rng.normal(0, 1, n)
    ratings = {name: np.clip(np.rint(means[name] + 1.5 * q + rng.normal(0, 0.8, n)), 0, 10).astype("int64")
               for name, q in quality.items()}
    score = 7.2 + sum(effects[name] * quality[name] for name in effects) + rng.normal(0, 1.3, n)
    survey = pd.DataFrame({
        "customer": np.arange(1, n + 1, dtype="int64"),
        "branch": [f"B{b:02d}" for b in rng.integers(1, N_BRANCHES + 1, n)],
        **{name: ratings[name] for name in effects},
        "recommend": np.clip(np.rint(score), 0, 10).astype("int64"),
    })
    return survey


def load_employee_survey() -> pd.DataFrame:
    """The quarterly employee survey of 40 branches, one row per employee and quarter.

    Examples
    --------
    >>> load_employee_survey()["quarter"].nunique()
    8
    """
    return _read("employee_survey")


def load_branch_outcomes() -> pd.DataFrame:
    """The branches' customer outcomes, one row per branch and quarter.

    Examples
    --------
    >>> load_branch_outcomes()["branch"].nunique()
    41
    """
    return _read("branch_outcomes")


def load_loyalty_survey() -> pd.DataFrame:
    """The customer loyalty survey with six touchpoint ratings (3,000 customers).

    Examples
    --------
    >>> load_loyalty_survey().shape
    (3000, 9)
    """
    return _read("loyalty_survey")


# ------------------------------------------------------------ voice of the customer

VOC_SEED = 20260403
#: Comment categories and the mean days from a comment to the action on it (gamma, shape 1.5).
FEEDBACK_CATEGORIES = {"billing": 18.0, "app": 45.0, "waiting time": 30.0, "staff": 12.0, "product": 75.0}
#: The categories' probabilities, in the order of ``FEEDBACK_CATEGORIES``.
FEEDBACK_SHARES = (0.3, 0.2, 0.2, 0.15, 0.15)
FEEDBACK_SHAPE = 1.5
FEEDBACK_START = "2025-07-01"
FEEDBACK_EXTRACT = "2025-12-31"
N_COMMENTS = 1200


def make_feedback_log(seed: int = VOC_SEED) -> pd.DataFrame:
    """Generate the feedback log of the voice-of-the-customer chapter (see ``data_card("feedback_log")``).

    1,200 comments received from July to December 2025; each is acted on after a
    gamma-distributed time whose mean depends on its category. Comments whose action
    would fall after the extract date (31 December) are still open: ``acted`` is False
    and ``days_open`` counts the days until the extract (censored).

    Examples
    --------
    >>> log = make_feedback_log()
    >>> log.columns.tolist()
    ['comment_id', 'received', 'category', 'acted', 'acted_on', 'days_open']
    """
    return _feedback_log(_rng(seed, 1), FEEDBACK_CATEGORIES, FEEDBACK_SHARES, FEEDBACK_SHAPE)


def _feedback_log(rng, categories: dict, shares, shape: float, n: int = N_COMMENTS) -> pd.DataFrame:
    """The model of :func:`make_feedback_log`: ``categories`` maps each category to its mean
    days to action, ``shares`` are the categories' probabilities (in that order), ``shape``
    the gamma shape. ``rng`` is a numpy Generator (the shipped data) or a
    :class:`cxlab.data.variants.StableRandom` (an exercise variant)."""
    start, extract = pd.Timestamp(FEEDBACK_START), pd.Timestamp(FEEDBACK_EXTRACT)
    span = (extract - start).days
    names = list(categories)
    category = rng.choice(names, n, p=list(shares))
    received_day = np.sort(rng.integers(0, span, n))
    mean = np.array([categories[c] for c in category])
    to_action = np.ceil(rng.gamma(shape, mean / shape))
    acted = received_day + to_action <= span
    days_open = np.where(acted, to_action, span - received_day).astype("int64")
    received = start + pd.to_timedelta(received_day, unit="D")
    acted_on = pd.Series(received + pd.to_timedelta(np.where(acted, to_action, 0), unit="D")).where(acted)
    return pd.DataFrame({
        "comment_id": np.arange(1, n + 1, dtype="int64"),
        "received": received.strftime("%Y-%m-%d"),
        "category": category,
        "acted": acted,
        "acted_on": acted_on.dt.strftime("%Y-%m-%d"),
        "days_open": days_open,
    })

N_AGENTS = 36
#: Agents who choose which of their customers get the survey (the truth the funnel plot looks for).
GAMING_AGENTS = ("A05", "A12", "A19", "A27", "A33")
#: An agent who is genuinely better: outside the limits on random invitations too.
STRONG_AGENT = "A08"
AGENT_SURVEY_SHARE_RANDOM = 0.4
GAMING_SHARE = 0.8
STRONG_QUALITY = 0.5

def make_agent_surveys(seed: int = VOC_SEED) -> pd.DataFrame:
    """Generate survey responses for 36 contact-centre agents (see ``data_card("agent_surveys")``).

    Honest agents all have the same true service; ``STRONG_AGENT`` is genuinely
    better; the ``GAMING_AGENTS`` choose which of their own customers get the survey.
    About 40% of each agent's surveys go to customers the company invites at random.

    Examples
    --------
    >>> surveys = make_agent_surveys()
    >>> sorted(surveys["invitation"].unique())
    ['agent', 'random']
    """
    return _agent_surveys(_rng(seed, 2), GAMING_AGENTS, {STRONG_AGENT: STRONG_QUALITY}, AGENT_SURVEY_SHARE_RANDOM,
                          GAMING_SHARE)


def _agent_surveys(rng, gaming_agents, strong_agents: dict, share_random: float, gaming_share: float,
                   n_agents: int = N_AGENTS) -> pd.DataFrame:
    """The model of :func:`make_agent_surveys`: ``gaming_agents`` choose whom they invite
    (a share ``gaming_share`` of their own invitations goes to pleased customers),
    ``strong_agents`` maps the genuinely better agents to their quality, ``share_random``
    is the share of random invitations. ``rng`` is a numpy Generator or a StableRandom."""
    agents = [f"A{k:02d}" for k in range(1, n_agents + 1)]
    names, invitations, scores = [], [], []
    for agent in agents:
        n = int(rng.integers(50, 300))
        quality = strong_agents.get(agent, 0.0)
        invitation = np.where(rng.random(n) < share_random, "random", "agent")
        latent = rng.normal(quality, 1, n)
        if agent in gaming_agents:
            # agent-chosen invitations go only to customers who seemed pleased: redraw
            # the rest among customers whose experience was above average
            chosen = invitation == "agent"
            # with probability GAMING_SHARE, the invited customer is one who seemed pleased
            # (latent experience above 0, a half-normal draw); otherwise anyone
            swapped = chosen & (rng.random(n) < gaming_share)
            latent[swapped] = quality + np.abs(rng.normal(0, 1, swapped.sum()))
        score = np.clip(np.rint(7.6 + 2.2 * latent + rng.normal(0, 1, n)), 0, 10).astype("int64")
        names.append(np.full(n, agent))
        invitations.append(invitation)
        scores.append(score)
    # one frame at the end: building one per agent cost more than drawing the answers
    recommend = np.concatenate(scores)
    return pd.DataFrame({"response_id": np.arange(1, recommend.size + 1, dtype="int64"),
                         "agent": pd.Series(np.concatenate(names), dtype="str"),
                         "invitation": pd.Series(np.concatenate(invitations), dtype="str"), "recommend": recommend})

#: The hotline's advertised promise, in minutes.
HOTLINE_PROMISE = 5.0
#: Median wait (minutes) by hour of day; calls arrive 8:00-19:59 on weekdays.
HOTLINE_MEDIAN_BY_HOUR = {8: 2.0, 9: 3.5, 10: 4.0, 11: 3.0, 12: 5.5, 13: 5.0, 14: 2.5, 15: 2.0, 16: 3.0,
                          17: 6.0, 18: 4.5, 19: 2.0}
#: Calls per hour of day, relative.
HOTLINE_VOLUME_BY_HOUR = {8: 6, 9: 10, 10: 11, 11: 9, 12: 11, 13: 10, 14: 7, 15: 6, 16: 8, 17: 11, 18: 7, 19: 4}
HOTLINE_SPREAD = 0.9  # sd of log wait
N_CALLS = 6000


def make_hotline_waits(seed: int = VOC_SEED) -> pd.DataFrame:
    """Generate four weeks of hotline waits (see ``data_card("hotline_waits")``).

    Examples
    --------
    >>> waits = make_hotline_waits()
    >>> waits.columns.tolist()
    ['call_id', 'date', 'hour', 'wait_minutes']
    """
    return _hotline_waits(_rng(seed, 3), HOTLINE_MEDIAN_BY_HOUR, HOTLINE_VOLUME_BY_HOUR, HOTLINE_SPREAD)


def _hotline_waits(rng, median_by_hour: dict, volume_by_hour: dict, spread: float, n_calls: int = N_CALLS) -> pd.DataFrame:
    """The model of :func:`make_hotline_waits`: a lognormal wait around each hour's median,
    calls spread over the hours by their relative volume. ``rng`` is a numpy Generator or a
    StableRandom."""
    hours = np.array(list(volume_by_hour))
    volume = np.array(list(volume_by_hour.values()), dtype=float)
    hour = np.sort(rng.choice(hours, n_calls, p=volume / volume.sum()))
    days = pd.bdate_range("2026-03-02", "2026-03-27")
    day = rng.choice(days, n_calls)
    median = np.array([median_by_hour[h] for h in hour])
    wait = np.round(median * np.exp(rng.normal(0, spread, n_calls)), 1)
    frame = pd.DataFrame({"date": pd.DatetimeIndex(day).strftime("%Y-%m-%d"), "hour": hour.astype("int64"),
                          "wait_minutes": wait}).sort_values(["date", "hour"], kind="stable", ignore_index=True)
    frame.insert(0, "call_id", np.arange(1, n_calls + 1, dtype="int64"))
    return frame


#: The launch: sales in its first six months, a margin per sale, complaints that arrive late.
LAUNCH_CUSTOMERS = 2500
LAUNCH_SALES_BY_MONTH = {1: 0.10, 2: 0.15, 3: 0.20, 4: 0.20, 5: 0.20, 6: 0.15}
LAUNCH_MARGIN = 120.0          # EUR per sale, booked in the month of sale
LAUNCH_COMPLAINT_RATE = 0.30   # share of customers who complain at some time
LAUNCH_COMPLAINT_DELAY = 10.0  # mean months from sale to complaint (gamma, shape 2)
LAUNCH_COMPLAINT_COST = 500.0  # mean EUR per complaint (handling, refunds), lognormal


def make_launch_cashflows(seed: int = VOC_SEED) -> pd.DataFrame:
    """Generate the cash flows of a product launch (see ``data_card("launch_cashflows")``).

    Examples
    --------
    >>> flows = make_launch_cashflows()
    >>> sorted(flows["kind"].unique())
    ['complaint cost', 'sale margin']
    """
    return _launch_cashflows(_rng(seed, 4), LAUNCH_MARGIN, LAUNCH_COMPLAINT_RATE, LAUNCH_COMPLAINT_DELAY,
                             LAUNCH_COMPLAINT_COST)


def _launch_cashflows(rng, margin: float, complaint_rate: float, complaint_delay: float, complaint_cost: float,
                      customers: int = LAUNCH_CUSTOMERS, sales_by_month: dict | None = None) -> pd.DataFrame:
    """The model of :func:`make_launch_cashflows`: a margin per sale, complaints from a share
    ``complaint_rate`` of customers after a gamma delay (mean ``complaint_delay`` months,
    shape 2) with a lognormal cost of mean ``complaint_cost``. ``rng`` is a numpy Generator
    or a StableRandom."""
    sales_by_month = LAUNCH_SALES_BY_MONTH if sales_by_month is None else sales_by_month
    months = np.array(list(sales_by_month))
    share = np.array(list(sales_by_month.values()))
    sold = rng.choice(months, customers, p=share)
    customer = np.arange(1, customers + 1, dtype="int64")
    complains = rng.random(customers) < complaint_rate
    delay = np.ceil(rng.gamma(2.0, complaint_delay / 2.0, customers)).astype("int64")
    sigma = 0.6
    cost = complaint_cost * np.exp(rng.normal(-sigma**2 / 2, sigma, customers))
    sales = pd.DataFrame({"customer": customer, "month": sold.astype("int64"), "kind": "sale margin",
                          "amount": float(margin)})
    complaints = pd.DataFrame({"customer": customer[complains], "month": (sold + delay)[complains],
                               "kind": "complaint cost", "amount": -np.round(cost[complains], 2)})
    flows = pd.concat([sales, complaints], ignore_index=True)
    return flows.sort_values(["month", "customer"], kind="stable", ignore_index=True)

def load_feedback_log() -> pd.DataFrame:
    """The feedback log shipped with cxlab (1,200 comments, some still open).

    Examples
    --------
    >>> load_feedback_log()["acted"].dtype
    dtype('bool')
    """
    return _read("feedback_log")


def load_agent_surveys() -> pd.DataFrame:
    """Survey responses for 36 agents, each marked as invited by the agent or at random.

    Examples
    --------
    >>> load_agent_surveys()["agent"].nunique()
    36
    """
    return _read("agent_surveys")


def load_hotline_waits() -> pd.DataFrame:
    """Four weeks of hotline waits in minutes, one row per call (6,000 calls).

    Examples
    --------
    >>> load_hotline_waits().shape
    (6000, 4)
    """
    return _read("hotline_waits")


def load_launch_cashflows() -> pd.DataFrame:
    """The launch's cash flows: one sale margin per customer, complaint costs as they arrive.

    Examples
    --------
    >>> load_launch_cashflows()["customer"].nunique()
    2500
    """
    return _read("launch_cashflows")


# ------------------------------------------------------------------ opinions without experience

OPINIONS_SEED = 20260416
#: Respondents per age group in the simulated health-care survey (1,200 in all).
HEALTH_AGE_SIZES = {"18-24": 130, "25-34": 200, "35-44": 220, "45-54": 200, "55-64": 210, "65+": 240}
#: Dissatisfied respondents per age group, fixed so that the margins match the column
#: (Szawiec): 70% dissatisfied overall, 40% of the 65+ satisfied, 81% of the 25-34 negative.
HEALTH_DISSATISFIED = {"18-24": 101, "25-34": 162, "35-44": 163, "45-54": 140, "55-64": 130, "65+": 144}
#: Chance of each kind of use in the last 12 months, by age group: public, private only, none.
HEALTH_USE_BY_AGE = {
    "18-24": (0.40, 0.22, 0.38),
    "25-34": (0.38, 0.27, 0.35),
    "35-44": (0.50, 0.22, 0.28),
    "45-54": (0.56, 0.18, 0.26),
    "55-64": (0.66, 0.12, 0.22),
    "65+": (0.80, 0.06, 0.14),
}
HEALTH_USES = ("public", "private only", "none")
#: How much each kind of use raises the leaning to a negative opinion (standard-normal units).
HEALTH_USE_EFFECT = {"public": 0.0, "none": 0.8, "private only": 1.4}
#: Illustrative population margins for weighting (shares of adults): assumptions, not statistics.
HEALTH_POPULATION_AGE = {"18-24": 0.08, "25-34": 0.14, "35-44": 0.17, "45-54": 0.15, "55-64": 0.16, "65+": 0.30}
HEALTH_POPULATION_USE = {"public": 0.66, "private only": 0.10, "none": 0.24}
HEALTH_RATINGS = {1: "very bad", 2: "rather bad", 3: "rather good", 4: "very good"}


def make_health_opinions(seed: int = OPINIONS_SEED) -> pd.DataFrame:
    """Generate the simulated survey on how public health care works (see ``data_card("health_opinions")``).

    In each age group every respondent's kind of use is drawn from
    ``HEALTH_USE_BY_AGE``, and a leaning ``HEALTH_USE_EFFECT[use] + Normal(0, 1)``; the
    ``HEALTH_DISSATISFIED[age]`` respondents with the strongest leaning rate the system
    bad, the strongest 40% of the group's leanings "very bad", and the weakest 10%
    "very good".

    Examples
    --------
    >>> health = make_health_opinions()
    >>> round(100 * health["dissatisfied"].mean())
    70
    """
    return _health_opinions(_rng(seed, 1), HEALTH_AGE_SIZES, HEALTH_DISSATISFIED, HEALTH_USE_BY_AGE, HEALTH_USE_EFFECT)


def _health_opinions(rng, sizes: dict, dissatisfied_counts: dict, use_by_age: dict, use_effect: dict) -> pd.DataFrame:
    """The model of :func:`make_health_opinions`, drawn from ``rng`` with the given group sizes and chances.

    ``rng`` is a :class:`numpy.random.Generator` (the shipped data) or a
    :class:`cxlab.data.variants.StableRandom` (an exercise variant).
    """
    parts = []
    for age, size in sizes.items():
        use = rng.choice(HEALTH_USES, size, p=use_by_age[age])
        leaning = np.array([use_effect[kind] for kind in use]) + rng.normal(0.0, 1.0, size)
        rank = np.argsort(np.argsort(-leaning))  # 0 = the strongest leaning to a negative opinion
        dissatisfied = rank < dissatisfied_counts[age]
        rating = np.where(dissatisfied, np.where(rank < round(0.4 * size), 1, 2),
                          np.where(rank >= size - round(0.1 * size), 4, 3))
        parts.append(pd.DataFrame({"age_group": age, "use": use, "rating": rating.astype("int64")}))
    frame = pd.concat(parts, ignore_index=True)
    frame["used_public"] = frame["use"] == "public"
    frame["dissatisfied"] = frame["rating"] <= 2
    frame.insert(0, "respondent_id", np.arange(1, len(frame) + 1, dtype="int64"))
    return frame


def load_health_opinions() -> pd.DataFrame:
    """The simulated health-care opinion survey shipped with cxlab (1,200 adults).

    Examples
    --------
    >>> load_health_opinions().shape
    (1200, 6)
    """
    return _read("health_opinions")


#: People who have heard of the brand, by their relation to it (1,000 in all).
BRAND_STATUS_SIZES = {"recent customer": 300, "former customer": 200, "never a customer": 500}
#: Mean latent experience or impression by status (standard-normal units).
BRAND_STATUS_MEANS = {"recent customer": 0.35, "former customer": -0.55, "never a customer": -0.40}


def make_brand_survey(seed: int = OPINIONS_SEED) -> pd.DataFrame:
    """Generate the simulated brand survey (see ``data_card("brand_survey")``).

    Everyone who has heard of the brand answers "how likely are you to recommend it?";
    the score is ``round(7.2 + 2.0 * (mean[status] + Normal(0, 1)))`` clipped to 0..10.

    Examples
    --------
    >>> brand = make_brand_survey()
    >>> brand["status"].value_counts()["recent customer"]
    np.int64(300)
    """
    return _brand_survey(_rng(seed, 2), BRAND_STATUS_SIZES, BRAND_STATUS_MEANS)


def _brand_survey(rng, sizes: dict, means: dict) -> pd.DataFrame:
    """The model of :func:`make_brand_survey`, drawn from ``rng`` with the given sizes and means.

    ``rng`` is a :class:`numpy.random.Generator` (the shipped data) or a
    :class:`cxlab.data.variants.StableRandom` (an exercise variant).
    """
    parts = []
    for status, size in sizes.items():
        latent = means[status] + rng.normal(0.0, 1.0, size)
        recommend = np.clip(np.rint(7.2 + 2.0 * latent), 0, 10).astype("int64")
        parts.append(pd.DataFrame({"status": status, "recommend": recommend}))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    frame.insert(0, "respondent_id", np.arange(1, len(frame) + 1, dtype="int64"))
    return frame


def load_brand_survey() -> pd.DataFrame:
    """The simulated brand survey shipped with cxlab (1,000 people who have heard of the brand).

    Examples
    --------
    >>> load_brand_survey().columns.tolist()
    ['respondent_id', 'status', 'recommend']
    """
    return _read("brand_survey")


def make_confounded(
    confounding: float = 1.0,
    true_effect: float = 0.0,
    n_teams: int = 400,
    seed: int = 0,
) -> pd.DataFrame:
    """A small confounding model for explorers: maturity drives both certificate and NPS.

    Each team has a maturity level ``m`` (1-4, equally likely). Its lead is certified
    with probability ``0.1 + 0.8 logistic(confounding * (m - 2.5))``, so
    ``confounding = 0`` makes the certificate independent of maturity, and every
    level keeps some certified and some uncertified teams. The team's NPS is
    ``10 + 8 (m - 2.5) + true_effect * certified + Normal(0, 8)``.

    Examples
    --------
    >>> frame = make_confounded(confounding=2.0, seed=1)
    >>> frame.columns.tolist()
    ['certificate', 'maturity', 'nps']
    """
    check_whole(n_teams, "n_teams", minimum=16)
    for name, value in (("confounding", confounding), ("true_effect", true_effect)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite number, got {value!r}")
    rng = _rng(seed)
    maturity = rng.integers(1, 5, n_teams)
    certified = rng.random(n_teams) < 0.1 + 0.8 / (1 + np.exp(-confounding * (maturity - 2.5)))
    nps = 10 + 8 * (maturity - 2.5) + true_effect * certified + rng.normal(0, 8, n_teams)
    return pd.DataFrame(
        {"certificate": np.where(certified, "certified", "none"), "maturity": maturity, "nps": np.round(nps, 1)}
    )


def _read(name: str) -> pd.DataFrame:
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; the course has {DATASETS}")
    with resources.files("cxlab").joinpath("datasets", f"{name}.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def load_survey() -> pd.DataFrame:
    """The two-quarter customer survey shipped with cxlab (2,000 responses).

    Examples
    --------
    >>> survey = load_survey()
    >>> survey.shape
    (2000, 8)
    >>> list(survey.columns)
    ['response_id', 'quarter', 'channel', 'recommend', 'satisfaction', 'effort', 'sentiment', 'topic']
    """
    return _read("survey")


def data_card(name: str, *, sections=None) -> str:
    """The data card (Markdown) of a course data set: columns, model and seed.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`.
    sections : sequence of str, optional
        Titles of the card's ``##`` sections to keep (for example ``["Columns"]``), in
        the card's order, after its title and opening paragraphs. Default: the whole card.

    Examples
    --------
    >>> print(data_card("survey").splitlines()[0])
    # Data card: `survey`
    >>> short = data_card("survey", sections=["Columns"])
    >>> "## Columns" in short and "## Variants" not in short
    True
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; the course has {DATASETS}")
    card = resources.files("cxlab").joinpath("datasets", f"{name}.md").read_text(encoding="utf-8")
    if sections is None:
        return card
    if isinstance(sections, str) or not all(isinstance(title, str) for title in sections):
        raise TypeError(f"sections must be a list of section titles, not {sections!r}")
    pieces = re.split(r"(?m)^(?=## )", card)
    found = {piece.splitlines()[0][3:].strip(): piece for piece in pieces[1:]}
    unknown = [title for title in sections if title not in found]
    if unknown:
        raise ValueError(f"the data card of {name!r} has no section {unknown[0]!r}; its sections are {list(found)}")
    kept = [piece for title, piece in found.items() if title in sections]
    return (pieces[0] + "".join(kept)).rstrip() + "\n"


def exercise(assignment: str, variant: str):
    """The data of an exercise for one variant; see :func:`cxlab.data.variants.exercise`.

    >>> exercise("nps", "practice-001").variant
    'practice-001'
    """
    from .variants import exercise as _exercise

    return _exercise(assignment, variant)


# ------------------------------------------------------------ path models (cxlab.data.paths)

from .paths import load_citizen_survey, load_contact_costs, make_citizen_survey, make_contact_costs  # noqa: E402
