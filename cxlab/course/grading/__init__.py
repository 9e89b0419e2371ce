"""Grading: running each submission in a sandbox and the instructor's checks on its answers.

- :mod:`~cxlab.course.grading.grade`: ``cxlab grade``, the pool of worker processes;
- :mod:`~cxlab.course.grading.worker`: one per pool slot (``python -m
  cxlab.course.grading.worker``), nbgrader's ``autograde`` for one student at a time;
- :mod:`~cxlab.course.grading.execute`: the student's cells in a kernel inside
  :mod:`~cxlab.course.grading.sandbox`, the checks elsewhere;
- the trusted side: :mod:`~cxlab.course.grading.checker` (``python -m
  cxlab.course.grading.checker``) runs the checks on the answers that
  :mod:`~cxlab.course.grading.answers` hands over as data;
- :mod:`~cxlab.course.grading.processes` (process hygiene for both sides),
  :mod:`~cxlab.course.grading.scan` (advice from a static scan),
  :mod:`~cxlab.course.grading.records` (one record per graded student).

Imports: :mod:`cxlab.course.releasing` (an assignment new to the gradebook is generated
first), the wing's base, :mod:`cxlab.course.shared` and :mod:`cxlab.course.config`;
never the command line (the ``course-layers`` contract). The checker and the answer codec
import nothing that runs or talks to student code (the ``trusted-side`` contract). This
file imports nothing, so that the sandboxed kernel's launcher starts fast.
"""
