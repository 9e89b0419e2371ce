"""Each student's variant on the instructor's side: the model answers and the variant registry.

- :func:`model_answers` runs the instructor's source notebook (its setup and model solutions,
  never a check or a student's code) for one variant, in this process, and returns the
  answers each check declares. It is how the registry, ``cxlab variant`` and the practice
  pools know a variant's expected answers.
- The *registry* (``variants/<assignment>.json`` in the course folder, next to the
  gradebook; instructor only) records per student the variant the student is graded on,
  the generator version, the data fingerprint and the expected answers, when the
  assignment is released (``cxlab assign``) or when a student is first graded. Grading
  uses the recorded variant; a fingerprint that no longer matches what the generator
  makes stops grading until the instructor re-records it (:func:`refresh_records`).

Imports: :mod:`cxlab.course.config`, :mod:`cxlab.course.shared.manifest`;
:mod:`cxlab.data` (the generators), nbformat.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import shlex
import time
from pathlib import Path

from ..config import CourseError
from .manifest import is_check

#: The registry's folder in the course's root (never released, never in the book).
REGISTRY_FOLDER = "variants"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_variant_cell(cell) -> bool:
    """The learner's own cell that sets ``VARIANT`` (tagged ``variant``)."""
    return cell.get("cell_type") == "code" and "variant" in (cell.get("metadata", {}).get("tags") or [])


def declared_answers(notebook) -> dict[str, list[str]]:
    """Check cell id -> the answers it declares, in the notebook's order."""
    return {_nbgrader(cell)["grade_id"]: list((cell.get("metadata", {}).get("cxlab") or {}).get("answers") or [])
            for cell in notebook.cells if is_check(cell)}


def _read(path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def model_namespace(path: str | Path, variant: str) -> dict:
    """The namespace after the source notebook's setup and model solutions, for ``variant``.

    Cells that run: the setup (read-only cells of the instructor's) and the answer cells,
    in order, with ``VARIANT`` bound first; the checks, the value checks and the learner's
    ``VARIANT`` cell do not. The notebook's folder is the working folder while it runs.
    """
    notebook = _read(path)
    namespace = {"__name__": "__main__", "VARIANT": variant}
    here, backend = os.getcwd(), os.environ.get("MPLBACKEND")
    # figures of the model solution are drawn off screen, and only while it runs: a kernel
    # this process starts later must still show its figures inline
    os.environ["MPLBACKEND"] = "agg"
    try:
        os.chdir(Path(path).parent)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code" or is_check(cell) or is_variant_cell(cell):
                continue
            if "self-study" in (cell.get("metadata", {}).get("tags") or []):
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, f"<{Path(path).name} cell {index + 1}>", "exec"), namespace)
    finally:
        os.chdir(here)
        if backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = backend
    return namespace


def model_answers(path: str | Path, variant: str) -> dict[str, object]:
    """The declared answers of the source notebook at ``path`` for ``variant``, by name."""
    namespace = model_namespace(path, variant)
    names = [name for names in declared_answers(_read(path)).values() for name in names]
    return {name: namespace[name] for name in names if name in namespace}


def plain(value):
    """A model answer as JSON data: numbers, truth values, texts, lists, and Series as {label: value}."""
    import numpy as np
    import pandas as pd

    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, pd.Series):
        return {str(label): plain(item) for label, item in value.items()}
    if isinstance(value, pd.DataFrame):
        return {"columns": [str(column) for column in value.columns], "rows": len(value)}
    return f"<{type(value).__name__}>"


# ------------------------------------------------------------------------------ the registry


def registry_path(root: Path, assignment: str) -> Path:
    return Path(root) / REGISTRY_FOLDER / f"{assignment}.json"


def read_registry(root: Path, assignment: str) -> dict[str, dict]:
    """Student -> record, as written; an empty dict when nothing is recorded yet."""
    path = registry_path(root, assignment)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))["students"]
    except (ValueError, KeyError) as error:
        raise CourseError(f"the variant registry {path} cannot be read ({error}); restore it from a backup or "
                          f"record it again with: cxlab variant {assignment} --refresh") from error


def write_registry(root: Path, assignment: str, records: dict[str, dict]) -> Path:
    path = registry_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({"assignment": assignment, "students": dict(sorted(records.items()))},
                                    indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def source_notebooks(root: Path, assignment: str) -> list[Path]:
    from ..config import course_api

    _, coursedir = course_api(root)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    return sorted(folder.glob("*.ipynb"))


def uses_variants(root: Path, assignment: str) -> bool:
    """Whether the assignment's source notebooks have a ``VARIANT`` cell."""
    return any(is_variant_cell(cell) for path in source_notebooks(root, assignment) for cell in _read(path).cells)


def make_record(root: Path, assignment: str, student: str, variant: str | None = None) -> dict:
    """A fresh record: the variant (the student's id unless given), its fingerprint and answers."""
    from ...data import variants

    variant = variants.check_variant(student if variant is None else variant)
    if variant == variants.BOOK or variants.is_practice_code(variant):
        raise CourseError(f"{variant!r} is public (the book's data or a practice code, whose value checks are "
                          f"published): a student cannot be graded on it")
    data = variants.exercise(assignment, variant)
    answers = {}
    for path in source_notebooks(root, assignment):
        answers.update({name: plain(value) for name, value in model_answers(path, variant).items()})
    return {"variant": variant, "generator_version": variants.GENERATOR_VERSION, "fingerprint": data.fingerprint,
            "task": dict(data.task), "answers": answers,
            "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def record_students(root: Path, assignment: str, students: list[str]) -> list[str]:
    """Record every student of ``students`` who has no record yet; the ones recorded."""
    records = read_registry(root, assignment)
    new = [student for student in students if student not in records]
    for student in new:
        records[student] = make_record(root, assignment, student)
    if new:
        write_registry(root, assignment, records)
    return new


def stale_records(root: Path, assignment: str, students: list[str]) -> list[tuple[str, str, str]]:
    """(student, recorded fingerprint, fingerprint now) of each student whose data changed."""
    from ...data import variants

    records = read_registry(root, assignment)
    stale = []
    for student in students:
        record = records.get(student)
        if record is None:
            continue
        now = variants.exercise(assignment, record["variant"]).fingerprint
        if now != record["fingerprint"] or record.get("generator_version") != variants.GENERATOR_VERSION:
            stale.append((student, record["fingerprint"], now))
    return stale


def refresh_records(root: Path, assignment: str, students: list[str] | None = None) -> dict[str, dict]:
    """Record the students again with the generator as it is now; per student, the answers that changed."""
    records = read_registry(root, assignment)
    changes = {}
    for student in students or sorted(records):
        old = records.get(student, {})
        new = make_record(root, assignment, student, old.get("variant"))
        changed = {name: {"was": old.get("answers", {}).get(name), "now": value}
                   for name, value in new["answers"].items() if old.get("answers", {}).get(name) != value}
        if changed or old.get("fingerprint") != new["fingerprint"]:
            changes[student] = changed
        records[student] = new
    write_registry(root, assignment, records)
    return changes


# ------------------------------------------------------------------------- the notebook's VARIANT

_ASSIGNED = re.compile(r"""^VARIANT[ \t]*=[ \t]*(?P<quote>["'])(?P<value>[^"'\n\\]{0,200})(?P=quote)[ \t]*(?:#[^\n]*)?$""",
                       re.MULTILINE)
#: Characters of a cell read when looking for VARIANT (a submitted cell may be huge).
_READ_LIMIT = 200_000


def notebook_variant(notebook) -> str | None:
    """The ``VARIANT`` a submitted notebook names: its last top-level ``VARIANT = "..."`` line.

    Read as text, never run: a submission is data. None when no cell sets it to plain text.

    >>> import nbformat
    >>> notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('VARIANT = "s1001"  # me')])
    >>> notebook_variant(notebook)
    's1001'
    """
    found = None
    for cell in notebook.cells:
        if cell.get("cell_type") != "code" or not isinstance(cell.get("source"), str):
            continue
        for match in _ASSIGNED.finditer(cell.source[:_READ_LIMIT]):
            found = match.group("value").strip()
    return found


def variant_notes(student: str, graded_on: str, named: str | None, others: dict[str, str],
                  assignment: str) -> tuple[list[str], list[str]]:
    """(reasons, findings) about the variant a notebook names, for the grading record.

    ``others`` maps each other student's variant to that student. Naming another
    student's variant is a finding (the instructor looks at it); naming none, a practice
    code or a typo is a reason in the summary, with the command to grade the notebook on
    the variant it names where that is allowed.
    """
    from ...data import variants

    if named == graded_on:
        return [], []
    if named is None:
        return [f"the notebook sets no VARIANT as plain text: graded on {student}'s own variant {graded_on!r}"], []
    shown = named[:64]
    if named in others and others[named] != student:
        return [], [f"VARIANT names {others[named]!r}, another student's variant: graded on {student}'s own "
                    f"variant {graded_on!r}"]
    if named == variants.BOOK or variants.is_practice_code(named):
        return [f"VARIANT is {shown!r}, a public variant: graded on {student}'s own variant {graded_on!r}"], []
    try:
        variants.check_variant(named)
    except (TypeError, ValueError):
        # no command to copy: the text is the student's, and a shell would run what it holds
        return [f"VARIANT {shown!r} is not a variant (letters, digits and . _ @ + - only): graded on {student}'s "
                f"own variant {graded_on!r}"], []
    command = (f"cxlab variant {shlex.quote(assignment)} --student {shlex.quote(student)} --set {shlex.quote(named)} "
               f"&& cxlab grade {shlex.quote(assignment)} --student {shlex.quote(student)} --force")
    return [f"VARIANT {shown!r} names no student: graded on {student}'s own variant {graded_on!r}; if it was an "
            f"honest slip, grade it on {shown!r} with: {command}"], []


def set_variant(root: Path, assignment: str, student: str, variant: str) -> dict:
    """Grade ``student`` on ``variant`` from now on (an instructor's decision, for example after
    an honest slip in the notebook's ``VARIANT``); the new record."""
    records = read_registry(root, assignment)
    records[student] = make_record(root, assignment, student, variant)
    records[student]["set_by_instructor"] = True
    write_registry(root, assignment, records)
    return records[student]


def roster_rows(root: Path, assignment: str, students: list[str]) -> list[dict]:
    """One row per student for an LMS: student, variant, data fingerprint, generator version
    (recording the students not recorded yet); no answers."""
    record_students(root, assignment, students)
    records = read_registry(root, assignment)
    return [{"student": student, "variant": records[student]["variant"], "fingerprint": records[student]["fingerprint"],
             "generator_version": records[student]["generator_version"]}
            for student in sorted(set(students) | set(records))]
