"""A question whose answer is a function: called in the student's sandbox, only its results cross."""

from __future__ import annotations

import os
import shutil

import nbformat
import pytest

from cxlab.course import assign, grade
from cxlab.course.grading.sandbox import bubblewrap

from ..helpers import ROOT
from .submissions import submit

pytestmark = pytest.mark.slow

if bubblewrap() is None:
    if os.environ.get("CXLAB_REQUIRE_SANDBOX"):
        raise RuntimeError("CXLAB_REQUIRE_SANDBOX is set and bubblewrap (bwrap) is not installed")
    pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)", allow_module_level=True)

SOLUTION = """### BEGIN SOLUTION
def promoter_share(scores):
    return sum(score >= 9 for score in scores) / len(scores)
### END SOLUTION"""

CHECK = """assert type(promoter_share([9, 10, 3, 7])) is float, "promoter_share should return a number"
### BEGIN HIDDEN TESTS
assert promoter_share([9, 10, 3, 7]) == 0.5, "promoter_share([9, 10, 3, 7]) should be 0.5"
assert promoter_share([0, 6, 9]) == 1 / 3, "9 counts as a promoter"
### END HIDDEN TESTS"""

CALLS = {"promoter_share": [{"args": {"$list": [{"$list": [9, 10, 3, 7]}]}},
                            {"args": {"$list": [{"$list": [0, 6, 9]}]}}]}


def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "grade": False, "solution": False,
                         "locked": False, "task": False, **flags}}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("function") / "course"
    (course / "solutions" / "share").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    check = nbformat.v4.new_code_cell(CHECK, metadata=_meta("q1_check", grade=True, locked=True, points=2))
    check.metadata["cxlab"] = {"answers": ["promoter_share"], "calls": CALLS}
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import math", metadata=_meta("setup", locked=True)),
        nbformat.v4.new_code_cell(SOLUTION, metadata=_meta("q1_answer", solution=True)),
        check,
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, course / "solutions" / "share" / "share.ipynb")
    (released,) = assign(["share"], root=course)[0].notebooks
    answers = {
        "right": SOLUTION,
        "wrong-border": "def promoter_share(scores):\n    return sum(s > 9 for s in scores) / len(scores)",
        "raises": "def promoter_share(scores):\n    raise ValueError('not yet')",
        "not-a-function": "promoter_share = 0.5",
        "reads-the-check": ("import inspect\ndef promoter_share(scores):\n"
                            "    return {(9, 10, 3, 7): 0.5, (0, 6, 9): 1 / 3}.get(tuple(scores), 0.0)"),
    }
    for student, source in answers.items():
        handed_in = nbformat.read(released, as_version=4)
        handed_in.cells[1].source = source
        submit(course, student, handed_in, "share.ipynb", assignment="share")
    return grade("share", root=course, workers=2, cell_timeout=10, time_limit=60, progress=False)


@pytest.mark.parametrize("student, points", [
    ("right", 2), ("wrong-border", 0), ("raises", 0), ("not-a-function", 0),
    # a function that looks the declared inputs up: it returns the right values on them, so it earns them,
    # as a typed-in answer would; the grader checks answers, not how they were reached
    ("reads-the-check", 2),
])
def test_a_function_answer_scores_on_its_results(graded, student, points):
    assert graded.records[student]["by_cell"]["q1_check"][0] == points, graded.records[student]
