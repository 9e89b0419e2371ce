"""The trusted checker: the instructor's checks, run on a student's answers as data.

``python -m cxlab.course.grading.checker`` is a process in which no line of student code ever
runs. The grading worker (:mod:`cxlab.course.grading.worker`) keeps one for its whole batch and
sends it one request per student, a JSON line on its standard input:

``{"setup": [source, ...], "checks": [{"cell": ID, "source": ..., "answers": TEXT, "declared": [NAME, ...],
"calls": {...}}, ...]}``

- ``setup`` are the assignment's read-only setup cells, from the instructor's source
  notebook, after a first line ``VARIANT = "..."`` with the variant the gradebook's
  registry gives this student (never the one the student's notebook names). They run
  once per variant (the last few namespaces are kept), so each student's checks compute
  the expected answers from that student's own data.
- each check runs in a fresh namespace: a copy of the setup's (tables and arrays copied,
  so that no check sees what another changed), plus the answers its question declares,
  decoded by :func:`cxlab.course.grading.answers.decode_declared` from the text the student's
  kernel sent, within the check's time limit. Only declared names are decoded: any
  other name in the text is refused and reported as a finding, and a setup name always
  keeps the setup's value. A declared name the student left unbound stays unbound; text
  that cannot be decoded fails that check alone with ``UnreadableAnswer``.

It answers with one JSON line: for each check, the outputs nbgrader's autograde expects
of a test cell: nothing when the check passed, an ``error`` output (name and message,
no source lines) when it failed, and what it printed; and ``findings``, by check, about
answers that were refused. A check that runs longer than the request's ``timeout``
fails with ``CheckTimeout``.

The process limits its own address space (``CXLAB_CHECKER_MEMORY_MB``, 4096 MiB unless
set); a check that runs out of memory fails with ``MemoryError``, and after a request
that came near the limit the process ends once it has answered, so that the next
request starts a fresh one.

:class:`Checker` is the worker's side: it starts the process, sends requests, and
restarts it when it dies or hangs.

Imports: :mod:`cxlab.course.grading.answers` and :mod:`cxlab.course.grading.processes`;
the standard library. Nothing that runs or talks to student code (the import-linter
contract ``trusted-side``). The setup cells import what they need (numpy, pandas, cxlab).
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import hashlib
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
import types

from .answers import AnswerError, decode_declared

#: Seconds one check may run in the checker.
CHECK_TIMEOUT = 60
#: Characters of printed output kept per check.
MAX_PRINTED = 20_000


class CheckTimeout(Exception):
    """A check ran longer than its time limit."""


def error_output(ename: str, evalue: str) -> dict:
    """An nbformat error output whose traceback is only its last line."""
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


def _fresh(namespace: dict) -> dict:
    """A copy of the setup's namespace that a check may change freely."""
    fresh = {}
    for name, value in namespace.items():
        if isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)):
            fresh[name] = value
        elif hasattr(value, "copy") and type(value).__module__.split(".")[0] in ("pandas", "numpy"):
            fresh[name] = value.copy()
        elif isinstance(value, (list, dict, set)):
            fresh[name] = copy.deepcopy(value)
        else:
            fresh[name] = value
    return fresh


def _alarm(signum, frame):
    raise CheckTimeout("the check ran longer than its time limit")


class _Session:
    """The checker's state: the namespaces of the last few setups, kept while they stay the same.

    The setup depends on the student (it starts with the student's own ``VARIANT``), so a
    few namespaces are kept: a regrade of the same students, or students who share a
    variant, load their data once.
    """

    KEPT = 8

    def __init__(self) -> None:
        self.setup_key: str | None = None
        self.namespace: dict = {}
        self._kept: dict[str, dict] = {}

    def prepare(self, setup: list[str]) -> None:
        key = hashlib.sha256(json.dumps(setup).encode()).hexdigest()
        if key == self.setup_key:
            return
        namespace = self._kept.pop(key, None)
        if namespace is None:
            namespace = {"__builtins__": builtins, "__name__": "__main__"}
            with contextlib.redirect_stdout(io.StringIO()):
                for index, source in enumerate(setup):
                    exec(compile(source, f"<setup cell {index + 1}>", "exec"), namespace)
        self._kept[key] = namespace
        while len(self._kept) > self.KEPT:
            self._kept.pop(next(iter(self._kept)))
        self.namespace, self.setup_key = namespace, key

    def run(self, check: dict, timeout: float) -> tuple[list[dict], list[str]]:
        """The check's outputs and what was refused of its answers."""
        namespace = _fresh(self.namespace)
        printed = io.StringIO()
        outputs, findings = [], []
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            try:
                answers, refused = decode_declared(check["answers"], check.get("declared") or [],
                                                   check.get("calls") or None)
            except CheckTimeout:
                raise
            except BaseException as error:  # whatever the text does to the decoder, only this check fails
                reason = str(error) if isinstance(error, AnswerError) else type(error).__name__
                return [error_output("UnreadableAnswer", f"the answers could not be read: {reason[:300]}")], findings
            if refused:
                findings.append("handed over names the check does not grade, which were refused: "
                                + ", ".join(name[:40] for name in refused[:10]))
            shadowing = sorted(name for name in answers if name in self.namespace)
            if shadowing:
                findings.append(f"answers named like the setup's {', '.join(shadowing)}: the setup's values were used")
            namespace.update({name: value for name, value in answers.items() if name not in self.namespace})
            with contextlib.redirect_stdout(printed):
                exec(compile(check["source"], f"<check {check['cell']}>", "exec"), namespace)
        except CheckTimeout as error:
            outputs.append(error_output("CheckTimeout", str(error)))
        except BaseException as error:  # a failed check, whatever the reason, fails its question
            outputs.append(error_output(type(error).__name__, str(error)[:2000]))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        text = printed.getvalue()
        if text:
            outputs.insert(0, {"output_type": "stream", "name": "stdout", "text": text[:MAX_PRINTED]})
        return outputs, findings


def _limit_memory() -> int:
    """Cap this process's address space; the cap in bytes (0 when none)."""
    import resource

    limit = int(os.environ.get("CXLAB_CHECKER_MEMORY_MB", "4096") or 0) * 1024 * 1024
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def serve() -> int:
    """Answer requests, one JSON line each, until standard input closes."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    from .processes import die_with_parent

    die_with_parent()
    limit = _limit_memory()
    session = _Session()
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            session.prepare(request["setup"])
        except Exception as error:  # the setup itself failed: the instructor must see it
            replies.write(json.dumps({"error": f"{type(error).__name__}: {error}"[:2000]}) + "\n")
            replies.flush()
            continue
        results, findings = {}, {}
        for check in request["checks"]:
            results[check["cell"]], found = session.run(check, float(request.get("timeout") or CHECK_TIMEOUT))
            if found:
                findings[check["cell"]] = found
        ran_out = any(output.get("ename") == "MemoryError" for outputs in results.values() for output in outputs)
        restart = bool(ran_out or (limit and _resident_bytes() > 0.75 * limit))
        replies.write(json.dumps({"results": results, "findings": findings, "restart": restart}) + "\n")
        replies.flush()
        if restart:
            return 0  # the worker starts a fresh checker for the next request
    return 0


class CheckerError(RuntimeError):
    """The checker failed (its setup raised, it died, or it did not answer in time)."""


class Checker:
    """The worker's handle on one trusted checker process, started on first use."""

    def __init__(self, cwd: str | None = None, environment: dict | None = None):
        from .processes import SINGLE_THREADED

        self.cwd = cwd
        self.environment = {**(os.environ if environment is None else environment), **SINGLE_THREADED}
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__], cwd=self.cwd, env=self.environment, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return self.process

    def check(self, setup: list[str], checks: list[dict],
              timeout: float = CHECK_TIMEOUT) -> tuple[dict[str, list[dict]], dict[str, list[str]]]:
        """The outputs of each check, and the findings about refused answers, by cell id."""
        process = self._start()
        request = {"setup": setup, "checks": checks, "timeout": timeout}
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            self.close()
            raise CheckerError("the checker ended before it was asked") from None
        limit = time.monotonic() + timeout * (len(checks) + 1) + 120
        while True:
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                break
            if process.poll() is not None or time.monotonic() > limit:
                self.close()
                raise CheckerError("the checker died or did not answer in time")
        line = process.stdout.readline()
        if not line:
            self.close()
            raise CheckerError("the checker ended without an answer")
        reply = json.loads(line)
        if "error" in reply:
            raise CheckerError(f"the assignment's setup cells failed in the checker: {reply['error']}")
        if reply.get("restart"):
            self.close()
        return reply["results"], reply.get("findings", {})

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(Exception):
                    stream.close()
            self.process = None


if __name__ == "__main__":
    sys.exit(serve())
