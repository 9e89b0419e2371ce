"""Grades for a spreadsheet or an LMS: the CSV, Canvas and Moodle exporter plugins.

Read from the constructed class of ``graded_class.py`` (the ``graded`` fixture); the
same plugins run under ``cxlab export`` and under nbgrader's own ``nbgrader export``.
"""

from __future__ import annotations

import csv
import subprocess

import pandas as pd
import pytest

from cxlab.course.exports import EXPORTERS, FORMATS, export_grades

from ..helpers import BIN
from .graded_class import ASSIGNMENT, EXPECTED, MAX, STUDENTS, UNSUBMITTED, points


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


@pytest.mark.slow
@pytest.mark.parametrize("fmt, only", [("csv", None), ("canvas", None), ("moodle", None), ("canvas", ASSIGNMENT)])
def test_nbgrader_export_with_the_plugin_writes_the_same_file_as_cxlab_export(graded, tmp_path, fmt, only):
    plugin = EXPORTERS[fmt]
    selection = ["--assignment", only] if only else []
    ours = subprocess.run(
        [str(BIN / "cxlab"), "--root", str(graded.root), "--db-url", graded.db_url, "export", "--format", fmt,
         "--output", str(tmp_path / "cxlab.csv"), *selection],
        capture_output=True, text=True, timeout=300,
    )
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run(
        [str(BIN / "nbgrader"), "export", f"--exporter={plugin.__module__}.{plugin.__name__}",
         f"--db={graded.db_url}", f"--to={tmp_path / 'nbgrader.csv'}", *([f"--assignment={only}"] if only else [])],
        cwd=graded.root, capture_output=True, text=True, timeout=300,
    )
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    assert f"Using exporter: {plugin.__name__}" in theirs.stderr
    written = (tmp_path / "nbgrader.csv").read_text(encoding="utf-8")
    assert written == (tmp_path / "cxlab.csv").read_text(encoding="utf-8")
    assert len(written.splitlines()) >= len(STUDENTS) + 1
    if fmt != "csv":  # one column per chosen assignment
        assert (UNSUBMITTED in written.splitlines()[0]) == (only is None)
