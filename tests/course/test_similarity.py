"""``cxlab similarity``: evidence of copying for review, on a class graded by the real ``cxlab grade``.

One batch of the NPS assignment, each honest student with their own code: a copy of one
with renamed variables; a copy of another with code moved between answer cells and its
added cell in another place; a student who typed a classmate's expected answers as
constants; a study group of three sharing helper functions; two independent short
solutions that look alike; one unreadable notebook and one student who handed in
nothing. The report must name the classmate whose answers were typed, first; rank the
copies and the group above every honest pair; keep honest students out of groups; not
show the look-alikes as more unusual than the copies; list what it could not read. A copy
of the course without its registry still gets code similarity and supporting signals,
and a hostile name or cell is shown escaped and bounded. The page opens in headless
Chromium with no console error, no outside request, no serious axe violation and no
sideways scrolling at 390 px.
"""

from __future__ import annotations

import json
import shutil

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from cxlab.course.cli import main
from cxlab.course.grading.grade import grade
from cxlab.course.results.code_similarity import CopydetectEngine
from cxlab.course.results.similarity import (report_html, robust_z, same_value, similarity_report,
                                             write_similarity_report)
from cxlab.course.shared.variants import make_record, record_students

from ..helpers import ROOT
from . import similarity_batch as batch
from .submissions import LIMITS, new_course, submit

HONEST = ("h1", "h2", "h3", "h4")
GROUP = ("g1", "g2", "g3")
COPIES = (("h1", "ren"), ("h2", "reo"))
AXE = ROOT / ".venv" / "book-assets" / "node_modules" / "axe-core" / "axe.min.js"


def _typed_in(answers: dict):
    code = ["\n".join(f"{name} = {value!r}" for name, value in answers.items())] + ["pass"] * 6
    return batch.notebook(code)


def _reordered(h2_notebook):
    """h2's file, with q2's code moved into q1's cell and h2's added cell moved to the top."""
    notebook = batch.copied_file(h2_notebook)
    cells = {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"): cell for cell in notebook.cells}
    cells["q1_answer"].source += "\n" + cells["q2_answer"].source
    cells["q2_answer"].source = "pass"
    added = next(cell for cell in notebook.cells if cell.get("id") == "a1b2c3d4-h2-added")
    notebook.cells.remove(added)
    index = notebook.cells.index(cells["q1_answer"])
    notebook.cells.insert(index, added)
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("similarity"), "course")
    stamp = "2026-12-01 10:{:02d}:00"
    notebooks = {student: batch.notebook(code, batch.WRITTEN[student]) for student, code in batch.HONEST_CODE.items()}
    notebooks["h2"] = batch.add_cell(notebooks["h2"], "q5_answer", "QUARTERS = ('2026-Q1', '2026-Q2')\nimport itertools",
                                     cell_id="a1b2c3d4-h2-added")
    notebooks["ren"] = batch.notebook(batch.renamed(batch.HONEST_CODE["h1"]), batch.WRITTEN["h1"].replace("I would", "we should"))
    notebooks["reo"] = _reordered(notebooks["h2"])
    for student, code in batch.GROUP_CODE.items():
        notebooks[student] = batch.add_cell(batch.notebook(code), "q1_answer", batch.GROUP_HELPER)
    for student, code in batch.LOOK_ALIKE_CODE.items():
        notebooks[student] = batch.notebook(code)
    notebooks["typer"] = _typed_in(make_record(course, "nps", "h3")["answers"])
    minutes = {"h1": 0, "ren": 4, "h2": 20, "reo": 50, "h3": 30, "typer": 33, "h4": 40, "g1": 45, "g2": 47, "g3": 58}
    for student, notebook in notebooks.items():
        submit(course, student, notebook, timestamp=stamp.format(minutes.get(student, 15)))
    submit(course, "bad", b'{"cells": [{"cell_type": "code", "source": ')
    record_students(course, "nps", ["gone"])  # a registered student who handed in nothing
    summary = grade("nps", root=course, **LIMITS)
    return course, summary


@pytest.fixture(scope="module")
def report(graded):
    course, _ = graded
    return similarity_report("nps", course)


def _pair(report, one, other):
    return next(p for p in report.pairs if {p.first, p.second} == {one, other})


def test_grading_keeps_each_checks_answers_in_the_record(graded):
    course, summary = graded
    record = json.loads((course / "grading-log" / "nps" / "h1.json").read_text())
    assert set(record["answers"]) >= {"q1_counts", "q2_score", "q7_complements"}
    assert json.loads(record["answers"]["q2_score"])["nps_all"]
    assert summary.records["h1"]["status"] == "graded"


def test_answers_typed_from_a_classmate_name_the_classmate_first(report):
    first = report.answer_findings[0]
    assert (first.submitter, first.other) == ("typer", "h3"), report.answer_findings[:3]
    assert len(first.matches) >= 8 and first.strength == max(f.strength for f in report.answer_findings)
    assert all(match.shared_by >= 1 for match in first.matches)
    assert "h3" in report.top_lines()[0] and "typer" in report.top_lines()[0]


def test_copies_and_the_group_rank_above_every_honest_pair(report):
    honest_pairs = [p for p in report.pairs if p.first in HONEST and p.second in HONEST]
    flagged = [_pair(report, *pair) for pair in COPIES] + [_pair(report, a, b) for a in GROUP for b in GROUP if a < b]
    ranks = {(p.first, p.second): rank for rank, p in enumerate(report.pairs)}
    assert max(ranks[(p.first, p.second)] for p in flagged) < min(ranks[(p.first, p.second)] for p in honest_pairs)
    assert all(p.unusual for p in flagged) and not any(p.unusual for p in honest_pairs)
    assert report.groups == [GROUP]
    assert not {student for group in report.groups for student in group} & set(HONEST)
    look_alike = _pair(report, "la1", "la2")
    assert look_alike.z <= min(_pair(report, *pair).z for pair in COPIES)
    assert max(p.percentile for p in flagged) == 100.0


def test_supporting_signals_and_close_times(report):
    kinds = {(signal.kind, signal.students) for signal in report.signals}
    assert ("identical created cell ids", ("h2", "reo")) in kinds
    assert any(kind == "near-identical written answer" and students == ("h1", "ren") for kind, students in kinds)
    assert report.timing.get(("h1", "ren")) == 4.0
    assert ("h4", "g1") not in report.timing  # close in time, but in no finding together


def test_missing_and_unreadable_are_listed_and_do_not_stop_the_report(graded, report, capsys):
    course, _ = graded
    assert report.missing == ["gone"] and "unreadable" in report.unreadable["bad"]
    assert main(["--root", str(course), "similarity", "nps"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) <= 10 and out[-1].startswith("wrote ")
    assert any("not read: gone" in line for line in out) and any("not read: bad" in line for line in out)
    page = (course / "similarity" / "nps.html").read_text()
    assert "gone: no submission" in page and "bad: unreadable" in page
    assert "cheat" not in page.lower() and "evidence for an instructor" in page


def test_without_a_registry_code_and_signals_remain_and_hostile_text_is_escaped(graded, tmp_path, capsys):
    course, _ = graded
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("autograded", "feedback", "similarity"))
    (copy / "variants" / "nps.json").unlink()
    hostile = "<img src=x onerror=alert(1)>" + "y" * 200
    notebook = batch.notebook(batch.HONEST_CODE["h4"])
    notebook = batch.add_cell(notebook, "q1_answer", "note = '</textarea><script>alert(2)</script>'\n" + "z = 1\n" * 30_000)
    submit(copy, hostile, notebook)
    report, path = write_similarity_report("nps", copy, output=tmp_path / "page.html")
    assert not report.uses_variants and not report.answer_findings
    assert _pair(report, "h1", "ren").unusual and ("identical created cell ids", ("h2", "reo")) in {
        (s.kind, s.students) for s in report.signals}
    assert _pair(report, "h4", hostile).unusual
    page = path.read_text()
    assert "<script" not in page and "<img" not in page and "</textarea>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "y" * 100 not in page
    assert len(page) < 2_000_000
    assert main(["--root", str(copy), "similarity", "nps", "--json", "-o", str(tmp_path / "again.html")]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["pairs"][0]["unusual"] and "bad" in shown["unreadable"] and shown["page"].endswith("again.html")


def test_old_records_without_answers_are_said_to_be_unknown(graded, tmp_path):
    course, _ = graded
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("autograded", "feedback", "similarity"))
    record_path = copy / "grading-log" / "nps" / "typer.json"
    record = json.loads(record_path.read_text())
    del record["answers"]
    record_path.write_text(json.dumps(record))
    report = similarity_report("nps", copy)
    assert report.answers_unknown == ["typer"] and not any(f.submitter == "typer" for f in report.answer_findings)
    assert "regrade" in report_html(report)


# --------------------------------------------------------------------------- units

@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=3, max_size=40), st.floats(-5, 5))
def test_z_is_invariant_to_adding_a_constant(scores, shift):
    z, percentile = robust_z(scores)
    shifted_z, shifted_percentile = robust_z([score + shift for score in scores])
    assert np.allclose(z, shifted_z, atol=1e-6 * (1 + np.abs(z).max()))
    assert np.array_equal(percentile, shifted_percentile) or np.allclose(percentile, shifted_percentile)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 0.5), min_size=5, max_size=40))
def test_a_copied_pairs_percentile_is_100(scores):
    z, percentile = robust_z([*scores, 1.0])
    assert percentile[-1] == 100.0 and z[-1] >= z[:-1].max()


def test_the_engine_scores_a_renamed_copy_above_an_independent_solution():
    code = batch.HONEST_CODE
    documents = {"original": "\n".join(code["h1"]), "renamed": "\n".join(batch.renamed(code["h1"])),
                 "independent": "\n".join(code["h3"])}
    scores = {(p.first, p.second): p for p in CopydetectEngine(common_minimum=10).compare(documents)}
    copy = scores[("original", "renamed")]
    assert copy.score > 0.9 > scores[("independent", "original")].score
    assert copy.score > scores[("independent", "renamed")].score
    assert copy.first_lines and copy.first_lines[0][0] >= 1


def test_the_record_keeps_answers_up_to_its_bound():
    from cxlab.course.grading.execute import KEPT_ANSWERS_CHARS, RUN_ANSWERS, SandboxedExecute

    executor = SandboxedExecute()
    executor._answers = {"small": '{"x": 1}', "large": '{"x": "' + "y" * KEPT_ANSWERS_CHARS + '"}', "not run": None}
    RUN_ANSWERS.clear()
    executor._keep_answers()
    assert RUN_ANSWERS == {"small": '{"x": 1}', "large": {"dropped": "too large"}}
    RUN_ANSWERS.clear()


def test_a_variant_naming_a_classmate_is_a_finding_and_common_values_alone_are_not():
    from cxlab.course.results.similarity import answer_findings

    registry = {name: {"variant": name, "answers": {"share": share, "channel": channel}}
                for name, share, channel in [("ann", 0.25, "phone"), ("ben", 0.5, "phone"), ("cid", 0.75, "chat"),
                                             ("dot", 0.8, "phone"), ("eli", 0.9, "phone")]}
    submitted = {"ann": {"q": {"share": 0.25, "channel": "phone"}},  # her own
                 "cid": {"q": {"share": 0.75, "channel": "phone"}},  # a channel four classmates expect
                 "eli": {"q": {"share": 0.9, "channel": "phone"}}}
    records = {"eli": {"variant": "eli", "notebook_variant": "ben"}}
    findings, weak = answer_findings(submitted, registry, records)
    assert [(f.submitter, f.other, f.names_variant) for f in findings] == [("eli", "ben", True)]
    assert weak == 4 and "VARIANT names ben" in findings[0].seen()


def test_same_value_reads_rounded_numbers_but_not_near_misses():
    assert same_value(54.44, 54.4444) and not same_value(54.4, 54.44) and not same_value(1, True)
    assert same_value(["phone", "chat"], ["chat", "phone"]) and not same_value(0.0012, 0.001)


# --------------------------------------------------------------------------- in a browser

@pytest.fixture(scope="module")
def served(graded):
    course, _ = graded
    folder = course / "similarity"
    write_similarity_report("nps", course, output=folder / "nps.html")
    from ..book.browsing import serving

    with serving(folder) as url:
        yield f"{url}/nps.html"


@pytest.fixture(scope="module")
def browser():
    from ..book.browsing import chromium

    with chromium("SIMILARITY REPORT BROWSER TESTS") as instance:
        yield instance


def _open(browser, url, **device):
    from ..book.test_survey_report import open_page

    return open_page(browser, url, **device)


def test_the_page_opens_clean_offline_and_passes_axe(served, browser):
    if not AXE.is_file():
        pytest.fail(f"axe-core missing at {AXE}: run `make test`, which installs the book's scripts")
    context, page, record = _open(browser, served)
    assert record["errors"] == [] and record["requests"] == []
    assert page.evaluate("() => document.scripts.length") == 0
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => { const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    context.close()


def test_the_page_reads_on_a_phone(served, browser):
    context, page, record = _open(browser, served, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert record["errors"] == [] and record["requests"] == []
    context.close()
