"""Shared fixtures: the repository root, a scratch copy of the course, the built book."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import functools

import pytest

from cxlab.data import variants as _variants

from .helpers import BIN, ROOT

# The vetting tests walk the first 200 variants of every assignment, several times; the
# library's cache keeps the last 64 (what a grader needs), so a test run keeps them all.
# A variant's data are the same at every call, so this changes only how often they are made.
_variants._exercise = functools.lru_cache(maxsize=4096)(_variants._exercise.__wrapped__)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A scratch copy of the course (config and sources), so gradebooks and outputs stay out of the repo."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", target)
    shutil.copytree(ROOT / "solutions", target / "solutions")
    return target


#: Beside the shared build: the book is built (or its build failed), so its users need not wait.
BOOK_BUILT, BOOK_FAILED = "book-built", "book-build-failed.log"
#: The fixtures that need the built book: a unit of work using one waits for the build.
BOOK_FIXTURES = ("built_book", "site")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The book built exactly as `make book` builds it (both editions), warnings as errors, into a scratch folder.

    Built once per run: when the suite runs in parallel, the first worker to ask builds it
    (the others wait on a lock) into the run's shared scratch folder, and every worker
    reads that build.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    output, failure = shared / "book", shared / BOOK_FAILED
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
            if completed.returncode == 0:  # and its Polish edition, into html/pl, as make book does
                completed = subprocess.run(
                    [str(BIN / "python"), str(ROOT / "book" / "_ext" / "editions.py"), "pl",
                     "--build", str(output / "_build")], capture_output=True, text=True, timeout=1800)
                log += completed.stdout + completed.stderr
            if completed.returncode != 0:
                failure.write_text(f"jupyter-book build failed (exit {completed.returncode}):\n{log[-6000:]}",
                                   encoding="utf-8")
                pytest.fail(failure.read_text(encoding="utf-8"))
            (shared / BOOK_BUILT).touch()
    return output / "_build" / "html"


#: Command-line marks of the processes that grading starts: none may outlive the suite.
GRADING_PROCESSES = ("cxlab.course.grading.sandbox", "cxlab.course.grading.worker", "cxlab.course.grading.checker", "bwrap ")


def _owner(process) -> int | None:
    """The pid of the nearest test run or grader among a process's ancestors, None if it has none
    (it was left behind), 0 if it ended while we looked."""
    try:
        for parent in process.parents():
            command = " ".join(parent.cmdline())
            if "pytest" in command or "cxlab.course.grading.worker" in command or "bin/cxlab" in command:
                return parent.pid
    except Exception:  # it ended while we looked
        return 0
    return None


def _this_run(process) -> bool:
    """Whether this test run (this process or one of its workers) started ``process``."""
    try:
        return any(parent.pid == os.getpid() for parent in process.parents())
    except Exception:
        return False


def grading_leftovers(marks=GRADING_PROCESSES, orphans_only: bool = False) -> list[str]:
    """Command lines of grading processes (kernels, sandboxes, workers, checkers) still running.

    Counted: those that no test run or grader owns any more (left behind), and those that this
    run started. ``orphans_only`` keeps only the first kind: while tests run in parallel,
    another test's kernels are alive and owned; a process left behind is not. A process owned
    by another test run on the machine is that run's to check.
    """
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if process.pid == os.getpid() or not any(mark in command + " " for mark in marks):
            continue
        owner = _owner(process)
        if owner == 0 or (owner is not None and (orphans_only or not _this_run(process))):
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
    if session.config.getoption("--save-unit-costs") and exitstatus == 0:
        _save_unit_costs(session)
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

#: Long test files whose tests share no module fixture (only function fixtures, the built book
#: and caches of plain data): each of their tests is a unit of work of its own, so that their
#: minutes spread over the cores instead of queueing in one.
SPLIT_BY_TEST = {"tests/book/test_checks.py", "tests/book/test_release.py", "tests/book/test_book.py",
                 "tests/book/test_editions.py",
                 "tests/course/test_grading.py", "tests/book/test_variants_in_exercises.py"}

#: What each unit of work took in a recent full run (seconds; refreshed by
#: ``pytest -n auto --save-unit-costs``): the scheduler hands out the longest first, so that
#: no long unit starts last and leaves the other cores idle at the end.
UNIT_COSTS = Path(__file__).with_name("unit_costs.json")


def _fixtures_used() -> dict[str, set[str]]:
    """Test file (relative to the repository) -> the names its tests' and fixtures' signatures take."""
    import re

    root = Path(__file__).resolve().parents[1]
    signature = re.compile(r"^def \w+\(([^)]*)\)", re.M)
    return {path.relative_to(root).as_posix(): {
                name.strip().split(":")[0].split("=")[0].strip()
                for arguments in signature.findall(path.read_text(encoding="utf-8")) for name in arguments.split(",")}
            for path in sorted((root / "tests").rglob("test_*.py"))}


def _file_groups() -> dict[str, str]:
    """Test file (relative to the repository) -> the group of the shared fixture its tests use."""
    groups = {}
    for path, used in _fixtures_used().items():
        group = next((name for fixture, name in SHARED_FIXTURE_GROUPS.items() if fixture in used), None)
        if group:
            groups[path] = group
    return groups


def unit_of(nodeid: str, groups: dict[str, str]) -> str:
    """The unit of work a test belongs to: its group, its file, or (SPLIT_BY_TEST) itself."""
    path = nodeid.split("::")[0]
    if path in groups:
        return groups[path]
    return nodeid if path in SPLIT_BY_TEST else path


def pytest_addoption(parser):
    parser.addoption("--save-unit-costs", action="store_true",
                     help=f"after a full parallel run, write each unit of work's seconds to {UNIT_COSTS.name}")


_seconds_by_test: dict[str, float] = {}


def pytest_runtest_logreport(report):
    _seconds_by_test[report.nodeid] = _seconds_by_test.get(report.nodeid, 0.0) + report.duration


def _save_unit_costs(session) -> None:
    """Write UNIT_COSTS from this run: the seconds of every test (set-up, call, tear-down) by unit."""
    import json

    groups, costs = _file_groups(), {}
    for nodeid, seconds in _seconds_by_test.items():
        unit = unit_of(nodeid, groups)
        costs[unit] = costs.get(unit, 0.0) + seconds
    UNIT_COSTS.write_text(json.dumps({unit: round(seconds, 1) for unit, seconds in sorted(costs.items())},
                                     indent=0) + "\n", encoding="utf-8")


def pytest_xdist_make_scheduler(config, log):
    """``make test`` runs the suite on every core (pytest-xdist). Units of work: a test file,
    so that its module fixtures (a graded batch, a browser) are made once; the files that use
    one of the graded classes together, so that each is graded once per run; each test of the
    long files in SPLIT_BY_TEST. An idle worker gets the longest unit left (UNIT_COSTS; a
    unit not listed there counts one second)."""
    import json

    from xdist.scheduler import LoadScopeScheduling

    groups = _file_groups()
    costs = json.loads(UNIT_COSTS.read_text(encoding="utf-8")) if UNIT_COSTS.exists() else {}
    book_files = {path for path, used in _fixtures_used().items() if used & set(BOOK_FIXTURES)}
    # where the workers' built_book fixture puts the shared build: beside their own scratch folders
    shared = config._tmp_path_factory.getbasetemp()

    class LongestFirstScheduling(LoadScopeScheduling):
        book_started = False

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid, groups)

        def _needs_book(self, unit: str) -> bool:
            return unit.split("::")[0] in book_files

        def _assign_work_unit(self, node) -> None:
            """The longest unit left; while the book is being built, the longest that does not
            need it (a worker waiting for the build would idle), unless only such units are left."""
            if self.workqueue:
                book_ready = (shared / BOOK_BUILT).exists() or (shared / BOOK_FAILED).exists()
                units = list(self.workqueue)
                if self.book_started and not book_ready:
                    units = [unit for unit in units if not self._needs_book(unit)] or units
                longest = max(units, key=lambda unit: costs.get(unit, 1.0))
                self.book_started = self.book_started or self._needs_book(longest)
                self.workqueue.move_to_end(longest, last=False)
            super()._assign_work_unit(node)

    return LongestFirstScheduling(config, log)
