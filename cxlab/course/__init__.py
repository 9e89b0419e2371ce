"""The instructor's toolkit: the grading cycle of the CX Lab course, on nbgrader.

Grouped by what an instructor does, each step usable from Python and from the ``cxlab``
command (:mod:`cxlab.course.cli`, on top: it imports the groups, nothing imports it):

- :mod:`cxlab.course.releasing`: the student versions out (``cxlab assign``,
  :mod:`~cxlab.course.releasing.assign`) and the submissions in (``cxlab collect``,
  :mod:`~cxlab.course.releasing.collect`, with nbgrader's collector plugin
  :mod:`~cxlab.course.releasing.zipcollect`);
- :mod:`cxlab.course.grading`: ``cxlab grade`` (:mod:`~cxlab.course.grading.grade`),
  parallel and resumable autograding; each student in a
  :mod:`~cxlab.course.grading.worker` process: the notebook run by
  :mod:`~cxlab.course.grading.execute` in a kernel inside the operating-system sandbox
  of :mod:`~cxlab.course.grading.sandbox`, its answers handed over as data
  (:mod:`~cxlab.course.grading.answers`) to the instructor's checks, run by the trusted
  :mod:`~cxlab.course.grading.checker`; the static :mod:`~cxlab.course.grading.scan` as
  advice; a record per student in :mod:`~cxlab.course.grading.records`;
- :mod:`cxlab.course.results`: the gradebook as tables (:mod:`~cxlab.course.results.grades`),
  ``cxlab export`` to CSV, Canvas and Moodle as nbgrader exporter plugins
  (:mod:`~cxlab.course.results.exports`), ``cxlab report``, which question the class finds
  hard (:mod:`~cxlab.course.results.item_analysis`), and ``cxlab feedback``, pages without
  the hidden tests (:mod:`~cxlab.course.results.feedback`,
  :mod:`~cxlab.course.results.hidden_tests`);
- :mod:`cxlab.course.shared`, what all three rely on: the gradebook, one writer at a time
  (:mod:`~cxlab.course.shared.gradebook`); the checks each assignment declares
  (:mod:`~cxlab.course.shared.manifest`); what a submission shows, reduced to inert
  content before it is stored and again when the formgrader or a feedback page renders
  it (:mod:`~cxlab.course.shared.sanitise`);
- :mod:`cxlab.course.config`, at the bottom: the course folder, ``nbgrader_config.py``,
  nbgrader's API, the assignments and students nbgrader lists.

Each group imports only the layers below it: cli, then grading, then releasing and
results (which never import each other), then shared, then config; and the trusted side
(checker, answer codec, manifest, cleaner) imports nothing that runs or talks to student
code. Both are import-linter contracts in ``pyproject.toml``.

The names in ``__all__`` are re-exported here. ``import cxlab.course`` loads no nbgrader,
nbformat, matplotlib or tqdm: the modules load them when a step runs, so that the graded
kernel's launcher (:mod:`~cxlab.course.grading.sandbox`) and the answer codec
(:mod:`~cxlab.course.grading.answers`), which live in this package, start fast.
:func:`export_grades` and :data:`FORMATS` live in :mod:`cxlab.course.results.exports`,
whose plugin classes subclass nbgrader's, so they are imported from there on first use.
Nothing in the cxlab library imports this package.

Imports: the public names of its modules (config, releasing's assign and collect,
shared's gradebook, results' grades, feedback and item_analysis, grading's grade), and
:mod:`~cxlab.course.results.exports` on first use.
"""

from __future__ import annotations

from .config import CourseError, find_course_root, list_assignments, load_config, submitted_students
from .grading.grade import GradeSummary, grade
from .releasing.assign import AssignResult, assign
from .releasing.collect import CollectResult, collect
from .results.feedback import feedback
from .results.grades import Question, question_scores, scores_table
from .results.item_analysis import item_analysis, item_analysis_figure
from .shared.gradebook import GradebookError

_FROM_EXPORTS = ("FORMATS", "export_grades")

__all__ = [
    "AssignResult", "CollectResult", "CourseError", "FORMATS", "GradeSummary", "GradebookError", "Question",
    "assign", "collect", "export_grades", "feedback", "find_course_root", "grade", "item_analysis",
    "item_analysis_figure", "list_assignments", "load_config", "question_scores", "scores_table",
    "submitted_students",
]


def __getattr__(name: str):
    if name in _FROM_EXPORTS:
        from .results import exports

        return getattr(exports, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
