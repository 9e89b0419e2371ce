"""Shared fixtures: the repository root, a scratch copy of the course, the built book."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import BIN, ROOT


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A scratch copy of the course (config and sources), so gradebooks and outputs stay out of the repo."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", target)
    shutil.copytree(ROOT / "solutions", target / "solutions")
    return target


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The book built exactly as `make book` builds it, warnings as errors, into a scratch folder."""
    output = tmp_path_factory.mktemp("book")
    completed = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "--builder", "html",
         "--path-output", str(output), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=1800,
    )
    log = completed.stdout + completed.stderr
    if completed.returncode != 0:
        pytest.fail(f"jupyter-book build failed (exit {completed.returncode}):\n{log[-6000:]}")
    return output / "_build" / "html"
