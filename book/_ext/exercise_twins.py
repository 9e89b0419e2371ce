"""Translated twins of the exercise notebooks: one source notebook, one small catalogue each.

A twin is the released notebook (``exercises/<a>/<a>.ipynb``) with

- each markdown cell replaced by its translation from ``book/locale/<lang>/exercises/<a>.po``
  (one entry per markdown cell: the cell's id as the context, the cell's text as the message);
- one line added to the set-up cell, after its ``from cxlab.data import`` line, that selects
  the language of cxlab's messages (the value checks, :func:`cxlab.language.set_language`).

Everything else, every other code cell, every output, all nbgrader metadata and the cells'
order, stays byte for byte as released (``tests/book/test_editions.py`` proves it). Answer
cells that a student writes in (nbgrader solution cells) are not translated: nbgrader compares
them with the released text. The catalogues hold only what the released notebooks show: no
model answer, no hidden test.

An entry whose English cell changed becomes *fuzzy* (its old translation kept as a hint) when
the catalogues are updated (``python book/_ext/editions.py catalogues``); a fuzzy or missing
translation leaves the English cell in the twin, and ``make test`` fails until it is translated.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

#: The line a twin adds to its set-up cell, after the line that starts with ANCHOR.
LANGUAGE_LINE = 'from cxlab.language import set_language; set_language("{language}")'
ANCHOR = "from cxlab.data import "


def catalogue_path(root: Path, language: str, assignment: str) -> Path:
    return root / "book" / "locale" / language / "exercises" / f"{assignment}.po"


def released_notebooks(root: Path) -> dict[str, Path]:
    return {path.parent.name: path for path in sorted((root / "exercises").glob("*/*.ipynb"))
            if path.stem == path.parent.name}


def translatable(cell) -> bool:
    """A markdown cell the learner reads, not one they write in."""
    return cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution", False)


def messages(notebook) -> list[tuple[str, str]]:
    """(cell id, text) of every translatable cell, in order."""
    return [(cell.id, cell.source) for cell in notebook.cells if translatable(cell)]


def setup_cell_index(notebook) -> int:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and any(line.startswith(ANCHOR) for line in cell.source.splitlines()):
            return index
    raise ValueError(f"no code cell has the line {ANCHOR!r}: the twin's language line has no place")


def with_language_line(source: str, language: str) -> str:
    lines = source.split("\n")
    position = next(index for index, line in enumerate(lines) if line.startswith(ANCHOR)) + 1
    return "\n".join([*lines[:position], LANGUAGE_LINE.format(language=language), *lines[position:]])


def load_catalogue(path: Path):
    import polib

    return polib.pofile(str(path), wrapwidth=0) if path.exists() else None


def translations(catalogue) -> dict[tuple[str, str], str]:
    """(cell id, English text) -> translation, for the finished entries only."""
    if catalogue is None:
        return {}
    return {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalogue
            if entry.msgstr and not entry.fuzzy and not entry.obsolete}


def twin(notebook, catalogue, language: str):
    """The translated twin of a released notebook (a new notebook; the argument is not changed)."""
    result = nbformat.from_dict(notebook)
    done = translations(catalogue)
    for cell in result.cells:
        if translatable(cell) and (cell.id, cell.source) in done:
            cell.source = done[(cell.id, cell.source)]
    setup = result.cells[setup_cell_index(result)]
    setup.source = with_language_line(setup.source, language)
    result.metadata["language_info"] = dict(notebook.metadata.get("language_info", {}))
    result.metadata["cxlab"] = {**notebook.metadata.get("cxlab", {}), "language": language}
    return result


def write_twins(root: Path, language: str, folder: Path) -> list[Path]:
    """Write the twin of every released notebook to folder/<a>/<a>.ipynb (stale ones removed)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    written = []
    for assignment, path in released_notebooks(root).items():
        notebook = nbformat.read(path, as_version=4)
        target = folder / assignment / path.name
        target.parent.mkdir(parents=True)
        nbformat.write(twin(notebook, load_catalogue(catalogue_path(root, language, assignment)), language), target)
        written.append(target)
    return written


def update_exercise_catalogues(root: Path, language: str) -> None:
    """Merge the released notebooks' markdown cells into the catalogues: new cells untranslated,
    changed cells fuzzy (the old translation kept), removed cells dropped."""
    import polib

    for assignment, path in released_notebooks(root).items():
        notebook = nbformat.read(path, as_version=4)
        target = catalogue_path(root, language, assignment)
        old = load_catalogue(target)
        by_id = {entry.msgctxt: entry for entry in old} if old is not None else {}
        catalogue = polib.POFile(wrapwidth=0)
        catalogue.metadata = (old.metadata if old is not None else {
            "Project-Id-Version": "CX Lab", "Language": language,
            "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit"})
        for cell_id, text in messages(notebook):
            previous = by_id.get(cell_id)
            entry = polib.POEntry(msgctxt=cell_id, msgid=text, msgstr=previous.msgstr if previous else "")
            if previous is not None and previous.msgid != text and previous.msgstr:
                entry.flags.append("fuzzy")
                entry.previous_msgid = previous.msgid
            elif previous is not None and previous.fuzzy:
                entry.flags.append("fuzzy")
            catalogue.append(entry)
        target.parent.mkdir(parents=True, exist_ok=True)
        catalogue.save(str(target))
