"""Gradebook access: one writer at a time on SQLite, a zeroed submission, a submission's points."""

from __future__ import annotations

import fcntl

import pytest
from nbgrader.api import Gradebook

from cxlab.course.shared import gradebook as access
from cxlab.course.releasing.assign import assign


def test_the_lock_is_held_while_a_gradebook_is_open_and_released_after(tmp_path):
    lock = access._GradebookLock(tmp_path / "gradebook.db.lock")
    lock.acquire()
    lock.acquire()  # nested: a Gradebook opened while another is open in the same process
    with open(tmp_path / "gradebook.db.lock", "a+") as other:  # another process's view of the file
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.release()
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.release()
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)


@pytest.mark.slow
def test_a_submission_that_could_not_be_graded_scores_zero_and_is_flagged(course, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assign(["nps"], root=course, db_url=db_url)
    assert access.has_assignment(db_url, "cxlab", "nps") and not access.has_assignment(db_url, "cxlab", "nope")
    notebooks, locked = access.assignment_cells(db_url, "cxlab", "nps")
    assert notebooks == ["nps"] and {"q1_counts", "q2_score"} <= locked and "q1_answer" not in locked

    access.zero_submission(db_url, "cxlab", "nps", "1001")
    summary = access.submission_summary(db_url, "cxlab", "nps", "1001", flag=False)
    assert summary["score"] == 0 and summary["max_score"] > 0 and not summary["needs_manual_grade"]
    assert set(summary["by_cell"]) >= {"q1_counts", "q2_score"}
    with Gradebook(db_url, "cxlab") as gradebook:
        assert all(notebook.flagged for notebook in gradebook.find_submission("nps", "1001").notebooks)
    assert access.submission_summary(db_url, "cxlab", "nps", "nobody", flag=True) == {"score": 0.0, "max_score": None}
