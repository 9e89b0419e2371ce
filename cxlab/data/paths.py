"""The path-model chapter's data: a simulated citizen survey and the costs of citizens' contacts.

Two data sets, each keyed by a *variant* (``"book"`` for the chapter, a student's id or a
practice code for the exercise):

- ``citizen_survey``: one row per citizen who used a public service, with four experience
  items (one per step of the service), a three-item trust scale, a single trust item, three
  compliance items (1-7), whether they took part in a public consultation (``engagement``,
  0/1), their channel and region. The answers are drawn from *true paths* between latent
  variables: experience -> trust (``a``), trust -> compliance (``b``) and a smaller direct
  path experience -> compliance (``direct``), stated in the data card
  (``cxlab.data.data_card("citizen_survey")``) and in :data:`BOOK_MODEL`.
- ``contact_costs``: contacts with the offices of a pilot region and of a comparison region,
  per service and channel, in the year before and the year after a process fix, with the
  cost of one contact per channel: the "cost avoided" side of the argument (contacts avoided
  times the cost per contact).

The book's data are shipped as CSV and equal :func:`make_citizen_survey` and
:func:`make_contact_costs` with their default seeds; the exercise's variants
(:func:`generate`) draw their own model from a :class:`cxlab.data.variants.StableRandom`
and are vetted by :func:`knife_edges`.

Layer 4 of cxlab (data): numpy, pandas, :mod:`cxlab._validate`, and (inside the vetting only) :mod:`cxlab.paths`.
"""

from __future__ import annotations

import functools
import math
from importlib import resources

import numpy as np
import pandas as pd

from .._validate import seed_sequence

#: Service steps rated in the survey, one experience item each (``exp_1`` .. ``exp_4``).
SERVICE_STEPS = ("finding information", "applying", "waiting for the decision", "the decision letter")
EXPERIENCE_ITEMS = ("exp_1", "exp_2", "exp_3", "exp_4")
TRUST_ITEMS = ("trust_1", "trust_2", "trust_3")
COMPLIANCE_ITEMS = ("compliance_1", "compliance_2", "compliance_3")
CHANNELS = ("online", "phone", "office")
REGIONS = ("Northern", "Central", "Southern", "Coastal")
SERVICES = ("tax return", "benefit claim", "ID card", "vehicle registration", "building permit")
N_CITIZENS = 1200

#: The book's true model: paths between standardised latent variables, item loadings, means.
BOOK_MODEL = {
    "paths": {"a": 0.60, "b": 0.50, "direct": 0.15},
    "loadings": {"exp_1": 0.75, "exp_2": 0.70, "exp_3": 0.80, "exp_4": 0.65,
                 "trust_1": 0.85, "trust_2": 0.80, "trust_3": 0.75,
                 "compliance_1": 0.80, "compliance_2": 0.75, "compliance_3": 0.70},
    "trust_single": 0.60,
    "means": {"exp_1": 4.6, "exp_2": 4.2, "exp_3": 3.8, "exp_4": 4.4, "trust_1": 4.1, "trust_2": 3.9,
              "trust_3": 4.3, "trust_single": 4.0, "compliance_1": 5.2, "compliance_2": 4.9, "compliance_3": 5.0},
    "cross_loading": None,
    "channel_shares": {"online": 0.55, "phone": 0.25, "office": 0.20},
    "channel_shift": {"online": 0.20, "phone": -0.10, "office": -0.30},
    "region_shift": {"Northern": 0.10, "Central": 0.0, "Southern": -0.10, "Coastal": 0.05},
    "engagement": {"intercept": -0.40, "trust": 0.70},
}
#: Spread of an item around its mean, in scale points per unit of its latent variable plus noise.
ITEM_SCALE = 1.2

#: The book's contact costs: EUR per contact, by channel (invented for the example).
BOOK_COST_PER_CONTACT = {"online": 1.80, "phone": 6.50, "office": 14.00}
#: Contacts a year in the pilot region before the fix, by service and channel.
BOOK_CONTACTS = {
    "tax return": {"online": 42_000, "phone": 15_000, "office": 6_000},
    "benefit claim": {"online": 9_000, "phone": 11_000, "office": 8_000},
    "ID card": {"online": 7_000, "phone": 3_000, "office": 12_000},
    "vehicle registration": {"online": 6_000, "phone": 4_000, "office": 7_000},
    "building permit": {"online": 1_500, "phone": 2_500, "office": 3_000},
}
#: Change of contacts in the comparison region (no fix) and extra change in the pilot, by channel.
BOOK_TREND = {"online": 0.08, "phone": -0.05, "office": -0.06}
BOOK_FIX = {"online": -0.04, "phone": -0.22, "office": -0.18}

CITIZEN_SEED = 20260534
COSTS_SEED = 20260531

#: The chapter's task: what the book variant asks.
BOOK_TASK = {"confidence_level": 0.95, "bootstrap_seed": 1, "n_resamples": 1000}
CONFIDENCE_LEVELS = (0.90, 0.95, 0.99)
#: The SEM of the chapter and the exercise, in lavaan's syntax.
SEM_MODEL = """
experience =~ exp_1 + exp_2 + exp_3 + exp_4
trust =~ trust_1 + trust_2 + trust_3
compliance =~ compliance_1 + compliance_2 + compliance_3
trust ~ experience
compliance ~ trust + experience
"""
#: The rule of thumb the exercise reads the fit with (Hu and Bentler's cut-offs).
CFI_MIN, RMSEA_MAX = 0.95, 0.06


def _rng(seed) -> np.random.Generator:
    """The generator of a shipped data set, as ``cxlab.data`` makes them (``seed`` checked)."""
    return np.random.default_rng(seed_sequence(seed))


def _items(rng, latent: np.ndarray, loading: float, mean: float, extra=None) -> np.ndarray:
    """A 1-7 item: ``mean + ITEM_SCALE * (loading * latent [+ k * other] + noise)``, rounded and clipped."""
    signal = loading * latent
    unique = 1.0 - loading**2
    if extra is not None:
        other, weight = extra
        signal = signal + weight * other
        unique -= weight**2
    noise = math.sqrt(max(unique, 0.05)) * rng.normal(0.0, 1.0, len(latent))
    return np.clip(np.rint(mean + ITEM_SCALE * (signal + noise)), 1, 7).astype("int64")


def _citizen_survey(rng, model: dict, n: int = N_CITIZENS, *, latent: bool = False) -> pd.DataFrame:
    """The model of the citizen survey (see the data card), drawn from ``rng``.

    ``rng`` is a :class:`numpy.random.Generator` (the shipped file) or a
    :class:`cxlab.data.variants.StableRandom` (the exercise's variants): only ``normal``,
    ``random`` and ``choice`` are used.
    """
    shares = model["channel_shares"]
    channel = np.asarray(rng.choice(np.array(CHANNELS), size=n, p=[shares[name] for name in CHANNELS]))
    region = np.asarray(rng.choice(np.array(REGIONS), size=n))
    paths = model["paths"]
    shift = np.array([model["channel_shift"][name] for name in channel])
    experience = shift + rng.normal(0.0, 1.0, n)
    trust = (np.array([model["region_shift"][name] for name in region]) + paths["a"] * experience
             + math.sqrt(1 - paths["a"] ** 2) * rng.normal(0.0, 1.0, n))
    explained = paths["b"] ** 2 + paths["direct"] ** 2 + 2 * paths["a"] * paths["b"] * paths["direct"]
    compliance = (paths["b"] * trust + paths["direct"] * experience
                  + math.sqrt(max(1 - explained, 0.2)) * rng.normal(0.0, 1.0, n))
    factors = {"exp": experience, "trust": trust, "compliance": compliance}
    loadings, means = model["loadings"], model["means"]
    cross = model.get("cross_loading")
    columns = {}
    for name in (*EXPERIENCE_ITEMS, *TRUST_ITEMS, *COMPLIANCE_ITEMS):
        extra = None
        if cross and cross["item"] == name:
            extra = (factors["trust" if cross["on"] == "trust" else "compliance"], cross["loading"])
        columns[name] = _items(rng, factors[name.split("_")[0]], loadings[name], means[name], extra)
    single = _items(rng, trust, model["trust_single"], means["trust_single"])
    engaged = model["engagement"]
    chance = 1 / (1 + np.exp(-(engaged["intercept"] + engaged["trust"] * trust)))
    engagement = (rng.random(n) < chance).astype("int64")
    survey = pd.DataFrame({
        "citizen": np.arange(1, n + 1, dtype="int64"),
        "channel": channel.astype(str),
        "region": region.astype(str),
        **columns,
        "trust_single": single,
        "engagement": engagement,
    })
    if latent:
        for name, values in (("experience", experience), ("trust", trust), ("compliance", compliance)):
            survey[f"{name}_latent"] = values
    return survey


def simulate_citizen_survey(n: int = N_CITIZENS, *, a: float = 0.60, b: float = 0.50, direct: float = 0.15,
                            trust_single: float = 0.60, seed=None, latent: bool = False) -> pd.DataFrame:
    """A citizen survey from the book's model with other true paths or another single trust item.

    ``a`` (experience -> trust), ``b`` (trust -> compliance) and ``direct`` (experience ->
    compliance) are paths between the latent variables, each between -0.95 and 0.95;
    ``trust_single`` is the single trust item's loading on latent trust (0 to 1: its
    reliability is about its square). ``latent=True`` adds the latent variables themselves
    (``experience_latent``, ``trust_latent``, ``compliance_latent``), which no real survey has.

    Examples
    --------
    >>> frame = simulate_citizen_survey(200, b=0.0, seed=1, latent=True)
    >>> frame.shape
    (200, 18)
    """
    for name, value in (("a", a), ("b", b), ("direct", direct)):
        if not -0.95 <= float(value) <= 0.95:
            raise ValueError(f"{name} = {value} is not a path between -0.95 and 0.95")
    if not 0.0 <= float(trust_single) <= 1.0:
        raise ValueError(f"trust_single = {trust_single} is not a loading between 0 and 1")
    model = {**BOOK_MODEL, "paths": {"a": float(a), "b": float(b), "direct": float(direct)},
             "trust_single": float(trust_single)}
    return _citizen_survey(np.random.default_rng(seed_sequence(seed)), model, int(n), latent=latent)


def _contact_costs(rng, contacts: dict, costs: dict, trend: dict, fix: dict) -> pd.DataFrame:
    """Contacts before and after in the pilot and the comparison region (see the data card)."""
    rows = []
    for service, by_channel in contacts.items():
        for channel, before in by_channel.items():
            # the comparison region is about as big as the pilot; both move with the trend, the pilot also with the fix
            comparison_before = before * float(rng.uniform(0.85, 1.15))
            noise = rng.normal(0.0, 0.015, 2)
            pilot_after = before * (1 + trend[channel] + fix[channel] + float(noise[0]))
            comparison_after = comparison_before * (1 + trend[channel] + float(noise[1]))
            rows.append({"service": service, "channel": channel, "cost_per_contact": float(costs[channel]),
                         "pilot_before": int(round(before)), "pilot_after": int(round(pilot_after)),
                         "comparison_before": int(round(comparison_before)),
                         "comparison_after": int(round(comparison_after))})
    return pd.DataFrame(rows)


def make_citizen_survey(seed: int = CITIZEN_SEED) -> pd.DataFrame:
    """Generate the book's citizen survey (see ``data_card("citizen_survey")``).

    Examples
    --------
    >>> survey = make_citizen_survey()
    >>> survey.shape
    (1200, 15)
    """
    return _citizen_survey(_rng(seed), BOOK_MODEL)


def make_contact_costs(seed: int = COSTS_SEED) -> pd.DataFrame:
    """Generate the book's contacts and costs per contact (see ``data_card("contact_costs")``).

    Examples
    --------
    >>> make_contact_costs().shape
    (15, 7)
    """
    return _contact_costs(_rng(seed), BOOK_CONTACTS, BOOK_COST_PER_CONTACT, BOOK_TREND, BOOK_FIX)


def _read(name: str) -> pd.DataFrame:
    # the shipped copy, read here rather than through cxlab.data, which imports this module
    with resources.files("cxlab").joinpath("datasets", f"{name}.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def load_citizen_survey(variant: str = "book") -> pd.DataFrame:
    """The simulated citizen survey of a variant: ``"book"`` (the chapter's), a student's id or a practice code.

    One row per citizen: ``exp_1`` .. ``exp_4``, ``trust_1`` .. ``trust_3``,
    ``compliance_1`` .. ``compliance_3`` and ``trust_single`` on a 1-7 scale,
    ``engagement`` (0/1), ``channel`` and ``region``; see ``data_card("citizen_survey")``.

    Examples
    --------
    >>> load_citizen_survey().shape
    (1200, 15)
    """
    if variant == "book":
        return _read("citizen_survey")
    from .variants import exercise

    return exercise("paths", variant)["citizen_survey"]


def load_contact_costs(variant: str = "book") -> pd.DataFrame:
    """Contacts with a pilot and a comparison region, before and after a fix, with the cost per contact (EUR).

    One row per service and channel; see ``data_card("contact_costs")``. The cost avoided
    is the contacts avoided times the cost per contact.

    Examples
    --------
    >>> costs = load_contact_costs()
    >>> int(((costs["pilot_before"] - costs["pilot_after"]) * costs["cost_per_contact"]).sum() > 0)
    1
    """
    if variant == "book":
        return _read("contact_costs")
    from .variants import exercise

    return exercise("paths", variant)["contact_costs"]


# ---------------------------------------------------------------------------------------- variants

def book() -> tuple[dict[str, pd.DataFrame], dict]:
    return {"citizen_survey": _read("citizen_survey"), "contact_costs": _read("contact_costs")}, dict(BOOK_TASK)


def _round(value: float, places: int = 2) -> float:
    return round(float(value), places)


def draw_model(world) -> dict:
    """One variant's true model: its paths, loadings, means, cross-loading and channels."""
    a = _round(world.uniform(0.35, 0.75))
    # in about a quarter of the variants trust does not drive compliance at all
    b = 0.0 if world.random() < 0.25 else _round(world.uniform(0.25, 0.60))
    direct = _round(world.uniform(0.05, 0.30))
    loadings = {name: _round(world.uniform(0.60, 0.88)) for name in (*EXPERIENCE_ITEMS, *TRUST_ITEMS, *COMPLIANCE_ITEMS)}
    means = {name: _round(world.uniform(3.4, 5.4), 1) for name in (*EXPERIENCE_ITEMS, *TRUST_ITEMS, "trust_single")}
    means.update({name: _round(world.uniform(4.4, 5.6), 1) for name in COMPLIANCE_ITEMS})
    # some variants' items measure more than their own factor: the model the exercise fits then misses a path
    cross = None
    if world.random() < 0.5:
        cross = {"item": str(world.choice(np.array(EXPERIENCE_ITEMS))), "on": "trust",
                 "loading": _round(world.uniform(0.35, 0.60))}
    online = _round(world.uniform(0.40, 0.65))
    phone = _round(world.uniform(0.15, 0.35))
    shift = world.uniform(-0.35, 0.35, 3)
    return {
        "paths": {"a": a, "b": b, "direct": direct},
        "loadings": loadings,
        "trust_single": _round(world.uniform(0.45, 0.65)),
        "means": means,
        "cross_loading": cross,
        "channel_shares": {"online": online, "phone": phone, "office": _round(1 - online - phone)},
        "channel_shift": {name: _round(value) for name, value in zip(CHANNELS, shift, strict=True)},
        "region_shift": {name: _round(value) for name, value in zip(REGIONS, world.uniform(-0.15, 0.15, 4), strict=True)},
        "engagement": {"intercept": _round(world.uniform(-0.8, 0.2)), "trust": _round(world.uniform(0.3, 0.9))},
    }


def _draw_costs(world) -> tuple[dict, dict, dict, dict]:
    costs = {"online": _round(world.uniform(0.8, 3.0)), "phone": _round(world.uniform(4.0, 9.0)),
             "office": _round(world.uniform(10.0, 22.0))}
    contacts = {service: {channel: int(world.integers(10, 400)) * 100 for channel in CHANNELS} for service in SERVICES}
    trend = {"online": _round(world.uniform(0.0, 0.15), 3), "phone": _round(world.uniform(-0.10, 0.02), 3),
             "office": _round(world.uniform(-0.12, 0.0), 3)}
    fix = {"online": _round(world.uniform(-0.08, 0.04), 3), "phone": _round(world.uniform(-0.30, -0.08), 3),
           "office": _round(world.uniform(-0.28, -0.06), 3)}
    return contacts, costs, trend, fix


def generate(rng) -> tuple[dict[str, pd.DataFrame], dict]:
    model = draw_model(rng.spawn("model"))
    survey = _citizen_survey(rng.spawn("survey"), model)
    contacts, costs, trend, fix = _draw_costs(rng.spawn("costs world"))
    contact_costs = _contact_costs(rng.spawn("costs"), contacts, costs, trend, fix)
    asked = rng.spawn("task")
    task = {"confidence_level": float(asked.choice(np.array(CONFIDENCE_LEVELS))),
            "bootstrap_seed": int(asked.integers(2, 100_000)),
            "n_resamples": 1000}
    return {"citizen_survey": survey, "contact_costs": contact_costs}, task


# ---------------------------------------------------------------------------------------- answers and vetting

def scale_scores(survey: pd.DataFrame) -> pd.DataFrame:
    """The mean of each scale's items: ``experience``, ``trust`` and ``compliance`` (1-7)."""
    return pd.DataFrame({"experience": survey[list(EXPERIENCE_ITEMS)].mean(axis=1),
                         "trust": survey[list(TRUST_ITEMS)].mean(axis=1),
                         "compliance": survey[list(COMPLIANCE_ITEMS)].mean(axis=1),
                         "trust_single": survey["trust_single"].astype(float)})


def cost_avoided(costs: pd.DataFrame) -> pd.DataFrame:
    """Per row, the cost avoided (EUR): plain (before minus after) and beyond the comparison region's trend."""
    expected = costs["pilot_before"] * costs["comparison_after"] / costs["comparison_before"]
    return pd.DataFrame({
        "service": costs["service"], "channel": costs["channel"],
        "naive": (costs["pilot_before"] - costs["pilot_after"]) * costs["cost_per_contact"],
        "beyond_trend": (expected - costs["pilot_after"]) * costs["cost_per_contact"],
    })


def answers_of(tables: dict, task: dict) -> tuple[dict, dict]:
    """The exercise's model answers, and what lies behind its knife-edges (uses :mod:`cxlab.paths`)."""
    from .. import paths

    survey = tables["citizen_survey"]
    scores = scale_scores(survey)
    trust_alpha = paths.cronbach_alpha(survey, list(TRUST_ITEMS))
    compliance_alpha = paths.cronbach_alpha(survey, list(COMPLIANCE_ITEMS))
    r = float(np.corrcoef(scores["experience"], scores["compliance"])[0, 1])
    slope = float(np.polyfit(scores["experience"], scores["compliance"], 1)[0])
    options = {"n_resamples": task["n_resamples"], "confidence_level": task["confidence_level"],
               "seed": task["bootstrap_seed"]}
    scale = paths.mediation(scores, x="experience", m="trust", y="compliance", **options)
    single = paths.mediation(scores, x="experience", m="trust_single", y="compliance", **options)
    sem = paths.fit_sem(survey, SEM_MODEL)
    table = sem.paths().set_index(["lhs", "rhs"])
    fit = sem.fit
    avoided = cost_avoided(tables["contact_costs"])
    by_service = avoided.groupby("service")["beyond_trend"].sum().sort_values(ascending=False)
    answers = {
        "trust_alpha": trust_alpha.value,
        "compliance_alpha": compliance_alpha.value,
        "r_experience_compliance": r,
        "naive_slope": slope,
        "indirect": scale.value,
        "direct": scale.direct,
        "indirect_excludes_zero": bool(scale.low > 0 or scale.high < 0),
        "indirect_single": single.value,
        "direct_single": single.direct,
        "sem_a": float(table.loc[("trust", "experience"), "std_all"]),
        "sem_b": float(table.loc[("compliance", "trust"), "std_all"]),
        "sem_chi2": float(fit["chi2"]),
        "cfi": float(fit["cfi"]),
        "rmsea": float(fit["rmsea"]),
        "fit_acceptable": bool(fit["cfi"] >= CFI_MIN and fit["rmsea"] <= RMSEA_MAX),
        "cost_avoided_naive": float(avoided["naive"].sum()),
        "cost_avoided_beyond_trend": float(avoided["beyond_trend"].sum()),
        "top_service": str(by_service.index[0]),
    }
    behind = {"mediation": scale, "single": single, "by_service": by_service, "sem": sem}
    return answers, behind


#: Graded tolerance of each numeric answer (None: exact).
TOLERANCE = {"trust_alpha": 0.01, "compliance_alpha": 0.01, "r_experience_compliance": 0.01, "naive_slope": 0.01,
             "indirect": 0.01, "direct": 0.01, "indirect_single": 0.01, "direct_single": 0.01, "sem_a": 0.01,
             "sem_b": 0.01, "sem_chi2": 0.01, "cfi": 0.01, "rmsea": 0.01, "cost_avoided_naive": 1.0, "cost_avoided_beyond_trend": 1.0}
_MARGIN = 0.005
#: The exercise's autograded questions and the answers each declares (question 8 is written).
QUESTIONS = {
    1: ("trust_alpha", "compliance_alpha"),
    2: ("r_experience_compliance", "naive_slope"),
    3: ("indirect", "direct", "indirect_excludes_zero"),
    4: ("indirect_single", "direct_single"),
    5: ("sem_a", "sem_b"),
    6: ("sem_chi2", "cfi", "rmsea", "fit_acceptable"),
    7: ("cost_avoided_naive", "cost_avoided_beyond_trend", "top_service"),
}


@functools.lru_cache(maxsize=1)
def _chapter_answers() -> dict:
    tables, task = book()
    return answers_of(tables, task)[0]


def knife_edges(tables: dict, task: dict) -> list[str]:
    """Why this draw cannot be a fair exercise (an empty list when it can)."""
    answers, behind = answers_of(tables, task)
    reasons = []
    mediation = behind["mediation"]
    width = mediation.high - mediation.low
    if min(abs(mediation.low), abs(mediation.high)) < 0.05 * width:
        reasons.append(f"an end of the indirect effect's interval ({mediation.low:.4f}, {mediation.high:.4f}) "
                       "lies within 5% of its width of 0")
    if abs(answers["cfi"] - CFI_MIN) < 0.005:
        reasons.append(f"the CFI ({answers['cfi']:.4f}) lies within 0.005 of {CFI_MIN}")
    if abs(answers["rmsea"] - RMSEA_MAX) < 0.004:
        reasons.append(f"the RMSEA ({answers['rmsea']:.4f}) lies within 0.004 of {RMSEA_MAX}")
    services = behind["by_service"].to_numpy()
    if services[0] - services[1] < 0.02 * abs(services[0]):
        reasons.append("the two services that save most lie within 2% of each other")
    if abs(answers["cost_avoided_naive"] - answers["cost_avoided_beyond_trend"]) < 500:
        reasons.append("the cost avoided beyond the trend lies within EUR 500 of the plain one")
    chapter = _chapter_answers()
    for question, names in QUESTIONS.items():
        if all(_reproduces(name, answers[name], chapter[name]) for name in names):
            reasons.append(f"every answer of question {question} ({', '.join(names)}) reproduces the chapter's")
    return reasons


def _reproduces(name: str, value, figure) -> bool:
    tolerance = TOLERANCE.get(name)
    if tolerance is None:
        return value == figure
    # a value check compares answers rounded to the graded decimals, one unit either way: up to two units apart
    return abs(value - figure) <= 2 * tolerance + _MARGIN
