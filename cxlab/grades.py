"""Grades out of the nbgrader gradebook: tables, LMS exports and an item analysis.

Layer 6, beside :mod:`cxlab.course`: nothing else in cxlab imports this module. It reads
the course's real gradebook (the database named by ``nbgrader_config.py``, or ``db_url``)
through nbgrader's own :class:`nbgrader.api.Gradebook`, and never writes to it.

- :func:`scores_table`: one row per student and assignment, including students who
  submitted nothing (score 0, ``submitted`` False).
- :func:`question_scores`: one row per student, notebook and graded cell, with the
  message of the failed check read from the autograded notebook.
- :func:`export_grades`: a tidy CSV, or a file for Canvas's or Moodle's grade import.
- :func:`item_analysis` and :func:`item_analysis_figure`: which questions the class
  finds hard, and which failed check they hit most often.

Scores follow nbgrader's own rules: a grade cell's score is the manual score when a
grader set one, otherwise the autograder's, plus any extra credit; the late penalty is
subtracted from the total, never below zero (as ``nbgrader export`` does).

The figure needs no gradebook:

>>> import pandas as pd
>>> from cxlab.grades import item_analysis_figure
>>> table = pd.DataFrame({"question": ["q1_counts", "q2_score"], "kind": ["auto", "auto"],
...                       "share_full_marks": [0.9, 0.4], "n": [20, 20]})
>>> figure = item_analysis_figure(table)
>>> len(figure.axes[0].patches)
2
"""

from __future__ import annotations

import csv
import logging
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .course import CourseError, find_course_root, load_config

log = logging.getLogger("cxlab.grades")

FORMATS = ("csv", "canvas", "moodle")
"""The values :func:`export_grades` accepts for ``fmt``."""

SCORE_COLUMNS = (
    "student", "first_name", "last_name", "email", "lms_user_id", "assignment", "submitted",
    "score", "max_score", "raw_score", "auto_score", "manual_score", "extra_credit",
    "late_penalty", "needs_manual_grade", "flagged", "timestamp",
)
QUESTION_COLUMNS = (
    "student", "notebook", "question", "kind", "score", "max_score", "needs_manual_grade", "message",
)
ITEM_COLUMNS = (
    "notebook", "question", "kind", "max_score", "n", "n_awaiting_grade", "mean_score",
    "mean_share", "share_full_marks", "share_zero", "most_common_failure",
)
# Canvas writes this (four leading spaces) in the first column of its second row; its
# importer recognises the row by the words "Points Possible" in that column.
CANVAS_POINTS_POSSIBLE = "    Points Possible"
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_STUDENT_COLUMNS = ("First name", "Last name", "ID number", "Email address")
# A score counts as full marks (or zero) within this tolerance: scores are floats.
TOLERANCE = 1e-9
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class GradebookError(CourseError, ValueError):
    """The gradebook is missing or empty, or holds no such assignment.

    A :class:`ValueError` (bad input) and a :class:`cxlab.course.CourseError`, so the
    ``cxlab`` command prints it as a one-line message.
    """


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


@dataclass(frozen=True)
class _Submission:
    student: str
    assignment: str
    timestamp: object  # datetime (UTC, naive as nbgrader stores it) or None
    late_penalty: float
    flagged: bool
    grades: tuple[_Grade, ...]


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
class _Snapshot:
    """Everything read from the gradebook, as plain values (the session is closed)."""

    root: Path
    coursedir: object  # nbgrader.coursedir.CourseDirectory, for paths under the course
    students: tuple[_Student, ...]
    assignments: tuple[_Assignment, ...]
    submissions: tuple[_Submission, ...]


# --------------------------------------------------------------------------- reading


def _coursedir(root, db_url):
    from nbgrader.coursedir import CourseDirectory

    if db_url is not None and not isinstance(db_url, str):
        raise TypeError(f"db_url must be a database URL such as 'sqlite:///gradebook.db', got {db_url!r}")
    root = find_course_root(root)
    config = load_config(root, **({"db_url": db_url} if db_url else {}))
    return root, CourseDirectory(config=config)


def _shown(db_url: str) -> str:
    """The database URL with any password masked, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


def _check_gradebook_exists(db_url: str) -> None:
    """Refuse a missing or empty database instead of letting nbgrader create one."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_file():
            raise GradebookError(
                f"no gradebook at {path}: nbgrader creates it when an assignment is generated "
                "(`cxlab assign`) and fills it when submissions are autograded (`nbgrader autograde`)"
            )
    engine = create_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if "assignment" not in tables:
        raise GradebookError(f"the gradebook {_shown(db_url)} holds no nbgrader tables")


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


def _read(root, assignment: str | None, db_url: str | None) -> _Snapshot:
    """Read students, assignments and submissions out of the gradebook."""
    if assignment is not None and not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name (text) or None for all, got {assignment!r}")
    from nbgrader.api import Gradebook

    root, coursedir = _coursedir(root, db_url)
    _check_gradebook_exists(coursedir.db_url)
    # An empty course id keeps Gradebook from adding a course row: this module only reads.
    with Gradebook(coursedir.db_url, course_id="") as gradebook:
        known = [item.name for item in gradebook.assignments]
        if not known:
            raise GradebookError(
                f"the gradebook {_shown(coursedir.db_url)} holds no assignment yet: generate one first (`cxlab assign`)"
            )
        if assignment is not None and assignment not in known:
            raise GradebookError(f"unknown assignment {assignment!r}; the gradebook has {sorted(known)}")
        chosen = [item for item in gradebook.assignments if assignment is None or item.name == assignment]

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
        assignments, submissions = [], []
        for item in chosen:
            questions = _questions(coursedir, item)
            assignments.append(_Assignment(item.name, sum(q.max_score for q in questions), questions))
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
                ))
    return _Snapshot(root, coursedir, students, tuple(assignments), tuple(submissions))


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
        ``needs_manual_grade`` (some cell still waits for a grader), ``flagged`` (a
        grader flagged a notebook), ``timestamp`` (submission time, UTC). A student who
        submitted nothing has ``submitted`` False and every score 0.

    Raises
    ------
    GradebookError
        (a ValueError) when the gradebook is missing or holds no assignment, or when
        ``assignment`` is not one of them (the message lists those it holds).
    TypeError
        When ``assignment`` is not text.
    """
    snapshot = _read(root, assignment, db_url)
    return _scores(snapshot)


def _scores(snapshot: _Snapshot) -> pd.DataFrame:
    by_key = {(s.student, s.assignment): s for s in snapshot.submissions}
    rows = []
    for item in snapshot.assignments:
        for student in snapshot.students:
            submission = by_key.get((student.id, item.name))
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
                           late_penalty=0.0, needs_manual_grade=False, flagged=False, timestamp=None)
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
                    flagged=submission.flagged,
                    timestamp=submission.timestamp,
                )
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    for column in ("score", "max_score", "raw_score", "auto_score", "manual_score", "extra_credit", "late_penalty"):
        table[column] = table[column].astype("float64")
    for column in ("submitted", "needs_manual_grade", "flagged"):
        table[column] = table[column].astype(bool)
    table["timestamp"] = pd.to_datetime(table["timestamp"], utc=True)
    return table


def _failure_message(cell) -> str:
    """``ename: evalue`` of a cell's error output, else the first line it wrote to stderr."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = _text(output.get("ename")).strip()
            value = " ".join(ANSI_ESCAPE.sub("", _text(output.get("evalue"))).split())
            return f"{name}: {value}" if value else name
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            lines = [line.strip() for line in ANSI_ESCAPE.sub("", _text(output.get("text"))).splitlines()]
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
    snapshot = _read(root, assignment, db_url)
    return _question_rows(snapshot)


def _question_rows(snapshot: _Snapshot) -> pd.DataFrame:
    (item,) = snapshot.assignments
    rows = []
    for submission in snapshot.submissions:
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


# --------------------------------------------------------------------------- exports


def _number(value: float) -> str:
    """Points with two decimals, as Canvas's own export writes them."""
    return f"{round(float(value), 2):.2f}"


def _formula_safe(name: str) -> str:
    """Quote a name that starts with '=' so a spreadsheet does not run it (as Canvas does)."""
    return f'="{name}"' if name.lstrip().startswith("=") else name


def _sortable_name(first: str, last: str, fallback: str) -> str:
    if first and last:
        return f"{last}, {first}"
    return last or first or fallback


def _wide(table: pd.DataFrame) -> tuple[list[str], list[dict], dict[str, float]]:
    """Assignments in gradebook order, one record per student, and each assignment's maximum."""
    assignments = list(dict.fromkeys(table["assignment"]))
    maxima = table.drop_duplicates("assignment").set_index("assignment")["max_score"].to_dict()
    people = []
    for student, rows in table.groupby("student", sort=True):
        first = rows.iloc[0]
        people.append({
            "student": student,
            "first_name": first["first_name"],
            "last_name": first["last_name"],
            "email": first["email"],
            "lms_user_id": first["lms_user_id"],
            "scores": dict(zip(rows["assignment"], rows["score"])),
        })
    return assignments, people, maxima


def _write_canvas(table: pd.DataFrame, output: Path) -> None:
    assignments, people, maxima = _wide(table)
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_STUDENT_COLUMNS, *assignments])
        writer.writerow([CANVAS_POINTS_POSSIBLE, "", "", "", "", *(_number(maxima[name]) for name in assignments)])
        for person in people:
            writer.writerow([
                _formula_safe(_sortable_name(person["first_name"], person["last_name"], person["student"])),
                person["lms_user_id"],
                "",
                person["student"],
                "",
                *(_number(person["scores"][name]) for name in assignments),
            ])


def _write_moodle(table: pd.DataFrame, output: Path) -> None:
    assignments, people, _ = _wide(table)
    unidentified = [p["student"] for p in people if not p["email"] and not p["lms_user_id"]]
    if unidentified:
        warnings.warn(
            f"{len(unidentified)} student(s) have neither an email nor an lms_user_id in the gradebook, so Moodle "
            f"cannot match their rows and skips them: {unidentified[:10]}",
            stacklevel=3,
        )
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*MOODLE_STUDENT_COLUMNS, *assignments])
        for person in people:
            writer.writerow([
                person["first_name"],
                person["last_name"],
                person["lms_user_id"],
                person["email"],
                *(_number(person["scores"][name]) for name in assignments),
            ])


def export_grades(output, fmt="csv", root=".", assignment=None, *, db_url=None) -> Path:
    """Write the gradebook's scores to a file for a spreadsheet or an LMS.

    Every student in the gradebook gets a row; one who submitted nothing scores 0.
    Scores are after the late penalty (``score`` of :func:`scores_table`). A submission
    whose written answer still waits for a grader is exported with the points it has so
    far, and a warning is logged.

    Parameters
    ----------
    output : str or Path
        The file to write (its folder is created if needed).
    fmt : {"csv", "canvas", "moodle"}
        ``"csv"``: a tidy table, one row per student and assignment, with every column
        of :func:`scores_table`.

        ``"canvas"``: the layout of Canvas's own gradebook export, which its gradebook
        import reads back: the header ``Student, ID, SIS User ID, SIS Login ID,
        Section`` and one column per assignment (named as in nbgrader; Canvas matches
        an existing assignment by title or creates a new one), then a row
        ``"    Points Possible"`` with each assignment's maximum, then one row per
        student. ``Student`` is "Last, First", ``ID`` the student's ``lms_user_id``
        (Canvas's user id) when the gradebook has one, ``SIS Login ID`` the nbgrader
        student id; Canvas matches a student by ID, then SIS Login ID, then name.

        ``"moodle"``: for Moodle's "Import grades from CSV": ``First name, Last name,
        ID number, Email address`` and one column of points per assignment. On import,
        map "Email address" to *Email address* (or "ID number", which holds the
        ``lms_user_id``, to *ID number*) and each assignment column to its grade item.
        Moodle's file has no row for the maximum: give the grade item the assignment's
        maximum points.
    root : str or Path
        The course folder or a folder inside it.
    assignment : str, optional
        One assignment; all of them by default.
    db_url : str, optional
        Another gradebook than the course's, as a database URL.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        When ``fmt`` is not one of :data:`FORMATS`; a :class:`GradebookError` (also a
        ValueError) when the gradebook is missing, empty or has no student, or when
        ``assignment`` is unknown.
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    table = scores_table(root, assignment, db_url=db_url)
    if table.empty:
        raise GradebookError("the gradebook has no student yet: nothing to export")
    waiting = table[table["needs_manual_grade"]]
    if not waiting.empty:
        log.warning(
            "%d submission(s) still wait for manual grading; exported with the points they have so far: %s",
            len(waiting), ", ".join(f"{row.student}/{row.assignment}" for row in waiting.itertuples()),
        )
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        plain = table.copy()
        plain["timestamp"] = plain["timestamp"].map(lambda t: "" if pd.isna(t) else t.isoformat())
        plain.to_csv(output, index=False)
    elif fmt == "canvas":
        _write_canvas(table, output)
    else:
        _write_moodle(table, output)
    log.info("wrote %s grades for %d student(s) to %s", fmt, table["student"].nunique(), output)
    return output.resolve()


# --------------------------------------------------------------------------- item analysis


def item_analysis(assignment, root=".", *, db_url=None) -> pd.DataFrame:
    """How the class did on each graded question of one assignment.

    Parameters
    ----------
    assignment : str
        The assignment's name, as in the gradebook.
    root : str or Path
        The course folder or a folder inside it.
    db_url : str, optional
        Another gradebook than the course's, as a database URL.

    Returns
    -------
    pandas.DataFrame
        One row per graded cell, in notebook order. Columns: ``notebook``,
        ``question``, ``kind``, ``max_score``, ``n`` (submissions), ``n_awaiting_grade``
        (of those, answers still waiting for a grader), and over the ``n -
        n_awaiting_grade`` graded answers: ``mean_score``, ``mean_share``
        (``mean_score / max_score``), ``share_full_marks``, ``share_zero`` (NaN when none
        is graded yet), and ``most_common_failure``: the failed check most students hit,
        with how many, for example ``"AssertionError: nps_all does not match the survey's
        NPS (7)"`` (ties go to the message first in alphabetical order; ``""`` when no
        failure left a message).

    Raises
    ------
    GradebookError
        (a ValueError) for a missing or empty gradebook, an unknown assignment, or an
        assignment nobody has submitted yet.
    """
    if not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name such as 'nps', got {assignment!r}")
    snapshot = _read(root, assignment, db_url)
    if not snapshot.submissions:
        raise GradebookError(f"nobody has submitted {assignment!r} yet (no autograded submission in the gradebook)")
    answers = _question_rows(snapshot)
    (item,) = snapshot.assignments
    rows = []
    for question in item.questions:
        mine = answers[(answers["notebook"] == question.notebook) & (answers["question"] == question.name)]
        graded = mine[~mine["needs_manual_grade"]]
        scores = graded["score"]
        failures = Counter(message for message in mine["message"] if message)
        if failures:
            message, count = min(failures.items(), key=lambda pair: (-pair[1], pair[0]))
            most_common = f"{message} ({count})"
        else:
            most_common = ""
        mean = float(scores.mean()) if len(scores) else math.nan
        full = question.max_score - TOLERANCE
        rows.append({
            "notebook": question.notebook,
            "question": question.name,
            "kind": question.kind,
            "max_score": question.max_score,
            "n": len(mine),
            "n_awaiting_grade": len(mine) - len(graded),
            "mean_score": mean,
            "mean_share": mean / question.max_score if question.max_score > 0 else math.nan,
            "share_full_marks": float((scores >= full).mean()) if len(scores) else math.nan,
            "share_zero": float((scores <= TOLERANCE).mean()) if len(scores) else math.nan,
            "most_common_failure": most_common,
        })
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def item_analysis_figure(table):
    """Horizontal bars of each question's share of full marks, from :func:`item_analysis`.

    Bars are in notebook order from the top, each labelled with its percentage (and
    ``n``), so the chart reads without colour; a question with no graded answer yet
    shows "not graded yet". Plots ``share_full_marks``, or ``mean_share`` when the table
    has only that.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with a ``question`` column and ``share_full_marks`` or ``mean_share``;
        ``kind`` and ``n`` are shown when present.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not registered with pyplot), one bar per row of ``table``.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame as item_analysis returns, got {type(table).__name__}")
    measure = next((column for column in ("share_full_marks", "mean_share") if column in table.columns), None)
    if "question" not in table.columns or measure is None:
        raise ValueError(
            "table needs a 'question' column and a 'share_full_marks' or 'mean_share' column, "
            f"as item_analysis returns; it has {list(table.columns)}"
        )
    if table.empty:
        raise ValueError("table has no question to plot")
    values = pd.to_numeric(table[measure], errors="coerce")
    outside = values[(values < 0) | (values > 1)]
    if not outside.empty:
        raise ValueError(f"{measure} must be a share between 0 and 1, got {float(outside.iloc[0])!r}")

    labels = [
        f"{question} ({kind})" if "kind" in table.columns else str(question)
        for question, kind in zip(table["question"], table["kind"] if "kind" in table.columns else table["question"])
    ]
    positions = list(range(len(table)))[::-1]  # first question at the top
    figure = Figure(figsize=(7, 0.5 * len(table) + 1.6), layout="constrained")
    ax = figure.add_subplot()
    bars = ax.barh(positions, values.fillna(0), color="#0072B2", edgecolor="black", linewidth=0.6, height=0.6)
    # Shares are over the graded answers: those still waiting for a grader do not count.
    if "n" in table.columns:
        counts = table["n"] - (table["n_awaiting_grade"] if "n_awaiting_grade" in table.columns else 0)
    else:
        counts = [None] * len(table)
    for bar, value, count in zip(bars, values, counts):
        if pd.isna(value):
            text = "not graded yet"
        else:
            text = f"{value:.0%}" + (f" of {int(count)}" if count is not None and not pd.isna(count) else "")
        # Inside a long bar (white on the dark bar), beside a short one (black on white).
        inside = not pd.isna(value) and value >= 0.3
        ax.text(
            value - 0.01 if inside else (0 if pd.isna(value) else value) + 0.01,
            bar.get_y() + bar.get_height() / 2,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "black",
            fontsize=9,
        )
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    if measure == "share_full_marks":
        ax.set_xlabel("share of graded submissions with full marks")
        ax.set_title("Item analysis: share of full marks per question")
    else:
        ax.set_xlabel("mean score as a share of the question's points")
        ax.set_title("Item analysis: mean share of the points per question")
    ax.set_ylabel("question (how it is graded)" if "kind" in table.columns else "question")
    return figure
