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
