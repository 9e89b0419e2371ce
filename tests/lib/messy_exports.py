"""A corpus of messy survey exports, written by the tests themselves (nothing is downloaded).

Each case is a function that writes one file into a folder and returns a :class:`Case`:
the path and what a careful reader should get from it (the answers and the row each sits
on in a spreadsheet, and the changes a loader must report). ``tests/lib/test_io.py``
reads every case with :func:`cxlab.read_survey`; the report tests build reports from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: The Polish survey tool's label for 10 and 0 on the recommendation question.
TOP_LABEL = "10 - zdecydowanie polecę"
BOTTOM_LABEL = "0 - zdecydowanie nie polecę"


@dataclass
class Case:
    path: Path
    score: str
    scores: dict            # spreadsheet row -> the score a careful reader finds there (None: no answer)
    dropped: dict           # spreadsheet row -> why it is not an answer ("blank row", "total row", ...)
    labels: dict = field(default_factory=dict)        # row -> the number a label answer means
    unusable: dict = field(default_factory=dict)      # row -> kind ("unreadable", "out of range", "not whole")
    segment: str | None = None
    segments: dict = field(default_factory=dict)      # row -> segment label
    notes: tuple = ()

    def kept_scores(self) -> list[int]:
        return [score for row, score in sorted(self.scores.items()) if score is not None]


def _answers(seed: int, n: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return rng.choice(11, size=n, p=[.05, .03, .04, .05, .05, .08, .1, .15, .15, .12, .18]).tolist()


def polish_tool(folder: Path) -> Case:
    """The training team's export: BOM, ';', decimal commas, Polish names, labels, blank lines, 'Razem', one gap."""
    answers = _answers(1, 24)
    channels = ["czat", "telefon", "oddział"]
    lines = ["Identyfikator;Kanał kontaktu;Ocena polecenia;Zadowolenie;Czas obsługi (min)"]
    case = Case(folder / "eksport_ankiety.csv", "Ocena polecenia", {}, {}, segment="Kanał kontaktu")
    row = 1
    for number, answer in enumerate(answers, start=1):
        row += 1
        channel = channels[number % 3]
        shown = str(answer)
        if number in (4, 11, 19):
            shown = TOP_LABEL if answer >= 9 else BOTTOM_LABEL
            answer = 10 if answer >= 9 else 0
            case.labels[row] = answer
        if number == 15:
            shown, answer = "", None
        lines.append(f"{number};{channel};{shown};{1 + number % 5};{number % 7},{number % 10}")
        case.scores[row] = answer
        case.segments[row] = channel
        if number in (8, 16):
            lines.append("")
            row += 1
            case.dropped[row] = "blank row"
    row += 1
    lines.append("Razem;;7,4;3,2;3,9")
    case.dropped[row] = "total row"
    case.path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return case


def windows_1250(folder: Path) -> Case:
    """Saved by an old Excel in Windows-1250: no BOM, Polish letters in names and answers, ';' and ','."""
    answers = _answers(2, 10)
    lines = ["Oddział;Ocena"]
    case = Case(folder / "ankieta_cp1250.csv", "Ocena", {}, {}, segment="Oddział")
    for row, answer in enumerate(answers, start=2):
        branch = ["Łódź", "Gdańsk"][row % 2]
        lines.append(f"{branch};{answer}")
        case.scores[row], case.segments[row] = answer, branch
    case.path.write_bytes(("\n".join(lines) + "\n").encode("cp1250"))
    return case


def english_total(folder: Path) -> Case:
    """Comma-separated, dot decimals, a 'Total' row, an answer of 11 and a 'don't know'."""
    answers = _answers(3, 12)
    lines = ["id,region,recommend,weight"]
    case = Case(folder / "export_en.csv", "recommend", {}, {}, segment="region")
    for number, answer in enumerate(answers, start=1):
        row = number + 1
        region = ["North", "South"][number % 2]
        shown = str(answer)
        if number == 5:
            shown, answer = "11", None
            case.unusable[row] = "out of range"
        if number == 9:
            shown, answer = "don't know", None
            case.unusable[row] = "unreadable"
        lines.append(f"{number},{region},{shown},1.{number % 10}")
        case.scores[row], case.segments[row] = answer, region
    lines.append(f"Total,,{np.mean(answers):.2f},{len(answers)}")
    case.dropped[len(answers) + 2] = "total row"
    case.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return case


def preamble_and_repeated_header(folder: Path) -> Case:
    """Two title lines above the header, tabs, a header repeated halfway, a row of bare separators."""
    answers = _answers(4, 8)
    lines = ["Survey export", "Created 2026-05-04", "segment\tscore"]
    case = Case(folder / "export.tsv", "score", {}, {}, segment="segment")
    row = 3
    for number, answer in enumerate(answers, start=1):
        row += 1
        lines.append(f"{'ab'[number % 2]}\t{answer}")
        case.scores[row], case.segments[row] = answer, "ab"[number % 2]
        if number == 4:
            row += 1
            lines.append("segment\tscore")
            case.dropped[row] = "repeated header"
            row += 1
            lines.append("\t")
            case.dropped[row] = "blank row"
    case.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return case


def labels_at_the_end_and_quoted_comments(folder: Path) -> Case:
    """Answers as 'Very likely (9)', comments in quotes with a line break, padded segment names."""
    answers = _answers(5, 6)
    lines = ['team;comment;likely']
    case = Case(folder / "labels.csv", "likely", {}, {}, segment="team")
    for number, answer in enumerate(answers, start=1):
        row = number + 1
        shown = f"Very likely ({answer})" if number % 2 else f"{answer}"
        if number % 2:
            case.labels[row] = answer
        comment = '"line one\nline two"' if number == 3 else "ok"
        team = " blue " if number % 3 else "blue"
        lines.append(f"{team};{comment};{shown}")
        case.scores[row], case.segments[row] = answer, "blue"
    case.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return case


def fractions_in_scores(folder: Path) -> Case:
    """A score column with 7,5 (not a scale point) and 8,0 (a whole point written with a decimal)."""
    lines = ["g;s", "x;7,5", "x;8,0", "y;9", "y;3"]
    case = Case(folder / "fractions.csv", "s", {2: None, 3: 8, 4: 9, 5: 3}, {}, unusable={2: "not whole"})
    case.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return case


def excel_workbook(folder: Path) -> Case:
    """An .xlsx with numbers as numbers, a label, an empty row and a 'Suma' row."""
    answers = _answers(6, 9)
    rows: list[dict] = []
    case = Case(folder / "eksport.xlsx", "polecenie", {}, {}, segment="kanał")
    for number, answer in enumerate(answers, start=1):
        if number == 6:
            rows.append({"kanał": None, "polecenie": None})
            case.dropped[len(rows) + 1] = "blank row"
        value: object = answer
        if number == 2:
            value, answer = TOP_LABEL, 10
            case.labels[len(rows) + 2] = 10
        rows.append({"kanał": "web" if number % 2 else "app", "polecenie": value})
        case.scores[len(rows) + 1], case.segments[len(rows) + 1] = answer, rows[-1]["kanał"]
    rows.append({"kanał": "Suma", "polecenie": sum(answers)})
    case.dropped[len(rows) + 1] = "total row"
    pd.DataFrame(rows).to_excel(case.path, index=False)
    return case


def parquet_file(folder: Path) -> Case:
    """A typed Parquet file with a missing answer: rows are records counted from 1."""
    answers = _answers(7, 7)
    frame = pd.DataFrame({"channel": ["a", "b"] * 3 + ["a"], "recommend": pd.array(answers, dtype="Int64")})
    frame.loc[3, "recommend"] = pd.NA
    frame.to_parquet(folder / "export.parquet")
    scores = {row + 1: (None if row == 3 else answer) for row, answer in enumerate(answers)}
    return Case(folder / "export.parquet", "recommend", scores, {}, segment="channel",
                segments={row + 1: value for row, value in enumerate(frame["channel"])})


CASES = [polish_tool, windows_1250, english_total, preamble_and_repeated_header,
         labels_at_the_end_and_quoted_comments, fractions_in_scores, excel_workbook, parquet_file]


# --- the exports training teams really have (issue 26) ---------------------------------------
#
# Small files written row by row, so that every number below can be checked by hand. Three
# patterns of ten answers recur; their NPS, counted by hand (promoters 9-10, detractors 0-6):
#
#   RISING  = 10 10 9 9 9 8 7 6 3 10   6 promoters, 2 detractors:  NPS  40.0
#   FALLING = 10 9 8 8 7 6 5 4 2 0     2 promoters, 5 detractors:  NPS -30.0
#   MIDDLE  = 10 9 9 8 8 7 7 6 5 10    4 promoters, 2 detractors:  NPS  20.0
#
# A case's ``nps`` maps each period to its NPS counted by hand (``None``: no period column),
# ``change`` is (previous period, latest period, the NPS change counted by hand, the verdict),
# and ``lines`` is every line the report's reading must list: (row, column, value, kind).

RISING = [10, 10, 9, 9, 9, 8, 7, 6, 3, 10]
FALLING = [10, 9, 8, 8, 7, 6, 5, 4, 2, 0]
MIDDLE = [10, 9, 9, 8, 8, 7, 7, 6, 5, 10]


@dataclass
class ReportCase(Case):
    options: dict = field(default_factory=dict)      # survey_report options besides score= and segment=
    nps: dict = field(default_factory=dict)          # period -> NPS counted by hand
    change: tuple | None = None                      # (previous, latest, NPS change counted by hand, verdict)
    lines: set = field(default_factory=set)          # every change line: (row, column, value, kind)
    said: tuple = ()                                 # what the English page must say, word for word
    segment_nps: dict = field(default_factory=dict)  # segment -> NPS counted by hand (in the latest period)


def _write_rows(path: Path, header: list[str], rows: list[list], *, sep: str = ";", above: list[str] = (),
                encoding: str = "utf-8", newline: str = "\n") -> None:
    """A CSV written as a survey tool writes it: fields quoted only when they hold the separator, a quote or a line break."""
    def field_text(value) -> str:
        text = "" if value is None else str(value)
        if sep in text or '"' in text or "\n" in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [*above, sep.join(header), *(sep.join(field_text(value) for value in row) for row in rows)]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))


def _three_periods(labels) -> list[tuple[object, int]]:
    """(period, score) in file order: the middle period first, then the latest, then the oldest, twenty answers each.

    Neither the order of first appearance nor (for most styles) sorting the labels as text
    gives the real order, so a report that gets it right did read the labels' meaning.
    """
    first, second, third = labels
    answers = []
    for index in range(20):
        answers += [(second, RISING[index % 10]), (third, FALLING[index % 10]), (first, MIDDLE[index % 10])]
    return answers


PERIOD_STYLES = {
    # style: (oldest, middle, latest), the separator and the encoding of its file
    "polish_quarters": (("III kw. 2025", "IV kw. 2025", "I kw. 2026"), ";", "utf-8-sig"),
    "english_quarters": (("Q3 2025", "Q4 2025", "Q1 2026"), ",", "utf-8"),
    "iso_quarters": (("2025-Q3", "2025-Q4", "2026-Q1"), ",", "utf-8"),
    "dutch_quarters": (("kwartaal 3 2025", "kwartaal 4 2025", "kwartaal 1 2026"), ";", "utf-8"),
    "half_years": (("H1 2025", "H2 2025", "H1 2026"), ",", "utf-8"),
    "polish_half_years": (("I półrocze 2025", "II półrocze 2025", "I półrocze 2026"), ";", "utf-8-sig"),
    "polish_months": (("styczeń 2026", "luty 2026", "marzec 2026"), ";", "utf-8-sig"),
    "english_months": (("November 2025", "December 2025", "January 2026"), ",", "utf-8"),
    "dutch_months": (("januari 2026", "februari 2026", "maart 2026"), ";", "utf-8"),
    "waves": (("Wave 8", "Wave 9", "Wave 10"), ",", "utf-8"),
    "numbers": (("8", "9", "10"), ";", "utf-8"),
    "dates": (("15.12.2025", "15.01.2026", "15.02.2026"), ";", "utf-8"),
}


def _period_case(style: str):
    (labels, sep, encoding) = PERIOD_STYLES[style]

    def make(folder: Path) -> ReportCase:
        answers = _three_periods(labels)
        rows = [[number, "Kraków" if number % 2 else "Gdańsk", period, score]
                for number, (period, score) in enumerate(answers, start=1)]
        path = folder / f"periods_{style}.csv"
        _write_rows(path, ["ID", "Oddział", "Okres", "Ocena"], rows, sep=sep, encoding=encoding)
        oldest, middle, latest = (int(label) if style == "numbers" else label for label in labels)
        return ReportCase(
            path, "Ocena", {row: score for row, (_, score) in enumerate(answers, start=2)}, {},
            segment="Oddział", segments={row: "Kraków" if (row - 1) % 2 else "Gdańsk" for row in range(2, 62)},
            options={"period": "Okres"}, nps={oldest: 20.0, middle: 40.0, latest: -30.0},
            change=(middle, latest, -70.0, "fall"))

    make.__name__ = f"periods_{style}"
    make.__doc__ = f"Three periods labelled {', '.join(labels)}, in the file's order middle, latest, oldest."
    return make


def periods_excel_dates(folder: Path) -> ReportCase:
    """An .xlsx whose period column holds real dates (end of month), in the order middle, latest, oldest."""
    import datetime

    labels = (datetime.datetime(2025, 12, 31), datetime.datetime(2026, 1, 31), datetime.datetime(2026, 2, 28))
    answers = _three_periods(labels)
    frame = pd.DataFrame({"store": ["North" if number % 2 else "South" for number in range(1, 61)],
                          "month": [period for period, _ in answers], "recommend": [score for _, score in answers]})
    path = folder / "periods_excel_dates.xlsx"
    frame.to_excel(path, index=False)
    return ReportCase(path, "recommend", {row: score for row, (_, score) in enumerate(answers, start=2)}, {},
                      options={"period": "month"},
                      nps={labels[0]: 20.0, labels[1]: 40.0, labels[2]: -30.0},
                      change=(labels[1], labels[2], -70.0, "fall"),
                      said=("The latest period, 2026-02-28, is compared with the one before it, 2026-01-31.",))


def periods_first_appearance(folder: Path) -> ReportCase:
    """Period labels that are no dates, numbers or period names: the file's order is the only order there is."""
    labels = ("pilotaż", "wdrożenie", "po wdrożeniu")
    answers = [(labels[index // 20], (MIDDLE, RISING, FALLING)[index // 20][index % 10]) for index in range(60)]
    rows = [[number, labels.index(period) + 1, period, score] for number, (period, score) in enumerate(answers, start=1)]
    path = folder / "periods_first_appearance.csv"
    _write_rows(path, ["ID", "Etap", "Faza", "Ocena"], rows, encoding="utf-8-sig")
    return ReportCase(path, "Ocena", {row: score for row, (_, score) in enumerate(answers, start=2)}, {},
                      options={"period": "Faza"}, nps={"pilotaż": 20.0, "wdrożenie": 40.0, "po wdrożeniu": -30.0},
                      change=("wdrożenie", "po wdrożeniu", -70.0, "fall"),
                      said=("in the order they first appear in the file",))


def periods_given(folder: Path) -> ReportCase:
    """Labels without an order of their own, in the file's order middle, latest, oldest; the order is given."""
    labels = ("przed zmianą", "w trakcie", "po zmianie")
    answers = _three_periods(labels)
    rows = [[number, period, score] for number, (period, score) in enumerate(answers, start=1)]
    path = folder / "periods_given.csv"
    _write_rows(path, ["ID", "Etap", "Ocena"], rows, encoding="utf-8-sig")
    return ReportCase(path, "Ocena", {row: score for row, (_, score) in enumerate(answers, start=2)}, {},
                      options={"period": "Etap", "periods": list(labels)},
                      nps={"przed zmianą": 20.0, "w trakcie": 40.0, "po zmianie": -30.0},
                      change=("w trakcie", "po zmianie", -70.0, "fall"), said=("in the order given",))


def padded_titles(folder: Path) -> ReportCase:
    """Excel's 'Save as CSV': title lines above the header padded with separators, and a padded empty line."""
    answers = [("IV kw. 2025", score) for score in RISING * 2] + [("I kw. 2026", score) for score in FALLING * 2]
    rows = [[number, "Poznań" if number % 2 else "Łódź", period, score, ""]
            for number, (period, score) in enumerate(answers, start=1)]
    path = folder / "padded_titles.csv"
    above = ["Raport: ankieta po wizycie w oddziale;;;;", "Wygenerowano 2026-04-02 08:15;;;;", ";;;;"]
    _write_rows(path, ["ID", "Oddział", "Okres", "Ocena", "Uwagi"], rows, above=above, encoding="utf-8-sig",
                newline="\r\n")
    scores = {row: score for row, (_, score) in enumerate(answers, start=5)}
    return ReportCase(path, "Ocena", scores, {}, segment="Oddział",
                      segments={row: "Poznań" if (row - 4) % 2 else "Łódź" for row in scores},
                      options={"period": "Okres"}, nps={"IV kw. 2025": 40.0, "I kw. 2026": -30.0},
                      change=("IV kw. 2025", "I kw. 2026", -70.0, "fall"),
                      notes=("3 line(s) above the header skipped",))


def excel_titles(folder: Path) -> ReportCase:
    """An .xlsx with a title, a subtitle and an empty row above the header (row 4)."""
    import openpyxl

    answers = [("Q4 2025", score) for score in FALLING * 2] + [("Q1 2026", score) for score in RISING * 2]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Customer survey export"
    sheet["A2"] = "All stores, exported 2026-04-02"
    for column, name in enumerate(["id", "store", "period", "recommend"], start=1):
        sheet.cell(row=4, column=column, value=name)
    for row, (number, (period, score)) in enumerate(enumerate(answers, start=1), start=5):
        for column, value in enumerate([number, "Leeds" if number % 2 else "York", period, score], start=1):
            sheet.cell(row=row, column=column, value=value)
    path = folder / "excel_titles.xlsx"
    book.save(path)
    scores = {row: score for row, (_, score) in enumerate(answers, start=5)}
    return ReportCase(path, "recommend", scores, {}, segment="store",
                      segments={row: "Leeds" if (row - 4) % 2 else "York" for row in scores},
                      options={"period": "period"}, nps={"Q4 2025": -30.0, "Q1 2026": 40.0},
                      change=("Q4 2025", "Q1 2026", 70.0, "rise"),
                      notes=("3 row(s) above the header skipped",))


QUOTED_COMMENTS = ["Fast, friendly", "Slow, but polite", "Clean, quiet, easy", "ok"]


def quoted_separators(folder: Path) -> ReportCase:
    """Comma-separated, and most rows hold a comment with commas in quotes."""
    answers = [("Q4 2025", score) for score in RISING] + [("Q1 2026", score) for score in MIDDLE]
    rows = [[number, period, score, QUOTED_COMMENTS[number % 4]] for number, (period, score) in enumerate(answers, 1)]
    path = folder / "quoted_separators.csv"
    _write_rows(path, ["id", "period", "recommend", "comment"], rows, sep=",")
    return ReportCase(path, "recommend", {row: score for row, (_, score) in enumerate(answers, start=2)}, {},
                      options={"period": "period"}, nps={"Q4 2025": 40.0, "Q1 2026": 20.0},
                      change=("Q4 2025", "Q1 2026", -20.0, "noise"))


def multiline_comments(folder: Path) -> ReportCase:
    """Comments over several lines in quotes, some with the separator: rows are records, as a spreadsheet shows them."""
    values: list = RISING + FALLING
    values.insert(8, "?")                                     # the 9th respondent wrote '?' (row 10)
    comments = {1: "Bardzo miło;\nszybko", 4: "Pierwsza linia\ndruga linia\ntrzecia linia", 7: 'Powiedzieli "wróć jutro"',
                12: "Czekałem;\n\nza długo"}
    rows = [[number, comments.get(number, "brak uwag"), value] for number, value in enumerate(values, start=1)]
    path = folder / "multiline_comments.csv"
    _write_rows(path, ["Nr", "Komentarz", "Polecenie"], rows, encoding="utf-8-sig", newline="\r\n")
    scores = {row: (None if value == "?" else value) for row, value in enumerate(values, start=2)}
    # RISING and FALLING together: 8 promoters, 7 detractors of 20: NPS 5.0.
    return ReportCase(path, "Polecenie", scores, {}, unusable={10: "unreadable"}, nps={None: 5.0},
                      lines={(10, "Polecenie", "?", "unreadable")})


def average_answers(folder: Path) -> ReportCase:
    """Three respondents rated staff friendliness 'Average'; a last row with 'Average' typed into the score column."""
    rows = [[1, "Good", 10], [2, "Good", 9], [3, "Poor", 3], [4, "Average", 5], [5, "Good", 9], [6, "Average", 8],
            [7, "Good", 7], [8, "Average", 2], [9, "Good", 8], ["", "", "Average"]]
    path = folder / "average_answers.csv"
    _write_rows(path, ["id", "staff friendliness", "recommend"], rows, sep=",")
    # Promoters 10, 9, 9 (3); detractors 3, 5, 2 (3); passives 8, 7, 8: NPS 0.0 of 9 answers.
    # Dropping the three 'Average' raters would give 3 promoters, 1 detractor of 6: 33.3.
    scores = {row: value for row, (_, _, value) in enumerate(rows[:-1], start=2)} | {11: None}
    return ReportCase(path, "recommend", scores, {}, unusable={11: "unreadable"}, segment="staff friendliness",
                      segments={row: rows[row - 2][1] for row in range(2, 11)} | {11: None},
                      nps={None: 0.0}, lines={(11, "recommend", "Average", "unreadable")})


def total_product(folder: Path) -> ReportCase:
    """A product line called 'Total' among the answers, and two real summary rows at the end."""
    products = ["Konto", "Total", "Karta"]
    rows = [[products[number % 3], "czat" if number % 2 else "telefon", score]
            for number, score in enumerate(RISING + MIDDLE)]
    rows += [["Razem", "", "8,1"], ["Średnia:", "", "7,4"]]
    path = folder / "total_product.csv"
    _write_rows(path, ["Produkt", "Kanał", "Ocena"], rows, encoding="utf-8-sig")
    scores = {row: score for row, score in enumerate(RISING + MIDDLE, start=2)}
    # RISING and MIDDLE together: 10 promoters, 4 detractors of 20: NPS 30.0. The 'Total' product alone is
    # rows 3, 6, ..., 21 (the 2nd, 5th, ... answer): 10, 9, 6, 10, 8, 7, 10 -> 4 promoters, 1 detractor of 7.
    return ReportCase(path, "Ocena", scores, {22: "total row", 23: "total row"}, segment="Produkt",
                      segments={row: products[(row - 2) % 3] for row in scores}, nps={None: 30.0},
                      segment_nps={"Total": 300 / 7},
                      lines={(22, None, "Razem", "total row"), (23, None, "Średnia:", "total row")})


def leading_zeros(folder: Path) -> ReportCase:
    """Branch codes with leading zeros ('007'), which are names, not numbers."""
    codes = ["007", "012", "120"]
    answers = [("2025-Q4", score) for score in MIDDLE] + [("2026-Q1", score) for score in RISING]
    rows = [[codes[number % 3], period, score] for number, (period, score) in enumerate(answers)]
    path = folder / "leading_zeros.csv"
    _write_rows(path, ["Kod oddziału", "Kwartał", "Ocena"], rows, encoding="utf-8-sig")
    scores = {row: score for row, (_, score) in enumerate(answers, start=2)}
    return ReportCase(path, "Ocena", scores, {}, segment="Kod oddziału",
                      segments={row: codes[(row - 2) % 3] for row in scores}, options={"period": "Kwartał"},
                      nps={"2025-Q4": 20.0, "2026-Q1": 40.0}, change=("2025-Q4", "2026-Q1", 20.0, "noise"),
                      lines={(2, "Kod oddziału", "007", "leading zeros")})


def czech_windows_1250(folder: Path) -> ReportCase:
    """A Czech export from an old Excel: Windows-1250, no byte-order mark, Czech letters everywhere."""
    branches = ["Plzeň", "Ústí nad Labem", "České Budějovice", "Brno-Líšeň"]
    comments = ["Příjemný personál", "Dlouhé čekání u přepážky", "Děkuji, vše v pořádku", "Žádné připomínky",
                "Šťastný zákazník", "Velmi ochotná paní"]
    answers = [("Q4 2025", score) for score in FALLING] + [("Q1 2026", score) for score in MIDDLE]
    rows = [[branches[number % 4], period, score, comments[number % 6]] for number, (period, score) in enumerate(answers)]
    path = folder / "cesky_export.csv"
    _write_rows(path, ["Pobočka", "Období", "Doporučení", "Komentář"], rows, encoding="cp1250", newline="\r\n")
    scores = {row: score for row, (_, score) in enumerate(answers, start=2)}
    return ReportCase(path, "Doporučení", scores, {}, segment="Pobočka",
                      segments={row: branches[(row - 2) % 4] for row in scores}, options={"period": "Období"},
                      nps={"Q4 2025": -30.0, "Q1 2026": 20.0}, change=("Q4 2025", "Q1 2026", 50.0, "noise"),
                      notes=("encoding cp1250 (not UTF-8; told from the letters, pass encoding= if names look wrong)",))


def driver_not_applicable(folder: Path) -> ReportCase:
    """A driver column where some answers are 'nie dotyczy' (not applicable) and one is '?'."""
    advisor = [5, 5, 4, 4, 4, 4, 3, 3, 2, 5, 5, 4, 4, 4, 3, 3, 3, 2, 1, 1]
    app = ["5", "nie dotyczy", "4", "5", "4", "3", "4", "3", "2", "nie dotyczy",
           "4", "4", "?", "3", "3", "3", "2", "2", "1", "1"]
    answers = RISING + FALLING
    rows = [[number, advisor[number - 1], app[number - 1], score] for number, score in enumerate(answers, start=1)]
    path = folder / "driver_not_applicable.csv"
    _write_rows(path, ["ID", "Doradca", "Aplikacja", "Ocena"], rows, encoding="utf-8-sig")
    # RISING and FALLING together: 8 promoters, 7 detractors of 20: NPS 5.0.
    return ReportCase(path, "Ocena", {row: score for row, score in enumerate(answers, start=2)}, {},
                      options={"drivers": ["Doradca", "Aplikacja"]}, nps={None: 5.0},
                      lines={(3, "Aplikacja", "nie dotyczy", "missing"), (11, "Aplikacja", "nie dotyczy", "missing"),
                             (14, "Aplikacja", "?", "unreadable")})


def all_text_item(folder: Path) -> ReportCase:
    """A satisfaction column written in words only: no number to compute CSAT from."""
    words = ["zadowolony", "bardzo zadowolony", "niezadowolony", "zadowolony", "obojętny"]
    answers = [("I kw. 2026", score) for score in MIDDLE] + [("II kw. 2026", score) for score in RISING]
    rows = [[number, period, score, words[number % 5]] for number, (period, score) in enumerate(answers, start=1)]
    path = folder / "all_text_item.csv"
    _write_rows(path, ["ID", "Kwartał", "Polecenie", "Zadowolenie"], rows, encoding="utf-8-sig")
    return ReportCase(path, "Polecenie", {row: score for row, (_, score) in enumerate(answers, start=2)}, {},
                      options={"period": "Kwartał", "csat": "Zadowolenie"},
                      nps={"I kw. 2026": 20.0, "II kw. 2026": 40.0}, change=("I kw. 2026", "II kw. 2026", 20.0, "noise"),
                      lines={(row, "Zadowolenie", words[(row - 1) % 5], "unreadable") for row in range(2, 22)},
                      said=("Column 'Zadowolenie' left out of the report: none of its 20 answers is a number "
                            "(values such as 'zadowolony', 'bardzo zadowolony', 'niezadowolony', 'obojętny').",))


PERIOD_CASES = [_period_case(style) for style in PERIOD_STYLES] + [periods_excel_dates, periods_first_appearance,
                                                                    periods_given]
REPORT_CASES = [padded_titles, excel_titles, quoted_separators, multiline_comments, average_answers, total_product,
                leading_zeros, czech_windows_1250, driver_not_applicable, all_text_item, *PERIOD_CASES]
CASES += REPORT_CASES
