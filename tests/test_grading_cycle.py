"""The instructor's cycle end to end: collect, grade (resume, interrupt, PostgreSQL), feedback, CLI.

Real parts throughout: the ``cxlab`` program in a subprocess, nbgrader's gradebook
(SQLite, and PostgreSQL on a server the test starts), real sandboxed kernels.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
from bs4 import BeautifulSoup

from cxlab.course import CourseError, collect, feedback, grade

from .conftest import ROOT
from .postgres import postgres  # noqa: F401  (fixture)
from .test_integrity import EXERCISE, LIMITS, _course, _submit, honest
from .test_release import secret_lines

pytestmark = pytest.mark.slow
CXLAB = Path(sys.executable).parent / "cxlab"

CLASS = {
    "s01": honest(),
    "s02": honest({"q2_answer": "nps_all = 12.5", "q6_answer": "n_needed = 1000"}),
    "s03": nbformat.read(EXERCISE, as_version=4),
    "s04": honest({"q5_answer": "changed_channels = []\nbiggest_fall = 'email'"}),
}


def _fill(course: Path, students=CLASS) -> None:
    for student, notebook in students.items():
        _submit(course, student, notebook, "nps.ipynb")


def _grades(course: Path, db_url: str | None = None) -> dict[str, dict]:
    from nbgrader.api import Gradebook

    url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url, "cxlab") as gradebook:
        submissions = gradebook.find_assignment("nps").submissions
        return {s.student.id: {g.name: g.score for n in s.notebooks for g in n.grades} for s in submissions}


def _count_submissions(course: Path) -> int:
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as connection:
        return connection.execute("select count(*) from submitted_assignment").fetchone()[0]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The class graded in one uninterrupted run."""
    course = _course(tmp_path_factory.mktemp("baseline"), "course")
    _fill(course)
    summary = grade("nps", root=course, **LIMITS)
    assert sorted(summary.students("graded")) == sorted(CLASS)
    return course, _grades(course)


def test_grades_of_the_class(baseline):
    _, grades = baseline
    auto = {student: sum(v for k, v in cells.items() if k != "q8_written") for student, cells in grades.items()}
    assert auto == {"s01": 12, "s02": 10, "s03": 0, "s04": 10}


def test_a_rerun_grades_only_what_is_new_or_changed(baseline, tmp_path):
    course, grades = baseline
    again = grade("nps", root=course, **LIMITS)
    assert again.records == {} and sorted(again.skipped) == sorted(CLASS)
    nbformat.write(honest(), course / "submitted" / "s03" / "nps" / "nps.ipynb")  # a resubmission
    changed = grade("nps", root=course, **LIMITS)
    assert sorted(changed.records) == ["s03"] and changed.records["s03"]["score"] == 12
    forced = grade("nps", root=course, students=["s01"], force=True, **LIMITS)
    assert sorted(forced.records) == ["s01"]
    nbformat.write(CLASS["s03"], course / "submitted" / "s03" / "nps" / "nps.ipynb")
    grade("nps", root=course, **LIMITS)
    assert _grades(course) == grades
    assert _count_submissions(course) == len(CLASS)


def _leftover_processes(course: Path) -> list[str]:
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            cwd = process.cwd()
        except (psutil.Error, OSError):
            continue
        if cwd.startswith(str(course)) and process.pid != os.getpid():
            found.append(" ".join(process.info["cmdline"] or []))
    return found


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_grading_resumes_to_the_same_grades(baseline, tmp_path, how):
    _, expected = baseline
    course = _course(tmp_path, "course")
    _fill(course)
    command = [str(CXLAB), "--root", str(course), "grade", "nps", "--workers", "2", "--cell-timeout", "10",
               "--time-limit", "90", "--memory", "2048", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    records = course / "grading-log" / "nps"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list(records.glob("*.json")):
        time.sleep(0.2)
    assert list(records.glob("*.json")), "no submission finished in time"
    process.send_signal(how)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0, output
    if how == signal.SIGINT:
        assert "run the same command again" in output
    time.sleep(1)
    assert _leftover_processes(course) == [], "a worker or kernel outlived the interrupted grader"
    done_before = {path.stem for path in records.glob("*.json")}
    assert done_before and done_before != set(CLASS), "the interruption should fall mid-batch"

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{len(done_before)} already graded (skipped)" in resumed.stdout
    assert _grades(course) == expected
    assert _count_submissions(course) == len(CLASS)


def test_postgres_gradebook_gives_the_same_grades(baseline, tmp_path, postgres):  # noqa: F811
    _, expected = baseline
    url = postgres.create_database()
    course = tmp_path / "course"
    course.mkdir()
    import shutil

    from cxlab.course import assign

    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    assign(["nps"], root=course, db_url=url)
    _fill(course)
    summary = grade("nps", root=course, db_url=url, **LIMITS)
    assert sorted(summary.students("graded")) == sorted(CLASS)
    assert _grades(course, url) == expected
    assert not list(course.glob("*.db")), "the grades should live in PostgreSQL"
    with postgres.connect(url.rsplit("/", 1)[1]) as connection:
        assert connection.execute("select count(*) from submitted_assignment").fetchone()[0] == len(CLASS)


def test_feedback_shows_messages_not_hidden_tests(baseline):
    course, _ = baseline
    pages = feedback("nps", root=course)
    assert sorted(pages) == sorted(CLASS)
    secrets = {line for line in secret_lines(ROOT / "solutions" / "nps" / "nps.ipynb") if "_hidden" in line or "load_survey()" in line}
    assert secrets
    for student, files in pages.items():
        html = files[0].read_text(encoding="utf-8")
        text = BeautifulSoup(html, "html.parser").get_text()
        assert "BEGIN HIDDEN TESTS" not in text and "_hidden" not in text, student
        assert not [line for line in secrets if line in text], student
        soup = BeautifulSoup(html, "html.parser")
        external = [tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link", "img"])
                    if (tag.get("src") or tag.get("href") or "").startswith(("http", "//"))]
        assert external == [], external
    wrong = pages["s02"][0].read_text(encoding="utf-8")
    assert "nps_all does not match the survey" in wrong  # which check failed, and its message


def test_collect_places_an_lms_zip_and_reports_what_it_cannot(tmp_path):
    course = _course(tmp_path, "course")
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


def test_grade_refuses_bad_settings_with_the_valid_range(tmp_path):
    course = _course(tmp_path, "course")
    with pytest.raises(CourseError, match="workers must be a whole number >= 1"):
        grade("nps", root=course, workers=0)
    with pytest.raises(CourseError, match="memory_mb must be a whole number >= 256"):
        grade("nps", root=course, memory_mb=10)
    with pytest.raises(CourseError, match="unknown assignment"):
        grade("nope", root=course)


@pytest.mark.parametrize("command", ["assign", "collect", "grade", "feedback", "export", "report"])
def test_every_command_has_help(command):
    completed = subprocess.run([str(CXLAB), command, "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0 and "usage: cxlab" in completed.stdout, completed.stderr
    assert len(completed.stdout.splitlines()) > 3


def test_cli_grades_exports_and_reports(baseline, tmp_path):
    course, _ = baseline
    for fmt in ("csv", "canvas", "moodle"):
        out = tmp_path / f"{fmt}.csv"
        completed = subprocess.run([str(CXLAB), "--root", str(course), "export", "--format", fmt, "--output", str(out)],
                                   capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
        assert out.read_text().count("\n") >= len(CLASS)
    completed = subprocess.run([str(CXLAB), "--root", str(course), "report", "nps", "--output", str(tmp_path)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "q5_channels" in completed.stdout and (tmp_path / "item-analysis-nps.png").is_file()
    bad = subprocess.run([str(CXLAB), "--root", str(course), "grade", "nope"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "unknown assignment 'nope'" in bad.stderr
    json.loads((course / "grading-log" / "nps" / "s01.json").read_text())
