"""A constructed class in a real nbgrader gradebook, and what the gradebook must then say.

Plain helpers (not fixtures) for the tests of grade tables, exports and the item
analysis; ``tests/course/conftest.py`` builds the gradebook (the ``graded`` fixture).
Five students: Ada hands in the solution on time and her written answer is graded full
by hand, Ben the untouched exercise, Cleo one wrong answer two days late, Dan two wrong
answers and a grader flags him, Eve nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.plugins import LateSubmissionPlugin

from ..helpers import ROOT

ASSIGNMENT = "nps"
UNSUBMITTED = "butterfly"  # generated too, but nobody submits it
DUE = "2026-03-01 12:00:00"
STUDENTS = {
    "ada": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "lms_user_id": "1001"},
    "ben": {"first_name": "Ben", "last_name": "Okri", "email": "ben@example.org"},
    "cleo": {"first_name": "Cleo", "last_name": "Wright", "email": "cleo@example.org", "lms_user_id": "1003"},
    "dan": {"first_name": "Dan", "last_name": "Brown", "email": "dan@example.org", "lms_user_id": "1004"},
    "eve": {"first_name": "Eve", "last_name": "Adams", "email": "eve@example.org", "lms_user_id": "1005"},
}
# Well-formed wrong answers (they pass the visible checks, see test_release.py).
WRONG_Q2 = "nps_all = 100 * (promoters - detractors) / len(survey) + 5.0"
WRONG_Q6 = "n_needed = 1000"
# The hidden check of q2_score that the wrong answer fails, as the autograded notebook shows it.
Q2_FAILURE = "AssertionError: nps_all does not match the survey's NPS"


class OnePointPerDayLate(LateSubmissionPlugin):
    """A late-submission plugin as a course would write one: one point per day or part of a day."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return float(math.ceil(total_seconds_late / 86400))


def points(assignment: str) -> dict[str, tuple[str, float]]:
    """grade_id -> (kind, points) from the source notebook, in notebook order."""
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    result = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            kind = "auto" if cell.cell_type == "code" and not meta.get("solution") else "manual"
            result[meta["grade_id"]] = (kind, float(meta["points"]))
    return result


POINTS = points(ASSIGNMENT)
MAX = sum(value for _, value in POINTS.values())
AUTO_MAX = sum(value for kind, value in POINTS.values() if kind == "auto")
WRITTEN = next(name for name, (kind, _) in POINTS.items() if kind == "manual")

# The constructed class: who submitted what, and what the gradebook must then say.
EXPECTED = {
    # the solution, on time, written answer graded full by hand
    "ada": {"submitted": True, "auto_score": AUTO_MAX, "manual_score": POINTS[WRITTEN][1], "late_penalty": 0.0,
            "needs_manual_grade": False, "flagged": False},
    # the untouched exercise: nbgrader scores an unchanged written answer 0 by itself
    "ben": {"submitted": True, "auto_score": 0.0, "manual_score": 0.0, "late_penalty": 0.0,
            "needs_manual_grade": False, "flagged": False},
    # q2 wrong, two days late: one point per day
    "cleo": {"submitted": True, "auto_score": AUTO_MAX - POINTS["q2_score"][1], "manual_score": 0.0,
             "late_penalty": 2.0, "needs_manual_grade": True, "flagged": False},
    # q2 and q6 wrong, on time, flagged by a grader
    "dan": {"submitted": True, "auto_score": AUTO_MAX - POINTS["q2_score"][1] - POINTS["q6_sample_size"][1],
            "manual_score": 0.0, "late_penalty": 0.0, "needs_manual_grade": True, "flagged": True},
    # registered, never submitted
    "eve": {"submitted": False, "auto_score": 0.0, "manual_score": 0.0, "late_penalty": 0.0,
            "needs_manual_grade": False, "flagged": False},
}
for row in EXPECTED.values():
    row["raw_score"] = row["auto_score"] + row["manual_score"]
    row["score"] = max(0.0, row["raw_score"] - row["late_penalty"])


@dataclass(frozen=True)
class GradedCourse:
    root: Path
    db_url: str


def with_answers(source: Path, replacements: dict[str, str]):
    notebook = nbformat.read(source, as_version=4)
    replaced = set()
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
            replaced.add(grade_id)
    assert replaced == set(replacements), "a replaced answer cell no longer exists"
    return notebook
