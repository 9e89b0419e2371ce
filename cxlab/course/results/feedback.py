"""``cxlab feedback``: one HTML page per student, without the hidden tests, readable offline.

:func:`feedback` runs nbgrader's ``generate_feedback`` with
:class:`cxlab.course.results.hidden_tests.HideHiddenTests` among its preprocessors, then
:func:`make_offline` removes every script, style sheet or font the page would fetch
from the internet, so the file reads the same offline.

Written answers that still wait for a grader do not stop it: it warns, naming the
students and the points still to grade, and :func:`mark_awaiting_grading` puts
"awaiting grading" on the page where nbgrader would show a score of 0. Run it again once
they are graded.

Imports: :mod:`cxlab.course.config`, :mod:`cxlab.course.shared.gradebook`,
:mod:`cxlab.course.results.grades`; nbgrader, :mod:`~cxlab.course.results.hidden_tests`
(which loads nbgrader), BeautifulSoup and tqdm inside functions.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from traitlets.config import Config

from ..config import CourseError, check_outcome, course_api, find_course_root, require_assignments
from ..shared.gradebook import serialise_gradebook_access
from .grades import read_grades

log = logging.getLogger("cxlab.course")

EXTERNAL_ADDRESS = re.compile(r"^(https?:)?//")
SCORE_TEXT = re.compile(r"Score:\s*[-\d.]+\s*/\s*[-\d.]+")


#: The page's own policy: no script of any origin runs, nothing is fetched but its inline
#: images and styles.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
                           "form-action 'none'; base-uri 'none'")
_ACTIVE_TAGS = ("script", "iframe", "frame", "object", "embed", "applet", "form", "base", "portal", "noscript")
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background")
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html|data:image/svg)", re.IGNORECASE)


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_OUTSIDE_URL = re.compile(r"url\(\s*(?!['\"]?data:)[^)]*\)", re.IGNORECASE)


def _self_contained_css(css: str) -> str:
    """A style sheet that fetches nothing: no imports, no fonts or images by address (data: stays)."""
    css = re.sub(r"@import[^;]+;", "", css)
    css = _FONT_FACE.sub(lambda rule: rule.group() if not _OUTSIDE_URL.search(rule.group()) else "", css)
    return _OUTSIDE_URL.sub("none", css)


def make_offline(path: Path) -> None:
    """Make a feedback page inert and self-contained.

    Every script (the page's own included: a feedback page needs none), frame, object,
    form, ``<base>``, ``<meta http-equiv>``, event-handler attribute and script URL is
    removed, and so is anything the page would fetch (style sheets, fonts and images by
    address, here or on the internet: nbgrader's inlined Bootstrap names its icon font
    by a relative address); a Content Security Policy that allows no script and no
    outside request is added, should anything have been missed.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["link", "img"]):
        if EXTERNAL_ADDRESS.match(tag.get("src") or tag.get("href") or ""):
            tag.decompose()
    for tag in soup.find_all(_ACTIVE_TAGS):
        tag.decompose()
    for tag in soup.find_all("meta"):
        if tag.get("http-equiv"):
            tag.decompose()
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            value = tag.attrs[name]
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or (name.lower() in _URL_ATTRIBUTES and
                                                 (_SCRIPT_URL.match(value) or EXTERNAL_ADDRESS.match(value.strip()))):
                del tag.attrs[name]
    for style in soup.find_all("style"):
        if style.string and ("@import" in style.string or "url(" in style.string):
            style.string = _self_contained_css(style.string)
    head = soup.find("head")
    if head is not None:
        policy = soup.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy", "content": CONTENT_SECURITY_POLICY})
        head.insert(0, policy)
    path.write_text(str(soup), encoding="utf-8")


def mark_awaiting_grading(path: Path, waiting: dict[str, float]) -> None:
    """Say "awaiting grading" on a feedback page where a cell still waits for a grader.

    ``waiting`` maps each such cell's grade id to its points. nbgrader's page shows
    those cells as "Score: 0.0 / 2.0"; this writes "awaiting grading (2 points)" in the
    list at the top and above the answer, and "Score so far" with the points still to
    grade in the notebook's heading.
    """
    from bs4 import BeautifulSoup

    if not waiting:
        return
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for grade_id, points in waiting.items():
        label = f"awaiting grading ({points:g} points)"
        for link in soup.find_all("a", href=f"#{grade_id}"):
            after = link.next_sibling
            if after is not None and isinstance(after, str) and SCORE_TEXT.search(after):
                after.replace_with(SCORE_TEXT.sub(label, after))
        anchor = soup.find("a", attrs={"name": grade_id})
        heading = anchor.find_next("div", class_="panel-heading") if anchor is not None else None
        score = heading.find("span", class_="pull-right") if heading is not None else None
        if score is not None:
            for text in score.find_all(string=SCORE_TEXT):
                text.replace_with(SCORE_TEXT.sub(label[0].upper() + label[1:], text))
    total = sum(waiting.values())
    for title in soup.select(".panel-heading h4"):
        text = title.string
        if text and SCORE_TEXT.search(text):
            title.string = text.replace("(Score:", "(Score so far:", 1).rstrip(")") + f"; {total:g} points awaiting grading)"
    path.write_text(str(soup), encoding="utf-8")


def _waiting_cells(root: Path, assignment: str, db_url: str) -> dict[str, dict[str, dict[str, float]]]:
    """student -> notebook -> {grade id: points} of the cells that wait for a grader."""
    snapshot = read_grades(root, assignment, db_url)
    points = {(q.notebook, q.name): q.max_score for item in snapshot.assignments for q in item.questions}
    waiting: dict[str, dict[str, dict[str, float]]] = {}
    for submission in snapshot.submissions:
        for grade in submission.grades:
            if grade.needs_manual_grade:
                cells = waiting.setdefault(submission.student, {}).setdefault(grade.notebook, {})
                cells[grade.question] = points.get((grade.notebook, grade.question), grade.max_score)
    return waiting


class FeedbackFailures(CourseError):
    """Some feedback pages could not be made; the others were written.

    ``written`` holds the pages made (as :func:`feedback` returns them), ``failures``
    the reason for each student without a page.
    """

    def __init__(self, written: dict[str, list[Path]], failures: dict[str, str]):
        self.written, self.failures = written, failures
        listed = "; ".join(f"{student}: {reason}" for student, reason in sorted(failures.items()))
        super().__init__(f"no feedback page for {len(failures)} student(s) (the others were written): {listed}")


class _UnusedExporterSetting(logging.Filter):
    """nbconvert hands its exporter's ``display_data_priority`` to every preprocessor, and
    traitlets warns that HideHiddenTests has no such option: nothing a grader can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`display_data_priority` not recognized" not in str(record.msg)


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
    progress: bool = False,
) -> dict[str, list[Path]]:
    """Per-student HTML feedback, without the hidden tests, readable offline.

    Runs nbgrader's ``generate_feedback`` for every student nbgrader lists as autograded
    (or ``students``) with :class:`~cxlab.course.results.hidden_tests.HideHiddenTests` among its
    preprocessors, then strips anything the page would load from the internet. Returns
    the files per student. A student whose page cannot be made does not stop the others:
    once every other page is written, :class:`FeedbackFailures` lists them.

    It does not wait for hand grading: when written answers are still ungraded it logs
    a warning naming each such student and the points still to grade, and their pages
    say "awaiting grading" for those answers instead of a score of 0
    (:func:`mark_awaiting_grading`). Generate the pages again after grading them.
    ``progress`` shows a progress bar on a terminal.
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
    waiting = _waiting_cells(root, assignment, coursedir.db_url)
    ungraded = [student for student in wanted if student in waiting]
    if ungraded:
        log.warning(
            "%d student(s) have answers that wait for hand grading; their pages say 'awaiting grading' there instead "
            "of a score (grade them in the formgrader's Manual Grading, then run feedback again): %s",
            len(ungraded),
            ", ".join(f"{student} ({sum(sum(cells.values()) for cells in waiting[student].values()):g} points)"
                      for student in ungraded),
        )
    from tqdm import tqdm
    from traitlets.log import get_logger

    quiet = _UnusedExporterSetting()
    get_logger().addFilter(quiet)
    written: dict[str, list[Path]] = {}
    failures: dict[str, str] = {}
    try:
        for student in tqdm(wanted, desc=f"feedback {assignment}", unit="student", disable=None if progress else True):
            folder = Path(coursedir.format_path(coursedir.feedback_directory, student, assignment))
            try:
                check_outcome(api.generate_feedback(assignment, student, force=True),
                              f"generate_feedback {assignment} {student}")
                pages = sorted(folder.glob("*.html"))
                for page in pages:
                    make_offline(page)
                    mark_awaiting_grading(page, waiting.get(student, {}).get(page.stem, {}))
            except Exception as error:  # one student's notebook must not cost the others their pages
                failures[student] = f"{type(error).__name__}: {str(error)[:300]}"
                log.warning("no feedback page for %s: %s", student, failures[student])
                for page in folder.glob("*.html"):  # never leave a page that was not made inert
                    page.unlink()
                continue
            written[student] = pages
    finally:
        get_logger().removeFilter(quiet)
    if failures:
        raise FeedbackFailures(written, failures)
    return written
