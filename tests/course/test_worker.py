"""The grading worker's own checks: files nbgrader cannot read, and the settings it grades with."""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import Execute

from cxlab.course.grading.execute import SandboxedExecute, SandboxedKernelManager
from cxlab.course.grading.worker import autograde_settings, check_notebook_file, manifests_of

from ..helpers import ROOT
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


def test_autograde_runs_the_sandboxed_execute():
    settings = autograde_settings({"cell_timeout": 10, "time_limit": 90}, submission_copy="/tmp/copy",
                                  protected=["/course"])
    steps = settings.Autograde.autograde_preprocessors
    assert SandboxedExecute in steps and Execute not in steps
    assert settings.SandboxedExecute.kernel_manager_class is SandboxedKernelManager
    assert (settings.SandboxedExecute.timeout, settings.SandboxedExecute.notebook_time_limit) == (10, 90)
    assert settings.SandboxedKernelManager.submission_copy == "/tmp/copy"
    assert settings.SandboxedKernelManager.unsandboxed is False
    assert settings.OverwriteCells.add_missing_cells is True
    assert "timeout" not in autograde_settings({"cell_timeout": None, "time_limit": 600}).SandboxedExecute
    assert autograde_settings({"time_limit": 600, "unsandboxed": True}).SandboxedKernelManager.unsandboxed is True


def test_the_checks_come_from_the_instructors_source():
    manifests = manifests_of(ROOT / "solutions" / "nps")
    checks = manifests["nps"]["checks"]
    assert sorted(checks) == ["q1_counts", "q2_score", "q3_interval", "q4_change", "q5_channels",
                              "q6_sample_size", "q7_complements", "q8_holm"]
    assert checks["q3_interval"]["answers"] == ["interval_low", "interval_high"]
    assert "### BEGIN HIDDEN TESTS" in checks["q2_score"]["source"]
    assert any("exercise(\"nps\", VARIANT)" in setup for setup in manifests["nps"]["setup"])
