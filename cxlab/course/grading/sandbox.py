"""The operating-system sandbox a student's kernel runs in while it is graded.

:func:`sandbox_command` wraps the kernel's command in bubblewrap (``bwrap``, Debian's
package ``bubblewrap``), which gives the kernel its own user, mount, PID, network, IPC
and UTS namespaces:

- the file system it sees is built from nothing: read-only views of the system
  (``/usr`` and the few files of ``/etc`` a Python program reads), of the Python
  environment (its prefixes, site-packages, and the ``cxlab`` package), a private copy
  of the student's submission as its working folder (``/submission``), a private
  ``/tmp`` of limited size, and the folder of the kernel's connection sockets. Nothing
  of the course folder (``solutions/``, the gradebook, other students' submissions),
  the instructor's home or the grader's logs exists there;
- no network: only a loopback interface that is down;
- its own process tree: it sees and signals only its own processes, and when the kernel
  ends (or the grader, or ``cxlab grade``), every process it started ends with it;
- no capabilities, and no further namespaces (``--disable-userns``).

Inside, :func:`main` (``python -m cxlab.course.grading.sandbox -f CONNECTION_FILE``) limits the
address space (``CXLAB_SANDBOX_MEMORY_MB``), the size of any file written and core
dumps before it starts ipykernel. Nothing inside the kernel decides a grade: the answers
leave it as data (:mod:`cxlab.course.grading.answers`) and the checks run elsewhere
(:mod:`cxlab.course.grading.checker`).

Without bubblewrap, ``cxlab grade`` refuses to run unless the instructor passes
``--unsandboxed``; then the kernel runs as the instructor's own user, with only these
limits.

Imports: the standard library, :mod:`cxlab.course.grading.processes` (its process hygiene), and
ipykernel and :mod:`cxlab.course.grading.answers` inside the launcher.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import resource
import shutil
import site
import sys

from .processes import SINGLE_THREADED, die_with_parent  # noqa: F401  (also this module's names)

#: The cxlab package (this file is cxlab/course/grading/sandbox.py): the library a
#: submission imports, visible read-only in the sandbox.
CXLAB_FOLDER = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: The kernel's working folder inside the sandbox: a size-limited tmpfs that the launcher
#: fills from the read-only copy of the submission at :data:`GIVEN_FOLDER`.
SUBMISSION_FOLDER = "/submission"
#: Where the private copy of the submission is shown, read-only, inside the sandbox.
GIVEN_FOLDER = "/run/cxlab/given"
#: Where the kernel's runtime folder (connection file and sockets) appears inside the
#: sandbox: outside every folder the kernel may still write to once it runs.
RUNTIME_FOLDER = "/run/cxlab/kernel"
#: The launcher's own option (taken out before ipykernel reads the arguments): a module
#: to import before the kernel starts, e.g. ``--cxlab-preload=cxlab``.
PRELOAD_OPTION = "--cxlab-preload="
#: The message kind the grader sends a kernel to hand over a check's declared answers.
ANSWERS_REQUEST = "cxlab_answers_request"
#: Folders (all of them tmpfs inside the sandbox) where a sandboxed kernel may still
#: write once it has started; /dev for /dev/null and the like.
WRITABLE_FOLDERS = ("/tmp", "/dev", SUBMISSION_FOLDER)
#: Files of /etc a Python program may read (users, libraries, time zone, fonts).
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group",
              "/etc/nsswitch.conf", "/etc/localtime", "/etc/alternatives", "/etc/fonts", "/etc/mime.types")
#: Variables that may carry a secret; an unsandboxed kernel starts without them.
_SECRET_VARIABLES = ("PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "DATABASE_URL")


class SandboxError(RuntimeError):
    """The sandbox cannot be built as asked."""


def bubblewrap() -> str | None:
    """The path of ``bwrap``, or None when bubblewrap is not installed."""
    return shutil.which("bwrap")


def python_environment() -> list[str]:
    """The folders of the running Python environment a kernel needs to read."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, CXLAB_FOLDER}
    folders.update(path for path in site.getsitepackages() if os.path.isdir(path))
    user_site = site.getusersitepackages()
    if isinstance(user_site, str) and os.path.isdir(user_site):
        folders.add(user_site)
    real = {os.path.realpath(folder) for folder in folders} | folders
    # Drop folders inside others, so that each is mounted once.
    return sorted(folder for folder in real
                  if not any(other != folder and folder.startswith(other.rstrip("/") + "/") for other in real))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def sandbox_command(command: list[str], *, submission: str, runtime: str, protected: list[str],
                    tmp_mb: int = 512, submission_mb: int = 256) -> list[str]:
    """``command`` run under bubblewrap, as described in the module's docstring.

    ``submission`` is the private copy of the submission (shown read-only at
    :data:`GIVEN_FOLDER` and copied by :func:`main` into the tmpfs of ``submission_mb``
    MiB at :data:`SUBMISSION_FOLDER`), ``runtime`` the folder of the kernel's connection
    file and sockets (mounted at :data:`RUNTIME_FOLDER`; once the kernel listens,
    :func:`main` takes away its right to write there). ``command`` names the
    connection file by its path inside the sandbox. ``protected`` lists folders (the course
    folder, the gradebook's) that no read-only view may show: a view that would contain
    one of them raises :class:`SandboxError`.

    bubblewrap runs under ``setpriv --pdeathsig KILL`` where setpriv exists, so that it
    ends (and with it the kernel) when the grading worker that started it ends, even
    by SIGKILL; a shell between them checks, once the signal is set, that the worker is still
    its parent, so a worker killed while it starts a kernel leaves none behind.
    """
    bwrap = bubblewrap()
    if bwrap is None:
        raise SandboxError("bubblewrap (bwrap) is not installed")
    readable = [folder for folder in python_environment() if os.path.exists(folder)]
    for folder in readable + ["/usr"]:
        for secret in protected:
            secret = os.path.realpath(secret)
            if _inside(secret, os.path.realpath(folder)):
                raise SandboxError(f"the sandbox would show {folder}, which contains {secret}")
    arguments = [
        *_die_with_parent_prefix(), bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--cap-drop", "ALL",
        "--hostname", "grader",
        "--ro-bind", "/usr", "/usr",
    ]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.path.realpath(f"/{link}")
        if target.startswith("/usr/"):
            arguments += ["--symlink", target.lstrip("/"), f"/{link}"]
        elif os.path.isdir(target):
            arguments += ["--ro-bind", target, f"/{link}"]
    for path in _ETC_FILES:
        arguments += ["--ro-bind-try", path, path]
    arguments += ["--proc", "/proc", "--dev", "/dev",
                  "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
                  "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/dev/shm"]
    for folder in readable:
        arguments += ["--ro-bind", folder, folder]
    arguments += ["--bind", runtime, RUNTIME_FOLDER, "--ro-bind", submission, GIVEN_FOLDER,
                  "--size", str(submission_mb * 1024 * 1024), "--tmpfs", SUBMISSION_FOLDER,
                  "--chdir", SUBMISSION_FOLDER, "--clearenv", "--setenv", "CXLAB_SANDBOXED", "1"]
    for name, value in sandbox_environment().items():
        arguments += ["--setenv", name, value]
    return arguments + ["--", *command]


#: Run after setpriv has set the parent-death signal: go on only if the parent that started
#: us is still the parent. A parent killed between the fork and the prctl would otherwise
#: leave a kernel that nothing ends (the orphan's parent is then init, or a subreaper).
_STILL_MY_PARENT = 'test "$PPID" = "$0" && exec "$@"'


def _die_with_parent_prefix(parent: int | None = None) -> list[str]:
    """``setpriv --pdeathsig KILL``, then a check that ``parent`` (this process) is still alive."""
    setpriv, shell = shutil.which("setpriv"), shutil.which("sh")
    if not setpriv:
        return []
    guard = [shell, "-c", _STILL_MY_PARENT, str(os.getpid() if parent is None else parent)] if shell else []
    return [setpriv, "--pdeathsig", "KILL", "--", *guard]


def sandbox_environment() -> dict[str, str]:
    """The environment of a sandboxed kernel: nothing of the grader's, a few plain settings."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
        "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
        "JUPYTER_PLATFORM_DIRS": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1", **SINGLE_THREADED,
        **{name: os.environ[name] for name in ("CXLAB_SANDBOX_MEMORY_MB", "CXLAB_SANDBOX_FILE_MB") if name in os.environ},
    }


def _limit_resources() -> None:
    memory_mb = int(os.environ.get("CXLAB_SANDBOX_MEMORY_MB", "0") or 0)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    file_mb = int(os.environ.get("CXLAB_SANDBOX_FILE_MB", "64") or 0)
    if file_mb > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _connection_inside(argv: list[str]) -> list[str]:
    """``argv`` with its connection file replaced by a copy whose socket paths are the sandbox's own.

    The grader writes the connection file with its own path for the sockets; inside,
    the same folder is at :data:`RUNTIME_FOLDER`.
    """
    import json

    if "-f" not in argv:
        return argv
    position = argv.index("-f") + 1
    with open(argv[position], encoding="utf-8") as handle:
        info = json.load(handle)
    info["ip"] = os.path.join(RUNTIME_FOLDER, os.path.basename(info.get("ip") or "kernel"))
    inside = "/tmp/cxlab-kernel.json"
    with open(inside, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    return [*argv[:position], inside, *argv[position + 1:]]


def _copy_submission() -> None:
    """Fill the kernel's working folder (a tmpfs) from the read-only copy of the submission."""
    if os.path.isdir(GIVEN_FOLDER):
        shutil.copytree(GIVEN_FOLDER, SUBMISSION_FOLDER, symlinks=True, dirs_exist_ok=True)


def install_answer_handler(kernel) -> None:
    """Answer :data:`ANSWERS_REQUEST` messages with the declared answers as JSON text.

    The handler reads each declared name from the namespace's dictionary and encodes it
    (:func:`cxlab.course.grading.answers.snapshot`); it evaluates no expression in the student's
    namespace. It runs in the student's process, like everything here, so it is a
    convenience, not a defence: the checker treats whatever comes back as data.
    """
    from .answers import snapshot

    def answer(stream, ident, parent):
        content = parent.get("content") or {}
        names = [name for name in content.get("names") or [] if isinstance(name, str)]
        calls = content.get("calls") if isinstance(content.get("calls"), dict) else {}
        try:
            text = snapshot(kernel.shell.user_ns, names, calls)
        except Exception as error:  # an answer that breaks the encoder: the checker says unreadable
            text = f"the answers could not be encoded: {type(error).__name__}"
        kernel.session.send(stream, "cxlab_answers_reply", {"status": "ok", "answers": text}, parent, ident)

    kernel.shell_handlers[ANSWERS_REQUEST] = answer


# Landlock (Linux 5.13 and later): a process may give up rights it has, for good.
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS = 38
# WRITE_FILE, REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK, MAKE_FIFO,
# MAKE_BLOCK, MAKE_SYM (ABI 1); REFER (ABI 2); TRUNCATE (ABI 3).
_WRITE_RIGHTS = {1: sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12)), 2: 1 << 13, 3: 1 << 14}


def restrict_writes(folders=WRITABLE_FOLDERS) -> bool:
    """From now on this process and its children write only beneath ``folders``.

    Uses Landlock; returns False (and changes nothing) where the kernel does not offer it.
    Reading stays as the sandbox's mounts allow.
    """
    import struct

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        abi = libc.syscall(_LANDLOCK_CREATE_RULESET, None, 0, 1)  # 1 = LANDLOCK_CREATE_RULESET_VERSION
    except (OSError, AttributeError):
        return False
    if abi < 1:
        return False
    rights = sum(value for level, value in _WRITE_RIGHTS.items() if level <= abi)
    attributes = struct.pack("Q", rights)
    ruleset = libc.syscall(_LANDLOCK_CREATE_RULESET, ctypes.c_char_p(attributes), len(attributes), 0)
    if ruleset < 0:
        return False
    try:
        for folder in folders:
            if not os.path.isdir(folder):
                continue
            handle = os.open(folder, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = struct.pack("=Qi", rights, handle)  # landlock_path_beneath_attr, packed
                if libc.syscall(_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.c_char_p(rule), 0) != 0:
                    return False
            finally:
                os.close(handle)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.syscall(_LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0
    finally:
        os.close(ruleset)


def _wait_for_sockets(app, seconds: float = 10.0) -> None:
    """Wait until every socket file of the kernel exists (the heartbeat binds in its own thread)."""
    import time

    if app.transport != "ipc":
        return
    ports = [app.shell_port, app.iopub_port, app.stdin_port, app.control_port, app.hb_port]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(os.path.exists(f"{app.ip}-{port}") for port in ports):
        time.sleep(0.01)


def main() -> None:
    """Start ipykernel with the limits set (run as ``python -m cxlab.course.grading.sandbox``).

    Inside bubblewrap it first copies the submission into its tmpfs, and once the
    kernel's sockets exist it gives up writing anywhere but its tmpfs folders, so that
    nothing a submission writes reaches the grader's disk.
    """
    if any(name in os.environ for name in _SECRET_VARIABLES):
        clean = {key: value for key, value in os.environ.items() if key not in _SECRET_VARIABLES}
        os.execve(sys.executable, [sys.executable, "-m", __spec__.name, *sys.argv[1:]], clean)
    die_with_parent()
    _limit_resources()
    sys.dont_write_bytecode = True
    sandboxed = os.environ.get("CXLAB_SANDBOXED") == "1"
    if sandboxed:
        _copy_submission()
        sys.argv = _connection_inside(sys.argv)
    if sys.path and sys.path[0] in ("", os.path.dirname(os.path.abspath(__file__))):
        sys.path[0] = os.getcwd()
    preload = [argument[len(PRELOAD_OPTION):] for argument in sys.argv if argument.startswith(PRELOAD_OPTION)]
    sys.argv = [argument for argument in sys.argv if not argument.startswith(PRELOAD_OPTION)]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    install_answer_handler(app.kernel)
    if sandboxed:
        _wait_for_sockets(app)
        if not restrict_writes():
            print("cxlab sandbox: Landlock is not available; the kernel's runtime folder stays writable "
                  "(each file is still limited in size)", file=sys.stderr)
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception as error:  # the notebook's own import will say what is wrong
            print(f"cxlab sandbox: could not preload {name}: {type(error).__name__}", file=sys.stderr)
    app.start()


if __name__ == "__main__":
    main()
