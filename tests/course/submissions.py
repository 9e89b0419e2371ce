"""Notebooks handed in for the NPS assignment, and scratch courses to hand them in to.

Plain helpers (not fixtures) shared by the toolkit's tests and ``bench/bench_grade.py``:
``honest()`` types the model answers into the student version, ``cases()`` are the
broken and malicious submissions of the integrity suite (each with the automatic points
and the record phrase it must get), ``CLASS`` is a small class for the grading-cycle
tests, ``new_course()`` copies the course to a scratch folder and generates the
assignment, ``submit()`` hands a notebook in.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat

from cxlab.course.releasing.assign import assign

from ..helpers import ROOT

SOLUTION = ROOT / "solutions" / "nps" / "nps.ipynb"
EXERCISE = ROOT / "exercises" / "nps" / "nps.ipynb"
MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)
FULL = 14  # autograded points of the NPS assignment
POINTS = {"q1": 2, "q2": 1, "q3": 2, "q4": 2, "q5": 2, "q6": 1, "q7": 2, "q8": 2}


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


def answer(question: str) -> str:
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
    v3 = nbformat.convert(with_variant(honest(), "old-format"), 3)
    return {
        "honest-full": (honest(), "nps.ipynb", FULL, None, "graded"),
        "honest-partial": (honest({"q2_answer": "nps_all = 100 * (promoters - detractors) / len(survey) + 5.0",
                                   "q6_answer": "n_needed = 1000"}), "nps.ipynb", FULL - 2, None, "graded"),
        "untouched": (nbformat.read(EXERCISE, as_version=4), "nps.ipynb", 0, None, "graded"),
        "infinite-loop": (honest({"q3_answer": "while True:\n    pass\n" + answer("q3")}), "nps.ipynb",
                          FULL - POINTS["q3"], "stopped after its time limit", "graded"),
        "loop-ignoring-interrupts": (honest({"q3_answer": STUBBORN_LOOP + answer("q3")}), "nps.ipynb",
                                     POINTS["q1"] + POINTS["q2"], "ignored its time limit", "graded"),
        "sys-exit": (honest({"q2_answer": "import sys\nsys.exit()\n"}), "nps.ipynb", FULL - POINTS["q2"],
                     None, "graded"),
        "os-exit": (honest({"q4_answer": "import os\nos._exit(1)\n"}), "nps.ipynb",
                    POINTS["q1"] + POINTS["q2"] + POINTS["q3"], "kernel died", "graded"),
        "memory-bomb": (honest({"q5_answer": "hog = [bytearray(100_000_000) for _ in range(100_000)]\n" + answer("q5")}),
                        "nps.ipynb", FULL - POINTS["q5"], None, "graded"),
        "huge-output": (honest({"q6_answer": answer("q6") + "\nfor _ in range(100):\n    print('x' * 1_000_000)\n"}),
                        "nps.ipynb", FULL, "output cut", "graded"),
        "early-exception": (honest({"q1_answer": "raise ValueError('not today')\n" + answer("q1")}), "nps.ipynb",
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
                                             "np.mean = lambda *a, **k: 0.25\ninterval_low, interval_high = -10.0, 10.0\n"}),
                        "nps.ipynb", FULL - POINTS["q3"], "np.mean", "graded"),
        "patch-math": (honest({"q4_answer": "math.isclose = lambda *a, **k: True\n"
                                            "change, change_pvalue, change_is_noise = 1.0, 0.5, True\n"}),
                       "nps.ipynb", FULL - POINTS["q4"], "math.isclose", "graded"),
        # Its patch of sorted stays in its own process: it loses only the answer it faked (q5).
        "patch-builtins": (honest({"q5_answer": PATCH_SORTED}), "nps.ipynb", FULL - POINTS["q5"],
                           "builtins.sorted", "graded"),
        "patch-builtins-breaking-the-kernel": (honest({"q1_answer": BREAK_BUILTINS}), "nps.ipynb", 0,
                                               "ignored its time limit", "graded"),
        # Its own input transformer turns its own later cells (q7) into `pass`.
        "ipython-hooks": (honest({"q6_answer": IPYTHON_HOOKS}), "nps.ipynb", FULL - POINTS["q6"] - POINTS["q7"] - POINTS["q8"],
                          "input_transformers_cleanup", "graded"),
        "read-solutions": (honest({"q2_answer": "import json\nsource = json.load(open('../../../solutions/nps/nps.ipynb'))\n"
                                                "nps_all = 0.0\n"}),
                           "nps.ipynb", FULL - POINTS["q2"], "opens a file outside its answer", "graded"),
        "read-gradebook": (honest({"q3_answer": "import sqlite3\nrows = sqlite3.connect('../../../gradebook.db')"
                                                ".execute('select * from grade').fetchall()\ninterval_low, interval_high = 0.0, 1.0\n"}),
                           "nps.ipynb", FULL - POINTS["q3"], "imports sqlite3", "graded"),
        "tamper-other-student": (honest({"q4_answer": "open('../../../submitted/honest-full/nps/nps.ipynb', 'w').write('{}')\n"
                                                      "change, change_pvalue, change_is_noise = 0.0, 1.0, True\n"}),
                                 "nps.ipynb", FULL - POINTS["q4"], "opens a file outside its answer", "graded"),
    }


HONEST = ("honest-full", "honest-partial", "untouched")


def new_course(tmp_path: Path, name: str) -> Path:
    """A scratch copy of the course (config and sources) with the NPS assignment generated."""
    course = tmp_path / name
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    assign(["nps"], root=course)
    return course


def with_variant(notebook, variant: str):
    """A copy of ``notebook`` whose ``VARIANT`` cell names ``variant``, as a student types it."""
    notebook = nbformat.from_dict(copy.deepcopy(dict(notebook)))
    for cell in notebook.cells:
        if "variant" in (cell.get("metadata", {}).get("tags") or []):
            cell.source = f'VARIANT = "{variant}"'
    return notebook


def submit(course: Path, student: str, content, filename: str = "nps.ipynb", *, assignment: str = "nps",
           timestamp: str | None = None, variant: str | None = None) -> None:
    """Hand in ``content`` (a notebook, raw bytes, or a notebook file to copy) as
    ``submitted/STUDENT/ASSIGNMENT/FILENAME``, with ``timestamp.txt`` when a time is given.

    A notebook's ``VARIANT`` cell is set to the student's id first, as an honest student
    does (``variant`` names another; ``variant=""`` leaves the cell as it is)."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    if isinstance(content, bytes):
        (folder / filename).write_bytes(content)
    elif isinstance(content, Path):
        shutil.copy(content, folder / filename)
    else:
        if variant != "":
            content = with_variant(content, variant or student)
        nbformat.write(content, folder / filename)
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp)


def nbgrader_autograde(api, assignment: str, student: str) -> None:
    """nbgrader's own autograde of one submission (no sandbox: for trusted notebooks only)."""
    outcome = api.autograde(assignment, student)
    assert outcome["success"], outcome.get("log", "") + outcome.get("error", "")


def auto_scores(record: dict) -> dict[str, float]:
    """Points per autograded cell in a grading record (the written answer waits for a person)."""
    return {cell: score for cell, (score, _) in record["by_cell"].items() if cell != "q9_written"}


LIMITS = dict(workers=2, cell_timeout=10, time_limit=90, memory_mb=2048, progress=False)


# A small class for the grading cycle: full marks, two wrong answers, the untouched exercise, one wrong answer.
CLASS = {
    "s01": honest(),
    "s02": honest({"q2_answer": "nps_all = 12.5", "q6_answer": "n_needed = 1000"}),
    "s03": nbformat.read(EXERCISE, as_version=4),
    # the channel that rose most, named as the one that fell most: wrong on every variant
    "s04": honest({"q5_answer": answer("q5") + "\nbiggest_fall = max(channel_tests, key=lambda c: channel_tests[c].value)\n"}),
}


def fill(course: Path, students: dict = CLASS) -> None:
    """Hand in every notebook of ``students`` as ``nps.ipynb``."""
    for student, notebook in students.items():
        submit(course, student, notebook)


def gradebook_scores(course: Path, db_url: str | None = None) -> dict[str, dict]:
    """grade id -> score per student of the NPS assignment, straight from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url, "cxlab") as gradebook:
        submissions = gradebook.find_assignment("nps").submissions
        return {s.student.id: {g.name: g.score for n in s.notebooks for g in n.grades} for s in submissions}
