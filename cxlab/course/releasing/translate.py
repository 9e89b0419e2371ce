"""Exercise notebooks in another language: one source notebook, one small catalogue each.

A translated notebook is the English one with

- each markdown cell a learner reads replaced by its translation from the course's catalogue
  ``book/locale/<language>/exercises/<assignment>.po`` (one entry per cell: the cell's id as the
  context, the cell's English text as the message);
- one line added to the set-up cell, after its ``from cxlab.data import`` line, that selects the
  language of cxlab's messages (the value checks, :func:`cxlab.language.set_language`).

Every code cell, every output, all nbgrader metadata and the cells' order stay as they are, so a
translated release is graded exactly like the English one. Cells a student writes in (nbgrader
solution cells) are not translated. The catalogues hold only what the released notebooks show:
no model answer, no hidden test.

``cxlab assign --language pl`` releases the Polish notebooks to a class (the translation runs as
the first step of nbgrader's ``generate_assignment``, so the gradebook records the Polish cells);
the book's Polish edition serves the same twins (``book/_ext/exercise_twins.py``). An entry whose
English cell changed becomes *fuzzy* when the catalogues are updated (``make catalogues``); a
fuzzy or missing translation leaves the English cell, and the book's tests fail until it is done.

Imports: nbformat; polib (the course extra) when a catalogue is read or written.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from traitlets import Unicode
from traitlets.config import Configurable

#: The languages a release can be translated into (English is the source).
LANGUAGES = ("pl",)
#: The line a translation adds to the set-up cell, after the line that starts with ANCHOR.
LANGUAGE_LINE = 'from cxlab.language import set_language; set_language("{language}")'
ANCHOR = "from cxlab.data import "


def catalogue_path(root: Path, language: str, assignment: str) -> Path:
    """Where a course keeps the translation of an assignment's notebook."""
    return Path(root) / "book" / "locale" / language / "exercises" / f"{assignment}.po"


def translatable(cell) -> bool:
    """A markdown cell the learner reads, not one they write in."""
    return cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution", False)


def messages(notebook) -> list[tuple[str, str]]:
    """(cell id, English text) of every translatable cell, in order."""
    return [(cell.id, cell.source) for cell in notebook.cells if translatable(cell)]


def setup_cell_index(notebook) -> int:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and any(line.startswith(ANCHOR) for line in cell.source.splitlines()):
            return index
    raise ValueError(f"no code cell has a line starting {ANCHOR!r}: the language line has no place")


def with_language_line(source: str, language: str) -> str:
    lines = source.split("\n")
    position = next(index for index, line in enumerate(lines) if line.startswith(ANCHOR)) + 1
    return "\n".join([*lines[:position], LANGUAGE_LINE.format(language=language), *lines[position:]])


def load_catalogue(path: Path):
    """The catalogue at ``path`` (polib), or None when there is none."""
    import polib

    return polib.pofile(str(path), wrapwidth=0) if Path(path).exists() else None


def translations(catalogue) -> dict[tuple[str, str], str]:
    """(cell id, English text) -> translation, for the finished entries only."""
    if catalogue is None:
        return {}
    return {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalogue
            if entry.msgstr and not entry.fuzzy and not entry.obsolete}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"a release can be translated into {', '.join(LANGUAGES)}, not {language!r}")
    return language


def translate(notebook, catalogue, language: str):
    """The translated twin of a notebook (a new notebook; the argument is not changed)."""
    check_language(language)
    result = nbformat.from_dict(notebook)
    done = translations(catalogue)
    for cell in result.cells:
        if translatable(cell) and (cell.id, cell.source) in done:
            cell.source = done[(cell.id, cell.source)]
    setup = result.cells[setup_cell_index(result)]
    setup.source = with_language_line(setup.source, language)
    return result


#: The context of a check message's entries in a notebook's catalogue (cells use their id).
CHECK_CONTEXT = "check"


def check_fragments(notebook) -> list[str]:
    """The literal text of every visible check's message, in order, once each.

    A check cell is code, identical in every language, so its ``assert ..., message`` stays
    English in the notebook; the pieces of text its messages are made of (an f-string's text
    between the values it prints) are translated instead, and cxlab puts them into the message
    when it is shown (:func:`cxlab.language.translate_message`).
    """
    import ast

    found: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and node.msg is not None:
                for part in ast.walk(node.msg):
                    if (isinstance(part, ast.Constant) and isinstance(part.value, str)
                            and sum(character.isalpha() for character in part.value) >= 2
                            and part.value not in found):
                        found.append(part.value)
    return found


def check_messages(catalogues) -> dict[str, str]:
    """English fragment -> translation, from the finished check entries of some catalogues."""
    messages_ = {}
    for catalogue in catalogues:
        for entry in catalogue or []:
            if entry.msgctxt == CHECK_CONTEXT and entry.msgstr and not entry.fuzzy and not entry.obsolete:
                messages_.setdefault(entry.msgid, entry.msgstr)
    return dict(sorted(messages_.items()))


def update_catalogue(notebook, path: Path, language: str) -> None:
    """Merge a notebook's translatable cells and check messages into its catalogue: new ones
    untranslated, changed cells fuzzy (the old translation kept as a start), removed ones dropped."""
    import polib

    old = load_catalogue(path)
    by_id = {entry.msgctxt: entry for entry in old if entry.msgctxt != CHECK_CONTEXT} if old is not None else {}
    checks = {entry.msgid: entry for entry in old if entry.msgctxt == CHECK_CONTEXT} if old is not None else {}
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = old.metadata if old is not None else {
        "Project-Id-Version": "CX Lab", "Language": language, "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    for cell_id, text in messages(notebook):
        previous = by_id.get(cell_id)
        entry = polib.POEntry(msgctxt=cell_id, msgid=text, msgstr=previous.msgstr if previous else "")
        if previous is not None and previous.msgstr and (previous.msgid != text or previous.fuzzy):
            entry.flags.append("fuzzy")
            if previous.msgid != text:
                entry.previous_msgid = previous.msgid
        catalogue.append(entry)
    for fragment in check_fragments(notebook):
        previous = checks.get(fragment)
        entry = polib.POEntry(msgctxt=CHECK_CONTEXT, msgid=fragment, msgstr=previous.msgstr if previous else "")
        if previous is not None and previous.fuzzy:
            entry.flags.append("fuzzy")
        catalogue.append(entry)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(path))


class TranslateRelease(Configurable):
    """nbgrader preprocessor of a translated release: the notebook in ``language``.

    It runs first in ``generate_assignment`` (:func:`cxlab.course.releasing.assign.assign` puts
    it there), with the course's catalogue of the assignment (``catalogue_folder``).
    """

    language = Unicode("pl").tag(config=True)
    catalogue_folder = Unicode("").tag(config=True)

    def __call__(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        path = Path(self.catalogue_folder) / f"{assignment}.po"
        catalogue = load_catalogue(path)
        if catalogue is None:
            raise ValueError(f"no {self.language} catalogue for {assignment}: {path} is missing")
        translated = translate(nb, catalogue, self.language)
        nb.cells = translated.cells
        return nb, resources
