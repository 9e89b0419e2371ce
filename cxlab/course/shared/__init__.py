"""The wing's base: what releasing, grading and results all rely on.

- :mod:`~cxlab.course.shared.gradebook`: nbgrader's gradebook, one writer at a time on
  SQLite, checks and small updates (collect, grading and every result use it);
- :mod:`~cxlab.course.shared.manifest`: what an assignment grades, read from the
  instructor's source notebook (linted by ``cxlab assign``, read when a notebook is graded);
- :mod:`~cxlab.course.shared.sanitise`: what a submission shows, reduced to inert
  content when it is graded and again whenever the formgrader or a feedback page renders it.

Imports: :mod:`cxlab.course.config` only, below it (the ``course-layers`` contract);
manifest and sanitise are on the trusted side and import nothing that runs or talks to
student code (the ``trusted-side`` contract). This file imports nothing.
"""
