"""Grades for a spreadsheet or an LMS, as nbgrader exporter plugins.

Three ``nbgrader.plugins.ExportPlugin`` subclasses, one per format of :data:`FORMATS`:

- :class:`TidyCsvExportPlugin` (``"csv"``): one row per student and assignment, with
  every column of :func:`cxlab.course.grades.scores_table`;
- :class:`CanvasExportPlugin` (``"canvas"``): the layout of Canvas's gradebook export,
  which its gradebook import reads back;
- :class:`MoodleExportPlugin` (``"moodle"``): for Moodle's "Import grades from CSV".

``cxlab export`` (:func:`export_grades`) uses them, and so can nbgrader's own command::

    nbgrader export --exporter cxlab.course.exports.CanvasExportPlugin --to canvas.csv

Both write the same file. Every student in the gradebook gets a row; one who submitted
nothing scores 0. Scores are after the late penalty, never below 0.

Imports: :mod:`cxlab.course.grades`, :mod:`~cxlab.course.gradebook`, nbgrader (this module
is loaded only by the commands that export).
"""

from __future__ import annotations

import csv
import logging
import warnings
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin
from traitlets import Instance, default

from .gradebook import GradebookError
from .grades import open_course, read_snapshot, score_rows

log = logging.getLogger("cxlab.course")

# Canvas writes this (four leading spaces) in the first column of its second row; its
# importer recognises the row by the words "Points Possible" in that column.
CANVAS_POINTS_POSSIBLE = "    Points Possible"
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_STUDENT_COLUMNS = ("First name", "Last name", "ID number", "Email address")


def _number(value: float) -> str:
    """Points with two decimals, as Canvas's own export writes them.

    >>> _number(11), _number(2 / 3)
    ('11.00', '0.67')
    """
    return f"{round(float(value), 2):.2f}"


def _formula_safe(name: str) -> str:
    """Quote a name that starts with '=' so a spreadsheet does not run it (as Canvas does)."""
    return f'="{name}"' if name.lstrip().startswith("=") else name


def _sortable_name(first: str, last: str, fallback: str) -> str:
    if first and last:
        return f"{last}, {first}"
    return last or first or fallback


class _ScoresExportPlugin(ExportPlugin):
    """Reads the scores as :func:`cxlab.course.grades.scores_table` does, then writes :attr:`format`."""

    format = ""  # the name in FORMATS; the default file is grades-FORMAT.csv

    coursedir = Instance(CourseDirectory, allow_none=True, help="The course's folders (for the notebooks' cell order).")

    @default("coursedir")
    def _coursedir_default(self):
        return getattr(self.parent, "coursedir", None) or CourseDirectory(parent=self)

    def destination(self) -> Path:
        return Path(self.to or f"grades-{self.format}.csv")

    def export(self, gradebook: Gradebook) -> None:
        table = score_rows(read_snapshot(gradebook, self.coursedir, [str(name) for name in self.assignment]))
        if self.student:
            table = table[table["student"].isin([str(student) for student in self.student])]
        if table.empty:
            raise GradebookError("the gradebook has no student yet: nothing to export")
        waiting = table[table["needs_manual_grade"]]
        if not waiting.empty:
            self.log.warning(
                "%d submission(s) still wait for manual grading; exported with the points they have so far: %s",
                len(waiting), ", ".join(f"{row.student}/{row.assignment}" for row in waiting.itertuples()),
            )
        output = self.destination()
        output.parent.mkdir(parents=True, exist_ok=True)
        self.write(table, output)
        self.log.info("wrote %s grades for %d student(s) to %s", self.format, table["student"].nunique(), output)

    def write(self, table: pd.DataFrame, output: Path) -> None:
        raise NotImplementedError


class TidyCsvExportPlugin(_ScoresExportPlugin):
    """A tidy CSV: one row per student and assignment, every column of ``scores_table``."""

    format = "csv"

    def write(self, table: pd.DataFrame, output: Path) -> None:
        plain = table.copy()
        plain["timestamp"] = plain["timestamp"].map(lambda t: "" if pd.isna(t) else t.isoformat())
        plain.to_csv(output, index=False)


class _OneColumnPerAssignment(_ScoresExportPlugin):
    """An LMS import file: a few columns naming the student, then the points per assignment."""

    student_columns: tuple[str, ...] = ()

    def first_rows(self, assignments: list[str], maxima: dict[str, float]) -> list[list[str]]:
        """Rows between the header and the students."""
        return []

    def student_cells(self, person: dict) -> list[str]:
        raise NotImplementedError

    def write(self, table: pd.DataFrame, output: Path) -> None:
        assignments = list(dict.fromkeys(table["assignment"]))  # the gradebook's order
        maxima = table.drop_duplicates("assignment").set_index("assignment")["max_score"].to_dict()
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*self.student_columns, *assignments])
            writer.writerows(self.first_rows(assignments, maxima))
            for student, rows in table.groupby("student", sort=True):
                first = rows.iloc[0]
                person = {"student": student, **{key: first[key] for key in ("first_name", "last_name", "email", "lms_user_id")}}
                scores = dict(zip(rows["assignment"], rows["score"]))
                writer.writerow([*self.student_cells(person), *(_number(scores[name]) for name in assignments)])


class CanvasExportPlugin(_OneColumnPerAssignment):
    """Canvas's gradebook layout: ``Student, ID, SIS User ID, SIS Login ID, Section``, one
    column per assignment, a *Points Possible* row. ``ID`` is the ``lms_user_id``, ``SIS
    Login ID`` the nbgrader student id; Canvas matches by ID, then SIS Login ID, then name."""

    format = "canvas"
    student_columns = CANVAS_STUDENT_COLUMNS

    def first_rows(self, assignments, maxima):
        return [[CANVAS_POINTS_POSSIBLE, "", "", "", "", *(_number(maxima[name]) for name in assignments)]]

    def student_cells(self, person):
        name = _sortable_name(person["first_name"], person["last_name"], person["student"])
        return [_formula_safe(name), person["lms_user_id"], "", person["student"], ""]


class MoodleExportPlugin(_OneColumnPerAssignment):
    """Moodle's "Import grades from CSV": ``First name, Last name, ID number, Email address``
    (the ``lms_user_id`` is the ID number) and one column of points per assignment."""

    format = "moodle"
    student_columns = MOODLE_STUDENT_COLUMNS

    def write(self, table, output):
        people = table.drop_duplicates("student")
        unidentified = sorted(people.loc[(people["email"] == "") & (people["lms_user_id"] == ""), "student"])
        if unidentified:
            warnings.warn(
                f"{len(unidentified)} student(s) have neither an email nor an lms_user_id in the gradebook, so Moodle "
                f"cannot match their rows and skips them: {unidentified[:10]}",
                stacklevel=2,
            )
        super().write(table, output)

    def student_cells(self, person):
        return [person["first_name"], person["last_name"], person["lms_user_id"], person["email"]]


#: The exporter of each format that :func:`export_grades` and ``cxlab export --format`` accept.
EXPORTERS = {plugin.format: plugin for plugin in (TidyCsvExportPlugin, CanvasExportPlugin, MoodleExportPlugin)}
FORMATS = tuple(EXPORTERS)
"""The values :func:`export_grades` accepts for ``fmt``."""


def export_grades(output=None, fmt="csv", root=".", assignment=None, *, db_url=None) -> Path:
    """Write the gradebook's scores to a file for a spreadsheet or an LMS.

    Every student in the gradebook gets a row; one who submitted nothing scores 0.
    Scores are after the late penalty (``score`` of
    :func:`~cxlab.course.grades.scores_table`). A submission whose written answer still
    waits for a grader is exported with the points it has so far, and a warning is logged.

    Parameters
    ----------
    output : str or Path, optional
        The file to write (its folder is created if needed); ``grades-FMT.csv`` by default.
    fmt : {"csv", "canvas", "moodle"}
        ``"csv"``: a tidy table, one row per student and assignment, with every column
        of :func:`~cxlab.course.grades.scores_table`.

        ``"canvas"``: the layout of Canvas's own gradebook export, which its gradebook
        import reads back: the header ``Student, ID, SIS User ID, SIS Login ID,
        Section`` and one column per assignment (named as in nbgrader; Canvas matches
        an existing assignment by title or creates a new one), then a row
        ``"    Points Possible"`` with each assignment's maximum, then one row per
        student. ``Student`` is "Last, First", ``ID`` the student's ``lms_user_id``
        (Canvas's user id) when the gradebook has one, ``SIS Login ID`` the nbgrader
        student id; Canvas matches a student by ID, then SIS Login ID, then name.

        ``"moodle"``: for Moodle's "Import grades from CSV": ``First name, Last name,
        ID number, Email address`` and one column of points per assignment. On import,
        map "Email address" to *Email address* (or "ID number", which holds the
        ``lms_user_id``, to *ID number*) and each assignment column to its grade item.
        Moodle's file has no row for the maximum: give the grade item the assignment's
        maximum points.
    root : str or Path
        The course folder or a folder inside it.
    assignment : str, optional
        One assignment; all of them by default.
    db_url : str, optional
        Another gradebook than the course's, as a database URL.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        When ``fmt`` is not one of :data:`FORMATS`; a
        :class:`~cxlab.course.gradebook.GradebookError` (also a ValueError) when the
        gradebook is missing, empty or has no student, or when ``assignment`` is unknown.
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if assignment is not None and not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name (text) or None for all, got {assignment!r}")
    _, coursedir = open_course(root, db_url)
    exporter = EXPORTERS[fmt](config=coursedir.config, coursedir=coursedir, log=log,
                              to="" if output is None else str(output),
                              assignment=[] if assignment is None else [assignment])
    # An empty course id keeps Gradebook from adding a course row: exporting only reads.
    with Gradebook(coursedir.db_url, course_id="") as gradebook:
        exporter.export(gradebook)
    return exporter.destination().resolve()
