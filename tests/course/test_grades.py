"""Grades out of the real nbgrader gradebook, as tables: scores and per-question scores.

The gradebook is the constructed class of ``graded_class.py`` (the ``graded`` fixture):
``cxlab.course.releasing.assign`` creates the assignments in a scratch SQLite gradebook, nbgrader's
own ``autograde`` grades four submissions in real kernels (with a real late-penalty
plugin), and a grader's steps (a manual score, a flag) go through nbgrader's Gradebook
API as the formgrader does.
"""

from __future__ import annotations

import os

import nbformat
import pandas as pd
import pytest
from nbgrader.api import Gradebook

from cxlab.course.releasing.assign import assign
from cxlab.course.config import CourseError
from cxlab.course.results.exports import export_grades
from cxlab.course.shared.gradebook import GradebookError
from cxlab.course.results.grades import question_scores, scores_table
from cxlab.course.results.item_analysis import item_analysis

from ..helpers import BIN
from .graded_class import ASSIGNMENT, EXPECTED, MAX, POINTS, Q2_FAILURE, STUDENTS, UNSUBMITTED, WRITTEN, points


# --------------------------------------------------------------------------- scores_table


@pytest.mark.slow
def test_scores_table_matches_the_constructed_class(graded):
    table = scores_table(graded.root, ASSIGNMENT, db_url=graded.db_url)
    assert list(table["student"]) == sorted(STUDENTS)
    assert set(table["assignment"]) == {ASSIGNMENT}
    assert (table["max_score"] == MAX).all()
    for row in table.itertuples():
        expected = EXPECTED[row.student]
        for column, value in expected.items():
            assert getattr(row, column) == pytest.approx(value), (row.student, column)
        for column, value in STUDENTS[row.student].items():
            assert getattr(row, column) == value
        assert row.raw_score == pytest.approx(row.auto_score + row.manual_score + row.extra_credit)
    assert table.set_index("student").loc["ben", "lms_user_id"] == ""
    assert table["submitted"].dtype == bool and table["flagged"].dtype == bool


@pytest.mark.slow
def test_scores_table_agrees_with_the_gradebook(graded):
    table = scores_table(graded.root, ASSIGNMENT, db_url=graded.db_url).set_index("student")
    with Gradebook(graded.db_url, "cxlab") as gradebook:
        for student in STUDENTS:
            row = table.loc[student]
            if not row["submitted"]:
                assert row["score"] == 0 and pd.isna(row["timestamp"])
                continue
            submission = gradebook.find_submission(ASSIGNMENT, student)
            assert row["raw_score"] == pytest.approx(submission.score)
            assert row["max_score"] == pytest.approx(submission.max_score)
            assert row["late_penalty"] == pytest.approx(submission.late_submission_penalty)
            # nbgrader export's rule: the penalty comes off the total, never below zero
            assert row["score"] == pytest.approx(max(0.0, submission.score - submission.late_submission_penalty))
            assert row["needs_manual_grade"] == submission.needs_manual_grade
            assert row["timestamp"] == pd.Timestamp(submission.timestamp, tz="UTC")


@pytest.mark.slow
def test_scores_table_covers_every_assignment_by_default(graded):
    table = scores_table(graded.root, db_url=graded.db_url)
    assert len(table) == len(STUDENTS) * 2
    unsubmitted = table[table["assignment"] == UNSUBMITTED]
    assert len(unsubmitted) == len(STUDENTS)
    assert not unsubmitted["submitted"].any() and (unsubmitted["score"] == 0).all()
    assert (unsubmitted["max_score"] == sum(v for _, v in points(UNSUBMITTED).values())).all()


@pytest.mark.slow
def test_unknown_assignment_names_the_known_ones(graded):
    for call in (
        lambda: scores_table(graded.root, "nsp", db_url=graded.db_url),
        lambda: question_scores("nsp", graded.root, db_url=graded.db_url),
        lambda: item_analysis("nsp", graded.root, db_url=graded.db_url),
        lambda: export_grades(graded.root / "out.csv", "csv", graded.root, "nsp", db_url=graded.db_url),
    ):
        with pytest.raises(ValueError, match=r"unknown assignment 'nsp'.*\['butterfly', 'nps'\]"):
            call()
    with pytest.raises(TypeError, match="assignment must be"):
        scores_table(graded.root, ["nps"], db_url=graded.db_url)


# --------------------------------------------------------------------------- question_scores


@pytest.mark.slow
def test_question_scores_read_the_failed_check_from_the_autograded_notebook(graded):
    table = question_scores(ASSIGNMENT, graded.root, db_url=graded.db_url)
    submitted = [student for student, row in EXPECTED.items() if row["submitted"]]
    assert len(table) == len(submitted) * len(POINTS)
    # notebook order, the kinds and points of the source notebook
    first = table[table["student"] == "ada"]
    assert list(first["question"]) == list(POINTS)
    assert list(first["kind"]) == [kind for kind, _ in POINTS.values()]
    assert list(first["max_score"]) == [value for _, value in POINTS.values()]

    cell = table.set_index(["student", "question"])
    assert cell.loc[("cleo", "q2_score"), "message"] == Q2_FAILURE
    assert cell.loc[("cleo", "q2_score"), "score"] == 0
    assert cell.loc[("dan", "q2_score"), "message"] == Q2_FAILURE
    assert cell.loc[("dan", "q6_sample_size"), "message"].startswith("AssertionError: ")
    assert cell.loc[("ben", "q1_counts"), "message"] == "NameError: name 'promoters' is not defined"
    # full marks or a manual cell: no message
    assert (table.loc[table["score"] >= table["max_score"], "message"] == "").all()
    assert (table.loc[table["kind"] == "manual", "message"] == "").all()
    assert cell.loc[("cleo", WRITTEN), "needs_manual_grade"]
    assert not cell.loc[("ada", WRITTEN), "needs_manual_grade"]


@pytest.mark.slow
def test_question_scores_agree_with_the_gradebook(graded):
    table = question_scores(ASSIGNMENT, graded.root, db_url=graded.db_url)
    with Gradebook(graded.db_url, "cxlab") as gradebook:
        for row in table.itertuples():
            grade = gradebook.find_grade(row.question, row.notebook, ASSIGNMENT, row.student)
            assert row.score == pytest.approx(grade.score)
            assert row.max_score == pytest.approx(grade.max_score)
            assert row.needs_manual_grade == grade.needs_manual_grade
    totals = table.groupby("student")["score"].sum()
    for student, total in totals.items():
        assert total == pytest.approx(EXPECTED[student]["raw_score"])


# --------------------------------------------------------------------------- no gradebook


def test_a_missing_gradebook_is_an_error_and_is_not_created(course, tmp_path):
    gradebook = tmp_path / "nothing-here.db"
    with pytest.raises(GradebookError, match=f"no gradebook at {gradebook}"):
        scores_table(course, db_url=f"sqlite:///{gradebook}")
    assert not gradebook.exists()
    # the course's default gradebook (course/gradebook.db) does not exist either
    with pytest.raises(CourseError, match="no gradebook at"):
        scores_table(course)
    assert not (course / "gradebook.db").exists()


def test_an_empty_gradebook_is_an_error(course, tmp_path, monkeypatch):
    # nbgrader runs the `alembic` program when it creates a gradebook: find it in this environment
    monkeypatch.setenv("PATH", os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    db_url = f"sqlite:///{tmp_path / 'empty.db'}"
    Gradebook(db_url, "cxlab").close()  # nbgrader's own empty gradebook: tables, no assignment
    with pytest.raises(GradebookError, match="holds no assignment yet"):
        scores_table(course, db_url=db_url)
    with pytest.raises(GradebookError, match="holds no assignment yet"):
        export_grades(tmp_path / "out.csv", "canvas", course, db_url=db_url)
    (tmp_path / "blank.db").write_bytes(b"")
    with pytest.raises(GradebookError, match="no nbgrader tables"):
        item_analysis(ASSIGNMENT, course, db_url=f"sqlite:///{tmp_path / 'blank.db'}")


# --------------------------------------------------------------------------- question order and kinds


def _nbgrader_cell(make, source, grade_id, *, grade=False, solution=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return make(source, metadata={"nbgrader": meta})


@pytest.mark.slow
def test_questions_keep_notebook_order_and_kind_whatever_their_names(course, tmp_path):
    """Cell names that do not sort in notebook order; a code answer a person grades.

    The submission is recorded in the gradebook but never autograded, so there is no
    autograded notebook to read messages from.
    """
    v4 = nbformat.v4
    notebook = v4.new_notebook(cells=[
        _nbgrader_cell(v4.new_code_cell, "### BEGIN SOLUTION\nz = 1\n### END SOLUTION", "z_answer", solution=True),
        _nbgrader_cell(v4.new_code_cell, "assert type(z) is int and z == 1", "z_first", grade=True, points=1),
        _nbgrader_cell(v4.new_markdown_cell, "Why?", "b_written", grade=True, solution=True, points=2),
        _nbgrader_cell(v4.new_code_cell, "### BEGIN SOLUTION\nx = 2\n### END SOLUTION", "a_code_by_hand",
                       grade=True, solution=True, points=3),
    ])
    notebook.cells[1].metadata["cxlab"] = {"answers": ["z"]}
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (course / "solutions" / "order").mkdir()
    nbformat.write(notebook, course / "solutions" / "order" / "order.ipynb")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assign(["order"], root=course, db_url=db_url)
    with Gradebook(db_url, "cxlab") as gradebook:
        gradebook.update_or_create_student("amy", first_name="Amy", last_name="Ng")
        gradebook.add_submission("order", "amy")

    expected = [("z_first", "auto", 1.0), ("b_written", "manual", 2.0), ("a_code_by_hand", "manual", 3.0)]
    answers = question_scores("order", course, db_url=db_url)
    assert list(zip(answers["question"], answers["kind"], answers["max_score"])) == expected
    assert (answers["message"] == "").all()  # nothing autograded: no message to read, no error
    items = item_analysis("order", course, db_url=db_url)
    assert list(zip(items["question"], items["kind"], items["max_score"])) == expected
    assert scores_table(course, "order", db_url=db_url)["max_score"].tolist() == [6.0]
