"""nbgrader's Execute, hardened: names a cell binds, and a kernel started through the sandbox."""

from __future__ import annotations

import pytest

from cxlab.course.execute import GUARD_MODULE, SANDBOX_MODULE, GuardedExecute, SandboxedKernelManager, assigned_names


@pytest.mark.parametrize("source, names", [
    ("import numpy as np\nfrom cxlab.data import load_survey", ["load_survey", "np"]),
    ("x, (y, z) = 1, (2, 3)\nx += 1\ntotal: int = 0", ["total", "x", "y", "z"]),
    ("def f():\n    inner = 1\nclass C: pass", ["C", "f"]),
    ("%%bash\necho", []),
])
def test_assigned_names_are_the_top_level_bindings(source, names):
    assert assigned_names(source) == names


def test_the_kernel_runs_the_toolkits_sandbox_and_guard():
    assert (SANDBOX_MODULE, GUARD_MODULE) == ("cxlab.course.sandbox", "cxlab.course.kernel_guard")
    manager = SandboxedKernelManager(kernel_name="python3")
    command = manager.format_kernel_cmd()
    assert command[command.index("-m") + 1] == SANDBOX_MODULE
    assert "ipykernel_launcher" not in command


def test_the_guard_limits_are_configurable():
    from traitlets.config import Config

    config = Config()
    config.GuardedExecute.notebook_time_limit = 90
    config.Execute.timeout = 10  # the course's setting for nbgrader's Execute applies too
    execute = GuardedExecute(config=config)
    assert (execute.notebook_time_limit, execute.timeout, execute.max_output_bytes) == (90, 10, 1_000_000)
