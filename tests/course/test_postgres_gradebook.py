"""A gradebook shared by several graders: nbgrader on a real PostgreSQL server.

The course's own commands and nbgrader's autograde write to a PostgreSQL database (a
private server on loopback, see ``tests/course/postgres.py``); the scores are read back
through nbgrader's Gradebook and straight from PostgreSQL's tables with psycopg, and no
SQLite file appears in the course. ``cxlab grade`` on PostgreSQL gives the class the
same grades as on SQLite (the ``baseline`` fixture).
"""

from __future__ import annotations

import shutil

import pytest
from nbgrader.api import Gradebook

from cxlab.course.releasing.assign import assign
from cxlab.course.config import course_api
from cxlab.course.grading.grade import grade

from ..helpers import ROOT
from .postgres import postgres  # noqa: F401  (fixture)
from .submissions import CLASS, LIMITS, fill, gradebook_scores, nbgrader_autograde, submit

ASSIGNMENT = "nps"

# Auto-graded (code) cells per student, straight from nbgrader's tables.
SCORES_SQL = """
SELECT sa.student_id, COUNT(*), COALESCE(SUM(g.auto_score), 0), SUM(gc.max_score)
FROM grade g
JOIN grade_cells gc ON gc.id = g.cell_id
JOIN submitted_notebook sn ON sn.id = g.notebook_id
JOIN submitted_assignment sa ON sa.id = sn.assignment_id
JOIN assignment a ON a.id = sa.assignment_id
WHERE a.name = %s AND gc.cell_type = 'code'
GROUP BY sa.student_id
"""


@pytest.mark.slow
def test_autograde_into_a_postgres_gradebook(course, postgres):  # noqa: F811
    db_url = postgres.create_database("gradebook_nps")
    assert db_url.startswith("postgresql+psycopg://") and "@127.0.0.1:" in db_url

    assign([ASSIGNMENT], root=course, db_url=db_url)
    api, coursedir = course_api(course, db_url=db_url)
    submissions = {
        "solution-as-student": ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "untouched-exercise": ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
    }
    for student, notebook in submissions.items():
        submit(course, student, notebook, f"{ASSIGNMENT}.ipynb", assignment=ASSIGNMENT)
        nbgrader_autograde(api, ASSIGNMENT, student)

    # Through nbgrader's own Gradebook, on the PostgreSQL URL.
    scores = {}
    with Gradebook(db_url, course_id=coursedir.course_id) as gradebook:
        assert gradebook.engine.dialect.name == "postgresql"
        for student in submissions:
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            auto = [grade for grade in notebook.grades if grade.cell.cell_type == "code"]
            scores[student] = (sum(grade.auto_score or 0 for grade in auto), sum(grade.max_score for grade in auto))
    solved, untouched = scores["solution-as-student"], scores["untouched-exercise"]
    assert solved[1] > 0
    assert solved[0] == solved[1], scores
    assert untouched == (0, solved[1]), scores

    # Straight from PostgreSQL: the same rows live in this server's database.
    with postgres.connect("gradebook_nps") as connection:
        assert connection.execute("SELECT current_database()").fetchone()[0] == "gradebook_nps"
        assert connection.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0] == 2
        students = {row[0] for row in connection.execute("SELECT id FROM student")}
        assert students == set(submissions)
        rows = {student: (count, auto, maximum)
                for student, count, auto, maximum in connection.execute(SCORES_SQL, (ASSIGNMENT,))}
    assert set(rows) == set(submissions)
    for student, (auto, maximum) in scores.items():
        count, sql_auto, sql_max = rows[student]
        assert count >= 6, rows  # an assignment has at least six autograded questions
        assert (sql_auto, sql_max) == pytest.approx((auto, maximum)), rows

    # Nothing fell back to SQLite in the course.
    assert not (course / "gradebook.db").exists()
    assert sorted(course.rglob("*.db")) == []


@pytest.mark.slow
def test_postgres_gradebook_gives_the_same_grades(baseline, tmp_path, postgres):  # noqa: F811
    _, expected = baseline
    url = postgres.create_database()
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    assign(["nps"], root=course, db_url=url)
    fill(course)
    summary = grade("nps", root=course, db_url=url, **LIMITS)
    assert sorted(summary.students("graded")) == sorted(CLASS)
    assert gradebook_scores(course, url) == expected
    assert not list(course.glob("*.db")), "the grades should live in PostgreSQL"
    with postgres.connect(url.rsplit("/", 1)[1]) as connection:
        assert connection.execute("select count(*) from submitted_assignment").fetchone()[0] == len(CLASS)
