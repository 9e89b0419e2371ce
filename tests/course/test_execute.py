"""The grading preprocessor: the student's kernel under bubblewrap, the checks outside it."""

from __future__ import annotations

import os
import sys

import pytest

from traitlets.config import Config

from cxlab.course.grading import sandbox
from cxlab.course.grading.answers import decode_answers
from cxlab.course.grading.execute import SANDBOX_MODULE, SandboxedExecute, SandboxedKernelManager


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
    # bubblewrap under setpriv, so that it ends with the grading worker, even one killed by SIGKILL
    assert command[:4] == [command[0], "--pdeathsig", "KILL", "--"] and command[0].endswith("setpriv")
    # then a shell that goes on only while this process is still its parent
    assert command[5:8] == ["-c", sandbox._STILL_MY_PARENT, str(os.getpid())] and command[4].endswith("sh")
    bwrap = command[8:]
    assert bwrap[0].endswith("bwrap")
    assert {"--unshare-all", "--unshare-user", "--die-with-parent", "--clearenv"} <= set(bwrap)
    inside = bwrap[bwrap.index("--", 1) + 1:]
    assert inside == [sys.executable, "-m", SANDBOX_MODULE, "--cxlab-preload=cxlab",
                      "-f", f"{sandbox.RUNTIME_FOLDER}/kernel.json"]
    assert "ipykernel_launcher" not in command
    assert manager.transport == "ipc" and manager.ip.startswith(manager.runtime_folder)
    assert manager.connection_file.startswith(manager.runtime_folder)
    # the runtime folder appears inside at its own path; the working folder is a size-limited tmpfs
    assert bwrap[bwrap.index(manager.runtime_folder) + 1] == sandbox.RUNTIME_FOLDER
    tmpfs = next(i for i in range(len(bwrap) - 1) if bwrap[i:i + 2] == ["--tmpfs", sandbox.SUBMISSION_FOLDER])
    assert bwrap[tmpfs - 2:tmpfs] == ["--size", str(256 * 1024 * 1024)]


def test_unsandboxed_the_kernel_starts_plainly(tmp_path):
    command = _manager(tmp_path, unsandboxed=True).format_kernel_cmd()
    assert command[:3] == [sys.executable, "-m", SANDBOX_MODULE]


def test_the_limits_are_configurable():
    config = Config()
    config.SandboxedExecute.notebook_time_limit = 90
    config.Execute.timeout = 10  # the course's setting for nbgrader's Execute applies too
    execute = SandboxedExecute(config=config)
    assert (execute.notebook_time_limit, execute.timeout, execute.max_output_bytes) == (90, 10, 1_000_000)


def test_the_kernel_answers_the_declared_names_from_its_namespace_evaluating_nothing():
    """The launcher's handler reads names from the namespace's dictionary: a student's own
    ``__import__``, ``globals`` or ``json`` in that namespace changes nothing."""

    class Session:
        sent: list = []

        def send(self, stream, msg_type, content, parent, ident):
            self.sent.append((msg_type, content))

    class Shell:
        user_ns = {"nps_all": 12.5, "__import__": lambda *a, **k: 1 / 0, "globals": lambda: {"nps_all": 99.0},
                   "json": None, "snapshot": None, "other": "not asked for"}

    class Kernel:
        shell_handlers: dict = {}
        session = Session()
        shell = Shell()

    sandbox.install_answer_handler(Kernel)
    Kernel.shell_handlers[sandbox.ANSWERS_REQUEST](None, [], {"content": {"names": ["nps_all", "unbound"], "calls": {}}})
    (kind, content), = Kernel.session.sent
    assert kind == "cxlab_answers_reply"
    assert decode_answers(content["answers"]) == {"nps_all": 12.5}


def test_without_bubblewrap_grading_refuses_unless_told_it_is_unsandboxed(tmp_path, monkeypatch):
    from cxlab.course import CourseError, grade
    from cxlab.course.grading import sandbox
    from cxlab.course.cli import build_parser

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(CourseError, match=r"bubblewrap \(bwrap\) is not installed: install it .*--unsandboxed"):
        grade("nps", root=tmp_path)
    with pytest.raises(CourseError, match="not a course folder|nbgrader_config"):  # past the sandbox check
        grade("nps", root=tmp_path, unsandboxed=True)
    assert build_parser().parse_args(["grade", "nps", "--unsandboxed"]).unsandboxed is True
