"""Read a survey tool's export as it is, and say everything that was changed to read it.

Real exports are messy: ``;`` separators and decimal commas, a byte-order mark, a
Windows code page, title lines above the header, comments in quotes over several lines,
answers written as labels ("10 - zdecydowanie polecę"), blank lines, a total row at the
bottom, codes with leading zeros, missing answers. :func:`read_survey` detects the format,
reads what can be read, and returns the table with a record of every change: nothing is
dropped or coerced without a line in :attr:`SurveyFile.changes` naming the row (as the
spreadsheet shows it), the column and the original value.

Layer 1 of cxlab (beside the metrics): imports numpy, pandas and :mod:`cxlab._validate`;
pandas reads ``.xlsx`` through openpyxl and ``.parquet`` through pyarrow (the ``teams``
extra installs both; without them :class:`MissingExtra` names it).
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import itertools
import math
import numbers
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import check_whole, require_columns

#: Cells read as a missing answer (compared after trimming, case-insensitively).
MISSING_MARKS = ("", "na", "n/a", "nan", "null", "none", "-", "#n/a", "brak", "brak odpowiedzi", "b.d.",
                 "nie dotyczy", "n/d", "not applicable", "geen antwoord", "n.v.t.")
#: The first filled cell of a total or summary row (compared after trimming, case-insensitively,
#: without a final colon). Such a row is dropped only at the end of the table, with its other text
#: cells empty, and never for a match in a score column: "Average" as an answer is an answer.
TOTAL_LABELS = ("razem", "suma", "suma końcowa", "ogółem", "ogolem", "łącznie", "średnia", "total", "totals",
                "grand total", "sum", "average", "mean", "totaal", "eindtotaal", "gemiddelde")
#: What each kind of change means; the kinds of :attr:`SurveyFile.changes`.
CHANGE_KINDS = {
    "blank row": "row dropped: every cell empty",
    "total row": "row dropped: a total or summary row",
    "repeated header": "row dropped: the header repeated",
    "label": "an answer written as a label, read as its number",
    "unreadable": "not a number: left out (missing)",
    "out of range": "outside the scale: left out (missing)",
    "not whole": "not a whole scale point: left out (missing)",
    "missing": "no answer",
    "leading zeros": "codes with leading zeros kept as text, not read as numbers",
}
ROW_KINDS = ("blank row", "total row", "repeated header")
#: Kinds of change that concern a whole column; their line names the first row where it shows.
COLUMN_KINDS = ("leading zeros",)
#: How a file was read: each note's key and its words; :attr:`SurveyFile.details` holds the keys and values.
NOTES = {
    "bom": "encoding UTF-8 with a byte-order mark (removed)",
    "utf-16": "encoding UTF-16 (byte-order mark)",
    "utf-8": "encoding UTF-8",
    "code page": "encoding {encoding} (not UTF-8; told from the letters, pass encoding= if names look wrong)",
    "encoding given": "encoding {encoding} (given)",
    "separator": "separator {separator} (detected)",
    "decimal": "decimal mark {decimal} (detected)",
    "lines above header": "{count} line(s) above the header skipped",
    "rows above header": "{count} row(s) above the header skipped",
    "header given": "header on row {row} (given)",
    "excel": "Excel workbook, sheet {sheet}",
    "parquet": "Parquet file; row 1 is the first record",
}
_CHANGE_COLUMNS = ["row", "column", "value", "kind", "read_as"]
# "10 - zdecydowanie polecę", "10 = definitely", "10: definitely", "10 (definitely)", "definitely (10)"
_LEADING_NUMBER = r"^\s*(-?\d+)\s*(?:[-\u2013\u2014:=.)/]|\()\s*\D"
_TRAILING_NUMBER = r"\((-?\d+)\)\s*$"
_COMMA_DECIMAL = re.compile(r"^\s*-?\d+,\d+\s*$")
_DOT_DECIMAL = re.compile(r"^\s*-?\d+\.\d+\s*$")
_LEADING_ZERO = re.compile(r"^0\d+$")
_SEPARATORS = ";,\t|"
_SNIFF_CHARS = 256 * 1024
_LAYOUT_RECORDS = 300      # records that decide the separator and the header
_DECIMAL_RECORDS = 2000    # data records that decide the decimal mark and which columns hold codes


class MissingExtra(ImportError):
    """A package that one of cxlab's extras installs is missing; the message names the extra to install."""


def require_extra(module: str, extra: str, what: str) -> None:
    """Raise :class:`MissingExtra` unless ``module`` can be imported: ``what`` needs it, ``extra`` installs it."""
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(f"{what} needs {module}, which is not installed here; install the {extra} extra: "
                           f'pip install "cxlab[{extra}]"')


@dataclass(frozen=True)
class SurveyFile:
    """A survey export as read by :func:`read_survey`, with what reading it changed.

    Attributes
    ----------
    table : DataFrame
        The answers. Its index, named ``row``, is each answer's row number as a
        spreadsheet shows the file (the header is row 1), so every later error names
        the row to look at. Score columns given in ``scales`` are nullable integers.
    changes : DataFrame
        One line per change: ``row``, ``column`` (empty for a dropped row), the original
        ``value`` as text, its ``kind`` (see :data:`CHANGE_KINDS`) and ``read_as`` (the
        number a label was read as).
    rows_read : int
        Data rows in the file, dropped ones included.
    notes : tuple of str
        How the file was read: format, encoding, separator, decimal mark, byte-order mark,
        lines above the header.
    details : tuple of (str, dict)
        The same notes as a key of :data:`NOTES` and its values, for a page in another language.
    """

    table: pd.DataFrame
    changes: pd.DataFrame
    rows_read: int
    source: str
    notes: tuple[str, ...] = ()
    encoding: str | None = None
    separator: str | None = None
    decimal: str | None = None
    scales: dict = field(default_factory=dict)
    details: tuple = ()

    @property
    def dropped_rows(self) -> pd.DataFrame:
        """The rows left out entirely, with why."""
        return self.changes[self.changes["kind"].isin(ROW_KINDS)]

    def summary(self) -> pd.DataFrame:
        """One line per kind of change and column: how many, and the rows (all of them)."""
        if self.changes.empty:
            return pd.DataFrame(columns=["kind", "column", "count", "rows"])
        grouped = self.changes.groupby(["kind", "column"], sort=False, dropna=False)["row"]
        table = grouped.agg(count="size", rows=list).reset_index()
        return table[["kind", "column", "count", "rows"]]

    def report(self, *, max_rows: int = 10) -> str:
        """The changes in plain words, one line per kind and column."""
        lines = [f"{self.source}: {self.rows_read:,} data row(s) read, {len(self.table):,} kept"]
        lines += [f"  {note}" for note in self.notes]
        for item in self.summary().itertuples(index=False):
            where = f"column {item.column!r}: " if isinstance(item.column, str) else ""
            if item.kind in COLUMN_KINDS:
                example = self.changes.loc[(self.changes["kind"] == item.kind) & (self.changes["column"] == item.column),
                                           "value"].iloc[0]
                lines.append(f"  {where}{CHANGE_KINDS[item.kind]}, such as {example!r} (row {item.rows[0]})")
                continue
            rows = ", ".join(str(row) for row in item.rows[:max_rows])
            more = f" and {item.count - max_rows:,} more" if item.count > max_rows else ""
            lines.append(f"  {where}{item.count:,} x {CHANGE_KINDS[item.kind]} (row {rows}{more})")
        if self.changes.empty:
            lines.append("  nothing changed, nothing dropped")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"SurveyFile({self.source!r}, rows_read={self.rows_read}, kept={len(self.table)}, changes={len(self.changes)})"


def read_survey(
    source,
    *,
    scales: dict | None = None,
    numeric=None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet=0,
    header_row: int | None = None,
) -> SurveyFile:
    """Read a survey export (``.csv``, ``.txt``, ``.tsv``, ``.xlsx``, ``.parquet`` or a DataFrame).

    Parameters
    ----------
    source : path or DataFrame
        The export. A DataFrame keeps its own index as the row labels.
    scales : dict, optional
        Score columns and their scale, ``{"recommend": (0, 10), "satisfaction": (1, 5)}``.
        In these columns a label with a number ("10 - zdecydowanie polecę", "Very
        satisfied (5)") is read as that number; a value that is not a number, not a whole
        scale point or outside the scale is left out as missing; every such cell is
        listed in ``changes``.
    numeric : list of str, optional
        Columns that must be numbers, on no fixed scale (driver ratings, measures): a cell
        that is not a number is left out as missing and listed, as in a score column.
    sep, decimal, encoding : str, optional
        The CSV's separator, decimal mark and text encoding; detected when not given
        (separator from ``; , tab |``, counting fields as a CSV reader does, quotes
        respected; the decimal mark from the numbers in the file; the encoding from a
        byte-order mark, else UTF-8, else Windows-1250 or -1252 told apart by the letters
        of the languages each is written in).
    sheet : int or str
        The worksheet of an ``.xlsx`` file.
    header_row : int, optional
        The row of the header as a spreadsheet shows the file (1 is the first line); by
        default the first row with a name in at least half of the table's columns, so that
        title lines above it (padded with separators or not) are skipped.

    Returns
    -------
    SurveyFile
        ``.table`` (index: the row as the spreadsheet shows it), ``.changes``,
        ``.report()``.

    Other columns become numbers when every answer in them is a number, unless one is a
    code with a leading zero (``007``): then the column stays text, and a line says so.
    Text is trimmed of surrounding spaces. Blank rows, repeats of the header and total
    rows are dropped and listed; a total row is a row at the end of the table whose first
    filled cell is a total label ("Razem", "Total", ...) outside the score columns and
    whose other text cells are empty.

    Examples
    --------
    >>> import io
    >>> export = io.BytesIO("kanał;polecenie\\nczat;10 - zdecydowanie polecę\\n\\ntelefon;6\\nRazem;7,4\\n"
    ...                     .encode("utf-8-sig"))
    >>> survey = read_survey(export, scales={"polecenie": (0, 10)})
    >>> survey.table
            kanał  polecenie
    row
    2        czat         10
    4     telefon          6
    >>> survey.changes[["row", "kind"]].values.tolist()
    [[3, 'blank row'], [5, 'total row'], [2, 'label']]
    """
    scales = _check_scales(scales)
    numeric = _check_numeric(numeric, scales)
    if header_row is not None:
        header_row = check_whole(header_row, "header_row", minimum=1)
    details: list[tuple[str, dict]] = []
    if isinstance(source, pd.DataFrame):
        if header_row is not None:
            raise ValueError("header_row is for files; a DataFrame has its header already")
        frame, name = source.copy(), "DataFrame"
        frame.index = frame.index.copy()
    else:
        frame, first_row, name, (sep, decimal, encoding) = _read_file(
            source, sep=sep, decimal=decimal, encoding=encoding, sheet=sheet, header_row=header_row, details=details)
        frame.index = pd.RangeIndex(first_row, first_row + len(frame), name="row")
    if frame.columns.duplicated().any():
        raise ValueError(f"{name} has repeated column names: {sorted(set(frame.columns[frame.columns.duplicated()]))}")
    frame.columns = [str(column).strip() for column in frame.columns]
    require_columns(frame, *scales, *numeric)
    rows_read = len(frame)
    changes: list[pd.DataFrame] = []
    distinct: dict = {}
    frame = _drop_rows(frame, changes, distinct, scales, decimal or ".")
    for column in frame.columns:
        frame[column] = _convert_column(frame[column], column, scales.get(column), decimal or ".", changes,
                                        distinct.get(column), numeric=column in numeric)
    changes_table = (pd.concat(changes, ignore_index=True) if changes
                     else pd.DataFrame({column: pd.Series(dtype=object) for column in _CHANGE_COLUMNS}))
    notes = tuple(NOTES[key].format(**values) for key, values in details)
    return SurveyFile(table=frame, changes=changes_table, rows_read=rows_read, source=name, notes=notes,
                      encoding=encoding, separator=sep, decimal=decimal, scales=scales, details=tuple(details))


def _check_scales(scales) -> dict:
    if scales is None:
        return {}
    if not isinstance(scales, dict):
        raise TypeError(f"scales must be a dict like {{'recommend': (0, 10)}}, got {type(scales).__name__}")
    checked = {}
    for column, scale in scales.items():
        if not (isinstance(scale, tuple | list) and len(scale) == 2):
            raise TypeError(f"scales[{column!r}] must be a pair (lowest, highest) such as (0, 10), got {scale!r}")
        low = check_whole(scale[0], f"the lowest point of scales[{column!r}]")
        high = check_whole(scale[1], f"the highest point of scales[{column!r}]", minimum=low + 1)
        checked[str(column)] = (low, high)
    return checked


def _check_numeric(numeric, scales: dict) -> set:
    if numeric is None:
        return set()
    if isinstance(numeric, str):
        numeric = [numeric]
    names = {str(column) for column in numeric}
    both = sorted(names & set(scales))
    if both:
        raise ValueError(f"column(s) {both} are in both scales and numeric: a score column is numeric already")
    return names


# --- reading the file -----------------------------------------------------------------

def _read_file(source, *, sep, decimal, encoding, sheet, header_row, details):
    """The raw table, the row number of its first data row, a name, and (sep, decimal, encoding)."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no survey export at {path}")
        name, suffix = path.name, path.suffix.lower()
    elif hasattr(source, "read"):
        path, name, suffix = source, getattr(source, "name", "export"), ".csv"
        name = Path(name).name if isinstance(name, str) else "export"
    else:
        raise TypeError(f"read_survey takes a path, an open binary file or a DataFrame, got {type(source).__name__}")
    if suffix in (".xlsx", ".xlsm"):
        require_extra("openpyxl", "teams", f"reading {name} (an Excel workbook)")
        frame, first_row = _read_workbook(path, sheet, header_row, details)
        return frame, first_row, name, (None, None, None)
    if suffix == ".parquet":
        require_extra("pyarrow", "teams", f"reading {name} (a Parquet file)")
        details.append(("parquet", {}))
        return pd.read_parquet(path), 1, name, (None, None, None)
    if suffix not in (".csv", ".txt", ".tsv"):
        raise ValueError(f"{name}: cannot read {suffix or 'a file without an extension'!r}; "
                         "read_survey reads .csv, .txt, .tsv, .xlsx and .parquet")
    if isinstance(path, Path):
        with open(path, "rb") as handle:
            raw = handle.read(_SNIFF_CHARS + 1)  # the start is enough to detect; pandas reads the file itself
    else:
        raw = path.read()
    given = encoding
    if encoding:
        encoding, note = encoding, ("encoding given", {"encoding": encoding})
    else:
        encoding, note = _detect_encoding(raw)
    layout = _csv_layout(raw, encoding, sep=sep, header_row=header_row, name=name)
    sep = layout.sep if sep is None else sep
    if decimal is None:
        decimal = _detect_decimal(layout.data, sep)
        details.append(("decimal", {"decimal": _show(decimal)}))
    if layout.separator_detected:
        details.insert(0, ("separator", {"separator": _show(sep)}))
    if header_row is not None:
        details.insert(0, ("header given", {"row": header_row}))
    if layout.skip_records:
        details.insert(0 if header_row is None else 1, ("lines above header", {"count": layout.skip_records}))
    codes = {layout.header[index]: str for index in _code_columns(layout.data, len(layout.header))
             if index < len(layout.header) and layout.header.count(layout.header[index]) == 1}

    def read(encoding):
        return pd.read_csv(path if isinstance(path, Path) else io.BytesIO(raw), encoding=encoding, sep=sep,
                           decimal=decimal, skiprows=layout.skip_lines, skip_blank_lines=False, keep_default_na=False,
                           na_values=[""], dtype=codes or None)

    try:
        frame = read(encoding)
    except UnicodeDecodeError as error:
        if given:
            raise ValueError(f"{name} is not {given} text (byte {error.start} cannot be read); "
                             "leave encoding= out to have it detected") from error
        # Valid UTF-8 at the start, not further on: a Windows code page after all.
        encoding, note = _detect_encoding(path.read_bytes() if isinstance(path, Path) else raw, utf8=False)
        frame = read(encoding)
    details.insert(0, note)
    return frame, layout.skip_records + 2, name, (sep, decimal, encoding)


def _show(mark: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','", "|": "'|'", ".": "'.'"}.get(mark, repr(mark))


# Encodings. A file that is not UTF-8 is in a Windows code page: 1250 for Central European
# languages, 1252 for Western European ones. The same byte is a different letter in each
# (0xE8: 'č' or 'è'; 0xB3: 'ł' or '³'), so each reading of the file's words is checked against
# the letters of the languages written in that code page: the words of a Czech file read as
# 1252 mix letters no single language has ('pøíjemný') or hold symbols ('z³oty').
_LETTERS_1250 = {"Polish": "ąćęłńóśźż", "Czech": "áčďéěíňóřšťúůýž", "Slovak": "áäčďéíĺľňóôŕšťúýž",
                 "Hungarian": "áéíóöőúüű", "Slovenian, Croatian": "čćđšž", "Romanian": "ăâîşţ"}
_LETTERS_1252 = {"German": "äöüß", "French": "àâæçéèêëîïôœùûüÿ", "Spanish": "áéíñóúü", "Italian": "àèéìíîòóùú",
                 "Portuguese": "àáâãçéêíóôõú", "Dutch": "áàéèëïöüóúç", "Danish, Norwegian": "æøåéó",
                 "Swedish, Finnish": "åäöé", "Catalan": "àèéíïòóúüç"}
_CODE_PAGES = {"cp1250": _LETTERS_1250, "cp1252": _LETTERS_1252}
_UNDEFINED = {"cp1250": b"\x81\x83\x88\x90\x98", "cp1252": b"\x81\x8d\x8f\x90\x9d"}
# Quotes, dashes and symbols around a word ('„Tak”', 'są' read as 1252: 's¹') are not part of it.
_EDGE_MARKS = "".join(chr(code) for code in range(0x80, 0x2200) if not chr(code).isalpha()) + "\ufffd"
_WORD_BYTES = re.compile(rb"[^\x00-\x40\x5b-\x60\x7b-\x7f]*[\x80-\xff][^\x00-\x40\x5b-\x60\x7b-\x7f]*")


def _detect_encoding(raw: bytes, *, utf8: bool = True) -> tuple[str, tuple[str, dict]]:
    """The encoding of ``raw`` and a note on how it was found (UTF-8 is judged from the start of the file)."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", ("bom", {})
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ("utf-16", {})
    if utf8:
        start = raw[:_SNIFF_CHARS]
        try:
            start.decode("utf-8")
        except UnicodeDecodeError as error:
            # A character cut in two at the end of the sample is not an error.
            if error.start >= len(start) - 3 and len(raw) > len(start):
                return "utf-8", ("utf-8", {})
        else:
            return "utf-8", ("utf-8", {})
    chosen = _code_page(raw)
    return chosen, ("code page", {"encoding": chosen})


def _code_page(raw: bytes) -> str:
    """Windows-1250 or -1252: the reading whose words best fit one language of its code page."""
    words = Counter(_WORD_BYTES.findall(raw))
    scores = {}
    for code_page, languages in _CODE_PAGES.items():
        if any(raw.find(bytes([byte])) >= 0 for byte in _UNDEFINED[code_page]):
            continue  # a byte this code page does not have: not this one
        read = []
        for word, count in words.items():
            text = word.decode(code_page, errors="replace").strip(_EDGE_MARKS).casefold()
            letters = {char for char in text if ord(char) > 127}
            if letters:
                read.append((letters, all(char.isalpha() for char in text), count))
        scores[code_page] = max((sum(count if whole and letters <= set(alphabet) else -count
                                     for letters, whole, count in read) for alphabet in languages.values()),
                                default=0)
    if not scores:
        raise ValueError("the file is neither UTF-8 nor Windows-1250 or -1252 text: pass encoding= "
                         "(for example encoding='cp1251' or 'mac_roman')")
    # Western European on a tie: no word spoke for a Central European language.
    return max(scores, key=lambda code_page: (scores[code_page], code_page == "cp1252"))


class _Layout:
    """A CSV's shape as a person sees it: separator, header, what lies above it, the first data records."""

    def __init__(self, sep, separator_detected, header, skip_records, skip_lines, data):
        self.sep, self.separator_detected, self.header = sep, separator_detected, header
        self.skip_records, self.skip_lines, self.data = skip_records, skip_lines, data


def _records(sample: str, sep: str, limit: int) -> list[tuple[list[str], int]]:
    """The first ``limit`` records as a CSV reader sees them (quotes respected), each with the lines read so far."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
    found = []
    try:
        for fields in itertools.islice(reader, limit):
            found.append((fields, reader.line_num))
    except csv.Error:
        pass  # a broken quote further on: what was read so far decides
    return found


def _filled(fields: list[str]) -> int:
    return sum(1 for value in fields if value.strip())


def _csv_layout(raw: bytes, encoding: str, *, sep, header_row, name) -> _Layout:
    sample = raw[:_SNIFF_CHARS].decode(encoding, errors="replace")
    truncated = len(raw) > _SNIFF_CHARS
    if truncated:
        sample = sample[:sample.rfind("\n") + 1] or sample
    limit = max(_LAYOUT_RECORDS, (header_row or 0) + 1)
    detected = sep is None
    if detected:
        sep = _detect_separator(sample, limit)
    records = _records(sample, sep, limit + _DECIMAL_RECORDS)
    if truncated and len(records) > 1:
        records = records[:-1]  # perhaps cut short
    if header_row is not None:
        if header_row > len(records) and not truncated:
            raise ValueError(f"header_row={header_row}: {name} has {len(records)} row(s); "
                             f"the header row is one of 1-{len(records)}")
        index = min(header_row, len(records)) - 1
    else:
        index = _header_index([fields for fields, _ in records[:limit]])
    skip_lines = records[index - 1][1] if index > 0 else 0
    header = records[index][0] if records else []
    return _Layout(sep, detected, header, index, skip_lines, [fields for fields, _ in records[index + 1:]])


def _detect_separator(sample: str, limit: int) -> str:
    """The separator that splits the records into the same number of fields most often (quotes respected)."""
    best, best_score = ",", None
    for mark in _SEPARATORS:
        counts = [len(fields) for fields, _ in _records(sample, mark, limit) if _filled(fields)]
        if not counts:
            continue
        width, times = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (round(times / len(counts), 2), width)
        if best_score is None or score > best_score:
            best, best_score = mark, score
    return best


def _header_index(records: list[list[str]]) -> int:
    """The first record with a name in at least half of the table's columns (both of two): titles have fewer."""
    widths = [len(fields) for fields in records if _filled(fields)]
    if not widths:
        return 0
    need = _names_needed(Counter(widths).most_common(1)[0][0])
    for index, fields in enumerate(records):
        if _filled(fields) >= need:
            return index
    return 0


def _names_needed(width: int) -> int:
    """How many filled cells make a row a header in a table ``width`` columns wide: half of them, and two at least."""
    return width if width <= 2 else max(2, math.ceil(width / 2))


def _detect_decimal(records: list[list[str]], sep: str) -> str:
    if sep == ",":
        return "."
    comma = dot = 0
    for row in records[:_DECIMAL_RECORDS]:
        for cell in row:
            comma += bool(_COMMA_DECIMAL.match(cell))
            dot += bool(_DOT_DECIMAL.match(cell))
    return "," if comma > dot else "."


def _code_columns(records: list[list[str]], width: int) -> list[int]:
    """Columns with a code such as ``007`` among the first data records: read as text, or the zeros are lost."""
    found = set()
    for row in records[:_DECIMAL_RECORDS]:
        for index, cell in enumerate(row[:width]):
            if index not in found and _LEADING_ZERO.match(cell.strip()):
                found.add(index)
    return sorted(found)


def _empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return value is pd.NaT or value is pd.NA


def _read_workbook(path, sheet, header_row, details) -> tuple[pd.DataFrame, int]:
    """A sheet with its header found as in a CSV (title rows above it skipped); its first data row in Excel's numbering."""
    with pd.ExcelFile(path) as book:
        names = book.sheet_names
        if isinstance(sheet, int) and not -len(names) <= sheet < len(names):
            raise ValueError(f"sheet={sheet}: the workbook has {len(names)} sheet(s): {names}")
        if not isinstance(sheet, int) and sheet not in names:
            raise ValueError(f"sheet={sheet!r}: the workbook has no such sheet; its sheets are {names}")
        sheet = names[sheet] if isinstance(sheet, int) else sheet
        details.append(("excel", {"sheet": repr(sheet)}))
        grid = pd.read_excel(book, sheet_name=sheet, dtype=object, header=None)
    if grid.empty:
        return pd.DataFrame(), 2
    if header_row is not None:
        if header_row > len(grid):
            raise ValueError(f"header_row={header_row}: the sheet has {len(grid)} row(s); "
                             f"the header row is one of 1-{len(grid)}")
        index = header_row - 1
        details.append(("header given", {"row": header_row}))
    else:
        top = grid.head(_LAYOUT_RECORDS)
        filled = (~top.map(_empty)).sum(axis=1).to_numpy()
        index = int(np.argmax(filled >= _names_needed(int(filled.max()))))
    if index:
        details.append(("rows above header", {"count": index}))
    names = []
    for position, value in enumerate(grid.iloc[index]):
        if _empty(value):
            names.append(f"Unnamed: {position}")
        elif isinstance(value, float) and value.is_integer():
            names.append(str(int(value)))
        else:
            names.append(str(value))
    frame = grid.iloc[index + 1:].reset_index(drop=True)
    frame.columns = names
    # Columns with neither a name nor an answer (a title cell beyond the table's right edge) are no columns.
    unnamed = [name for position, name in enumerate(names) if _empty(grid.iat[index, position])
               and frame[name].map(_empty).all()]
    return frame.drop(columns=unnamed), index + 2


# --- rows and cells -------------------------------------------------------------------

def _change_lines(rows, column, values, kind, read_as=None) -> pd.DataFrame:
    rows = list(rows)
    return pd.DataFrame({
        "row": rows,
        "column": [column] * len(rows),
        "value": [None if value is None else str(value) for value in values],
        "kind": [kind] * len(rows),
        "read_as": list(read_as) if read_as is not None else [None] * len(rows),
    }, columns=_CHANGE_COLUMNS)


def _distinct(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``codes, values``: each cell's index into the column's distinct values (-1 for missing).

    Survey columns hold few distinct values (eleven scores, a handful of labels, twenty
    segments), so every check below looks at each distinct value once, not at every row.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _per_cell(codes: np.ndarray, flags, missing=False) -> np.ndarray:
    """A flag per distinct value spread to every cell (``missing`` for missing cells)."""
    flags = np.append(np.asarray(flags, dtype=bool if isinstance(missing, bool) else object), missing)
    return flags[codes]  # code -1 picks the appended value


def _drop_rows(frame: pd.DataFrame, changes: list, distinct: dict, scales: dict, decimal: str) -> pd.DataFrame:
    """``frame`` without blank, total and repeated-header rows; ``distinct`` gets each text column's codes and values."""
    n = len(frame)
    blank = np.ones(n, dtype=bool)
    header = np.full(n, len(frame.columns) > 0)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            blank &= values.isna().to_numpy()
            header[:] = False
            continue
        codes, uniques = _distinct(values)
        distinct[column] = (codes, uniques)
        texts = [value.strip() if isinstance(value, str) else None for value in uniques]
        blank &= _per_cell(codes, [text == "" for text in texts], missing=True)
        header &= _per_cell(codes, [text == column for text in texts])
    total = np.zeros(n, dtype=bool)
    total_value = np.full(n, None, dtype=object)
    for position, label in _trailing_totals(frame, blank, set(scales), decimal):
        total[position], total_value[position] = True, label
    header &= ~blank & ~total
    if blank.any():
        changes.append(_change_lines(frame.index[blank], None, [None] * int(blank.sum()), "blank row"))
    if total.any():
        changes.append(_change_lines(frame.index[total], None, total_value[total], "total row"))
    if header.any():
        changes.append(_change_lines(frame.index[header], None, [None] * int(header.sum()), "repeated header"))
    drop = blank | total | header
    if not drop.any():
        return frame
    for column, (codes, uniques) in distinct.items():
        distinct[column] = (codes[~drop], uniques)
    return frame[~drop]


def _trailing_totals(frame: pd.DataFrame, blank: np.ndarray, scored: set, decimal: str) -> list[tuple[int, str]]:
    """(position, label) of the total rows: the rows at the end of the table (blank rows aside) that read as totals."""
    found = []
    for position in range(len(frame) - 1, -1, -1):
        if blank[position]:
            continue
        label = _total_label(frame.iloc[position], scored, decimal)
        if label is None:
            break
        found.append((position, label))
    return found[::-1]


def _total_label(row: pd.Series, scored: set, decimal: str) -> str | None:
    """The total label of a row, if its first filled cell is one (outside a score column) and no other cell is text."""
    label = None
    for column, value in row.items():
        if _empty(value) or (isinstance(value, str) and _read_cell(value, decimal, False)[1] == _MISSING):
            continue
        if label is None:
            text = value.strip().casefold().rstrip(":").strip() if isinstance(value, str) else None
            if column in scored or text not in _TOTALS:
                return None
            label = value.strip()
        elif isinstance(value, str) and _read_cell(value, decimal, False)[1] != _OK:
            return None  # another text cell: a respondent whose first answer reads like a total
    return label


_OK, _MISSING, _LABEL, _UNREADABLE = 0, 1, 2, 3
_LEADING = re.compile(_LEADING_NUMBER)
_TRAILING = re.compile(_TRAILING_NUMBER)
_MISSING_SET = frozenset(MISSING_MARKS)
_TOTALS = frozenset(TOTAL_LABELS)


def _read_cell(value, decimal: str, labels: bool) -> tuple[float, int]:
    """One distinct value as (number, status)."""
    if isinstance(value, bool | np.bool_):
        return math.nan, _UNREADABLE
    if isinstance(value, numbers.Real):
        return (float(value), _OK) if math.isfinite(value) else (math.nan, _UNREADABLE)
    text = str(value).strip()
    if text.casefold() in _MISSING_SET:
        return math.nan, _MISSING
    candidate = text
    if decimal == ",":
        # Under a decimal comma "7.4" could be 7.4 or a thousands mark: not read.
        candidate = "_" if "." in text else text.replace(",", ".")
    if "_" not in candidate:
        try:
            number = float(candidate)
        except ValueError:
            pass
        else:
            return (number, _OK) if math.isfinite(number) else (math.nan, _UNREADABLE)
    if labels:
        found = _LEADING.match(text) or _TRAILING.search(text)
        if found:
            return float(found.group(1)), _LABEL
    return math.nan, _UNREADABLE


def _parse_numbers(column: pd.Series, decimal: str, *, labels: bool, distinct=None):
    """Numbers of a column: (float values, mask of missing, {kind: mask}, label numbers)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        raise TypeError(f"column {column.name!r} holds true/false values, not scores")
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        return values, np.isnan(values), {}, None
    codes, uniques = distinct if distinct is not None else _distinct(column)
    read = [_read_cell(value, decimal, labels) for value in uniques]
    numbers_of = np.array([number for number, _ in read] + [math.nan], dtype=np.float64)
    status_of = np.array([status for _, status in read] + [_MISSING], dtype=np.int8)
    values, status = numbers_of[codes], status_of[codes]
    kinds = {kind: mask for kind, mask in (("label", status == _LABEL), ("unreadable", status == _UNREADABLE))
             if mask.any()}
    label_numbers = values[kinds["label"]] if "label" in kinds else None
    return values, status == _MISSING, kinds, label_numbers


def _convert_column(column: pd.Series, name: str, scale, decimal: str, changes: list, distinct=None, *,
                    numeric: bool = False) -> pd.Series:
    if scale is None and not numeric:
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            return column
        values, missing, kinds, _ = _parse_numbers(column, decimal, labels=False, distinct=distinct)
        codes, uniques = distinct if distinct is not None else _distinct(column)
        if not kinds and (~missing).any():
            zeros = [isinstance(value, str) and bool(_LEADING_ZERO.match(value.strip())) for value in uniques]
            if not any(zeros):
                numbers_read = pd.Series(values, index=column.index, name=name)
                whole = np.isnan(values) | (values == np.round(values))
                return numbers_read.astype("Int64") if whole.all() else numbers_read
            first = int(np.argmax(_per_cell(codes, zeros)))
            changes.append(_change_lines(column.index[first:first + 1], name, [str(column.iloc[first]).strip()],
                                         "leading zeros"))
        uniques = uniques[np.unique(codes[codes >= 0])]
        padded = any(isinstance(value, str) and value != value.strip() for value in uniques)
        return column.str.strip() if padded else column

    values, missing, kinds, label_numbers = _parse_numbers(column, decimal, labels=True, distinct=distinct)
    original = column.astype(object).to_numpy()
    known = ~np.isnan(values)
    if scale is None:
        outside = fractional = np.zeros(len(values), dtype=bool)
    else:
        low, high = scale
        outside = known & ((values < low) | (values > high))
        fractional = known & ~outside & (values != np.round(values))
    if "label" in kinds:
        mask = kinds["label"]
        read_as = label_numbers.astype(int) if scale is not None or (label_numbers == np.round(label_numbers)).all() \
            else label_numbers
        changes.append(_change_lines(column.index[mask], name, original[mask], "label", read_as))
    for kind, mask in (("unreadable", kinds.get("unreadable")), ("out of range", outside),
                       ("not whole", fractional), ("missing", missing)):
        if mask is not None and mask.any():
            changes.append(_change_lines(column.index[mask], name, np.where(pd.isna(original[mask]), None,
                                                                             original[mask]), kind))
    values = values.copy()
    values[outside | fractional] = np.nan
    if scale is None and not (np.isnan(values) | (values == np.round(values))).all():
        return pd.Series(values, index=column.index, name=name)
    scores = pd.array(np.where(np.isnan(values), 0, values).astype(np.int64), dtype="Int64")
    scores[np.isnan(values)] = pd.NA
    return pd.Series(scores, index=column.index, name=name)
