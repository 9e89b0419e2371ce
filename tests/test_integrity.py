"""Integrity: broken and malicious submissions graded in one batch with honest ones.

Every case is a real notebook handed in for the NPS assignment and graded by
``cxlab grade`` with real sandboxed kernels and the real SQLite gradebook. Each has the
auto score it must get (12 points are autograded; the written answer waits for a person)
and a phrase the grading record must give as the reason. Attacks aim at points: none may
gain one. The honest submissions in the batch must get exactly the grades they get when
graded on their own.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from cxlab.course import assign, grade, load_config

from .conftest import ROOT

pytestmark = pytest.mark.slow

SOLUTION = ROOT / "solutions" / "nps" / "nps.ipynb"
EXERCISE = ROOT / "exercises" / "nps" / "nps.ipynb"
MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)
FULL = 12  # autograded points of the NPS assignment
POINTS = {"q1": 2, "q2": 1, "q3": 2, "q4": 2, "q5": 2, "q6": 1, "q7": 2}


def _solution_answers() -> dict[str, str]:
    notebook = nbformat.read(SOLUTION, as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: MARKERS.sub("", cell.source)
            for cell in notebook.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")}


def honest(replace: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The student version with the model answers typed in, then ``replace``d answer cells."""
    answers = {**_solution_answers(), **(replace or {})}
    notebook = nbformat.read(EXERCISE, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def _answer(question: str) -> str:
    return _solution_answers()[f"{question}_answer"]


def _without(notebook, grade_id):
    notebook.cells = [c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != grade_id]
    return notebook


def _edit_cell(notebook, grade_id, **changes):
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            if "source" in changes:
                cell.source = changes["source"]
            if "points" in changes:
                cell.metadata.nbgrader["points"] = changes["points"]
    return notebook


STUBBORN_LOOP = """while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass
"""

PATCH_CXLAB = """import cxlab.data
_real_survey = cxlab.data.load_survey
def _all_promoters():
    frame = _real_survey()
    frame["recommend"] = 10
    return frame
cxlab.data.load_survey = _all_promoters
load_survey = _all_promoters
nps_all = 100.0
"""

PATCH_SORTED = """import builtins
builtins.sorted = lambda *args, **kwargs: []
changed_channels = []
biggest_fall = "phone"
"""

# Patching int breaks the kernel's own message handling: the cell never answers.
BREAK_BUILTINS = """import builtins
builtins.int = lambda *args, **kwargs: 0
builtins.isinstance = lambda *args: True
len = lambda obj: 0
promoters, passives, detractors = 1, 1, 1
"""

ALWAYS_EQUAL_Q2 = """class AlwaysEqual(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
nps_all = AlwaysEqual(1.5)
"""

ALWAYS_EQUAL_Q5 = """class Matches(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
    def __str__(self):
        return self
changed_channels = [Matches("chat"), Matches("phone")]
biggest_fall = Matches("branch")
"""

IPYTHON_HOOKS = """ip = get_ipython()
ip.input_transformers_cleanup.append(lambda lines: ["pass\\n"])
ip.set_custom_exc((Exception,), lambda *args, **kwargs: None)
n_needed = 1000
"""

# name -> (notebook or raw bytes, file name, expected auto score, phrase in the record, expected status)
def cases() -> dict[str, tuple]:
    v3 = nbformat.convert(honest(), 3)
    return {
        "honest-full": (honest(), "nps.ipynb", FULL, None, "graded"),
        "honest-partial": (honest({"q2_answer": "nps_all = 100 * (promoters - detractors) / len(survey) + 5.0",
                                   "q6_answer": "n_needed = 1000"}), "nps.ipynb", FULL - 2, None, "graded"),
        "untouched": (nbformat.read(EXERCISE, as_version=4), "nps.ipynb", 0, None, "graded"),
        "infinite-loop": (honest({"q3_answer": "while True:\n    pass\n" + _answer("q3")}), "nps.ipynb",
                          FULL - POINTS["q3"], "stopped after its time limit", "graded"),
        "loop-ignoring-interrupts": (honest({"q3_answer": STUBBORN_LOOP + _answer("q3")}), "nps.ipynb",
                                     POINTS["q1"] + POINTS["q2"], "ignored its time limit", "graded"),
        "sys-exit": (honest({"q2_answer": "import sys\nsys.exit()\n"}), "nps.ipynb", FULL - POINTS["q2"],
                     None, "graded"),
        "os-exit": (honest({"q4_answer": "import os\nos._exit(1)\n"}), "nps.ipynb",
                    POINTS["q1"] + POINTS["q2"] + POINTS["q3"], "kernel died", "graded"),
        "memory-bomb": (honest({"q5_answer": "hog = [bytearray(100_000_000) for _ in range(100_000)]\n" + _answer("q5")}),
                        "nps.ipynb", FULL - POINTS["q5"], None, "graded"),
        "huge-output": (honest({"q6_answer": _answer("q6") + "\nfor _ in range(100):\n    print('x' * 1_000_000)\n"}),
                        "nps.ipynb", FULL, "output cut", "graded"),
        "early-exception": (honest({"q1_answer": "raise ValueError('not today')\n" + _answer("q1")}), "nps.ipynb",
                            FULL - POINTS["q1"] - POINTS["q2"], None, "graded"),
        "deleted-test-cell": (_without(honest(), "q2_score"), "nps.ipynb", FULL, "q2_score was deleted", "graded"),
        "edited-test-cell": (_edit_cell(honest({"q2_answer": "nps_all = 50.0"}), "q2_score", source="pass"),
                             "nps.ipynb", FULL - POINTS["q2"], "q2_score was edited", "graded"),
        "edited-points": (_edit_cell(honest({"q6_answer": "n_needed = 1000"}), "q1_counts", points=100),
                          "nps.ipynb", FULL - POINTS["q6"], "points of q1_counts were changed", "graded"),
        "wrong-name": (honest(), "my_nps_final.ipynb", FULL, "graded my_nps_final.ipynb as nps.ipynb", "graded"),
        "malformed-json": (b'{"cells": [{"cell_type": "code", "source": ', "nps.ipynb", 0, "not valid JSON", "failed"),
        "empty-file": (b"", "nps.ipynb", 0, "empty", "failed"),
        "old-format": (nbformat.writes(v3, version=3).encode(), "nps.ipynb", FULL, None, "graded"),
        "always-equal": (honest({"q2_answer": ALWAYS_EQUAL_Q2, "q5_answer": ALWAYS_EQUAL_Q5}), "nps.ipynb",
                         FULL - POINTS["q2"] - POINTS["q5"], "defines __eq__", "graded"),
        "patch-cxlab": (honest({"q2_answer": PATCH_CXLAB}), "nps.ipynb", FULL - POINTS["q2"],
                        "cxlab.data.load_survey", "graded"),
        "patch-numpy": (honest({"q3_answer": "np.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
                                             "np.mean = lambda *a, **k: 0.25\nq2_low, q2_high = -10.0, 10.0\n"}),
                        "nps.ipynb", FULL - POINTS["q3"], "numpy.mean", "graded"),
        "patch-math": (honest({"q4_answer": "math.isclose = lambda *a, **k: True\n"
                                            "change, change_pvalue, change_is_noise = 1.0, 0.5, True\n"}),
                       "nps.ipynb", FULL - POINTS["q4"], "math.isclose", "graded"),
        "patch-builtins": (honest({"q5_answer": PATCH_SORTED}), "nps.ipynb", FULL - POINTS["q5"],
                           "builtins.sorted", "graded"),
        "patch-builtins-breaking-the-kernel": (honest({"q1_answer": BREAK_BUILTINS}), "nps.ipynb", 0,
                                               "ignored its time limit", "graded"),
        "ipython-hooks": (honest({"q6_answer": IPYTHON_HOOKS}), "nps.ipynb", FULL - POINTS["q6"],
                          "input_transformers_cleanup", "graded"),
        "read-solutions": (honest({"q2_answer": "import json\nsource = json.load(open('../../../solutions/nps/nps.ipynb'))\n"
                                                "nps_all = 0.0\n"}),
                           "nps.ipynb", FULL - POINTS["q2"], "refused open", "graded"),
        "read-gradebook": (honest({"q3_answer": "import sqlite3\nrows = sqlite3.connect('../../../gradebook.db')"
                                                ".execute('select * from grade').fetchall()\nq2_low, q2_high = 0.0, 1.0\n"}),
                           "nps.ipynb", FULL - POINTS["q3"], "refused sqlite3.connect", "graded"),
        "tamper-other-student": (honest({"q4_answer": "open('../../../submitted/honest-full/nps/nps.ipynb', 'w').write('{}')\n"
                                                      "change, change_pvalue, change_is_noise = 0.0, 1.0, True\n"}),
                                 "nps.ipynb", FULL - POINTS["q4"], "refused open", "graded"),
    }


HONEST = ("honest-full", "honest-partial", "untouched")


def _course(tmp_path: Path, name: str) -> Path:
    course = tmp_path / name
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    assign(["nps"], root=course)
    return course


def _submit(course: Path, student: str, content, filename: str) -> None:
    folder = course / "submitted" / student / "nps"
    folder.mkdir(parents=True)
    if isinstance(content, bytes):
        (folder / filename).write_bytes(content)
    else:
        nbformat.write(content, folder / filename)


def _auto_scores(record: dict) -> dict[str, float]:
    return {cell: score for cell, (score, _) in record["by_cell"].items() if cell != "q8_written"}


LIMITS = dict(workers=2, cell_timeout=10, time_limit=90, memory_mb=2048, progress=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("integrity")
    course = _course(tmp_path, "batch")
    expected = cases()
    for student, (content, filename, *_rest) in expected.items():
        _submit(course, student, content, filename)
    summary = grade("nps", root=course, **LIMITS)
    return course, expected, summary


def test_the_batch_finishes_with_a_record_for_every_submission(batch):
    course, expected, summary = batch
    assert sorted(summary.records) == sorted(expected)
    for student in expected:
        assert (course / "grading-log" / "nps" / f"{student}.json").is_file()


@pytest.mark.parametrize("student", sorted(cases()))
def test_each_submission_scores_what_it_earned_with_its_reason(batch, student):
    course, expected, summary = batch
    _, _, score, phrase, status = expected[student]
    record = summary.records[student]
    assert record["status"] == status, record
    auto = sum(_auto_scores(record).values()) if record.get("by_cell") else record["score"]
    assert auto == score, (student, record.get("by_cell"), record["reasons"], record["findings"])
    if phrase:
        said = " ".join(record["reasons"] + record["findings"])
        assert phrase in said, (student, record["reasons"], record["findings"])


def test_honest_submissions_are_not_flagged_and_attacks_are(batch):
    _, expected, summary = batch
    for student in HONEST:
        assert not summary.records[student]["flagged"], summary.records[student]["findings"]
    for student in ("patch-cxlab", "patch-numpy", "patch-math", "patch-builtins", "ipython-hooks", "always-equal",
                    "read-solutions", "read-gradebook", "tamper-other-student", "edited-test-cell", "edited-points"):
        assert summary.records[student]["flagged"], student


def test_flags_reach_the_gradebook_for_the_formgrader(batch):
    from nbgrader.api import Gradebook

    course, _, _ = batch
    config = load_config(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", config.CourseDirectory.course_id) as gradebook:
        flagged = {s.student.id for s in gradebook.find_assignment("nps").submissions if any(n.flagged for n in s.notebooks)}
    assert {"patch-math", "read-solutions", "malformed-json"} <= flagged
    assert not flagged & set(HONEST)


def test_attacks_did_not_touch_the_course(batch):
    course, _, _ = batch
    honest_file = course / "submitted" / "honest-full" / "nps" / "nps.ipynb"
    assert nbformat.read(honest_file, as_version=4).cells, "another submission's file was overwritten"
    assert nbformat.read(course / "solutions" / "nps" / "nps.ipynb", as_version=4).cells


def test_honest_grades_in_the_batch_equal_their_grades_alone(batch, tmp_path):
    _, expected, summary = batch
    alone = _course(tmp_path, "alone")
    for student in HONEST:
        content, filename, *_ = expected[student]
        _submit(alone, student, content, filename)
    by_themselves = grade("nps", root=alone, **LIMITS)
    for student in HONEST:
        assert summary.records[student]["by_cell"] == by_themselves.records[student]["by_cell"], student
