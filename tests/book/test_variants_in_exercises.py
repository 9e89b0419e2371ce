"""The exercises on variants: every student's own data, and nothing to copy from the chapter.

- the model solution, run on other variants, passes every check cell, hidden tests
  included (the hidden tests compute from the variant's data; no visible check takes a
  correct answer for a slip);
- no question whose answers include a number can be answered from the chapter: for each of
  the 100 practice variants, the answers of such a question are not all the book variant's
  (the chapter's data) within the graded tolerance; the practice pool's digests are what
  is compared, so this is what a learner can check;
- the practice pool is that of the generator as it is now;
- each exercise page says that its data are the learner's own variant.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
from importlib import resources

import nbformat
import pytest

from cxlab.course.shared.manifest import is_check
from cxlab.course.shared.variants import declared_answers, is_variant_cell, model_answers, model_namespace
from cxlab.data.variants import GENERATOR_VERSION, GENERATORS, exercise
from cxlab.selfstudy import practice_digests

from ..helpers import ROOT

ASSIGNMENTS = sorted(GENERATORS)
#: Variants whose model answers must pass every check: cheap enough for every assignment.
CHECKED_VARIANTS = ("s0000", "s0001", "s0002", "s0003")


def _source(assignment: str):
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


@functools.cache
def _pool(assignment: str) -> dict:
    text = resources.files("cxlab").joinpath("datasets", "practice", f"{assignment}.json").read_text(encoding="utf-8")
    return json.loads(text)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_model_solution_passes_every_check_on_other_variants(assignment):
    path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    checks = [cell for cell in _source(assignment).cells if is_check(cell)]
    for variant in CHECKED_VARIANTS:
        namespace = model_namespace(path, variant)
        for cell in checks:
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(cell.source, cell.metadata.nbgrader["grade_id"], "exec"), dict(namespace))
            except AssertionError as error:
                pytest.fail(f"{assignment}, variant {variant}, {cell.metadata.nbgrader['grade_id']}: {error}")


def _matches(pool: dict, code: str, name: str, value) -> bool:
    """Whether ``value`` is the practice variant's answer within the graded tolerance (one unit either way)."""
    spec = pool["answers"][name]
    kind, places = spec["kind"], spec["decimals"]
    key = str(places) if places is not None else "exact"
    candidates = [value] if kind != "number" else [value - 10.0 ** -places, value, value + 10.0 ** -places]
    expected = pool["variants"][code]["digests"][name][key]
    salt = f"{pool['salt']}|{code}"
    return any(practice_digests(candidate, kind=kind, decimals=places, salt=salt, name=name)[key] == expected
               for candidate in candidates)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_question_with_a_number_can_be_answered_from_the_chapter(assignment):
    pool = _pool(assignment)
    book = model_answers(ROOT / "solutions" / assignment / f"{assignment}.ipynb", "book")
    questions = {cell: [name for name in names if name in pool["answers"]]
                 for cell, names in declared_answers(_source(assignment)).items()}
    with_numbers = {cell: names for cell, names in questions.items()
                    if any(pool["answers"][name]["kind"] in ("number", "whole", "series") for name in names)}
    assert with_numbers
    copied = {(cell, code) for cell, names in with_numbers.items() for code in pool["variants"]
              if all(_matches(pool, code, name, book[name]) for name in names)}
    assert not copied, sorted(copied)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_practice_pool_is_the_generators_as_it_is_now(assignment):
    pool = _pool(assignment)
    assert pool["generator_version"] == GENERATOR_VERSION
    assert len(pool["variants"]) == 100
    for code in ("practice-001", "practice-050", "practice-100"):
        assert pool["variants"][code]["fingerprint"] == exercise(assignment, code).fingerprint, (
            f"{assignment} {code}: the pool is stale; run write_practice_pool (cxlab/course/releasing/assign.py)")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_exercise_says_its_data_are_the_learners_own_variant(assignment):
    notebook = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    introduction = notebook.cells[0].source
    assert "variant" in introduction and "practice-001" in introduction and "student id" in introduction
    (cell,) = [cell for cell in notebook.cells if is_variant_cell(cell)]
    assert notebook.cells.index(cell) == 1 and "nbgrader" not in cell.metadata
    assert cell.source.rstrip().endswith('VARIANT = "practice-001"')
