"""Course commands for instructors, on nbgrader's own Python API and configuration.

Layer 6: nothing else in cxlab imports this module. Settings come from the course's
``nbgrader_config.py`` (loaded as nbgrader loads it); arguments only override where
files go, for example to regenerate the student versions into a scratch folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

log = logging.getLogger("cxlab.course")

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own log."""


def find_course_root(start: str | Path = ".") -> Path:
    """The nearest folder at or above ``start`` that holds ``nbgrader_config.py``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise CourseError(f"no {CONFIG_FILE} in {here} or any folder above it; run this inside the course")


def load_config(root: str | Path, **overrides) -> Config:
    """The course's nbgrader configuration, with ``CourseDirectory`` overrides applied.

    ``overrides`` are CourseDirectory traits, for example ``release_directory``.
    The root is always set to ``root`` so that relative paths resolve there.
    """
    root = Path(root).resolve()
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    for name, value in overrides.items():
        setattr(config.CourseDirectory, name, value)
    return config


def _ensure_scripts_on_path() -> None:
    """Put this interpreter's scripts folder on PATH when nbgrader's helpers are missing.

    nbgrader creates a new gradebook by running the ``alembic`` program, so a course
    command started as ``.venv/bin/cxlab`` (without activating the environment) would
    otherwise fail on the first gradebook it makes.
    """
    if shutil.which("alembic"):
        return
    scripts = sysconfig.get_path("scripts")
    os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])


def _api(root: Path, **overrides):
    _ensure_scripts_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root, **overrides)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config), coursedir


def list_assignments(root: str | Path = ".") -> list[str]:
    """Assignment names: the folders of the source directory that hold a notebook."""
    root = find_course_root(root)
    _, coursedir = _api(root)
    source = Path(coursedir.root) / coursedir.source_directory
    return sorted(folder.name for folder in source.iterdir() if folder.is_dir() and any(folder.glob("*.ipynb")))


@dataclass(frozen=True)
class AssignResult:
    assignment: str
    notebooks: tuple[Path, ...]


def assign(
    assignments: list[str] | None = None,
    root: str | Path = ".",
    *,
    release_directory: str | Path | None = None,
    db_url: str | None = None,
) -> list[AssignResult]:
    """Regenerate the student versions (``exercises/``) from the sources (``solutions/``).

    Runs nbgrader's ``generate_assignment`` for each assignment (all of them by
    default). ``release_directory`` and ``db_url`` redirect the output and the
    gradebook, which the tests use to regenerate into a scratch folder.
    """
    root = find_course_root(root)
    overrides = {}
    if release_directory is not None:
        overrides["release_directory"] = str(Path(release_directory).resolve())
    if db_url is not None:
        overrides["db_url"] = db_url
    api, coursedir = _api(root, **overrides)
    names = assignments or list_assignments(root)
    known = set(list_assignments(root))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CourseError(f"unknown assignment(s) {unknown}; the course has {sorted(known)}")

    results = []
    for name in names:
        outcome = api.generate_assignment(name, force=True, create=True)
        if not outcome["success"]:
            raise CourseError(f"generate_assignment {name} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}")
        release = Path(coursedir.format_path(coursedir.release_directory, ".", name))
        notebooks = tuple(sorted(release.glob("*.ipynb")))
        log.info("generated %s: %s", name, ", ".join(str(path) for path in notebooks))
        results.append(AssignResult(assignment=name, notebooks=notebooks))
    return results


# ---------------------------------------------------------------------------- collect

#: A student id in an LMS export's file name: the first number between underscores (or
#: at the start), as in ``name_12345_67890_file.ipynb`` and
#: ``Full Name_12345_assignsubmission_file_file.ipynb``, or ``12345_file.ipynb``.
DEFAULT_STUDENT_PATTERN = r"(?:^|_)(?P<student>\d+)_"


@dataclass(frozen=True)
class CollectResult:
    assignment: str
    placed: dict[str, Path]
    unplaced: dict[str, str]

    def report(self) -> str:
        lines = [f"{self.assignment}: placed {len(self.placed)} submission(s)"]
        lines += [f"  {student}: {path}" for student, path in sorted(self.placed.items())]
        if self.unplaced:
            lines.append(f"could not place {len(self.unplaced)} file(s):")
            lines += [f"  {name}: {why}" for name, why in sorted(self.unplaced.items())]
        return "\n".join(lines)


def collect(
    assignment: str,
    source: str | Path,
    root: str | Path = ".",
    *,
    pattern: str = DEFAULT_STUDENT_PATTERN,
    force: bool = False,
) -> CollectResult:
    """Place an LMS export (a folder or a zip, one notebook per student) in nbgrader's layout.

    Each ``.ipynb`` whose name matches ``pattern`` (a regular expression with a group
    named ``student``) becomes ``submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb`` with a
    ``timestamp.txt`` from the file's time (a zip member's own time), so that nbgrader can
    apply the due date. A file it cannot place is reported, never dropped silently: a name
    without a student id, two notebooks for one student, a file that is not a notebook,
    an existing submission (unless ``force``), a zip member with an unsafe path.
    """
    import datetime as _dt
    import re
    import zipfile

    root = find_course_root(root)
    if assignment not in list_assignments(root):
        raise CourseError(f"unknown assignment {assignment!r}; the course has {list_assignments(root)}")
    try:
        matcher = re.compile(pattern)
    except re.error as error:
        raise CourseError(f"--pattern {pattern!r} is not a regular expression: {error}") from None
    if "student" not in matcher.groupindex:
        raise CourseError(f"--pattern {pattern!r} needs a group named student, e.g. (?P<student>...)")
    source = Path(source)
    if not source.exists():
        raise CourseError(f"{source} does not exist: give the folder or the zip file the LMS exported")

    files: list[tuple[str, bytes, float]] = []
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            files.append((str(path.relative_to(source)), path.read_bytes(), path.stat().st_mtime))
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                stamp = _dt.datetime(*info.date_time).timestamp()
                files.append((info.filename, archive.read(info), stamp))
    else:
        raise CourseError(f"{source} is neither a folder nor a zip file")

    _, coursedir = _api(root)
    placed: dict[str, Path] = {}
    unplaced: dict[str, str] = {}
    chosen: dict[str, tuple[str, bytes, float]] = {}
    for name, data, stamp in files:
        base = Path(name).name
        if ".." in Path(name).parts or name.startswith("/"):
            unplaced[name] = "unsafe path in the archive"
            continue
        if base.startswith(".") or "__MACOSX" in name:
            continue
        if not base.endswith(".ipynb"):
            unplaced[name] = "not a notebook (.ipynb)"
            continue
        match = matcher.search(base)
        if not match:
            unplaced[name] = f"no student id in the name (pattern {pattern})"
            continue
        student = match.group("student")
        if student in chosen:
            unplaced[name] = f"a second notebook for {student} (kept {chosen[student][0]})"
            continue
        chosen[student] = (name, data, stamp)

    for student, (name, data, stamp) in sorted(chosen.items()):
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        target = folder / f"{assignment}.ipynb"
        if target.exists() and not force:
            unplaced[name] = f"{target} exists already (use --force to replace it)"
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        when = _dt.datetime.fromtimestamp(stamp, tz=_dt.timezone.utc)
        (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f %Z"), encoding="utf-8")
        placed[student] = target
    return CollectResult(assignment=assignment, placed=placed, unplaced=unplaced)


# ---------------------------------------------------------------------------- grade

FINAL_STATUSES = ("graded", "failed", "timed out")


@dataclass(frozen=True)
class GradeSummary:
    """What ``grade`` did: one record per student (see ``grading-log/``)."""

    assignment: str
    records: dict[str, dict]
    skipped: tuple[str, ...]
    seconds: float

    def students(self, status: str) -> list[str]:
        return sorted(student for student, record in self.records.items() if record["status"] == status)

    @property
    def flagged(self) -> list[str]:
        return sorted(student for student, record in self.records.items() if record.get("flagged"))

    def report(self) -> str:
        counts = {status: len(self.students(status)) for status in (*FINAL_STATUSES, "busy")}
        lines = [
            f"{self.assignment}: {counts['graded']} graded, {counts['failed']} failed, "
            f"{counts['timed out']} timed out, {len(self.skipped)} already graded (skipped)"
            + (f", {counts['busy']} busy in another grader" if counts["busy"] else "")
            + f" in {self.seconds:.1f} s"
        ]
        for student, record in sorted(self.records.items()):
            score = record.get("score")
            maximum = record.get("max_score")
            points = f"{score:g}/{maximum:g}" if score is not None and maximum else "-"
            flag = "  FLAGGED" if record.get("flagged") else ""
            lines.append(f"  {student:<24} {record['status']:<10} {points:>9}{flag}")
            for reason in record.get("reasons", []):
                lines.append(f"      {reason}")
            for finding in record.get("findings", [])[:6]:
                lines.append(f"      flag: {finding}")
        return "\n".join(lines)


class _Worker:
    """One grading process (``python -m cxlab._grader``) that grades students one at a time."""

    def __init__(self, root: Path, log_dir: Path):
        import subprocess
        import sys

        self.log_path = log_dir / f".worker-{os.getpid()}-{id(self)}.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "cxlab._grader"], cwd=root, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                        start_new_session=True)
        self.student: str | None = None
        self.since = 0.0

    def start(self, student: str, job_for) -> None:
        import time

        self.student, self.since = student, time.monotonic()
        self.process.stdin.write(json.dumps(job_for(student)) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict | None:
        line = self.process.stdout.readline()
        self.student = None
        return json.loads(line) if line.strip() else None

    def log_tail(self) -> str:
        self.log.flush()
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])[:500]

    def kill(self) -> None:
        import signal

        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.student = None

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except Exception:
                self.kill()
        self.log.close()
        if self.log_path.exists() and self.log_path.stat().st_size == 0:
            self.log_path.unlink()


def _grading_log(root: Path, assignment: str) -> Path:
    return root / "grading-log" / assignment


def submitted_students(assignment: str, root: str | Path = ".") -> list[str]:
    root = find_course_root(root)
    _, coursedir = _api(root)
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    if not submitted.is_dir():
        return []
    return sorted(folder.name for folder in submitted.iterdir() if (folder / assignment).is_dir())


def _ensure_assignment(root: Path, assignment: str, db_url: str | None) -> str:
    """The gradebook URL, with the assignment in it (generated from its source if new)."""
    from nbgrader.api import Gradebook, MissingEntry

    from ._grader import serialise_gradebook_access

    overrides = {"db_url": db_url} if db_url else {}
    _, coursedir = _api(root, **overrides)
    serialise_gradebook_access(coursedir.db_url)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return coursedir.db_url
        except MissingEntry:
            pass
    assign([assignment], root, db_url=db_url)
    return coursedir.db_url


def grade(
    assignment: str,
    root: str | Path = ".",
    *,
    students: list[str] | None = None,
    workers: int | None = None,
    cell_timeout: int | None = None,
    time_limit: int = 600,
    memory_mb: int = 4096,
    force: bool = False,
    db_url: str | None = None,
    progress: bool = True,
) -> GradeSummary:
    """Autograde every submission of ``assignment`` in parallel, one process per student.

    Parameters
    ----------
    workers : int, optional
        Students graded at once (default: the number of cores). One student is never
        graded by two processes at once, even by two ``grade`` commands (a lock per student).
    cell_timeout : int, optional
        Seconds a cell may run before it is interrupted (default: ``Execute.timeout`` of
        ``nbgrader_config.py``).
    time_limit : int
        Seconds the whole notebook may run; cells after it are marked not run and keep 0.
        A worker still busy 120 s after that is killed and the student recorded as timed out.
    memory_mb : int
        Address-space limit of each kernel, in MiB (an allocation beyond it fails with
        ``MemoryError`` in that cell).
    force : bool
        Grade again what is graded already. Without it a re-run grades only students
        with no record yet, or whose submitted files changed since.
    """
    import select
    import signal
    import time

    from ._grader import submission_fingerprint, write_record, zero_submission

    for name, value, low in (("workers", workers, 1), ("time_limit", time_limit, 1), ("memory_mb", memory_mb, 256)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
            raise CourseError(f"{name} must be a whole number >= {low}, not {value!r}")
    if cell_timeout is not None and (not isinstance(cell_timeout, int) or cell_timeout < 1):
        raise CourseError(f"cell_timeout must be a whole number of seconds >= 1, not {cell_timeout!r}")
    root = find_course_root(root)
    if assignment not in list_assignments(root):
        raise CourseError(f"unknown assignment {assignment!r}; the course has {list_assignments(root)}")
    started = time.monotonic()
    available = submitted_students(assignment, root)
    if students:
        unknown = sorted(set(students) - set(available))
        if unknown:
            raise CourseError(f"no submission of {assignment} for {unknown}; submitted: {available}")
        available = sorted(set(students))
    db = _ensure_assignment(root, assignment, db_url)
    _, coursedir = _api(root, db_url=db)
    log_dir = _grading_log(root, assignment)
    log_dir.mkdir(parents=True, exist_ok=True)

    todo, skipped = [], []
    for student in available:
        record_file = log_dir / f"{student}.json"
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        if not force and record_file.exists():
            try:
                old = json.loads(record_file.read_text(encoding="utf-8"))
            except ValueError:
                old = {}
            if old.get("status") in FINAL_STATUSES and old.get("fingerprint") == submission_fingerprint(folder):
                skipped.append(student)
                continue
        todo.append(student)

    workers = workers or os.cpu_count() or 1
    records: dict[str, dict] = {}
    queue = list(todo)
    pool: list[_Worker] = []
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="submission", desc=f"grading {assignment}")

    def job_for(student: str) -> dict:
        return {"root": str(root), "assignment": assignment, "student": student, "db_url": db,
                "log_dir": str(log_dir), "cell_timeout": cell_timeout, "time_limit": time_limit,
                "memory_mb": memory_mb}

    def fail(student: str, status: str, reason: str) -> dict:
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        zero_submission(coursedir.db_url, coursedir.course_id, assignment, student, reason)
        record = {"version": 1, "student": student, "assignment": assignment, "status": status,
                  "reasons": [reason], "findings": [], "flagged": True, "score": 0.0,
                  "fingerprint": submission_fingerprint(folder)}
        write_record(log_dir, record)
        return record

    def done(student: str, record: dict) -> None:
        records[student] = record
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{student}: {record['status']}")

    previous_term = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        while queue or any(worker.student for worker in pool):
            for worker in pool:
                if worker.student is None and queue:
                    worker.start(queue.pop(0), job_for)
            while queue and len(pool) < workers:
                worker = _Worker(root, log_dir)
                pool.append(worker)
                worker.start(queue.pop(0), job_for)
            busy = [worker for worker in pool if worker.student]
            ready, _, _ = select.select([worker.process.stdout for worker in busy], [], [], 0.2)
            for worker in busy:
                student = worker.student
                if worker.process.stdout in ready:
                    answer = worker.answer()
                    if answer is None:  # the worker died
                        code = worker.process.wait()
                        pool.remove(worker)
                        done(student, fail(student, "failed", f"the grading process ended with code {code}: "
                                                              f"{worker.log_tail()}"))
                    elif answer["status"] == "busy":
                        done(student, {"student": student, "status": "busy",
                                       "reasons": ["another grader has this student"]})
                    elif answer["status"] == "error":
                        done(student, fail(student, "failed", answer.get("reason", "the grader failed")))
                    else:
                        done(student, json.loads((log_dir / f"{student}.json").read_text(encoding="utf-8")))
                elif time.monotonic() - worker.since > time_limit + 120:
                    worker.kill()
                    pool.remove(worker)
                    done(student, fail(student, "timed out",
                                       f"killed after {time_limit + 120} s (the notebook's limit is {time_limit} s)"))
    except KeyboardInterrupt:
        for worker in pool:
            worker.kill()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        for worker in pool:
            worker.stop()
        if bar is not None:
            bar.close()
    return GradeSummary(assignment=assignment, records=records, skipped=tuple(skipped),
                        seconds=round(time.monotonic() - started, 2))


# ---------------------------------------------------------------------------- feedback


def feedback(
    assignment: str,
    root: str | Path = ".",
    *,
    students: list[str] | None = None,
    db_url: str | None = None,
) -> dict[str, list[Path]]:
    """Per-student HTML feedback, without the hidden tests, readable offline.

    Runs nbgrader's ``generate_feedback`` for every autograded student (or ``students``)
    with :class:`cxlab._feedback.HideHiddenTests` among its preprocessors, then strips
    anything the page would load from the internet. Returns the files per student.
    """
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.apps import NbGraderAPI

    from ._feedback import HideHiddenTests, make_offline
    from ._grader import serialise_gradebook_access

    root = find_course_root(root)
    if assignment not in list_assignments(root):
        raise CourseError(f"unknown assignment {assignment!r}; the course has {list_assignments(root)}")
    overrides = {"db_url": db_url} if db_url else {}
    _ensure_scripts_on_path()
    config = load_config(root, **overrides)
    steps = list(GenerateFeedback.preprocessors.default())
    config.GenerateFeedback.preprocessors = [steps[0], HideHiddenTests, *steps[1:]]
    config.HTMLExporter.exclude_input_prompt = False
    coursedir = CourseDirectory(config=config)
    serialise_gradebook_access(coursedir.db_url)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    graded = sorted(folder.name for folder in autograded.iterdir() if (folder / assignment).is_dir()) if autograded.is_dir() else []
    wanted = sorted(set(students)) if students else graded
    missing = sorted(set(wanted) - set(graded))
    if missing:
        raise CourseError(f"no autograded {assignment} for {missing}: run `cxlab grade {assignment}` first")
    written: dict[str, list[Path]] = {}
    for student in wanted:
        outcome = api.generate_feedback(assignment, student, force=True)
        if not outcome["success"]:
            raise CourseError(f"generate_feedback {assignment} {student} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}")
        folder = Path(coursedir.format_path(coursedir.feedback_directory, student, assignment))
        pages = sorted(folder.glob("*.html"))
        for page in pages:
            make_offline(page)
        written[student] = pages
    return written
