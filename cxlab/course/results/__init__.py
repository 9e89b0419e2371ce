"""Results: the gradebook read back as tables, exports, item analysis and feedback pages.

- :mod:`~cxlab.course.results.grades`: scores and per-question scores as tables;
- :mod:`~cxlab.course.results.exports`: ``cxlab export``, CSV, Canvas and Moodle as
  nbgrader exporter plugins;
- :mod:`~cxlab.course.results.item_analysis`: ``cxlab report``, which question the class
  finds hard;
- :mod:`~cxlab.course.results.feedback`: ``cxlab feedback``, pages without the hidden
  tests (:mod:`~cxlab.course.results.hidden_tests`).

Imports: the wing's base, :mod:`cxlab.course.shared` and :mod:`cxlab.course.config`;
never releasing, grading or the command line (the ``course-layers`` contract). This file
imports nothing.
"""
