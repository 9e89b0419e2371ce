"""Course data sets: generated from documented, seeded models and shipped as CSV.

Each data set has a generator (``make_*``), a loader (``load_*``) that reads the
shipped copy, and a data card (:func:`data_card`) that says what every column means
and how the data were made. The shipped CSV is exactly what the generator returns
for the default seed; the test suite checks that they never drift apart.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

DATASETS = ("survey",)

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
    rng = np.random.default_rng(seed)
    parts = []
    for quarter in _QUARTERS:
        for channel in _CHANNELS:
            size = _SURVEY_SIZES[channel]
            latent = rng.normal(_SURVEY_MEANS[channel, quarter], 1.0, size)
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


def data_card(name: str) -> str:
    """The data card (Markdown) of a course data set: columns, model and seed.

    Examples
    --------
    >>> print(data_card("survey").splitlines()[0])
    # Data card: `survey`
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; the course has {DATASETS}")
    return resources.files("cxlab").joinpath("datasets", f"{name}.md").read_text(encoding="utf-8")


def write_datasets(directory=None) -> list:
    """Regenerate every shipped CSV from its generator (run after changing a model)."""
    from pathlib import Path

    target = Path(directory) if directory else Path(str(resources.files("cxlab").joinpath("datasets")))
    written = []
    path = target / "survey.csv"
    make_survey().to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    return written
