"""Grades out of the real nbgrader gradebook: tables, LMS exports, item analysis.

One scratch course is built per module with real parts: ``cxlab.course.assign`` creates
the assignments in a scratch SQLite gradebook, nbgrader's own ``autograde`` grades four
submissions in real kernels (with a real late-penalty plugin), and a grader's steps
(a manual score, a flag) go through nbgrader's Gradebook API as the formgrader does.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin

from cxlab.course import CourseError, assign, load_config
from cxlab.grades import (
    FORMATS,
    GradebookError,
    export_grades,
    item_analysis,
    item_analysis_figure,
    question_scores,
    scores_table,
)

from .conftest import BIN, ROOT

ASSIGNMENT = "nps"
UNSUBMITTED = "butterfly"  # generated too, but nobody submits it
DUE = "2026-03-01 12:00:00"
STUDENTS = {
    "ada": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "lms_user_id": "1001"},
    "ben": {"first_name": "Ben", "last_name": "Okri", "email": "ben@example.org"},
    "cleo": {"first_name": "Cleo", "last_name": "Wright", "email": "cleo@example.org", "lms_user_id": "1003"},
    "dan": {"first_name": "Dan", "last_name": "Brown", "email": "dan@example.org", "lms_user_id": "1004"},
    "eve": {"first_name": "Eve", "last_name": "Adams", "email": "eve@example.org", "lms_user_id": "1005"},
}
# Well-formed wrong answers (they pass the visible checks, see test_release.py).
WRONG_Q2 = "nps_all = 100 * (promoters - detractors) / len(survey) + 5.0"
WRONG_Q6 = "n_needed = 1000"
# The hidden check of q2_score that the wrong answer fails, as the autograded notebook shows it.
Q2_FAILURE = "AssertionError: nps_all does not match the survey's NPS"


class OnePointPerDayLate(LateSubmissionPlugin):
    """A late-submission plugin as a course would write one: one point per day or part of a day."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return float(math.ceil(total_seconds_late / 86400))


def points(assignment: str) -> dict[str, tuple[str, float]]:
    """grade_id -> (kind, points) from the source notebook, in notebook order."""
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    result = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            kind = "auto" if cell.cell_type == "code" and not meta.get("solution") else "manual"
            result[meta["grade_id"]] = (kind, float(meta["points"]))
    return result


POINTS = points(ASSIGNMENT)
MAX = sum(value for _, value in POINTS.values())
AUTO_MAX = sum(value for kind, value in POINTS.values() if kind == "auto")
WRITTEN = next(name for name, (kind, _) in POINTS.items() if kind == "manual")

# The constructed class: who submitted what, and what the gradebook must then say.
EXPECTED = {
    # the solution, on time, written answer graded full by hand
    "ada": {"submitted": True, "auto_score": AUTO_MAX, "manual_score": POINTS[WRITTEN][1], "late_penalty": 0.0,
            "needs_manual_grade": False, "flagged": False},
    # the untouched exercise: nbgrader scores an unchanged written answer 0 by itself
    "ben": {"submitted": True, "auto_score": 0.0, "manual_score": 0.0, "late_penalty": 0.0,
            "needs_manual_grade": False, "flagged": False},
    # q2 wrong, two days late: one point per day
    "cleo": {"submitted": True, "auto_score": AUTO_MAX - POINTS["q2_score"][1], "manual_score": 0.0,
             "late_penalty": 2.0, "needs_manual_grade": True, "flagged": False},
    # q2 and q6 wrong, on time, flagged by a grader
    "dan": {"submitted": True, "auto_score": AUTO_MAX - POINTS["q2_score"][1] - POINTS["q6_sample_size"][1],
            "manual_score": 0.0, "late_penalty": 0.0, "needs_manual_grade": True, "flagged": True},
    # registered, never submitted
    "eve": {"submitted": False, "auto_score": 0.0, "manual_score": 0.0, "late_penalty": 0.0,
            "needs_manual_grade": False, "flagged": False},
}
for row in EXPECTED.values():
    row["raw_score"] = row["auto_score"] + row["manual_score"]
    row["score"] = max(0.0, row["raw_score"] - row["late_penalty"])


@dataclass(frozen=True)
class GradedCourse:
    root: Path
    db_url: str


def _with_answers(source: Path, replacements: dict[str, str]):
    notebook = nbformat.read(source, as_version=4)
    replaced = set()
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
            replaced.add(grade_id)
    assert replaced == set(replacements), "a replaced answer cell no longer exists"
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> GradedCourse:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    base = tmp_path_factory.mktemp("grades")
    root = base / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions", root / "solutions")
    db_url = f"sqlite:///{base / 'gradebook.db'}"
    assign([ASSIGNMENT, UNSUBMITTED], root=root, db_url=db_url)

    with Gradebook(db_url, "cxlab") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        for student, details in STUDENTS.items():
            gradebook.update_or_create_student(student, **details)

    solution = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submissions = {
        "ada": (nbformat.read(solution, as_version=4), "2026-02-28 09:00:00 UTC"),
        "ben": (nbformat.read(ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                "2026-02-27 10:00:00 UTC"),
        "cleo": (_with_answers(solution, {"q2_answer": WRONG_Q2}), "2026-03-03 12:00:00 UTC"),
        "dan": (_with_answers(solution, {"q2_answer": WRONG_Q2, "q6_answer": WRONG_Q6}), "2026-03-01 11:00:00 UTC"),
    }
    config = load_config(root, db_url=db_url)
    config.AssignLatePenalties.plugin_class = OnePointPerDayLate
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for student, (notebook, timestamp) in submissions.items():
        target = root / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(notebook, target / f"{ASSIGNMENT}.ipynb")
        (target / "timestamp.txt").write_text(timestamp)
        outcome = api.autograde(ASSIGNMENT, student)
        assert outcome["success"], outcome.get("log", "") + outcome.get("error", "")

    # A grader's steps, as the formgrader takes them: Ada's written answer gets full
    # marks, Dan's notebook is flagged.
    with Gradebook(db_url, "cxlab") as gradebook:
        grade = gradebook.find_grade(WRITTEN, ASSIGNMENT, ASSIGNMENT, "ada")
        grade.manual_score = POINTS[WRITTEN][1]
        grade.needs_manual_grade = False
        gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "dan").flagged = True
        gradebook.db.commit()
    return GradedCourse(root=root, db_url=db_url)


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


# --------------------------------------------------------------------------- exports


@pytest.mark.slow
def test_csv_export_parses_back_with_the_right_totals(graded, tmp_path):
    written = export_grades(tmp_path / "grades.csv", "csv", graded.root, ASSIGNMENT, db_url=graded.db_url)
    assert written == (tmp_path / "grades.csv").resolve() and written.is_file()
    back = pd.read_csv(written, dtype={"lms_user_id": str}, keep_default_na=False)
    assert len(back) == len(STUDENTS)
    assert back["score"].sum() == pytest.approx(sum(row["score"] for row in EXPECTED.values()))
    by_student = back.set_index("student")
    for student, expected in EXPECTED.items():
        assert by_student.loc[student, "score"] == pytest.approx(expected["score"])
        assert by_student.loc[student, "late_penalty"] == pytest.approx(expected["late_penalty"])
        assert by_student.loc[student, "max_score"] == pytest.approx(MAX)
        assert str(by_student.loc[student, "submitted"]) == str(expected["submitted"])
        assert by_student.loc[student, "email"] == STUDENTS[student]["email"]
    assert by_student.loc["cleo", "timestamp"].startswith("2026-03-03T12:00:00")
    assert by_student.loc["eve", "timestamp"] == ""


@pytest.mark.slow
def test_canvas_export_has_canvas_gradebook_layout(graded, tmp_path):
    written = export_grades(tmp_path / "canvas.csv", "canvas", graded.root, ASSIGNMENT, db_url=graded.db_url)
    with written.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1][0].strip() == "Points Possible" and "Points Possible" in rows[1][0]
    assert rows[1][1:5] == ["", "", "", ""]
    assert float(rows[1][5]) == MAX
    students = rows[2:]
    assert len(students) == len(STUDENTS)
    by_login = {row[3]: row for row in students}
    assert set(by_login) == set(STUDENTS)
    for student, details in STUDENTS.items():
        row = by_login[student]
        assert row[0] == f"{details['last_name']}, {details['first_name']}"
        assert row[1] == details.get("lms_user_id", "")
        assert float(row[5]) == pytest.approx(EXPECTED[student]["score"])
    # every row as wide as the header
    assert {len(row) for row in rows} == {len(rows[0])}


@pytest.mark.slow
def test_canvas_export_of_every_assignment_has_a_column_and_maximum_each(graded, tmp_path):
    written = export_grades(tmp_path / "canvas.csv", "canvas", graded.root, db_url=graded.db_url)
    table = pd.read_csv(written, dtype=str, keep_default_na=False)
    assert list(table.columns[5:]) == [UNSUBMITTED, ASSIGNMENT]  # the gradebook's order: due date, then name
    points_row = table.iloc[0]
    assert float(points_row[ASSIGNMENT]) == MAX
    assert float(points_row[UNSUBMITTED]) == sum(v for _, v in points(UNSUBMITTED).values())
    assert (table.iloc[1:][UNSUBMITTED].astype(float) == 0).all()


@pytest.mark.slow
def test_moodle_export_has_an_identifier_and_the_points(graded, tmp_path):
    written = export_grades(tmp_path / "moodle.csv", "moodle", graded.root, ASSIGNMENT, db_url=graded.db_url)
    table = pd.read_csv(written, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["First name", "Last name", "ID number", "Email address", ASSIGNMENT]
    assert len(table) == len(STUDENTS)
    by_email = table.set_index("Email address")
    for student, details in STUDENTS.items():
        row = by_email.loc[details["email"]]
        assert float(row[ASSIGNMENT]) == pytest.approx(EXPECTED[student]["score"])
        assert row["ID number"] == details.get("lms_user_id", "")
        assert (row["First name"], row["Last name"]) == (details["first_name"], details["last_name"])


def test_unknown_format_names_the_valid_choices(tmp_path):
    for fmt in ("xlsx", "Canvas", None):
        with pytest.raises(ValueError, match=r"fmt must be one of \('csv', 'canvas', 'moodle'\), got"):
            export_grades(tmp_path / "grades.out", fmt, root=tmp_path)
    assert FORMATS == ("csv", "canvas", "moodle")
    assert not (tmp_path / "grades.out").exists()


# --------------------------------------------------------------------------- item analysis


@pytest.mark.slow
def test_item_analysis_gives_the_constructed_shares(graded):
    table = item_analysis(ASSIGNMENT, graded.root, db_url=graded.db_url)
    assert list(table["question"]) == list(POINTS)
    assert list(table["kind"]) == [kind for kind, _ in POINTS.values()]
    rows = table.set_index("question")
    assert (rows["n"] == 4).all()
    # q2: only Ada right; Cleo and Dan fail the hidden check, Ben has no answer at all
    assert rows.loc["q2_score", "share_full_marks"] == 0.25
    assert rows.loc["q2_score", "share_zero"] == 0.75
    assert rows.loc["q2_score", "most_common_failure"] == f"{Q2_FAILURE} (2)"
    # q6: Ada and Cleo right
    assert rows.loc["q6_sample_size", "share_full_marks"] == 0.5
    # the other autograded questions: all but the untouched exercise
    for question in ("q1_counts", "q3_interval", "q4_change", "q5_channels", "q7_complements"):
        assert rows.loc[question, "share_full_marks"] == 0.75, question
        assert rows.loc[question, "share_zero"] == 0.25, question
        assert rows.loc[question, "mean_share"] == pytest.approx(0.75), question
        assert rows.loc[question, "most_common_failure"].startswith("NameError: ") and \
            rows.loc[question, "most_common_failure"].endswith(" (1)"), question
    assert rows.loc["q1_counts", "mean_score"] == pytest.approx(0.75 * POINTS["q1_counts"][1])
    # the written answer: Ada graded full, Ben's untouched answer 0, two wait for a grader
    assert rows.loc[WRITTEN, "kind"] == "manual"
    assert rows.loc[WRITTEN, "n_awaiting_grade"] == 2
    assert rows.loc[WRITTEN, "share_full_marks"] == 0.5
    assert rows.loc[WRITTEN, "mean_score"] == pytest.approx(POINTS[WRITTEN][1] / 2)
    assert rows.loc[WRITTEN, "most_common_failure"] == ""


@pytest.mark.slow
def test_item_analysis_of_an_assignment_nobody_submitted_is_an_error(graded):
    with pytest.raises(GradebookError, match=f"nobody has submitted '{UNSUBMITTED}'"):
        item_analysis(UNSUBMITTED, graded.root, db_url=graded.db_url)


@pytest.mark.slow
def test_item_analysis_figure_has_one_labelled_bar_per_question(graded):
    from matplotlib.figure import Figure

    table = item_analysis(ASSIGNMENT, graded.root, db_url=graded.db_url)
    figure = item_analysis_figure(table)
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    bars = ax.patches
    assert len(bars) == len(table)
    # first question at the top, bar lengths are the shares
    by_height = sorted(bars, key=lambda bar: -bar.get_y())
    assert [bar.get_width() for bar in by_height] == pytest.approx(list(table["share_full_marks"]))
    ticks = sorted(zip(ax.get_yticks(), (label.get_text() for label in ax.get_yticklabels())), reverse=True)
    assert [label for _, label in ticks] == [f"{q} ({k})" for q, k in zip(table["question"], table["kind"])]
    texts = {text.get_text() for text in ax.texts}
    assert "25% of 4" in texts and "75% of 4" in texts
    assert "50% of 2" in texts  # the written answer: two of four graded so far
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_item_analysis_figure_rejects_what_is_not_an_item_analysis():
    with pytest.raises(TypeError, match="pandas DataFrame"):
        item_analysis_figure([("q1", 0.5)])
    with pytest.raises(ValueError, match=r"'question' column and a 'share_full_marks' or 'mean_share'.*\['name'"):
        item_analysis_figure(pd.DataFrame({"name": ["q1"], "share": [0.5]}))
    with pytest.raises(ValueError, match="no question"):
        item_analysis_figure(pd.DataFrame({"question": [], "share_full_marks": []}))
    with pytest.raises(ValueError, match="between 0 and 1, got 75"):
        item_analysis_figure(pd.DataFrame({"question": ["q1"], "share_full_marks": [75]}))


def test_item_analysis_figure_marks_a_question_not_graded_yet():
    table = pd.DataFrame({"question": ["q1", "q8"], "share_full_marks": [1.0, float("nan")], "n": [3, 3]})
    ax = item_analysis_figure(table).axes[0]
    assert {text.get_text() for text in ax.texts} == {"100% of 3", "not graded yet"}
    assert "mean" not in ax.get_xlabel()
    means = item_analysis_figure(pd.DataFrame({"question": ["q1"], "mean_share": [0.4]})).axes[0]
    assert "mean" in means.get_xlabel() and means.patches[0].get_width() == pytest.approx(0.4)


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
        _nbgrader_cell(v4.new_code_cell, "assert z == 1", "z_first", grade=True, points=1),
        _nbgrader_cell(v4.new_markdown_cell, "Why?", "b_written", grade=True, solution=True, points=2),
        _nbgrader_cell(v4.new_code_cell, "### BEGIN SOLUTION\nx = 2\n### END SOLUTION", "a_code_by_hand",
                       grade=True, solution=True, points=3),
    ])
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
