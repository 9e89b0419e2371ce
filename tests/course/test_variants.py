"""Every student their own data, graded on the variant the gradebook gives them.

A real course (scratch copy), real ``cxlab grade`` in the sandbox, real registry:

- two honest students get full marks, each on their own data;
- a student who types a classmate's expected answers as constants gets only the points of
  questions whose answers happen to be the same for both variants;
- a notebook that names a classmate's variant is flagged and graded on its own student's;
- a typo in VARIANT is graded on the student's own variant, and the summary gives the
  command that grades it on the notebook's variant; the instructor's ``--set`` does;
- a generator change (a fingerprint that no longer matches) stops grading with a message
  naming the assignment and the students, until the deliberate ``--refresh``;
- ``cxlab variant --json`` and ``--roster`` say what the instructor needs, and no answer
  reaches the student's release.
"""

from __future__ import annotations

import csv
import json
import math

import nbformat
import pytest

from cxlab.course.cli import main
from cxlab.course.config import CourseError
from cxlab.course.grading.grade import grade
from cxlab.course.shared.variants import read_registry, registry_path, write_registry

from .submissions import LIMITS, POINTS, honest, new_course, submit

FULL = sum(POINTS.values())
CHECK_OF = {"q1_counts": "q1", "q2_score": "q2", "q3_interval": "q3", "q4_change": "q4", "q5_channels": "q5",
            "q6_sample_size": "q6", "q7_complements": "q7", "q8_holm": "q8"}


def _cli_json(course, *arguments, capsys) -> dict:
    assert main(["--root", str(course), *arguments]) == 0
    return json.loads(capsys.readouterr().out)


def _constants(answers: dict) -> str:
    return "\n".join(f"{name} = {value!r}" for name, value in answers.items())


def _typed_in(answers: dict):
    """The student version with every answer cell replaced by constants."""
    notebook = honest()
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            cell.source = "pass"
    first = next(cell for cell in notebook.cells
                 if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q1_answer")
    first.source = _constants(answers)
    return notebook


def _same(one, other) -> bool:
    if isinstance(one, float) or isinstance(other, float):
        return math.isclose(one, other, rel_tol=0, abs_tol=0.01)
    if isinstance(one, list) and isinstance(other, list):
        return sorted(map(str, one)) == sorted(map(str, other))
    return one == other


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("variants"), "course")
    submit(course, "ana", honest())
    submit(course, "bo", honest())
    submit(course, "dee", honest(), variant="ana")
    submit(course, "eve", honest(), variant="ev")
    from cxlab.course.shared.variants import make_record

    # the copier reads the classmate's expected answers (as a leaked answer sheet would give them)
    leaked = make_record(course, "nps", "ana")["answers"]
    submit(course, "cy", _typed_in(leaked))
    summary = grade("nps", root=course, **LIMITS)
    return course, summary, leaked


def _auto(record) -> float:
    return sum(score for cell, (score, _) in record["by_cell"].items() if cell != "q9_written")


def test_honest_students_get_full_marks_each_on_their_own_data(graded):
    course, summary, _ = graded
    registry = read_registry(course, "nps")
    assert registry["ana"]["variant"] == "ana" and registry["bo"]["variant"] == "bo"
    assert registry["ana"]["fingerprint"] != registry["bo"]["fingerprint"]
    for student in ("ana", "bo"):
        assert _auto(summary.records[student]) == FULL, summary.records[student]
        assert not summary.records[student]["findings"], summary.records[student]


def test_a_classmates_answers_typed_in_earn_only_what_both_variants_share(graded):
    course, summary, leaked = graded
    own = read_registry(course, "nps")["cy"]["answers"]
    by_check = {"q1_counts": ["promoters", "passives", "detractors"], "q2_score": ["nps_all"],
                "q3_interval": ["interval_low", "interval_high"], "q4_change": ["change", "change_pvalue", "change_is_noise"],
                "q5_channels": ["changed_channels", "biggest_fall"], "q6_sample_size": ["n_needed"],
                "q7_complements": ["focus_csat", "focus_ces_agree", "focus_nss"],
                "q8_holm": ["holm_pvalues", "changed_after_holm"]}
    shared = {check for check, names in by_check.items() if all(_same(leaked[name], own[name]) for name in names)}
    earned = {cell for cell, (score, maximum) in summary.records["cy"]["by_cell"].items()
              if cell != "q9_written" and score == maximum}
    assert earned == shared
    assert _auto(summary.records["cy"]) == sum(POINTS[CHECK_OF[cell]] for cell in shared) < FULL / 2


def test_a_notebook_naming_a_classmates_variant_is_flagged_and_graded_on_its_own(graded):
    _, summary, _ = graded
    record = summary.records["dee"]
    assert record["flagged"] and record["variant"] == "dee" and record["notebook_variant"] == "ana"
    assert any("VARIANT names 'ana', another student's variant" in finding for finding in record["findings"])
    assert _auto(record) < FULL


def test_a_typo_is_graded_on_the_students_own_variant_and_the_summary_gives_the_command(graded):
    course, summary, _ = graded
    record = summary.records["eve"]
    assert not record["flagged"]
    report = summary.report()
    assert "VARIANT 'ev' names no student" in report
    assert "cxlab variant nps --student eve --set ev && cxlab grade nps --student eve --force" in report
    assert _auto(record) < FULL
    # the instructor decides it was an honest slip
    assert main(["--root", str(course), "variant", "nps", "--student", "eve", "--set", "ev"]) == 0
    regraded = grade("nps", root=course, students=["eve"], force=True, **LIMITS)
    assert _auto(regraded.records["eve"]) == FULL
    assert not regraded.records["eve"]["reasons"]


def test_variant_json_and_roster(graded, capsys, tmp_path):
    course, _, leaked = graded
    capsys.readouterr()
    shown = _cli_json(course, "variant", "nps", "--student", "ana", "--json", capsys=capsys)
    assert set(shown) == {"student", "variant", "fingerprint", "answers"}
    assert shown["student"] == shown["variant"] == "ana" and shown["answers"] == leaked
    roster = tmp_path / "roster.csv"
    assert main(["--root", str(course), "variant", "nps", "--roster", str(roster)]) == 0
    rows = list(csv.DictReader(roster.open(encoding="utf-8")))
    assert {row["student"] for row in rows} >= {"ana", "bo", "cy", "dee", "eve"}
    assert set(rows[0]) == {"student", "variant", "fingerprint", "generator_version"}


def test_the_registry_never_reaches_the_release(graded):
    course, _, _ = graded
    assert registry_path(course, "nps").is_file()
    released = (course / "exercises").rglob("*")
    assert not [path for path in released if "variants" in path.parts or path.suffix == ".json"]
    text = (course / "exercises" / "nps" / "nps.ipynb").read_text(encoding="utf-8")
    answers = read_registry(course, "nps")["ana"]["answers"]
    assert str(answers["n_needed"]) not in text or answers["n_needed"] < 100


def test_a_changed_generator_stops_grading_until_the_instructor_records_again(graded):
    course, _, _ = graded
    records = read_registry(course, "nps")
    saved = json.loads(json.dumps(records))
    records["bo"]["fingerprint"] = "000000000000"
    write_registry(course, "nps", records)
    try:
        with pytest.raises(CourseError, match=r"nps: the data of 1 student\(s\) no longer match.*bo \(000000000000 ->"):
            grade("nps", root=course, students=["bo"], force=True, **LIMITS)
        assert main(["--root", str(course), "variant", "nps", "--refresh", "--student", "bo"]) == 0
        assert read_registry(course, "nps")["bo"]["fingerprint"] == saved["bo"]["fingerprint"]
    finally:
        write_registry(course, "nps", {**read_registry(course, "nps"), "bo": saved["bo"]})


def test_the_autograded_notebook_shows_the_variant_it_was_graded_on(graded):
    course, _, _ = graded
    notebook = nbformat.read(course / "autograded" / "dee" / "nps" / "nps.ipynb", as_version=4)
    (cell,) = [cell for cell in notebook.cells if "variant" in (cell.metadata.get("tags") or [])]
    assert cell.source.strip() == 'VARIANT = "ana"'
    assert "graded on the variant 'dee'" in "".join(output.get("text", "") for output in cell.outputs)


def test_a_variant_a_shell_would_run_gets_no_command_to_copy():
    from cxlab.course.shared.variants import variant_notes

    reasons, findings = variant_notes("s1", "s1", "x; rm -rf ~", {}, "nps")
    assert not findings and "is not a variant" in reasons[0] and "cxlab variant" not in reasons[0]
    reasons, _ = variant_notes("s1", "s1", "s-1", {}, "nps")
    assert reasons[0].endswith("cxlab variant nps --student s1 --set s-1 && cxlab grade nps --student s1 --force")
