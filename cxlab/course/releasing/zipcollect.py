"""The collector plugin that reads a student id from an LMS export's file names.

:class:`StudentIdCollector` is an nbgrader ``FileNameCollectorPlugin``: ``cxlab collect``
asks it which student a file belongs to, and nbgrader's own ``zip_collect`` uses it
when the course configures it::

    # nbgrader_config.py
    c.ZipCollectApp.collector_plugin = "cxlab.course.releasing.zipcollect.StudentIdCollector"
    c.StudentIdCollector.named_regexp = r"^(?P<student>[^-]+)-"   # optional: another export's names

or ``nbgrader zip_collect nps --collector=cxlab.course.releasing.zipcollect.StudentIdCollector``.
Every file becomes the assignment's notebook (``ASSIGNMENT.ipynb``), as an LMS export
holds one notebook per student under names the students chose.

A student id that holds more than letters, digits and ``. _ @ + -`` is refused with a
warning (:func:`cxlab.course.config.unusable_student_id`): nbgrader's formgrader prints ids
into its pages as they are.

Imports: nbgrader (this module is loaded only by the commands that collect);
:mod:`cxlab.course.config`.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

from ..config import unusable_student_id

#: A student id in an LMS export's file name: the first number between underscores (or
#: at the start), as in ``name_12345_67890_file.ipynb`` (Canvas: the user id; also after
#: ``name_LATE_``) and
#: ``Full Name_12345_assignsubmission_file_file.ipynb``, or ``12345_file.ipynb``.
DEFAULT_STUDENT_PATTERN = r"(?:^|_)(?P<student>\d+)_"


def compile_student_pattern(pattern: str) -> re.Pattern:
    """``pattern`` compiled, or a ValueError that says what is wrong with it.

    >>> compile_student_pattern(DEFAULT_STUDENT_PATTERN).search("Jan Kowalski_1003_x.ipynb")["student"]
    '1003'
    >>> compile_student_pattern(r"^\\d+")
    Traceback (most recent call last):
    ...
    ValueError: '^\\\\d+' needs a group named student, e.g. (?P<student>...)
    """
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"{pattern!r} is not a regular expression: {error}") from None
    if "student" not in compiled.groupindex and "student_id" not in compiled.groupindex:
        raise ValueError(f"{pattern!r} needs a group named student, e.g. (?P<student>...)")
    return compiled


#: Canvas's "Download Submissions" names each file ``login_[LATE_]USERID_ATTACHMENTID_FILE``:
#: the student's name as Canvas writes it (lower case, no spaces), a LATE marker when Canvas
#: counted the submission late, the Canvas user id, the id of the uploaded file, and the
#: name the student gave it (Canvas adds ``-1``, ``-2`` to a resubmitted file's name).
CANVAS_FILE_NAME = re.compile(
    r"^(?P<name>[^_]+)_(?:(?P<late>LATE)_)?(?P<user_id>\d+)_(?P<attachment_id>\d+)_(?P<file>.+)$"
)
#: Moodle's "Download all submissions" names each file
#: ``Full Name_PARTICIPANTID_assignsubmission_file_FILE``; the participant id belongs to
#: the assignment, not to the user, so it identifies nobody in Moodle's grade import.
MOODLE_FILE_NAME = re.compile(
    r"^(?P<name>.+?)_(?P<participant_id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$"
)


def lms_identity(file_name: str) -> dict[str, str]:
    """What an LMS export's file name says about its student: ``lms``, ``lms_user_id``, ``name``, ``late``.

    ``lms_user_id`` is Canvas's user id (the number its gradebook calls ``ID``); Moodle's
    names carry no id its grade import knows, so it is ``""`` there. An unknown name
    gives ``{"lms": ""}`` and empty values.

    >>> lms_identity("lateclara_LATE_1003_77001_nps-2.ipynb")
    {'lms': 'canvas', 'lms_user_id': '1003', 'name': 'lateclara', 'late': 'LATE'}
    >>> lms_identity("Jan Kowalski_12345_assignsubmission_file_nps.ipynb")
    {'lms': 'moodle', 'lms_user_id': '', 'name': 'Jan Kowalski', 'late': ''}
    >>> lms_identity("1001_nps.ipynb")["lms"]
    ''
    """
    moodle = MOODLE_FILE_NAME.match(file_name)
    if moodle:
        return {"lms": "moodle", "lms_user_id": "", "name": moodle["name"], "late": ""}
    canvas = CANVAS_FILE_NAME.match(file_name)
    if canvas:
        return {"lms": "canvas", "lms_user_id": canvas["user_id"], "name": canvas["name"], "late": canvas["late"] or ""}
    return {"lms": "", "lms_user_id": "", "name": "", "late": ""}


class StudentIdCollector(FileNameCollectorPlugin):
    """Finds the student id in a submitted file's name; the file becomes ``ASSIGNMENT.ipynb``.

    Unlike nbgrader's default collector, the regular expression is searched anywhere in
    the file's base name (not matched at the start of its path), and needs only the
    student's id: a group named ``student`` (or nbgrader's ``student_id``).
    """

    named_regexp = Unicode(
        DEFAULT_STUDENT_PATTERN,
        help="Regular expression searched in each file's base name; its group named student "
        "(or student_id) is the student's id. Default: the first number between underscores.",
    ).tag(config=True)

    def student_id(self, file_name: str) -> str | None:
        """The student id in ``file_name`` (a base name), or None when there is none."""
        match = compile_student_pattern(self.named_regexp).search(file_name)
        if not match:
            return None
        groups = match.groupdict()
        return groups.get("student") or groups.get("student_id") or None

    def collect(self, submitted_file: str) -> dict | None:
        """nbgrader's entry point: what ``zip_collect`` needs to place ``submitted_file``."""
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        student = self.student_id(os.path.basename(submitted_file))
        if student is None:
            self.log.warning("no student id in %s (pattern %s)", submitted_file, self.named_regexp)
            return None
        if unusable_student_id(student):
            self.log.warning("%s: %s", submitted_file, unusable_student_id(student))
            return None
        # Under zip_collect the app's coursedir names the assignment, whose notebook the file becomes.
        assignment = getattr(getattr(self.parent, "coursedir", None), "assignment_id", "")
        file_id = f"{assignment}.ipynb" if assignment else os.path.basename(submitted_file)
        stamp = dt.datetime.fromtimestamp(os.path.getmtime(submitted_file), tz=dt.timezone.utc)
        return {"student_id": student, "file_id": file_id, "timestamp": stamp.isoformat(" ")}
