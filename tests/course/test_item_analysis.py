"""Item analysis: which questions the class finds hard, as a table and a figure.

Read from the constructed class of ``graded_class.py`` (the ``graded`` fixture).
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab.course.shared.gradebook import GradebookError
from cxlab.course.results.item_analysis import item_analysis, item_analysis_figure

from .graded_class import ASSIGNMENT, POINTS, Q2_FAILURE, UNSUBMITTED, WRITTEN


@pytest.mark.slow
def test_item_analysis_gives_the_constructed_shares(graded):
    table = item_analysis(ASSIGNMENT, graded.root, db_url=graded.db_url)
    assert list(table["question"]) == list(POINTS)
    assert list(table["kind"]) == [kind for kind, _ in POINTS.values()]
    rows = table.set_index("question")
    assert (rows["n"] == 4).all()
    # q2: only Ada right; Cleo and Dan fail the hidden check, Ben has no answer at all
    assert rows.loc["q2_score", "share_full_marks"] == 0.25
    assert rows.loc["q2_score", "share_zero"] == 0.75
    assert rows.loc["q2_score", "most_common_failure"] == f"{Q2_FAILURE} (2)"
    # q6: Ada and Cleo right
    assert rows.loc["q6_sample_size", "share_full_marks"] == 0.5
    # the other autograded questions: all but the untouched exercise
    for question in ("q1_counts", "q3_interval", "q4_change", "q5_channels", "q7_complements"):
        assert rows.loc[question, "share_full_marks"] == 0.75, question
        assert rows.loc[question, "share_zero"] == 0.25, question
        assert rows.loc[question, "mean_share"] == pytest.approx(0.75), question
        assert rows.loc[question, "most_common_failure"].startswith("NameError: ") and \
            rows.loc[question, "most_common_failure"].endswith(" (1)"), question
    assert rows.loc["q1_counts", "mean_score"] == pytest.approx(0.75 * POINTS["q1_counts"][1])
    # the written answer: Ada graded full, Ben's untouched answer 0, two wait for a grader
    assert rows.loc[WRITTEN, "kind"] == "manual"
    assert rows.loc[WRITTEN, "n_awaiting_grade"] == 2
    assert rows.loc[WRITTEN, "share_full_marks"] == 0.5
    assert rows.loc[WRITTEN, "mean_score"] == pytest.approx(POINTS[WRITTEN][1] / 2)
    assert rows.loc[WRITTEN, "most_common_failure"] == ""


@pytest.mark.slow
def test_item_analysis_of_an_assignment_nobody_submitted_is_an_error(graded):
    with pytest.raises(GradebookError, match=f"nobody has submitted '{UNSUBMITTED}'"):
        item_analysis(UNSUBMITTED, graded.root, db_url=graded.db_url)


@pytest.mark.slow
def test_item_analysis_figure_has_one_labelled_bar_per_question(graded):
    from matplotlib.figure import Figure

    table = item_analysis(ASSIGNMENT, graded.root, db_url=graded.db_url)
    figure = item_analysis_figure(table)
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    bars = ax.patches
    assert len(bars) == len(table)
    # first question at the top, bar lengths are the shares
    by_height = sorted(bars, key=lambda bar: -bar.get_y())
    # the written answer has no bar while two of its four answers wait for a grader
    expected = [0.0 if waiting else share for share, waiting in zip(table["share_full_marks"], table["n_awaiting_grade"])]
    assert [bar.get_width() for bar in by_height] == pytest.approx(expected)
    ticks = sorted(zip(ax.get_yticks(), (label.get_text() for label in ax.get_yticklabels())), reverse=True)
    assert [label for _, label in ticks] == [f"{q} ({k})" for q, k in zip(table["question"], table["kind"])]
    texts = {text.get_text() for text in ax.texts}
    assert "25% of 4" in texts and "75% of 4" in texts
    assert "awaiting grading (2 of 4)" in texts  # the written answer: two of four still wait for a grader
    assert "50% of 2" not in texts  # not a share of the two graded so far
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_item_analysis_figure_rejects_what_is_not_an_item_analysis():
    with pytest.raises(TypeError, match="pandas DataFrame"):
        item_analysis_figure([("q1", 0.5)])
    with pytest.raises(ValueError, match=r"'question' column and a 'share_full_marks' or 'mean_share'.*\['name'"):
        item_analysis_figure(pd.DataFrame({"name": ["q1"], "share": [0.5]}))
    with pytest.raises(ValueError, match="no question"):
        item_analysis_figure(pd.DataFrame({"question": [], "share_full_marks": []}))
    with pytest.raises(ValueError, match="between 0 and 1, got 75"):
        item_analysis_figure(pd.DataFrame({"question": ["q1"], "share_full_marks": [75]}))


def test_item_analysis_figure_marks_a_question_not_graded_yet():
    table = pd.DataFrame({"question": ["q1", "q8"], "share_full_marks": [1.0, float("nan")], "n": [3, 3]})
    ax = item_analysis_figure(table).axes[0]
    assert {text.get_text() for text in ax.texts} == {"100% of 3", "not graded yet"}
    assert "mean" not in ax.get_xlabel()
    means = item_analysis_figure(pd.DataFrame({"question": ["q1"], "mean_share": [0.4]})).axes[0]
    assert "mean" in means.get_xlabel() and means.patches[0].get_width() == pytest.approx(0.4)


def test_the_most_common_failure_lists_ties_as_ties():
    from cxlab.course.results.item_analysis import most_common_failure

    assert most_common_failure(["NameError: x", "AssertionError: y", "NameError: x"]) == "NameError: x (2)"
    # a tie is never broken: each of the messages hit most often is named, whatever order they came in
    tied = ["NameError: x", "AssertionError: y", "TypeError: z", "AssertionError: y", "NameError: x"]
    assert most_common_failure(tied) == "tie, 2 each: AssertionError: y | NameError: x"
    assert most_common_failure(reversed(tied)) == most_common_failure(tied)
    assert most_common_failure([]) == ""


def test_a_hand_graded_question_shows_as_pending_until_graded():
    table = pd.DataFrame({"question": ["q1", "q8"], "kind": ["auto", "manual"], "share_full_marks": [0.8, 0.0],
                          "n": [5, 5], "n_awaiting_grade": [0, 4]})
    ax = item_analysis_figure(table).axes[0]
    assert {text.get_text() for text in ax.texts} == {"80% of 5", "awaiting grading (4 of 5)"}
    widths = sorted(((bar.get_y(), bar.get_width()) for bar in ax.patches), reverse=True)
    assert [width for _, width in widths] == pytest.approx([0.8, 0.0])
