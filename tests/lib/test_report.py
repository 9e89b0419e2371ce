"""cxlab.report.survey_report and `cxlab survey-report`: the numbers are the library's, the page stands alone."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import cxlab
from cxlab import drivers as cxdrivers
from cxlab.cli import main
from cxlab.data import load_survey
from cxlab.periods import period_name
from cxlab.report import format_number, plural, survey_report

from . import messy_exports
from .messy_exports import CASES, REPORT_CASES, polish_tool

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


def test_the_change_is_said_in_plain_words_with_its_interval_as_an_interval():
    survey = load_survey()
    fell = pd.concat([survey.assign(quarter="2026-Q1"),
                      survey.assign(quarter="2026-Q2", recommend=(survey["recommend"] - 2).clip(lower=0))])
    report = survey_report(fell, score="recommend", period="quarter")
    change = report.numbers["change"]["nps"]
    assert change.high < 0
    shown = {lang: (format_number(-change.value, 1, lang), format_number(change.low, 1, lang, sign=True),
                    format_number(change.high, 1, lang, sign=True)) for lang in ("en", "pl")}
    size, low, high = shown["en"]
    assert f"A real fall of {size} NPS points; 95% interval: {low} to {high} (p &lt; 0.001)." in report.html
    polish = survey_report(fell, score="recommend", period="quarter", lang="pl")
    size, low, high = shown["pl"]
    assert f"Rzeczywisty spadek o {size} pkt NPS; 95% przedział: od {low} do {high} (p &lt; 0,001)." in polish.html
    assert low.startswith("\u2212") and high.startswith("\u2212") and "," in size
    assert "Ostatni okres, 2026-Q2, porównano z poprzednim, 2026-Q1." in polish.html
    steady = survey_report(load_survey(), score="recommend", period="quarter")
    steady_change = steady.numbers["change"]["nps"]
    assert steady_change.pvalue > 0.05
    assert (f"Within the noise: a change of {format_number(steady_change.value, 1, sign=True)} NPS points; the 95% "
            f"interval, {format_number(steady_change.low, 1, sign=True)} to {format_number(steady_change.high, 1, sign=True)}"
            f", includes no change (p = {format_number(steady_change.pvalue, 3)}).") in steady.html


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


# --- the exports training teams really have ------------------------------------------------

def page_text(page: str, *, code: bool = True) -> str:
    """The page's words as a reader sees them (without the option names set as code, unless ``code``)."""
    soup = BeautifulSoup(page, "html.parser")
    for element in soup(["style", "script"] + ([] if code else ["code"])):
        element.decompose()
    return " ".join(soup.get_text(" ").split())


def lines_of(survey) -> set:
    return {(row, None if pd.isna(column) else column, value, kind)
            for row, column, value, kind in survey.changes[["row", "column", "value", "kind"]].itertuples(index=False)}


@pytest.mark.parametrize("make", REPORT_CASES, ids=[make.__name__ for make in REPORT_CASES])
def test_each_real_export_gives_its_nps_per_period_counted_by_hand(make, tmp_path):
    case = make(tmp_path)
    report = survey_report(case.path, score=case.score, segment=case.segment, **case.options)
    shown = {period: result.value for period, result in report.numbers["nps"].items()}
    assert list(shown) == list(case.nps)                      # the periods in their real order, oldest first
    assert shown == pytest.approx(case.nps, abs=1e-9)
    if case.change is not None:
        previous, latest, value, verdict = case.change
        assert report.numbers["periods"][-2:] == [previous, latest]
        assert report.numbers["change"]["nps"].value == pytest.approx(value, abs=1e-9)
        soup = BeautifulSoup(report.html, "html.parser")
        assert soup.select_one(f'li.verdict[data-column="{case.score}"]')["data-verdict"] == verdict
        assert (f"The latest period, {period_name(latest)}, is compared with the one before it, "
                f"{period_name(previous)}.") in page_text(report.html)
    assert lines_of(report.survey) == case.lines
    assert set(case.notes) <= set(report.survey.notes)
    for text in case.said:
        assert text in page_text(report.html)
    for segment, value in case.segment_nps.items():
        assert report.numbers["segments"].loc[segment, "value"] == pytest.approx(value, abs=1e-9)


#: English words the Polish page must not hold. Words that Polish shares (segment, separator, to, a) are not here.
ENGLISH = set("""the and of from with for not no is are row rows line lines answer answers score scores change period
periods previous latest oldest interval value values metric metrics driver drivers weight share quality read kept left
out dropped skipped missing label labels column columns rise fall noise real within points adjustment comparisons
comparison higher lower than rest small segments distribution header above encoding detected decimal mark given order
first appear file sheet workbook total blank repeated text codes leading zeros number numbers whole scale outside
nothing changed report contents source generated causes cannot what satisfied mean bars detractors passives promoters
all each every none only marked dashed quarters months waves dates compared before after tab byte removed""".split())


def english_words(report) -> set:
    """The words of the page that are on ENGLISH, the export's own text (names, labels, values) and option names
    taken out first."""
    text = page_text(report.html, code=False)
    survey = report.survey
    data = {survey.source, *map(str, survey.table.columns), *survey.changes["value"].dropna().map(str),
            *(str(value).strip("'") for _, values in survey.details for value in values.values())}
    for column in survey.table.columns:
        if survey.table[column].dtype == object or isinstance(survey.table[column].dtype, pd.StringDtype):
            data.update(period_name(value) for value in survey.table[column].dropna().unique()[:200])
    for piece in sorted(data, key=len, reverse=True):
        if piece:
            text = text.replace(piece, " ")
    return set(re.findall(r"[^\W\d_]+", text.casefold())) & ENGLISH


@pytest.mark.parametrize("make", REPORT_CASES[:10] + [messy_exports.periods_first_appearance, messy_exports.periods_given],
                         ids=lambda make: make.__name__)
def test_the_polish_page_holds_no_english_word(make, tmp_path):
    case = make(tmp_path)
    polish = survey_report(case.path, score=case.score, segment=case.segment, lang="pl", **case.options)
    assert english_words(polish) == set()
    # The list does find English: the same page in English holds many of its words.
    english = survey_report(case.path, score=case.score, segment=case.segment, lang="en", **case.options)
    assert len(english_words(english)) >= 25


def test_the_polish_page_of_the_course_survey_holds_no_english_word():
    options = {**COURSE, "drivers": ["satisfaction", "effort"]}
    assert english_words(survey_report(load_survey(), **options, lang="pl")) == set()
    assert english_words(survey_report(load_survey(), **options, adjust="bh", lang="pl")) == set()


def test_polish_nouns_agree_with_their_counts():
    rows = ["wiersz", "wiersze", "wierszy"]
    expected = {0: "wierszy", 1: "wiersz", 2: "wiersze", 3: "wiersze", 4: "wiersze", 5: "wierszy", 11: "wierszy",
                12: "wierszy", 13: "wierszy", 14: "wierszy", 21: "wierszy", 22: "wiersze", 23: "wiersze", 24: "wiersze",
                25: "wierszy", 101: "wierszy", 102: "wiersze", 111: "wierszy", 112: "wierszy", 122: "wiersze",
                1000: "wierszy", 1002: "wiersze", 1012: "wierszy"}
    assert {count: plural(count, rows, "pl") for count in expected} == expected
    assert [plural(count, ["row", "rows"], "en") for count in (0, 1, 2, 12)] == ["rows", "row", "rows", "rows"]


@pytest.mark.parametrize(("blank_rows", "answers", "said"), [
    (2, 20, "Wczytano 22 wiersze, w analizie 20 odpowiedzi."),
    (2, 10, "Wczytano 12 wierszy, w analizie 10 odpowiedzi."),
    (1, 23, "Wczytano 24 wiersze, w analizie 23 odpowiedzi."),
    (0, 5, "Wczytano 5 wierszy, w analizie 5 odpowiedzi."),
])
def test_the_polish_page_counts_its_rows_in_agreement(blank_rows, answers, said):
    lines = ["kanał;ocena"] + [f"czat;{number % 11}" for number in range(answers)] + [";"] * blank_rows
    report = survey_report(io_bytes("\n".join(lines) + "\n"), score="ocena", lang="pl")
    assert said in page_text(report.html)


def io_bytes(text: str):
    import io

    return io.BytesIO(text.encode("utf-8"))


def test_the_polish_page_declines_counts_and_method_names(tmp_path):
    text = page_text(survey_report(messy_exports.padded_titles(tmp_path).path, score="Ocena", segment="Oddział",
                                   period="Okres", lang="pl").html)
    assert "pominięto 3 wiersze nad nagłówkiem" in text
    assert "po korekcie Holma na 2 porównania" in text and "korekcie Holm " not in text
    assert "Rzeczywisty spadek o 70,0 pkt NPS; 95% przedział: od \u2212" in text
    assert "Okresy od najstarszego: IV kw. 2025, I kw. 2026 (odczytane jako kwartały)." in text
    average = messy_exports.average_answers(tmp_path)
    text = page_text(survey_report(average.path, score=average.score, segment=average.segment, lang="pl").html)
    # Row 11 has no staff rating: one answer, one row.
    assert "1 odpowiedź bez oznaczenia segmentu (wiersz 11) liczy się we wskaźnikach" in text
    text = page_text(survey_report(load_survey(), score="recommend", segment="channel", adjust="bh", lang="pl").html)
    assert "po korekcie Benjaminiego-Hochberga na 4 porównania" in text


def test_every_note_and_kind_of_change_has_words_in_each_language():
    from cxlab.io import CHANGE_KINDS, NOTES
    from cxlab.report import LANGUAGES, _labels

    for lang in LANGUAGES:
        labels = _labels(lang)
        assert set(labels["notes"]) == set(NOTES), lang
        assert {f"kind_{kind.replace(' ', '_')}" for kind in CHANGE_KINDS} <= set(labels), lang
        assert set(labels["nouns"]) == set(_labels("en")["nouns"]), lang


def test_periods_can_be_given_and_a_wrong_order_is_named(tmp_path):
    case = messy_exports.periods_given(tmp_path)
    report = survey_report(case.path, score="Ocena", period="Etap", periods=["przed zmianą", "w trakcie", "po zmianie"])
    assert report.numbers["periods"] == ["przed zmianą", "w trakcie", "po zmianie"]
    assert report.numbers["period_order"] == "given"
    found = survey_report(case.path, score="Ocena", period="Etap")
    assert found.numbers["periods"] == ["w trakcie", "po zmianie", "przed zmianą"]   # as they first appear
    assert "Periods in the order they first appear in the file: w trakcie, po zmianie, przed zmianą." in page_text(
        found.html)
    for periods, pattern in [(["przed zmianą", "w trakcie"], r"leaves out 'po zmianie'"),
                             (["przed zmianą", "w trakcie", "po zmianie", "później"], r"names 'później', which the "
                              r"period column does not hold; its periods are 'w trakcie', 'po zmianie', 'przed zmianą'"),
                             (["w trakcie", "w trakcie", "po zmianie", "przed zmianą"], r"names 'w trakcie' more than once")]:
        with pytest.raises(ValueError, match=pattern):
            survey_report(case.path, score="Ocena", period="Etap", periods=periods)
    with pytest.raises(ValueError, match=r"give period= as well"):
        survey_report(case.path, score="Ocena", periods=["a"])


def test_the_command_takes_periods_and_the_header_row_from_the_options_or_the_settings(tmp_path, capsys):
    case = messy_exports.periods_given(tmp_path)
    assert main(["survey-report", str(case.path), "--score", "Ocena", "--period", "Etap",
                 "--periods", "przed zmianą, w trakcie,po zmianie", "-o", str(tmp_path / "a.html")]) == 0
    assert numbers_in((tmp_path / "a.html").read_text(encoding="utf-8"))["change:Ocena|value"] == -70.0
    (tmp_path / "survey-report.toml").write_text('score = "Ocena"\nperiod = "Etap"\nheader_row = 1\n'
                                                 'periods = ["przed zmianą", "w trakcie", "po zmianie"]\n',
                                                 encoding="utf-8")
    assert main(["survey-report", str(case.path), "-o", str(tmp_path / "b.html")]) == 0
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert numbers_in(page)["nps|przed zmianą|value"] == 20.0 and "header on row 1 (given)" in page
    assert main(["survey-report", str(case.path), "--periods", "w trakcie", "-o", str(tmp_path / "c.html")]) == 1
    assert "periods leaves out 'po zmianie', 'przed zmianą'; name every period" in capsys.readouterr().err


def test_an_unusable_column_is_left_out_with_its_values_and_only_no_measure_at_all_stops(tmp_path, capsys):
    case = messy_exports.all_text_item(tmp_path)
    assert main(["survey-report", str(case.path), "--score", "Polecenie", "--csat", "Zadowolenie",
                 "--period", "Kwartał", "--lang", "pl"]) == 0
    assert "left out of the report (the page's data quality says why): Zadowolenie" in capsys.readouterr().out
    page = page_text(case.path.with_name("all_text_item-report.html").read_text(encoding="utf-8"))
    assert ("Kolumnę 'Zadowolenie' pominięto w raporcie: ma 20 odpowiedzi, ale żadna nie jest liczbą (wartości takie "
            "jak 'zadowolony', 'bardzo zadowolony', 'niezadowolony', 'obojętny').") in page
    frame = pd.DataFrame({"ocena": ["dobrze", "źle", "dobrze"], "zadowolenie": ["", "", ""], "x": [1, 2, 3]})
    with pytest.raises(ValueError, match=r"no measure can be computed: Column 'ocena' left out of the report: none "
                                         r"of its 3 answers is a number \(values such as 'dobrze', 'źle'\)\. Column "
                                         r"'zadowolenie' left out of the report: it holds no answers\."):
        survey_report(frame, score="ocena", csat="zadowolenie")
    # The score left out takes the drivers with it; the CSAT item is still reported.
    report = survey_report(frame.assign(zadowolenie=[5, 4, 1]), score="ocena", csat="zadowolenie", drivers=["x"])
    assert report.numbers["skipped"] == ["ocena", "x"] and "nps" not in report.numbers
    assert report.numbers["csat"]["zadowolenie"][None].value == pytest.approx(200 / 3)
    assert "Key drivers left out: they explain the recommendation score, which was left out." in page_text(report.html)


def test_a_driver_cell_that_is_no_number_is_a_line_not_a_stop(tmp_path):
    case = messy_exports.driver_not_applicable(tmp_path)
    report = survey_report(case.path, score="Ocena", drivers=["Doradca", "Aplikacja"])
    assert set(report.numbers["drivers"].index) == {"Doradca", "Aplikacja"}
    soup = BeautifulSoup(report.html, "html.parser")
    listed = {(row["data-kind"], row.find_all("td")[1].get_text()): row.select_one("td.rows").get_text()
              for row in soup.select("tr[data-kind]")}
    assert listed == {("missing", "Aplikacja"): "3, 11", ("unreadable", "Aplikacja"): "14"}
    # The weights are those of the rows where every column holds a number.
    complete = pd.DataFrame({"Ocena": messy_exports.RISING + messy_exports.FALLING,
                             "Doradca": [5, 5, 4, 4, 4, 4, 3, 3, 2, 5, 5, 4, 4, 4, 3, 3, 3, 2, 1, 1],
                             "Aplikacja": [5, None, 4, 5, 4, 3, 4, 3, 2, None, 4, 4, None, 3, 3, 3, 2, 2, 1, 1]}).dropna()
    assert report.numbers["drivers"].to_dict() == pytest.approx(
        cxdrivers.relative_weights(complete, "Ocena", ["Doradca", "Aplikacja"]).to_dict())


def test_a_measure_without_answers_in_one_period_says_so_instead_of_stopping():
    frame = pd.DataFrame({"q": ["Q1 2026"] * 4 + ["Q2 2026"] * 4, "r": [9, 10, 3, 8, 7, 9, 9, 10],
                          "c": [None] * 4 + [5, 4, 2, 5]})
    report = survey_report(frame, score="r", csat="c", period="q")
    assert report.numbers["csat"]["c"]["Q1 2026"] is None and report.numbers["csat"]["c"]["Q2 2026"].n == 4
    assert "No change to show: no answers in Q1 2026." in page_text(report.html)
    assert report.numbers["change"]["nps"].value == pytest.approx(75.0 - 25.0)


def test_the_report_without_the_teams_extra_says_which_extra_to_install(monkeypatch, tmp_path, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "jinja2" else real(name, *args))
    with pytest.raises(cxlab.io.MissingExtra, match=r'the survey report needs jinja2, .*pip install "cxlab\[teams\]"'):
        survey_report(load_survey(), score="recommend")
    case = polish_tool(tmp_path)
    assert main(["survey-report", str(case.path), "--score", case.score]) == 1
    assert 'pip install "cxlab[teams]"' in capsys.readouterr().err
