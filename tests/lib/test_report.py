"""cxlab.report.survey_report and `cxlab survey-report`: the numbers are the library's, the page stands alone."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import cxlab
from cxlab import drivers as cxdrivers
from cxlab.course.cli import main
from cxlab.data import load_survey
from cxlab.report import format_number, survey_report

from .messy_exports import CASES, polish_tool

pytest.importorskip("jinja2")

COURSE = dict(score="recommend", csat="satisfaction", ces="effort", segment="channel", period="quarter",
              drivers=["satisfaction", "effort"])


@pytest.fixture(scope="module")
def course_report():
    return survey_report(load_survey(), **COURSE)


def numbers_in(page: str) -> dict[str, float]:
    soup = BeautifulSoup(page, "html.parser")
    return {element["data-key"]: float(element["data-number"]) for element in soup.select("[data-key]")}


def shown_in(page: str) -> dict[str, str]:
    soup = BeautifulSoup(page, "html.parser")
    return {element["data-key"]: element.get_text(strip=True) for element in soup.select("[data-key]")}


def expected_numbers() -> dict[str, float]:
    """What the library returns for the course survey, keyed as the page keys its numbers."""
    survey = load_survey()
    q1, q2 = (survey[survey["quarter"] == quarter] for quarter in ("2026-Q1", "2026-Q2"))
    expected = {}
    for quarter, part in (("2026-Q1", q1), ("2026-Q2", q2)):
        for prefix, result in (("nps", cxlab.nps(part["recommend"])), ("csat:satisfaction", cxlab.csat(part["satisfaction"])),
                               ("ces:effort", cxlab.ces(part["effort"]))):
            for name in ("value", "low", "high", "n"):
                expected[f"{prefix}|{quarter}|{name}"] = getattr(result, name)
    change = cxlab.nps_test(q2["recommend"], q1["recommend"])
    for name in ("value", "low", "high", "pvalue"):
        expected[f"change:recommend|{name}"] = getattr(change, name)
    both = survey[["satisfaction", "quarter"]].assign(satisfaction=survey["satisfaction"] >= 4)
    csat_change = cxlab.compare_groups(both, "satisfaction", "quarter", kind="proportion", order=("2026-Q2", "2026-Q1"))
    for name in ("value", "low", "high"):
        expected[f"change:satisfaction|{name}"] = 100 * getattr(csat_change, name)
    expected["change:satisfaction|pvalue"] = csat_change.pvalue
    ces_change = cxlab.compare_groups(survey.astype({"effort": float}), "effort", "quarter", kind="mean",
                                      order=("2026-Q2", "2026-Q1"))
    for name in ("value", "low", "high", "pvalue"):
        expected[f"change:effort|{name}"] = getattr(ces_change, name)
    segments = cxlab.segment_table(q2, "recommend", by="channel", adjust="holm")
    for channel, row in segments.iterrows():
        for name in ("value", "low", "high", "n", "pvalue_adjusted"):
            expected[f"segment|{channel}|{name}"] = row[name]
    weights = cxdrivers.relative_weights(q2, "recommend", ["satisfaction", "effort"])
    for name, weight in weights.items():
        expected[f"driver|{name}|weight"] = weight
        expected[f"driver|{name}|share"] = 100 * weight / weights.attrs["r_squared"]
    expected["quality|rows_read"] = expected["quality|rows_kept"] = len(survey)
    return expected


def test_every_number_in_the_page_is_the_librarys(course_report):
    shown = numbers_in(course_report.html)
    expected = expected_numbers()
    assert set(shown) == set(expected)
    for key, value in expected.items():
        assert shown[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key


def test_numbers_are_written_in_the_languages_style(course_report):
    polish = survey_report(load_survey(), **COURSE, lang="pl")
    assert numbers_in(polish.html) == numbers_in(course_report.html)
    english, polish_text = shown_in(course_report.html), shown_in(polish.html)
    for key, value in numbers_in(course_report.html).items():
        if key.endswith(("|n", "rows_read", "rows_kept")):
            continue
        if "pvalue" in key:
            continue
        digits = 2 if key.startswith("ces") or key.startswith("change:effort") else 3 if key.endswith("weight") else 1
        signed = key.startswith("change")
        assert english[key] == format_number(value, digits, "en", sign=signed), key
        assert polish_text[key] == format_number(value, digits, "pl", sign=signed), key
        if "." in english[key]:
            assert "," in polish_text[key] and "." not in polish_text[key]
    assert english["quality|rows_read"] == "2,000" and polish_text["quality|rows_read"] == "2\u00a0000"
    assert '<html lang="pl">' in polish.html and "Czego ten raport nie powie" in polish.html


def test_format_number_reference_cases():
    assert format_number(-15.13, 1, "pl") == "\u221215,1"
    assert format_number(-0.04, 1, "en") == "0.0"
    assert format_number(1234567.891, 2, "pl") == "1\u00a0234\u00a0567,89"
    assert format_number(3.0, 1, "en", sign=True) == "+3.0"
    assert format_number(float("nan")) == "–"


def test_the_change_is_said_in_plain_words():
    survey = load_survey()
    fell = pd.concat([survey.assign(quarter="2026-Q1"),
                      survey.assign(quarter="2026-Q2", recommend=(survey["recommend"] - 2).clip(lower=0))])
    report = survey_report(fell, score="recommend", period="quarter")
    change = report.numbers["change"]["nps"]
    assert change.high < 0
    expected = (f"A real fall of {format_number(-change.high, 1)} to {format_number(-change.low, 1)} NPS points")
    assert expected in report.html
    polish = survey_report(fell, score="recommend", period="quarter", lang="pl")
    assert f"Rzeczywisty spadek o {format_number(-change.high, 1, 'pl')} do {format_number(-change.low, 1, 'pl')}" in polish.html
    steady = survey_report(load_survey(), score="recommend", period="quarter")
    assert "Within the noise" in steady.html and steady.numbers["change"]["nps"].pvalue > 0.05


def test_segments_are_marked_only_after_adjustment(course_report):
    table = course_report.numbers["segments"]
    soup = BeautifulSoup(course_report.html, "html.parser")
    for channel, row in table.iterrows():
        cells = soup.find("th", string=channel).find_parent("tr").get_text(" ", strip=True)
        marked = "than the rest" in cells
        assert marked == (row["pvalue_adjusted"] < 0.05), channel
    # Two segments with the same NPS and different shapes show different bars.
    same_nps = pd.DataFrame({"g": ["flat"] * 20 + ["split"] * 20,
                             "s": [8] * 20 + [10] * 10 + [0] * 10})
    report = survey_report(same_nps, score="s", segment="g")
    assert report.numbers["segments"]["value"].tolist() == [0.0, 0.0]
    bars = re.findall(r'<svg class="bars".*?</svg>', report.html)
    assert len(set(bars[1:])) == 2


def test_the_page_stands_alone(course_report):
    page = course_report.html
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None and soup.find("link") is None and soup.find("img") is None
    assert not re.search(r"""(src|href)=["'](?!#)""", page), "a reference to another file or host"
    assert "url(" not in page and "@import" not in page
    assert [h.name for h in soup.select("h1")] == ["h1"]
    assert "@media print" in page


@pytest.mark.parametrize("make", CASES, ids=[make.__name__ for make in CASES])
def test_every_messy_export_gives_a_report_that_lists_what_was_changed(make, tmp_path):
    case = make(tmp_path)
    report = survey_report(case.path, score=case.score, segment=case.segment)
    kept = case.kept_scores()
    assert report.numbers["nps"][None].value == cxlab.nps(kept).value
    assert report.numbers["nps"][None].n == len(kept)
    soup = BeautifulSoup(report.html, "html.parser")
    listed = {row["data-kind"]: row.select_one("td.rows").get_text() for row in soup.select("tr[data-kind]")}
    for row, kind in {**case.dropped, **case.unusable, **{row: "label" for row in case.labels}}.items():
        assert str(row) in listed[kind].split(", "), (kind, row)


def test_the_command_reads_settings_beside_the_export_and_writes_one_file(tmp_path, capsys):
    case = polish_tool(tmp_path)
    (tmp_path / "survey-report.toml").write_text(
        f'score = "{case.score}"\nsegment = "{case.segment}"\ncsat = {{ "Zadowolenie" = 5 }}\nlang = "pl"\n',
        encoding="utf-8")
    assert main(["survey-report", str(case.path), "--title", "Kwartał"]) == 0
    written = case.path.with_name("eksport_ankiety-report.html")
    page = written.read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert f"wrote {written}" in printed and "label" in printed
    assert "<title>Kwartał</title>" in page and '<html lang="pl">' in page
    nps = cxlab.nps(case.kept_scores())
    assert numbers_in(page)["nps|all|value"] == nps.value
    assert format_number(nps.value, 1, "pl") in page


def test_the_command_names_what_is_wrong(tmp_path, capsys):
    case = polish_tool(tmp_path)
    assert main(["survey-report", str(case.path), "--score", "Ocena"]) == 1
    assert "['Ocena'] not found" in capsys.readouterr().err
    (tmp_path / "survey-report.toml").write_text('scores = "x"\n')
    assert main(["survey-report", str(case.path)]) == 1
    assert "unknown setting(s) ['scores']" in capsys.readouterr().err


@pytest.mark.parametrize(("options", "pattern"), [
    ({}, r"name at least one measure"),
    ({"score": "recommend", "lang": "de"}, r"lang must be one of \('en', 'pl'\)"),
    ({"score": "recommend", "segment": "region"}, r"\['region'\] not found"),
    ({"drivers": ["effort"], "csat": "satisfaction"}, r"give score= as well"),
    ({"score": "recommend", "csat": "satisfaction:1"}, r"scale of CSAT column 'satisfaction' must be at least 2"),
])
def test_bad_options_raise_clear_errors(options, pattern):
    with pytest.raises(ValueError, match=pattern):
        survey_report(load_survey(), **options)


def test_it_shows_itself_in_jupyter_in_a_frame(course_report):
    shown = course_report._repr_html_()
    assert shown.startswith("<iframe") and "srcdoc=" in shown and "&lt;!DOCTYPE html&gt;" in shown


def test_a_weight_column_is_refused_rather_than_half_used():
    survey = load_survey().assign(w=1.0)
    with pytest.raises(ValueError, match=r"weight='w': the report cannot weight its numbers yet \(.*segment_table"):
        survey_report(survey, score="recommend", segment="channel", weight="w")
