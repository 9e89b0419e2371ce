"""How a submission is run while it is graded: its code in a sandbox, the checks elsewhere.

:class:`SandboxedExecute` replaces nbgrader's ``Execute`` preprocessor in ``autograde``
(through nbgrader's configuration, see :mod:`cxlab.course.grading.worker`). For each notebook:

1. the student's cells (the setup, the answers, anything the student added) run in a
   kernel started by :class:`SandboxedKernelManager` inside the operating-system
   sandbox of :mod:`cxlab.course.grading.sandbox`, with a per-cell timeout, a time limit for the
   whole notebook and a cap on each cell's output;
2. the graded check cells never run there. Where one stands, the kernel is asked for
   the answers that check declares (:mod:`cxlab.course.shared.manifest`), which come back as
   JSON text (:func:`cxlab.course.grading.answers.snapshot`): the kernel never receives a
   check's source, visible or hidden;
3. after the kernel has ended, the instructor's checks run in the trusted checker
   (:mod:`cxlab.course.grading.checker`) on those answers, and their outputs (an error when a
   check failed) go into the check cells, where nbgrader's ``SaveAutoGrades`` reads
   the scores as usual. Nothing the student's process printed or sent decides a grade.

What happened is appended to :data:`RUN_EVENTS` for the grading record, and the answers
each check was handed go into :data:`RUN_ANSWERS`, kept for review (``cxlab similarity``).

Imports: nbgrader, nbclient and jupyter_client (loaded only in the grading worker);
:mod:`cxlab.course.grading.sandbox`, :mod:`~cxlab.course.grading.checker`,
:mod:`~cxlab.course.grading.answers` (its size limit), :mod:`cxlab.course.shared.manifest`
and :mod:`~cxlab.course.shared.sanitise`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Integer, List, Unicode

from . import sandbox
from .answers import MAX_TEXT
from .checker import Checker, error_output
from ..shared.manifest import is_check
from ..shared.variants import is_variant_cell
from ..shared.sanitise import sanitise_notebook

#: What happened while the notebook ran, for the record (filled by SandboxedExecute).
RUN_EVENTS: list[dict] = []
#: Per check cell, the answers the kernel handed over, as JSON text (never decoded here), for the
#: grading record; a text longer than :data:`KEPT_ANSWERS_CHARS` is kept as ``{"dropped": "too large"}``.
RUN_ANSWERS: dict[str, str | dict] = {}
#: Longest answers text of one check that the grading record keeps.
KEPT_ANSWERS_CHARS = 20_000
#: The module the kernel runs: its limits, then ipykernel.
SANDBOX_MODULE = sandbox.__name__
_CHECKERS: dict[str, Checker] = {}
#: Arguments every kernel gets (nbgrader's own default for Python kernels: no history file).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
#: A kernel started ahead for the next notebook to run (see :func:`start_kernel`), or none.
_READY: list = []


def checker_for(folder: str) -> Checker:
    """The trusted checker of this worker for checks whose files are in ``folder``."""
    if folder not in _CHECKERS:
        for other in _CHECKERS.values():
            other.close()
        _CHECKERS.clear()
        _CHECKERS[folder] = Checker(cwd=folder)
    return _CHECKERS[folder]


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel inside bubblewrap, talking over Unix sockets in a private folder."""

    submission_copy = Unicode("", help="The private copy of the submission the kernel works in.").tag(config=True)
    protected = List(Unicode(), help="Folders no part of the sandbox may show.").tag(config=True)
    unsandboxed = Bool(False, help="Run the kernel without the operating-system sandbox.").tag(config=True)
    tmp_mb = Integer(512, help="Size of the kernel's private /tmp, in MiB.").tag(config=True)
    submission_mb = Integer(256, help="Size of the kernel's working folder (a tmpfs holding a copy of the "
                                      "submission), in MiB.").tag(config=True)
    runtime_parent = Unicode("", help="The folder in which the kernel's runtime folder is made (empty: the "
                                      "system's temporary folder).").tag(config=True)
    preload = List(Unicode(), ["cxlab"], help="Modules the kernel imports before it starts (the library every "
                                               "assignment imports), so that a kernel started ahead has paid "
                                               "for them.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.runtime_folder = tempfile.mkdtemp(prefix="cxlab-kernel-", dir=self.runtime_parent or None)
        os.chmod(self.runtime_folder, 0o700)
        self.transport = "ipc"
        self.ip = os.path.join(self.runtime_folder, "kernel")
        self.connection_file = os.path.join(self.runtime_folder, "kernel.json")

    def format_kernel_cmd(self, extra_arguments=None):
        launcher = [sys.executable, "-m", SANDBOX_MODULE, *(f"{sandbox.PRELOAD_OPTION}{name}" for name in self.preload)]
        if self.unsandboxed:
            return [*launcher, "-f", self.connection_file, *(extra_arguments or [])]
        inside = os.path.join(sandbox.RUNTIME_FOLDER, os.path.basename(self.connection_file))
        command = [*launcher, "-f", inside, *(extra_arguments or [])]
        return sandbox.sandbox_command(command, submission=self.submission_copy, runtime=self.runtime_folder,
                                       protected=list(self.protected), tmp_mb=self.tmp_mb,
                                       submission_mb=self.submission_mb)

    async def _async_pre_start_kernel(self, **kwargs):
        kwargs["cwd"] = self.submission_copy or self.runtime_folder
        kwargs["env"] = {**(kwargs.get("env") or os.environ), **sandbox.SINGLE_THREADED}
        return await super()._async_pre_start_kernel(**kwargs)

    async def interrupt_kernel(self) -> None:
        """Interrupt through the kernel's control channel: a signal from outside the
        sandbox does not reach the kernel inside its own process tree."""
        if self.unsandboxed or not self.has_kernel:
            return await super().interrupt_kernel()
        self._connect_control_socket()
        self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart:
            shutil.rmtree(self.runtime_folder, ignore_errors=True)


def start_kernel(config) -> SandboxedKernelManager:
    """Start a sandboxed kernel now, with the settings of ``config``, for a notebook run later.

    The grading worker starts the next student's kernel while it grades the current one
    (:func:`cxlab.course.grading.worker.serve`), so that its start-up (Python, ipykernel and
    the preloaded libraries) overlaps other work. The kernel runs nothing of the student's
    until :meth:`SandboxedExecute.preprocess` sends it the cells.
    """
    km = SandboxedKernelManager(config=config)
    run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
    return km


def stop_kernel(km: SandboxedKernelManager) -> None:
    """Stop a kernel started by :func:`start_kernel` that will not be used, and remove its files."""
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    finally:
        run_sync(km.cleanup_resources)()


def use_kernel(km: SandboxedKernelManager) -> bool:
    """Hand ``km`` to the next :meth:`SandboxedExecute.preprocess`; False when it has died
    meanwhile (the caller stops it)."""
    if not run_sync(km.is_alive)():
        return False
    drop_unused_kernel()
    _READY.append(km)
    return True


def drop_unused_kernel() -> None:
    """Stop a kernel handed over by :func:`use_kernel` that no notebook took."""
    while _READY:
        stop_kernel(_READY.pop())


def _size(content: dict) -> int:
    """Characters an output message would add to the notebook."""
    data = content.get("data") if isinstance(content.get("data"), dict) else {}
    return len(str(content.get("text", ""))) + sum(len(str(value)) for value in data.values())


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return nbformat.from_dict(error_output(ename, evalue))


class SandboxedExecute(Execute):
    """nbgrader's Execute for untrusted notebooks: student code sandboxed, checks trusted."""

    notebook_time_limit = Integer(600, help="Seconds the whole notebook may run.").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="Output kept per cell; the rest is dropped.").tag(config=True)
    max_notebook_output_bytes = Integer(5_000_000, help="Output kept for the whole notebook, display updates "
                                                        "counted once for every output they change.").tag(config=True)
    check_timeout = Integer(60, help="Seconds one check may run in the checker.").tag(config=True)
    manifests = Dict(help="Per notebook: the setup cells and the checks, from the instructor's source "
                          "(cxlab.course.shared.manifest).").tag(config=True)
    checks_folder = Unicode("", help="The working folder of the trusted checker (the assignment's source).").tag(config=True)
    variant = Unicode("", help="The variant the student is graded on, from the variant registry: the checker's "
                               "setup runs with it (empty: the assignment has no variants).").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        if km is None and _READY:
            km = _READY.pop()  # started ahead by the worker for this notebook (use_kernel)
        self._started = time.monotonic()
        self._stopped: str | None = None
        self._output_sizes: dict[int, int] = {}
        self._notebook_output = 0
        self._limited: set[int] = set()
        self._answers: dict[str, str | None] = {}
        self._cell_timeout = self.timeout
        notebook = (resources or {}).get("unique_key") or ""
        self._manifest = self.manifests.get(notebook) or {"setup": [], "checks": {}}
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            self.timeout = self._cell_timeout
        self._run_checks(nb)
        self._keep_answers()
        for finding in sanitise_notebook(nb):
            RUN_EVENTS.append({"event": "content removed", "finding": finding})
        return nb, resources

    # -- the student's kernel
    def setup_kernel(self, **kwargs):
        # a kernel started ahead is not nbclient's own, but it ends with its notebook all the same
        kwargs.setdefault("cleanup_kc", True)
        return super().setup_kernel(**kwargs)

    def _stop(self, reason: str, cell_id: str) -> None:
        self._stopped = reason
        RUN_EVENTS.append({"event": "stopped", "cell": cell_id, "reason": reason})

    def _take_answers(self, cell_id: str) -> str:
        """The JSON text of the answers the check ``cell_id`` declares, as the kernel has them now.

        The kernel is sent a message of its own kind (:data:`sandbox.ANSWERS_REQUEST`),
        which the launcher's handler answers by reading the declared names from the
        namespace's dictionary: nothing is evaluated in the student's namespace, so no
        name the student bound can change what answers. The reply is JSON that the
        kernel's session already parsed; its ``answers`` must be text of bounded size.
        """
        check = self._manifest["checks"].get(cell_id)
        if check is None:
            return "{}"
        request = self.kc.session.msg(sandbox.ANSWERS_REQUEST,
                                      content={"names": list(check["answers"]), "calls": check.get("calls") or {}})
        try:
            self.kc.shell_channel.send(request)
            reply = self.wait_for_reply(request["header"]["msg_id"])
        except (CellTimeoutError, TimeoutError):
            RUN_EVENTS.append({"event": "answers timed out", "cell": cell_id, "seconds": self.timeout})
            return "{}"
        except (DeadKernelError, RuntimeError) as error:
            self._stop(f"the kernel stopped answering ({str(error)[:100]})", cell_id)
            return "{}"
        content = (reply or {}).get("content", {})
        text = content.get("answers") if isinstance(content, dict) else None
        if not isinstance(text, str):
            RUN_EVENTS.append({"event": "answers unreadable", "cell": cell_id, "reason": "no answers in the reply"})
            return "{}"
        if len(text) > MAX_TEXT:
            RUN_EVENTS.append({"event": "answers unreadable", "cell": cell_id, "reason": "too large"})
            return "{}"
        return text

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        cell_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        if not self._stopped and time.monotonic() - self._started >= self.notebook_time_limit:
            self._stop(f"the notebook reached its time limit of {self.notebook_time_limit} s", cell_id)
        if is_check(cell):
            cell.outputs = []
            self._answers[cell_id] = None if self._stopped else self._take_answers(cell_id)
            return cell, resources
        if self._stopped:
            cell.outputs = [_error_output("NotRun", f"not run: {self._stopped}")]
            return cell, resources

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
            run_sync(self.km.shutdown_kernel)(now=True)
            return cell, resources
        finally:
            self.timeout = self._cell_timeout
        if any(output.get("ename") == "CellTimeoutError" for output in cell.get("outputs", [])):
            RUN_EVENTS.append({"event": "cell timed out", "cell": cell_id, "seconds": self.timeout})
        return cell, resources

    def _over_limit(self, cell_index: int, size: int) -> bool:
        """Charge ``size`` bytes of output to the cell and the notebook; True when either is over its cap."""
        cell_total = self._output_sizes.get(cell_index, 0) + size
        if cell_total > self.max_output_bytes or self._notebook_output + size > self.max_notebook_output_bytes:
            if cell_index not in self._limited:
                self._limited.add(cell_index)
                cap = self.max_output_bytes if cell_total > self.max_output_bytes else self.max_notebook_output_bytes
                RUN_EVENTS.append({"event": "output limited", "cell": f"cell {cell_index + 1}", "bytes": cap})
            return True
        self._output_sizes[cell_index] = cell_total
        self._notebook_output += size
        return False

    def output(self, outs, msg, display_id, cell_index):
        if cell_index in self._limited:
            return None
        content = msg.get("content", {})
        size = _size(content)
        room = min(self.max_output_bytes - self._output_sizes.get(cell_index, 0),
                   self.max_notebook_output_bytes - self._notebook_output)
        if size > room and msg.get("msg_type") == "stream" and room > 0 and isinstance(content.get("text"), str):
            # keep the start of a long stream, as a terminal would show it
            msg = {**msg, "content": {**content, "text": content["text"][:room]}}
            size = room
        if self._over_limit(cell_index, size):
            outs.append(nbformat.v4.new_output(
                "stream", name="stderr",
                text="\n[the grader kept no more of this cell's output: it reached the output limit]\n"))
            return None
        kept = super().output(outs, msg, display_id, cell_index)
        if size == room and msg.get("msg_type") == "stream":
            self._over_limit(cell_index, 1)
            outs.append(nbformat.v4.new_output(
                "stream", name="stderr",
                text="\n[the grader kept no more of this cell's output: it reached the output limit]\n"))
        return kept

    def _update_display_id(self, display_id, msg):
        """A display update rewrites every output with its id: each rewrite counts against the caps."""
        targets = self._display_id_map.get(display_id, {})
        size = _size(msg.get("content", {}))
        for cell_index, positions in targets.items():
            if cell_index in self._limited or self._over_limit(cell_index, size * len(positions)):
                return None
        return super()._update_display_id(display_id, msg)

    # -- the trusted checker
    def _keep_answers(self) -> None:
        """The answers text of each check that got one, bounded, into :data:`RUN_ANSWERS`."""
        for cell_id, text in self._answers.items():
            if text is not None:
                RUN_ANSWERS[cell_id] = text if len(text) <= KEPT_ANSWERS_CHARS else {"dropped": "too large"}

    def _note_variant(self, nb) -> None:
        """Under the notebook's VARIANT cell, what the grader used: the registry's variant."""
        for cell in nb.cells:
            if is_variant_cell(cell):
                cell.outputs = [nbformat.v4.new_output(
                    "stream", name="stdout", text=f"graded on the variant {self.variant!r}, as the course's registry "
                                                  "gives it for this student\n")]
                return

    def _run_checks(self, nb) -> None:
        if self.variant:
            self._note_variant(nb)
        checks, cells = [], {}
        for cell in nb.cells:
            if not is_check(cell):
                continue
            cell_id = cell.metadata.nbgrader["grade_id"]
            cells[cell_id] = cell
            declared = self._manifest["checks"].get(cell_id)
            answers = self._answers.get(cell_id)
            if declared is None:
                cell.outputs = [_error_output("GraderError", "this check is not in the instructor's notebook")]
            elif answers is None:
                cell.outputs = [_error_output("NotRun", f"not run: {self._stopped or 'the notebook stopped before it'}")]
            else:
                checks.append({"cell": cell_id, "source": declared["source"], "answers": answers,
                               "declared": list(declared["answers"]),
                               "calls": declared.get("calls") or {}})
        if not checks:
            return
        setup = list(self._manifest["setup"])
        if self.variant:
            setup = [f"VARIANT = {json.dumps(self.variant)}", *setup]
        results, findings = checker_for(self.checks_folder or os.getcwd()).check(setup, checks,
                                                                                 timeout=self.check_timeout)
        for cell_id, found in findings.items():
            for finding in found:
                RUN_EVENTS.append({"event": "answers refused", "cell": cell_id, "finding": finding})
        for check in checks:
            cells[check["cell"]].outputs = [nbformat.from_dict(output) for output in results.get(check["cell"], [])]
