"""``cxlab collect``: an LMS export (zip or folder) into nbgrader's submitted layout.

Every file is placed or reported with the reason, never dropped silently; the student id
comes from nbgrader's collector plugin (:mod:`cxlab.course.zipcollect`), so a pattern the
course sets in ``nbgrader_config.py`` is used too.
"""

from __future__ import annotations

import zipfile

import nbformat
import pytest

from cxlab.course.collect import CollectResult, collect
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
    assert result == CollectResult("nps", {"1003": course / "submitted" / "1003" / "nps" / "nps.ipynb"}, {})
    assert (course / "submitted" / "1003" / "nps" / "timestamp.txt").read_text().endswith(" UTC")


def test_the_course_can_set_the_student_pattern_for_collect(course, tmp_path):
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write('\nc.StudentIdCollector.named_regexp = r"^(?P<student>[^-]+)-"\n')
    export = tmp_path / "export"
    export.mkdir()
    nbformat.write(honest(), export / "a.nowak@example.org-nps.ipynb")
    nbformat.write(honest(), export / "1001_alice_nps.ipynb")
    result = collect("nps", export, root=course)
    assert sorted(result.placed) == ["a.nowak@example.org"]
    assert "no student id in the name (pattern ^(?P<student>[^-]+)-)" == result.unplaced["1001_alice_nps.ipynb"]
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
