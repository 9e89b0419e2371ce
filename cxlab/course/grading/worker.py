"""Grade one student's submission: the process that ``cxlab grade`` starts per worker.

Run as ``python -m cxlab.course.grading.worker`` by :func:`cxlab.course.grading.grade.grade`, which
sends it one job (a JSON line) per student on its standard input. For each it runs
nbgrader's own ``autograde`` for one student with three changes, all made through
nbgrader's configuration:

- the ``Execute`` preprocessor is replaced by
  :class:`cxlab.course.grading.execute.SandboxedExecute`: the student's cells run in a kernel
  inside the operating-system sandbox (:mod:`cxlab.course.grading.sandbox`), working in a
  private copy of the submission; only the answers each check declares leave it, as
  data, and the instructor's checks run on them in this worker's trusted checker
  (:mod:`cxlab.course.grading.checker`), which lives as long as the worker, so the checks' data
  are loaded once per batch;
- test cells the submission deleted are put back (``OverwriteCells.add_missing_cells``);
- with SQLite, every connection to the gradebook holds a lock file
  (:func:`cxlab.course.shared.gradebook.serialise_gradebook_access`), so that parallel
  workers never write at the same time.

The checks, setup cells and declared answers come from the instructor's source
notebooks (:mod:`cxlab.course.shared.manifest`), never from the submission. The static scan
(:mod:`cxlab.course.grading.scan`) and a comparison with the released notebook note what the
submission did, as advice for the instructor. It writes a record of what happened
(:mod:`cxlab.course.grading.records`) only when it has finished, so that an interrupted batch
regrades this student on the next run.

Imports: :mod:`cxlab.course.config`, :mod:`~cxlab.course.grading.execute`,
:mod:`~cxlab.course.shared.gradebook`, :mod:`~cxlab.course.shared.manifest`,
:mod:`~cxlab.course.grading.records`, :mod:`~cxlab.course.grading.processes` (its
:func:`~cxlab.course.grading.processes.die_with_parent`) and
:mod:`~cxlab.course.grading.scan`; nbgrader.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from . import scan
from ..config import course_api
from .execute import (RUN_ANSWERS, RUN_EVENTS, SandboxedExecute, SandboxedKernelManager, drop_unused_kernel,
                      start_kernel, stop_kernel, use_kernel)
from ..shared.gradebook import (
    assignment_cells,
    mark_ungraded,
    serialise_gradebook_access,
    sqlite_path,
    submission_summary,
    zero_submission,
)
from ..shared.manifest import read_manifest
from ..shared.variants import notebook_variant, variant_notes
from .records import new_record, write_record
from .processes import die_with_parent


def check_notebook_file(path: Path) -> str | None:
    """Why a submitted file cannot be graded, or None when nbformat can read it."""
    raw = path.read_bytes()
    if not raw.strip():
        return "the notebook file is empty"
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        return f"the notebook is not valid JSON ({error})"
    try:
        nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as error:  # nbformat raises several kinds for a broken notebook
        return f"nbformat cannot read the notebook ({type(error).__name__}: {str(error)[:200]})"
    return None


def tampering_notes(path: Path, release: Path, db_url: str, course_id: str, assignment: str) -> list[str]:
    """What a submission changed in the instructor's cells, compared with the version the
    students were given (``release``). nbgrader restores them all before grading
    (OverwriteCells), so these are notes for the instructor, not penalties."""

    def by_id(notebook):
        return {cell.metadata.nbgrader["grade_id"]: cell for cell in notebook.cells
                if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")}

    submitted = by_id(nbformat.read(str(path), as_version=4))
    given = by_id(nbformat.read(str(release), as_version=4)) if release.is_file() else {}
    notes = []
    with Gradebook(db_url, course_id) as gradebook:
        source = gradebook.find_notebook(path.stem, assignment)
        points = {cell.name: cell.max_score for cell in source.grade_cells}
        for cell in source.source_cells:
            mine = submitted.get(cell.name)
            if mine is None:
                if cell.name in points:
                    notes.append(f"the graded cell {cell.name} was deleted; the grader put it back")
                continue
            meta = mine.metadata.nbgrader
            if cell.name in points and float(meta.get("points") or 0) != points[cell.name]:
                notes.append(f"the points of {cell.name} were changed to {meta.get('points')}; the grader used {points[cell.name]:g}")
            if cell.locked and cell.name in given and mine.source.strip() != given[cell.name].source.strip():
                notes.append(f"the read-only cell {cell.name} was edited; the grader used the original")
    return notes


def autograde_settings(job: dict, manifests: dict | None = None, checks_folder: str = "",
                       submission_copy: str = "", protected: list[str] | None = None) -> Config:
    """nbgrader settings for grading untrusted notebooks, over the course's own."""
    tweaks = Config()
    tweaks.Autograde.autograde_preprocessors = [
        SandboxedExecute if step is Execute else step for step in Autograde.autograde_preprocessors.default()
    ]
    tweaks.OverwriteCells.add_missing_cells = True
    tweaks.SandboxedExecute.kernel_manager_class = SandboxedKernelManager
    if job.get("cell_timeout"):
        tweaks.SandboxedExecute.timeout = int(job["cell_timeout"])
    tweaks.SandboxedExecute.notebook_time_limit = int(job["time_limit"])
    tweaks.SandboxedExecute.manifests = manifests or {}
    tweaks.SandboxedExecute.checks_folder = checks_folder
    tweaks.SandboxedExecute.variant = job.get("variant") or ""
    tweaks.SandboxedKernelManager.submission_copy = submission_copy
    tweaks.SandboxedKernelManager.protected = list(protected or [])
    tweaks.SandboxedKernelManager.unsandboxed = bool(job.get("unsandboxed"))
    tweaks.SandboxedKernelManager.runtime_parent = job.get("scratch") or ""
    return tweaks


def _protected(root: Path, log_dir: Path, db_url: str) -> list[str]:
    """Folders the sandbox must never show: the course, the grader's logs, the gradebook's."""
    protected = [str(root), str(log_dir), os.path.expanduser("~")]
    path = sqlite_path(db_url)
    if path is not None and path.resolve().parent != Path("/"):
        protected.append(str(path.resolve().parent))
    return protected


def manifests_of(source_folder: Path) -> dict:
    """The manifest (:mod:`cxlab.course.shared.manifest`) of every source notebook of an assignment."""
    manifests = {}
    for path in sorted(source_folder.glob("*.ipynb")):
        manifest = read_manifest(path)
        manifests[manifest.notebook] = {
            "setup": list(manifest.setup),
            "checks": {cell: {"source": check.source, "answers": list(check.answers), "calls": check.calls}
                       for cell, check in manifest.checks.items()},
        }
    return manifests


def _explain_events(record: dict) -> None:
    """Turn what happened in the kernel into the record's reasons and findings."""
    for event in record["events"]:
        if event["event"] == "stopped":
            record["reasons"].append(f"{event['cell']}: {event['reason']}")
        elif event["event"] == "cell timed out":
            record["reasons"].append(f"{event['cell']}: stopped after its time limit of {event['seconds']} s")
        elif event["event"] == "answers timed out":
            record["reasons"].append(f"{event['cell']}: the answers were not ready within {event['seconds']} s")
        elif event["event"] == "answers unreadable":
            record["findings"].append(f"{event['cell']}: the kernel did not hand over its answers ({event['reason']})")
        elif event["event"] == "output limited":
            record["reasons"].append(f"{event['cell']}: output cut at the limit of {event['bytes']:,} bytes")
        elif event["event"] == "content removed":
            record["findings"].append(event["finding"])
        elif event["event"] == "answers refused":
            record["findings"].append(f"{event['cell']}: {event['finding']}")


#: Free space (bytes) the gradebook's disk must have before the worker writes to it.
MIN_FREE_BYTES = 64 * 1024 * 1024


class GraderError(RuntimeError):
    """The grader could not grade a submission, through no fault of the submission."""


def check_free_space(db_url: str, root: Path) -> None:
    """Refuse to write the gradebook (or grading records) on a nearly full disk."""
    path = sqlite_path(db_url)
    for folder in {path.resolve().parent if path is not None else root, root}:
        free = shutil.disk_usage(folder).free
        if free < MIN_FREE_BYTES:
            raise GraderError(f"only {free // 2**20} MiB free on the disk of {folder}: "
                              f"the grader needs {MIN_FREE_BYTES // 2**20} MiB to write grades")


def copy_submission(folder: Path, target: Path) -> list[str]:
    """Copy the regular files of a submission (never following a symbolic link); the links skipped."""
    skipped = []
    target.mkdir(parents=True)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_symlink():
            skipped.append(str(relative))
        elif path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative, follow_symlinks=False)
    return skipped


def _listing(folder: Path) -> tuple:
    """What a submitted folder holds (names, kinds, sizes, times): equal listings, equal copies."""
    entries = []
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        entries.append((str(path.relative_to(folder)), info.st_mode, info.st_size, info.st_mtime_ns))
    return tuple(entries)


class _Ahead:
    """A student's kernel started ahead: the private copy it works in, and what it was copied from."""

    def __init__(self, job: dict):
        root = Path(job["root"])
        _, coursedir = course_api(root, db_url=job.get("db_url"))
        self.student = job["student"]
        folder = Path(coursedir.format_path(coursedir.submitted_directory, self.student, job["assignment"]))
        self.listing = _listing(folder)
        self.scratch: Path | None = Path(tempfile.mkdtemp(prefix="cxlab-grade-", dir=job.get("scratch")))
        self.km = None
        #: the kernel's process (bubblewrap), kept to make sure it has ended once the notebook ran
        self.process = None
        try:
            copy_submission(folder, self.scratch / "submission")
            os.environ["CXLAB_SANDBOX_MEMORY_MB"] = str(job["memory_mb"])
            settings = autograde_settings(job, {}, "", str(self.scratch / "submission"),
                                          _protected(root, Path(job["log_dir"]), coursedir.db_url))
            self.km = start_kernel(settings)
            self.process = getattr(self.km.provisioner, "process", None)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Stop the kernel (whether or not a notebook ran in it) and remove its copy."""
        try:
            if self.km is not None:
                stop_kernel(self.km)
        finally:
            self.km = None
            if self.process is not None and self.process.poll() is None:
                self.process.kill()  # bubblewrap ends every process of its sandbox with it
                self.process.wait()
            self.process = None
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def start_ahead(job: dict) -> _Ahead | None:
    """Start the kernel of the student ``job`` names, to be graded next; None when it cannot
    start (that student is then graded the usual way, which reports why)."""
    try:
        return _Ahead(job)
    except Exception:
        return None


def grade_one(job: dict, ahead: _Ahead | None = None) -> dict:
    """Grade ``job["student"]``; returns (and writes) the record of what happened.

    ``ahead``, when given, is this student's kernel started ahead (:func:`start_ahead`);
    it is used only if the submitted folder is still as it was when the kernel's copy was
    made, and is stopped in any case.

    A failure of the grader's own (a kernel that does not start, a checker that fails,
    nbgrader's error) gives the status ``failed`` with ``cause: "grader"``: no score is
    written, and the next plain run grades the student again.
    """
    try:
        return _grade_one(job, ahead)
    finally:
        if ahead is not None:
            ahead.discard()


def _grade_one(job: dict, ahead: _Ahead | None) -> dict:
    root, assignment, student = Path(job["root"]), job["assignment"], job["student"]
    log_dir = Path(job["log_dir"])
    started = time.monotonic()
    _, coursedir = course_api(root, db_url=job.get("db_url"))
    db_url, course_id = coursedir.db_url, coursedir.course_id
    serialise_gradebook_access(db_url)
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    record = new_record(student, assignment, folder=folder)
    record.update(events=[], sandbox="none" if job.get("unsandboxed") else "bubblewrap")

    expected, locked_ids = assignment_cells(db_url, course_id, assignment)
    links = sorted(path.name for path in folder.iterdir() if path.is_symlink())
    if links:
        record["findings"].append(f"symbolic links in the submission, not followed: {', '.join(links)}")
    present = sorted(path for path in folder.glob("*.ipynb") if not path.is_symlink())
    unknown = [path for path in present if path.stem not in expected]
    missing = [name for name in expected if folder / f"{name}.ipynb" not in present]
    if len(missing) == 1 and len(unknown) == 1:
        target = folder / f"{missing[0]}.ipynb"
        os.replace(unknown[0], target)
        record["reasons"].append(f"graded {unknown[0].name} as {target.name} (the only notebook, under another name)")
        unknown, missing = [], []
    for path in unknown:
        record["reasons"].append(f"ignored {path.name}: not a notebook of this assignment (expected {', '.join(expected)})")
    extra = [p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb" and p.name != "timestamp.txt"]
    if extra:
        record["findings"].append(f"extra files in the submission: {', '.join(sorted(extra))}")
    problems = {name: check_notebook_file(folder / f"{name}.ipynb") for name in expected if name not in missing}
    problems = {name: why for name, why in problems.items() if why}
    for name in missing:
        record["reasons"].append(f"{name}.ipynb is missing from the submission")

    check_free_space(db_url, root)
    if problems or len(missing) == len(expected):
        for name, why in problems.items():
            record["reasons"].append(f"{name}.ipynb: {why}")
        record.update(status="failed", cause="submission")
        zero_submission(db_url, course_id, assignment, student)
    else:
        for name in expected:
            if name not in missing:
                record["findings"].extend(str(f) for f in scan.scan_notebook(folder / f"{name}.ipynb", locked_ids))
                release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{name}.ipynb"
                record["findings"].extend(tampering_notes(folder / f"{name}.ipynb", release, db_url, course_id, assignment))
                if job.get("variant"):
                    named = notebook_variant(nbformat.read(str(folder / f"{name}.ipynb"), as_version=4))
                    record.update(variant=job["variant"], notebook_variant=named)
                    reasons, findings = variant_notes(student, job["variant"], named, job.get("others") or {}, assignment)
                    record["reasons"].extend(reasons)
                    record["findings"].extend(findings)
        source_folder = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        if ahead is not None and ahead.student == student and ahead.km is not None \
                and ahead.listing == _listing(folder) and use_kernel(ahead.km):
            scratch, ahead.km, ahead.scratch = ahead.scratch, None, None
        else:
            scratch = Path(tempfile.mkdtemp(prefix="cxlab-grade-", dir=job.get("scratch")))
            copy_submission(folder, scratch / "submission")
        submission_copy = scratch / "submission"
        os.environ["CXLAB_SANDBOX_MEMORY_MB"] = str(job["memory_mb"])
        settings = autograde_settings(job, manifests_of(source_folder), str(source_folder.resolve()),
                                      str(submission_copy), _protected(root, log_dir, db_url))
        api, _ = course_api(root, settings, db_url=db_url)
        RUN_EVENTS.clear()
        RUN_ANSWERS.clear()
        try:
            outcome = api.autograde(assignment, student, force=True, create=True)
        finally:
            drop_unused_kernel()
            shutil.rmtree(scratch, ignore_errors=True)
        record["events"] = list(RUN_EVENTS)
        # what each check was handed, as the kernel's JSON text: kept for review, decoded only by the reader
        record["answers"] = dict(RUN_ANSWERS)
        with open(log_dir / f"{student}.log", "w", encoding="utf-8") as log:
            log.write(outcome.get("log", "") + "\n" + (outcome.get("error", "") or ""))
        _explain_events(record)
        if not outcome["success"]:
            lines = [line for line in (outcome.get("log", "") + "\n" + outcome.get("error", "")).splitlines() if line.strip()]
            record.update(status="failed", cause="grader", score=None, flagged=bool(record["findings"]))
            mark_ungraded(db_url, course_id, assignment, student)
            record["reasons"].append("the grader could not grade it (no score written; run grade again once fixed): "
                                     + " | ".join(lines[-3:])[:600])
            write_record(log_dir, record)
            return record

    suspicious = bool(record["findings"])
    record["flagged"] = suspicious
    record.update(submission_summary(db_url, course_id, assignment, student, flag=suspicious))
    record["seconds"] = round(time.monotonic() - started, 2)
    write_record(log_dir, record)
    return record


def _lock_student(log_dir: Path, student: str):
    """A lock held while this student is graded, or None when another grader holds it."""
    locks = log_dir / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    handle = open(locks / f"{student}.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def serve() -> int:
    """Grade the jobs the parent sends, one JSON line each, until its pipe closes.

    One worker grades many students, so the libraries are imported once per worker, not
    once per student. The job and result pipes get private descriptors that a kernel
    does not inherit; the kernel's standard streams go to the worker's log instead, so
    nothing a submission prints can pass for a result.
    """
    jobs = os.fdopen(os.dup(0), "r", encoding="utf-8")
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    die_with_parent()
    ahead: _Ahead | None = None
    for line in jobs:
        if not line.strip():
            continue
        job = json.loads(line)
        mine = ahead if ahead is not None and ahead.student == job["student"] else None
        if ahead is not None and mine is None:
            ahead.discard()  # the parent gave that student to another worker
        # the next student's kernel starts now and is ready when their turn comes
        ahead = start_ahead(job["next"]) if job.get("next") else None
        log_dir = Path(job["log_dir"])
        handle = _lock_student(log_dir, job["student"])
        if handle is None:
            answer = {"student": job["student"], "status": "busy"}
            if mine is not None:
                mine.discard()
        else:
            try:
                record = grade_one(job, mine)
                answer = {"student": record["student"], "status": record["status"]}
            except Exception as error:  # one broken job must not end the worker's batch
                answer = {"student": job["student"], "status": "error", "reason": f"{type(error).__name__}: {error}"[:500]}
            finally:
                handle.close()
        results.write(json.dumps(answer) + "\n")
        results.flush()
    if ahead is not None:
        ahead.discard()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
