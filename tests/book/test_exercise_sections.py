"""Every exercise question names the section of its chapter that it exercises, and the section exists.

A question's prompt (the markdown cell that opens with ``## N.``) holds one line
``**Chapter section:** <heading>``, where <heading> is the text of a ``##`` or ``###``
heading of the chapter's page (markup removed); several sections are separated by " · ".
A learner who is stuck knows where to reread, and a heading renamed in the chapter
breaks this test rather than the pointer.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from ..helpers import ROOT, chapters

QUESTION = re.compile(r"^##\s+(\d+)\.")
SECTION_LINE = re.compile(r"^\*\*Chapter section:\*\*\s*(.+?)\s*$", re.M)
HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*$", re.M)
FENCE = re.compile(r"^(`{3,}|:{3,}).*?^\1\s*$", re.M | re.S)
SEPARATOR = " \u00b7 "


def plain(text: str) -> str:
    """A heading or a section name without its markup: emphasis, backticks, links, a trailing label."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", text)
    return " ".join(text.split())


def headings(markdown: str) -> set[str]:
    """The ``##`` and ``###`` headings of a MyST page, outside code cells and directives."""
    return {plain(title) for _, title in HEADING.findall(FENCE.sub("", markdown))}


def section_problems(notebook, chapter_headings: set[str]) -> tuple[int, list[str]]:
    """How many questions the notebook has, and what is wrong with the sections they name."""
    problems, questions = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        found = QUESTION.match(cell.source.lstrip())
        if not found:
            continue
        questions += 1
        lines = SECTION_LINE.findall(cell.source)
        if len(lines) != 1:
            problems.append(f"question {found.group(1)}: {len(lines)} 'Chapter section' lines, expected one")
            continue
        for name in lines[0].split(SEPARATOR):
            if plain(name) not in chapter_headings:
                problems.append(f"question {found.group(1)}: no section {plain(name)!r} in the chapter")
    return questions, problems


CHAPTERS = chapters()


@pytest.mark.parametrize("chapter_name", sorted(CHAPTERS))
def test_every_question_names_a_section_of_its_chapter(chapter_name):
    assignment = CHAPTERS[chapter_name]
    chapter_headings = headings((ROOT / "book" / f"{chapter_name}.md").read_text(encoding="utf-8"))
    for folder in ("solutions", "exercises"):
        notebook = nbformat.read(ROOT / folder / assignment / f"{assignment}.ipynb", as_version=4)
        questions, problems = section_problems(notebook, chapter_headings)
        assert questions >= 6, f"{folder}/{assignment}: only {questions} questions found"
        assert not problems, f"{folder}/{assignment}:\n" + "\n".join(problems)


CHAPTER = """# Title

## Sampling error: how *sure* is the score?

```{code-cell} ipython3
# ## Not a heading
```

### When a change is `noise`
"""


@pytest.mark.parametrize(("prompt", "expected"), [
    ("## 1. Counts\n\n**Chapter section:** Sampling error: how sure is the score?\n", []),
    ("## 2. Two\n\n**Chapter section:** When a change is noise \u00b7 Sampling error: how sure is the score?\n", []),
    ("## 3. Missing\n\nCompute the score.\n", ["0 'Chapter section' lines"]),
    ("## 4. Wrong\n\n**Chapter section:** Not a heading\n", ["no section 'Not a heading'"]),
    ("## 5. Twice\n\n**Chapter section:** Title\n**Chapter section:** Title\n", ["2 'Chapter section' lines"]),
    ("## 6. Top\n\n**Chapter section:** Title\n", ["no section 'Title'"]),  # the page title is not a section
])
def test_the_check_finds_a_missing_or_unknown_section(prompt, expected):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Exercise\n\nIntro."),
                                               nbformat.v4.new_markdown_cell(prompt)])
    questions, problems = section_problems(notebook, headings(CHAPTER))
    assert questions == 1
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected):
        assert words in problem, problem
