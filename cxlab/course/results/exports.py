"""Grades for a spreadsheet or an LMS, as nbgrader exporter plugins.

Three ``nbgrader.plugins.ExportPlugin`` subclasses, one per format of :data:`FORMATS`:

- :class:`TidyCsvExportPlugin` (``"csv"``): one row per student and assignment, with
  every column of :func:`cxlab.course.results.grades.scores_table`;
- :class:`CanvasExportPlugin` (``"canvas"``): the layout of Canvas's gradebook export,
  which its gradebook import reads back;
- :class:`MoodleExportPlugin` (``"moodle"``): for Moodle's "Import grades from CSV".

``cxlab export`` (:func:`export_grades`) uses them, and so can nbgrader's own command::

    nbgrader export --exporter cxlab.course.results.exports.CanvasExportPlugin --to canvas.csv

Both write the same file. Every student in the gradebook gets a row; one who submitted
nothing scores 0. Scores are after the late penalty, never below 0. For an LMS, the ids
that make the import fill the right column for the right student come from the gradebook
(``lms_user_id``, which ``cxlab collect`` keeps from Canvas's file names), from
``--canvas-assignment-id``, or from a gradebook the LMS exported (``lms_gradebook``); a
warning names every assignment or student the LMS could not match.

Imports: :mod:`cxlab.course.results.grades`, :mod:`cxlab.course.shared.gradebook`,
nbgrader (this module is loaded only by the commands that export).
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Instance, Unicode, default

from ..shared.gradebook import GradebookError
from .grades import open_course, read_snapshot, score_rows

log = logging.getLogger("cxlab.course")

# Canvas writes this (four leading spaces) in the first column of its second row; its
# importer recognises the row by the words "Points Possible" in that column.
CANVAS_POINTS_POSSIBLE = "    Points Possible"
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_STUDENT_COLUMNS = ("First name", "Last name", "ID number", "Email address")
#: An existing assignment's column in Canvas's gradebook export, "Title (id)"; Canvas's
#: import fills the assignment with that id, and makes a new assignment of any other header.
CANVAS_ASSIGNMENT_HEADER = re.compile(r"^(?P<title>.*\S) \((?P<id>\d+)\)$")
#: A grade item's column in Moodle's grade export, e.g. "Assignment: nps (Real)".
MOODLE_ITEM_HEADER = re.compile(r"^(?:[^:]+: )?(?P<title>.+?) \((?:Real|Percentage|Letter)\)$")
# Rows of a Canvas gradebook export that are not students.
_CANVAS_NON_STUDENT_ROWS = {"Points Possible", "Manual Posting", "Student, Test"}


def canvas_header(name: str, assignment_id: str | None) -> str:
    """The column header Canvas's import matches to an existing assignment.

    >>> canvas_header("nps", "12345"), canvas_header("nps", None)
    ('nps (12345)', 'nps')
    """
    return f"{name} ({assignment_id})" if assignment_id else name


def _read_table(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    """Rows of an LMS export (CSV, UTF-8 with or without a byte-order mark) as dicts."""
    if not path.is_file():
        raise GradebookError(f"no {what} at {path}: download it from the LMS's gradebook first")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = [{key.strip(): (value or "").strip() for key, value in row.items() if key is not None} for row in reader]
        header = [name.strip() for name in reader.fieldnames or []]
    return header, rows


def read_canvas_gradebook(path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Assignment ids by title, and the students, of a gradebook Canvas exported (Grades > Export).

    Returns
    -------
    (dict, list)
        ``{title: assignment id}`` from the headers "Title (id)", and one dict per
        student row with Canvas's ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``
        and ``Section`` (the *Points Possible* row, a *Manual Posting* row and Canvas's
        test student are left out).
    """
    header, rows = _read_table(Path(path), "Canvas gradebook export")
    missing = [column for column in ("Student", "ID") if column not in header]
    if missing:
        raise GradebookError(f"{path} is not a Canvas gradebook export: it has no column {missing}; its header is "
                             f"{header[:8]}")
    assignments = {}
    for column in header:
        match = CANVAS_ASSIGNMENT_HEADER.match(column)
        if match:
            assignments.setdefault(match["title"], match["id"])
    students = [row for row in rows if row.get("Student", "").strip() not in _CANVAS_NON_STUDENT_ROWS and row.get("ID")]
    return assignments, students


def read_moodle_grades(path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Grade item headers by item name, and the students, of a Moodle grade export (plain text file)."""
    header, rows = _read_table(Path(path), "Moodle grade export")
    if "Email address" not in header and "ID number" not in header:
        raise GradebookError(f"{path} is not a Moodle grade export: it has neither 'Email address' nor 'ID number'; "
                             f"its header is {header[:8]}")
    items = {}
    for column in header:
        match = MOODLE_ITEM_HEADER.match(column)
        if match:
            items.setdefault(match["title"], column)
    return items, rows


def _match(title: str, known: dict[str, str]) -> str | None:
    """The value of ``known`` whose key is ``title``, exactly or ignoring case and outer spaces."""
    if title in known:
        return known[title]
    folded = {key.strip().casefold(): value for key, value in known.items()}
    return folded.get(title.strip().casefold())


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
    """Reads the scores as :func:`cxlab.course.results.grades.scores_table` does, then writes :attr:`format`."""

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
                "%d submission(s) wait for hand grading; exported with the points they have so far "
                "(points still to grade in brackets): %s",
                len(waiting),
                ", ".join(f"{row.student}/{row.assignment} ({row.pending_points:g})" for row in waiting.itertuples()),
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

    lms_gradebook = Unicode(
        "", help="A gradebook exported from the LMS (Canvas: Grades > Export; Moodle: Export > Plain text file), "
                 "read for its assignment ids or grade item names and its students' ids.",
    ).tag(config=True)

    def headers(self, assignments: list[str]) -> list[str]:
        """The column header of each assignment."""
        return list(assignments)

    def prepare(self, table: pd.DataFrame) -> None:
        """Read what the LMS's own export says, and warn about what cannot be matched."""

    def first_rows(self, assignments: list[str], maxima: dict[str, float]) -> list[list[str]]:
        """Rows between the header and the students."""
        return []

    def student_cells(self, person: dict) -> list[str]:
        raise NotImplementedError

    def write(self, table: pd.DataFrame, output: Path) -> None:
        assignments = list(dict.fromkeys(table["assignment"]))  # the gradebook's order
        maxima = table.drop_duplicates("assignment").set_index("assignment")["max_score"].to_dict()
        self.prepare(table)
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*self.student_columns, *self.headers(assignments)])
            writer.writerows(self.first_rows(assignments, maxima))
            for student, rows in table.groupby("student", sort=True):
                first = rows.iloc[0]
                person = {"student": student, **{key: first[key] for key in ("first_name", "last_name", "email", "lms_user_id")}}
                scores = dict(zip(rows["assignment"], rows["score"]))
                writer.writerow([*self.student_cells(person), *(_number(scores[name]) for name in assignments)])


class CanvasExportPlugin(_OneColumnPerAssignment):
    """Canvas's gradebook layout: ``Student, ID, SIS User ID, SIS Login ID, Section``, one
    column per assignment headed "name (Canvas assignment id)", a *Points Possible* row.

    Canvas's import fills an existing assignment only when the header carries its id; a
    header without one makes a new assignment. The id comes from
    :attr:`canvas_assignment_ids` or from the gradebook Canvas exported
    (:attr:`lms_gradebook`), matched by title. ``ID`` is Canvas's user id: the student's
    ``lms_user_id`` (``cxlab collect`` keeps it from Canvas's file names), or the ``ID``
    of the matching row of Canvas's export, whose ``Student``, ``SIS User ID``, ``SIS
    Login ID`` and ``Section`` are then copied too. Every student Canvas cannot match by
    ID is named in a warning."""

    format = "canvas"
    student_columns = CANVAS_STUDENT_COLUMNS

    canvas_assignment_ids = Dict(
        value_trait=Unicode(), default_value={},
        help="Canvas assignment id of each assignment, {name: id} (the number in the assignment's address "
             ".../assignments/ID).",
    ).tag(config=True)

    def prepare(self, table):
        self.ids = {name: str(value) for name, value in self.canvas_assignment_ids.items()}
        self.canvas_rows: dict[str, dict] = {}
        assignments = list(dict.fromkeys(table["assignment"]))
        people = table.drop_duplicates("student")
        if self.lms_gradebook:
            titles, canvas_students = read_canvas_gradebook(self.lms_gradebook)
            for name in assignments:
                if name not in self.ids and _match(name, titles):
                    self.ids[name] = _match(name, titles)
            by_key = {}
            for row in canvas_students:
                for column in ("SIS Login ID", "SIS User ID", "ID"):
                    if row.get(column):
                        by_key[(column, row[column])] = row
            for person in people.itertuples():
                found = (by_key.get(("ID", person.lms_user_id)) if person.lms_user_id else None) or next(
                    (by_key[(column, person.student)] for column in ("ID", "SIS Login ID", "SIS User ID")
                     if (column, person.student) in by_key), None)
                if found is not None:
                    self.canvas_rows[person.student] = found
            unmatched = sorted(set(people["student"]) - set(self.canvas_rows))
            for student in unmatched:
                self.log.warning("%s is in no row of %s (by Canvas user id, SIS login or SIS user id): "
                                 "Canvas will skip this row", student, self.lms_gradebook)
        else:
            for person in people.itertuples():
                if not person.lms_user_id:
                    self.log.warning(
                        "%s has no Canvas user id in the gradebook (collect keeps it from Canvas's file names): "
                        "Canvas can match the row only if %s is the student's SIS login; pass --lms-gradebook "
                        "with Canvas's gradebook export to fill the ids", person.student, person.student)
        for name in assignments:
            if name not in self.ids:
                self.log.warning(
                    "no Canvas assignment id for %s: Canvas's import will create a NEW assignment named %r instead "
                    "of filling the existing one; pass --canvas-assignment-id %s=ID or --lms-gradebook", name, name, name)

    def headers(self, assignments):
        return [canvas_header(name, self.ids.get(name)) for name in assignments]

    def first_rows(self, assignments, maxima):
        return [[CANVAS_POINTS_POSSIBLE, "", "", "", "", *(_number(maxima[name]) for name in assignments)]]

    def student_cells(self, person):
        found = self.canvas_rows.get(person["student"])
        if found is not None:
            return [_formula_safe(found.get("Student", "")), found.get("ID", ""), found.get("SIS User ID", ""),
                    found.get("SIS Login ID", ""), found.get("Section", "")]
        name = _sortable_name(person["first_name"], person["last_name"], person["student"])
        return [_formula_safe(name), person["lms_user_id"], "", person["student"], ""]


class MoodleExportPlugin(_OneColumnPerAssignment):
    """Moodle's "Import grades from CSV": ``First name, Last name, ID number, Email address``
    (the ``lms_user_id`` is the ID number) and one column of points per assignment.

    With Moodle's own grade export (:attr:`lms_gradebook`), each student's names, ID
    number and email are copied from the matching row (by email, then ID number), and
    each column is named as that export names the grade item ("Assignment: nps (Real)").
    Every student Moodle cannot identify (no email and no ID number, or no row in
    Moodle's export) is named in a warning."""

    format = "moodle"
    student_columns = MOODLE_STUDENT_COLUMNS

    def prepare(self, table):
        self.item_headers: dict[str, str] = {}
        self.moodle_rows: dict[str, dict] = {}
        people = table.drop_duplicates("student")
        if self.lms_gradebook:
            items, rows = read_moodle_grades(self.lms_gradebook)
            for name in dict.fromkeys(table["assignment"]):
                header = _match(name, items)
                if header:
                    self.item_headers[name] = header
                else:
                    self.log.warning("%s has no grade item of that name in %s: map its column to the grade item by "
                                     "hand on import", name, self.lms_gradebook)
            by_email = {row["Email address"].casefold(): row for row in rows if row.get("Email address")}
            by_number = {row["ID number"]: row for row in rows if row.get("ID number")}
            for person in people.itertuples():
                found = (by_email.get(person.email.casefold()) if person.email else None) or by_number.get(
                    person.lms_user_id or "\0") or by_number.get(person.student)
                if found is not None:
                    self.moodle_rows[person.student] = found
                else:
                    self.log.warning("%s is in no row of %s (by email or ID number): Moodle will skip this row",
                                     person.student, self.lms_gradebook)
        else:
            for person in people.itertuples():
                if not person.email and not person.lms_user_id:
                    self.log.warning(
                        "%s has neither an email nor an ID number (lms_user_id) in the gradebook, so Moodle cannot "
                        "match the row and skips it; pass --lms-gradebook with Moodle's grade export", person.student)

    def headers(self, assignments):
        return [self.item_headers.get(name, name) for name in assignments]

    def student_cells(self, person):
        found = self.moodle_rows.get(person["student"])
        if found is not None:
            return [found.get("First name", ""), found.get("Last name", ""), found.get("ID number", ""),
                    found.get("Email address", "")]
        return [person["first_name"], person["last_name"], person["lms_user_id"], person["email"]]


#: The exporter of each format that :func:`export_grades` and ``cxlab export --format`` accept.
EXPORTERS = {plugin.format: plugin for plugin in (TidyCsvExportPlugin, CanvasExportPlugin, MoodleExportPlugin)}
FORMATS = tuple(EXPORTERS)
"""The values :func:`export_grades` accepts for ``fmt``."""


def export_grades(output=None, fmt="csv", root=".", assignment=None, *, db_url=None, canvas_assignment_ids=None,
                  lms_gradebook=None) -> Path:
    """Write the gradebook's scores to a file for a spreadsheet or an LMS.

    Every student in the gradebook gets a row; one who submitted nothing scores 0.
    Scores are after the late penalty (``score`` of
    :func:`~cxlab.course.results.grades.scores_table`). A submission whose written answer still
    waits for a grader is exported with the points it has so far, and a warning is logged.

    Parameters
    ----------
    output : str or Path, optional
        The file to write (its folder is created if needed); ``grades-FMT.csv`` by default.
    fmt : {"csv", "canvas", "moodle"}
        ``"csv"``: a tidy table, one row per student and assignment, with every column
        of :func:`~cxlab.course.results.grades.scores_table`.

        ``"canvas"``: the layout of Canvas's own gradebook export, which its gradebook
        import reads back: the header ``Student, ID, SIS User ID, SIS Login ID,
        Section`` and one column per assignment, headed "name (Canvas assignment id)"
        as Canvas's export heads an existing assignment (a header without the id makes
        Canvas create a new assignment: a warning says so), then a row
        ``"    Points Possible"`` with each assignment's maximum, then one row per
        student. ``ID`` is Canvas's user id (the student's ``lms_user_id``, which
        ``cxlab collect`` keeps from Canvas's file names), ``SIS Login ID`` the nbgrader
        student id, ``Student`` "Last, First"; with ``lms_gradebook`` all five are
        copied from the student's row of Canvas's export. A warning names every
        student Canvas could not match.

        ``"moodle"``: for Moodle's "Import grades from CSV": ``First name, Last name,
        ID number, Email address`` and one column of points per assignment. On import,
        map "Email address" to *Email address* (or "ID number", which holds the
        ``lms_user_id``, to *ID number*) and each assignment column to its grade item.
        Moodle's file has no row for the maximum: give the grade item the assignment's
        maximum points. With ``lms_gradebook`` (Moodle's grade export, plain text),
        names, ID number and email come from the student's row there, and each column
        is named as that export names the grade item. A warning names every student
        Moodle could not identify.
    root : str or Path
        The course folder or a folder inside it.
    assignment : str, optional
        One assignment; all of them by default.
    db_url : str, optional
        Another gradebook than the course's, as a database URL.
    canvas_assignment_ids : dict, optional
        ``{assignment name: Canvas assignment id}`` (the number in the assignment's
        address, ``.../assignments/ID``), for ``fmt="canvas"``.
    lms_gradebook : str or Path, optional
        A gradebook the LMS exported (Canvas: Grades > Export; Moodle: Export > Plain
        text file), read for assignment ids or grade item names and students' ids.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        When ``fmt`` is not one of :data:`FORMATS`; a
        :class:`~cxlab.course.shared.gradebook.GradebookError` (also a ValueError) when the
        gradebook is missing, empty or has no student, or when ``assignment`` is unknown.
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if assignment is not None and not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name (text) or None for all, got {assignment!r}")
    if canvas_assignment_ids and fmt != "canvas":
        raise ValueError(f"canvas_assignment_ids are for fmt='canvas', not {fmt!r}")
    if lms_gradebook is not None and fmt == "csv":
        raise ValueError("lms_gradebook is read for fmt='canvas' or 'moodle', not 'csv'")
    _, coursedir = open_course(root, db_url)
    settings = {"to": "" if output is None else str(output), "assignment": [] if assignment is None else [assignment]}
    if fmt == "canvas":
        settings["canvas_assignment_ids"] = {str(name): str(value) for name, value in (canvas_assignment_ids or {}).items()}
    if lms_gradebook is not None:
        settings["lms_gradebook"] = str(lms_gradebook)
    exporter = EXPORTERS[fmt](config=coursedir.config, coursedir=coursedir, log=log, **settings)
    # An empty course id keeps Gradebook from adding a course row: exporting only reads.
    with Gradebook(coursedir.db_url, course_id="") as gradebook:
        exporter.export(gradebook)
    return exporter.destination().resolve()
