"""Survey periods in their real order, read from their labels as a person reads them.

A period column holds numbers (``9``, ``10``), dates, or labels such as ``IV kw. 2025``,
``Q1 2026``, ``2026-Q1``, ``H2 2025``, ``marzec 2026``, ``Wave 10`` or ``kwartaal 1 2026``
(Polish, English and Dutch). Sorted as text they come out wrong (``Wave 10`` before
``Wave 9``, ``I kw. 2026`` before ``IV kw. 2025``); :func:`period_order` sorts them by what
they mean, and where the labels carry no order of their own it keeps the order in which
they first appear in the file, and says so.

Layer 1 of cxlab (beside :mod:`cxlab.io`): imports the standard library, numpy and pandas only.
"""

from __future__ import annotations

import datetime as _datetime
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: How an order was found: the kinds of :attr:`PeriodOrder.how`.
ORDER_KINDS = ("given", "numbers", "dates", "months", "quarters", "half-years", "waves", "first appearance")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11,
          "xii": 12}
#: Month names (Polish nominative and genitive, English, Dutch; full and short) -> month number.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate([
    "styczeń stycznia styczen sty january jan januari",
    "luty lutego lut february feb februari",
    "marzec marca mar march maart mrt",
    "kwiecień kwietnia kwiecien kwi april apr",
    "maj maja may mei",
    "czerwiec czerwca cze june jun juni",
    "lipiec lipca lip july jul juli",
    "sierpień sierpnia sierpien sie august aug augustus",
    "wrzesień września wrzesien wrzesnia wrz september sep sept",
    "październik października pazdziernik pazdziernika paź paz october oct oktober okt",
    "listopad listopada lis november nov",
    "grudzień grudnia grudzien gru december dec",
], start=1):
    MONTHS.update(dict.fromkeys(_names.split(), _number))

_YEAR = r"(?P<year>\d{4}|'\d{2})"
_NUMERAL = r"(?P<part>[1-9]|1[0-2]|i{1,3}|iv|v|vi{1,3}|ix|x|xi{1,2})"
_SEP = r"[\s/\-_.,]*"
_ORDINAL = r"(?:\.|st|nd|rd|th|e|ste|de)?"
# Quarter and half-year words: Polish, English, Dutch (with their usual abbreviations).
_QUARTER = r"(?:kw\.?|kwart(?:ał|al)|quarter|qtr\.?|kwartaal|k)"
_HALF = r"(?:półrocze|polrocze|półr\.?|polr\.?|half(?:[\s-]?year)?|halfjaar|hj|hy)"
_WAVE = r"(?:wave|fala|golf|meting|ronde|round|runda|edycja|edition|editie|pomiar|badanie|wlna|vlna)"


def _patterns(word: str, letter: str) -> list[re.Pattern]:
    """``Q1 2026``, ``2026-Q1``, ``I kw. 2026``, ``kwartał 1 2026``, ``1e kwartaal 2026``; the year may be absent."""
    forms = [
        rf"{letter}{_SEP}{_NUMERAL}(?:{_SEP}{_YEAR})?",
        rf"{_YEAR}{_SEP}{letter}{_SEP}{_NUMERAL}",
        rf"{_NUMERAL}{_ORDINAL}{_SEP}{word}(?:{_SEP}{_YEAR})?",
        rf"{word}{_SEP}{_NUMERAL}(?:{_SEP}{_YEAR})?",
        rf"{_YEAR}{_SEP}{_NUMERAL}{_ORDINAL}{_SEP}{word}",
        rf"{_YEAR}{_SEP}{word}{_SEP}{_NUMERAL}",
    ]
    return [re.compile(rf"^{form}(?:{_SEP}r\.?)?$") for form in forms]


_KIND_PATTERNS = {"quarters": (_patterns(_QUARTER, "q"), 4), "half-years": (_patterns(_HALF, "h"), 2)}
_WAVE_PATTERNS = [re.compile(rf"^{_WAVE}{_SEP}#?{_SEP}(?P<part>\d+|[ivx]+)$"),
                  re.compile(rf"^(?P<part>\d+|[ivx]+){_ORDINAL}{_SEP}{_WAVE}$"),
                  re.compile(r"^w(?P<part>\d+)$")]
_MONTH_NAMES = [re.compile(rf"^(?P<name>[^\W\d_]+)\.?(?:{_SEP}{_YEAR})?$"),
                re.compile(rf"^{_YEAR}{_SEP}(?P<name>[^\W\d_]+)\.?$")]
_ISO_MONTH = re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})$|^(?P<month2>\d{1,2})[-/.](?P<year2>\d{4})$")
_ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DOTTED_DATE = re.compile(r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<year>\d{4})$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class PeriodOrder:
    """Periods from the oldest to the latest, and how that order was found (see :data:`ORDER_KINDS`)."""

    labels: tuple
    how: str

    @property
    def latest(self):
        return self.labels[-1]

    @property
    def previous(self):
        return self.labels[-2] if len(self.labels) > 1 else None


def period_name(label) -> str:
    """A period label as a person writes it: a date without its midnight, a whole number without ``.0``.

    >>> import datetime
    >>> period_name(datetime.datetime(2026, 2, 28)), period_name(10.0), period_name(" Q1 2026 ")
    ('2026-02-28', '10', 'Q1 2026')
    """
    if isinstance(label, pd.Timestamp | _datetime.datetime):
        moment = pd.Timestamp(label)
        return moment.date().isoformat() if moment == moment.normalize() else moment.isoformat(sep=" ", timespec="minutes")
    if isinstance(label, _datetime.date):
        return label.isoformat()
    if isinstance(label, numbers.Real) and not isinstance(label, bool) and float(label).is_integer():
        return str(int(label))
    return str(label).strip()


def period_order(labels, *, given=None) -> PeriodOrder:
    """The periods of ``labels`` (in the order they first appear) from the oldest to the latest.

    Parameters
    ----------
    labels : sequence
        Each period's label once, in the order of first appearance in the file (for a
        column: ``column.dropna().unique()``).
    given : sequence of str, optional
        The order, oldest first, as the team states it (``--periods``): every label must be
        named once, by its text as :func:`period_name` writes it.

    Returns
    -------
    PeriodOrder
        ``.labels`` oldest first, ``.how``: ``"given"``, what the labels were read as
        (``"numbers"``, ``"dates"``, ``"months"``, ``"quarters"``, ``"half-years"``,
        ``"waves"``), or ``"first appearance"`` when they carry no order of their own.

    Examples
    --------
    >>> period_order(["IV kw. 2025", "I kw. 2026", "III kw. 2025"])
    PeriodOrder(labels=('III kw. 2025', 'IV kw. 2025', 'I kw. 2026'), how='quarters')
    >>> period_order(["Wave 10", "Wave 9"]).labels, period_order(["marzec 2026", "luty 2026"]).labels
    (('Wave 9', 'Wave 10'), ('luty 2026', 'marzec 2026'))
    >>> period_order(["pilot", "rollout"])
    PeriodOrder(labels=('pilot', 'rollout'), how='first appearance')
    >>> period_order(["b", "a"], given=["a", "b"]).labels
    ('a', 'b')
    """
    labels = list(labels)
    if given is not None:
        return PeriodOrder(tuple(_given_order(labels, given)), "given")
    keys = [_sort_key(label) for label in labels]
    kinds = {key[0] if key else None for key in keys}
    if labels and None not in kinds and len(kinds) == 1:
        kind = kinds.pop()
        if kind == "dates-ambiguous":
            keys, kind = _dates_of(labels), "dates"
        if keys is not None and _usable(keys):
            ordered = [label for _, label in sorted(zip((key[1:] for key in keys), labels), key=lambda pair: pair[0])]
            return PeriodOrder(tuple(ordered), kind)
    return PeriodOrder(tuple(labels), "first appearance")


def _usable(keys) -> bool:
    """Distinct keys, with a year on every label or on none (``Q1`` and ``Q1 2026`` cannot be ordered)."""
    tails = [key[1:] for key in keys]
    if len(set(tails)) != len(tails):
        return False
    with_year = {key[1] is not None for key in keys}
    return len(with_year) == 1


def _given_order(labels: list, given) -> list:
    if isinstance(given, str):
        given = given.split(",")
    given = [str(part).strip() for part in given]
    names = {period_name(label): label for label in labels}
    shown = ", ".join(repr(name) for name in names)
    repeated = sorted({name for name in given if given.count(name) > 1})
    if repeated:
        raise ValueError(f"periods names {', '.join(map(repr, repeated))} more than once; name each period once: {shown}")
    unknown = [name for name in given if name not in names]
    if unknown:
        raise ValueError(f"periods names {', '.join(map(repr, unknown))}, which the period column does not hold; "
                         f"its periods are {shown}")
    left_out = [name for name in names if name not in given]
    if left_out:
        raise ValueError(f"periods leaves out {', '.join(map(repr, left_out))}; name every period of the column, "
                         f"oldest first: {shown}")
    return [names[name] for name in given]


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return 2000 + int(text[1:]) if text.startswith("'") else int(text)


def _part(text: str) -> int:
    return int(text) if text.isdigit() else _ROMAN.get(text, 0)


def _sort_key(label) -> tuple | None:
    """(kind, year or None, position) for a label, or None when it means no period."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return None
    if isinstance(label, bool | np.bool_):
        return None
    if isinstance(label, pd.Timestamp | _datetime.datetime | _datetime.date | np.datetime64):
        return ("dates", 0, pd.Timestamp(label))
    if isinstance(label, numbers.Real):
        return ("numbers", 0, float(label))
    text = " ".join(str(label).split()).casefold()
    if _NUMBER.match(text):
        return ("numbers", 0, float(text.replace(",", ".")))
    date = _ISO_DATE.match(text)
    if date:
        try:
            return ("dates", 0, pd.Timestamp(int(date["year"]), int(date["month"]), int(date["day"])))
        except ValueError:
            return None
    if _DOTTED_DATE.match(text):
        return ("dates-ambiguous",)
    month = _ISO_MONTH.match(text)
    if month:
        number = int(month["month"] or month["month2"])
        if 1 <= number <= 12:
            return ("months", int(month["year"] or month["year2"]), number)
        return None
    for kind, (patterns, count) in _KIND_PATTERNS.items():
        for pattern in patterns:
            found = pattern.match(text)
            if found:
                part = _part(found["part"])
                return (kind, _year(found["year"]), part) if 1 <= part <= count else None
    for pattern in _MONTH_NAMES:
        named = pattern.match(text)
        if named and named["name"] in MONTHS:
            return ("months", _year(named["year"]), MONTHS[named["name"]])
    for pattern in _WAVE_PATTERNS:
        found = pattern.match(text)
        if found:
            part = _part(found["part"])
            return ("waves", 0, part) if part else None
    return None


def _dates_of(labels) -> list | None:
    """Dates written ``15.03.2026`` (day first, as in Europe), else ``03/15/2026`` (month first) if all fit."""
    for day_first in (True, False):
        keys = []
        for label in labels:
            found = _DOTTED_DATE.match(" ".join(str(label).split()))
            day, month = (found["a"], found["b"]) if day_first else (found["b"], found["a"])
            try:
                keys.append(("dates", 0, pd.Timestamp(int(found["year"]), int(month), int(day))))
            except ValueError:
                break
        else:
            return keys
    return None
