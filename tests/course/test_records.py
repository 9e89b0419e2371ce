"""Grading records: written whole or not at all, and up to date only for the same files."""

from __future__ import annotations

from cxlab.course.grading.records import (
    grading_log,
    is_up_to_date,
    new_record,
    read_record,
    submission_fingerprint,
    write_record,
)


def test_a_record_is_up_to_date_until_the_submission_changes(tmp_path):
    folder = tmp_path / "submitted" / "1001" / "nps"
    folder.mkdir(parents=True)
    (folder / "nps.ipynb").write_text("{}")
    log_dir = grading_log(tmp_path, "nps")
    assert log_dir == tmp_path / "grading-log" / "nps"
    write_record(log_dir, new_record("1001", "nps", folder=folder))
    record = read_record(log_dir, "1001")
    assert record["status"] == "graded" and record["fingerprint"] == submission_fingerprint(folder)
    assert is_up_to_date(record, folder)
    (folder / "nps.ipynb").write_text('{"cells": []}')  # a resubmission
    assert not is_up_to_date(record, folder)
    assert not is_up_to_date({**record, "status": "busy"}, folder)
    assert list(log_dir.iterdir()) == [log_dir / "1001.json"]  # no partial file left


def test_a_missing_or_broken_record_reads_as_empty(tmp_path):
    assert read_record(tmp_path, "1001") == {}
    (tmp_path / "1002.json").write_text('{"status": "gra')
    assert read_record(tmp_path, "1002") == {}


def test_the_fingerprint_covers_names_and_contents(tmp_path):
    (tmp_path / "a.ipynb").write_text("x")
    first = submission_fingerprint(tmp_path)
    (tmp_path / "a.ipynb").rename(tmp_path / "b.ipynb")
    assert submission_fingerprint(tmp_path) != first


def test_a_submission_that_could_not_be_graded_starts_flagged_at_zero():
    record = new_record("1001", "nps", status="timed out", reasons=["killed after 720 s"])
    assert (record["flagged"], record["score"], record["reasons"]) == (True, 0.0, ["killed after 720 s"])
    assert "flagged" not in new_record("1001", "nps")
