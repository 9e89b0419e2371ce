"""Plain helpers the tests share (not fixtures): where the repository is, its assignments."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def chapters() -> dict[str, str]:
    """Every chapter of the book, in the order of ``_toc.yml``: its page name -> its assignment.

    A chapter is an entry of the table of contents with an exercise among its sections
    (``exercises/A/A``); the tests read the list from here, so a new chapter is tested
    as soon as the book has it.
    """
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = {}
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            exercises = [section["file"] for section in entry.get("sections", [])
                         if section.get("file", "").startswith("exercises/")]
            if exercises:
                found[entry["file"].removeprefix("book/")] = exercises[0].split("/")[1]
    return found


def assignment_names() -> list[str]:
    return sorted(folder.name for folder in (ROOT / "solutions").iterdir() if any(folder.glob("*.ipynb")))


SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
GENERIC_LINE = re.compile(r"^\.\w+\(\)\)?$")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "MARK SCHEME")


def source_notebooks():
    return sorted((ROOT / "solutions").glob("*/*.ipynb"))


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def secret_lines(notebook_path: Path) -> set[str]:
    """Lines only the instructor may see: solution code, hidden tests, model written answers.

    Short or generic lines (a bare ``else:``, a closing bracket, a chained
    ``.reset_index()`` without arguments) could appear anywhere and prove nothing, so
    only lines with at least 12 characters of content, other than such chained calls,
    count.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    secrets: set[str] = set()
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        regions = SOLUTION_REGION.findall(cell.source) + HIDDEN_REGION.findall(cell.source)
        if cell.cell_type == "markdown" and meta.get("solution"):
            regions.append(cell.source)
        for region in regions:
            for line in region.splitlines():
                line = line.strip()
                if len(line) >= 12 and not line.startswith("#") and not GENERIC_LINE.match(line):
                    secrets.add(line)
    return secrets
