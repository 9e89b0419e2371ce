"""``cxlab feedback``: one HTML page per student, without the hidden tests, readable offline.

:func:`feedback` runs nbgrader's ``generate_feedback`` with
:class:`cxlab.course.hidden_tests.HideHiddenTests` among its preprocessors, then
:func:`make_offline` removes every script, style sheet or font the page would fetch
from the internet, so the file reads the same offline.

Imports: :mod:`cxlab.course.config`, :mod:`~cxlab.course.gradebook`; nbgrader,
:mod:`cxlab.course.hidden_tests` (which loads nbgrader) and BeautifulSoup inside functions.
"""

from __future__ import annotations

import re
from pathlib import Path

from traitlets.config import Config

from .config import CourseError, check_outcome, course_api, find_course_root, require_assignments
from .gradebook import serialise_gradebook_access

EXTERNAL_ADDRESS = re.compile(r"^(https?:)?//")


def make_offline(path: Path) -> None:
    """Drop external scripts, style sheets and fonts from a feedback page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["script", "link", "img", "iframe"]):
        if EXTERNAL_ADDRESS.match(tag.get("src") or tag.get("href") or ""):
            tag.decompose()
    for style in soup.find_all("style"):
        if style.string and "@import" in style.string:
            style.string = re.sub(r"@import[^;]+;", "", style.string)
    path.write_text(str(soup), encoding="utf-8")


def _feedback_settings() -> Config:
    """nbgrader settings for feedback pages: hidden tests hidden, input prompts kept."""
    from nbgrader.converters import GenerateFeedback

    from .hidden_tests import HideHiddenTests

    tweaks = Config()
    steps = list(GenerateFeedback.preprocessors.default())
    tweaks.GenerateFeedback.preprocessors = [steps[0], HideHiddenTests, *steps[1:]]
    tweaks.HTMLExporter.exclude_input_prompt = False
    return tweaks


def feedback(
    assignment: str,
    root: str | Path = ".",
    *,
    students: list[str] | None = None,
    db_url: str | None = None,
) -> dict[str, list[Path]]:
    """Per-student HTML feedback, without the hidden tests, readable offline.

    Runs nbgrader's ``generate_feedback`` for every student nbgrader lists as autograded
    (or ``students``) with :class:`~cxlab.course.hidden_tests.HideHiddenTests` among its
    preprocessors, then strips anything the page would load from the internet. Returns
    the files per student.
    """
    root = find_course_root(root)
    require_assignments(root, assignment)
    api, coursedir = course_api(root, _feedback_settings(), db_url=db_url)
    serialise_gradebook_access(coursedir.db_url)
    graded = sorted(api.get_autograded_students(assignment))
    wanted = sorted(set(students)) if students else graded
    missing = sorted(set(wanted) - set(graded))
    if missing:
        raise CourseError(f"no autograded {assignment} for {missing}: run `cxlab grade {assignment}` first")
    written: dict[str, list[Path]] = {}
    for student in wanted:
        check_outcome(api.generate_feedback(assignment, student, force=True), f"generate_feedback {assignment} {student}")
        folder = Path(coursedir.format_path(coursedir.feedback_directory, student, assignment))
        pages = sorted(folder.glob("*.html"))
        for page in pages:
            make_offline(page)
        written[student] = pages
    return written
