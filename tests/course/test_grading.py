"""``cxlab grade``: parallel, resumable, interruptible autograding of a class.

Real parts throughout: the ``cxlab`` program in a subprocess, nbgrader's SQLite gradebook,
real sandboxed kernels. The class and its uninterrupted grades are the ``baseline``
fixture (``tests/course/conftest.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from cxlab.course.config import CourseError
from cxlab.course.grading.grade import GradeSummary, grade

from ..helpers import BIN
from .submissions import CLASS, LIMITS, fill, gradebook_scores, honest, new_course, with_variant

CXLAB = BIN / "cxlab"


def _count_submissions(course: Path) -> int:
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as connection:
        return connection.execute("select count(*) from submitted_assignment").fetchone()[0]


@pytest.mark.slow
def test_grades_of_the_class(baseline):
    _, grades = baseline
    auto = {student: sum(v for k, v in cells.items() if k != "q9_written") for student, cells in grades.items()}
    assert auto == {"s01": 14, "s02": 12, "s03": 0, "s04": 12}


@pytest.mark.slow
def test_a_rerun_grades_only_what_is_new_or_changed(baseline, tmp_path):
    course, grades = baseline
    again = grade("nps", root=course, **LIMITS)
    assert again.records == {} and sorted(again.skipped) == sorted(CLASS)
    nbformat.write(with_variant(honest(), "s03"), course / "submitted" / "s03" / "nps" / "nps.ipynb")  # a resubmission
    changed = grade("nps", root=course, **LIMITS)
    assert sorted(changed.records) == ["s03"] and changed.records["s03"]["score"] == 14
    forced = grade("nps", root=course, students=["s01"], force=True, **LIMITS)
    assert sorted(forced.records) == ["s01"]
    nbformat.write(CLASS["s03"], course / "submitted" / "s03" / "nps" / "nps.ipynb")
    grade("nps", root=course, **LIMITS)
    assert gradebook_scores(course) == grades
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


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_grading_resumes_to_the_same_grades(baseline, tmp_path, how):
    _, expected = baseline
    course = new_course(tmp_path, "course")
    fill(course)
    # One worker: after the first record three students are still to come, so the signal falls
    # mid-batch however fast the machine is (with two, both could finish before it arrives).
    command = [str(CXLAB), "--root", str(course), "grade", "nps", "--workers", "1", "--cell-timeout", "10",
               "--time-limit", "90", "--memory", "2048", "--no-progress"]
    # Started with SIGINT ignored, as a job that a non-interactive shell puts in the background
    # (a script's `cxlab grade ... &`, a CI run) inherits it: Ctrl-C must stop the grader all the same.
    # (Python raises KeyboardInterrupt only for an inherited default disposition; cxlab's own handler
    # does it in both cases, and this one is the case that fails without it.)
    ignoring_sigint = ["/bin/sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
    process = subprocess.Popen(ignoring_sigint, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    records = course / "grading-log" / "nps"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list(records.glob("*.json")):
        time.sleep(0.2)
    assert list(records.glob("*.json")), "no submission finished in time"
    # Resent until the grader ends: a signal that lands while it starts a worker is not lost.
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        process.send_signal(how)
        time.sleep(0.5)
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
    assert gradebook_scores(course) == expected
    assert _count_submissions(course) == len(CLASS)


@pytest.mark.slow
def test_grade_refuses_bad_settings_with_the_valid_range(tmp_path):
    course = new_course(tmp_path, "course")
    with pytest.raises(CourseError, match="workers must be a whole number >= 1"):
        grade("nps", root=course, workers=0)
    with pytest.raises(CourseError, match="memory_mb must be a whole number >= 256"):
        grade("nps", root=course, memory_mb=10)
    with pytest.raises(CourseError, match="unknown assignment"):
        grade("nope", root=course)


def test_the_summary_counts_each_status_and_lists_reasons_and_flags():
    records = {
        "1001": {"status": "graded", "score": 12.0, "max_score": 14.0, "reasons": [], "findings": []},
        "1002": {"status": "graded", "score": 10.0, "max_score": 14.0, "flagged": True,
                 "findings": ["q4_answer, line 1: changes the module math: math.isclose = ..."]},
        "1003": {"status": "failed", "score": 0.0, "reasons": ["nps.ipynb: the notebook file is empty"], "flagged": True},
        "1004": {"status": "busy", "reasons": ["another grader has this student"]},
    }
    summary = GradeSummary("nps", records, skipped=("1005",), seconds=12.34)
    report = summary.report().splitlines()
    assert report[0] == ("nps: 2 graded, 1 failed, 0 timed out, 1 already graded (skipped), "
                         "1 busy in another grader in 12.3 s")
    assert "12/14" in report[1] and "FLAGGED" not in report[1]
    assert "FLAGGED" in report[2] and report[3].strip().startswith("flag: q4_answer")
    assert "nps.ipynb: the notebook file is empty" in report[5]
    assert summary.flagged == ["1002", "1003"]
    assert summary.students("graded") == ["1001", "1002"]


def test_the_worker_module_is_the_one_that_grades():
    from cxlab.course.grading import grade, worker

    assert grade.WORKER_MODULE == worker.__name__ == "cxlab.course.grading.worker"


BROKEN_BWRAP = """#!/bin/sh
echo "bwrap: setting up uid map: Permission denied" >&2
exit 1
"""


@pytest.mark.slow
def test_when_no_kernel_can_start_nothing_is_scored_and_a_rerun_grades(tmp_path, monkeypatch):
    """A new instructor's broken machine (bubblewrap present, user namespaces refused, as on a
    hardened Ubuntu): every kernel fails to start. No student may get 0 for it, the command must
    say so and fail, and the same command once the machine is fixed must grade everyone."""
    course = new_course(tmp_path, "course")
    fill(course, {"s01": CLASS["s01"], "s02": CLASS["s02"]})
    fake = tmp_path / "broken-bin"
    fake.mkdir()
    (fake / "bwrap").write_text(BROKEN_BWRAP)
    (fake / "bwrap").chmod(0o755)
    command = [str(CXLAB), "--root", str(course), "grade", "nps", "--workers", "2", "--cell-timeout", "10",
               "--time-limit", "90", "--memory", "2048", "--no-progress"]
    broken = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"})
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "2 submission(s) could not be graded because of a problem of the grader's own" in broken.stdout
    assert broken.stdout.count("not graded") >= 2 and "0/16" not in broken.stdout
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "cxlab") as gradebook:
        grades = [grade for submission in gradebook.find_assignment("nps").submissions
                  for notebook in submission.notebooks for grade in notebook.grades]
        assert grades and all(grade.auto_score is None and grade.needs_manual_grade for grade in grades)

    fixed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "2 graded" in fixed.stdout and "already graded" in fixed.stdout
    auto = {student: sum(v for k, v in cells.items() if k != "q9_written") for student, cells in gradebook_scores(course).items()}
    assert auto == {"s01": 14, "s02": 12}


@pytest.mark.slow
def test_a_folder_that_is_no_usable_student_id_is_listed_not_graded(tmp_path):
    """nbgrader's formgrader prints student ids into its pages and scripts as they are."""
    course = new_course(tmp_path, "course")
    fill(course, {'<img src=x onerror="alert(1)">': CLASS["s01"]})
    summary = grade("nps", root=course, **LIMITS)
    assert summary.records == {} and list(summary.refused) == ['<img src=x onerror="alert(1)">']
    assert "holds characters other than letters, digits and . _ @ + -" in summary.report()
    assert not (course / "grading-log" / "nps").exists() or not list((course / "grading-log" / "nps").glob("*.json"))
