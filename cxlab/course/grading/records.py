"""Grading records: ``grading-log/ASSIGNMENT/STUDENT.json``, one per graded student.

A record says what happened when a student was graded (status, reasons, findings,
points) and, per check cell, the answers the student's kernel handed over (``answers``: the
JSON text as it came, at most 20,000 characters a check, else ``{"dropped": "too large"}``),
kept for review by ``cxlab similarity``. It is written once the student's grading has finished, and atomically, so that
an interrupted batch regrades that student on the next run; with the fingerprint of the
submitted files, it lets ``cxlab grade`` skip what is graded already.

Imports: nothing beyond the standard library.

>>> record = new_record("1001", "nps", status="failed", reasons=["the notebook file is empty"])
>>> record["status"], record["flagged"], record["reasons"]
('failed', True, ['the notebook file is empty'])
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

RECORD_VERSION = 1
#: A student whose record has one of these statuses has been dealt with.
FINAL_STATUSES = ("graded", "failed", "timed out")


def grading_log(root: Path, assignment: str) -> Path:
    """The folder of an assignment's records."""
    return root / "grading-log" / assignment


def submission_fingerprint(folder: Path) -> str:
    """A hash of the submitted files, so that a resubmission is graded again."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def new_record(student: str, assignment: str, *, status: str = "graded", reasons: list[str] | None = None,
               folder: Path | None = None) -> dict:
    """A record to fill in; one that is not ``graded`` starts flagged with score 0.

    ``folder`` is the submission's folder, whose fingerprint the record keeps.
    """
    record = {"version": RECORD_VERSION, "student": student, "assignment": assignment, "status": status,
              "reasons": list(reasons or []), "findings": [],
              "fingerprint": submission_fingerprint(folder) if folder is not None else None}
    if status != "graded":
        record.update(flagged=True, score=0.0)
    return record


def write_record(log_dir: Path, record: dict) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    target = log_dir / f"{record['student']}.json"
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    os.replace(partial, target)


def read_record(log_dir: Path, student: str) -> dict:
    """The student's record, or an empty one when there is none or it cannot be read."""
    try:
        return json.loads((log_dir / f"{student}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_up_to_date(record: dict, folder: Path) -> bool:
    """Whether ``record`` is final and about the files now in ``folder``.

    A failure of the grader's own (``cause: "grader"``) is never final: the student is
    graded again on the next run.
    """
    return (record.get("status") in FINAL_STATUSES and record.get("cause") != "grader"
            and record.get("fingerprint") == submission_fingerprint(folder))
