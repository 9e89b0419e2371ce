"""A grading worker starts the next student's kernel while it grades the current one.

The kernel started ahead works in a private copy of that student's submission, made
when it started. It may be used only if the submitted folder is still as it was then;
a kernel that died meanwhile is replaced; a worker that dies hands its next student
back to the queue. Real parts: the worker's own functions with sandboxed kernels, and
the ``cxlab grade`` pool with real worker processes.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil
import pytest

from cxlab.course.config import course_api
from cxlab.course.grading import execute
from cxlab.course.grading.grade import grade
from cxlab.course.grading.worker import _Ahead, grade_one
from cxlab.course.shared.variants import record_students

from .submissions import LIMITS, answer, gradebook_scores, honest, new_course, submit

#: Q2's answer depends on a file the student handed in with the notebook: "right" gives
#: the model answer, anything else a wrong one.
READS_A_FILE = honest({"q2_answer": answer("q2") + "nps_all = nps_all if open('choice.txt').read() == 'right' else -99.0\n"})


def _job(course: Path, student: str) -> dict:
    """A grading job as ``cxlab grade`` sends it to a worker (see ``grade.job_for``)."""
    _, coursedir = course_api(course)
    log_dir = course / "grading-log" / "nps"
    log_dir.mkdir(parents=True, exist_ok=True)
    return {"root": str(course), "assignment": "nps", "student": student, "db_url": coursedir.db_url,
            "log_dir": str(log_dir), "cell_timeout": LIMITS["cell_timeout"], "time_limit": LIMITS["time_limit"],
            "memory_mb": LIMITS["memory_mb"], "unsandboxed": False, "variant": student, "others": {}}


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLAB_SANDBOX_MEMORY_MB", "2048")  # the worker sets it; keep it out of other tests
    course = new_course(tmp_path, "course")
    for student in ("s01", "s02", "s03"):
        submit(course, student, READS_A_FILE)
        (course / "submitted" / student / "nps" / "choice.txt").write_text("wrong")
    record_students(course, "nps", ["s01", "s02", "s03"])
    yield course
    for checker in execute._CHECKERS.values():
        checker.close()
    execute._CHECKERS.clear()
    _end_kernels_left_behind()


def _end_kernels_left_behind() -> None:
    """These tests drive a worker's kernel-ahead objects inside the test process itself. A kernel
    one of them leaves running (seen in 2 of 3 fresh-clone runs, cause not found: its bubblewrap
    outlived this process despite its parent-death signal) is ended here, while it is still this
    process's child, and named on stderr; the suite's own check still fails on any kernel that
    ``cxlab grade``'s workers leave."""
    import os
    import sys

    from cxlab.course.grading.processes import descendants, kill_tree

    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if command.startswith("/usr/bin/bwrap") or "bwrap " in command.split(" --", 1)[0]:
            print(f"test_kernel_ahead: ended a kernel left behind: {pid}", file=sys.stderr)
            kill_tree(pid, group=False)


def _q2(record: dict) -> float:
    return record["by_cell"]["q2_score"][0]


def _listening(km, seconds: float = 60) -> None:
    """Wait until the kernel's sockets exist: it has copied its folder and started."""
    deadline = time.monotonic() + seconds
    while len(list(Path(km.runtime_folder).glob("kernel-*"))) < 5:
        assert time.monotonic() < deadline, "the kernel started ahead did not start"
        time.sleep(0.05)


@pytest.mark.slow
def test_the_kernel_started_ahead_is_the_one_that_runs_the_notebook(course):
    ahead = _Ahead(_job(course, "s01"))
    _listening(ahead.km)
    # the kernel copied choice.txt ("wrong") into its own folder when it started; a kernel
    # started now would copy "right"
    (ahead.scratch / "submission" / "choice.txt").write_text("right")
    record = grade_one(_job(course, "s01"), ahead)
    assert record["status"] == "graded" and _q2(record) == 0, "the kernel started ahead ran the notebook"
    assert ahead.km is None and ahead.scratch is None and not execute._READY


@pytest.mark.slow
def test_a_folder_changed_since_the_kernel_started_is_graded_as_it_is_now(course):
    ahead = _Ahead(_job(course, "s02"))
    kernel = ahead.km.provisioner.process.pid
    scratch = ahead.scratch
    (course / "submitted" / "s02" / "nps" / "choice.txt").write_text("right")  # a resubmission meanwhile
    record = grade_one(_job(course, "s02"), ahead)
    assert record["status"] == "graded" and _q2(record) > 0, "the file as it is now was graded"
    assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE
    assert not scratch.exists(), "the unused copy is removed"


@pytest.mark.slow
def test_a_kernel_that_died_before_its_turn_is_replaced(course):
    (course / "submitted" / "s03" / "nps" / "choice.txt").write_text("right")
    ahead = _Ahead(_job(course, "s03"))
    ahead.km.provisioner.process.kill()
    ahead.km.provisioner.process.wait()
    record = grade_one(_job(course, "s03"), ahead)
    assert record["status"] == "graded" and _q2(record) > 0
    assert record["score"] == 14, record["reasons"]


def _kill_first_worker(stop: threading.Event, killed: list) -> None:
    """Kill the first grading worker this test's ``grade`` starts (not another test's)."""
    me = psutil.Process()
    while not stop.is_set():
        for process in me.children(recursive=True):
            try:
                command = " ".join(process.cmdline())
            except psutil.Error:
                continue
            if "cxlab.course.grading.worker" in command:
                time.sleep(1.0)  # it has its first student and has started the next one's kernel
                process.kill()
                killed.append(process.pid)
                return
        time.sleep(0.05)


@pytest.mark.slow
def test_when_a_worker_dies_its_next_student_is_graded_by_another(course):
    for student in ("s01", "s02", "s03"):
        (course / "submitted" / student / "nps" / "choice.txt").write_text("right")
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_first_worker, args=(stop, killed))
    killer.start()
    try:
        summary = grade("nps", root=course, **{**LIMITS, "workers": 1})
    finally:
        stop.set()
        killer.join()
    assert killed, "the worker was not found"
    statuses = {student: record["status"] for student, record in summary.records.items()}
    assert statuses == {"s01": "failed", "s02": "graded", "s03": "graded"}, summary.records
    assert summary.records["s01"]["cause"] == "grader"
    scores = gradebook_scores(course)
    auto = {student: sum(v for cell, v in cells.items() if cell != "q9_written") for student, cells in scores.items()}
    assert auto["s02"] == auto["s03"] == 14
    again = grade("nps", root=course, **{**LIMITS, "workers": 1})
    assert sorted(again.records) == ["s01"] and again.records["s01"]["score"] == 14
