"""Releasing an assignment: the student versions out, the submissions in.

- :mod:`~cxlab.course.releasing.assign`: ``cxlab assign``, the student versions from the
  instructor's sources;
- :mod:`~cxlab.course.releasing.collect`: ``cxlab collect``, an LMS export into
  ``submitted/``, with nbgrader's collector plugin
  :mod:`~cxlab.course.releasing.zipcollect`.

Imports: the wing's base, :mod:`cxlab.course.shared` and :mod:`cxlab.course.config`;
never grading, results or the command line (the ``course-layers`` contract). This file
imports nothing.
"""
