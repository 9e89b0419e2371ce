"""How a submission's notebook runs while it is graded: nbgrader's Execute, hardened.

:class:`GuardedExecute` replaces nbgrader's ``Execute`` preprocessor in ``autograde``
(through nbgrader's configuration, see :mod:`cxlab.course.worker`). It runs each code
cell in a kernel started by :class:`SandboxedKernelManager` through
:mod:`cxlab.course.sandbox`, restores the kernel's state before every read-only cell
through :mod:`cxlab.course.kernel_guard`, limits the whole notebook's time and each
cell's output, and keeps what the submission earned when its kernel dies or hangs.
What happened is appended to :data:`RUN_EVENTS` for the grading record.

Imports: nbgrader, nbclient and jupyter_client (loaded only in the grading worker);
:mod:`cxlab.course.sandbox` and :mod:`cxlab.course.kernel_guard` for their module names
(they run inside the kernel, not here).

>>> assigned_names("import numpy as np\\nx, y = 1, 2\\ndef f(): pass")
['f', 'np', 'x', 'y']
"""

from __future__ import annotations

import ast
import math
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from . import kernel_guard, sandbox

#: What happened while the notebook ran, for the record (filled by GuardedExecute).
RUN_EVENTS: list[dict] = []
#: The modules the kernel runs: its launcher, and the guard called inside it.
SANDBOX_MODULE = sandbox.__name__
GUARD_MODULE = kernel_guard.__name__


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel through :mod:`cxlab.course.sandbox` instead of ``ipykernel_launcher``."""

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        for index in range(len(command) - 1):
            if command[index] == "-m" and command[index + 1] == "ipykernel_launcher":
                command[index + 1] = SANDBOX_MODULE
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
