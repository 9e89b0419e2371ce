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
    frame = _drop_rows(frame, changes)
    for column in frame.columns:
        frame[column] = _convert_column(frame[column], column, scales.get(column), decimal or ".", changes)
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
    raw = path.read_bytes() if isinstance(path, Path) else path.read()
    encoding = encoding or _detect_encoding(raw, notes)
    text = raw.decode(encoding)
    sample = text[:_SNIFF_CHARS]
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

    frame = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal, skiprows=header_line - 1,
                        skip_blank_lines=False, keep_default_na=False, na_values=[""])
    return frame, header_line + 1, name, (sep, decimal, encoding)


def _show(mark: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','", "|": "'|'", ".": "'.'"}.get(mark, repr(mark))


def _detect_encoding(raw: bytes, notes: list[str]) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        notes.append("encoding UTF-8 with a byte-order mark (removed)")
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append("encoding UTF-16 (byte-order mark)")
        return "utf-16"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        notes.append("encoding UTF-8")
        return "utf-8"
    # Not UTF-8: a Windows code page. Polish letters decide between Central and Western European.
    polish = sum(raw.count(bytes([code])) for code in (0xB9, 0xEA, 0xB3, 0xF1, 0x9C, 0x9F, 0xBF, 0xA5, 0xCA, 0xA3))
    western = sum(raw.count(bytes([code])) for code in (0xE9, 0xEB, 0xEF, 0xE8, 0xE0, 0xE4, 0xF6, 0xFC))
    chosen = "cp1250" if polish > western else "cp1252"
    notes.append(f"encoding {chosen} (not UTF-8; guessed from the letters, pass encoding= if names look wrong)")
    return chosen


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


def _text_cells(column: pd.Series) -> pd.Series:
    """The column's text cells, trimmed (numbers and missing cells left out)."""
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return column.iloc[:0].astype(object)
    if isinstance(column.dtype, pd.StringDtype):
        return column.dropna().str.strip()
    texts = column[column.map(lambda value: isinstance(value, str), na_action="ignore").fillna(False).astype(bool)]
    return texts.str.strip()


def _drop_rows(frame: pd.DataFrame, changes: list) -> pd.DataFrame:
    texts_of = {column: _text_cells(frame[column]) for column in frame.columns}
    empty = frame.isna()
    for column, texts in texts_of.items():
        if len(texts):
            empty.loc[texts.index[(texts == "").to_numpy()], column] = True
    blank = empty.all(axis=1)

    total = pd.Series(False, index=frame.index)
    header = pd.Series(len(frame.columns) > 0, index=frame.index)
    labels = set(TOTAL_LABELS)
    total_value = pd.Series(None, index=frame.index, dtype=object)
    for column, texts in texts_of.items():
        folded = texts.str.casefold().str.rstrip(":").str.strip()
        hit = folded.isin(labels)
        found = hit[hit].index
        total_value.loc[found] = total_value.loc[found].where(total_value.loc[found].notna(), texts.loc[found])
        total.loc[found] = True
        same = pd.Series(False, index=frame.index)
        same.loc[texts.index[texts == column]] = True
        header &= same
    total &= ~blank
    header &= ~blank & ~total
    if blank.any():
        changes.append(_change_lines(frame.index[blank], None, [None] * int(blank.sum()), "blank row"))
    if total.any():
        changes.append(_change_lines(frame.index[total], None, total_value[total], "total row"))
    if header.any():
        changes.append(_change_lines(frame.index[header], None, [None] * int(header.sum()), "repeated header"))
    drop = blank | total | header
    return frame[~drop.to_numpy()] if drop.any() else frame


def _parse_numbers(column: pd.Series, decimal: str, *, labels: bool):
    """Numbers of a column: (float values, mask of missing, {kind: mask}, label numbers)."""
    index = column.index
    if pd.api.types.is_bool_dtype(column.dtype):
        raise TypeError(f"column {column.name!r} holds true/false values, not scores")
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        return values, np.isnan(values), {}, None
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    present = column.notna().to_numpy()
    texts = column.map(lambda value: isinstance(value, str), na_action="ignore").fillna(False).to_numpy(dtype=bool)
    if decimal == ",":
        # "7.4" under a decimal comma could be 7.4 or a thousands mark: not read.
        dotted = texts & column.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool) if texts.any() else texts
        values[dotted] = np.nan
    failed = present & np.isnan(values)
    missing = ~present
    kinds: dict[str, np.ndarray] = {}
    label_numbers = None
    if failed.any():
        cells = column[failed].astype(str).str.strip()
        is_missing = cells.str.casefold().isin(MISSING_MARKS).to_numpy()
        numbers = pd.to_numeric(cells.str.replace(",", ".", regex=False) if decimal == "," else cells, errors="coerce")
        if decimal == ",":
            numbers[cells.str.contains(".", regex=False)] = np.nan
        numbers = numbers.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        still = ~is_missing & np.isnan(numbers)
        labelled = np.zeros(len(cells), dtype=bool)
        if labels and still.any():
            leading = cells.str.extract(_LEADING_NUMBER, expand=False)
            trailing = cells.str.extract(_TRAILING_NUMBER, expand=False)
            found = pd.to_numeric(leading.fillna(trailing), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            labelled = still & ~np.isnan(found)
            numbers = np.where(labelled, found, numbers)
            still &= ~labelled
        positions = np.flatnonzero(failed)
        values[positions] = numbers
        missing[positions[is_missing]] = True
        if labelled.any():
            mask = np.zeros(len(index), dtype=bool)
            mask[positions[labelled]] = True
            kinds["label"] = mask
            label_numbers = numbers[labelled]
        if still.any():
            mask = np.zeros(len(index), dtype=bool)
            mask[positions[still]] = True
            kinds["unreadable"] = mask
    return values, missing, kinds, label_numbers


def _convert_column(column: pd.Series, name: str, scale, decimal: str, changes: list) -> pd.Series:
    if scale is None:
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            return column
        values, missing, kinds, _ = _parse_numbers(column, decimal, labels=False)
        if not kinds and (~missing).any():
            numbers = pd.Series(values, index=column.index, name=name)
            whole = np.isnan(values) | (values == np.round(values))
            return numbers.astype("Int64") if whole.all() else numbers
        return column.str.strip() if pd.api.types.is_string_dtype(column.dtype) else column

    low, high = scale
    values, missing, kinds, label_numbers = _parse_numbers(column, decimal, labels=True)
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
