"""Item analysis: which questions of an assignment the class finds hard, and why.

:func:`item_analysis` summarises each graded question from the per-question scores of
:mod:`cxlab.course.results.grades` (share with full marks, share with zero, the failed check hit
most often); :func:`item_analysis_figure` draws it. ``cxlab report`` prints and saves both.

Imports: :mod:`cxlab.course.shared.gradebook`, :mod:`cxlab.course.results.grades`,
pandas; matplotlib inside :func:`item_analysis_figure`.

The figure needs no gradebook:

>>> import pandas as pd
>>> from cxlab.course.results.item_analysis import item_analysis_figure
>>> table = pd.DataFrame({"question": ["q1_counts", "q2_score"], "kind": ["auto", "auto"],
...                       "share_full_marks": [0.9, 0.4], "n": [20, 20]})
>>> figure = item_analysis_figure(table)
>>> len(figure.axes[0].patches)
2
"""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from ..shared.gradebook import GradebookError
from .grades import TOLERANCE, question_rows, read_grades

ITEM_COLUMNS = (
    "notebook", "question", "kind", "max_score", "n", "n_awaiting_grade", "mean_score",
    "mean_share", "share_full_marks", "share_zero", "most_common_failure",
)


def most_common_failure(messages) -> str:
    """The failure message hit most often, with its count; every one of them when tied.

    >>> most_common_failure(["B", "A", "B"])
    'B (2)'
    >>> most_common_failure(["B", "A"])
    'tie, 1 each: A | B'
    >>> most_common_failure([])
    ''
    """
    counts = Counter(messages)
    if not counts:
        return ""
    top = max(counts.values())
    leaders = sorted(message for message, count in counts.items() if count == top)
    if len(leaders) == 1:
        return f"{leaders[0]} ({top})"
    return f"tie, {top} each: " + " | ".join(leaders)


def item_analysis(assignment, root=".", *, db_url=None) -> pd.DataFrame:
    """How the class did on each graded question of one assignment.

    Parameters
    ----------
    assignment : str
        The assignment's name, as in the gradebook.
    root : str or Path
        The course folder or a folder inside it.
    db_url : str, optional
        Another gradebook than the course's, as a database URL.

    Returns
    -------
    pandas.DataFrame
        One row per graded cell, in notebook order. Columns: ``notebook``,
        ``question``, ``kind``, ``max_score``, ``n`` (submissions), ``n_awaiting_grade``
        (of those, answers still waiting for a grader), and over the ``n -
        n_awaiting_grade`` graded answers: ``mean_score``, ``mean_share``
        (``mean_score / max_score``), ``share_full_marks``, ``share_zero`` (NaN when none
        is graded yet), and ``most_common_failure``: the failed check most students hit,
        with how many, for example ``"AssertionError: nps_all does not match the survey's
        NPS (7)"``; when several messages are hit equally often, all of them, as
        ``"tie, 2 each: A | B"`` (in alphabetical order); ``""`` when no failure left
        a message.

    Raises
    ------
    GradebookError
        (a ValueError) for a missing or empty gradebook, an unknown assignment, or an
        assignment nobody has submitted yet.
    """
    if not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment name such as 'nps', got {assignment!r}")
    snapshot = read_grades(root, assignment, db_url)
    if not snapshot.submissions:
        raise GradebookError(f"nobody has submitted {assignment!r} yet (no autograded submission in the gradebook)")
    answers = question_rows(snapshot)
    (item,) = snapshot.assignments
    rows = []
    for question in item.questions:
        mine = answers[(answers["notebook"] == question.notebook) & (answers["question"] == question.name)]
        graded = mine[~mine["needs_manual_grade"]]
        scores = graded["score"]
        most_common = most_common_failure(message for message in mine["message"] if message)
        mean = float(scores.mean()) if len(scores) else math.nan
        full = question.max_score - TOLERANCE
        rows.append({
            "notebook": question.notebook,
            "question": question.name,
            "kind": question.kind,
            "max_score": question.max_score,
            "n": len(mine),
            "n_awaiting_grade": len(mine) - len(graded),
            "mean_score": mean,
            "mean_share": mean / question.max_score if question.max_score > 0 else math.nan,
            "share_full_marks": float((scores >= full).mean()) if len(scores) else math.nan,
            "share_zero": float((scores <= TOLERANCE).mean()) if len(scores) else math.nan,
            "most_common_failure": most_common,
        })
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def item_analysis_figure(table):
    """Horizontal bars of each question's share of full marks, from :func:`item_analysis`.

    Bars are in notebook order from the top, each labelled with its percentage (and
    how many graded answers it is of), so the chart reads without colour. A question
    with answers still waiting for a grader (``n_awaiting_grade`` above 0) has no bar
    until they are graded: it reads "awaiting grading (4 of 5)". Plots
    ``share_full_marks``, or ``mean_share`` when the table has only that.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with a ``question`` column and ``share_full_marks`` or ``mean_share``;
        ``kind`` and ``n`` are shown when present.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not registered with pyplot), one bar per row of ``table``.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame as item_analysis returns, got {type(table).__name__}")
    measure = next((column for column in ("share_full_marks", "mean_share") if column in table.columns), None)
    if "question" not in table.columns or measure is None:
        raise ValueError(
            "table needs a 'question' column and a 'share_full_marks' or 'mean_share' column, "
            f"as item_analysis returns; it has {list(table.columns)}"
        )
    if table.empty:
        raise ValueError("table has no question to plot")
    values = pd.to_numeric(table[measure], errors="coerce")
    outside = values[(values < 0) | (values > 1)]
    if not outside.empty:
        raise ValueError(f"{measure} must be a share between 0 and 1, got {float(outside.iloc[0])!r}")

    labels = [
        f"{question} ({kind})" if "kind" in table.columns else str(question)
        for question, kind in zip(table["question"], table["kind"] if "kind" in table.columns else table["question"])
    ]
    positions = list(range(len(table)))[::-1]  # first question at the top
    figure = Figure(figsize=(7, 0.5 * len(table) + 1.6), layout="constrained")
    ax = figure.add_subplot()
    bars = ax.barh(positions, values.fillna(0), color="#0072B2", edgecolor="black", linewidth=0.6, height=0.6)
    # Shares are over the graded answers: those still waiting for a grader do not count.
    if "n" in table.columns:
        counts = table["n"] - (table["n_awaiting_grade"] if "n_awaiting_grade" in table.columns else 0)
    else:
        counts = [None] * len(table)
    awaiting = table["n_awaiting_grade"] if "n_awaiting_grade" in table.columns else pd.Series(0, index=table.index)
    totals = table["n"] if "n" in table.columns else pd.Series(None, index=table.index)
    for bar, value, count, waiting, total in zip(bars, values, counts, awaiting, totals):
        if not pd.isna(waiting) and waiting > 0:
            value = math.nan  # a share of the answers graded so far would mislead: no bar yet
            bar.set_width(0)
            text = f"awaiting grading ({int(waiting)}" + (f" of {int(total)})" if not pd.isna(total) else ")")
        elif pd.isna(value):
            text = "not graded yet"
        else:
            text = f"{value:.0%}" + (f" of {int(count)}" if count is not None and not pd.isna(count) else "")
        # Inside a long bar (white on the dark bar), beside a short one (black on white).
        inside = not pd.isna(value) and value >= 0.3
        ax.text(
            value - 0.01 if inside else (0 if pd.isna(value) else value) + 0.01,
            bar.get_y() + bar.get_height() / 2,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "black",
            fontsize=9,
        )
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    if measure == "share_full_marks":
        ax.set_xlabel("share of graded submissions with full marks")
        ax.set_title("Item analysis: share of full marks per question")
    else:
        ax.set_xlabel("mean score as a share of the question's points")
        ax.set_title("Item analysis: mean share of the points per question")
    ax.set_ylabel("question (how it is graded)" if "kind" in table.columns else "question")
    return figure
