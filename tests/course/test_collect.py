"""``cxlab collect``: an LMS export (zip or folder) into nbgrader's submitted layout.

Every file is placed or reported with the reason, never dropped silently; the student id
comes from nbgrader's collector plugin (:mod:`cxlab.course.releasing.zipcollect`), so a pattern the
course sets in ``nbgrader_config.py`` is used too.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import zipfile

import nbformat
import pytest

from cxlab.course.releasing.collect import CollectResult, collect
from cxlab.course.config import CourseError

from .submissions import CLASS, honest, new_course


@pytest.mark.slow
def test_collect_places_an_lms_zip_and_reports_what_it_cannot(tmp_path):
    course = new_course(tmp_path, "course")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("1001_alice_nps.ipynb", nbformat.writes(honest()))
        zipped.writestr("1002_bob_nps-1.ipynb", nbformat.writes(CLASS["s03"]))
        zipped.writestr("1002_bob_nps-2.ipynb", nbformat.writes(CLASS["s03"]))
        zipped.writestr("Jan Kowalski_1003_assignsubmission_file_nps.ipynb", nbformat.writes(honest()))
        zipped.writestr("notes.txt", "not a notebook")
        zipped.writestr("_nps.ipynb", "{}")
        zipped.writestr("../escape_nps.ipynb", "{}")
    result = collect("nps", archive, root=course)
    assert sorted(result.placed) == ["1001", "1002", "1003"]
    assert (course / "submitted" / "1001" / "nps" / "nps.ipynb").is_file()
    assert (course / "submitted" / "1001" / "nps" / "timestamp.txt").read_text().startswith("20")
    assert set(result.unplaced) == {"1002_bob_nps-2.ipynb", "notes.txt", "_nps.ipynb", "../escape_nps.ipynb"}
    assert "second notebook" in result.unplaced["1002_bob_nps-2.ipynb"]
    again = collect("nps", archive, root=course)
    assert not again.placed and "exists already" in again.unplaced["1001_alice_nps.ipynb"]
    with pytest.raises(CourseError, match="unknown assignment"):
        collect("nope", archive, root=course)
    with pytest.raises(CourseError, match="group named student"):
        collect("nps", archive, root=course, pattern=r"^\d+")


def test_a_folder_export_is_placed_with_the_files_own_time(course, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    nbformat.write(honest(), export / "Jan Kowalski_1003_assignsubmission_file_nps.ipynb")
    (export / ".DS_Store").write_bytes(b"")
    result = collect("nps", export, root=course)
    assert isinstance(result, CollectResult) and not result.unplaced
    assert result.placed == {"1003": course / "submitted" / "1003" / "nps" / "nps.ipynb"}
    assert result.details[0].lms == "moodle" and result.details[0].name == "Jan Kowalski"
    assert (course / "submitted" / "1003" / "nps" / "timestamp.txt").read_text().endswith(" UTC")


def test_the_course_can_set_the_student_pattern_for_collect(course, tmp_path):
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write('\nc.StudentIdCollector.named_regexp = r"^(?P<student>[^-]+)-"\n')
    export = tmp_path / "export"
    export.mkdir()
    nbformat.write(honest(), export / "a.nowak@example.org-nps.ipynb")
    nbformat.write(honest(), export / "1001_alice_nps.ipynb")
    nbformat.write(honest(), export / '<img src=x onerror="alert(1)">-nps.ipynb')
    result = collect("nps", export, root=course)
    assert sorted(result.placed) == ["a.nowak@example.org"]
    assert "no student id in the name (pattern ^(?P<student>[^-]+)-)" == result.unplaced["1001_alice_nps.ipynb"]
    # a name the student chose cannot become an id that nbgrader's pages would print as markup
    assert "characters other than letters, digits" in result.unplaced['<img src=x onerror="alert(1)">-nps.ipynb']
    # --pattern still wins over the course's setting
    again = collect("nps", export, root=course, pattern=r"^(?P<student>\d+)_", force=True)
    assert sorted(again.placed) == ["1001"]


def test_a_source_that_is_not_an_export_is_a_clear_error(course, tmp_path):
    with pytest.raises(CourseError, match="does not exist"):
        collect("nps", tmp_path / "missing.zip", root=course)
    (tmp_path / "grades.txt").write_text("not a zip")
    with pytest.raises(CourseError, match="neither a folder nor a zip file"):
        collect("nps", tmp_path / "grades.txt", root=course)
    with pytest.raises(CourseError, match="is not a regular expression"):
        collect("nps", tmp_path, root=course, pattern="(?P<student>")


def _canvas_export(folder, due):
    """Files named as Canvas's "Download Submissions" names them, with their times; one stray file."""
    folder.mkdir()
    files = {
        "adamsada_1001_70001_nps.ipynb": due - dt.timedelta(hours=2),
        "clarklara_LATE_1003_70003_nps-2.ipynb": due + dt.timedelta(hours=9),
        "notes.txt": due,
    }
    for name, when in files.items():
        path = folder / name
        if name.endswith(".ipynb"):
            nbformat.write(honest(), path)
        else:
            path.write_text("not a notebook")
        os.utime(path, (when.timestamp(), when.timestamp()))
    return folder


def test_collect_keeps_the_canvas_identity_and_reports_source_student_destination_and_lateness(course, tmp_path):
    from nbgrader.api import Gradebook

    from cxlab.course.releasing.assign import assign

    assign(["nps"], root=course)
    due = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url, "cxlab") as gradebook:
        gradebook.update_or_create_assignment("nps", duedate=due.replace(tzinfo=None))
        # a student the instructor imported before, under the same Canvas user id
        gradebook.add_student("1001", first_name="Ada", last_name="Adams", lms_user_id="1001")
    result = collect("nps", _canvas_export(tmp_path / "export", due), root=course)

    with Gradebook(db_url, "cxlab") as gradebook:
        ada, clara = gradebook.find_student("1001"), gradebook.find_student("1003")
        assert (ada.first_name, ada.last_name, ada.lms_user_id) == ("Ada", "Adams", "1001")  # kept as imported
        assert (clara.last_name, clara.lms_user_id) == ("clarklara", "1003")  # the name as Canvas exported it
    report = result.report()
    assert "nps: placed 2 submission(s), due 2026-03-01 12:00 UTC" in report
    destination = course / "submitted" / "1003" / "nps" / "nps.ipynb"
    assert f"clarklara_LATE_1003_70003_nps-2.ipynb -> 1003 (Canvas user 1003, clarklara) -> {destination}" in report
    assert "submitted 2026-03-01 21:00 UTC, 9.0 h late; Canvas marked it LATE" in report
    assert "submitted 2026-03-01 10:00 UTC, on time" in report
    assert "notes.txt: not a notebook" in report
    with open(course / "grading-log" / "nps" / "collected.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["1003"]["source"] == "clarklara_LATE_1003_70003_nps-2.ipynb"
    assert (rows["1003"]["lms_user_id"], rows["1003"]["seconds_late"], rows["1003"]["lms_late"]) == ("1003", "32400", "LATE")
    assert rows["1001"]["seconds_late"] == "0" and rows["1001"]["destination"].endswith("1001/nps/nps.ipynb")


def test_collect_without_a_due_date_says_lateness_is_unknown(course, tmp_path):
    result = collect("nps", _canvas_export(tmp_path / "export", dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)),
                     root=course)
    assert all(item.seconds_late is None for item in result.details)
    assert "due date unknown" in result.report() and "nbgrader db assignment add nps --duedate=" in result.report()


def test_a_canvas_user_id_that_disagrees_with_the_gradebook_is_reported_not_overwritten(course, tmp_path):
    from nbgrader.api import Gradebook

    db_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url, "cxlab") as gradebook:
        gradebook.add_student("1001", lms_user_id="9999")
    result = collect("nps", _canvas_export(tmp_path / "export", dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)),
                     root=course)
    assert any("names Canvas user 1001, but the gradebook has 9999 for 1001" in note for note in result.notes)
    with Gradebook(db_url, "cxlab") as gradebook:
        assert gradebook.find_student("1001").lms_user_id == "9999"
