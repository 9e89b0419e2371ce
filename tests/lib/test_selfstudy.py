"""Value checks for self-study (cxlab.selfstudy): the verdicts, their reasons, and what a digest hides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab.data import load_survey
from cxlab.selfstudy import ValueCheck, answer_kind, check_hash, make_digest, practice_digests

SALT = "test-salt"


def verdict(value, answer, *, decimals=None, ordered=True, name="answer") -> ValueCheck:
    """The value check a practice variant gives: the model answer's digest and its coarser roundings."""
    digest = make_digest(answer, salt=SALT, decimals=decimals, name=name, ordered=ordered)
    kind = answer_kind(answer, decimals=decimals, ordered=ordered)
    coarser = {}
    if kind in ("number", "series"):
        coarser = {int(places): text for places, text in
                   practice_digests(answer, kind=kind, decimals=decimals, salt=SALT, name=name).items()
                   if int(places) < decimals}
    return check_hash(value, digest, salt=SALT, decimals=decimals, name=name, coarser=coarser)


@pytest.mark.parametrize("answer, decimals", [(4.1537, 2), (-61.42, 2), (0.25308, 4), (0.0, 2), (118.4, 1), (-3.1, 2)])
def test_the_same_value_at_the_graded_precision_matches_and_one_unit_off_does_not(answer, decimals):
    unit = 10.0 ** -decimals
    assert verdict(answer, answer, decimals=decimals).correct
    assert verdict(round(answer, decimals), answer, decimals=decimals).correct
    assert verdict(np.float64(answer), answer, decimals=decimals).correct
    assert verdict(round(answer, decimals) + 0.4 * unit, answer, decimals=decimals).correct
    assert not verdict(round(answer, decimals) + unit, answer, decimals=decimals).correct
    assert not verdict(round(answer, decimals) - unit, answer, decimals=decimals).correct


def test_floating_point_noise_at_a_rounding_border_does_not_decide():
    # 2.675 is stored as 2.67499999...: rounded it gives 2.67, the same value computed
    # another way (2.6750000000000003) gives 2.68. Both are the learner's right answer.
    assert verdict(2.675, 2.6750000000000003, decimals=2).correct
    assert verdict(2.6750000000000003, 2.675, decimals=2).correct


def test_minus_zero_and_zero_are_one_answer():
    assert verdict(-0.001, 0.0, decimals=2).correct


def test_a_value_with_fewer_decimals_than_graded_is_told_so():
    result = verdict(4.2, 4.15, decimals=2, name="nps_all")
    assert str(result) == "nps_all: not yet (it has 1 decimal; keep at least 2)"
    assert str(verdict(4.0, 4.15, decimals=2)) == "answer: not yet (it has 0 decimals; keep at least 2)"
    # A right answer that happens to show few decimals is simply correct.
    assert str(verdict(-3.1, -3.1, decimals=2, name="change")) == "change: correct"
    # A wrong answer with all its decimals gets no rounding reason.
    assert str(verdict(4.1234, 4.15, decimals=2)) == "answer: not yet"


@pytest.mark.parametrize("wrong, reason", [
    (None, "a number is expected, not NoneType"),
    ("4.15", "a number is expected, not str"),
    (float("nan"), "it is NaN, not a number"),
    (np.float64("inf"), "it is infinite"),
    (True, "a number is expected, not bool"),
    ([4.15], "a number is expected, not list"),
    (pd.Series([4.15]), "a number is expected, not Series"),
    (pd.DataFrame({"x": [4.15]}), "a number is expected, not DataFrame"),
])
def test_a_wrong_type_is_a_verdict_with_its_reason_never_an_error(wrong, reason):
    result = verdict(wrong, 4.15, decimals=2, name="nps_all")
    assert not result.correct
    assert str(result) == f"nps_all: not yet ({reason})"


def test_a_result_object_instead_of_its_value_is_named():
    import cxlab

    result = cxlab.nps(load_survey()["recommend"])
    assert str(verdict(result, result.value, decimals=2, name="nps_all")) == (
        "nps_all: not yet (a number is expected, not NPSResult)")
    assert verdict(result.value, result.value, decimals=2).correct


def test_a_float_subclass_is_not_taken_for_a_number():
    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    assert str(verdict(AlwaysEqual(4.15), 4.15, decimals=2)) == "answer: not yet (a number is expected, not AlwaysEqual)"


def test_whole_numbers_are_exact():
    assert verdict(1029, 1029).correct
    assert verdict(np.int64(1029), 1029).correct
    assert not verdict(1028, 1029).correct
    assert str(verdict(1029.0, 1029)) == "answer: not yet (a whole number (int) is expected, not float)"


def test_true_false_and_texts():
    assert verdict(np.bool_(True), True).correct
    assert not verdict(False, True).correct
    assert str(verdict(1, True)) == "answer: not yet (True or False is expected, not int)"
    assert verdict("phone", "phone").correct
    assert verdict(np.str_("phone"), "phone").correct
    assert not verdict("Phone", "phone").correct
    assert str(verdict(["phone"], "phone")) == "answer: not yet (a text (str) is expected, not list)"


def test_lists_in_order_or_as_sets():
    ranking = ["advisor", "complaints", "app"]
    assert verdict(list(ranking), ranking).correct
    assert verdict(tuple(ranking), ranking).correct
    assert not verdict(ranking[::-1], ranking).correct
    assert verdict(["phone", "chat"], ["chat", "phone"], ordered=False).correct
    assert verdict({"phone", "chat"}, ["chat", "phone"], ordered=False).correct
    assert not verdict(["chat"], ["chat", "phone"], ordered=False).correct
    assert str(verdict(pd.Index(ranking), ranking)) == "answer: not yet (a list of texts is expected, not Index)"
    assert str(verdict(["advisor", 2], ranking)) == "answer: not yet (a list of texts is expected; it holds a int)"


# Typical wrong answers (value, model answer, graded decimals) and the one reason each deserves:
# rounding is named only where the learner's rounding is the whole difference.
TYPICAL_MISTAKES = [
    (-4.15, 4.15, 2, "its sign is the opposite of the answer's"),
    (-12.0, 12.0, 2, "its sign is the opposite of the answer's"),
    (0.4153, 41.53, 2, "it looks like a share (0 to 1); the question asks for a percentage"),
    (41.53, 0.4153, 4, "it looks like a percentage; the question asks for a share (0 to 1)"),
    (4.2, 4.15, 2, "it has 1 decimal; keep at least 2"),
    (4.0, 4.15, 2, "it has 0 decimals; keep at least 2"),
    (33.0, 33.45, 2, "it has 0 decimals; keep at least 2"),
    # a wrong filter or a wrong median: few decimals, but not from rounding the answer
    (3.0, 2.5, 2, ""),
    (12.0, 13.0, 2, ""),
    (7.5, 8.0, 2, ""),
    (4.3, 4.15, 2, ""),
    (35.0, 33.95, 1, ""),
    (41.0, 40.0, 1, ""),
]


@pytest.mark.parametrize("value, answer, decimals, reason", TYPICAL_MISTAKES)
def test_each_typical_mistake_gets_its_own_reason_and_rounding_only_when_it_is_rounding(value, answer, decimals, reason):
    expected = f"answer: not yet ({reason})" if reason else "answer: not yet"
    assert str(verdict(value, answer, decimals=decimals)) == expected


def test_without_coarser_digests_no_rounding_hint_is_guessed():
    digest = make_digest(4.15, salt=SALT, decimals=2, name="x")
    assert str(check_hash(4.2, digest, salt=SALT, decimals=2, name="x")) == "x: not yet"


def test_series_with_their_index():
    within = pd.Series([3.3190476, 2.2066667, 0.1185714, 2.0269231], index=[1, 2, 3, 4])
    assert verdict(within.round(2), within, decimals=2).correct
    assert verdict(within.set_axis(np.arange(1, 5, dtype=np.int64)), within, decimals=2).correct
    shifted = within.copy()
    shifted.iloc[2] += 0.01
    assert not verdict(shifted, within, decimals=2).correct
    assert not verdict(within.set_axis([1, 2, 4, 3]), within, decimals=2).correct
    assert str(verdict(within.round(1), within, decimals=2)) == "answer: not yet (it has 1 decimal; keep at least 2)"
    assert str(verdict(within.astype(object), within, decimals=2)) == (
        "answer: not yet (a Series of numbers is expected, not of object values)")
    assert str(verdict(within.where(within > 1), within, decimals=2)) == "answer: not yet (it holds NaN or infinite values)"
    assert str(verdict(within.to_frame(), within, decimals=2)) == "answer: not yet (a pandas Series is expected, not DataFrame)"


def test_the_salt_and_the_name_change_the_digest():
    digest = make_digest(4.15, salt=SALT, decimals=2, name="nps_all")
    assert digest.startswith("number:") and len(digest) == len("number:") + 32
    assert make_digest(4.15, salt="other", decimals=2, name="nps_all") != digest
    assert make_digest(4.15, salt=SALT, decimals=2, name="chat_nss") != digest
    assert not check_hash(4.15, digest, salt="other", decimals=2, name="nps_all").correct
    assert "4.15" not in digest


def test_the_instructor_gets_errors_for_what_cannot_be_hashed():
    with pytest.raises(ValueError, match="decimals"):
        make_digest(4.15, salt=SALT)
    with pytest.raises(ValueError, match="NaN"):
        make_digest(float("nan"), salt=SALT, decimals=2)
    with pytest.raises(TypeError, match="cannot make a digest of a dict"):
        make_digest({"a": 1}, salt=SALT)
    with pytest.raises(ValueError, match="not a digest"):
        check_hash(4.15, "4.15", salt=SALT, decimals=2)
    with pytest.raises(ValueError, match="decimals"):
        check_hash(4.15, make_digest(4.15, salt=SALT, decimals=2), salt=SALT)


def test_practice_checks_say_why_they_cannot_judge_a_graded_or_the_books_variant():
    from cxlab.selfstudy import check_practice

    graded = check_practice("nps", "s1234567", {"nps_all": 3.5}, decimals={"nps_all": 2})
    assert not graded.checks and "graded by your course, so only the form checks above apply" in str(graded)
    book = check_practice("nps", "book", {"nps_all": 3.5}, decimals={"nps_all": 2})
    assert not book.checks and "the chapter's own data" in str(book)
    with pytest.raises(ValueError, match="no answer 'nps_al'"):
        check_practice("nps", "practice-001", {"nps_al": 3.5})
    with pytest.raises(ValueError, match="no practice pool"):
        check_practice("npx", "practice-001", {"nps_all": 3.5})
