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
    """The book built exactly as `make book` builds it, warnings as errors, into a scratch folder.

    Built once per run: when the suite runs in parallel, the first worker to ask builds it
    (the others wait on a lock) into the run's shared scratch folder, and every worker
    reads that build.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    output, failure = shared / "book", shared / "book-build-failed.log"
    with open(shared / "book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failure.exists():
            pytest.fail(failure.read_text(encoding="utf-8"))
        if not (output / "_build" / "html" / "index.html").exists():
            completed = subprocess.run(
                [str(BIN / "jupyter-book"), "build", str(ROOT), "--builder", "html",
                 "--path-output", str(output), "-W", "-n", "--keep-going"],
                capture_output=True, text=True, timeout=1800,
            )
            log = completed.stdout + completed.stderr
            if completed.returncode != 0:
                failure.write_text(f"jupyter-book build failed (exit {completed.returncode}):\n{log[-6000:]}",
                                   encoding="utf-8")
                pytest.fail(failure.read_text(encoding="utf-8"))
    return output / "_build" / "html"


#: Command-line marks of the processes that grading starts: none may outlive the suite.
GRADING_PROCESSES = ("cxlab.course.grading.sandbox", "cxlab.course.grading.worker", "cxlab.course.grading.checker", "bwrap ")


def _owned(process) -> bool:
    """Whether a process still has a living owner: a test run or a grader among its ancestors."""
    try:
        for parent in process.parents():
            command = " ".join(parent.cmdline())
            if "pytest" in command or "cxlab.course.grading.worker" in command or "bin/cxlab" in command:
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


#: Session fixtures that a parallel run makes once: every test file whose tests or fixtures use
#: one runs in the same worker. (The built book is shared through a lock instead: its users are
#: many, and it is only read.)
SHARED_FIXTURE_GROUPS = {"baseline": "graded-class", "graded": "graded-class"}


def _file_groups() -> dict[str, str]:
    """Test file (relative to the repository) -> the group of the shared fixture its tests use."""
    import re

    root = Path(__file__).resolve().parents[1]
    signature = re.compile(r"^def \w+\(([^)]*)\)", re.M)
    groups = {}
    for path in sorted((root / "tests").rglob("test_*.py")):
        used = {name.strip().split(":")[0].split("=")[0].strip()
                for arguments in signature.findall(path.read_text(encoding="utf-8")) for name in arguments.split(",")}
        group = next((name for fixture, name in SHARED_FIXTURE_GROUPS.items() if fixture in used), None)
        if group:
            groups[path.relative_to(root).as_posix()] = group
    return groups


def pytest_xdist_make_scheduler(config, log):
    """``make test`` runs the suite on every core (pytest-xdist): each test file is one unit of
    work, so that its module fixtures (a graded batch, a browser) are made once, and the files
    that use one of the graded classes form one unit together, so that each is graded once
    per run."""
    from xdist.scheduler import LoadScopeScheduling

    groups = _file_groups()

    class FileAndFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return groups.get(path, path)

    return FileAndFixtureScheduling(config, log)
