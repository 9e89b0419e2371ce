"""Integrity: broken and malicious submissions graded in one batch with honest ones.

Every case is a real notebook handed in for the NPS assignment and graded by
``cxlab grade`` with real kernels in the bubblewrap sandbox, the real trusted checker and
the real SQLite gradebook. Each has the auto score it must get (14 points are
autograded; the written answer waits for a person) and, for some, a phrase the grading
record must give. The broken ones (``submissions.cases``) must score what they earned;
the attacks (``attacks.attacks``), at least two for every class of attack, must gain no
point they did not earn. Honest submissions in the batch must get exactly the grades
they get alone; the batch must finish with one gradebook row per student and leave no
process behind; and no hidden test may reach a student's output or feedback.

Set ``CXLAB_REQUIRE_SANDBOX=1`` (CI does) to fail instead of skip where bubblewrap is
not installed.
"""

from __future__ import annotations

import html
import os
import re
import time

import nbformat
import pytest

from cxlab.course.config import load_config
from cxlab.course.results.feedback import feedback
from cxlab.course.grading.grade import grade
from cxlab.course.grading.sandbox import bubblewrap

from .attacks import ATTACK_CLASSES, attacks
from .submissions import HONEST, LIMITS, SOLUTION, auto_scores, cases, new_course, submit

pytestmark = pytest.mark.slow

if bubblewrap() is None:
    if os.environ.get("CXLAB_REQUIRE_SANDBOX"):
        raise RuntimeError("CXLAB_REQUIRE_SANDBOX is set and bubblewrap (bwrap) is not installed")
    pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)", allow_module_level=True)


def everything() -> dict[str, tuple]:
    return {**{name: (*case, "broken or tampered") for name, case in cases().items()}, **attacks()}


def _fill_in(content, course):
    """The notebook with ``__COURSE__`` replaced by the course's path."""
    if isinstance(content, nbformat.NotebookNode):
        content = nbformat.from_dict(content)
        for cell in content.cells:
            cell.source = cell.source.replace("__COURSE__", str(course))
    return content


def _leftovers() -> list[str]:
    """Processes a submission started, or its kernel, that nothing owns any more."""
    from ..conftest import GRADING_PROCESSES, grading_leftovers

    return grading_leftovers(("cxlab-leftover-marker", "sleep 300", *GRADING_PROCESSES), orphans_only=True)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("integrity")
    course = new_course(tmp_path, "batch")
    expected = everything()
    for student, (content, filename, *_rest) in expected.items():
        submit(course, student, _fill_in(content, course), filename)
    summary = grade("nps", root=course, **LIMITS)
    return course, expected, summary


def test_every_class_of_attack_has_at_least_two_cases():
    by_class = {}
    for name, case in attacks().items():
        by_class.setdefault(case[-1], []).append(name)
    assert set(by_class) == set(ATTACK_CLASSES)
    assert all(len(names) >= 2 for names in by_class.values()), by_class


def test_the_batch_finishes_with_a_record_for_every_submission(batch):
    course, expected, summary = batch
    assert sorted(summary.records) == sorted(expected)
    for student in expected:
        assert (course / "grading-log" / "nps" / f"{student}.json").is_file()


@pytest.mark.parametrize("student", sorted(everything()))
def test_each_submission_scores_what_it_earned(batch, student):
    course, expected, summary = batch
    _, _, score, phrase, status, _kind = expected[student]
    record = summary.records[student]
    assert record["status"] == status, record
    assert record["sandbox"] == "bubblewrap"
    auto = sum(auto_scores(record).values()) if record.get("by_cell") else record["score"]
    assert auto == score, (student, record.get("by_cell"), record["reasons"], record["findings"])
    if phrase:
        said = " ".join(record["reasons"] + record["findings"])
        assert phrase in said, (student, record["reasons"], record["findings"])


def test_the_gradebook_holds_one_row_per_student_with_the_recorded_scores(batch):
    from nbgrader.api import Gradebook

    course, expected, summary = batch
    config = load_config(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", config.CourseDirectory.course_id) as gradebook:
        submissions = gradebook.find_assignment("nps").submissions
        assert sorted(s.student.id for s in submissions) == sorted(expected)
        for submission in submissions:
            record = summary.records[submission.student.id]
            for notebook in submission.notebooks:
                for grade_row in notebook.grades:
                    assert grade_row.score <= grade_row.max_score
                    assert (grade_row.manual_score or 0) != 99 and (grade_row.auto_score or 0) != 99
                    if record.get("by_cell"):
                        assert record["by_cell"][grade_row.name][0] == grade_row.score


def test_no_process_of_a_submission_outlives_the_batch(batch):
    deadline = time.monotonic() + 5
    while _leftovers() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _leftovers() == []


def test_honest_submissions_are_not_flagged_and_tampering_is(batch):
    _, expected, summary = batch
    for student in HONEST:
        assert not summary.records[student]["flagged"], summary.records[student]["findings"]
    for student in ("patch-cxlab", "patch-numpy", "patch-math", "patch-builtins", "ipython-hooks", "always-equal",
                    "read-solutions", "read-gradebook", "tamper-other-student", "edited-test-cell", "edited-points"):
        assert summary.records[student]["flagged"], student


def test_flags_reach_the_gradebook_for_the_formgrader(batch):
    from nbgrader.api import Gradebook

    course, _, _ = batch
    config = load_config(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", config.CourseDirectory.course_id) as gradebook:
        flagged = {s.student.id for s in gradebook.find_assignment("nps").submissions if any(n.flagged for n in s.notebooks)}
    assert {"patch-math", "read-solutions", "malformed-json"} <= flagged
    assert not flagged & set(HONEST)


def test_attacks_did_not_touch_the_course(batch):
    course, _, _ = batch
    honest_file = course / "submitted" / "honest-full" / "nps" / "nps.ipynb"
    assert nbformat.read(honest_file, as_version=4).cells, "another submission's file was overwritten"
    assert nbformat.read(course / "solutions" / "nps" / "nps.ipynb", as_version=4).cells
    assert not list((course / "submitted").glob("*/nps/*.json")), "a sandbox wrote into the course"


def _hidden_lines() -> set[str]:
    source = nbformat.read(SOLUTION, as_version=4)
    lines = set()
    for cell in source.cells:
        for region in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
            lines.update(line.strip() for line in region.splitlines() if len(line.strip()) >= 12)
    return lines


@pytest.mark.parametrize("student", ["leak-print-cells", "leak-print-everything", "honest-full"])
def test_no_hidden_test_reaches_a_students_outputs_or_feedback(batch, student):
    course, _, _ = batch
    hidden = _hidden_lines()
    assert len(hidden) > 20
    autograded = nbformat.read(course / "autograded" / student / "nps" / "nps.ipynb", as_version=4)
    printed = "\n".join(str(output) for cell in autograded.cells for output in cell.get("outputs", []))
    assert "RAN:" in printed or "HISTORY:" in printed or student == "honest-full", "the spy printed nothing"
    assert not [line for line in hidden if line in printed]
    pages = feedback("nps", root=course, students=[student])[student]
    text = html.unescape(re.sub(r"<[^>]+>", "", "\n".join(page.read_text(encoding="utf-8") for page in pages)))
    assert "hidden checks ran here" in text
    assert not [line for line in hidden if line in text]


def test_honest_grades_in_the_batch_equal_their_grades_alone(batch, tmp_path):
    _, expected, summary = batch
    alone = new_course(tmp_path, "alone")
    for student in HONEST:
        content, filename, *_ = expected[student]
        submit(alone, student, content, filename)
    by_themselves = grade("nps", root=alone, **LIMITS)
    for student in HONEST:
        assert summary.records[student]["by_cell"] == by_themselves.records[student]["by_cell"], student


def test_without_the_sandbox_the_escapes_gain_points(tmp_path):
    """The attacks are real: graded unsandboxed, reading solutions and classmates pays."""
    course = new_course(tmp_path, "unsandboxed")
    chosen = {name: case for name, case in everything().items()
              if name in ("honest-full", "escape-thread-pool-read", "copy-classmate", "magic-bash-reads")}
    for student, (content, filename, *_rest) in chosen.items():
        submit(course, student, _fill_in(content, course), filename)
    summary = grade("nps", root=course, **{**LIMITS, "unsandboxed": True})
    for student, case in chosen.items():
        record = summary.records[student]
        assert record["sandbox"] == "none"
        assert sum(auto_scores(record).values()) == 14, (student, case[2], record["by_cell"])


ACTIVE = re.compile(r"<script|<iframe|<object|<embed|<form|\bon[a-z]+\s*=|javascript:|<style|style\s*=|<svg",
                    re.IGNORECASE)


def _shown(notebook) -> str:
    """Everything of a notebook that nbconvert puts on a page: markdown, raw cells, outputs."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type in ("markdown", "raw"):
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(str(output))
    return "\n".join(parts)


@pytest.mark.parametrize("student", sorted(everything()))
def test_nothing_a_submission_shows_can_run_for_the_instructor(batch, student):
    """What reaches autograded/ is inert: no script, handler, frame, form, style or script link; only
    text, PNG, JPEG and clean HTML outputs; and the notebook stays within the output caps."""
    from cxlab.course.shared.sanitise import KEPT_MIME_TYPES

    course, expected, _ = batch
    if expected[student][4] != "graded":
        return
    path = course / "autograded" / student / "nps" / "nps.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert ACTIVE.findall(_shown(notebook)) == []
    kinds = {kind for cell in notebook.cells for output in cell.get("outputs", []) for kind in output.get("data", {})}
    assert kinds <= set(KEPT_MIME_TYPES), kinds
    assert "widgets" not in notebook.metadata
    assert path.stat().st_size < 6_500_000


def test_the_written_answer_still_reads_as_written(batch):
    course, _, _ = batch
    notebook = nbformat.read(course / "autograded" / "written-answer-script" / "nps" / "nps.ipynb", as_version=4)
    written = next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "q9_written")
    for kept in ("<em>who</em>", "<li>promoters and detractors are counted", "<code>0.1</code>",
                 "$\\frac{p - d}{n}$", "covers the page", ">more</a>"):
        assert kept in written.source, (kept, written.source)
    honest_written = nbformat.read(course / "autograded" / "honest-full" / "nps" / "nps.ipynb", as_version=4)
    given = nbformat.read(course / "submitted" / "honest-full" / "nps" / "nps.ipynb", as_version=4)
    assert [c.source for c in honest_written.cells if c.cell_type == "markdown"] == \
        [c.source for c in given.cells if c.cell_type == "markdown"]


def test_nothing_a_submission_writes_reaches_the_graders_disk(batch):
    course, _, summary = batch
    assert summary.records["others-fill-the-disk"]["status"] == "graded"
    assert not list(course.rglob("filler*"))
    assert not [path for path in __import__("pathlib").Path(__import__("tempfile").gettempdir()).glob("cxlab-*/**/filler*")]


def test_the_summary_shows_no_terminal_control_character(batch):
    _, _, summary = batch
    text = summary.report()
    assert "graded my\\x1b[1A\\x1b[2Knps.ipynb as nps.ipynb" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


def test_feedback_for_the_whole_batch_is_inert_and_complete(batch):
    """Every student gets a page, whatever another submission holds, and no page can run a script."""
    course, expected, summary = batch
    graded = sorted(student for student, record in summary.records.items() if record["status"] == "graded")
    pages = feedback("nps", root=course)
    assert sorted(pages) == graded
    for student, files in pages.items():
        for page in files:
            text = page.read_text(encoding="utf-8")
            assert "Content-Security-Policy" in text, student
            assert _active_elements(text) == [], student


def _active_elements(page: str) -> list[str]:
    """Elements of a page that could run or load anything: script-like tags, handlers, script links."""
    from bs4 import BeautifulSoup

    found = []
    for tag in BeautifulSoup(page, "html.parser").find_all(True):
        if tag.name in ("script", "iframe", "object", "embed", "form", "base", "svg", "frame"):
            found.append(tag.name)
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or re.match(r"\s*(javascript|vbscript|data:text)", value, re.I):
                found.append(f"{tag.name} {name}")
    return found
