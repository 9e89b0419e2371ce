"""The survey report for training teams: one export in, one self-contained HTML page out.

:func:`survey_report` reads an export with :func:`cxlab.read_survey` and states what the
course taught to trust: each metric with its interval and n, every segment against the
rest with an adjustment for many comparisons, the change from the previous period in plain
words, the score distribution behind each NPS, key drivers (relative weights), what was
changed to read the file, and what the numbers cannot say. Every number comes from the
library's own functions; ``SurveyReport.numbers`` holds those results.

The page is built from Jinja2 templates shipped in ``cxlab/templates`` (labels in English
and Polish in ``survey_report.toml``). It requests nothing from any file or host: styles
sit in the page and figures are inline SVG, so it opens offline and prints.

Layer 5 of cxlab (presentation): imports pandas, numpy, jinja2 and markupsafe (inside
functions; the ``teams`` extra installs them) and the layers below (:mod:`cxlab.io`,
:mod:`cxlab.periods`, :mod:`cxlab.stats`, :mod:`cxlab.metrics`, :mod:`cxlab.drivers`).
The ``cxlab survey-report`` command (registered in :mod:`cxlab.cli`) is defined here.
"""

from __future__ import annotations

import argparse
import datetime as _datetime
import functools
import html
import inspect
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import drivers as _drivers
from ._validate import check_ci, check_whole
from .io import COLUMN_KINDS, SurveyFile, read_survey, require_extra
from .metrics import scale_counts
from .periods import period_name, period_order
from .stats import ces as _ces
from .stats import compare_groups, nps, nps_test, segment_table
from .stats import csat as _csat

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "pl")
#: Segments with fewer answers than this are marked as small.
MIN_SEGMENT = 30
#: The name of the settings file ``cxlab survey-report`` looks for beside the export.
CONFIG_NAME = "survey-report.toml"
_MINUS = "\u2212"
_SHOWN_ROWS = 20


@dataclass(frozen=True)
class SurveyReport:
    """A finished report: the page (``html``), the library's results behind it (``numbers``) and the read export."""

    html: str
    numbers: dict
    survey: SurveyFile
    lang: str
    path: Path | None = field(default=None, compare=False)

    def save(self, path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        # Shown inside a frame, so that the page's styles and Jupyter's do not mix.
        return (f'<iframe title="{html.escape(self.numbers["title"])}" srcdoc="{html.escape(self.html)}" '
                'style="width: 100%; height: 900px; border: 1px solid #ccc"></iframe>')

    def __repr__(self) -> str:
        return f"SurveyReport({self.numbers['title']!r}, lang={self.lang!r}, n={self.numbers['rows_kept']})"


# --- numbers in the reader's language ------------------------------------------------------

def format_number(value: float, digits: int = 1, lang: str = "en", *, sign: bool = False) -> str:
    """``value`` rounded to ``digits`` decimals in the language's style (decimal comma in Polish, a true minus).

    >>> format_number(-15.13, 1, "pl"), format_number(1234567, 0, "en"), format_number(4.5, 1, "en", sign=True)
    ('−15,1', '1,234,567', '+4.5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{digits}f}"
    if round(abs(value), digits) == 0:
        text, negative = f"{0:.{digits}f}", False
    else:
        negative = value < 0
    if lang == "pl":
        text = text.replace(",", "\u00a0").replace(".", ",")
    prefix = _MINUS if negative else ("+" if sign and round(value, digits) != 0 else "")
    return prefix + text


def plural(count: int, forms, lang: str) -> str:
    """The form of a noun after ``count``: English one/other; Polish one, few (2-4, 22-24, ...; not 12-14), many.

    >>> [plural(n, ["wiersz", "wiersze", "wierszy"], "pl") for n in (1, 2, 4, 5, 12, 14, 21, 22, 24, 25, 112, 122)]
    ['wiersz', 'wiersze', 'wiersze', 'wierszy', 'wierszy', 'wierszy', 'wierszy', 'wiersze', 'wiersze', 'wierszy', 'wierszy', 'wiersze']
    >>> plural(1, ["row", "rows"], "en"), plural(0, ["row", "rows"], "en")
    ('row', 'rows')
    """
    count = abs(int(count))
    if lang == "pl":
        if count == 1:
            return forms[0]
        return forms[1] if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14) else forms[2]
    return forms[0] if count == 1 else forms[1]


def _format_p(pvalue: float, lang: str) -> str:
    if pvalue < 0.001:
        return "< " + format_number(0.001, 3, lang)
    return format_number(pvalue, 3, lang)


# --- the computation ----------------------------------------------------------------------

def _scales(spec, default: int, what: str) -> dict:
    """``{"column": scale}`` from a name, a list of names or ``name:scale`` texts, or a dict."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, dict):
        items = list(spec.items())
    else:
        items = []
        for entry in spec:
            name, _, scale = str(entry).partition(":")
            items.append((name, int(scale) if scale else default))
    return {str(name): check_whole(scale, f"the scale of {what} column {name!r}", minimum=2) for name, scale in items}


def _distribution(scores: pd.Series) -> list[int]:
    known = scores.dropna()
    if known.empty:
        return [0] * 11
    return scale_counts(known.to_numpy(dtype=np.int64), low=0, high=10).tolist()


def _change_words(result, digits: int, unit: str, lang: str, labels: dict, ci: float) -> tuple[str, str]:
    """("noise" | "rise" | "fall", the sentence): the size of the change and its interval, written as an interval."""
    low, high = result.low, result.high
    kind = "rise" if low > 0 else "fall" if high < 0 else "noise"
    shown = {"low": format_number(low, digits, lang, sign=True), "high": format_number(high, digits, lang, sign=True),
             "value": format_number(result.value, digits, lang, sign=True), "unit": unit,
             "size": format_number(abs(result.value), digits, lang),
             "p": ("p " if result.pvalue < 0.001 else "p = ") + _format_p(result.pvalue, lang),
             "ci": format_number(100 * ci, 0, lang)}
    return kind, labels[f"change_{kind}"].format(**shown)


def _keyword_supported(function, name: str) -> bool:
    return name in inspect.signature(function).parameters


def survey_report(
    data,
    *,
    score: str | None = None,
    csat=None,
    ces=None,
    segment: str | None = None,
    period: str | None = None,
    periods=None,
    drivers=None,
    weight: str | None = None,
    lang: str = "en",
    title: str | None = None,
    ci: float = 0.95,
    adjust: str = "holm",
    min_segment: int = MIN_SEGMENT,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet=0,
    header_row: int | None = None,
    output=None,
) -> SurveyReport:
    """One self-contained HTML report of a survey export, in English or Polish.

    Parameters
    ----------
    data : path or DataFrame
        The export (``.csv``, ``.xlsx``, ``.parquet``), read with :func:`cxlab.read_survey`,
        or a table already loaded.
    score : str, optional
        The 0-10 recommendation column (NPS).
    csat, ces : str, list or dict, optional
        Satisfaction and effort items: a column, a list of columns or ``"column:scale"``
        texts, or ``{"column": scale}``. CSAT scales default to 5 points (top two boxes
        satisfied), CES scales to 7.
    segment, period : str, optional
        A column of segments (each compared with the rest) and one of periods (the latest
        two compared; segments and drivers are shown for the latest period). Periods are
        put in their real order by :func:`cxlab.periods.period_order`: numbers, dates, and
        month, quarter, half-year and wave labels by their meaning, otherwise in the order
        they first appear; the page says which.
    periods : list of str, optional
        The periods' order, oldest first, when their labels carry none (every period once).
    drivers : list of str, optional
        Numeric rating columns: their relative weights in explaining ``score``. A cell that
        is not a number is left out as missing and listed in the data-quality section.
    weight : str, optional
        A column of survey weights. Not yet used: the report refuses it (a ``ValueError``
        naming the functions without ``weights=``) rather than mix weighted and
        unweighted numbers.
    lang : {"en", "pl"}
        Language of the labels; numbers follow it (decimal comma in Polish).
    ci, adjust, min_segment
        Confidence level; the adjustment of segment p-values (``"holm"`` or ``"bh"``);
        the size below which a segment is marked as small.
    sep, decimal, encoding, sheet, header_row
        Passed to :func:`cxlab.read_survey` (detected when not given).
    output : path, optional
        Write the page there as well.

    Returns
    -------
    SurveyReport
        ``.html``, ``.numbers`` (the library's results shown in the page), ``.save()``;
        in Jupyter it shows itself.

    A measure or driver column without a single usable answer (all text, say) is left out
    with a line on the page naming it and its values; only when no measure is left does
    the report stop, with a ``ValueError`` naming each column and why.

    Examples
    --------
    >>> from cxlab.data import load_survey
    >>> report = survey_report(load_survey(), score="recommend", csat="satisfaction", ces="effort",
    ...                        segment="channel", period="quarter")
    >>> report.numbers["change"]["nps"].value == nps_test(
    ...     load_survey().query("quarter == '2026-Q2'")["recommend"],
    ...     load_survey().query("quarter == '2026-Q1'")["recommend"]).value
    True
    >>> report.html.startswith("<!DOCTYPE html>")
    True
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    require_extra("jinja2", "teams", "the survey report")
    require_extra("markupsafe", "teams", "the survey report")
    ci = check_ci(ci)
    min_segment = check_whole(min_segment, "min_segment", minimum=1)
    if adjust not in _ADJUSTMENTS:
        raise ValueError(f"adjust must be one of {_ADJUSTMENTS}, got {adjust!r}")
    csat_scales, ces_scales = _scales(csat, 5, "CSAT"), _scales(ces, 7, "CES")
    drivers = [drivers] if isinstance(drivers, str) else list(drivers or [])
    if score is None and not csat_scales and not ces_scales:
        raise ValueError("name at least one measure: score= (0-10 recommendation), csat= or ces=")
    if drivers and score is None:
        raise ValueError("drivers explain the recommendation score: give score= as well")
    if periods is not None and period is None:
        raise ValueError("periods= orders the labels of a period column: give period= as well")
    scales = {**({score: (0, 10)} if score else {}), **{name: (1, s) for name, s in csat_scales.items()},
              **{name: (1, s) for name, s in ces_scales.items()}}
    survey = read_survey(data, scales=scales, numeric=[name for name in drivers if name not in scales], sep=sep,
                         decimal=decimal, encoding=encoding, sheet=sheet, header_row=header_row)
    table = survey.table
    missing = [name for name in (segment, period, weight, *drivers) if name is not None and name not in table.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found; the export has columns {list(table.columns)}")
    labels = _labels(lang)
    skipped = _unusable(survey, [*scales, *drivers], labels, lang)
    left_out = {item["column"] for item in skipped}
    if left_out >= set(scales):
        raise ValueError("no measure can be computed: " + " ".join(
            item["sentence"] for item in _unusable(survey, list(scales), _labels("en"), "en")))
    if score in left_out and drivers:
        skipped.append({"column": ", ".join(drivers), "sentence": labels["skipped_drivers"]})
        drivers = []
    if score in left_out:
        score = None
    csat_scales = {name: scale for name, scale in csat_scales.items() if name not in left_out}
    ces_scales = {name: scale for name, scale in ces_scales.items() if name not in left_out}
    drivers = [name for name in drivers if name not in left_out]
    # Only the columns the report uses, with segments and periods as categories: every
    # subset and comparison below then works on small integer codes, not on text.
    measures = [name for name in scales if name not in left_out]
    wanted = list(dict.fromkeys([*measures, *(name for name in (segment, period, weight) if name), *drivers]))
    table = table[wanted].copy()
    for name in (segment, period):
        if name is not None:
            table[name] = table[name].astype("category")
    if weight is not None:
        # A report weights all of its numbers or none: refuse rather than mix weighted and unweighted ones.
        unweighted = [function.__name__ for function in (nps, nps_test, _csat, _ces, segment_table, compare_groups)
                      if not _keyword_supported(function, "weights")]
        raise ValueError(f"weight={weight!r}: the report cannot weight its numbers yet ({', '.join(unweighted)} "
                         "take no weights=); leave the weight column out for an unweighted report")
    numbers: dict = {"title": title or labels["default_title"], "rows_read": survey.rows_read,
                     "rows_kept": len(table), "ci": ci, "skipped": [item["column"] for item in skipped]}

    order = None
    periods_found = [None]
    if period is not None:
        order = period_order(survey.table[period].dropna().unique(), given=periods)
        periods_found = list(order.labels)
        table[period] = table[period].cat.remove_unused_categories()
        if not periods_found:
            raise ValueError(f"column {period!r} has no period labels")
        numbers["period_order"] = order.how
    periods = periods_found
    latest = periods[-1]
    current = table if period is None else table[table[period] == latest]
    previous = None if len(periods) < 2 else table[table[period] == periods[-2]]
    numbers["periods"], numbers["latest"] = periods, latest

    metrics = []
    by_period = {key: (table if key is None else table[table[period] == key]) for key in periods}

    def per_period(function, name, **options):
        return {key: (function(part[name], ci=ci, nan_policy="omit", **options) if part[name].notna().any() else None)
                for key, part in by_period.items()}

    if score:
        results = per_period(nps, score)
        numbers["nps"] = results
        metrics.append({"kind": "nps", "column": score, "digits": 1, "results": results,
                        "distributions": {key: _distribution(part[score]) for key, part in by_period.items()}})
    for name, scale in csat_scales.items():
        results = per_period(_csat, name, scale=scale)
        numbers.setdefault("csat", {})[name] = results
        metrics.append({"kind": "csat", "column": name, "digits": 1, "results": results, "scale": scale})
    for name, scale in ces_scales.items():
        results = per_period(_ces, name, scale=scale)
        numbers.setdefault("ces", {})[name] = results
        metrics.append({"kind": "ces", "column": name, "digits": 2, "results": results, "scale": scale})

    changes = []
    if previous is not None:
        numbers["change"] = {}
        for metric in metrics:
            name = metric["column"]
            empty = [key for key in periods[-2:] if metric["results"][key] is None]
            if empty:
                changes.append({"metric": metric, "result": None, "verdict": "none", "digits": metric["digits"],
                                "sentence": labels["change_none"].format(period=period_name(empty[0]))})
                continue
            if metric["kind"] == "nps":
                result = nps_test(current[name], previous[name], ci=ci, nan_policy="omit")
                numbers["change"]["nps"] = result
                unit, digits = labels["unit_nps"], 1
            else:
                both = table.loc[table[period].isin(periods[-2:]), [name, period]].dropna()
                if metric["kind"] == "csat":
                    both[name] = both[name].astype(float) >= metric["scale"] - 1
                    kind, unit, digits = "proportion", labels["unit_percent"], 1
                else:
                    both[name] = both[name].astype(float)
                    kind, unit, digits = "mean", labels["unit_scale"], 2
                result = compare_groups(both, name, period, kind=kind, ci=ci, order=(periods[-1], periods[-2]))
                numbers["change"][name] = result
                if kind == "proportion":
                    result = _Scaled(result, 100.0)
            verdict, sentence = _change_words(result, digits, unit, lang, labels, ci)
            changes.append({"metric": metric, "result": result, "verdict": verdict, "sentence": sentence,
                            "digits": digits})

    segments = None
    if segment is not None and score and numbers["nps"][latest] is not None:
        labelled = current[current[segment].notna()]
        numbers["unlabelled_segment_rows"] = current.index[current[segment].isna()].tolist()
        frame = segment_table(labelled, score, by=segment, ci=ci, adjust=adjust, nan_policy="omit")
        numbers["segments"] = frame
        counts = labelled.groupby(segment, sort=True, observed=True)[score].apply(_distribution)
        overall = numbers["nps"][latest]
        alpha = 1 - ci
        segments = []
        for name, row in frame.iterrows():
            differs = bool(row["pvalue_adjusted"] < alpha)
            rest_value = _rest_nps(overall, row)
            segments.append({"name": name, "row": row, "distribution": counts[name], "small": row["n"] < min_segment,
                             "differs": differs, "direction": ("higher" if row["value"] > rest_value else "lower")
                             if differs else None})

    driver_rows = None
    if drivers:
        weights = _drivers.relative_weights(current, score, drivers, nan_policy="omit")
        numbers["drivers"] = weights
        r_squared = weights.attrs["r_squared"]
        driver_rows = [{"name": name, "weight": value, "share": 100 * value / r_squared if r_squared > 0 else float("nan")}
                       for name, value in weights.sort_values(ascending=False).items()]
        numbers["drivers_r_squared"] = r_squared

    page = _render(lang=lang, labels=labels, numbers=numbers, survey=survey, metrics=metrics, changes=changes,
                   segments=segments, segment=segment, period=period, periods=periods, latest=latest,
                   previous=periods[-2] if previous is not None else None, driver_rows=driver_rows, ci=ci,
                   adjust=adjust, min_segment=min_segment, used=[*measures, *drivers, *(c for c in (segment, period) if c)],
                   score=score, skipped=skipped, order_text=_order_text(order, labels, lang))
    report = SurveyReport(html=page, numbers=numbers, survey=survey, lang=lang)
    if output is not None:
        report.save(output)
    return report


_ADJUSTMENTS = ("holm", "bh")
#: How many of a skipped column's values the page names.
_SHOWN_VALUES = 5


def _unusable(survey: SurveyFile, columns: list, labels: dict, lang: str) -> list[dict]:
    """The measure and driver columns without one usable answer, each with the sentence that says why."""
    found = []
    for column in dict.fromkeys(columns):
        if survey.table[column].notna().any():
            continue
        lines = survey.changes[(survey.changes["column"] == column)
                               & survey.changes["kind"].isin(["unreadable", "out of range", "not whole"])]
        shown = f"'{column}'"
        if lines.empty:
            sentence = labels["skipped_empty"].format(column=shown)
        else:
            counted = lines["value"].value_counts(sort=False)
            order = sorted(counted.index, key=lambda value: -counted[value])  # most frequent first, then as they come
            values = ", ".join(f"'{value}'" for value in order[:_SHOWN_VALUES])
            key = "skipped_text" if set(lines["kind"]) == {"unreadable"} else "skipped_score"
            sentence = labels[key].format(column=shown, count=format_number(len(lines), 0, lang),
                                          answers=plural(len(lines), labels["nouns"]["answer"], lang), values=values)
        found.append({"column": column, "sentence": sentence})
    return found


def _order_text(order, labels: dict, lang: str) -> str | None:
    if order is None or len(order.labels) < 2:
        return None
    shown = ", ".join(period_name(label) for label in order.labels)
    if order.how == "given":
        return labels["order_given"].format(periods=shown)
    if order.how == "first appearance":
        import markupsafe

        return _say(labels["order_first"], periods=shown, option=markupsafe.Markup("<code>--periods</code>"))
    return labels["order_read"].format(periods=shown, how=labels[f"how_{order.how}"])


class _Scaled:
    """A comparison of shares shown in percentage points."""

    def __init__(self, result, factor: float):
        self.value, self.low, self.high = (factor * result.value, factor * result.low, factor * result.high)
        self.pvalue, self.original = result.pvalue, result


def _rest_nps(overall, row) -> float:
    promoters = overall.promoters - row["promoters"]
    detractors = overall.detractors - row["detractors"]
    n = overall.n - row["n"]
    return 100.0 * (promoters - detractors) / n if n else float("nan")


# --- the page -----------------------------------------------------------------------------

def _labels(lang: str) -> dict:
    with open(TEMPLATES / "survey_report.toml", "rb") as handle:
        return tomllib.load(handle)[lang]


def _rows_text(rows: list, lang: str) -> str:
    shown = ", ".join(str(row) for row in rows[:_SHOWN_ROWS])
    if len(rows) > _SHOWN_ROWS:
        more = format_number(len(rows) - _SHOWN_ROWS, 0, lang)
        shown += f" (+{more})"
    return shown


def _quality(survey: SurveyFile, used: list[str]) -> list[dict]:
    """The data-quality lines: kind, column, count (none for a line about a whole column), rows, example values."""
    lines = []
    changes = survey.changes
    if changes.empty:
        return lines
    for (kind, column), part in changes.groupby(["kind", "column"], sort=False, dropna=False):
        column = None if isinstance(column, float) else column
        if column is not None and column not in used and kind == "missing":
            continue
        values = [value for value in dict.fromkeys(part["value"].dropna().tolist())][:3]
        lines.append({"kind": kind, "column": column, "count": None if kind in COLUMN_KINDS else len(part),
                      "rows": part["row"].tolist(), "examples": values})
    return lines


def _notes(survey: SurveyFile, labels: dict, lang: str) -> list[str]:
    """How the file was read, in the page's language (the notes of :func:`cxlab.read_survey`, from their keys)."""
    shown = []
    for key, values in survey.details:
        values = dict(values)
        for name in ("separator", "decimal"):
            if name in values:
                values[name] = labels["mark_tab"] if values[name] == "tab" else values[name]
        if "count" in values:
            count = values["count"]
            values.update(lines=plural(count, labels["nouns"]["line"], lang),
                          rows=plural(count, labels["nouns"]["row"], lang), count=format_number(count, 0, lang))
        shown.append(labels["notes"][key].format(**values))
    return shown


def _render(**context) -> str:
    survey = context["survey"]
    context.update(quality=_quality(survey, context["used"]), notes=_notes(survey, context["labels"], context["lang"]),
                   source=survey.source, generated=_datetime.date.today().isoformat())
    return _template(context["lang"]).render(**context)


@functools.lru_cache(maxsize=len(LANGUAGES))
def _template(lang: str):
    """The page's template with the language's number filters, compiled once per language."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["num"] = lambda value, digits=1, sign=False: format_number(value, digits, lang, sign=sign)
    environment.filters["count"] = lambda value: format_number(value, 0, lang)
    environment.filters["p"] = lambda value: _format_p(value, lang)
    environment.filters["rows"] = lambda rows: _rows_text(rows, lang)
    environment.filters["pname"] = period_name
    nouns = _labels(lang)["nouns"]
    environment.filters["noun"] = lambda count, name: plural(count, nouns[name], lang)
    environment.globals["say"] = _say
    environment.globals["counted"] = lambda key, value: _counted(key, value, lang)
    environment.globals["bars"] = _bars_svg
    environment.globals["interval"] = _interval_svg
    environment.globals["raw"] = lambda value: repr(float(value))
    environment.globals["key"] = lambda *parts: "|".join(str(part) for part in parts)
    return environment.get_template("survey_report.html.j2")


def _say(sentence: str, **parts) -> str:
    """``sentence`` with its ``{placeholders}`` filled: markup parts (a number with its data keys) stay markup."""
    import markupsafe

    return markupsafe.Markup(markupsafe.escape(sentence)).format(**parts)


def _counted(key: str, value: int, lang: str) -> str:
    """A count as the page shows it, carrying its key and exact value for the tests."""
    import markupsafe

    return markupsafe.Markup('<span data-key="{}" data-number="{}">{}</span>').format(
        key, int(value), format_number(value, 0, lang))


_COLOURS = {"detractor": "#b03a2e", "passive": "#7b7d7d", "promoter": "#1d6b3a"}


def _bars_svg(counts: list[int], label: str) -> str:
    """Eleven bars, one per score 0-10, coloured by detractors, passives and promoters; its text says the shares."""
    import markupsafe

    width, height, gap = 11 * 14, 40, 2
    tallest = max(counts) or 1
    parts = [f'<svg class="bars" role="img" width="{width}" height="{height + 12}" viewBox="0 0 {width} {height + 12}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(label)}</title>']
    for score, count in enumerate(counts):
        group = "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"
        bar = height * count / tallest
        parts.append(f'<rect x="{score * 14 + gap / 2}" y="{height - bar:.1f}" width="{14 - gap}" height="{bar:.1f}" '
                     f'fill="{_COLOURS[group]}"/>')
    parts.append(f'<text x="1" y="{height + 11}" font-size="9" fill="#333">0</text>'
                 f'<text x="{width - 13}" y="{height + 11}" font-size="9" fill="#333">10</text></svg>')
    return markupsafe.Markup("".join(parts))


def _interval_svg(value: float, low: float, high: float, reference: float, label: str, *, lowest: float = -100,
                  highest: float = 100) -> str:
    """A dot at ``value`` with its interval, on a fixed axis, and a thin line at ``reference`` (the whole sample)."""
    import markupsafe

    width, height = 180, 18

    def x(value):
        return 4 + (width - 8) * (min(max(value, lowest), highest) - lowest) / (highest - lowest)

    return markupsafe.Markup(
        f'<svg class="interval" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(label)}</title>'
        f'<line x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="0" y2="{height}" stroke="#555" stroke-dasharray="2 2"/>'
        f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="9" y2="9" stroke="#1a4f8b" stroke-width="2"/>'
        f'<circle cx="{x(value):.1f}" cy="9" r="4" fill="#1a4f8b"/></svg>')


# --- the command ---------------------------------------------------------------------------

def _add_command(commands) -> argparse.ArgumentParser:
    """Add ``survey-report`` to the ``cxlab`` command's subcommands."""
    command = commands.add_parser(
        "survey-report", help="one self-contained HTML report of your own survey export",
        description="Read a survey export (.csv, .xlsx, .parquet; separator, decimal mark and encoding detected, "
        "title lines above the header skipped, answers written as labels read, blank and total rows dropped, every "
        "change listed) and write one HTML "
        "page: each metric with its interval and n, segments against the rest, the change from the previous "
        f"period, score distributions, key drivers, data quality. Options may also sit in {CONFIG_NAME} beside "
        "the export (the same names, header_row with an underscore, drivers and periods as lists); options given here "
        "win.")
    command.add_argument("export", help="the survey export")
    command.add_argument("--score", help="the 0-10 recommendation column (NPS)")
    command.add_argument("--csat", action="append", metavar="COLUMN[:SCALE]", help="a satisfaction item (default scale 5)")
    command.add_argument("--ces", action="append", metavar="COLUMN[:SCALE]", help="an effort item (default scale 7)")
    command.add_argument("--segment", help="column of segments, each compared with the rest")
    command.add_argument("--period", help="column of periods; the latest is compared with the one before (periods are "
                         "ordered by their meaning: numbers, dates, months, quarters, half-years, waves)")
    command.add_argument("--periods", metavar="OLDEST,...,LATEST",
                         help="the order of the periods, comma-separated, when their labels have none (every period once)")
    command.add_argument("--driver", action="append", dest="drivers", metavar="COLUMN", help="a driver column (repeatable)")
    command.add_argument("--weight", help="a column of survey weights (refused until every metric of the report can weight)")
    command.add_argument("--lang", choices=LANGUAGES, help="labels and number format (default en)")
    command.add_argument("--title", help="the report's title")
    command.add_argument("--sep", help="the CSV separator (default: detected)")
    command.add_argument("--decimal", help="the decimal mark (default: detected)")
    command.add_argument("--encoding", help="the text encoding (default: detected)")
    command.add_argument("--sheet", help="the worksheet of an .xlsx file (default: the first)")
    command.add_argument("--header-row", type=int, metavar="N",
                         help="the row of the header as a spreadsheet numbers it (default: found; title lines above "
                         "it are skipped)")
    command.add_argument("--config", help=f"a TOML settings file (default: {CONFIG_NAME} beside the export, if any)")
    command.add_argument("--output", "-o", help="the HTML file to write (default: EXPORT-report.html beside the export)")
    command.set_defaults(handler=_run_command)
    return command


_SETTINGS = ("score", "csat", "ces", "segment", "period", "periods", "drivers", "weight", "lang", "title", "sep",
             "decimal", "encoding", "sheet", "header_row", "output")


def _settings(arguments) -> dict:
    export = Path(arguments.export)
    config = Path(arguments.config) if arguments.config else export.parent / CONFIG_NAME
    settings = {}
    if arguments.config or config.is_file():
        if not config.is_file():
            raise ValueError(f"no settings file at {config}")
        with open(config, "rb") as handle:
            try:
                settings = tomllib.load(handle)
            except tomllib.TOMLDecodeError as error:
                raise ValueError(f"{config}: not valid TOML: {error}") from error
        unknown = sorted(set(settings) - set(_SETTINGS))
        if unknown:
            raise ValueError(f"{config}: unknown setting(s) {unknown}; the settings are {list(_SETTINGS)}")
        if "output" in settings:
            settings["output"] = str(config.parent / settings["output"])
    for name in _SETTINGS:
        value = getattr(arguments, name, None)
        if value is not None:
            settings[name] = value
    sheet = settings.get("sheet")
    if isinstance(sheet, str) and sheet.isdigit():
        settings["sheet"] = int(sheet)
    if isinstance(settings.get("periods"), str):
        settings["periods"] = [part.strip() for part in settings["periods"].split(",")]
    settings.setdefault("output", str(export.with_name(f"{export.stem}-report.html")))
    return settings


def _run_command(arguments) -> int:
    settings = _settings(arguments)
    output = settings.pop("output")
    report = survey_report(arguments.export, **settings)
    report.save(output)
    print(report.survey.report())
    if report.numbers["skipped"]:
        print(f"left out of the report (the page's data quality says why): {', '.join(report.numbers['skipped'])}")
    print(f"wrote {output}")
    return 0
