"""``cxlab grade``: autograde every submission of an assignment in parallel, resumably.

:func:`grade` keeps a pool of worker processes (``python -m cxlab.course.grading.worker``,
see :mod:`cxlab.course.grading.worker`), hands each one student at a time over a private pipe
(naming the student it grades next, whose kernel it starts while it grades this one),
kills a worker that outlives the notebook's time limit, and returns a
:class:`GradeSummary`. A student is skipped when their record
(:mod:`cxlab.course.grading.records`) is final and their files have not changed since.
The pool is hand-written: nbgrader's ``autograde`` grades one student after another in
one process, and a library pool (multiprocessing, concurrent.futures) cannot kill one
hung worker with its kernel and carry on.

Imports: :mod:`cxlab.course.config`, :mod:`cxlab.course.releasing.assign` (an assignment
new to the gradebook is generated first), :mod:`cxlab.course.shared.gradebook`,
:mod:`~cxlab.course.shared.sanitise` (:func:`~cxlab.course.shared.sanitise.terminal_safe`),
:mod:`cxlab.course.grading.records`; tqdm, :mod:`~cxlab.course.grading.sandbox`'s
:func:`~cxlab.course.grading.sandbox.bubblewrap` and
:mod:`~cxlab.course.releasing.collect`'s way of writing a lateness inside functions. Not
the worker module: that runs in its own processes.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..releasing.assign import assign
from ..config import (
    CourseError,
    course_api,
    find_course_root,
    require_assignments,
    submitted_students,
    unusable_student_id,
)
from ..shared.gradebook import (
    has_assignment,
    mark_ungraded,
    serialise_gradebook_access,
    student_ids,
    zero_submission,
)
from ..shared.variants import read_registry, record_students, registry_path, stale_records, uses_variants
from .processes import kill_tree
from .records import FINAL_STATUSES, grading_log, is_up_to_date, new_record, read_record, write_record
from ..shared.sanitise import terminal_safe

#: The module each grading process runs.
WORKER_MODULE = f"{__package__}.worker"
#: Seconds a worker may go on after the notebook's time limit before it is killed.
GRACE_SECONDS = 120


@dataclass(frozen=True)
class GradeSummary:
    """What ``grade`` did: one record per student (see ``grading-log/``).

    >>> summary = GradeSummary("nps", {"1001": {"status": "graded", "score": 12.0, "max_score": 14.0}}, ("1002",), 3.04)
    >>> print(summary.report())
    nps: 1 graded, 0 failed, 0 timed out, 1 already graded (skipped) in 3.0 s
      1001                     graded         12/14
    """

    assignment: str
    records: dict[str, dict]
    skipped: tuple[str, ...]
    seconds: float
    #: Submitted folders that were not graded because their name is no usable student id.
    refused: dict[str, str] = field(default_factory=dict)

    def students(self, status: str) -> list[str]:
        return sorted(student for student, record in self.records.items() if record["status"] == status)

    @property
    def flagged(self) -> list[str]:
        return sorted(student for student, record in self.records.items() if record.get("flagged"))

    @property
    def grader_failures(self) -> list[str]:
        """Students the grader itself could not grade (no score written; a plain re-run tries again)."""
        return sorted(student for student, record in self.records.items()
                      if record["status"] == "failed" and record.get("cause") == "grader")

    def report(self, standing: dict[str, dict] | None = None) -> str:
        """The summary ``cxlab grade`` prints: counts, then one line per student graded now.

        ``standing`` is what the gradebook says of each student beyond this run
        (``cxlab grade`` reads it with :func:`cxlab.course.results.grades.scores_table`):
        ``pending_points`` (points that wait for hand grading), ``seconds_late``, and
        ``late_penalty`` when the course sets a late penalty (absent or None otherwise).
        Without it, a student whose written answers wait for a grader is marked all the same.

        >>> summary = GradeSummary("nps", {"1003": {"status": "graded", "score": 11.0, "max_score": 14.0,
        ...                                         "needs_manual_grade": True}}, (), 2.0)
        >>> print(summary.report({"1003": {"pending_points": 2.0, "seconds_late": 32400.0}}))
        nps: 1 graded, 0 failed, 0 timed out, 0 already graded (skipped) in 2.0 s
          1003                     graded         11/14  + 2 to grade by hand  9.0 h late
        1 submission(s) wait for hand grading (2 points): grade them in the formgrader's Manual Grading, then run feedback
        """
        standing = standing or {}
        counts = {status: len(self.students(status)) for status in (*FINAL_STATUSES, "busy")}
        lines = [
            f"{self.assignment}: {counts['graded']} graded, {counts['failed']} failed, "
            f"{counts['timed out']} timed out, {len(self.skipped)} already graded (skipped)"
            + (f", {counts['busy']} busy in another grader" if counts["busy"] else "")
            + f" in {self.seconds:.1f} s"
        ]
        waiting, waiting_points = 0, 0.0
        for student, record in sorted(self.records.items()):
            score = record.get("score")
            maximum = record.get("max_score")
            points = f"{score:g}/{maximum:g}" if score is not None and maximum else "-"
            known = standing.get(student, {})
            notes = []
            pending = known.get("pending_points")
            if pending:
                notes.append(f"+ {pending:g} to grade by hand")
            elif pending is None and record.get("needs_manual_grade"):
                notes.append("+ hand grading pending")
            if pending or (pending is None and record.get("needs_manual_grade")):
                waiting += 1
                waiting_points += pending or 0.0
            late = known.get("seconds_late") or 0.0
            if late > 0:
                penalty = known.get("late_penalty")
                notes.append(f"{_duration(late)} late" + (f" (penalty {penalty:g})" if penalty is not None else ""))
            if record.get("flagged"):
                notes.append("FLAGGED")
            status = "not graded" if record.get("cause") == "grader" else record["status"]
            lines.append(f"  {terminal_safe(student):<24} {status:<10} {points:>9}" + "".join(f"  {note}" for note in notes))
            for reason in record.get("reasons", []):
                lines.append(f"      {terminal_safe(reason)}")
            for finding in record.get("findings", [])[:6]:
                lines.append(f"      flag: {terminal_safe(finding)}")
        for folder, reason in sorted(self.refused.items()):
            lines.append(f"  not graded: submitted folder {terminal_safe(folder)!r}: {terminal_safe(reason)}; "
                         "rename it to the student's id")
        if self.grader_failures:
            lines.append(f"{len(self.grader_failures)} submission(s) could not be graded because of a problem of the "
                         "grader's own (no score was written): fix it and run grade again, which grades them then")
        if waiting:
            amount = f" ({waiting_points:g} points)" if waiting_points else ""
            lines.append(f"{waiting} submission(s) wait for hand grading{amount}: grade them in the formgrader's "
                         "Manual Grading, then run feedback")
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    """A lateness a person reads at a glance (as ``cxlab collect`` writes it)."""
    from ..releasing.collect import _duration as duration

    return duration(seconds)


class _Worker:
    """One grading process that grades students one at a time."""

    def __init__(self, root: Path, log_dir: Path):
        self.log_path = log_dir / f".worker-{os.getpid()}-{id(self)}.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", WORKER_MODULE], cwd=root, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                        start_new_session=True)
        self.student: str | None = None
        #: the student this worker grades next, whose kernel it starts while it grades ``student``
        self.next: str | None = None
        self.since = 0.0

    def start(self, student: str, job: dict) -> None:
        self.student, self.since = student, time.monotonic()
        self.process.stdin.write(json.dumps(job) + "\n")
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
        # the worker's group, and the kernels it started, which live in sessions of their own
        kill_tree(self.process.pid)
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


def _ensure_assignment(root: Path, assignment: str, db_url: str | None) -> str:
    """The gradebook URL, with the assignment in it (generated from its source if new)."""
    _, coursedir = course_api(root, db_url=db_url)
    serialise_gradebook_access(coursedir.db_url)
    if not has_assignment(coursedir.db_url, coursedir.course_id, assignment):
        assign([assignment], root, db_url=db_url)
    return coursedir.db_url


def _variants_of(root: Path, assignment: str, students: list[str], coursedir) -> tuple[dict[str, str], dict[str, str]]:
    """The variant each student is graded on, from the registry (recording students new to it),
    and every known student's variant -> that student; empty for an assignment without variants.

    Stops (``CourseError``) when the generator no longer makes the data recorded for a
    student: regrading after a generator change is a deliberate command.
    """
    if not students or not uses_variants(root, assignment):
        return {}, {}
    new = record_students(root, assignment, students)
    if new:
        print(f"{assignment}: recorded the variants of {len(new)} student(s) new to the registry "
              f"({registry_path(root, assignment)})", file=sys.stderr)
    stale = stale_records(root, assignment, students)
    if stale:
        shown = ", ".join(f"{terminal_safe(student)} ({was} -> {now})" for student, was, now in stale[:20])
        raise CourseError(
            f"{assignment}: the data of {len(stale)} student(s) no longer match their recorded variants "
            f"(data fingerprints recorded -> now: {shown}{', ...' if len(stale) > 20 else ''}). The generator "
            f"changed since they were recorded; grading stopped. If the change is intended, record them again "
            f"with: cxlab variant {assignment} --refresh (it lists the answers that change), then grade again")
    registry = read_registry(root, assignment)
    known = {student: student for student in student_ids(coursedir.db_url, coursedir.course_id)}
    known.update({student: student for student in submitted_students(assignment, root)})
    for student, record in registry.items():
        known[student] = record["variant"]
    others = {variant: student for student, variant in known.items()}
    return {student: registry[student]["variant"] for student in students}, others


def _check_settings(workers, cell_timeout, time_limit, memory_mb) -> None:
    for name, value, low in (("workers", workers, 1), ("time_limit", time_limit, 1), ("memory_mb", memory_mb, 256)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
            raise CourseError(f"{name} must be a whole number >= {low}, not {value!r}")
    if cell_timeout is not None and (not isinstance(cell_timeout, int) or cell_timeout < 1):
        raise CourseError(f"cell_timeout must be a whole number of seconds >= 1, not {cell_timeout!r}")


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
    unsandboxed: bool = False,
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
    unsandboxed : bool
        Run student code without the operating-system sandbox (bubblewrap): it then runs
        as your own user and can read what you can read. Without this, ``grade`` refuses
        to run where bubblewrap is not installed. The checks still run apart from
        student code, on its answers as data.
    """
    from .sandbox import bubblewrap  # not at the top: the kernel's launcher must not be imported with the package

    _check_settings(workers, cell_timeout, time_limit, memory_mb)
    if not unsandboxed and bubblewrap() is None:
        raise CourseError(
            "student code is graded in an operating-system sandbox, and bubblewrap (bwrap) is not installed: "
            "install it (Debian/Ubuntu: apt-get install bubblewrap), or grade without the sandbox with "
            "--unsandboxed (Python: unsandboxed=True), which lets student code read whatever you can read")
    root = find_course_root(root)
    require_assignments(root, assignment)
    started = time.monotonic()
    available = submitted_students(assignment, root)
    refused = {student: unusable_student_id(student) for student in available if unusable_student_id(student)}
    available = [student for student in available if student not in refused]
    if students:
        unknown = sorted(set(students) - set(available))
        if unknown:
            raise CourseError(f"no submission of {assignment} for {unknown}; submitted: {available}")
        available = sorted(set(students))
    db = _ensure_assignment(root, assignment, db_url)
    _, coursedir = course_api(root, db_url=db)
    log_dir = grading_log(root, assignment)
    log_dir.mkdir(parents=True, exist_ok=True)

    def folder_of(student: str) -> Path:
        return Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))

    todo, skipped = [], []
    for student in available:
        if not force and is_up_to_date(read_record(log_dir, student), folder_of(student)):
            skipped.append(student)
        else:
            todo.append(student)

    graded_on, others = _variants_of(root, assignment, todo, coursedir)

    workers = workers or os.cpu_count() or 1
    records: dict[str, dict] = {}
    queue = list(todo)
    pool: list[_Worker] = []
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="submission", desc=f"grading {assignment}")

    # the workers' private copies of submissions and their kernels' sockets: removed at the end,
    # also those of a worker that was killed
    scratch = tempfile.mkdtemp(prefix="cxlab-batch-")

    def job_for(student: str) -> dict:
        return {"root": str(root), "assignment": assignment, "student": student, "db_url": db,
                "log_dir": str(log_dir), "cell_timeout": cell_timeout, "time_limit": time_limit,
                "memory_mb": memory_mb, "unsandboxed": bool(unsandboxed),
                "variant": graded_on.get(student, ""), "others": others, "scratch": scratch}

    def fail(student: str, status: str, reason: str) -> dict:
        """A submission that ran out of time scores 0; any other failure is the grader's: no score."""
        record = new_record(student, assignment, status=status, reasons=[reason], folder=folder_of(student))
        if status == "timed out":
            zero_submission(coursedir.db_url, coursedir.course_id, assignment, student)
        else:
            mark_ungraded(coursedir.db_url, coursedir.course_id, assignment, student)
            record.update(cause="grader", score=None, flagged=False)
            record["reasons"][-1] += " (no score written; run grade again once fixed)"
        write_record(log_dir, record)
        return record

    def done(student: str, record: dict) -> None:
        records[student] = record
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{student}: {record['status']}")

    def hand_out(worker: _Worker) -> None:
        """Give ``worker`` its next student, and name the one after (whose kernel it starts ahead)."""
        if worker.next is not None:
            student, worker.next = worker.next, None
        elif queue:
            student = queue.pop(0)
        else:  # take another worker's next student rather than wait idle
            lender = next(other for other in pool if other.next is not None)
            student, lender.next = lender.next, None
        job = job_for(student)
        if queue:
            worker.next = queue.pop(0)
            job["next"] = job_for(worker.next)
        worker.start(student, job)

    def waiting() -> bool:
        return bool(queue) or any(worker.next for worker in pool)

    def lost(worker: _Worker) -> None:
        """A worker ended: its next student goes back to the front of the queue."""
        pool.remove(worker)
        if worker.next is not None:
            queue.insert(0, worker.next)
            worker.next = None

    previous_term, previous_int = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # Ctrl-C stops grading even where the grader was started with SIGINT ignored: a process
    # started in the background by a non-interactive shell (a script's `cxlab grade ... &`, a CI
    # job) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt for it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        while waiting() or any(worker.student for worker in pool):
            for worker in pool:
                if worker.student is None and waiting():
                    hand_out(worker)
            while queue and len(pool) < workers:
                worker = _Worker(root, log_dir)
                pool.append(worker)
                hand_out(worker)
            busy = [worker for worker in pool if worker.student]
            ready, _, _ = select.select([worker.process.stdout for worker in busy], [], [], 0.2)
            for worker in busy:
                student = worker.student
                if worker.process.stdout in ready:
                    answer = worker.answer()
                    if answer is None:  # the worker died
                        code = worker.process.wait()
                        lost(worker)
                        done(student, fail(student, "failed", f"the grading process ended with code {code}: "
                                                              f"{worker.log_tail()}"))
                    elif answer["status"] == "busy":
                        done(student, {"student": student, "status": "busy",
                                       "reasons": ["another grader has this student"]})
                    elif answer["status"] == "error":
                        done(student, fail(student, "failed", answer.get("reason", "the grader failed")))
                    else:
                        done(student, read_record(log_dir, student)
                             or fail(student, "failed", "the grading process wrote no record"))
                elif time.monotonic() - worker.since > time_limit + GRACE_SECONDS:
                    worker.kill()
                    lost(worker)
                    done(student, fail(student, "timed out", f"killed after {time_limit + GRACE_SECONDS} s "
                                                             f"(the notebook's limit is {time_limit} s)"))
    except KeyboardInterrupt:
        # a second Ctrl-C (or SIGTERM) must not cut the clean-up short and leave kernels behind
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for worker in pool:
            worker.kill()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
        for worker in pool:
            worker.stop()
        shutil.rmtree(scratch, ignore_errors=True)
        if bar is not None:
            bar.close()
    return GradeSummary(assignment=assignment, records=records, skipped=tuple(skipped),
                        seconds=round(time.monotonic() - started, 2), refused=refused)
