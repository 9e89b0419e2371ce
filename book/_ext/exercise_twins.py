"""The Polish edition's exercise pages: the translated twins of the released notebooks.

The twins are made by cxlab's own translation step (:mod:`cxlab.course.releasing.translate`,
the one ``cxlab assign --language pl`` runs for a class) from the released notebooks
(``exercises/<a>/<a>.ipynb``) and the catalogues ``book/locale/pl/exercises/<a>.po``: the markdown
cells translated, one line added that makes cxlab's messages Polish, everything else as released.
``python book/_ext/editions.py catalogues`` (``make catalogues``) refreshes the catalogues after
an English edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from cxlab.course.releasing.translate import (  # noqa: F401  (the tests use them from here too)
    LANGUAGE_LINE,
    catalogue_path,
    check_fragments,
    check_messages,
    load_catalogue,
    messages,
    setup_cell_index,
    translatable,
    translate,
    update_catalogue,
)


def released_notebooks(root: Path) -> dict[str, Path]:
    return {path.parent.name: path for path in sorted((root / "exercises").glob("*/*.ipynb"))
            if path.stem == path.parent.name}


def twin(notebook, catalogue, language: str):
    return translate(notebook, catalogue, language)


def write_twins(root: Path, language: str, folder: Path) -> list[Path]:
    """Write the twin of every released notebook to folder/<a>/<a>.ipynb (stale ones removed)."""
    if folder.exists():
        shutil.rmtree(folder)
    written = []
    for assignment, path in released_notebooks(root).items():
        target = folder / assignment / path.name
        target.parent.mkdir(parents=True)
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(translate(notebook, load_catalogue(catalogue_path(root, language, assignment)), language), target)
        written.append(target)
    return written


def messages_path(root: Path, language: str) -> Path:
    """The checks' messages as cxlab ships them (:func:`cxlab.language.translate_message`)."""
    return root / "cxlab" / "datasets" / "messages" / f"{language}.json"


def shipped_messages(root: Path, language: str) -> str:
    """What messages_path must hold: the finished check entries of every exercise catalogue."""
    import json

    catalogues = [load_catalogue(catalogue_path(root, language, assignment)) for assignment in released_notebooks(root)]
    return json.dumps(check_messages(catalogues), ensure_ascii=False, indent=1) + "\n"


def update_exercise_catalogues(root: Path, language: str) -> None:
    """Merge the released notebooks' markdown cells and check messages into their catalogues
    (changed cells fuzzy), and write the finished check messages for cxlab to ship."""
    for assignment, path in released_notebooks(root).items():
        update_catalogue(nbformat.read(path, as_version=4), catalogue_path(root, language, assignment), language)
    target = messages_path(root, language)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(shipped_messages(root, language), encoding="utf-8")
