"""Read a survey tool's export as it is, and say everything that was changed to read it.

Real exports are messy: ``;`` separators and decimal commas, a byte-order mark, a
Windows code page, answers written as labels ("10 - zdecydowanie polecę"), blank lines,
a total row at the bottom, missing answers. :func:`read_survey` detects the format, reads
what can be read, and returns the table with a record of every change: nothing is
dropped or coerced without a line in :attr:`SurveyFile.changes` naming the row (as the
spreadsheet shows it), the column and the original value.

Layer 1 of cxlab (beside the metrics): imports numpy, pandas and :mod:`cxlab._validate`;
pandas reads ``.xlsx`` through openpyxl and ``.parquet`` through pyarrow (the ``plots``
extra installs both).
"""

from __future__ import annotations

import codecs
import csv
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
                 "geen antwoord", "n.v.t.")
#: A row with one of these as a whole cell is a total or summary row, not an answer.
TOTAL_LABELS = ("razem", "suma", "ogółem", "ogolem", "łącznie", "średnia", "total", "totals", "grand total",
                "sum", "average", "mean", "totaal", "gemiddelde")
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
}
ROW_KINDS = ("blank row", "total row", "repeated header")
_CHANGE_COLUMNS = ["row", "column", "value", "kind", "read_as"]
# "10 - zdecydowanie polecę", "10 = definitely", "10: definitely", "10 (definitely)", "definitely (10)"
_LEADING_NUMBER = r"^\s*(-?\d+)\s*(?:[-\u2013\u2014:=.)/]|\()\s*\D"
_TRAILING_NUMBER = r"\((-?\d+)\)\s*$"
_COMMA_DECIMAL = re.compile(r"^\s*-?\d+,\d+\s*$")
_DOT_DECIMAL = re.compile(r"^\s*-?\d+\.\d+\s*$")
_SEPARATORS = ";,\t|"
_SNIFF_CHARS = 256 * 1024


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
        How the file was read: format, encoding, separator, decimal mark, byte-order mark.
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
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet=0,
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
    sep, decimal, encoding : str, optional
        The CSV's separator, decimal mark and text encoding; detected when not given
        (separator from ``; , tab |``; the decimal mark from the numbers in the file;
        the encoding from a byte-order mark, else UTF-8, else Windows-1250 or -1252).
    sheet : int or str
        The worksheet of an ``.xlsx`` file.

    Returns
    -------
    SurveyFile
        ``.table`` (index: the row as the spreadsheet shows it), ``.changes``,
        ``.report()``.

    Other columns become numbers when every answer in them is a number; otherwise they
    stay text, trimmed of surrounding spaces. Blank rows, total rows ("Razem", "Total",
    ...) and repeats of the header are dropped and listed.

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
    notes: list[str] = []
    if isinstance(source, pd.DataFrame):
        frame, first_row, name = source.copy(), None, "DataFrame"
        frame.index = frame.index.copy()
    else:
        frame, first_row, name, details = _read_file(source, sep=sep, decimal=decimal, encoding=encoding,
                                                     sheet=sheet, notes=notes)
        sep, decimal, encoding = details
        frame.index = pd.RangeIndex(first_row, first_row + len(frame), name="row")
    if frame.columns.duplicated().any():
        raise ValueError(f"{name} has repeated column names: {sorted(set(frame.columns[frame.columns.duplicated()]))}")
    frame.columns = [str(column).strip() for column in frame.columns]
    require_columns(frame, *scales)
    rows_read = len(frame)
    changes: list[pd.DataFrame] = []
    distinct: dict = {}
    frame = _drop_rows(frame, changes, distinct)
    for column in frame.columns:
        frame[column] = _convert_column(frame[column], column, scales.get(column), decimal or ".", changes,
                                        distinct.get(column))
    changes_table = (pd.concat(changes, ignore_index=True) if changes
                     else pd.DataFrame({column: pd.Series(dtype=object) for column in _CHANGE_COLUMNS}))
    return SurveyFile(table=frame, changes=changes_table, rows_read=rows_read, source=name, notes=tuple(notes),
                      encoding=encoding, separator=sep, decimal=decimal, scales=scales)


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


# --- reading the file -----------------------------------------------------------------

def _read_file(source, *, sep, decimal, encoding, sheet, notes):
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
        notes.append(f"Excel workbook, sheet {sheet!r}")
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object)
        return frame, 2, name, (None, None, None)
    if suffix == ".parquet":
        notes.append("Parquet file; row 1 is the first record")
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
    encoding, encoding_note = (encoding, f"encoding {encoding} (given)") if encoding else _detect_encoding(raw)
    sample = raw[:_SNIFF_CHARS].decode(encoding, errors="ignore")
    header_line, lines = _header_line(sample)
    if header_line > 1:
        notes.append(f"{header_line - 1} line(s) above the header skipped")
    if sep is None:
        sep = _detect_separator(lines[header_line - 1:])
        notes.append(f"separator {_show(sep)} (detected)")
    if decimal is None:
        decimal = _detect_decimal(lines[header_line:], sep)
        notes.append(f"decimal mark {_show(decimal)} (detected)")
    import io

    def read(encoding):
        return pd.read_csv(path if isinstance(path, Path) else io.BytesIO(raw), encoding=encoding, sep=sep, decimal=decimal, skiprows=header_line - 1,
                           skip_blank_lines=False, keep_default_na=False, na_values=[""])

    try:
        frame = read(encoding)
    except UnicodeDecodeError as error:
        if given:
            raise ValueError(f"{name} is not {given} text (byte {error.start} cannot be read); "
                             "leave encoding= out to have it detected") from error
        # Valid UTF-8 at the start, not further on: a Windows code page after all.
        encoding, encoding_note = _detect_encoding(path.read_bytes() if isinstance(path, Path) else raw, utf8=False)
        frame = read(encoding)
    notes.insert(0, encoding_note)
    return frame, header_line + 1, name, (sep, decimal, encoding)


def _show(mark: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','", "|": "'|'", ".": "'.'"}.get(mark, repr(mark))


def _detect_encoding(raw: bytes, *, utf8: bool = True) -> tuple[str, str]:
    """The encoding of ``raw`` and a note on how it was found (UTF-8 is judged from the start of the file)."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "encoding UTF-8 with a byte-order mark (removed)"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "encoding UTF-16 (byte-order mark)"
    if utf8:
        start = raw[:_SNIFF_CHARS]
        try:
            start.decode("utf-8")
        except UnicodeDecodeError as error:
            # A character cut in two at the end of the sample is not an error.
            if error.start >= len(start) - 3 and len(raw) > len(start):
                return "utf-8", "encoding UTF-8"
        else:
            return "utf-8", "encoding UTF-8"
    # Not UTF-8: a Windows code page. Polish letters decide between Central and Western European.
    polish = sum(raw.count(bytes([code])) for code in (0xB9, 0xEA, 0xB3, 0xF1, 0x9C, 0x9F, 0xBF, 0xA5, 0xCA, 0xA3))
    western = sum(raw.count(bytes([code])) for code in (0xE9, 0xEB, 0xEF, 0xE8, 0xE0, 0xE4, 0xF6, 0xFC))
    chosen = "cp1250" if polish > western else "cp1252"
    return chosen, f"encoding {chosen} (not UTF-8; guessed from the letters, pass encoding= if names look wrong)"


def _header_line(sample: str) -> tuple[int, list[str]]:
    """The 1-based line of the header: the first with as many separators as most lines have."""
    lines = sample.splitlines()
    counted = [max(line.count(mark) for mark in _SEPARATORS) for line in lines[:200]]
    common = Counter(count for count in counted if count).most_common(1)
    if not common:
        return 1, lines
    for number, count in enumerate(counted, start=1):
        if count == common[0][0]:
            return number, lines
    return 1, lines


def _detect_separator(lines: list[str]) -> str:
    useful = [line for line in lines[:200] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(useful[:50]), delimiters=_SEPARATORS).delimiter
    except csv.Error:
        header = useful[0] if useful else ""
        return max(_SEPARATORS, key=header.count)


def _detect_decimal(lines: list[str], sep: str) -> str:
    if sep == ",":
        return "."
    comma = dot = 0
    for row in csv.reader(lines[:2000], delimiter=sep):
        for cell in row:
            comma += bool(_COMMA_DECIMAL.match(cell))
            dot += bool(_DOT_DECIMAL.match(cell))
    return "," if comma > dot else "."


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


def _drop_rows(frame: pd.DataFrame, changes: list, distinct: dict) -> pd.DataFrame:
    """``frame`` without blank, total and repeated-header rows; ``distinct`` gets each text column's codes and values."""
    n = len(frame)
    blank = np.ones(n, dtype=bool)
    total = np.zeros(n, dtype=bool)
    header = np.full(n, len(frame.columns) > 0)
    total_value = np.full(n, None, dtype=object)
    totals = set(TOTAL_LABELS)
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
        is_total = [text is not None and text.casefold().rstrip(":").strip() in totals for text in texts]
        hits = _per_cell(codes, is_total)
        first_hit = hits & ~total
        total_value[first_hit] = np.asarray(texts + [None], dtype=object)[codes[first_hit]]
        total |= hits
        header &= _per_cell(codes, [text == column for text in texts])
    total &= ~blank
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


_OK, _MISSING, _LABEL, _UNREADABLE = 0, 1, 2, 3
_LEADING = re.compile(_LEADING_NUMBER)
_TRAILING = re.compile(_TRAILING_NUMBER)
_MISSING_SET = frozenset(MISSING_MARKS)


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


def _convert_column(column: pd.Series, name: str, scale, decimal: str, changes: list, distinct=None) -> pd.Series:
    if scale is None:
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            return column
        values, missing, kinds, _ = _parse_numbers(column, decimal, labels=False, distinct=distinct)
        if not kinds and (~missing).any():
            numbers_read = pd.Series(values, index=column.index, name=name)
            whole = np.isnan(values) | (values == np.round(values))
            return numbers_read.astype("Int64") if whole.all() else numbers_read
        codes, uniques = distinct if distinct is not None else _distinct(column)
        uniques = uniques[np.unique(codes[codes >= 0])]
        padded = any(isinstance(value, str) and value != value.strip() for value in uniques)
        return column.str.strip() if padded else column

    low, high = scale
    values, missing, kinds, label_numbers = _parse_numbers(column, decimal, labels=True, distinct=distinct)
    original = column.astype(object).to_numpy()
    known = ~np.isnan(values)
    outside = known & ((values < low) | (values > high))
    fractional = known & ~outside & (values != np.round(values))
    if "label" in kinds:
        mask = kinds["label"]
        changes.append(_change_lines(column.index[mask], name, original[mask], "label", label_numbers.astype(int)))
    for kind, mask in (("unreadable", kinds.get("unreadable")), ("out of range", outside),
                       ("not whole", fractional), ("missing", missing)):
        if mask is not None and mask.any():
            changes.append(_change_lines(column.index[mask], name, np.where(pd.isna(original[mask]), None,
                                                                             original[mask]), kind))
    values = values.copy()
    values[outside | fractional] = np.nan
    scores = pd.array(np.where(np.isnan(values), 0, values).astype(np.int64), dtype="Int64")
    scores[np.isnan(values)] = pd.NA
    return pd.Series(scores, index=column.index, name=name)
