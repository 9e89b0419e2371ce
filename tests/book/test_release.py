"""Release safety: sources run and pass, exercises are generated from them, and no answer leaks.

Everything here uses real parts: real kernels (nbclient), nbgrader's own
generate_assignment and autograde, and the real SQLite gradebook.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from nbgrader.api import Gradebook

from cxlab.course import assign, load_config

from ..helpers import (
    HIDDEN_REGION,
    MARKERS,
    ROOT,
    assignment_names,
    nbgrader_meta,
    secret_lines,
    source_notebooks,
)

ASSIGNMENTS = assignment_names()


def test_every_assignment_has_source_and_exercise():
    assert ASSIGNMENTS, "no assignment in solutions/"
    for name in ASSIGNMENTS:
        assert (ROOT / "exercises" / name / f"{name}.ipynb").is_file(), name


@pytest.mark.parametrize("notebook_path", source_notebooks(), ids=lambda p: p.parent.name)
def test_source_notebooks_are_stored_without_outputs(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("notebook_path", source_notebooks(), ids=lambda p: p.parent.name)
def test_solution_notebook_runs_and_passes_every_test(notebook_path, tmp_path):
    """The instructor's version, hidden tests included, runs top to bottom without an error."""
    notebook = nbformat.read(notebook_path, as_version=4)
    graded = [cell for cell in notebook.cells if nbgrader_meta(cell).get("grade") and cell.cell_type == "code"]
    hidden = [cell for cell in graded if "BEGIN HIDDEN TESTS" in cell.source]
    assert len(graded) >= 6, "an assignment needs at least six autograded questions"
    assert len(hidden) >= 6, "every autograded question needs hidden tests"
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert errors == []


@pytest.mark.parametrize("notebook_path", source_notebooks(), ids=lambda p: p.parent.name)
def test_assignment_has_a_manually_graded_written_answer(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    written = [
        cell for cell in notebook.cells
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution") and nbgrader_meta(cell).get("grade")
    ]
    assert written and all(nbgrader_meta(cell).get("points", 0) > 0 for cell in written)


def normalised(notebook_path: Path) -> list[tuple]:
    """Cell types, sources and nbgrader metadata: what a fresh generation must reproduce."""
    notebook = nbformat.read(notebook_path, as_version=4)
    return [(cell.cell_type, cell.source, json.dumps(nbgrader_meta(cell), sort_keys=True)) for cell in notebook.cells]


def test_exercises_equal_a_fresh_generation(course, tmp_path):
    release = tmp_path / "fresh"
    assign(root=course, release_directory=release, db_url=f"sqlite:///{tmp_path / 'gradebook.db'}")
    generated = sorted(path.relative_to(release) for path in release.rglob("*") if path.is_file())
    committed = sorted(path.relative_to(ROOT / "exercises") for path in (ROOT / "exercises").rglob("*") if path.is_file())
    assert committed == generated, "exercises/ holds other files than generate_assignment makes: run `make assignments`"
    for relative in generated:
        if relative.suffix == ".ipynb":
            assert normalised(ROOT / "exercises" / relative) == normalised(release / relative), (
                f"exercises/{relative} drifted from solutions/: run `make assignments`"
            )


def test_no_secret_reaches_exercises():
    secrets = {name: secret_lines(ROOT / "solutions" / name / f"{name}.ipynb") for name in ASSIGNMENTS}
    assert all(secrets.values()), "the scan found no solution lines to look for"
    for path in (ROOT / "exercises").rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        for marker in MARKERS:
            assert marker not in text, f"{marker!r} in {path}"
        for name, lines in secrets.items():
            leaked = [line for line in lines if line in text]
            assert not leaked, f"{path} shows instructor-only lines of {name}: {leaked[:3]}"


def test_no_secret_reaches_the_built_book(built_book):
    secrets = set().union(*(secret_lines(ROOT / "solutions" / name / f"{name}.ipynb") for name in ASSIGNMENTS))
    pages = [path for path in built_book.rglob("*") if path.suffix in {".html", ".ipynb", ".txt", ".js", ".md", ".py"}]
    assert any(path.name == "index.html" for path in pages)
    assert not any("solutions" in path.relative_to(built_book).parts for path in built_book.rglob("*"))
    for path in pages:
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = BeautifulSoup(raw, "html.parser").get_text() if path.suffix == ".html" else raw
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in nbformat.reads(raw, as_version=4).cells)
        for marker in MARKERS:
            assert marker not in text, f"{marker!r} in {path}"
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{path.relative_to(built_book)} shows instructor-only lines: {leaked[:3]}"


def autograde_scores(course: Path, tmp_path: Path, submissions: dict[str, Path], assignment: str) -> dict[str, dict]:
    """Submit notebooks as students, run nbgrader autograde, read the real gradebook."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assign([assignment], root=course, db_url=db_url)
    config = load_config(course, db_url=db_url)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for student, notebook in submissions.items():
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True)
        shutil.copy(notebook, target / f"{assignment}.ipynb")
        outcome = api.autograde(assignment, student)
        assert outcome["success"], outcome.get("log", "") + outcome.get("error", "")

    scores = {}
    with Gradebook(db_url) as gradebook:
        for student in submissions:
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
            auto = [grade for grade in notebook.grades if grade.cell.cell_type == "code"]
            scores[student] = {
                "by_cell": {grade.cell.name: (grade.auto_score or 0, grade.max_score) for grade in auto},
                "auto_score": sum(grade.auto_score or 0 for grade in auto),
                "auto_max": sum(grade.max_score for grade in auto),
                "needs_manual_grade": any(grade.needs_manual_grade for grade in notebook.grades),
                "failed_checks": sum(1 for grade in auto if (grade.auto_score or 0) < grade.max_score),
            }
    return scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_autograde_solution_full_marks_and_untouched_exercise_zero(assignment, course, tmp_path):
    scores = autograde_scores(
        course,
        tmp_path,
        {
            "solution-as-student": ROOT / "solutions" / assignment / f"{assignment}.ipynb",
            "untouched-exercise": ROOT / "exercises" / assignment / f"{assignment}.ipynb",
        },
        assignment,
    )
    solved, untouched = scores["solution-as-student"], scores["untouched-exercise"]
    assert solved["auto_max"] > 0
    assert solved["auto_score"] == solved["auto_max"], solved
    assert untouched["auto_score"] == 0, untouched
    assert untouched["failed_checks"] > 0
    # A written answer waits for a person (an untouched one nbgrader scores 0 by itself).
    assert solved["needs_manual_grade"]


# Plausible wrong answers: each has the right form, so the visible checks pass, and
# only the hidden tests can tell it is wrong. Answer cell -> replacement, and the
# graded cells that must lose their points.
WRONG_BUT_WELL_FORMED = {
    "nps": (
        {
            "q2_answer": "nps_all = 100 * (promoters - detractors) / len(survey) + 5.0",
            "q6_answer": "n_needed = 1000",
        },
        {"q2_score", "q6_sample_size"},
    ),
    "certification": (
        {
            # the groups the wrong way round
            "q1_answer": (
                'naive = cxlab.compare_groups(teams, OUTCOME, "certificate", order=("none", "certified"))\n'
                "naive_difference, naive_low, naive_high = naive.difference, naive.low, naive.high"
            ),
            # budget and size forgotten
            "q4_answer": (
                'model = cxlab.adjusted_effect(teams, OUTCOME, "certificate", controls=["maturity"])\n'
                "adjusted, adjusted_pvalue = model.effect, model.pvalue\n"
                "certificate_significant = bool(model.pvalue < 0.05)"
            ),
            # the panel treated as repeated cross-sections: same estimate, wrong interval
            "q5_answer": (
                'fix = cxlab.diff_in_diff(panel, PANEL_OUTCOME, "arm", "period", treated="process fix", control="none")\n'
                "fix_effect, fix_low, fix_high = fix.estimate, fix.low, fix.high"
            ),
        },
        # question 3's share left divides by question 1's naive difference: the reversed groups carry over
        {"q1_naive", "q3_mantel_haenszel", "q4_adjusted", "q5_process_fix"},
    ),
    "butterfly": (
        {
            # the mean where the median was asked
            "q1_answer": (
                "customers = cxjourney.simulate(loan, n_customers=50_000, seed=SEED_CUSTOMERS)\n"
                'median_days = float(customers["total_days"].mean())\n'
                'p90_days = float(customers["total_days"].quantile(0.9))\n'
                'share_late = float((customers["total_days"] > loan.expected_days).mean())'
            ),
            # another seed: a different sample of customers
            "q3_answer": (
                "slow = loan.with_step(DELAY_STEP, mean_days=DELAY_DAYS)\n"
                "delay = cxjourney.what_if(loan, slow, n_customers=50_000, seed=SEED_DELAY + 1)\n"
                "delay_nps_change, delay_nps_low, delay_nps_high = delay.nps_change, delay.nps_low, delay.nps_high"
            ),
            # the letter made worse than the question says (clarity 0.1 below UNCLEAR_CLARITY)
            "q5_answer": (
                "jargon = loan.with_step(UNCLEAR_STEP, clarity=UNCLEAR_CLARITY - 0.1)\n"
                "letter = cxjourney.what_if(loan, jargon, n_customers=100_000, seed=SEED_UNCLEAR)\n"
                "letter_churn_per_10k = letter.churn_change_per_10k\n"
                "letter_churn_low, letter_churn_high = letter.churn_low, letter.churn_high"
            ),
        },
        {"q1_time", "q3_delay", "q5_letter"},
    ),
    "ex-cx": (
        {
            # correlations pooled across branches instead of within them
            "q4_answer": (
                'lags = linkage.lagged_correlation(panel, "enps", OUTCOME, "branch", "quarter", lags=[0, 1])\n'
                'outcome_now, outcome_next = float(lags.loc[0, "value"]), float(lags.loc[1, "value"])'
            ),
            # drivers ranked by their correlation instead of their relative weight
            "q5_answer": (
                'location = outcomes.drop_duplicates("branch").set_index("branch")["location"]\n'
                'customers = loyalty[loyalty["branch"].map(location) == SEGMENT]\n'
                'segment_ranking = (customers[TOUCHPOINTS].corrwith(customers["recommend"])\n'
                '                   .sort_values(ascending=False).index.tolist())\n'
                'segment_r_squared = float(drivers.relative_weights(customers, "recommend", TOUCHPOINTS).sum())'
            ),
        },
        {"q4_lags", "q5_ranking"},
    ),
    "opinions": (
        {
            # the wrong base: the non-users instead of the users
            "q3_answer": (
                'dissatisfied_users = float(cxlab.proportion(health.loc[~health["used_public"], "dissatisfied"]).value)\n'
                'base = opinions.base_gap(health, "dissatisfied", "used_public", seed=1)\n'
                "gap, gap_low, gap_high = float(base.value), float(base.low), float(base.high)"
            ),
            # the unweighted percentage where the weighted one was asked
            "q5_answer": (
                "raked = cxlab.rake(health, MARGINS)\n"
                "design_effect, effective_n = float(raked.design_effect), float(raked.effective_n)\n"
                'weighted = cxlab.proportion(health["dissatisfied"], weights=raked.weights)\n'
                'weighted_dissatisfied = float(cxlab.proportion(health["dissatisfied"]).value)'
            ),
            # the weighted share's interval from the nominal n of 1,200
            "q6_answer": (
                "nominal = cxlab.wilson_interval(round(weighted.value / 100 * len(health)), len(health))\n"
                "weighted_low, weighted_high = 100 * nominal.low, 100 * nominal.high"
            ),
        },
        {"q3_users", "q5_weights", "q6_interval"},
    ),
}


@pytest.mark.parametrize("assignment", sorted(WRONG_BUT_WELL_FORMED))
def test_hidden_tests_catch_well_formed_wrong_answers(assignment, course, tmp_path):
    """A learner whose answers pass every visible check can still lose the points."""
    replacements, expected_lost = WRONG_BUT_WELL_FORMED[assignment]
    source = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    replaced = set()
    for cell in notebook.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
            replaced.add(grade_id)
    assert replaced == set(replacements), "a replaced answer cell no longer exists"

    # As the learner sees it: the visible checks (hidden tests stripped) all pass.
    learner_view = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in learner_view.cells:
        cell.source = HIDDEN_REGION.sub("", cell.source)
    NotebookClient(learner_view, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert not [o for c in learner_view.cells for o in c.get("outputs", []) if o.output_type == "error"]

    submission = tmp_path / "wrong.ipynb"
    nbformat.write(notebook, submission)
    scores = autograde_scores(course, tmp_path, {"well-formed-but-wrong": submission}, assignment)["well-formed-but-wrong"]
    lost = {name for name, (score, maximum) in scores["by_cell"].items() if score < maximum}
    assert lost == expected_lost, scores["by_cell"]
    assert all(scores["by_cell"][name][0] == 0 for name in lost)
    assert scores["auto_score"] == scores["auto_max"] - sum(scores["by_cell"][name][1] for name in lost)
