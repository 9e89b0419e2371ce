"""Course commands for instructors, on nbgrader's own Python API and configuration.

Layer 6: nothing else in cxlab imports this module. Settings come from the course's
``nbgrader_config.py`` (loaded as nbgrader loads it); arguments only override where
files go, for example to regenerate the student versions into a scratch folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

log = logging.getLogger("cxlab.course")

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own log."""


def find_course_root(start: str | Path = ".") -> Path:
    """The nearest folder at or above ``start`` that holds ``nbgrader_config.py``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise CourseError(f"no {CONFIG_FILE} in {here} or any folder above it; run this inside the course")


def load_config(root: str | Path, **overrides) -> Config:
    """The course's nbgrader configuration, with ``CourseDirectory`` overrides applied.

    ``overrides`` are CourseDirectory traits, for example ``release_directory``.
    The root is always set to ``root`` so that relative paths resolve there.
    """
    root = Path(root).resolve()
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    for name, value in overrides.items():
        setattr(config.CourseDirectory, name, value)
    return config


def _ensure_scripts_on_path() -> None:
    """Put this interpreter's scripts folder on PATH when nbgrader's helpers are missing.

    nbgrader creates a new gradebook by running the ``alembic`` program, so a course
    command started as ``.venv/bin/cxlab`` (without activating the environment) would
    otherwise fail on the first gradebook it makes.
    """
    if shutil.which("alembic"):
        return
    scripts = sysconfig.get_path("scripts")
    os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])


def _api(root: Path, **overrides):
    _ensure_scripts_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root, **overrides)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config), coursedir


def list_assignments(root: str | Path = ".") -> list[str]:
    """Assignment names: the folders of the source directory that hold a notebook."""
    root = find_course_root(root)
    _, coursedir = _api(root)
    source = Path(coursedir.root) / coursedir.source_directory
    return sorted(folder.name for folder in source.iterdir() if folder.is_dir() and any(folder.glob("*.ipynb")))


@dataclass(frozen=True)
class AssignResult:
    assignment: str
    notebooks: tuple[Path, ...]


def assign(
    assignments: list[str] | None = None,
    root: str | Path = ".",
    *,
    release_directory: str | Path | None = None,
    db_url: str | None = None,
) -> list[AssignResult]:
    """Regenerate the student versions (``exercises/``) from the sources (``solutions/``).

    Runs nbgrader's ``generate_assignment`` for each assignment (all of them by
    default). ``release_directory`` and ``db_url`` redirect the output and the
    gradebook, which the tests use to regenerate into a scratch folder.
    """
    root = find_course_root(root)
    overrides = {}
    if release_directory is not None:
        overrides["release_directory"] = str(Path(release_directory).resolve())
    if db_url is not None:
        overrides["db_url"] = db_url
    api, coursedir = _api(root, **overrides)
    names = assignments or list_assignments(root)
    known = set(list_assignments(root))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CourseError(f"unknown assignment(s) {unknown}; the course has {sorted(known)}")

    results = []
    for name in names:
        outcome = api.generate_assignment(name, force=True, create=True)
        if not outcome["success"]:
            raise CourseError(f"generate_assignment {name} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}")
        release = Path(coursedir.format_path(coursedir.release_directory, ".", name))
        notebooks = tuple(sorted(release.glob("*.ipynb")))
        log.info("generated %s: %s", name, ", ".join(str(path) for path in notebooks))
        results.append(AssignResult(assignment=name, notebooks=notebooks))
    return results
