"""Grades for a spreadsheet or an LMS: the CSV, Canvas and Moodle exporter plugins.

Read from the constructed class of ``graded_class.py`` (the ``graded`` fixture); the
same plugins run under ``cxlab export`` and under nbgrader's own ``nbgrader export``.
"""

from __future__ import annotations

import csv
import re
import subprocess

import pandas as pd
import pytest

from cxlab.course.results.exports import EXPORTERS, FORMATS, export_grades

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


# --------------------------------------------------------------------------- LMS round trips
#
# The readers below follow each LMS's documented import rules, so that a test fails when a
# file would land in the wrong column, create a new assignment, or skip a student.
#
# Canvas (Grades > Import): the first five columns name the student (Student, ID, SIS User
# ID, SIS Login ID, Section); a column headed "Title (id)" fills the existing assignment
# with that id, any other header creates a new assignment; a row whose first cell reads
# "Points Possible" holds the maxima, not a student; a student is found by ID (Canvas's user
# id), else by SIS User ID, else by SIS Login ID.
#
# Moodle (Import > CSV file): the grader maps one column to identify users (userid,
# username, useridnumber or useremail) and each other column to a grade item or ignores it.

CANVAS_IDS = {ASSIGNMENT: "4711", UNSUBMITTED: "4712"}


def _canvas_gradebook_export(path):
    """A gradebook as Canvas's Grades > Export writes it: assignments "Title (id)", read-only
    totals, a Points Possible row, the test student; Eve is not enrolled in Canvas."""
    rows = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "NPS (4711)", "Butterfly (4712)",
         "Current Points", "Final Points"],
        ["    Points Possible", "", "", "", "", "16.00", "10.00", "(read only)", "(read only)"],
        ["Lovelace, Ada", "1001", "S-1001", "ada", "CX 101", "", "", "0.00", "0.00"],
        ["Okri, Ben", "2002", "S-2002", "ben", "CX 101", "", "", "0.00", "0.00"],
        ["Wright, Cleo", "1003", "S-1003", "cleo", "CX 101", "", "", "0.00", "0.00"],
        ["Brown, Dan", "1004", "S-1004", "dan", "CX 102", "", "", "0.00", "0.00"],
        ["Student, Test", "9999", "", "", "CX 101", "", "", "0.00", "0.00"],
    ]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # Canvas writes a byte-order mark
        csv.writer(handle).writerows(rows)
    return path


def canvas_import(path, canvas_export):
    """What Canvas's import does with ``path``: {assignment id or 'NEW title': {Canvas user id: points}},
    and the rows it cannot match to a student of ``canvas_export``."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [row for row in rows[1:] if row[0].strip() != "Points Possible"]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    with canvas_export.open(newline="", encoding="utf-8-sig") as handle:
        enrolled = [row for row in csv.DictReader(handle) if row["ID"] and "Points Possible" not in row["Student"]]
    filled, skipped = {}, []
    for row in body:
        user = next((person["ID"] for column, value in (("ID", row[1]), ("SIS User ID", row[2]), ("SIS Login ID", row[3]))
                     if value for person in enrolled if person[column] == value), None)
        if user is None:
            skipped.append(row)
            continue
        for column, value in zip(header[5:], row[5:]):
            match = re.fullmatch(r"(.*\S) \((\d+)\)", column)
            filled.setdefault(match[2] if match else f"NEW {column}", {})[user] = float(value)
    return filled, skipped


@pytest.mark.slow
def test_a_round_trip_through_a_canvas_gradebook_export_fills_the_existing_assignments(graded, tmp_path, caplog):
    canvas_export = _canvas_gradebook_export(tmp_path / "canvas-gradebook.csv")
    with caplog.at_level("WARNING", logger="cxlab.course"):
        written = export_grades(tmp_path / "canvas.csv", "canvas", graded.root, db_url=graded.db_url,
                                lms_gradebook=canvas_export)
    filled, skipped = canvas_import(written, canvas_export)
    assert set(filled) == {"4711", "4712"}  # no new assignment
    canvas_user = {"ada": "1001", "ben": "2002", "cleo": "1003", "dan": "1004"}
    assert filled["4711"] == {canvas_user[s]: pytest.approx(EXPECTED[s]["score"]) for s in canvas_user}
    assert set(filled["4712"].values()) == {0.0}
    # Ben had no Canvas user id in the gradebook: the export found him by his SIS login and filled it
    ben = next(row for row in csv.reader(written.open(encoding="utf-8")) if row[3] == "ben")
    assert ben[:5] == ["Okri, Ben", "2002", "S-2002", "ben", "CX 101"]
    # Eve is in no row of Canvas's export: her row is skipped by Canvas, and the export said so
    assert [row[3] for row in skipped] == ["eve"]
    warned = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("eve is in no row of") for message in warned)
    assert not any("NEW assignment" in message for message in warned)


@pytest.mark.slow
def test_a_canvas_export_without_assignment_ids_warns_that_canvas_would_create_new_assignments(graded, tmp_path, caplog):
    with caplog.at_level("WARNING", logger="cxlab.course"):
        bare = export_grades(tmp_path / "bare.csv", "canvas", graded.root, ASSIGNMENT, db_url=graded.db_url)
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert f"no Canvas assignment id for {ASSIGNMENT}" in warned and "NEW assignment" in warned
    assert "ben has no Canvas user id" in warned  # the only student of the class without one
    assert "ada has no Canvas user id" not in warned
    header = bare.read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(f",{ASSIGNMENT}")
    caplog.clear()
    with caplog.at_level("WARNING", logger="cxlab.course"):
        named = export_grades(tmp_path / "named.csv", "canvas", graded.root, ASSIGNMENT, db_url=graded.db_url,
                              canvas_assignment_ids={ASSIGNMENT: "4711"})
    assert named.read_text(encoding="utf-8").splitlines()[0].endswith(f",{ASSIGNMENT} (4711)")
    assert "NEW assignment" not in " ".join(record.getMessage() for record in caplog.records)


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    from cxlab.course.results.exports import read_canvas_gradebook

    (tmp_path / "grades.csv").write_text("name,score\nada,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"not a Canvas gradebook export: it has no column \['Student', 'ID'\]"):
        read_canvas_gradebook(tmp_path / "grades.csv")
    with pytest.raises(ValueError, match="no Canvas gradebook export at"):
        read_canvas_gradebook(tmp_path / "missing.csv")


def moodle_import(path, identify_by, mapping, moodle_export):
    """What Moodle's CSV import does with ``path`` once the grader chose the column that
    identifies users and each column's grade item: {grade item: {identifier: points}}, and
    the identifiers that match no user of the course (``moodle_export`` lists its users)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    users = set(pd.read_csv(moodle_export, dtype=str, keep_default_na=False)[identify_by])
    grades, unknown = {}, []
    for identifier in table[identify_by]:
        if identifier not in users:
            unknown.append(identifier)
    for column, item in mapping.items():
        for identifier, value in zip(table[identify_by], table[column]):
            if identifier in users:
                grades.setdefault(item, {})[identifier] = float(value)
    return grades, unknown


@pytest.mark.slow
def test_a_round_trip_through_a_moodle_grade_export(graded, tmp_path, caplog):
    moodle_export = tmp_path / "moodle-grades.csv"
    moodle_export.write_text(
        '"First name","Last name","ID number",Institution,Department,"Email address","Assignment: nps (Real)",'
        '"Last downloaded from this course"\n'
        'Ada,Lovelace,S-1001,,,ADA@example.org,-,1700000000\n'
        'Ben,Okri,S-2002,,,ben@example.org,-,1700000000\n'
        'Cleo,Wright,S-1003,,,cleo@example.org,-,1700000000\n'
        'Dan,Brown,S-1004,,,dan@example.org,-,1700000000\n', encoding="utf-8")
    with caplog.at_level("WARNING", logger="cxlab.course"):
        written = export_grades(tmp_path / "moodle.csv", "moodle", graded.root, ASSIGNMENT, db_url=graded.db_url,
                                lms_gradebook=moodle_export)
    header = written.read_text(encoding="utf-8").splitlines()[0]
    assert header == "First name,Last name,ID number,Email address,Assignment: nps (Real)"
    grades, unknown = moodle_import(written, "ID number", {"Assignment: nps (Real)": "nps"}, moodle_export)
    assert unknown == [STUDENTS["eve"]["lms_user_id"]]  # Eve: no Moodle user, as the warning said
    expected = {"S-1001": "ada", "S-2002": "ben", "S-1003": "cleo", "S-1004": "dan"}
    assert grades["nps"] == {number: pytest.approx(EXPECTED[s]["score"]) for number, s in expected.items()}
    assert any(record.getMessage().startswith("eve is in no row of") for record in caplog.records)
