"""The feedback preprocessor: nbgrader's ClearHiddenTests, leaving a note and a short error."""

from __future__ import annotations

import nbformat
import pytest
from traitlets.config import Config

from cxlab.course.results.hidden_tests import HideHiddenTests

NOTE = "# (hidden checks ran here when your notebook was graded)"


def _graded_notebook(source: str, outputs=()):
    meta = {"grade": True, "grade_id": "q1_check", "locked": True, "points": 1, "schema_version": 3,
            "solution": False, "task": False}
    cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})
    cell.outputs = list(outputs)
    return nbformat.v4.new_notebook(cells=[cell])


def _run(notebook, config=None):
    HideHiddenTests(config=config or Config()).preprocess(notebook, {})
    return notebook.cells[0]


def test_a_hidden_region_becomes_one_note_in_its_place():
    cell = _run(_graded_notebook(
        "assert ok, 'visible'\n### BEGIN HIDDEN TESTS\nassert secret == 42\n### END HIDDEN TESTS\nprint('after')"))
    assert cell.source == f"assert ok, 'visible'\n{NOTE}\nprint('after')"


def test_the_note_keeps_the_indentation_of_the_region():
    cell = _run(_graded_notebook(
        "for value in values:\n    ### BEGIN HIDDEN TESTS\n    assert value > 0\n    ### END HIDDEN TESTS\n    pass"))
    assert cell.source == f"for value in values:\n    {NOTE}\n    pass"


def test_the_delimiters_come_from_the_configuration():
    config = Config()
    config.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET CHECKS"
    config.ClearHiddenTests.end_test_delimeter = "END SECRET CHECKS"
    cell = _run(_graded_notebook("## BEGIN SECRET CHECKS\nassert secret == 42\n## END SECRET CHECKS"), config)
    assert cell.source == NOTE
    # with other delimiters configured, the default ones are ordinary text
    cell = _run(_graded_notebook("### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS"), config)
    assert "x" in cell.source


def test_an_unfinished_region_hides_the_rest_of_the_cell():
    cell = _run(_graded_notebook("assert ok\n### BEGIN HIDDEN TESTS\nassert secret == 42"))
    assert cell.source == f"assert ok\n{NOTE}"


@pytest.mark.parametrize("source", [
    "# my note: ### BEGIN HIDDEN TESTS would go here\nx = 1",
    "x = 1  # ### END HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS",
])
def test_a_students_own_cell_is_never_parsed_for_delimiters(source):
    """A student's answer that names a delimiter is the student's text; it stops nobody's feedback."""
    answer = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "grade_id": "q1_answer", "locked": False, "schema_version": 3, "solution": True, "task": False}})
    added = nbformat.v4.new_code_cell(source)
    notebook = nbformat.v4.new_notebook(cells=[answer, added])
    HideHiddenTests(config=Config()).preprocess(notebook, {})
    assert [cell.source for cell in notebook.cells] == [source, source]


def test_a_traceback_is_cut_to_its_message_without_colour_codes():
    error = nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="nps_all does not match the survey's \x1b[1mNPS\x1b[0m",
        traceback=["\x1b[0;31m---------\x1b[0m", "\x1b[0;32massert nps_all == expected_hidden\x1b[0m",
                   "\x1b[0;31mAssertionError\x1b[0m: nps_all does not match the survey's NPS"],
    )
    cell = _run(_graded_notebook("assert nps_all == expected", outputs=[error]))
    assert cell.outputs[0]["traceback"] == ["AssertionError: nps_all does not match the survey's NPS"]
