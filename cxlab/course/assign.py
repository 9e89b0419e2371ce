"""``cxlab assign``: regenerate the student versions from the instructor's sources.

Imports: :mod:`cxlab.course.config` only (nbgrader through it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .config import check_outcome, course_api, find_course_root, list_assignments, require_assignments

log = logging.getLogger("cxlab.course")


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
    names = assignments or list_assignments(root)
    require_assignments(root, names)
    release = str(Path(release_directory).resolve()) if release_directory is not None else None
    api, coursedir = course_api(root, release_directory=release, db_url=db_url)

    results = []
    for name in names:
        check_outcome(api.generate_assignment(name, force=True, create=True), f"generate_assignment {name}")
        folder = Path(coursedir.format_path(coursedir.release_directory, ".", name))
        notebooks = tuple(sorted(folder.glob("*.ipynb")))
        log.info("generated %s: %s", name, ", ".join(str(path) for path in notebooks))
        results.append(AssignResult(assignment=name, notebooks=notebooks))
    return results
