"""Feedback for learners: what each check said, never the instructor's hidden code.

``HideHiddenTests`` is an nbgrader preprocessor for ``generate_feedback``: in every graded
cell it replaces the hidden-test region with one comment line, and it cuts each error's
traceback down to its last line (``AssertionError: the message``), because a traceback
quotes the source line that failed. ``make_offline`` then removes every script, style
sheet or font the page would fetch from the internet, so the file reads the same offline.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

HIDDEN_REGION = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)
HIDDEN_NOTE = "# (hidden checks ran here when your notebook was graded)\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests and tracebacks from autograded notebooks before they become feedback."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") or meta.get("locked"):
            cell.source = HIDDEN_REGION.sub(HIDDEN_NOTE, cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = ANSI.sub("", f"{output.get('ename', 'Error')}: {output.get('evalue', '')}")
                output["traceback"] = [message]
        return cell, resources


def make_offline(path: Path) -> None:
    """Drop external scripts, style sheets and fonts from a feedback page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["script", "link", "img", "iframe"]):
        address = tag.get("src") or tag.get("href") or ""
        if re.match(r"^(https?:)?//", address):
            tag.decompose()
    for style in soup.find_all("style"):
        if style.string and "@import" in style.string:
            style.string = re.sub(r"@import[^;]+;", "", style.string)
    path.write_text(str(soup), encoding="utf-8")
