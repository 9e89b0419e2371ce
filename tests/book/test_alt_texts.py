"""Every number in a figure's alt text comes from the code that draws the page.

A reader who cannot see a figure gets its numbers from the alt text, and an alt text is
typed by hand: nothing stops it drifting from what the code draws. So each number in an
alt text must be one of the page's glued values (the values its code hands to the prose,
read from the build's ``<page>.glue.json``) as shown at the alt's precision, or a literal
constant of the page's own code cells (the 30-day line, a 95% level). A share glued as
0.64 may be shown as 64; a number of three digits or more written with trailing zeros
("about 260") is compared at its own precision (tens); signs are not compared ("minus 95" is written in words).
"""

from __future__ import annotations

import io
import json
import math
import re
import tokenize
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ..helpers import ROOT, chapters

ALT_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th)?(?![\w])")
VALUE_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.M | re.S)


def alt_numbers(alt: str) -> list[str]:
    """The numbers of an alt text as written (thousands separators removed), without agent codes like A08."""
    return [whole.replace(",", "") + (fraction or "") for whole, fraction in ALT_NUMBER.findall(alt)]


def glued_numbers(glue_file: Path) -> list[float]:
    """Every number in the plain-text form of every value the page glues."""
    values = json.loads(glue_file.read_text(encoding="utf-8"))
    numbers = []
    for output in values.values():
        text = output.get("data", {}).get("text/plain", "")
        numbers += [float(number) for number in VALUE_NUMBER.findall(text)]
    return [number for number in numbers if math.isfinite(number)]


def code_literals(markdown: str) -> list[float]:
    """The numeric literals of the page's code cells."""
    literals = []
    for source in CODE_CELL.findall(markdown):
        lines = "\n".join(line for line in source.splitlines() if not line.startswith(":"))
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(lines).readline))
        except (tokenize.TokenError, IndentationError):
            continue
        for token in tokens:
            if token.type == tokenize.NUMBER and not token.string.endswith(("j", "J")):
                literals.append(float(token.string.replace("_", "")))
    return literals


def shown_as(value: float, written: str) -> bool:
    """Whether ``value`` rounds to the number ``written`` at the precision it is written with."""
    decimals = len(written.split(".")[1]) if "." in written else 0
    target = float(written)
    if decimals == 0 and target >= 100:
        zeros = len(written) - len(written.rstrip("0"))
        if zeros and round(abs(value), -zeros) == target:
            return True
    return round(abs(value), decimals) == target


def unexplained_numbers(alt: str, glued: list[float], literals: list[float]) -> list[str]:
    """The alt text's numbers that are neither a glued value at their precision nor a literal of the code."""
    missing = []
    for written in alt_numbers(alt):
        target = float(written)
        if any(shown_as(value, written) or shown_as(value * 100, written) for value in glued):
            continue
        if any(math.isclose(abs(literal), target) or math.isclose(abs(literal) * 100, target) for literal in literals):
            continue
        missing.append(written)
    return missing


CHAPTERS = chapters()


def english_numbers(polish: str) -> str:
    """A Polish alt text with its numbers written the English way (``1 234,5`` -> ``1234.5``).

    >>> english_numbers("od 0,65 do 1\u202f200 osób, 3, 4 i 5")
    'od 0.65 do 1200 osób, 3, 4 i 5'
    """
    text = re.sub(r"(?<=\d)[\u202f\u00a0\u2009 ](?=\d{3}\b)", "", polish)
    return re.sub(r"(?<=\d),(?=\d)", ".", text)


@pytest.mark.parametrize("edition", ["", "pl"])
@pytest.mark.parametrize("chapter_name", sorted(CHAPTERS))
def test_every_number_in_an_alt_text_is_glued_or_a_constant_of_the_code(built_book, chapter_name, edition):
    """In either edition: the Polish alt texts are translations, checked with their decimal commas read as points."""
    page = built_book / edition / "book" / f"{chapter_name}.html"
    html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    glue_file = built_book.parent / "jupyter_execute" / "book" / f"{chapter_name}.glue.json"
    assert glue_file.is_file(), f"the build wrote no glued values for {chapter_name}"
    glued = glued_numbers(glue_file)
    literals = code_literals((ROOT / "book" / f"{chapter_name}.md").read_text(encoding="utf-8"))
    alts = [image.get("alt", "") for image in html.select("main figure img, main div.cell_output img")]
    assert len(alts) >= 3 and glued and literals
    problems = []
    for alt in alts:
        missing = unexplained_numbers(english_numbers(alt) if edition else alt, glued, literals)
        if missing:
            problems.append(f"{', '.join(missing)} in: {alt[:160]}")
    assert not problems, f"{chapter_name}: alt-text numbers the page's code does not produce:\n" + "\n".join(problems)


@pytest.mark.parametrize(("alt", "missing"), [
    ("The curve rises to about 64% at the dotted 30-day line.", []),
    ("The curve rises to about 66% at the dotted 30-day line.", ["66"]),
    ("Interval from +25.3 to +54.3.", []),
    ("Interval from +26 to +56.", ["56"]),  # 25.31 is shown as 25, not 26; 26 is a literal of the code
    ("Agent A08 ends near minus 95, at about 260 by month 6.", []),
    ("Net value of 10,000 customers.", []),
    ("The axis runs from 60 to 75 percent.", ["60", "75"]),
    ("It ends near 300 at month 6.", []),  # 262.4 at the precision of hundreds
    ("It ends near 250 at month 6.", ["250"]),
])
def test_the_check_tells_a_glued_number_from_a_typed_one(alt, missing):
    glued = glued_numbers_from({"share": 0.6403, "low": 25.31, "high": 54.29, "end": -95.2, "peak": 262.4})
    literals = code_literals("```{code-cell} ipython3\nthreshold = 30\nn = 10_000\nkeep = 26\nmonth = 6\n```\n")
    assert unexplained_numbers(alt, glued, literals) == missing


def glued_numbers_from(values: dict) -> list[float]:
    return [float(value) for value in values.values()]


def test_numbers_are_read_as_written():
    assert alt_numbers("A08, 1,106 answers, the 90th percentile, 99.8% and Q1") == ["1106", "90", "99.8"]
    assert code_literals("```{code-cell} ipython3\n:tags: [hide-input]\nx = f(0.95, 20_000, seed=3)\n```\n") == [
        0.95, 20000.0, 3.0]
