"""Grades out of the nbgrader gradebook, as tables: scores and per-question scores.

It reads the course's real gradebook (the database named by ``nbgrader_config.py``, or
``db_url``) through nbgrader's own :class:`nbgrader.api.Gradebook`, and never writes to it.

- :func:`scores_table`: one row per student and assignment, including students who
  submitted nothing (score 0, ``submitted`` False).
- :func:`question_scores`: one row per student, notebook and graded cell, with the
  message of the failed check read from the autograded notebook.

:mod:`cxlab.course.results.exports` writes the scores for an LMS and
:mod:`cxlab.course.results.item_analysis` summarises the questions, both from what
:func:`read_snapshot` reads here.

Scores follow nbgrader's own rules: a grade cell's score is the manual score when a
grader set one, otherwise the autograder's, plus any extra credit; the late penalty is
subtracted from the total, never below zero (as ``nbgrader export`` does).

Imports: :mod:`cxlab.course.config`, :mod:`~cxlab.course.shared.gradebook`, pandas; nbgrader,
nbformat and nbconvert inside functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..config import course_api, find_course_root
from ..shared.gradebook import GradebookError, check_gradebook_exists, shown_url

log = logging.getLogger("cxlab.course")

SCORE_COLUMNS = (
    "student", "first_name", "last_name", "email", "lms_user_id", "assignment", "submitted",
    "score", "max_score", "raw_score", "auto_score", "manual_score", "extra_credit",
    "late_penalty", "needs_manual_grade", "pending_points", "flagged", "timestamp", "seconds_late",
)
QUESTION_COLUMNS = (
    "student", "notebook", "question", "kind", "score", "max_score", "needs_manual_grade", "message",
)
# A score counts as full marks (or zero) within this tolerance: scores are floats.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Question:
    """One graded cell of an assignment's notebook, as the gradebook defines it."""

    notebook: str
    name: str
    kind: str  # "auto" (code checked by the autograder) or "manual" (a person grades it)
    max_score: float
    position: int  # order in the source notebook


@dataclass(frozen=True)
class _Grade:
    student: str
    notebook: str
    question: str
    auto_score: float | None
    manual_score: float | None
    extra_credit: float | None
    score: float
    needs_manual_grade: bool
    max_score: float = 0.0


@dataclass(frozen=True)
class _Submission:
    student: str
    assignment: str
    timestamp: object  # datetime (UTC, naive as nbgrader stores it) or None
    late_penalty: float
    flagged: bool
    grades: tuple[_Grade, ...]
    seconds_late: float = 0.0  # after the assignment's due date, as nbgrader computes it (0 without one)


@dataclass(frozen=True)
class _Student:
    id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str


@dataclass(frozen=True)
class _Assignment:
    name: str
    max_score: float
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Snapshot:
    """Everything read from the gradebook, as plain values (the session is closed)."""

    coursedir: object  # nbgrader.coursedir.CourseDirectory, for paths under the course
    students: tuple[_Student, ...]
    assignments: tuple[_Assignment, ...]
    submissions: tuple[_Submission, ...]


# --------------------------------------------------------------------------- reading


def open_course(root, db_url):
    """nbgrader's API and ``CourseDirectory`` of the course (with ``db_url`` if given),
    after checking that its gradebook exists and holds nbgrader's tables."""
    if db_url is not None and not isinstance(db_url, str):
        raise TypeError(f"db_url must be a database URL such as 'sqlite:///gradebook.db', got {db_url!r}")
    api, coursedir = course_api(find_course_root(root), db_url=db_url)
    check_gradebook_exists(coursedir.db_url)
    return api, coursedir


def _text(value) -> str:
    return "" if value is None else str(value)


def _positions(coursedir, assignment: str, notebook: str) -> dict[str, int]:
    """Cell order of a notebook (grade_id -> index), from its source or released version."""
    import nbformat

    for step in (coursedir.source_directory, coursedir.release_directory):
        path = Path(coursedir.format_path(step, ".", assignment)) / f"{notebook}.ipynb"
        if path.is_file():
            cells = nbformat.read(path, as_version=4).cells
            return {
                cell.metadata["nbgrader"]["grade_id"]: index
                for index, cell in enumerate(cells)
                if "grade_id" in cell.get("metadata", {}).get("nbgrader", {})
            }
    return {}


def _questions(coursedir, assignment) -> tuple[Question, ...]:
    questions = []
    for notebook in assignment.notebooks:
        answers = {cell.name for cell in notebook.solution_cells}
        order = _positions(coursedir, assignment.name, notebook.name)
        # A code grade cell is checked by the autograder unless it is also an answer cell
        # (code a person grades); written answers and tasks are always graded by hand.
        cells = [(cell, cell.cell_type == "code" and cell.name not in answers) for cell in notebook.grade_cells]
        cells += [(cell, False) for cell in notebook.task_cells]
        for cell, automatic in cells:
            questions.append(Question(
                notebook=notebook.name,
                name=cell.name,
                kind="auto" if automatic else "manual",
                max_score=float(cell.max_score),
                position=order.get(cell.name, len(order)),
            ))
    notebook_rank = {notebook.name: rank for rank, notebook in enumerate(assignment.notebooks)}
    return tuple(sorted(questions, key=lambda q: (notebook_rank[q.notebook], q.position, q.name)))


def read_snapshot(gradebook, coursedir, assignments: list[str] | None = None) -> Snapshot:
    """Read students, assignments (all, or those named) and submissions out of an open gradebook."""
    known = [item.name for item in gradebook.assignments]
    if not known:
        raise GradebookError(
            f"the gradebook {shown_url(gradebook.engine.url)} holds no assignment yet: generate one first (`cxlab assign`)"
        )
    for name in assignments or []:
        if name not in known:
            raise GradebookError(f"unknown assignment {name!r}; the gradebook has {sorted(known)}")
    chosen = [item for item in gradebook.assignments if not assignments or item.name in assignments]

    students = tuple(
        _Student(
            id=student.id,
            first_name=_text(student.first_name),
            last_name=_text(student.last_name),
            email=_text(student.email),
            lms_user_id=_text(student.lms_user_id),
        )
        for student in sorted(gradebook.students, key=lambda student: student.id)
    )
    found, submissions = [], []
    for item in chosen:
        questions = _questions(coursedir, item)
        found.append(_Assignment(item.name, sum(q.max_score for q in questions), questions))
        for submission in sorted(item.submissions, key=lambda s: s.student_id):
            grades = tuple(
                _Grade(
                    student=submission.student_id,
                    notebook=notebook.name,
                    question=grade.cell.name,
                    auto_score=grade.auto_score,
                    manual_score=grade.manual_score,
                    extra_credit=grade.extra_credit,
                    score=float(grade.score),
                    needs_manual_grade=bool(grade.needs_manual_grade),
                    max_score=float(grade.max_score or 0.0),
                )
                for notebook in submission.notebooks
                for grade in notebook.grades
            )
            submissions.append(_Submission(
                student=submission.student_id,
                assignment=item.name,
                timestamp=submission.timestamp,
                late_penalty=float(sum(notebook.late_submission_penalty or 0 for notebook in submission.notebooks)),
                flagged=any(bool(notebook.flagged) for notebook in submission.notebooks),
                grades=grades,
                seconds_late=float(submission.total_seconds_late or 0.0),
            ))
    return Snapshot(coursedir, students, tuple(found), tuple(submissions))


def read_grades(root, assignment: str | None, db_url: str | None) -> Snapshot:
    """Read the course's gradebook (or ``db_url``): one assignment, or all of them."""
    if assignment is not None and not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name (text) or None for all, got {assignment!r}")
    from nbgrader.api import Gradebook

    _, coursedir = open_course(root, db_url)
    # An empty course id keeps Gradebook from adding a course row: this module only reads.
    with Gradebook(coursedir.db_url, course_id="") as gradebook:
        return read_snapshot(gradebook, coursedir, [assignment] if assignment is not None else None)


def _by_student(snapshot: Snapshot) -> Iterator[tuple]:
    """(assignment, student, submission or None) for every chosen assignment and every
    student, in the gradebook's order of assignments and by student id."""
    by_key = {(s.student, s.assignment): s for s in snapshot.submissions}
    for item in snapshot.assignments:
        for student in snapshot.students:
            yield item, student, by_key.get((student.id, item.name))


# --------------------------------------------------------------------------- tables


def scores_table(root=".", assignment=None, *, db_url=None) -> pd.DataFrame:
    """One row per student and assignment, straight from the nbgrader gradebook.

    Parameters
    ----------
    root : str or Path
        The course folder (the one with ``nbgrader_config.py``) or a folder inside it.
    assignment : str, optional
        One assignment; all assignments in the gradebook by default.
    db_url : str, optional
        Another gradebook than the course's (for example a copy), as a database URL.

    Returns
    -------
    pandas.DataFrame
        Every student in the gradebook times every chosen assignment, ordered by
        assignment (as the gradebook orders them: due date, then name) and student id.
        Columns: ``student``, ``first_name``, ``last_name``, ``email``, ``lms_user_id``,
        ``assignment``, ``submitted``; ``score`` (``raw_score`` minus ``late_penalty``,
        never below 0, as ``nbgrader export`` computes it), ``max_score``, ``raw_score``
        (the gradebook's total), ``auto_score`` (points from the autograder that no
        grader overrode), ``manual_score`` (points a grader set), ``extra_credit``
        (``raw_score = auto_score + manual_score + extra_credit``), ``late_penalty``,
        ``needs_manual_grade`` (some cell still waits for a grader), ``pending_points``
        (the points of the cells that wait for a grader: at most this much may still be
        added), ``flagged`` (a grader flagged a notebook), ``timestamp`` (submission
        time, UTC), ``seconds_late`` (after the assignment's due date in the gradebook,
        as nbgrader computes it; 0 when on time or without a due date). A student who
        submitted nothing has ``submitted`` False and every score 0.

    Raises
    ------
    GradebookError
        (a ValueError) when the gradebook is missing or holds no assignment, or when
        ``assignment`` is not one of them (the message lists those it holds).
    TypeError
        When ``assignment`` is not text.
    """
    return score_rows(read_grades(root, assignment, db_url))


def score_rows(snapshot: Snapshot) -> pd.DataFrame:
    """The table of :func:`scores_table`, from a snapshot."""
    rows = []
    for item, student, submission in _by_student(snapshot):
        row = {
            "student": student.id,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "email": student.email,
            "lms_user_id": student.lms_user_id,
            "assignment": item.name,
            "submitted": submission is not None,
            "max_score": item.max_score,
        }
        if submission is None:
            row.update(score=0.0, raw_score=0.0, auto_score=0.0, manual_score=0.0, extra_credit=0.0,
                       late_penalty=0.0, needs_manual_grade=False, pending_points=0.0, flagged=False,
                       timestamp=None, seconds_late=0.0)
        else:
            grades = submission.grades
            raw = sum(grade.score for grade in grades)
            row.update(
                raw_score=raw,
                auto_score=sum(g.auto_score or 0.0 for g in grades if g.manual_score is None),
                manual_score=sum(g.manual_score for g in grades if g.manual_score is not None),
                extra_credit=sum(
                    g.extra_credit or 0.0 for g in grades if g.manual_score is not None or g.auto_score is not None
                ),
                late_penalty=submission.late_penalty,
                score=max(0.0, raw - submission.late_penalty),
                needs_manual_grade=any(grade.needs_manual_grade for grade in grades),
                pending_points=sum(grade.max_score for grade in grades if grade.needs_manual_grade),
                flagged=submission.flagged,
                timestamp=submission.timestamp,
                seconds_late=submission.seconds_late,
            )
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    for column in ("score", "max_score", "raw_score", "auto_score", "manual_score", "extra_credit", "late_penalty",
                   "pending_points", "seconds_late"):
        table[column] = table[column].astype("float64")
    for column in ("submitted", "needs_manual_grade", "flagged"):
        table[column] = table[column].astype(bool)
    table["timestamp"] = pd.to_datetime(table["timestamp"], utc=True)
    return table


def _failure_message(cell) -> str:
    """``ename: evalue`` of a cell's error output, else the first line it wrote to stderr."""
    from nbconvert.filters import strip_ansi

    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = _text(output.get("ename")).strip()
            value = " ".join(strip_ansi(_text(output.get("evalue"))).split())
            return f"{name}: {value}" if value else name
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            lines = [line.strip() for line in strip_ansi(_text(output.get("text"))).splitlines()]
            return next((f"stderr: {line}" for line in lines if line), "")
    return ""


def _autograded_messages(coursedir, student: str, assignment: str, notebook: str) -> dict[str, str]:
    """grade_id -> failure message, from ``autograded/<student>/<assignment>/<notebook>.ipynb``."""
    import nbformat

    path = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment)) / f"{notebook}.ipynb"
    if not path.is_file():
        log.warning("no autograded notebook at %s: failure messages left empty", path)
        return {}
    messages = {}
    for cell in nbformat.read(path, as_version=4).cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            messages[grade_id] = _failure_message(cell)
    return messages


def question_scores(assignment, root=".", *, db_url=None) -> pd.DataFrame:
    """One row per student, notebook and graded cell of one assignment.

    Parameters
    ----------
    assignment : str
        The assignment's name, as in the gradebook (for example ``"nps"``).
    root : str or Path
        The course folder or a folder inside it.
    db_url : str, optional
        Another gradebook than the course's, as a database URL.

    Returns
    -------
    pandas.DataFrame
        Only students with a submission; questions in notebook order. Columns:
        ``student``, ``notebook``, ``question`` (the grade cell's name, for example
        ``"q2_score"``), ``kind`` (``"auto"`` for a code cell the autograder checks,
        ``"manual"`` for a written answer or any cell a person grades), ``score``,
        ``max_score``, ``needs_manual_grade``, and ``message``: for an autograded cell
        that lost points, the failed check as ``"ename: evalue"`` (for example
        ``"AssertionError: nps_all does not match the survey's NPS"``), read from the
        cell with that ``grade_id`` in
        ``autograded/<student>/<assignment>/<notebook>.ipynb``; ``""`` otherwise, or when
        the autograded notebook is not on this machine.

    Raises
    ------
    GradebookError
        (a ValueError) for a missing or empty gradebook or an unknown assignment.
    TypeError
        When ``assignment`` is not text.
    """
    if not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name such as 'nps', got {assignment!r}")
    return question_rows(read_grades(root, assignment, db_url))


def question_rows(snapshot: Snapshot) -> pd.DataFrame:
    """The table of :func:`question_scores`, from a snapshot of one assignment."""
    rows = []
    for item, _, submission in _by_student(snapshot):
        if submission is None:
            continue
        grades = {(grade.notebook, grade.question): grade for grade in submission.grades}
        messages: dict[str, dict[str, str]] = {}
        for question in item.questions:
            grade = grades.get((question.notebook, question.name))
            if grade is None:  # a cell added to the source after this submission was graded
                continue
            message = ""
            if question.kind == "auto" and grade.score < question.max_score - TOLERANCE:
                if question.notebook not in messages:
                    messages[question.notebook] = _autograded_messages(
                        snapshot.coursedir, submission.student, item.name, question.notebook
                    )
                message = messages[question.notebook].get(question.name, "")
            rows.append({
                "student": submission.student,
                "notebook": question.notebook,
                "question": question.name,
                "kind": question.kind,
                "score": grade.score,
                "max_score": question.max_score,
                "needs_manual_grade": grade.needs_manual_grade,
                "message": message,
            })
    table = pd.DataFrame(rows, columns=list(QUESTION_COLUMNS))
    table["score"] = table["score"].astype("float64")
    table["max_score"] = table["max_score"].astype("float64")
    table["needs_manual_grade"] = table["needs_manual_grade"].astype(bool)
    return table
