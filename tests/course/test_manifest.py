"""The manifest: every check declares its answers and can run on them as data."""

from __future__ import annotations

import nbformat
import pytest

from cxlab.course.shared.manifest import bound_names, lint_notebook, names_read, read_manifest

from ..helpers import ROOT, source_notebooks


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda path: path.parent.name)
def test_every_assignments_checks_run_on_data(path):
    assert lint_notebook(path) == []
    manifest = read_manifest(path)
    assert manifest.checks and manifest.setup
    assert all(check.answers for check in manifest.checks.values())


def test_the_nps_manifest_declares_what_each_question_asks_for():
    manifest = read_manifest(ROOT / "solutions" / "nps" / "nps.ipynb")
    assert manifest.checks["q1_counts"].answers == ("promoters", "passives", "detractors")
    assert manifest.checks["q4_change"].answers == ("change", "change_pvalue", "change_is_noise")
    assert manifest.checks["q2_score"].points == 1


@pytest.mark.parametrize("source, names", [
    ("import numpy as np\nfrom cxlab.data import load_survey", {"load_survey", "np"}),
    ("x, (y, z) = 1, (2, 3)\nx += 1\ntotal: int = 0", {"total", "x", "y", "z"}),
    ("def f(a):\n    inner = 1\nclass C: pass", {"C", "f", "a", "inner"}),
])
def test_bound_names(source, names):
    assert bound_names(source) == names


def _notebook(tmp_path, check_source: str, answers: list | None, solution: str = "score = 1.0\nshare = 0.5"):
    def meta(grade_id, **flags):
        return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "grade": False, "solution": False,
                             "locked": False, "task": False, **flags}}

    cells = [
        nbformat.v4.new_code_cell("import math\nLIMIT = 100", metadata=meta("setup", locked=True)),
        nbformat.v4.new_code_cell(solution, metadata=meta("q1_answer", solution=True)),
        nbformat.v4.new_code_cell(check_source, metadata=meta("q1_check", grade=True, locked=True, points=1)),
    ]
    if answers is not None:
        cells[2].metadata["cxlab"] = {"answers": answers}
    path = tmp_path / "a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


@pytest.mark.parametrize("check, answers, problem", [
    ("assert type(score) is float", None, "declares no answers"),
    ("assert type(score) is float", ["score", "other"], "grades other, which no solution cell before it binds"),
    ("assert type(score) is float and score < secret", ["score"], "reads secret"),
    ("assert isinstance(score, float)", ["score"], "isinstance(score"),
    ("assert type(score) is float and score() > 0", ["score"], "calls the answer score"),
    ("assert score < LIMIT", ["score"], "never checks the exact type of score"),
    ("assert type(LIMIT) is int", ["LIMIT"], "declares LIMIT, which the setup cells bind"),
])
def test_each_problem_is_named(tmp_path, check, answers, problem):
    problems = lint_notebook(_notebook(tmp_path, check, answers))
    assert any(problem in found for found in problems), problems


def test_a_check_over_a_loop_of_its_answers_counts_as_typed(tmp_path):
    check = ("for _label, _value in {'score': score, 'share': share}.items():\n"
             "    assert type(_value) in (int, float), _label\n"
             "assert math.isfinite(score) and share < LIMIT")
    assert lint_notebook(_notebook(tmp_path, check, ["score", "share"])) == []
    assert names_read(check) == {"score", "share", "math", "LIMIT", "type", "int", "float"}


def test_assign_refuses_checks_that_cannot_run_on_data(tmp_path):
    import shutil

    from cxlab.course import CourseError, assign

    course = tmp_path / "course"
    (course / "solutions" / "a").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copy(_notebook(tmp_path, "assert isinstance(score, float)", ["score"]), course / "solutions" / "a" / "a.ipynb")
    with pytest.raises(CourseError, match="cannot be graded as data"):
        assign(["a"], root=course)
