"""cxlab.read_survey on a corpus of messy exports, and errors that point at the culprit."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxlab

from . import messy_exports
from .messy_exports import CASES


def _scores_by_row(survey, column) -> dict:
    return {row: (None if pd.isna(value) else int(value)) for row, value in survey.table[column].items()}


def _changes(survey, kind) -> dict:
    lines = survey.changes[survey.changes["kind"] == kind]
    return dict(zip(lines["row"], lines["read_as"] if kind == "label" else lines["kind"]))


@pytest.mark.parametrize("make", CASES, ids=[make.__name__ for make in CASES])
def test_every_messy_case_is_read_with_its_rows_and_changes(make, tmp_path):
    case = make(tmp_path)
    survey = cxlab.read_survey(case.path, scales={case.score: (0, 10)})
    assert _scores_by_row(survey, case.score) == case.scores
    assert dict(zip(survey.dropped_rows["row"], survey.dropped_rows["kind"])) == case.dropped
    assert _changes(survey, "label") == case.labels
    unusable = survey.changes[survey.changes["kind"].isin(["unreadable", "out of range", "not whole"])]
    assert dict(zip(unusable["row"], unusable["kind"])) == case.unusable
    missing = {row for row, score in case.scores.items() if score is None} - set(case.unusable)
    assert set(_changes(survey, "missing")) == missing
    assert survey.rows_read == len(case.scores) + len(case.dropped)
    if case.segments:
        segments = {row: (None if pd.isna(value) else value) for row, value in survey.table[case.segment].items()}
        assert segments == case.segments
    assert set(case.notes) <= set(survey.notes), survey.notes
    # Every change is in the plain-words report, with its rows.
    text = survey.report()
    for row in [*case.dropped, *case.labels, *case.unusable]:
        assert str(row) in text


def test_the_training_teams_export_as_the_issue_describes_it(tmp_path):
    case = messy_exports.polish_tool(tmp_path)
    # pandas' defaults cannot even split the file ...
    with pytest.raises(pd.errors.ParserError, match="Error tokenizing data"):
        pd.read_csv(case.path)
    # ... and with the separator alone the score column is text: the error names the column,
    # the label answers (not the first, harmless '8'), their rows and how many there are.
    naive = pd.read_csv(case.path, sep=";", encoding="utf-8-sig")
    with pytest.raises(TypeError) as error:
        cxlab.nps(naive[case.score], nan_policy="omit")
    message = str(error.value)
    assert f"column {case.score!r}" in message and messy_exports.TOP_LABEL[:12] in message
    assert "7,4" in message and "decimal comma" in message
    culprits = len(case.labels) + 1                      # the label answers and the total row's 7,4
    assert f"{culprits} such values" in message
    # The "obvious fix" loses the label answers silently; read_survey keeps them and says so.
    coerced = pd.to_numeric(naive[case.score], errors="coerce")[:-1]
    survey = cxlab.read_survey(case.path, scales={case.score: (0, 10)})
    result = cxlab.nps(survey.table[case.score], nan_policy="omit")
    assert result.n == cxlab.nps(coerced, nan_policy="omit").n + len(case.labels) == len(case.kept_scores())
    assert result.value == cxlab.nps(case.kept_scores()).value
    assert set(survey.changes.loc[survey.changes["kind"] == "label", "value"]) <= {
        messy_exports.TOP_LABEL, messy_exports.BOTTOM_LABEL}
    assert survey.separator == ";" and survey.decimal == "," and survey.encoding == "utf-8-sig"
    # Other numeric columns come out as numbers, with the decimal comma read.
    assert survey.table["Czas obsługi (min)"].iloc[0] == pytest.approx(1.1)


def test_windows_code_page_keeps_polish_letters(tmp_path):
    case = messy_exports.windows_1250(tmp_path)
    survey = cxlab.read_survey(case.path)
    assert list(survey.table.columns) == ["Oddział", "Ocena"]
    assert set(survey.table["Oddział"]) == {"Łódź", "Gdańsk"}
    assert survey.encoding == "cp1250"


def test_a_dataframe_keeps_its_own_row_labels():
    frame = pd.DataFrame({"rec": ["9", "10 - definitely", "", "x", ""], "team": ["a", "a", "b", "b", ""]},
                         index=pd.Index([10, 11, 12, 13, 14], name="row"))
    survey = cxlab.read_survey(frame, scales={"rec": (0, 10)})
    assert _scores_by_row(survey, "rec") == {10: 9, 11: 10, 12: None, 13: None}
    assert _changes(survey, "unreadable") == {13: "unreadable"}
    assert _changes(survey, "blank row") == {14: "blank row"}
    assert survey.rows_read == 5 and survey.source == "DataFrame"


def test_clean_numbers_are_left_alone(tmp_path):
    path = tmp_path / "clean.csv"
    cxlab.data.load_survey().to_csv(path, index=False)
    survey = cxlab.read_survey(path, scales={"recommend": (0, 10), "satisfaction": (1, 5), "effort": (1, 7)})
    original = cxlab.data.load_survey()
    assert survey.rows_read == len(original) == len(survey.table)
    assert set(survey.changes["kind"]) <= {"missing"}
    assert survey.table.index[0] == 2
    np.testing.assert_array_equal(survey.table["recommend"].to_numpy(dtype=int), original["recommend"].to_numpy())
    assert cxlab.nps(survey.table["recommend"]).value == cxlab.nps(original["recommend"]).value


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.integers(0, 10), min_size=3, max_size=40),
    sep=st.sampled_from([";", ",", "\t", "|"]),
    bom=st.booleans(),
    crlf=st.booleans(),
    blanks=st.sets(st.integers(0, 40), max_size=4),
    labelled=st.sets(st.integers(0, 40), max_size=6),
)
def test_any_layout_gives_back_the_scores_on_their_rows(scores, sep, bom, crlf, blanks, labelled):
    lines, expected, row = [f"segment{sep}score"], {}, 1
    for number, score in enumerate(scores):
        if number in blanks:
            lines.append("")
            row += 1
        shown = f"{score} - label text" if number in labelled else str(score)
        lines.append(f"s{number % 3}{sep}{shown}")
        row += 1
        expected[row] = score
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    raw = text.encode("utf-8-sig" if bom else "utf-8")
    survey = cxlab.read_survey(io.BytesIO(raw), scales={"score": (0, 10)})
    assert _scores_by_row(survey, "score") == expected
    assert survey.separator == sep
    assert len(survey.changes[survey.changes["kind"] == "label"]) == len([n for n in labelled if n < len(scores)])


@pytest.mark.parametrize(("call", "error", "pattern"), [
    (lambda p: cxlab.read_survey(p, scales=["recommend"]), TypeError, r"scales must be a dict"),
    (lambda p: cxlab.read_survey(p, scales={"recommend": 10}), TypeError, r"scales\['recommend'\] must be a pair"),
    (lambda p: cxlab.read_survey(p, scales={"recommend": (10, 0)}), ValueError, r"at least 1"),
    (lambda p: cxlab.read_survey(p, scales={"nps": (0, 10)}), ValueError, r"\['nps'\] not found.*'recommend'"),
    (lambda p: cxlab.read_survey(p.with_suffix(".sav")), FileNotFoundError, r"no survey export"),
    (lambda p: cxlab.read_survey(42), TypeError, r"path, an open binary file or a DataFrame"),
])
def test_bad_arguments_say_what_is_wrong(tmp_path, call, error, pattern):
    path = tmp_path / "s.csv"
    path.write_text("channel,recommend\nchat,9\n")
    with pytest.raises(error, match=pattern):
        call(path)


def test_an_unknown_file_type_is_named(tmp_path):
    path = tmp_path / "s.sav"
    path.write_bytes(b"\x00")
    with pytest.raises(ValueError, match=r"cannot read '\.sav'"):
        cxlab.read_survey(path)


# --- errors of the library point at the culprit ----------------------------------------------

def test_out_of_range_scores_are_named_by_row_and_counted():
    column = pd.Series([9, 11, 3, 12], index=pd.Index([2, 3, 4, 5], name="row"), name="recommend")
    with pytest.raises(ValueError, match=r"^scores \(column 'recommend'\) must be integers 0-10; found 11 at row 3 "
                                         r"\(2 such values, at rows 3, 5\)$"):
        cxlab.nps(column)


def test_missing_values_name_their_row_label():
    column = pd.Series([9.0, np.nan, 3.0], index=["ann", "bob", "cy"], name="recommend")
    with pytest.raises(ValueError, match=r"1 missing value\(s\), the first at index 'bob'; pass nan_policy='omit'"):
        cxlab.nps(column)


def test_numbers_stored_as_text_are_told_apart_from_real_culprits():
    with pytest.raises(TypeError, match=r"holds numbers stored as text, such as '8' at position 0 \(2 such values"):
        cxlab.nps(np.array(["8", "9"], dtype=object))
    with pytest.raises(TypeError, match=r"found 'n/a' \(type str\) at position 2; cxlab.read_survey reads"):
        cxlab.nps(["8", "9", "n/a"])


def test_missing_group_labels_name_their_rows():
    frame = pd.DataFrame({"g": ["a", None, "b", None], "r": [1, 2, 3, 4]}, index=pd.Index([2, 3, 4, 6], name="row"))
    with pytest.raises(ValueError, match=r"column 'g' has 2 missing group label\(s\), the first at row 3 "
                                         r"\(2 such values, at rows 3, 6\)"):
        cxlab.segment_table(frame, "r", by="g")


def test_a_value_outside_the_scale_in_one_segment_names_the_file_row(tmp_path):
    case = messy_exports.english_total(tmp_path)
    raw = pd.read_csv(case.path).iloc[:-1]
    raw.index = pd.RangeIndex(2, 2 + len(raw), name="row")
    raw = raw[raw["recommend"] != "don't know"].astype({"recommend": int})
    with pytest.raises(ValueError, match=r"region='South', column 'recommend'.*found 11 at row 6$"):
        cxlab.segment_table(raw, "recommend", by="region")


def test_a_code_page_file_that_starts_as_plain_ascii_is_still_read(tmp_path):
    # The first 256 kB are plain ASCII (valid UTF-8); a Polish letter in cp1250 comes only at the end.
    lines = ["team;score"] + [f"a;{number % 11}" for number in range(70_000)] + ["Łódź;9"]
    path = tmp_path / "late.csv"
    path.write_bytes("\n".join(lines).encode("cp1250"))
    survey = cxlab.read_survey(path, scales={"score": (0, 10)})
    assert survey.encoding == "cp1250" and survey.table["team"].iloc[-1] == "Łódź"
    assert survey.table.index[-1] == len(lines) and "cp1250" in survey.report()
    with pytest.raises(ValueError, match=r"late.csv is not utf-8 text .*leave encoding= out"):
        cxlab.read_survey(path, encoding="utf-8")


# --- the header, the table and its last rows, found as a person would ------------------------

def _survey_from_text(text: str, encoding: str = "utf-8", **options):
    return cxlab.read_survey(io.BytesIO(text.encode(encoding)), **options)


def test_a_header_below_padded_title_lines_is_found_and_rows_keep_their_spreadsheet_numbers():
    survey = _survey_from_text("Raport;;\nStan na 2026-04-02;;\n;;\nkanał;ocena;uwagi\nczat;9;\ntelefon;x;ok\n",
                               scales={"ocena": (0, 10)})
    assert list(survey.table.columns) == ["kanał", "ocena", "uwagi"]
    assert _scores_by_row(survey, "ocena") == {5: 9, 6: None}
    assert _changes(survey, "unreadable") == {6: "unreadable"}
    assert "3 line(s) above the header skipped" in survey.notes


def test_quoted_separators_in_most_rows_do_not_make_a_data_row_the_header():
    lines = ["id,comment,recommend"] + [f'{n},"Fast, friendly, {n}",{n % 11}' for n in range(1, 9)]
    survey = _survey_from_text("\n".join(lines) + "\n", scales={"recommend": (0, 10)})
    assert survey.separator == "," and list(survey.table.columns) == ["id", "comment", "recommend"]
    assert _scores_by_row(survey, "recommend") == {row: (row - 1) % 11 for row in range(2, 10)}
    assert survey.table.loc[2, "comment"] == "Fast, friendly, 1"


def test_a_semicolon_file_with_decimal_commas_is_not_taken_for_commas():
    survey = _survey_from_text("a;b;c\n1;7,4;3,2\n2;6,1;1,0\n3;5,5;2,2\n")
    assert survey.separator == ";" and survey.decimal == ","
    assert survey.table["b"].tolist() == [7.4, 6.1, 5.5]


def test_multi_line_comments_are_one_row_each_and_rows_are_counted_as_a_spreadsheet_shows_them():
    text = 'nr;uwagi;ocena\n1;"pierwsza\ndruga;\n\ntrzecia";9\n2;krótko;?\n3;"a ""cytat""";4\n'
    survey = _survey_from_text(text, scales={"ocena": (0, 10)})
    assert _scores_by_row(survey, "ocena") == {2: 9, 3: None, 4: 4}
    assert survey.table.loc[2, "uwagi"] == "pierwsza\ndruga;\n\ntrzecia" and survey.table.loc[4, "uwagi"] == 'a "cytat"'
    assert _changes(survey, "unreadable") == {3: "unreadable"}


def test_the_header_row_can_be_given_and_a_row_outside_the_file_is_named():
    text = "Ankieta;2026\nkanał;ocena\nczat;9\ntelefon;3\n"   # a title of two cells: as wide as the table
    assert list(_survey_from_text(text).table.columns) == ["Ankieta", "2026"]
    survey = _survey_from_text(text, header_row=2, scales={"ocena": (0, 10)})
    assert _scores_by_row(survey, "ocena") == {3: 9, 4: 3}
    assert survey.notes[1:3] == ("header on row 2 (given)", "1 line(s) above the header skipped")
    with pytest.raises(ValueError, match=r"header_row=9: export has 4 row\(s\); the header row is one of 1-4"):
        _survey_from_text(text, header_row=9)
    with pytest.raises(ValueError, match=r"header_row must be .*at least 1"):
        _survey_from_text(text, header_row=0)


def test_title_rows_of_a_workbook_are_skipped_and_the_header_row_can_be_given(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"] = "Customer survey", "exported 2026-04-02"
    for row in ([None, None, "left of the table"], ["store", "recommend"], ["York", 9], ["Leeds", "Total"],
                ["Total", 7.5]):
        sheet.append(row)
    path = tmp_path / "titles.xlsx"
    book.save(path)
    survey = cxlab.read_survey(path, scales={"recommend": (0, 10)})
    assert list(survey.table.columns) == ["store", "recommend"]
    assert _scores_by_row(survey, "recommend") == {5: 9, 6: None}        # 'Total' in the score column: an answer
    assert dict(zip(survey.dropped_rows["row"], survey.dropped_rows["value"])) == {7: "Total"}
    assert "3 row(s) above the header skipped" in survey.notes
    given = cxlab.read_survey(path, header_row=4, scales={"recommend": (0, 10)})
    assert _scores_by_row(given, "recommend") == {5: 9, 6: None} and "header on row 4 (given)" in given.notes
    with pytest.raises(ValueError, match=r"header_row=40: the sheet has 7 row\(s\)"):
        cxlab.read_survey(path, header_row=40)


@pytest.mark.parametrize(("rows", "dropped"), [
    # the classic: a total row at the end, its numbers with decimal commas
    (["Kraków;czat;9", "Gdańsk;czat;3", "Razem;;6,0"], {4: "Razem"}),
    # two summary rows, a blank line between them and after them
    (["Kraków;czat;9", "Gdańsk;czat;3", "Suma;;12", "", "Średnia:;-;6,0", ""], {4: "Suma", 6: "Średnia:"}),
    # a product or a branch called 'Total' whose row holds other text: a respondent, wherever it is
    (["Total;czat;9", "Kraków;telefon;3", "Total;telefon;10"], {}),
    # a total in the middle of the table is a row of answers that reads oddly, not a total
    (["Kraków;czat;9", "Razem;;6,0", "Gdańsk;czat;3"], {}),
    # 'Average' typed into the score column of the last row: the match is inside a scored column
    (["Kraków;czat;9", "Gdańsk;czat;3", ";;Average"], {}),
])
def test_a_total_row_is_a_label_first_no_other_text_at_the_end(rows, dropped):
    survey = _survey_from_text("\n".join(["oddział;kanał;ocena", *rows]) + "\n", scales={"ocena": (0, 10)})
    totals = survey.changes[survey.changes["kind"] == "total row"]
    assert dict(zip(totals["row"], totals["value"])) == dropped
    assert len(survey.table) == len([row for row in rows if row.strip(";")]) - len(dropped)


def test_answers_reading_average_keep_their_respondents(tmp_path):
    case = messy_exports.average_answers(tmp_path)
    survey = cxlab.read_survey(case.path, scales={"recommend": (0, 10)})
    assert survey.dropped_rows.empty
    # Promoters 10, 9, 9; detractors 3, 5, 2; passives 8, 7, 8: NPS 0.0, not 33.3 without the 'Average' raters.
    assert cxlab.nps(survey.table["recommend"], nan_policy="omit").value == 0.0
    assert (survey.table["staff friendliness"] == "Average").sum() == 3


def test_codes_keep_their_leading_zeros_and_the_change_log_says_so(tmp_path):
    text = "kod;ocena\n007;9\n012;3\n120;10\n007;8\n"
    survey = _survey_from_text(text, scales={"ocena": (0, 10)})
    assert survey.table["kod"].tolist() == ["007", "012", "120", "007"]
    line = survey.changes[survey.changes["kind"] == "leading zeros"]
    assert line[["row", "column", "value"]].values.tolist() == [[2, "kod", "007"]]
    assert "column 'kod': codes with leading zeros kept as text, not read as numbers, such as '007' (row 2)" \
        in survey.report()
    # The same from a DataFrame of text and from a workbook's text cells; plain numbers stay numbers.
    frame = pd.DataFrame({"kod": ["007", "12"], "n": ["1", "2"]})
    read = cxlab.read_survey(frame)
    assert read.table["kod"].tolist() == ["007", "12"] and read.table["n"].tolist() == [1, 2]
    path = tmp_path / "codes.xlsx"
    pd.DataFrame({"kod": ["007", "012"], "ocena": [9, 3]}).to_excel(path, index=False)
    assert cxlab.read_survey(path).table["kod"].tolist() == ["007", "012"]


def test_numeric_columns_leave_text_out_as_missing_and_list_each_cell():
    text = "doradca;aplikacja\n5;4,5\n4;nie dotyczy\n3;?\n2;5 - bardzo dobrze\n"
    survey = _survey_from_text(text, numeric=["aplikacja", "doradca"])
    assert survey.table["aplikacja"].tolist()[::3] == [4.5, 5.0] and survey.table["aplikacja"].isna().tolist() == [
        False, True, True, False]
    lines = survey.changes[survey.changes["column"] == "aplikacja"]
    assert sorted(lines[["row", "value", "kind"]].values.tolist()) == [
        [3, "nie dotyczy", "missing"], [4, "?", "unreadable"], [5, "5 - bardzo dobrze", "label"]]
    assert survey.table["doradca"].dtype == "Int64"
    with pytest.raises(ValueError, match=r"in both scales and numeric"):
        _survey_from_text(text, numeric=["doradca"], scales={"doradca": (1, 5)})
    with pytest.raises(ValueError, match=r"\['wiek'\] not found"):
        _survey_from_text(text, numeric=["wiek"])


# --- encodings: Windows-1250 told from Windows-1252 by the letters ---------------------------

@pytest.mark.parametrize(("text", "code_page"), [
    ("Pobočka;Doporučení;Komentář\nPlzeň;9;Příjemný personál\nÚstí nad Labem;3;Dlouhé čekání u přepážky\n"
     "Brno;10;Děkuji, vše v pořádku\n", "cp1250"),                                    # Czech
    ("Pobočka;Odporúčanie;Poznámka\nŽilina;9;Ďakujem, všetko v poriadku\nBanská Bystrica;3;Dlhé čakanie\n"
     "Košice;8;Ľudia boli milí\n", "cp1250"),                                         # Slovak
    ("Oddział;Ocena;Uwagi\nŁódź;9;Bardzo miła obsługa\nGdańsk;3;Długie czekanie, źle\nPoznań;8;Wszystko są OK\n",
     "cp1250"),                                                                       # Polish
    ("Agence;Note;Commentaire\nLyon;9;Très agréable, déjà client\nGenève;3;Fenêtre fermée à midi\n"
     "Besançon;8;Ça va, élève\n", "cp1252"),                                           # French
    ("Filiale;Note;Kommentar\nMünchen;9;Schöne Grüße\nKöln;3;Zu spät, ärgerlich\nDüsseldorf;8;Gut gemäß Erwartung\n",
     "cp1252"),                                                                       # German
    ("Oficina;Nota;Comentario\nCoruña;9;Atención excelente\nMálaga;3;Esperé mucho, qué pena\nCádiz;8;Año bueno\n",
     "cp1252"),                                                                       # Spanish
])
def test_a_code_page_is_told_from_the_letters_of_its_languages(text, code_page):
    survey = _survey_from_text(text, encoding=code_page)
    assert survey.encoding == code_page
    header = text.splitlines()[0].split(";")
    assert list(survey.table.columns) == header
    assert survey.table.iloc[0, 0] == text.splitlines()[1].split(";")[0]


def test_czech_in_windows_1250_is_not_read_as_windows_1252(tmp_path):
    case = messy_exports.czech_windows_1250(tmp_path)
    survey = cxlab.read_survey(case.path, scales={case.score: (0, 10)})
    assert survey.encoding == "cp1250"
    assert set(survey.table["Pobočka"]) == {"Plzeň", "Ústí nad Labem", "České Budějovice", "Brno-Líšeň"}
    assert "Šťastný zákazník" in set(survey.table["Komentář"])


def test_a_reader_without_the_teams_extra_is_told_which_extra_to_install(tmp_path, monkeypatch):
    import importlib.util

    path = tmp_path / "s.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(path, index=False)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "openpyxl" else real(name, *args))
    with pytest.raises(cxlab.io.MissingExtra, match=r'reading s.xlsx \(an Excel workbook\) needs openpyxl, .*'
                                                     r'pip install "cxlab\[teams\]"'):
        cxlab.read_survey(path)
