"""The instructor's toolkit: the grading cycle of the CX Lab course, on nbgrader.

One module per step, each usable from Python and from the ``cxlab`` command
(:mod:`cxlab.course.cli`):

- :mod:`~cxlab.course.config`: the course folder, ``nbgrader_config.py``, nbgrader's API,
  the assignments and students nbgrader lists;
- :mod:`~cxlab.course.assign`: ``cxlab assign``, the student versions from the sources;
- :mod:`~cxlab.course.collect`: ``cxlab collect``, an LMS export into ``submitted/``, with
  nbgrader's collector plugin :mod:`~cxlab.course.zipcollect`;
- :mod:`~cxlab.course.grading`: ``cxlab grade``, parallel and resumable autograding; each
  student in a :mod:`~cxlab.course.worker` process: the notebook run by
  :mod:`~cxlab.course.execute` in a kernel inside the operating-system sandbox of
  :mod:`~cxlab.course.sandbox`, its answers handed over as data
  (:mod:`~cxlab.course.answers`) to the instructor's checks, declared in
  :mod:`~cxlab.course.manifest` and run by the trusted :mod:`~cxlab.course.checker`; the
  static :mod:`~cxlab.course.scan` as advice; what the submission shows reduced to
  inert content by :mod:`~cxlab.course.sanitise` before it is stored (and again when the
  formgrader or a feedback page renders it); a record per student in
  :mod:`~cxlab.course.records`;
- :mod:`~cxlab.course.gradebook`: one writer at a time, checks and small updates;
- :mod:`~cxlab.course.feedback`: ``cxlab feedback``, pages without the hidden tests
  (:mod:`~cxlab.course.hidden_tests`);
- :mod:`~cxlab.course.grades`: scores and per-question scores as tables;
- :mod:`~cxlab.course.exports`: ``cxlab export``, CSV, Canvas and Moodle as nbgrader
  exporter plugins;
- :mod:`~cxlab.course.item_analysis`: ``cxlab report``, which question the class finds hard.

The names in ``__all__`` are re-exported here. ``import cxlab.course`` loads no nbgrader,
nbformat, matplotlib or tqdm: the modules load them when a step runs, so that the graded
kernel's launcher (:mod:`~cxlab.course.sandbox`) and the answer codec
(:mod:`~cxlab.course.answers`), which live in this package, start fast. :func:`export_grades` and
:data:`FORMATS` live in :mod:`cxlab.course.exports`, whose plugin classes subclass
nbgrader's, so they are imported from there on first use. Nothing in the cxlab library
imports this package.

Imports: the public names of its modules (config, assign, collect, gradebook, grades,
grading, feedback, item_analysis), and :mod:`~cxlab.course.exports` on first use.
"""

from __future__ import annotations

from .assign import AssignResult, assign
from .collect import CollectResult, collect
from .config import CourseError, find_course_root, list_assignments, load_config, submitted_students
from .feedback import feedback
from .gradebook import GradebookError
from .grades import Question, question_scores, scores_table
from .grading import GradeSummary, grade
from .item_analysis import item_analysis, item_analysis_figure

_FROM_EXPORTS = ("FORMATS", "export_grades")

__all__ = [
    "AssignResult", "CollectResult", "CourseError", "FORMATS", "GradeSummary", "GradebookError", "Question",
    "assign", "collect", "export_grades", "feedback", "find_course_root", "grade", "item_analysis",
    "item_analysis_figure", "list_assignments", "load_config", "question_scores", "scores_table",
    "submitted_students",
]


def __getattr__(name: str):
    if name in _FROM_EXPORTS:
        from . import exports

        return getattr(exports, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
