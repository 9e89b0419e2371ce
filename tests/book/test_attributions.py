"""Every quotation in the book carries its source beside it, and says when the translation is ours.

The book quotes articles written in Polish and Dutch. A quotation from them is our
translation, and a reader must be able to tell a translated quotation from the author's
own words and from ours, so the chapters follow one rule: a span in double quotation
marks (or a quote block) is a quotation. It cites its source in the same paragraph or
list item; when the source is not in English, the same paragraph says "our translation",
or, for words the source itself gives in English, "in English in the original". A phrase
someone might say, or a question put to the data, is set in italics instead.

A span of one or two words ("significant", "holistic") is a word in inverted commas, not a
quotation, and is not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

from ..helpers import ROOT, chapters

BIBLIOGRAPHY = ROOT / "book" / "references.bib"
TRANSLATION_NOTES = ("our translation", "in English in the original")
SHORTEST_QUOTATION = 3  # words

CITATION = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
INLINE_CODE = re.compile(r"`[^`\n]*`")
# Straight quotes or curly ones; a quotation may run over a line break but not a blank line.
QUOTATION = re.compile(r'"([^"]+?)"|\u201c([^\u201d]+?)\u201d')
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
FENCE = re.compile(r"^(`{3,}|:{3,})(.*)$")


def book_pages() -> list[Path]:
    """Every page in the table of contents written as MyST Markdown."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    stack = list(toc.get("parts", [])) + list(toc.get("chapters", []))
    while stack:
        entry = stack.pop()
        if "file" in entry:
            files.append(entry["file"])
        stack.extend(entry.get("chapters", []))
        stack.extend(entry.get("sections", []))
    pages = [ROOT / f"{name}.md" for name in files]
    return sorted(page for page in pages if page.is_file())


def foreign_sources(bibliography: Path = BIBLIOGRAPHY) -> set[str]:
    """Keys of the bibliography's entries that were published in a language other than English."""
    entries = parse_file(str(bibliography), bib_format="bibtex").entries
    return {key for key, entry in entries.items()
            if re.search(r"\b(Polish|Dutch)\b", " ".join(entry.fields.get(name, "") for name in ("howpublished", "note")))}


def prose_blocks(markdown: str) -> list[str]:
    """The page's text as paragraphs and list items, without front matter or code.

    Code cells and plain code blocks are left out; the text of other directives (notes,
    self-checks) is kept, one block per line of options or paragraph.
    """
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":
        end = next(index for index, line in enumerate(lines[1:], start=1) if line.strip() == "---")
        lines = lines[end + 1:]
    blocks, current, fence = [], [], None
    for line in lines:
        opening = FENCE.match(line.strip())
        if fence is not None:
            if opening and opening.group(1) == fence[0] and not opening.group(2).strip():
                fence = None
            elif not fence[1]:
                continue  # inside code
            else:
                if not line.strip() or LIST_ITEM.match(line) or line.strip().startswith(":"):
                    if current:
                        blocks.append("\n".join(current))
                    current = [] if not line.strip() or line.strip().startswith(":") else [line]
                else:
                    current.append(line)
            continue
        if opening:
            if current:
                blocks.append("\n".join(current))
            current = []
            argument = opening.group(2).strip()
            is_code = not argument.startswith("{") or argument.startswith(("{code-cell}", "{code}", "{code-block}"))
            fence = (opening.group(1), not is_code)
            title = re.sub(r"^\{[^}]+\}\s*", "", argument)
            if not is_code and title:
                blocks.append(title)
            continue
        if not line.strip() or LIST_ITEM.match(line) or line.lstrip().startswith("#"):
            if current:
                blocks.append("\n".join(current))
            current = [line] if line.strip() else []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def quotations(block: str) -> list[str]:
    """Spans in double quotation marks of at least SHORTEST_QUOTATION words (inline code removed)."""
    text = INLINE_CODE.sub(" ", CITATION.sub(" ", block))
    spans = [straight or curly for straight, curly in QUOTATION.findall(text)]
    return [" ".join(span.split()) for span in spans if len(span.split()) >= SHORTEST_QUOTATION]


def is_quote_block(block: str) -> bool:
    return all(line.lstrip().startswith(">") for line in block.splitlines() if line.strip())


def attribution_problems(markdown: str, foreign: set[str]) -> list[str]:
    """What is wrong with the page's quotations, one message per quotation."""
    blocks = prose_blocks(markdown)
    problems = []
    for index, block in enumerate(blocks):
        if is_quote_block(block):
            # A quote block names its source inside it or in the paragraph right after it.
            found = [" ".join(block.replace(">", " ").split())[:60]]
            context = block + "\n" + (blocks[index + 1] if index + 1 < len(blocks) else "")
        else:
            found = quotations(block)
            context = block
        if not found:
            continue
        cited = {key.strip() for keys in CITATION.findall(context) for key in keys.split(",")}
        for quotation in found:
            if not cited:
                problems.append(f'"{quotation}" has no citation beside it')
            elif cited & foreign and not any(note in " ".join(context.split()) for note in TRANSLATION_NOTES):
                problems.append(f'"{quotation}" quotes {", ".join(sorted(cited & foreign))}, a source not in English, '
                                f'without saying "our translation"')
    return problems


@pytest.mark.parametrize("page", book_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_quotation_cites_its_source_and_says_whose_translation_it_is(page):
    problems = attribution_problems(page.read_text(encoding="utf-8"), foreign_sources())
    assert not problems, f"{page.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_the_chapters_quote_their_sources_and_the_check_sees_the_quotations():
    """The check is not vacuous: most chapters (every one of _toc.yml is read) hold quotations it finds."""
    found = {name: [quotation for block in prose_blocks((ROOT / "book" / f"{name}.md").read_text(encoding="utf-8"))
                    for quotation in quotations(block)] for name in chapters()}
    assert len(found) >= 7 and sum(bool(quoted) for quoted in found.values()) >= 5, found
    assert {"wblo_certification", "kupiec_nps", "staffaroni_walters", "butterfly_post"} <= foreign_sources()


def test_the_sources_in_polish_and_dutch_are_known_from_the_bibliography(tmp_path):
    bibliography = tmp_path / "references.bib"
    bibliography.write_text(
        "@misc{polish, title = {Tytu\u0142}, howpublished = {Column, in Polish}}\n"
        "@misc{dutch, title = {Titel}, howpublished = {Interview, in Dutch translation}}\n"
        "@article{english, title = {Title}, journal = {Journal}, year = {2000}}\n", encoding="utf-8")
    assert foreign_sources(bibliography) == {"polish", "dutch"}


FOREIGN = {"column"}


@pytest.mark.parametrize(("markdown", "expected"), [
    ('He wrote that "a score is not a plan".\n', ["no citation"]),
    ('He wrote that "a score is not a plan" {cite:p}`column`.\n', ["our translation"]),
    ('He wrote that "a score is not a plan" (our translation) {cite:p}`column`.\n', []),
    ('He wrote that "a score is not a plan" {cite:p}`study`.\n', []),  # an English source
    ('A "significant" change, a "holistic" role.\n', []),
    ('She said "collecting feedback\nis not a result".\n\nIn another paragraph {cite:p}`column` (our translation).\n',
     ["no citation"]),
    ('- one item quotes "a score is not a plan"\n- the next cites {cite:p}`column` (our translation)\n',
     ["no citation"]),
    ('> A score is not a plan.\n\nSo the column argues (our translation) {cite:p}`column`.\n', []),
    ('> A score is not a plan.\n\nSo the column argues.\n', ["no citation"]),
    ('```{code-cell} ipython3\nprint("a string in code, not a quotation")\n```\n', []),
    ('```{selfcheck} Why is "a score not a plan" here?\n:answer: 1\n- Yes | Because.\n- No | Because.\n```\n',
     ["no citation"]),
    ("The line, in English in the original, \"CX will never exceed EX\" {cite:p}`column`.\n", []),
])
def test_the_check_finds_an_unattributed_or_unmarked_quotation(markdown, expected):
    problems = attribution_problems(markdown, FOREIGN)
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected):
        assert words in problem, problem
