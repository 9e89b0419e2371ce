"""The grading worker's own checks: files nbgrader cannot read, and the settings it grades with."""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import Execute

from cxlab.course.execute import GuardedExecute, SandboxedKernelManager
from cxlab.course.worker import autograde_settings, check_notebook_file

from .submissions import honest


def test_unreadable_notebooks_are_named_for_what_is_wrong(tmp_path):
    cases = {"empty.ipynb": b"  \n", "cut.ipynb": b'{"cells": [', "list.ipynb": b"[1, 2]"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    assert check_notebook_file(tmp_path / "empty.ipynb") == "the notebook file is empty"
    assert check_notebook_file(tmp_path / "cut.ipynb").startswith("the notebook is not valid JSON")
    assert check_notebook_file(tmp_path / "list.ipynb").startswith("nbformat cannot read the notebook")
    nbformat.write(nbformat.convert(honest(), 3), tmp_path / "old.ipynb", version=3)
    assert check_notebook_file(tmp_path / "old.ipynb") is None


def test_autograde_runs_the_guarded_execute_in_the_sandbox():
    settings = autograde_settings({"cell_timeout": 10, "time_limit": 90})
    steps = settings.Autograde.autograde_preprocessors
    assert GuardedExecute in steps and Execute not in steps
    assert settings.GuardedExecute.kernel_manager_class is SandboxedKernelManager
    assert (settings.GuardedExecute.timeout, settings.GuardedExecute.notebook_time_limit) == (10, 90)
    assert settings.OverwriteCells.add_missing_cells is True
    assert "timeout" not in autograde_settings({"cell_timeout": None, "time_limit": 600}).GuardedExecute
