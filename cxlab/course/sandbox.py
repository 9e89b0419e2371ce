"""The kernel a submission runs in while it is graded.

The grading worker starts this module instead of ``ipykernel_launcher``
(``python -m cxlab.course.sandbox -f CONNECTION_FILE ...``, see
:class:`cxlab.course.execute.SandboxedKernelManager`). Before the kernel starts, while
no student code has run, it

- limits the process: address space (``CXLAB_SANDBOX_MEMORY_MB``), size of any file it
  writes, no core dumps;
- asks Linux to kill it when the worker that started it dies, so that an interrupted
  batch leaves no kernel behind;
- installs an audit hook (PEP 578). A hook cannot be removed once added, so student code
  cannot switch it off from Python. It refuses, with ``PermissionError``:

  * reading or listing anything inside the protected folders (the course root: solutions,
    other students' submissions, the gradebook) except the folders it is allowed
    (the submission's own folder, the Python environment, the ``cxlab`` package,
    :data:`CXLAB_FOLDER`);
  * writing anywhere but the submission's own folder and the kernel's temporary folder;
  * starting processes, sending signals to other processes, opening network
    connections, opening SQLite database files, calling C functions or reading raw
    memory with ``ctypes``;
  * reading other processes' ``/proc`` entries (their environment holds database URLs).

  Every refusal is appended as a JSON line to ``CXLAB_SANDBOX_LOG`` for the grader's report.

Code that runs outside Python's own machinery (a C extension calling ``open(2)``
itself) is not seen by an audit hook; the instructor guide says so.

Imports: the standard library, and ipykernel inside :func:`main`; no other module of
:mod:`cxlab.course`. (Run as ``-m``, Python loads the ``cxlab`` and ``cxlab.course``
packages first: both are light, and they load before the hook is armed.) Nothing here
exists in a library: ipykernel and jupyter_client sandbox nothing. :func:`die_with_parent`
also serves the grading worker (:mod:`cxlab.course.worker`).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

# Events refused outright, whatever their arguments.
_ALWAYS_REFUSED = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "pty.spawn", "os.startfile",
    "socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo",
    "ctypes.cdata", "ctypes.call_function", "ctypes.string_at",
    "ctypes.wstring_at", "ctypes.addressof", "ctypes.set_errno", "sys._current_frames",
    "sys.remote_exec",
}
# Events that change the file system: allowed only inside the writable folders.
_FILE_CHANGES = {
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink",
    "os.link", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile",
    "shutil.copytree", "os.chflags", "os.setxattr", "os.removexattr",
}
_LISTINGS = {"os.listdir", "os.scandir", "glob.glob", "glob.glob/2", "os.walk", "os.fwalk"}
_WATCHED = _ALWAYS_REFUSED | _FILE_CHANGES | _LISTINGS | {
    "open", "sqlite3.connect", "os.kill", "os.killpg", "signal.pthread_kill"}
#: The cxlab package (this file is in its ``course`` subpackage): the library a
#: submission imports, trusted as the Python environment is, and readable.
CXLAB_FOLDER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _paths(variable: str) -> tuple[str, ...]:
    return tuple(os.path.realpath(part) for part in os.environ.get(variable, "").split(os.pathsep) if part)


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class _Policy:
    """What the kernel may touch; built once, before any student code runs."""

    def __init__(self) -> None:
        self.protected = _paths("CXLAB_SANDBOX_PROTECT")
        self.readable = _paths("CXLAB_SANDBOX_ALLOW") + (os.path.realpath(os.getcwd()),)
        self.writable = _paths("CXLAB_SANDBOX_WRITABLE") + (os.path.realpath(os.getcwd()), "/dev/null")
        self.own_pid = str(os.getpid())
        # Code from these files is the Python environment's own (the kernel, the libraries).
        self.trusted_code = tuple(sorted({
            os.path.join(os.path.realpath(prefix), "") for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix)
        } | {os.path.join(prefix, "") for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
          | {os.path.join(CXLAB_FOLDER, "")}))
        self.log_fd = None
        log_path = os.environ.get("CXLAB_SANDBOX_LOG")
        if log_path:
            self.log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.busy = False

    def refuse(self, event: str, target: str, why: str) -> None:
        if self.log_fd is not None:
            record = json.dumps({"event": event, "target": target[:300], "why": why, "where": self.where}) + "\n"
            try:
                os.write(self.log_fd, record.encode("utf-8", "replace"))
            except OSError:
                pass
        raise PermissionError(f"the grader does not allow this ({event} {target[:120]}): {why}")

    def check_read(self, event: str, path: str) -> None:
        if path.startswith("/proc/"):
            part = path.split("/")[2]
            if part.isdigit() and part != self.own_pid:
                self.refuse(event, path, "other processes are off limits")
        if _inside(path, self.protected) and not _inside(path, self.readable):
            self.refuse(event, path, "outside the submission's folder")

    def check_write(self, event: str, path: str) -> None:
        if not _inside(path, self.writable):
            self.refuse(event, path, "a submission may only write in its own folder")

    def from_submission(self) -> str | None:
        """Whether code that is not part of the Python environment is on the stack.

        The kernel's own work (its history, its clean-up, library start-up) runs only
        library code and is left alone; a cell, or anything a cell called, is checked.
        """
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if not (filename.startswith(self.trusted_code) or filename.startswith("<frozen ")):
                return f"{filename}:{frame.f_lineno}"
            frame = frame.f_back
        return None

    def __call__(self, event: str, args: tuple) -> None:
        if self.busy or event not in _WATCHED:
            return
        self.busy = True
        try:
            self.where = self.from_submission()
            if self.where:
                self.check(event, args)
        finally:
            self.busy = False

    def check(self, event: str, args: tuple) -> None:
        if event in _ALWAYS_REFUSED:
            self.refuse(event, repr(args)[:200], "not allowed while grading")
        if event == "sqlite3.connect":
            if args and args[0] != ":memory:":
                self.refuse(event, repr(args)[:200], "a submission may not open database files")
            return
        if event in ("os.kill", "os.killpg", "signal.pthread_kill"):
            if args and str(args[0]) != self.own_pid:
                self.refuse(event, repr(args)[:200], "signals to other processes are not allowed")
            return
        paths = [os.path.realpath(os.fsdecode(arg)) for arg in args[:2] if isinstance(arg, (str, bytes, os.PathLike))]
        if not paths:
            return
        if event == "open":
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            self.check_read(event, paths[0])
            if bool(flags & _WRITE_FLAGS) or (isinstance(mode, str) and any(c in mode for c in "wax+")):
                self.check_write(event, paths[0])
        elif event in ("shutil.copyfile", "shutil.copytree"):
            self.check_read(event, paths[0])
            if len(paths) > 1:
                self.check_write(event, paths[1])
        elif event == "os.symlink":
            self.check_write(event, paths[-1])
        elif event in _FILE_CHANGES:
            for path in paths:
                self.check_read(event, path)
                self.check_write(event, path)
        else:
            self.check_read(event, paths[0])


def die_with_parent() -> None:
    """PR_SET_PDEATHSIG: this process is killed when the process that started it dies.

    The kernel dies with its grading worker, and the worker with ``cxlab grade``, so an
    interrupted batch leaves nothing behind.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up still applies
        pass


def _limit_resources() -> None:
    memory_mb = int(os.environ.get("CXLAB_SANDBOX_MEMORY_MB", "0") or 0)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    file_mb = int(os.environ.get("CXLAB_SANDBOX_FILE_MB", "64") or 0)
    if file_mb > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


#: Variables that may carry a database password; a kernel starts without them.
_SECRET_VARIABLES = ("PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "DATABASE_URL")


def main() -> None:
    if any(name in os.environ for name in _SECRET_VARIABLES):
        clean = {key: value for key, value in os.environ.items() if key not in _SECRET_VARIABLES}
        os.execve(sys.executable, [sys.executable, "-m", __spec__.name, *sys.argv[1:]], clean)
    die_with_parent()
    _limit_resources()
    sys.dont_write_bytecode = True
    # Import what the kernel needs before the hook is armed, so that start-up is not slowed
    # by checks on hundreds of library files.
    from ipykernel import kernelapp

    sys.addaudithook(_Policy())
    if sys.path and sys.path[0] in ("", os.path.dirname(os.path.abspath(__file__))):
        del sys.path[0]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
