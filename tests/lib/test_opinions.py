"""Who answered: a measure by group adds up to the headline, and the gap between two bases.

The decomposition is an identity (a weighted mean is the share-weighted sum of the groups'
means), checked on generated samples; the gap's point value is checked by hand and its
bootstrap interval against the simulated truth of the course's health-care survey.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxlab
from cxlab import data, opinions

rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 10), st.floats(0.1, 10)),
                min_size=3, max_size=60)


@settings(max_examples=60, deadline=None)
@given(rows, st.sampled_from(["nps", "csat", "proportion"]), st.booleans())
def test_group_contributions_add_up_to_the_headline(answers, metric, weighted):
    frame = pd.DataFrame(answers, columns=["group", "score", "weight"])
    if metric == "csat":
        frame["score"] = frame["score"] // 2 % 5 + 1
    if metric == "proportion":
        frame["score"] = frame["score"] >= 7
    function = {"nps": cxlab.nps, "csat": cxlab.csat, "proportion": cxlab.proportion}[metric]
    weights = "weight" if weighted else None
    table = opinions.measure_by_group(frame, "score", "group", metric=metric, weights=weights)
    headline = function(frame["score"], weights=frame["weight"] if weighted else None).value
    assert table["contribution"].sum() == pytest.approx(headline, abs=1e-9)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["n"].sum() == len(frame)


def test_measure_by_group_by_hand():
    frame = pd.DataFrame({"uses": ["yes"] * 4 + ["no"] * 6, "unhappy": [True, False, False, False] + [True] * 5 + [False],
                          "weight": [2.0] * 4 + [1.0] * 6})
    table = opinions.measure_by_group(frame, "unhappy", "uses", weights="weight")
    # Weighted: users carry 8 of 14 units of weight; 2 of their 8 are unhappy.
    assert table.loc["yes", "share"] == pytest.approx(8 / 14)
    assert table.loc["yes", "value"] == pytest.approx(25.0)
    assert table["contribution"].sum() == pytest.approx(100 * (2 + 5) / 14)


def test_base_gap_on_the_health_survey_matches_the_model_and_covers_it():
    health = data.load_health_opinions()
    gap = opinions.base_gap(health, "dissatisfied", "used_public", seed=4)
    everyone = 100 * health["dissatisfied"].mean()
    users = 100 * health.loc[health["used_public"], "dissatisfied"].mean()
    assert (gap.everyone, gap.among) == pytest.approx((everyone, users))
    assert gap.value == pytest.approx(everyone - users)
    assert gap.low < gap.value < gap.high
    assert gap.low > 0, "the headline is clearly above the users' own rating in this sample"
    assert gap.n_among == int(health["used_public"].sum())
    wider = gap.confidence_interval(0.99)
    assert wider.low < gap.low and wider.high > gap.high


def test_base_gap_interval_covers_the_true_gap_in_repeated_samples():
    # Users 40% unhappy, others 80%, half the sample users: the true gap is 20 points.
    rng = np.random.default_rng(8)
    covered = 0
    for _ in range(100):
        user = rng.random(300) < 0.5
        unhappy = rng.random(300) < np.where(user, 0.4, 0.8)
        frame = pd.DataFrame({"user": user, "unhappy": unhappy})
        gap = opinions.base_gap(frame, "unhappy", "user", seed=rng, n_resamples=400)
        truth = 100 * (0.5 * 0.4 + 0.5 * 0.8) - 40.0
        covered += gap.low <= truth <= gap.high
    assert 88 <= covered <= 100


def test_base_gap_with_weights_uses_the_weighted_estimates():
    health = data.load_health_opinions()
    raked = cxlab.rake(health, {"age_group": data.HEALTH_POPULATION_AGE, "use": data.HEALTH_POPULATION_USE})
    gap = opinions.base_gap(health, "dissatisfied", "used_public", weights=raked.weights, seed=1)
    assert gap.everyone == pytest.approx(cxlab.proportion(health["dissatisfied"], weights=raked.weights).value)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda f: opinions.measure_by_group(f, "unhappy", "group", metric="mean"), ValueError, "metric must be one of"),
    (lambda f: opinions.measure_by_group(f, "unhappy", "region"), ValueError, "region"),
    (lambda f: opinions.base_gap(f, "unhappy", "group"), TypeError, "True/False column"),
    (lambda f: opinions.base_gap(f, "unhappy", [True]), ValueError, "3 rows, among has 1"),
    (lambda f: opinions.base_gap(f, "unhappy", [False] * 3), ValueError, "empty"),
    (lambda f: opinions.measure_by_group(f, "unhappy", "group", weights=[1, -1, 1]), ValueError, "0 or more"),
    (lambda f: opinions.headline_at_mix(50, 80, [0.2, 45]), ValueError,
     r"share_others must be a share from 0 to 1 \(0.45 for 45%\), got 45"),
])
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    frame = pd.DataFrame({"group": ["a", "b", "a"], "unhappy": [True, False, True]})
    with pytest.raises(error, match=message):
        call(frame)


def test_missing_answers_follow_nan_policy():
    frame = pd.DataFrame({"group": ["a", "b", "a", "b"], "unhappy": [True, None, False, True]})
    with pytest.raises(ValueError, match="missing"):
        opinions.measure_by_group(frame, "unhappy", "group")
    table = opinions.measure_by_group(frame, "unhappy", "group", nan_policy="omit")
    assert table["n"].tolist() == [2, 1]
