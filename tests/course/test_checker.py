"""The trusted checker: the instructor's checks on answers as data, in a process of its own."""

from __future__ import annotations

import os

import pytest

from cxlab.course.answers import snapshot
from cxlab.course.checker import Checker, CheckerError

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
    return {"cell": cell, "source": source, "answers": snapshot(answers, list(answers))}


def test_checks_pass_and_fail_on_the_answers_as_data(checker):
    checker, log = checker
    results = checker.check(SETUP, [_check({"score": 42}, cell="right"), _check({"score": 41.5}, cell="wrong"),
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
    outcomes = [checker.check(SETUP, [_check({"score": score})])["q1"] for score in (42, 1, 42)]
    # each student's check starts from the setup's data, not from what the last one appended
    assert outcomes[0] == outcomes[2] == [] and outcomes[1][0]["ename"] == "AssertionError"
    assert log.read_text() == "ran\n"
    checker.check(SETUP + ["EXTRA = 1"], [_check({"score": 42})])
    assert log.read_text() == "ran\nran\n"


def test_a_failing_message_never_quotes_the_checks_source(checker):
    checker, _ = checker
    results = checker.check(SETUP, [_check({"score": 7})])
    assert all("_hidden_expected" not in line for line in results["q1"][0]["traceback"])


def test_a_check_that_runs_too_long_fails_on_its_own(checker):
    checker, _ = checker
    results = checker.check(SETUP, [_check({"score": 1}, source="while True:\n    pass", cell="slow"),
                                    _check({"score": 42}, cell="fine")], timeout=1)
    assert results["slow"][0]["ename"] == "CheckTimeout"
    assert results["fine"] == []


def test_a_broken_setup_is_the_instructors_error_and_the_checker_recovers(checker):
    checker, _ = checker
    with pytest.raises(CheckerError, match="setup cells failed"):
        checker.check(["raise RuntimeError('missing data')"], [_check({"score": 42})])
    assert checker.check(SETUP, [_check({"score": 42})])["q1"] == []


def test_a_dead_checker_is_started_again(checker):
    checker, _ = checker
    with pytest.raises(CheckerError):
        checker.check(SETUP, [_check({"score": 1}, source="import os\nos._exit(3)")])
    assert checker.check(SETUP, [_check({"score": 42})])["q1"] == []


def test_unreadable_answers_fail_the_check_that_declared_them(checker):
    checker, _ = checker
    results = checker.check(SETUP, [{"cell": "q1", "source": CHECK, "answers": '{"score": {"$code": "x"}}'}])
    assert results["q1"][0]["ename"] == "UnreadableAnswer"
