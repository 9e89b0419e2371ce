"""Shared fixtures: the repository root, a scratch copy of the course, the built book."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import BIN, ROOT


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A scratch copy of the course (config and sources), so gradebooks and outputs stay out of the repo."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", target)
    shutil.copytree(ROOT / "solutions", target / "solutions")
    return target


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The book built exactly as `make book` builds it, warnings as errors, into a scratch folder."""
    output = tmp_path_factory.mktemp("book")
    completed = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "--builder", "html",
         "--path-output", str(output), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=1800,
    )
    log = completed.stdout + completed.stderr
    if completed.returncode != 0:
        pytest.fail(f"jupyter-book build failed (exit {completed.returncode}):\n{log[-6000:]}")
    return output / "_build" / "html"


#: Command-line marks of the processes that grading starts: none may outlive the suite.
GRADING_PROCESSES = ("cxlab.course.sandbox", "cxlab.course.worker", "cxlab.course.checker", "bwrap ")


def _owned(process) -> bool:
    """Whether a process still has a living owner: a test run or a grader among its ancestors."""
    try:
        for parent in process.parents():
            command = " ".join(parent.cmdline())
            if "pytest" in command or "cxlab.course.worker" in command or "bin/cxlab" in command:
                return True
    except Exception:  # it ended while we looked
        return True
    return False


def grading_leftovers(marks=GRADING_PROCESSES, orphans_only: bool = False) -> list[str]:
    """Command lines of grading processes (kernels, sandboxes, workers, checkers) still running.

    ``orphans_only`` keeps those that no test run or grader owns any more: while tests run in
    parallel, another test's kernels are alive and owned; a process left behind is not.
    """
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if process.pid == os.getpid() or not any(mark in command + " " for mark in marks):
            continue
        if orphans_only and _owned(process):
            continue
        found.append(f"{process.pid}: {command[:200]}")
    return found


def pytest_sessionfinish(session, exitstatus):
    """After the whole suite: no process of a graded submission (or of its grader) is left.

    Waits a few seconds for processes that are ending; any still there fail the run.
    """
    import time

    if hasattr(session.config, "workerinput"):  # a parallel worker: the controller checks once all have ended
        return
    deadline = time.monotonic() + 15
    left = grading_leftovers()
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = grading_leftovers()
    if left:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "FAILED after the suite: grading processes outlived it:\n  " + "\n  ".join(left), red=True)
        session.exitstatus = 1


#: Tests that share an expensive session fixture run in one parallel worker, so that it is
#: made once per run: the built book, and the graded classes of tests/course/conftest.py.
SHARED_FIXTURE_GROUPS = {"built_book": "book", "site": "book", "baseline": "graded-class", "graded": "graded-class"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group tests for ``pytest -n N --dist loadgroup`` (``make test``).

    A test that uses a shared session fixture joins that fixture's group; any other test
    keeps its file's company, so that module fixtures (a graded batch, a browser) are
    made once. Without pytest-xdist the marks do nothing.
    """
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        fixtures = set(getattr(item, "fixturenames", ()))
        group = next((name for fixture, name in SHARED_FIXTURE_GROUPS.items() if fixture in fixtures), None)
        item.add_marker(pytest.mark.xdist_group(group or item.nodeid.split("::")[0]))
