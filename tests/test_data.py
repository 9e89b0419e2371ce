"""The shipped data sets equal their documented generators, and their data cards cover every column."""

import pandas as pd
import pytest

import cxlab
from cxlab import data


def test_shipped_survey_equals_generator_with_default_seed():
    pd.testing.assert_frame_equal(data.load_survey(), data.make_survey())


def test_generator_is_seeded():
    pd.testing.assert_frame_equal(data.make_survey(seed=3), data.make_survey(seed=3))
    assert not data.make_survey(seed=3).equals(data.make_survey(seed=4))


def test_survey_values_are_on_their_scales():
    survey = data.load_survey()
    assert survey["recommend"].between(0, 10).all()
    assert survey["satisfaction"].between(1, 5).all()
    assert survey["effort"].between(1, 7).all()
    assert set(survey["sentiment"].dropna()) <= {"positive", "neutral", "negative"}
    assert survey["response_id"].is_unique
    # Every metric runs on the shipped data without complaint.
    cxlab.nps(survey["recommend"])
    cxlab.csat(survey["satisfaction"])
    cxlab.ces(survey["effort"])
    cxlab.nss_from_labels(survey["sentiment"])


def test_data_card_documents_every_column():
    card = data.data_card("survey")
    for column in data.load_survey().columns:
        assert f"`{column}`" in card, column


def test_planted_effects_are_recovered_in_a_large_sample():
    # The card says: phone worse in Q2, chat better, branch unchanged. A 20x sample shows it.
    frames = [data.make_survey(seed=seed) for seed in range(100, 120)]
    big = pd.concat(frames)
    q1, q2 = big[big.quarter == "2026-Q1"], big[big.quarter == "2026-Q2"]
    change = {
        channel: cxlab.nps_test(q2[q2.channel == channel].recommend, q1[q1.channel == channel].recommend)
        for channel in ("phone", "chat", "branch")
    }
    assert change["phone"].high < 0
    assert change["chat"].low > 0
    assert change["branch"].low < 0 < change["branch"].high


def test_unknown_data_set_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown data set 'sales'"):
        data.data_card("sales")
