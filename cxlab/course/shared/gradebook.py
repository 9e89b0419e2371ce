"""Access to nbgrader's gradebook: one writer at a time on SQLite, checks and small updates.

- :func:`serialise_gradebook_access`: with SQLite, every nbgrader ``Gradebook`` opened in
  this process holds a lock file while it is open, so that parallel grading workers
  never write at the same time (PostgreSQL needs no lock);
- :func:`check_gradebook_exists`: refuse a missing or empty database before nbgrader
  would silently create one (for the commands that only read grades);
- what grading writes or reads besides nbgrader's own ``autograde``: a submission that
  could not be graded (:func:`zero_submission`), the points of one submission
  (:func:`submission_summary`), an assignment's notebooks and read-only cells
  (:func:`assignment_cells`).

Imports: :mod:`cxlab.course.config`; nbgrader and SQLAlchemy inside functions.

>>> sqlite_path("sqlite:////srv/course/gradebook.db?timeout=30")
PosixPath('/srv/course/gradebook.db')
>>> sqlite_path("postgresql+psycopg://grader@db-host/gradebook") is None
True
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from ..config import CourseError


class GradebookError(CourseError, ValueError):
    """The gradebook is missing or empty, or holds no such assignment.

    A :class:`ValueError` (bad input) and a :class:`cxlab.course.CourseError`, so the
    ``cxlab`` command prints it as a one-line message.
    """


# ---------------------------------------------------------------------------- one writer at a time


class _GradebookLock:
    """One writer at a time on a SQLite gradebook, across processes (a lock file)."""

    def __init__(self, path: Path):
        self.path = path
        self.depth = 0
        self.handle = None

    def acquire(self) -> None:
        if self.depth == 0:
            self.handle = open(self.path, "a+")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def sqlite_path(db_url: str) -> Path | None:
    """The file of a SQLite gradebook URL, or None for another database."""
    if not db_url.startswith("sqlite:///"):
        return None
    return Path(db_url[len("sqlite:///"):].split("?")[0])


def serialise_gradebook_access(db_url: str) -> None:
    """Make every nbgrader Gradebook in this process hold the lock while it is open.

    Hand-written: nbgrader writes to SQLite from one process at a time only, and neither
    it nor SQLAlchemy serialises writers across processes.
    """
    from nbgrader.api import Gradebook

    path = sqlite_path(db_url)
    if path is None or getattr(Gradebook, "_cxlab_lock", None) is not None:
        return
    lock = _GradebookLock(path.with_name(path.name + ".lock"))
    original_init, original_close = Gradebook.__init__, Gradebook.close

    def __init__(self, *args, **kwargs):
        lock.acquire()
        self._cxlab_locked = True
        try:
            original_init(self, *args, **kwargs)
        except BaseException:
            self._cxlab_locked = False
            lock.release()
            raise

    def close(self):
        try:
            original_close(self)
        finally:
            if getattr(self, "_cxlab_locked", False):
                self._cxlab_locked = False
                lock.release()

    Gradebook.__init__, Gradebook.close, Gradebook._cxlab_lock = __init__, close, lock


# ---------------------------------------------------------------------------- reading safely


def shown_url(db_url) -> str:
    """The database URL (text or SQLAlchemy's URL) with any password masked, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


def check_gradebook_exists(db_url: str) -> None:
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
        raise GradebookError(f"the gradebook {shown_url(db_url)} holds no nbgrader tables")


# ---------------------------------------------------------------------------- grading's own steps


def has_assignment(db_url: str, course_id: str, assignment: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            return False
    return True


def student_ids(db_url: str, course_id: str) -> list[str]:
    """The ids of the students the gradebook knows."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        return sorted(student.id for student in gradebook.students)


def assignment_cells(db_url: str, course_id: str, assignment: str) -> tuple[list[str], set[str]]:
    """The assignment's notebook names, and the grade ids of the cells a student may not change
    (read-only cells and code test cells)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        found = gradebook.find_assignment(assignment)
        names = [notebook.name for notebook in found.notebooks]
        locked = {cell.name for notebook in found.notebooks for cell in notebook.source_cells if cell.locked}
        locked |= {cell.name for notebook in found.notebooks for cell in notebook.grade_cells if cell.cell_type == "code"}
    return names, locked


def zero_submission(db_url: str, course_id: str, assignment: str, student: str) -> None:
    """Record a submission that could not be graded: every grade 0, flagged for review.

    The reason goes into the student's grading record, not the gradebook: the gradebook's
    comments are shown to the student in the feedback.
    """
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            notebook.flagged = True
            for grade in notebook.grades:
                if grade.auto_score is None or grade.cell.cell_type == "code":
                    grade.auto_score = 0
                grade.needs_manual_grade = False
        gradebook.db.commit()


def mark_ungraded(db_url: str, course_id: str, assignment: str, student: str) -> None:
    """Record that a submission could not be graded by the grader's own fault: no score stands.

    Every automatic score nbgrader may have written is cleared and every grade waits for
    grading, so that the gradebook, the formgrader and the exports show points still to
    grade rather than a 0 the student did not earn. The next ``cxlab grade`` grades it.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = None
                grade.needs_manual_grade = True
        gradebook.db.commit()


def submission_summary(db_url: str, course_id: str, assignment: str, student: str, *, flag: bool) -> dict:
    """A submission's points in total and per graded cell; ``flag`` also flags it for review."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {"score": 0.0, "max_score": None}
        if flag:
            for notebook in submission.notebooks:
                notebook.flagged = True
            gradebook.db.commit()
        by_cell = {grade.name: [grade.score, grade.max_score] for notebook in submission.notebooks for grade in notebook.grades}
        return {"score": float(submission.score), "max_score": float(submission.max_score), "by_cell": by_cell,
                "needs_manual_grade": bool(submission.needs_manual_grade)}
