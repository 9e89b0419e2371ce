"""``cxlab collect``: place an LMS export (a folder or a zip) in nbgrader's submitted layout.

Which student a file belongs to is decided by nbgrader's collector plugin extension
point (:class:`cxlab.course.zipcollect.StudentIdCollector`, the same class that
``nbgrader zip_collect`` can use). Reading the export and placing the files stays here:
nbgrader's ``zip_collect`` extracts archives into its own folder structure, stops at the
first duplicate, takes no time from a zip member, and does not report what it skipped,
while this command must list every file it could not place and why.

Imports: :mod:`cxlab.course.config`; :mod:`cxlab.course.zipcollect` inside
:func:`collect`, because it loads nbgrader.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .config import CourseError, course_api, find_course_root, require_assignments


@dataclass(frozen=True)
class CollectResult:
    """What :func:`collect` did: the notebook placed per student, and every file it could not place.

    >>> print(CollectResult("nps", {"1001": Path("submitted/1001/nps/nps.ipynb")},
    ...                     {"notes.txt": "not a notebook (.ipynb)"}).report())
    nps: placed 1 submission(s)
      1001: submitted/1001/nps/nps.ipynb
    could not place 1 file(s):
      notes.txt: not a notebook (.ipynb)
    """

    assignment: str
    placed: dict[str, Path]
    unplaced: dict[str, str]

    def report(self) -> str:
        lines = [f"{self.assignment}: placed {len(self.placed)} submission(s)"]
        lines += [f"  {student}: {path}" for student, path in sorted(self.placed.items())]
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


def collect(
    assignment: str,
    source: str | Path,
    root: str | Path = ".",
    *,
    pattern: str | None = None,
    force: bool = False,
) -> CollectResult:
    """Place an LMS export (a folder or a zip, one notebook per student) in nbgrader's layout.

    Each ``.ipynb`` whose name holds a student id becomes
    ``submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb`` with a ``timestamp.txt`` from the
    file's time (a zip member's own time), so that nbgrader can apply the due date. A
    file it cannot place is reported, never dropped silently: a name without a student
    id, two notebooks for one student, a file that is not a notebook, an existing
    submission (unless ``force``), a zip member with an unsafe path.

    ``pattern`` is a regular expression with a group named ``student``, searched in
    each file name; by default the course's ``StudentIdCollector.named_regexp``, or the
    first number between underscores.
    """
    from .zipcollect import StudentIdCollector, compile_student_pattern

    root = find_course_root(root)
    require_assignments(root, assignment)
    api, coursedir = course_api(root)
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
        if student in chosen:
            unplaced[name] = f"a second notebook for {student} (kept {chosen[student][0]})"
            continue
        chosen[student] = (name, data, stamp)

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
    return CollectResult(assignment=assignment, placed=placed, unplaced=unplaced)
