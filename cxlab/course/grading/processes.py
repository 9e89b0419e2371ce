"""Process hygiene shared by the grader's processes: they end with their parent, and their
numerical libraries run on one thread.

Both sides of the trust boundary need this: the trusted checker
(:mod:`cxlab.course.grading.checker`) and the processes that run or talk to student code
(:mod:`cxlab.course.grading.worker`, :mod:`cxlab.course.grading.sandbox`). It lives
apart from both, so that the trusted side imports nothing that runs student code.

Imports: the standard library only.
"""

from __future__ import annotations

import ctypes
import signal

#: One thread per numerical library and few malloc arenas: a graded kernel or a checker
#: shares the machine with the other workers, and each thread's reserved address space
#: counts against its memory limit (a pool of threads can exhaust it before any real use).
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "NUMEXPR_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system"}


def die_with_parent() -> None:
    """PR_SET_PDEATHSIG: this process is killed when the process that started it dies.

    The grading worker dies with ``cxlab grade``, and the checker with its worker, so an
    interrupted batch leaves nothing behind (bubblewrap's ``--die-with-parent`` and
    ``setpriv --pdeathsig`` do the same for a kernel).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up still applies
        pass


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...), read from ``/proc``.

    A kernel's bubblewrap starts in a session of its own, so killing a worker's process group
    does not reach it; it relies on ``--die-with-parent``, which it sets a moment after it
    starts. A worker killed in that moment would leave the kernel running for ever, so the
    grader kills the worker's descendants by name as well (:func:`kill_tree`).
    """
    from pathlib import Path

    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, its_parent in parents.items() if its_parent == parent]
        found += children
        frontier += children
    return found


def kill_tree(pid: int, group: bool = True) -> None:
    """SIGKILL ``pid`` (its process group when ``group``) and everything it started.

    The process is stopped first, so that it starts nothing new while its descendants are listed.
    """
    import os

    signal_to = os.killpg if group else os.kill
    try:
        signal_to(pid, signal.SIGSTOP)
    except (ProcessLookupError, PermissionError):
        pass
    below = descendants(pid)
    for target, send in ((pid, signal_to), *((child, os.kill) for child in below)):
        try:
            send(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
