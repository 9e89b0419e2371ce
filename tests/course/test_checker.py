"""The trusted checker: the instructor's checks on answers as data, in a process of its own."""

from __future__ import annotations

import os

import pytest

from cxlab.course.grading.answers import snapshot
from cxlab.course.grading.checker import Checker, CheckerError

SETUP = ["import math\nimport os\nRUNS = int(os.environ.get('RUNS', '0'))\n"
         "open(os.environ['SETUP_LOG'], 'a').write('ran\\n')\nLIMIT = 100\ncounts = [1, 2, 3]"]
CHECK = ("assert type(score) in (int, float), f'score should be a number, not {type(score).__name__}'\n"
         "assert 0 <= score <= LIMIT, 'score should lie between 0 and 100'\n"
         "counts.append(score)\n"
         "### BEGIN HIDDEN TESTS\n"
         "_hidden_expected = 42\n"
         "assert math.isclose(score, _hidden_expected), 'score is not the expected value'\n"
         "assert len(counts) == 4\n"
         "### END HIDDEN TESTS\n")


@pytest.fixture
def checker(tmp_path, monkeypatch):
    log = tmp_path / "setup.log"
    monkeypatch.setenv("SETUP_LOG", str(log))
    checker = Checker(cwd=str(tmp_path), environment=dict(os.environ))
    yield checker, log
    checker.close()


def _check(answers: dict, source: str = CHECK, cell: str = "q1") -> dict:
    return {"cell": cell, "source": source, "answers": snapshot(answers, list(answers)), "declared": ["score"]}


def test_checks_pass_and_fail_on_the_answers_as_data(checker):
    checker, log = checker
    results, _ = checker.check(SETUP, [_check({"score": 42}, cell="right"), _check({"score": 41.5}, cell="wrong"),
                                    _check({"score": "42"}, cell="text"), _check({}, cell="missing")])
    assert results["right"] == []
    assert results["wrong"] == [{"output_type": "error", "ename": "AssertionError",
                                 "evalue": "score is not the expected value",
                                 "traceback": ["AssertionError: score is not the expected value"]}]
    assert results["text"][0]["evalue"] == "score should be a number, not str"
    assert results["missing"][0]["ename"] == "NameError"
    # the setup ran once for four checks, and a check's changes to its data did not reach the next
    assert log.read_text() == "ran\n"


def test_the_setup_runs_once_per_checker_across_students(checker):
    checker, log = checker
    outcomes = [checker.check(SETUP, [_check({"score": score})])[0]["q1"] for score in (42, 1, 42)]
    # each student's check starts from the setup's data, not from what the last one appended
    assert outcomes[0] == outcomes[2] == [] and outcomes[1][0]["ename"] == "AssertionError"
    assert log.read_text() == "ran\n"
    checker.check(SETUP + ["EXTRA = 1"], [_check({"score": 42})])
    assert log.read_text() == "ran\nran\n"


def test_a_failing_message_never_quotes_the_checks_source(checker):
    checker, _ = checker
    results, _ = checker.check(SETUP, [_check({"score": 7})])
    assert all("_hidden_expected" not in line for line in results["q1"][0]["traceback"])


def test_a_check_that_runs_too_long_fails_on_its_own(checker):
    checker, _ = checker
    results, _ = checker.check(SETUP, [_check({"score": 1}, source="while True:\n    pass", cell="slow"),
                                    _check({"score": 42}, cell="fine")], timeout=1)
    assert results["slow"][0]["ename"] == "CheckTimeout"
    assert results["fine"] == []


def test_a_broken_setup_is_the_instructors_error_and_the_checker_recovers(checker):
    checker, _ = checker
    with pytest.raises(CheckerError, match="setup cells failed"):
        checker.check(["raise RuntimeError('missing data')"], [_check({"score": 42})])
    assert checker.check(SETUP, [_check({"score": 42})])[0]["q1"] == []


def test_a_dead_checker_is_started_again(checker):
    checker, _ = checker
    with pytest.raises(CheckerError):
        checker.check(SETUP, [_check({"score": 1}, source="import os\nos._exit(3)")])
    assert checker.check(SETUP, [_check({"score": 42})])[0]["q1"] == []


def test_unreadable_answers_fail_the_check_that_declared_them(checker):
    checker, _ = checker
    results, _ = checker.check(SETUP, [{"cell": "q1", "source": CHECK, "answers": '{"score": {"$code": "x"}}',
                                           "declared": ["score"]}])
    assert results["q1"][0]["ename"] == "UnreadableAnswer"


def test_only_declared_answers_are_decoded_and_setup_names_keep_their_values(checker):
    """A name the check does not grade cannot steer it: refused, reported, never bound."""
    checker, _ = checker
    steering = {"score": 1, "LIMIT": 1000, "math": 7, "counts": [], "_hidden_expected": 1}
    results, findings = checker.check(SETUP, [_check(steering)])
    assert results["q1"][0]["evalue"] == "score is not the expected value"
    assert "refused" in findings["q1"][0] and "LIMIT" in findings["q1"][0] and "math" in findings["q1"][0]
    # a declared answer named like a setup name (the manifest lint forbids it) keeps the setup's value
    shadow = {"cell": "q1", "source": "assert LIMIT == 100, 'the setup value was replaced'",
              "answers": snapshot({"LIMIT": 5}, ["LIMIT"]), "declared": ["LIMIT"]}
    results, findings = checker.check(SETUP, [shadow])
    assert results["q1"] == [] and "setup's values were used" in findings["q1"][0]


def test_honest_answers_bring_no_findings(checker):
    checker, _ = checker
    results, findings = checker.check(SETUP, [_check({"score": 42})])
    assert results["q1"] == [] and findings == {}


@pytest.mark.parametrize("answers, why", [
    ('{"score": {"$set": [2305843009213693951, 4611686018427387902]}}', "set or as a dict key"),
    ('{"score": {"$dict": [[-4611686018427387902, 1]]}}', "set or as a dict key"),
    ('{"score": {"$list": [' + ", ".join(['{"$opaque": "X"}'] * 3) + "]}}", None),
    ('{"score": ' + '{"$list": [' * 40 + "]}" * 40 + "}", "levels deep"),
])
def test_decoding_errors_fail_only_that_check_and_keys_cannot_collide(checker, answers, why):
    checker, _ = checker
    results, _ = checker.check(SETUP, [{"cell": "bad", "source": CHECK, "answers": answers, "declared": ["score"]},
                                       _check({"score": 42}, cell="good")])
    assert results["good"] == []
    if why:
        assert results["bad"][0]["ename"] == "UnreadableAnswer" and why in results["bad"][0]["evalue"]
    else:  # placeholders decode, and the check says what type arrived
        assert results["bad"][0]["evalue"] == "score should be a number, not list"


def test_decoding_runs_inside_the_checks_time_limit(checker):
    checker, _ = checker
    heavy = '{"score": {"$list": [' + ", ".join(["1.5"] * 900_000) + "]}}"
    results, _ = checker.check(SETUP, [{"cell": "q1", "source": "pass", "answers": heavy, "declared": ["score"]}],
                               timeout=0.02)
    assert results["q1"][0]["ename"] == "CheckTimeout"


def test_a_check_past_the_memory_limit_fails_and_the_checker_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("SETUP_LOG", str(tmp_path / "setup.log"))
    monkeypatch.setenv("CXLAB_CHECKER_MEMORY_MB", "512")
    checker = Checker(cwd=str(tmp_path))
    try:
        results, _ = checker.check(SETUP, [_check({"score": 42}, source="blob = bytearray(2 * 1024 ** 3)")])
        assert results["q1"][0]["ename"] == "MemoryError"
        assert checker.process is None  # it said it would end, and the worker let it go
        results, _ = checker.check(SETUP, [_check({"score": 42})])
        assert results["q1"] == []
        assert (tmp_path / "setup.log").read_text() == "ran\nran\n"
    finally:
        checker.close()
