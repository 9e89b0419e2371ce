"""The static scan: the tools of tampering are flagged, an honest notebook is not."""

from __future__ import annotations

import nbformat
import pytest

from cxlab.course.grading.scan import scan_notebook, scan_source

from ..helpers import nbgrader_meta, source_notebooks


def _locked_ids(notebook) -> set[str]:
    """The instructor's cells, as the gradebook lists them: read-only cells and code test cells."""
    return {nbgrader_meta(cell)["grade_id"] for cell in notebook.cells
            if nbgrader_meta(cell).get("locked") or (nbgrader_meta(cell).get("grade") and cell.cell_type == "code"
                                                     and not nbgrader_meta(cell).get("solution"))}


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda path: path.parent.name)
def test_the_model_solutions_raise_no_flag(path):
    notebook = nbformat.read(path, as_version=4)
    assert scan_notebook(path, _locked_ids(notebook)) == []


@pytest.mark.parametrize("code, rule", [
    ("import cxlab.course.kernel_guard", "imports cxlab.course.kernel_guard"),
    ("from cxlab.course import sandbox", "imports from cxlab.course"),
    ("from cxlab import course", "imports from cxlab"),
    ("from cxlab.course.kernel_guard import install", "imports from cxlab.course.kernel_guard"),
    ("import nbgrader.api", "imports nbgrader.api"),
    ("builtins.sorted = lambda *a: []", "changes the module builtins"),
    ("def __eq__(self, other):\n    return True", "defines __eq__"),
    ("!cat ../../../solutions/nps/nps.ipynb", "shell command"),
    ("data = open('../../gradebook.db').read()", "opens a file outside its answer"),
])
def test_the_tools_of_tampering_are_flagged(code, rule):
    findings = scan_source(code, "q1_answer", {"builtins"})
    assert [finding.rule for finding in findings][:1] == [rule]


@pytest.mark.parametrize("code", [
    "import cxlab\nfrom cxlab.data import load_survey\nsurvey = load_survey()",
    "import numpy as np\nnps_all = float(np.mean([1, 0, -1]))",
])
def test_what_a_learner_writes_is_not_flagged(code):
    assert scan_source(code, "q1_answer", set()) == []
