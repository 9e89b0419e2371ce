"""The collector plugin: a student id from an LMS file name, for cxlab collect and nbgrader zip_collect."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import nbformat
import pytest

from cxlab.course.releasing.zipcollect import DEFAULT_STUDENT_PATTERN, StudentIdCollector, compile_student_pattern

from ..helpers import BIN, ROOT
from .submissions import honest


@pytest.mark.parametrize("name, student", [
    ("1001_alice_nps.ipynb", "1001"),
    ("Jan Kowalski_1003_assignsubmission_file_nps.ipynb", "1003"),
    ("kowalskijan_1004_67890_nps.ipynb", "1004"),
    ("_nps.ipynb", None),
    ("nps_final.ipynb", None),
])
def test_the_default_pattern_finds_the_first_number_between_underscores(name, student):
    assert StudentIdCollector().named_regexp == DEFAULT_STUDENT_PATTERN
    assert StudentIdCollector().student_id(name) == student


def test_nbgraders_entry_point_gives_the_student_and_the_assignments_notebook(tmp_path):
    path = tmp_path / "Jan Kowalski_1003_assignsubmission_file_my-answers.ipynb"
    path.write_text("{}")
    (tmp_path / "1003_notes.txt").write_text("notes")
    (tmp_path / "notes.ipynb").write_text("{}")
    collector = StudentIdCollector()
    info = collector.collect(str(path))
    assert info["student_id"] == "1003" and info["file_id"] == path.name  # no app, so no assignment to name it after
    assert info["timestamp"].endswith("+00:00")
    assert collector.collect(str(tmp_path / "1003_notes.txt")) is None
    assert collector.collect(str(tmp_path / "notes.ipynb")) is None


def test_a_pattern_needs_a_student_group():
    assert compile_student_pattern(r"^(?P<student_id>\w+)-").groupindex["student_id"] == 1
    with pytest.raises(ValueError, match="needs a group named student"):
        compile_student_pattern(r"^\d+")
    with pytest.raises(ValueError, match="is not a regular expression"):
        compile_student_pattern("(?P<student>")


@pytest.mark.slow
def test_nbgrader_zip_collect_uses_the_plugin(course):
    shutil.copytree(ROOT / "exercises" / "nps", course / "exercises" / "nps")
    archive = course / "downloaded" / "nps" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "export.zip", "w") as zipped:
        zipped.writestr("1001_alice_nps.ipynb", nbformat.writes(honest()))
        zipped.writestr("Jan Kowalski_1003_assignsubmission_file_nps-final.ipynb", nbformat.writes(honest()))
        zipped.writestr("_nps.ipynb", "{}")
        zipped.writestr("notes.txt", "not a notebook")
    completed = subprocess.run(
        [str(BIN / "nbgrader"), "zip_collect", "nps", "--collector=cxlab.course.releasing.zipcollect.StudentIdCollector"],
        cwd=course, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Using file collector: StudentIdCollector" in completed.stderr
    placed = sorted(path.relative_to(course / "submitted").as_posix() for path in (course / "submitted").rglob("*.ipynb"))
    assert placed == ["1001/nps/nps.ipynb", "1003/nps/nps.ipynb"]
    assert nbformat.read(course / "submitted" / "1003" / "nps" / "nps.ipynb", as_version=4).cells
    assert (course / "submitted" / "1001" / "nps" / "timestamp.txt").read_text().startswith("20")
