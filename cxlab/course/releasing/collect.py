"""``cxlab collect``: place an LMS export (a folder or a zip) in nbgrader's submitted layout.

Which student a file belongs to is decided by nbgrader's collector plugin extension
point (:class:`cxlab.course.releasing.zipcollect.StudentIdCollector`, the same class that
``nbgrader zip_collect`` can use). Reading the export and placing the files stays here:
nbgrader's ``zip_collect`` extracts archives into its own folder structure, stops at the
first duplicate, takes no time from a zip member, and does not report what it skipped,
while this command must list every file it could not place and why.

Imports: :mod:`cxlab.course.config`, :mod:`~cxlab.course.shared.gradebook`; nbgrader and
:mod:`cxlab.course.releasing.zipcollect` inside functions, because they load nbgrader.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import CourseError, course_api, find_course_root, require_assignments, unusable_student_id
from ..shared.gradebook import serialise_gradebook_access


@dataclass(frozen=True)
class Placed:
    """One notebook :func:`collect` placed: where it came from, whose it is, where it went."""

    source: str  # the file's name inside the export
    student: str
    destination: Path
    timestamp: dt.datetime  # the file's time, UTC: the submission time nbgrader uses
    lms: str = ""  # "canvas" or "moodle" when the file name is theirs
    lms_user_id: str = ""  # Canvas's user id, kept in the gradebook
    name: str = ""  # the student's name as the export wrote it
    lms_late: bool = False  # Canvas marked the file LATE
    seconds_late: float | None = None  # after the gradebook's due date; None without one


def _lateness(item: Placed) -> str:
    if item.seconds_late is None:
        text = "due date unknown"
    elif item.seconds_late <= 0:
        text = "on time"
    else:
        text = f"{_duration(item.seconds_late)} late"
    return text + ("; Canvas marked it LATE" if item.lms_late else "")


def _duration(seconds: float) -> str:
    """A lateness a person reads at a glance.

    >>> _duration(40), _duration(9 * 3600), _duration(3 * 86400 + 7200)
    ('40 s', '9.0 h', '3.1 days')
    """
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@dataclass(frozen=True)
class CollectResult:
    """What :func:`collect` did: the notebook placed per student, and every file it could not place.

    >>> when = dt.datetime(2026, 3, 1, 21, tzinfo=dt.timezone.utc)
    >>> placed = Placed("clara_LATE_1003_77_nps.ipynb", "1003", Path("submitted/1003/nps/nps.ipynb"), when,
    ...                 "canvas", "1003", "clara", True, 9 * 3600)
    >>> print(CollectResult("nps", {"1003": placed.destination}, {"notes.txt": "not a notebook (.ipynb)"},
    ...                     (placed,), dt.datetime(2026, 3, 1, 12)).report())
    nps: placed 1 submission(s), due 2026-03-01 12:00 UTC
      clara_LATE_1003_77_nps.ipynb -> 1003 (Canvas user 1003, clara) -> submitted/1003/nps/nps.ipynb
          submitted 2026-03-01 21:00 UTC, 9.0 h late; Canvas marked it LATE
    could not place 1 file(s):
      notes.txt: not a notebook (.ipynb)
    """

    assignment: str
    placed: dict[str, Path]
    unplaced: dict[str, str]
    details: tuple[Placed, ...] = ()
    due: dt.datetime | None = None  # the gradebook's due date (UTC, naive as nbgrader stores it)
    notes: tuple[str, ...] = ()  # what collect changed or declined to change in the gradebook

    def report(self) -> str:
        due = f", due {self.due:%Y-%m-%d %H:%M} UTC" if self.due else ""
        lines = [f"{self.assignment}: placed {len(self.placed)} submission(s){due}"]
        by_student = {item.student: item for item in self.details}
        for student, path in sorted(self.placed.items()):
            item = by_student.get(student)
            if item is None:
                lines.append(f"  {student}: {path}")
                continue
            who = ", ".join(part for part in (
                f"{item.lms.capitalize()} user {item.lms_user_id}" if item.lms_user_id else "", item.name) if part)
            lines.append(f"  {item.source} -> {student}{f' ({who})' if who else ''} -> {path}")
            lines.append(f"      submitted {item.timestamp:%Y-%m-%d %H:%M} UTC, {_lateness(item)}")
        if self.details and self.due is None:
            lines.append(f"no due date for {self.assignment} in the gradebook, so lateness is unknown: set one with "
                         f"`nbgrader db assignment add {self.assignment} --duedate=\"YYYY-MM-DD HH:MM:SS UTC\"` "
                         "(or in the formgrader's Manage Assignments)")
        lines += [f"note: {note}" for note in self.notes]
        if self.unplaced:
            lines.append(f"could not place {len(self.unplaced)} file(s):")
            lines += [f"  {name}: {why}" for name, why in sorted(self.unplaced.items())]
        return "\n".join(lines)


def _exported_files(source: Path) -> list[tuple[str, bytes, float]]:
    """(name inside the export, content, time) of every file in a folder or a zip."""
    if not source.exists():
        raise CourseError(f"{source} does not exist: give the folder or the zip file the LMS exported")
    if source.is_dir():
        return [(str(path.relative_to(source)), path.read_bytes(), path.stat().st_mtime)
                for path in sorted(p for p in source.rglob("*") if p.is_file())]
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            return [(info.filename, archive.read(info), dt.datetime(*info.date_time).timestamp())
                    for info in archive.infolist() if not info.is_dir()]
    raise CourseError(f"{source} is neither a folder nor a zip file")


def _record_identities(db_url: str, course_id: str, assignment: str, items: list[Placed]) -> tuple[dt.datetime | None, list[str]]:
    """Keep each student's LMS identity in the gradebook; return the due date and what to tell.

    A student new to the gradebook is added with the Canvas user id (``lms_user_id``) and
    the name as the export wrote it (``last_name``). Values already there (set by
    ``nbgrader db student import`` or the formgrader) are kept; a Canvas user id that
    disagrees with the one stored is reported, not overwritten.
    """
    from nbgrader.api import Gradebook, MissingEntry

    notes = []
    with Gradebook(db_url, course_id) as gradebook:
        try:
            due = gradebook.find_assignment(assignment).duedate
        except MissingEntry:
            due = None
        for item in items:
            try:
                student = gradebook.find_student(item.student)
            except MissingEntry:
                gradebook.add_student(item.student, lms_user_id=item.lms_user_id or None, last_name=item.name or None)
                continue
            if item.lms_user_id and not student.lms_user_id:
                student.lms_user_id = item.lms_user_id
            elif item.lms_user_id and student.lms_user_id != item.lms_user_id:
                notes.append(f"{item.source} names Canvas user {item.lms_user_id}, but the gradebook has "
                             f"{student.lms_user_id} for {item.student}: kept the gradebook's")
            if item.name and not (student.first_name or student.last_name):
                student.last_name = item.name
        gradebook.db.commit()
    return due, notes


def _write_collect_record(root: Path, assignment: str, items: list[Placed]) -> Path:
    """``grading-log/ASSIGNMENT/collected.csv``: source file, student, identity, destination, time, lateness.

    Rows of earlier runs for other students are kept; a student collected again gets the new row.
    """
    import csv

    path = root / "grading-log" / assignment / "collected.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = ["source", "student", "lms", "lms_user_id", "name", "destination", "timestamp", "seconds_late", "lms_late"]
    rows: dict[str, dict] = {}
    if path.is_file():
        with path.open(newline="", encoding="utf-8") as handle:
            rows = {row["student"]: row for row in csv.DictReader(handle)}
    for item in items:
        rows[item.student] = {
            "source": item.source, "student": item.student, "lms": item.lms, "lms_user_id": item.lms_user_id,
            "name": item.name, "destination": str(item.destination), "timestamp": item.timestamp.isoformat(),
            "seconds_late": "" if item.seconds_late is None else f"{item.seconds_late:.0f}",
            "lms_late": "LATE" if item.lms_late else "",
        }
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows[student] for student in sorted(rows))
    return path


def collect(
    assignment: str,
    source: str | Path,
    root: str | Path = ".",
    *,
    pattern: str | None = None,
    force: bool = False,
    db_url: str | None = None,
) -> CollectResult:
    """Place an LMS export (a folder or a zip, one notebook per student) in nbgrader's layout.

    Each ``.ipynb`` whose name holds a student id becomes
    ``submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb`` with a ``timestamp.txt`` from the
    file's time (a zip member's own time), so that nbgrader can apply the due date. A
    file it cannot place is reported, never dropped silently: a name without a student
    id, two notebooks for one student, a file that is not a notebook, an existing
    submission (unless ``force``), a zip member with an unsafe path.

    The student's LMS identity is kept: a Canvas file name
    (``name_[LATE_]USERID_FILEID_file.ipynb``) gives the Canvas user id, which goes into
    the gradebook as the student's ``lms_user_id`` (the ``ID`` of Canvas's gradebook,
    which ``cxlab export --format canvas`` writes), and the name as exported, kept as
    ``last_name`` for a student the gradebook did not know. Every placed file is listed in
    ``grading-log/ASSIGNMENT/collected.csv`` (source file, student, identity, destination,
    time, lateness) and in the report, with how late it is against the gradebook's due date.

    ``pattern`` is a regular expression with a group named ``student``, searched in
    each file name; by default the course's ``StudentIdCollector.named_regexp``, or the
    first number between underscores.
    """
    from .zipcollect import StudentIdCollector, compile_student_pattern, lms_identity

    root = find_course_root(root)
    require_assignments(root, assignment)
    api, coursedir = course_api(root, db_url=db_url)
    collector = StudentIdCollector(config=api.config)
    if pattern is not None:
        collector.named_regexp = pattern
    try:
        compile_student_pattern(collector.named_regexp)
    except ValueError as error:
        raise CourseError(f"--pattern {error}") from None
    files = _exported_files(Path(source))

    placed: dict[str, Path] = {}
    unplaced: dict[str, str] = {}
    chosen: dict[str, tuple[str, bytes, float]] = {}
    for name, data, stamp in files:
        path = Path(name)
        if ".." in path.parts or name.startswith("/"):
            unplaced[name] = "unsafe path in the archive"
            continue
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue
        if path.suffix not in collector.valid_ext:
            unplaced[name] = f"not a notebook ({', '.join(collector.valid_ext)})"
            continue
        student = collector.student_id(path.name)
        if student is None:
            unplaced[name] = f"no student id in the name (pattern {collector.named_regexp})"
            continue
        if unusable_student_id(student):
            unplaced[name] = unusable_student_id(student)
            continue
        if student in chosen:
            unplaced[name] = f"a second notebook for {student} (kept {chosen[student][0]})"
            continue
        chosen[student] = (name, data, stamp)

    items: list[Placed] = []
    for student, (name, data, stamp) in sorted(chosen.items()):
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        target = folder / f"{assignment}.ipynb"
        if target.exists() and not force:
            unplaced[name] = f"{target} exists already (use --force to replace it)"
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        when = dt.datetime.fromtimestamp(stamp, tz=dt.timezone.utc)
        (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f %Z"), encoding="utf-8")
        placed[student] = target
        identity = lms_identity(Path(name).name)
        items.append(Placed(source=name, student=student, destination=target, timestamp=when, lms=identity["lms"],
                            lms_user_id=identity["lms_user_id"], name=identity["name"],
                            lms_late=bool(identity["late"])))

    due, notes = None, []
    if items:
        serialise_gradebook_access(coursedir.db_url)
        due, notes = _record_identities(coursedir.db_url, coursedir.course_id, assignment, items)
        if due is not None:
            deadline = due.replace(tzinfo=dt.timezone.utc)
            items = [replace(item, seconds_late=max(0.0, (item.timestamp - deadline).total_seconds()))
                     for item in items]
        _write_collect_record(root, assignment, items)
    return CollectResult(assignment=assignment, placed=placed, unplaced=unplaced, details=tuple(items), due=due,
                         notes=tuple(notes))
