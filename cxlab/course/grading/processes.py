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
