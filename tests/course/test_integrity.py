"""Integrity: broken and malicious submissions graded in one batch with honest ones.

Every case is a real notebook handed in for the NPS assignment and graded by
``cxlab grade`` with real sandboxed kernels and the real SQLite gradebook. Each has the
auto score it must get (12 points are autograded; the written answer waits for a person)
and a phrase the grading record must give as the reason. Attacks aim at points: none may
gain one. The honest submissions in the batch must get exactly the grades they get when
graded on their own.
"""

from __future__ import annotations

import nbformat
import pytest

from cxlab.course.config import load_config
from cxlab.course.grading import grade

from .submissions import HONEST, LIMITS, auto_scores, cases, new_course, submit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("integrity")
    course = new_course(tmp_path, "batch")
    expected = cases()
    for student, (content, filename, *_rest) in expected.items():
        submit(course, student, content, filename)
    summary = grade("nps", root=course, **LIMITS)
    return course, expected, summary


def test_the_batch_finishes_with_a_record_for_every_submission(batch):
    course, expected, summary = batch
    assert sorted(summary.records) == sorted(expected)
    for student in expected:
        assert (course / "grading-log" / "nps" / f"{student}.json").is_file()


@pytest.mark.parametrize("student", sorted(cases()))
def test_each_submission_scores_what_it_earned_with_its_reason(batch, student):
    course, expected, summary = batch
    _, _, score, phrase, status = expected[student]
    record = summary.records[student]
    assert record["status"] == status, record
    auto = sum(auto_scores(record).values()) if record.get("by_cell") else record["score"]
    assert auto == score, (student, record.get("by_cell"), record["reasons"], record["findings"])
    if phrase:
        said = " ".join(record["reasons"] + record["findings"])
        assert phrase in said, (student, record["reasons"], record["findings"])


def test_honest_submissions_are_not_flagged_and_attacks_are(batch):
    _, expected, summary = batch
    for student in HONEST:
        assert not summary.records[student]["flagged"], summary.records[student]["findings"]
    for student in ("patch-cxlab", "patch-numpy", "patch-math", "patch-builtins", "ipython-hooks", "always-equal",
                    "read-solutions", "read-gradebook", "tamper-other-student", "edited-test-cell", "edited-points"):
        assert summary.records[student]["flagged"], student


def test_flags_reach_the_gradebook_for_the_formgrader(batch):
    from nbgrader.api import Gradebook

    course, _, _ = batch
    config = load_config(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", config.CourseDirectory.course_id) as gradebook:
        flagged = {s.student.id for s in gradebook.find_assignment("nps").submissions if any(n.flagged for n in s.notebooks)}
    assert {"patch-math", "read-solutions", "malformed-json"} <= flagged
    assert not flagged & set(HONEST)


def test_attacks_did_not_touch_the_course(batch):
    course, _, _ = batch
    honest_file = course / "submitted" / "honest-full" / "nps" / "nps.ipynb"
    assert nbformat.read(honest_file, as_version=4).cells, "another submission's file was overwritten"
    assert nbformat.read(course / "solutions" / "nps" / "nps.ipynb", as_version=4).cells


def test_honest_grades_in_the_batch_equal_their_grades_alone(batch, tmp_path):
    _, expected, summary = batch
    alone = new_course(tmp_path, "alone")
    for student in HONEST:
        content, filename, *_ = expected[student]
        submit(alone, student, content, filename)
    by_themselves = grade("nps", root=alone, **LIMITS)
    for student in HONEST:
        assert summary.records[student]["by_cell"] == by_themselves.records[student]["by_cell"], student
