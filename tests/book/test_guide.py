"""The instructor guide (book/instructor-guide.md) is in the built book and in step with the code.

It must name every ``cxlab`` command and option (read from the command line's own
parser), every case of the integrity suite (``cases()`` of ``tests/course/submissions.py``)
with the status, automatic points and record phrase that ``tests/course/test_integrity.py``
expects of it, PostgreSQL and the formgrader, and it must be reachable from the table of
contents.
"""

from __future__ import annotations

import argparse
import re

import pytest
from bs4 import BeautifulSoup

from cxlab.course.cli import build_parser

from ..course.attacks import attacks
from ..course.submissions import cases

GUIDE = "book/instructor-guide.html"
COMMANDS = ("assign", "collect", "grade", "feedback", "export", "report")


def _soup(built_book, name: str) -> BeautifulSoup:
    path = built_book / name
    assert path.is_file(), f"{name} missing from the built book"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def guide(built_book) -> BeautifulSoup:
    return _soup(built_book, GUIDE)


def _article(guide: BeautifulSoup):
    article = guide.select_one("article.bd-article") or guide.find("main")
    assert article is not None, "the guide page has no article"
    return article


def _text(guide: BeautifulSoup) -> str:
    """The article's words; code blocks joined as written (highlighting splits them into spans)."""
    article = _article(guide)
    prose = " ".join(article.get_text(" ").split())
    code = "\n".join(block.get_text("") for block in article.select("pre"))
    return prose + "\n" + code


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(action.choices)


def test_the_guide_names_every_cxlab_command(guide):
    text = _text(guide)
    commands = _subcommands()
    assert set(COMMANDS) <= set(commands), sorted(commands)
    missing = [name for name in commands if f"cxlab {name}" not in text]
    assert not missing, f"the guide never shows `cxlab {missing[0]} ...`"


def test_the_guide_names_every_option(guide):
    text = _text(guide)
    parsers = [build_parser(), *_subcommands().values()]
    options = {
        option
        for parser in parsers
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    assert {"--workers", "--cell-timeout", "--time-limit", "--memory", "--force", "--pattern", "--db-url"} <= options
    missing = sorted(option for option in options if option not in text)
    assert not missing, f"options of cxlab the guide does not mention: {missing}"


def _integrity_rows(guide: BeautifulSoup, first: str = "case") -> tuple[list[str], dict[str, list[str]]]:
    """The rows of the guide's table whose first column is ``first``, by its first cell."""
    for table in _article(guide).find_all("table"):
        header = [cell.get_text(" ", strip=True).lower() for cell in table.select("thead th")]
        if header and header[0] == first:
            rows = {}
            for row in table.select("tbody tr"):
                cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")]
                rows[cells[0]] = cells
            return header, rows
    pytest.fail(f"the guide has no table whose first column is {first!r}")


def test_the_integrity_table_lists_every_case_with_its_expected_outcome(guide):
    header, rows = _integrity_rows(guide)
    status_column = header.index("status")
    points_column = next(index for index, name in enumerate(header) if name.startswith("auto points"))
    expected = cases()
    assert sorted(rows) == sorted(expected), (
        f"cases missing from the guide: {sorted(set(expected) - set(rows))}; "
        f"rows for cases that no longer exist: {sorted(set(rows) - set(expected))}"
    )
    for name, (_content, _filename, score, phrase, status) in expected.items():
        row = rows[name]
        assert row[status_column] == status, (name, row)
        assert row[points_column] == f"{score:g}", (name, row)
        if phrase:
            assert phrase in " ".join(row[1:]), (name, phrase, row)


def test_the_attack_table_lists_every_attack_with_its_points(guide):
    header, rows = _integrity_rows(guide, "attack")
    points_column = next(index for index, name in enumerate(header) if name.startswith("auto points"))
    expected = attacks()
    assert sorted(rows) == sorted(expected)
    for name, (_content, _filename, score, _phrase, _status, _kind) in expected.items():
        assert rows[name][points_column] == f"{score:g}", (name, rows[name])


def test_the_guide_covers_the_gradebook_formgrader_and_late_submissions(guide):
    text = _text(guide)
    for phrase in ("PostgreSQL", "postgresql+psycopg://", "c.CourseDirectory.db_url", "formgrader",
                   "Flagged?", "timestamp.txt", "--duedate", "c.AssignLatePenalties.plugin_class",
                   "LateSubmissionPlugin", "nbgrader release_assignment", "nbgrader collect",
                   "grading-log/nps/STUDENT.json", "RLIMIT_AS", "make assignments"):
        assert phrase in text, phrase


def test_headings_nest_without_skipping_a_level(guide):
    levels = [int(heading.name[1]) for heading in _article(guide).find_all(re.compile(r"^h[1-6]$"))]
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"heading levels skip {jumps}"


def test_the_table_of_contents_links_the_guide(built_book):
    intro = _soup(built_book, "book/intro.html")
    navigation = intro.select_one("nav.bd-links") or intro
    links = {anchor.get_text(" ", strip=True): anchor["href"] for anchor in navigation.find_all("a", href=True)}
    assert links.get("Appendix: running the course as an instructor") == "instructor-guide.html", links
    captions = [caption.get_text(" ", strip=True) for caption in navigation.select("p.caption")]
    assert "For instructors" in captions, captions
