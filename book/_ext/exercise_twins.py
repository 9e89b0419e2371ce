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


def update_exercise_catalogues(root: Path, language: str) -> None:
    """Merge the released notebooks' markdown cells into their catalogues (changed cells fuzzy)."""
    for assignment, path in released_notebooks(root).items():
        update_catalogue(nbformat.read(path, as_version=4), catalogue_path(root, language, assignment), language)
