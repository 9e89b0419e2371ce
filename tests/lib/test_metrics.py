"""Point metrics (NSS, top and bottom box, category counts) against their published definitions.

Net Sentiment Score: (positive - negative) / all mentions, in percent. Its range and
antisymmetry are checked on generated counts (hypothesis).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxlab
from cxlab.metrics import nps_counts, scale_counts


def test_nss_definition():
    assert cxlab.nss(positive=30, negative=10, neutral=10).value == 40.0
    assert cxlab.nss(positive=0, negative=5).value == -100.0
    assert cxlab.nss_from_labels(["positive", "neutral", "negative", "negative", None]).value == -25.0


def test_top_and_bottom_box():
    ratings = [1, 2, 3, 4, 5, 5]
    assert cxlab.top_box(ratings, scale=5, top=2) == pytest.approx(50.0)
    assert cxlab.bottom_box(ratings, scale=5, bottom=1) == pytest.approx(100 / 6)


def test_counts_helpers():
    assert nps_counts([10, 8, 2]).n == 3
    assert scale_counts([1, 1, 3], low=1, high=3).tolist() == [2, 0, 1]


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_nss_range_and_antisymmetry(positive, negative, neutral):
    if positive + negative + neutral == 0:
        return
    forward = cxlab.nss(positive, negative, neutral).value
    assert -100 <= forward <= 100
    assert forward == -cxlab.nss(negative, positive, neutral).value


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: cxlab.nss(positive=-1, negative=0), r"positive must be 0 or more"),
        (lambda: cxlab.nss(positive=0, negative=0), r"at least one mention"),
        (lambda: cxlab.nss(positive=1.5, negative=0), r"whole number"),
        (lambda: cxlab.nss_from_labels(["great"]), r"found 'great'"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()
