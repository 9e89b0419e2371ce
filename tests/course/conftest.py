"""Fixtures of the toolkit's tests: graded courses shared by several test files.

- ``graded``: a constructed class (``graded_class.py``) autograded by nbgrader's own
  ``autograde`` into a scratch SQLite gradebook, with a late-penalty plugin and a
  grader's steps taken through nbgrader's Gradebook API as the formgrader takes them;
- ``baseline``: the small class of ``submissions.py`` graded by ``cxlab grade`` in one
  uninterrupted run, and the grades it got.

Both are built once per session, because each runs real kernels.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from cxlab.course.releasing.assign import assign
from cxlab.course.config import course_api
from cxlab.course.grading.grade import grade

from ..helpers import ROOT
from .graded_class import (
    ASSIGNMENT,
    DUE,
    POINTS,
    STUDENTS,
    UNSUBMITTED,
    WRITTEN,
    WRONG_Q2,
    WRONG_Q6,
    GradedCourse,
    OnePointPerDayLate,
    with_answers,
)
from .submissions import CLASS, LIMITS, fill, gradebook_scores, nbgrader_autograde, new_course, submit


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> GradedCourse:
    """The constructed class of ``graded_class``, autograded by nbgrader into a scratch SQLite gradebook."""
    base = tmp_path_factory.mktemp("grades")
    root = base / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions", root / "solutions")
    db_url = f"sqlite:///{base / 'gradebook.db'}"
    assign([ASSIGNMENT, UNSUBMITTED], root=root, db_url=db_url)

    with Gradebook(db_url, "cxlab") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        for student, details in STUDENTS.items():
            gradebook.update_or_create_student(student, **details)

    solution = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submissions = {
        "ada": (nbformat.read(solution, as_version=4), "2026-02-28 09:00:00 UTC"),
        "ben": (nbformat.read(ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                "2026-02-27 10:00:00 UTC"),
        "cleo": (with_answers(solution, {"q2_answer": WRONG_Q2}), "2026-03-03 12:00:00 UTC"),
        "dan": (with_answers(solution, {"q2_answer": WRONG_Q2, "q6_answer": WRONG_Q6}), "2026-03-01 11:00:00 UTC"),
    }
    late = Config()
    late.AssignLatePenalties.plugin_class = OnePointPerDayLate
    api, _ = course_api(root, late, db_url=db_url)
    for student, (notebook, timestamp) in submissions.items():
        submit(root, student, notebook, f"{ASSIGNMENT}.ipynb", assignment=ASSIGNMENT, timestamp=timestamp)
        nbgrader_autograde(api, ASSIGNMENT, student)

    # A grader's steps, as the formgrader takes them: Ada's written answer gets full
    # marks, Dan's notebook is flagged.
    with Gradebook(db_url, "cxlab") as gradebook:
        grade = gradebook.find_grade(WRITTEN, ASSIGNMENT, ASSIGNMENT, "ada")
        grade.manual_score = POINTS[WRITTEN][1]
        grade.needs_manual_grade = False
        gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "dan").flagged = True
        gradebook.db.commit()
    return GradedCourse(root=root, db_url=db_url)


@pytest.fixture(scope="session")
def baseline(tmp_path_factory):
    """The class graded in one uninterrupted run: the course and its grades."""
    course = new_course(tmp_path_factory.mktemp("baseline"), "course")
    fill(course)
    summary = grade("nps", root=course, **LIMITS)
    assert sorted(summary.students("graded")) == sorted(CLASS)
    return course, gradebook_scores(course)
