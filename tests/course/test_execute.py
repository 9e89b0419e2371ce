"""The grading preprocessor: the student's kernel under bubblewrap, the checks outside it."""

from __future__ import annotations

import sys

import pytest

from traitlets.config import Config

from cxlab.course.execute import SANDBOX_MODULE, SandboxedExecute, SandboxedKernelManager, _snapshot_expression


def _manager(tmp_path, **settings) -> SandboxedKernelManager:
    config = Config()
    config.SandboxedKernelManager.submission_copy = str(tmp_path)
    config.SandboxedKernelManager.protected = [str(tmp_path / "course")]
    for name, value in settings.items():
        setattr(config.SandboxedKernelManager, name, value)
    return SandboxedKernelManager(kernel_name="python3", config=config)


def test_the_kernel_starts_under_bubblewrap_over_private_sockets(tmp_path):
    manager = _manager(tmp_path)
    command = manager.format_kernel_cmd()
    assert command[0].endswith("bwrap")
    assert {"--unshare-all", "--unshare-user", "--die-with-parent", "--clearenv"} <= set(command)
    assert command[command.index("--") + 1:][:3] == [sys.executable, "-m", SANDBOX_MODULE]
    assert "ipykernel_launcher" not in command
    assert manager.transport == "ipc" and manager.ip.startswith(manager.runtime_folder)
    assert manager.connection_file.startswith(manager.runtime_folder)


def test_unsandboxed_the_kernel_starts_plainly(tmp_path):
    command = _manager(tmp_path, unsandboxed=True).format_kernel_cmd()
    assert command[:3] == [sys.executable, "-m", SANDBOX_MODULE]


def test_the_limits_are_configurable():
    config = Config()
    config.SandboxedExecute.notebook_time_limit = 90
    config.Execute.timeout = 10  # the course's setting for nbgrader's Execute applies too
    execute = SandboxedExecute(config=config)
    assert (execute.notebook_time_limit, execute.timeout, execute.max_output_bytes) == (90, 10, 1_000_000)


def test_the_kernel_is_asked_for_names_only_never_for_a_checks_source():
    expression = _snapshot_expression(["nps_all"], {})
    assert expression.startswith("__import__('cxlab.course.answers'") and "'nps_all'" in expression
    assert "assert" not in expression and "HIDDEN" not in expression


def test_without_bubblewrap_grading_refuses_unless_told_it_is_unsandboxed(tmp_path, monkeypatch):
    from cxlab.course import CourseError, grade, sandbox
    from cxlab.course.cli import build_parser

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(CourseError, match=r"bubblewrap \(bwrap\) is not installed: install it .*--unsandboxed"):
        grade("nps", root=tmp_path)
    with pytest.raises(CourseError, match="not a course folder|nbgrader_config"):  # past the sandbox check
        grade("nps", root=tmp_path, unsandboxed=True)
    assert build_parser().parse_args(["grade", "nps", "--unsandboxed"]).unsandboxed is True
