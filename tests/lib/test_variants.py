"""Exercise variants (cxlab.data.variants): draws that are the same everywhere, fingerprints, vetting.

Reference values: the uniforms below are PCG64's first raw words for the key "pin", turned into
doubles by the top-53-bit rule; they were computed once and are pinned, so that a change of
numpy's stream, of the transforms or of the key derivation fails here before it changes any
student's data. Distribution checks compare the transforms with scipy.stats' distributions
(Kolmogorov-Smirnov tests, fixed keys, so they cannot flake).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlab.data import variants
from cxlab.data.variants import BOOK, GENERATORS, PRACTICE_CODES, StableRandom, check_variant, exercise, fingerprint


def test_the_stream_is_pinned():
    assert StableRandom("pin").random(3).tolist() == [0.9350683773192773, 0.3725560268145153, 0.8724563674452106]
    assert StableRandom("pin").integers(0, 11, 5).tolist() == [10, 4, 9, 7, 5]
    assert StableRandom("pin").normal(0, 1, 3).round(12).tolist() == [1.514641386346, -0.325091193803, 1.138079553297]


def test_the_same_variant_gives_the_same_data_in_a_fresh_process_with_another_hash_seed():
    code = "from cxlab.data import exercise; print(exercise('nps', 's0042').fingerprint)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert printed.stdout.strip() == exercise("nps", "s0042").fingerprint


@pytest.mark.parametrize("draw, reference", [
    (lambda rng: rng.normal(2.0, 3.0, 20_000), stats.norm(2.0, 3.0).cdf),
    (lambda rng: rng.uniform(-1.0, 4.0, 20_000), stats.uniform(-1.0, 5.0).cdf),
    (lambda rng: rng.exponential(2.5, 20_000), stats.expon(scale=2.5).cdf),
    (lambda rng: rng.gamma(3.0, 2.0, 20_000), stats.gamma(3.0, scale=2.0).cdf),
])
def test_continuous_transforms_follow_their_distributions(draw, reference):
    assert stats.kstest(draw(StableRandom("ks")), reference).pvalue > 0.001


def test_discrete_transforms_follow_their_distributions():
    rng = StableRandom("discrete")
    counts = np.bincount(rng.integers(0, 11, 55_000), minlength=11)
    assert stats.chisquare(counts).pvalue > 0.001
    picks = rng.choice(["a", "b", "c"], 30_000, p=[0.5, 0.3, 0.2])
    observed = [np.sum(picks == label) for label in "abc"]
    assert stats.chisquare(observed, [15_000, 9_000, 6_000]).pvalue > 0.001
    binomial = rng.binomial(20, 0.3, 20_000)
    assert abs(binomial.mean() - 6.0) < 0.05 and abs(binomial.var() - 4.2) < 0.15
    poisson = rng.poisson(4.0, 20_000)
    assert abs(poisson.mean() - 4.0) < 0.05 and abs(poisson.var() - 4.0) < 0.15


@given(st.integers(1, 500), st.text(min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_a_permutation_holds_every_item_once(size, key):
    assert sorted(StableRandom(key).permutation(size).tolist()) == list(range(size))


def test_spawned_streams_are_independent_of_each_other_and_of_their_parent():
    parent = StableRandom("parent")
    first, second = parent.spawn("a").random(1000), parent.spawn("b").random(1000)
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.1
    assert np.array_equal(StableRandom("parent").spawn("a").random(1000), first)


def test_a_fingerprint_ignores_the_last_bits_of_a_float_but_not_a_changed_value():
    table = pd.DataFrame({"score": [1.25, 2.5, np.nan], "label": ["a", "b", "c"]})
    noisy = table.assign(score=table["score"] * (1 + 1e-15))
    assert fingerprint(table) == fingerprint(noisy)
    assert fingerprint(table) != fingerprint(table.assign(score=[1.25, 2.51, np.nan]))
    assert fingerprint(table, {"quarter": "2026-Q1"}) != fingerprint(table, {"quarter": "2026-Q2"})


@pytest.mark.parametrize("bad, error, phrase", [
    ("", ValueError, "VARIANT is empty"),
    ("   ", ValueError, "VARIANT is empty"),
    ("two words", ValueError, "is not a variant"),
    ("x" * 65, ValueError, "is not a variant"),
    ("s1\nimport os", ValueError, "is not a variant"),
    (1234567, TypeError, "not int"),
    (None, TypeError, "not NoneType"),
])
def test_a_bad_variant_is_refused_with_a_message_that_says_what_to_type(bad, error, phrase):
    with pytest.raises(error, match=phrase):
        check_variant(bad)


def test_an_unknown_assignment_names_the_ones_there_are():
    with pytest.raises(ValueError, match=r"unknown assignment 'npx'.*'nps'"):
        exercise("npx", "practice-001")


def test_a_table_handed_out_is_a_copy():
    first = exercise("nps", "practice-003")["survey"]
    first["recommend"] = -1
    assert (exercise("nps", "practice-003")["survey"]["recommend"] >= 0).all()


def test_practice_codes_are_public_and_distinct_from_student_ids():
    assert len(PRACTICE_CODES) == 100 and len(set(PRACTICE_CODES)) == 100
    assert all(check_variant(code) == code for code in PRACTICE_CODES)
    assert variants.is_practice_code("practice-042") and not variants.is_practice_code("s0042")


@pytest.mark.parametrize("assignment", sorted(GENERATORS))
def test_no_practice_variant_has_the_books_data(assignment):
    """(Student variants: each assignment's test file checks the 200 it vets.)"""
    book = exercise(assignment, BOOK).fingerprint
    for code in PRACTICE_CODES[:10]:
        assert exercise(assignment, code).fingerprint != book
