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
  static :mod:`~cxlab.course.scan` as advice; a record per student in
  :mod:`~cxlab.course.records`;
- :mod:`~cxlab.course.gradebook`: one writer at a time, checks and small updates;
- :mod:`~cxlab.course.feedback`: ``cxlab feedback``, pages without the hidden tests
  (:mod:`~cxlab.course.hidden_tests`);
- :mod:`~cxlab.course.grades`: scores and per-question scores as tables;
- :mod:`~cxlab.course.exports`: ``cxlab export``, CSV, Canvas and Moodle as nbgrader
  exporter plugins;
- :mod:`~cxlab.course.item_analysis`: ``cxlab report``, which question the class finds hard.

The names in ``__all__`` are re-exported here, each imported from its module on first
use, so that ``import cxlab.course`` itself loads nothing: the graded kernel's launcher
(:mod:`~cxlab.course.sandbox`) and the answer codec (:mod:`~cxlab.course.answers`) live
in this package and must start fast. Nothing in the cxlab library imports this package.

Imports: its modules, each on first use of one of its names.
"""

from __future__ import annotations

import importlib

#: Where each public name lives; a module is imported when one of its names is first used.
_HOMES = {
    "AssignResult": "assign", "assign": "assign",
    "CollectResult": "collect", "collect": "collect",
    "CourseError": "config", "find_course_root": "config", "list_assignments": "config", "load_config": "config",
    "submitted_students": "config",
    "feedback": "feedback",
    "GradebookError": "gradebook",
    "Question": "grades", "question_scores": "grades", "scores_table": "grades",
    "GradeSummary": "grading", "grade": "grading",
    "item_analysis": "item_analysis", "item_analysis_figure": "item_analysis",
    "FORMATS": "exports", "export_grades": "exports",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
