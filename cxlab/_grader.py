"""Grade one student's submission: the worker that ``cxlab grade`` starts per student.

Run as ``python -m cxlab._grader`` by ``cxlab grade``, which sends it one job (a JSON
line) per student on its standard input. For each it runs nbgrader's own ``autograde`` for one
student with three changes, all made through nbgrader's configuration:

- the ``Execute`` preprocessor is replaced by :class:`GuardedExecute`, which runs each
  code cell in a sandboxed kernel (:mod:`cxlab._sandbox`), restores the kernel's state
  before every read-only cell (:mod:`cxlab._kernel_guard`), limits the whole notebook's
  time and each cell's output, and keeps what the submission earned when its kernel dies
  or hangs;
- test cells the submission deleted are put back (``OverwriteCells.add_missing_cells``);
- with SQLite, every connection to the gradebook holds a lock file, so that parallel
  workers never write at the same time.

It writes a record of what happened (``grading-log/ASSIGNMENT/STUDENT.json``) only when
it has finished, so that an interrupted batch regrades this student on the next run.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Integer

from nbgrader.preprocessors import Execute

#: What happened while the notebook ran, for the record (filled by GuardedExecute).
RUN_EVENTS: list[dict] = []
GUARD_MODULE = "cxlab._kernel_guard"
RECORD_VERSION = 1


# ---------------------------------------------------------------------------- kernel


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel through :mod:`cxlab._sandbox` instead of ``ipykernel_launcher``."""

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        for index in range(len(command) - 1):
            if command[index] == "-m" and command[index + 1] == "ipykernel_launcher":
                command[index + 1] = "cxlab._sandbox"
                return command
        raise RuntimeError(f"cannot run this kernel in the grading sandbox: {command}")


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def assigned_names(source: str) -> list[str]:
    """Top-level names a cell binds (assignments, imports, definitions)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.extend(item.id for item in ast.walk(target) if isinstance(item, ast.Name))
    return sorted(set(names))


def _is_locked(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


class GuardedExecute(Execute):
    """nbgrader's Execute, hardened for untrusted notebooks."""

    notebook_time_limit = Integer(600, help="Seconds the whole notebook may run.").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="Output kept per cell; the rest is dropped.").tag(config=True)
    guard_timeout = Integer(20, help="Seconds a guard call may take.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._started = time.monotonic()
        self._stopped: str | None = None
        self._guard_ready = False
        self._output_sizes: dict[int, int] = {}
        self._cell_timeout = self.timeout
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self.timeout = self._cell_timeout

    # -- calls into the kernel that no input transformer sees
    def _guard(self, call: str) -> tuple[bool, object]:
        expression = f"__import__({GUARD_MODULE!r}, fromlist=['_']).{call}"
        saved, self.timeout = self.timeout, self.guard_timeout
        try:
            msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"guard": expression})
            reply = self.wait_for_reply(msg_id)
        except (DeadKernelError, RuntimeError) as error:
            return False, str(error)
        finally:
            self.timeout = saved
        if reply is None:
            return False, "no answer from the kernel"
        result = reply["content"].get("user_expressions", {}).get("guard", {})
        if result.get("status") != "ok":
            return False, f"{result.get('ename', 'error')}: {result.get('evalue', '')}"
        try:
            return True, ast.literal_eval(result["data"]["text/plain"])
        except (KeyError, ValueError, SyntaxError):
            return False, "unreadable answer from the kernel"

    def _stop(self, reason: str, cell_id: str) -> None:
        self._stopped = reason
        RUN_EVENTS.append({"event": "stopped", "cell": cell_id, "reason": reason})

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        cell_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        if not self._guard_ready and not self._stopped:
            ok, answer = self._guard("install()")
            if not ok:
                self._stop(f"the grading guard could not start: {answer}", cell_id)
            self._guard_ready = True
        if not self._stopped and time.monotonic() - self._started >= self.notebook_time_limit:
            self._stop(f"the notebook reached its time limit of {self.notebook_time_limit} s", cell_id)
        if self._stopped:
            cell.outputs = [_error_output("NotRun", f"not run: {self._stopped}")]
            return cell, resources

        locked = _is_locked(cell)
        grade = bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))
        names = assigned_names(cell.source) if locked and not grade else []
        if locked:
            ok, answer = self._guard(f"before_locked({names!r})")
            if not ok:
                RUN_EVENTS.append({"event": "guard failed", "cell": cell_id, "reason": str(answer)})
                cell.outputs = [_error_output("GraderError", "the grader could not check the kernel before this cell")]
                return cell, resources
            if answer:
                RUN_EVENTS.append({"event": "restored", "cell": cell_id, "what": list(answer)})

        remaining = self.notebook_time_limit - (time.monotonic() - self._started)
        self.timeout = max(1, min(self._cell_timeout or remaining, math.ceil(remaining)))
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_error_output("DeadKernelError", "the kernel died while running this cell"))
            self._stop("the kernel died in an earlier cell", cell_id)
            return cell, resources
        except CellTimeoutError:
            cell.outputs.append(_error_output("CellTimeoutError", "the cell did not stop at its time limit"))
            self._stop("a cell ignored its time limit and the kernel was stopped", cell_id)
            self.km.shutdown_kernel(now=True)
            return cell, resources
        finally:
            self.timeout = self._cell_timeout

        if any(output.get("ename") == "CellTimeoutError" for output in cell.get("outputs", [])):
            RUN_EVENTS.append({"event": "cell timed out", "cell": cell_id, "seconds": self.timeout})
            ok, _ = self._guard("after_locked([])")  # does the kernel answer after the interrupt?
            if not ok:
                self._stop("a cell ignored its time limit and the kernel was stopped", cell_id)
                self.km.shutdown_kernel(now=True)
                return cell, resources
        if locked:
            self._guard(f"after_locked({names!r})")
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(value)) for value in content.get("data", {}).values())
        total = self._output_sizes.get(cell_index, 0)
        self._output_sizes[cell_index] = total + size
        if total + size > self.max_output_bytes:
            if total <= self.max_output_bytes:
                RUN_EVENTS.append({"event": "output limited", "cell": f"cell {cell_index + 1}", "bytes": self.max_output_bytes})
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"\n[the grader kept the first {self.max_output_bytes:,} bytes of this cell's output]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


# ---------------------------------------------------------------------------- gradebook


class _GradebookLock:
    """One writer at a time on a SQLite gradebook, across processes (a lock file)."""

    def __init__(self, path: Path):
        self.path = path
        self.depth = 0
        self.handle = None

    def acquire(self) -> None:
        if self.depth == 0:
            self.handle = open(self.path, "a+")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def sqlite_path(db_url: str) -> Path | None:
    if not db_url.startswith("sqlite:///"):
        return None
    return Path(db_url[len("sqlite:///"):].split("?")[0])


def serialise_gradebook_access(db_url: str) -> None:
    """Make every nbgrader Gradebook in this process hold the lock while it is open."""
    from nbgrader.api import Gradebook

    path = sqlite_path(db_url)
    if path is None or getattr(Gradebook, "_cxlab_lock", None) is not None:
        return
    lock = _GradebookLock(path.with_name(path.name + ".lock"))
    original_init, original_close = Gradebook.__init__, Gradebook.close

    def __init__(self, *args, **kwargs):
        lock.acquire()
        self._cxlab_locked = True
        try:
            original_init(self, *args, **kwargs)
        except BaseException:
            self._cxlab_locked = False
            lock.release()
            raise

    def close(self):
        try:
            original_close(self)
        finally:
            if getattr(self, "_cxlab_locked", False):
                self._cxlab_locked = False
                lock.release()

    Gradebook.__init__, Gradebook.close, Gradebook._cxlab_lock = __init__, close, lock


# ---------------------------------------------------------------------------- one student


def submission_fingerprint(folder: Path) -> str:
    """A hash of the submitted files, so that a resubmission is graded again."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def _record_path(log_dir: Path, student: str) -> Path:
    return log_dir / f"{student}.json"


def write_record(log_dir: Path, record: dict) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    target = _record_path(log_dir, record["student"])
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    os.replace(partial, target)


def zero_submission(db_url: str, course_id: str, assignment: str, student: str, reason: str) -> None:
    """Record a submission that could not be graded: every grade 0, flagged for review."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            notebook.flagged = True
            for grade in notebook.grades:
                if grade.auto_score is None or grade.cell.cell_type == "code":
                    grade.auto_score = 0
                grade.needs_manual_grade = False
        gradebook.db.commit()


def _submission_summary(db_url: str, course_id: str, assignment: str, student: str, flag: bool) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {"score": 0.0, "max_score": None}
        if flag:
            for notebook in submission.notebooks:
                notebook.flagged = True
            gradebook.db.commit()
        by_cell = {grade.name: [grade.score, grade.max_score] for notebook in submission.notebooks for grade in notebook.grades}
        return {"score": float(submission.score), "max_score": float(submission.max_score), "by_cell": by_cell,
                "needs_manual_grade": bool(submission.needs_manual_grade)}


def tampering_notes(path: Path, release: Path, db_url: str, course_id: str, assignment: str) -> list[str]:
    """What a submission changed in the instructor's cells, compared with the version the
    students were given (``release``). nbgrader restores them all before grading
    (OverwriteCells), so these are notes for the instructor, not penalties."""
    from nbgrader.api import Gradebook

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


def _expected_notebooks(db_url: str, course_id: str, assignment: str) -> tuple[list[str], set[str]]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        found = gradebook.find_assignment(assignment)
        names = [notebook.name for notebook in found.notebooks]
        locked = {cell.name for notebook in found.notebooks for cell in notebook.source_cells if cell.locked}
        locked |= {cell.name for notebook in found.notebooks for cell in notebook.grade_cells if cell.cell_type == "code"}
    return names, locked


def grade_one(job: dict) -> dict:
    """Grade ``job["student"]``; returns (and writes) the record of what happened."""
    from cxlab import _scan
    from cxlab.course import load_config
    from nbgrader.apps import NbGraderAPI
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    root, assignment, student = Path(job["root"]), job["assignment"], job["student"]
    log_dir = Path(job["log_dir"])
    started = time.monotonic()
    overrides = {"db_url": job["db_url"]} if job.get("db_url") else {}
    config = load_config(root, **overrides)
    coursedir = CourseDirectory(config=config)
    db_url, course_id = coursedir.db_url, coursedir.course_id
    serialise_gradebook_access(db_url)
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    record = {"version": RECORD_VERSION, "student": student, "assignment": assignment, "status": "graded",
              "reasons": [], "findings": [], "refusals": [], "events": [], "fingerprint": submission_fingerprint(folder)}

    expected, locked_ids = _expected_notebooks(db_url, course_id, assignment)
    present = sorted(folder.glob("*.ipynb"))
    unknown = [path for path in present if path.stem not in expected]
    missing = [name for name in expected if not (folder / f"{name}.ipynb").exists()]
    if len(missing) == 1 and len(unknown) == 1:
        target = folder / f"{missing[0]}.ipynb"
        os.replace(unknown[0], target)
        record["reasons"].append(f"graded {unknown[0].name} as {target.name} (the only notebook, under another name)")
        unknown, missing = [], []
    for path in unknown:
        record["reasons"].append(f"ignored {path.name}: not a notebook of this assignment (expected {', '.join(expected)})")
    extra = [p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb" and p.name != "timestamp.txt"]
    if extra:
        record["findings"].append(f"extra files in the submission (the kernel cannot import them): {', '.join(sorted(extra))}")
    problems = {name: check_notebook_file(folder / f"{name}.ipynb") for name in expected if name not in missing}
    problems = {name: why for name, why in problems.items() if why}
    for name in missing:
        record["reasons"].append(f"{name}.ipynb is missing from the submission")

    if problems or len(missing) == len(expected):
        for name, why in problems.items():
            record["reasons"].append(f"{name}.ipynb: {why}")
        record["status"] = "failed"
        zero_submission(db_url, course_id, assignment, student, "; ".join(record["reasons"]))
    else:
        for name in expected:
            if name not in missing:
                record["findings"].extend(str(f) for f in _scan.scan_notebook(folder / f"{name}.ipynb", locked_ids))
                release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{name}.ipynb"
                record["findings"].extend(tampering_notes(folder / f"{name}.ipynb", release, db_url, course_id, assignment))
        scratch = Path(tempfile.mkdtemp(prefix=f"cxlab-grade-{student}-"))
        sandbox_log = scratch / "refusals.jsonl"
        protected = [str(root), os.path.expanduser("~/.pgpass"), str(log_dir)]
        path = sqlite_path(db_url)
        if path is not None:
            protected.append(str(path.resolve().parent if path.resolve().parent != Path("/") else path))
        import cxlab

        os.environ.update({
            "CXLAB_SANDBOX_PROTECT": os.pathsep.join(protected),
            "CXLAB_SANDBOX_ALLOW": os.pathsep.join([sys.prefix, os.path.dirname(cxlab.__file__)]),
            "CXLAB_SANDBOX_WRITABLE": str(scratch),
            "CXLAB_SANDBOX_LOG": str(sandbox_log),
            "CXLAB_SANDBOX_MEMORY_MB": str(job["memory_mb"]),
            "TMPDIR": str(scratch), "MPLCONFIGDIR": str(scratch / "mpl"), "IPYTHONDIR": str(scratch / "ipython"),
        })
        preprocessors = [GuardedExecute if step is Execute else step for step in Autograde.autograde_preprocessors.default()]
        config.Autograde.autograde_preprocessors = preprocessors
        config.OverwriteCells.add_missing_cells = True
        config.GuardedExecute.kernel_manager_class = SandboxedKernelManager
        if job.get("cell_timeout"):
            config.GuardedExecute.timeout = int(job["cell_timeout"])
        config.GuardedExecute.notebook_time_limit = int(job["time_limit"])
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        RUN_EVENTS.clear()
        try:
            outcome = api.autograde(assignment, student, force=True, create=True)
        finally:
            if sandbox_log.exists():
                record["refusals"] = [json.loads(line) for line in sandbox_log.read_text().splitlines() if line.strip()][:50]
            shutil.rmtree(scratch, ignore_errors=True)
        record["events"] = list(RUN_EVENTS)
        with open(log_dir / f"{student}.log", "w", encoding="utf-8") as log:
            log.write(outcome.get("log", "") + "\n" + (outcome.get("error", "") or ""))
        if not outcome["success"]:
            record["status"] = "failed"
            lines = [line for line in (outcome.get("log", "") + "\n" + outcome.get("error", "")).splitlines() if line.strip()]
            record["reasons"].append("nbgrader could not grade it: " + " | ".join(lines[-3:])[:600])
            zero_submission(db_url, course_id, assignment, student, record["reasons"][-1])
        for event in record["events"]:
            if event["event"] in ("stopped", "guard failed"):
                record["reasons"].append(f"{event['cell']}: {event['reason']}")
            elif event["event"] == "cell timed out":
                record["reasons"].append(f"{event['cell']}: stopped after its time limit of {event['seconds']} s")
            elif event["event"] == "output limited":
                record["reasons"].append(f"{event['cell']}: output cut to {event['bytes']:,} bytes")
            elif event["event"] == "restored":
                record["findings"].append(f"before {event['cell']} the grader undid: {', '.join(event['what'][:8])}")
        for refusal in record["refusals"]:
            record["findings"].append(f"refused {refusal['event']} {refusal['target']}: {refusal['why']}")

    suspicious = bool(record["findings"]) or any(e["event"] == "guard failed" for e in record["events"])
    record["flagged"] = suspicious
    record.update(_submission_summary(db_url, course_id, assignment, student, flag=suspicious))
    record["seconds"] = round(time.monotonic() - started, 2)
    write_record(log_dir, record)
    return record


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _lock_student(log_dir: Path, student: str):
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
    _die_with_parent()
    for line in jobs:
        if not line.strip():
            continue
        job = json.loads(line)
        log_dir = Path(job["log_dir"])
        handle = _lock_student(log_dir, job["student"])
        if handle is None:
            answer = {"student": job["student"], "status": "busy"}
        else:
            try:
                record = grade_one(job)
                answer = {"student": record["student"], "status": record["status"]}
            except Exception as error:  # one broken job must not end the worker's batch
                answer = {"student": job["student"], "status": "error", "reason": f"{type(error).__name__}: {error}"[:500]}
            finally:
                handle.close()
        results.write(json.dumps(answer) + "\n")
        results.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
