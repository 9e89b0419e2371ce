"""Process hygiene: a grader's kernel never outlives the process that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cxlab.course.grading.processes import descendants, kill_tree
from cxlab.course.grading.sandbox import _die_with_parent_prefix

# A parent that starts a child in a session of its own (as a kernel's bubblewrap is started),
# prints the child's pid and waits.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
print(child.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_kill_tree_ends_a_child_in_a_session_of_its_own():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True)
    child = int(parent.stdout.readline())
    assert child in descendants(parent.pid)
    kill_tree(parent.pid)
    parent.wait(timeout=10)
    for _ in range(100):
        if not _alive(child):
            break
        time.sleep(0.05)
    assert not _alive(child), "the grandchild outlived kill_tree"


@pytest.mark.skipif(not _die_with_parent_prefix(), reason="setpriv is not installed")
def test_a_kernel_command_runs_only_while_its_starter_is_its_parent():
    here = subprocess.run([*_die_with_parent_prefix(), "echo", "ran"], capture_output=True, text=True)
    assert here.stdout == "ran\n"
    # started on behalf of a process that is no longer its parent (it was killed meanwhile)
    gone = subprocess.run([*_die_with_parent_prefix(parent=1), "echo", "ran"], capture_output=True, text=True)
    assert gone.stdout == "" and gone.returncode != 0
