"""Answers as data: what crosses from a student's kernel, exactly, and nothing else."""

from __future__ import annotations

import json
import math

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab.course.grading.answers import (
    MAX_DEPTH,
    MAX_KEY,
    AnswerError,
    NotData,
    RecordedFunction,
    StudentFunctionError,
    decode,
    decode_answers,
    encode,
    snapshot,
)
from cxlab.data import load_survey

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
# Whole numbers in sets and dict keys cross up to MAX_KEY (beyond it they could collide in a hash table).
keys = st.one_of(st.integers(-MAX_KEY, MAX_KEY), st.text(max_size=5))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.frozensets(keys, max_size=5).map(set),
        st.dictionaries(keys, inner, max_size=5),
    ),
    max_leaves=30,
)


def _same(a, b) -> bool:
    """Equal and of exactly the same types, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=200, deadline=None)
@given(values)
def test_plain_values_cross_with_their_exact_types(value):
    crossed = decode_answers(snapshot({"answer": value}, ["answer"]))["answer"]
    assert _same(crossed, value)


@pytest.mark.parametrize("value, plain", [
    (np.int64(7), 7), (np.float32(0.5), 0.5), (np.bool_(True), True), (np.str_("chat"), "chat"),
])
def test_numpy_scalars_arrive_as_plain_python(value, plain):
    crossed = decode(json.loads(json.dumps(encode(value))))
    assert crossed == plain and type(crossed) is type(plain)


def test_non_finite_floats_cross():
    crossed = decode_answers(snapshot({"a": [math.nan, math.inf, -math.inf]}, ["a"]))["a"]
    assert math.isnan(crossed[0]) and crossed[1:] == [math.inf, -math.inf]


def test_arrays_and_tables_cross_with_dtypes_index_and_names():
    survey = load_survey()
    answers = {
        "table": survey.head(40),
        "means": survey.groupby("channel")["recommend"].mean(),
        "matrix": np.arange(12, dtype=np.int32).reshape(3, 4),
        "multi": survey.set_index(["channel", "quarter"]).head(5),
        "optional": pd.Series([1, None], dtype="Int64", name="n"),
    }
    crossed = decode_answers(snapshot(answers, list(answers)))
    pd.testing.assert_frame_equal(crossed["table"], answers["table"])
    pd.testing.assert_series_equal(crossed["means"], answers["means"])
    np.testing.assert_array_equal(crossed["matrix"], answers["matrix"])
    assert crossed["matrix"].dtype == np.int32
    pd.testing.assert_frame_equal(crossed["multi"], answers["multi"])
    pd.testing.assert_series_equal(crossed["optional"], answers["optional"])


def test_objects_that_are_not_data_arrive_as_named_placeholders():
    class Answer(float):  # a subclass is not a float here: its methods could run in the checker
        def __eq__(self, other):
            return True

    crossed = decode_answers(snapshot({"result": Answer(1.0), "f": len, "m": math}, ["result", "f", "m"]))
    # a known type keeps its name; a class of the student's own is just an object
    assert [type(crossed[name]).__name__ for name in ("result", "f", "m")] == ["object", "builtin_function_or_method",
                                                                               "module"]
    assert all(isinstance(value, NotData) for value in crossed.values())
    assert crossed["result"] != 1.0
    with pytest.raises(AttributeError, match="not plain data"):
        crossed["result"].value
    class NPSResult:
        value = 12.0

    series = decode_answers(snapshot({"s": pd.Series([NPSResult(), 2.0])}, ["s"]))["s"]
    assert [type(item).__name__ for item in series] == ["NPSResult", "float"]


def test_placeholder_types_stay_few_whatever_names_arrive():
    from cxlab.course.grading import answers as module

    decode_answers(json.dumps({"a": {"$list": [{"$opaque": f"Name{i}"} for i in range(5000)]}}))
    before = len(module._PLACEHOLDERS)
    crossed = decode_answers(json.dumps({"a": {"$list": [{"$opaque": f"Other{i}"} for i in range(5000)]}}))["a"]
    assert len(module._PLACEHOLDERS) == before <= len(module.known_type_names()) + 1
    assert {type(item).__name__ for item in crossed} == {"object"}


def test_unbound_names_stay_unbound():
    assert decode_answers(snapshot({"a": 1}, ["a", "b"])) == {"a": 1}


@pytest.mark.parametrize("text, why", [
    ("not json", "not JSON"),
    ("[1, 2]", "not a mapping"),
    ('{"x": {"$code": "import os"}}', "unexpected tag"),
    ('{"x": {"$ndarray": {"dtype": "O", "shape": [1], "values": [1]}}}', "cannot cross"),
    ('{"x": {"$ndarray": {"dtype": "<f8", "shape": [3], "values": [1.0]}}}', "do not fill"),
    ('{"x": {"$ndarray": {"dtype": "<i8", "shape": [1], "values": ["1"]}}}', "not numbers"),
    ('{"x": {"$dict": [[{"$list": []}, 1]]}}', "unhashable"),
    ('{"not a name": 1}', "is not a name"),
    ('{"x": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    ('{"x": ' + '{"$list": [' * (MAX_DEPTH + 2) + "]}" * (MAX_DEPTH + 2) + "}", "levels deep"),
])
def test_anything_else_is_refused_with_a_reason(text, why):
    with pytest.raises(AnswerError, match=why):
        decode_answers(text)


def test_deep_nesting_is_refused_whatever_the_recursion_limit():
    """A library in the grader may raise the recursion limit; the refusal must not depend on it
    (nor may the parser recurse as deep as a submission likes)."""
    deep = '{"x": ' + "[" * 5000 + "]" * 5000 + "}"
    original = sys.getrecursionlimit()
    try:
        for limit in (1000, 100_000):
            sys.setrecursionlimit(limit)
            with pytest.raises(AnswerError, match="nested too deeply"):
                decode_answers(deep)
    finally:
        sys.setrecursionlimit(original)
    # brackets inside text do not count as nesting
    assert decode_answers('{"x": "' + "[" * 500 + '"}') == {"x": "[" * 500}
    # the deepest answers the encoder allows still cross
    nested = []
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    assert decode_answers(snapshot({"x": nested}, ["x"]))["x"] == nested


def test_size_limits_hold_on_both_sides():
    from cxlab.course.grading import answers as module

    huge = np.zeros(module.MAX_ITEMS + 1)
    crossed = decode_answers(snapshot({"big": huge}, ["big"]))
    assert type(crossed["big"]).__name__ == "TooLarge"
    with pytest.raises(AnswerError):
        decode_answers("x" * (module.MAX_TEXT + 1))


def test_a_function_answer_crosses_as_its_results_on_the_declared_calls():
    declared = [{"args": {"$list": [{"$list": [9, 10, 3]}]}}, {"args": {"$list": [{"$list": []}]}}]

    def promoter_share(scores):
        return sum(score >= 9 for score in scores) / len(scores)

    text = snapshot({"promoter_share": promoter_share}, ["promoter_share"], {"promoter_share": declared})
    recorded = decode_answers(text, {"promoter_share": declared})["promoter_share"]
    assert isinstance(recorded, RecordedFunction)
    assert recorded([9, 10, 3]) == pytest.approx(2 / 3)
    with pytest.raises(StudentFunctionError, match="ZeroDivisionError"):
        recorded([])
    with pytest.raises(LookupError, match="not called with these arguments"):
        recorded([1, 2])


def test_recorded_results_must_match_the_declared_calls():
    declared = [{"args": {"$list": [1]}}]
    with pytest.raises(AnswerError, match="do not match"):
        decode_answers('{"f": {"$function": []}}', {"f": declared})
