"""The book's editions: English (the source) and Polish (through gettext catalogues).

``make book`` builds the English book into ``_build/html`` with ``jupyter-book build`` and then
runs this script, which builds the Polish edition into ``_build/html/pl``::

    python book/_ext/editions.py pl          # the Polish book (make book runs this)
    python book/_ext/editions.py pl --build DIR   # beside an English build made with --path-output
    python book/_ext/editions.py catalogues  # after an English edit: refresh book/locale/pl

**One source.** The Polish book is built from the same chapters (``book/*.md``) with Sphinx's
``language = "pl"``: every paragraph, heading, admonition, caption, alt text and glossary entry
is looked up in ``book/locale/pl/LC_MESSAGES/<page>.po``. Code is not translated, so code and
outputs are identical; the chapters are not run again (the English build's execution cache is
shared, ``_build/.jupyter_cache``).

**Exercise pages.** Sphinx cannot translate a notebook page, so the Polish book is read from a
staging folder, ``_build/pl/source``: links to the book's own files, except ``exercises/``,
which holds the Polish twins of the released notebooks (:mod:`exercise_twins`, generated from
``exercises/`` and ``book/locale/pl/exercises/<assignment>.po``). The course kit of the Polish
book is made from those twins.

**After an English edit** run ``catalogues``: it extracts the messages (``sphinx-build -b
gettext`` into ``_build/gettext``) and merges them into the Polish catalogues
(``sphinx-intl update``). A changed paragraph's entry is then *fuzzy* and its page shows the
English paragraph until someone translates it and removes the fuzzy flag; ``make test`` fails
while any entry is fuzzy or untranslated (``tests/book/test_editions.py``), and names them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"          # where the English build is (--build changes it)
STATIC = ROOT / "_build" / "book-static"   # the scripts the pages serve (make fills it from npm)
LOCALE = ROOT / "book" / "locale"
LANGUAGES = ("pl",)
#: What the staging folder links to: everything the book's configuration and extensions read.
LINKED = ("_config.yml", "_toc.yml", "book", "cxlab", "pyproject.toml", "README.md")


def _build(source: Path, output: Path, doctrees: Path, builder: str, language: str | None,
           execute: bool = True) -> None:
    from jupyter_book.sphinx import build_sphinx

    overrides = {
        # what `jupyter-book build` passes for a book
        "external_toc_path": str(source / "_toc.yml"),
        "latex_individualpages": False,
        # the chapters' outputs come from the English build's cache: the code is the same
        "nb_execution_cache_path": str(BUILD / ".jupyter_cache"),
        "locale_dirs": [str(LOCALE)],
    }
    if language:
        overrides["language"] = language
    if not execute:  # the text alone: glued values and figures are missing, and warned about
        overrides["nb_execution_mode"] = "off"
    result = build_sphinx(source, output, noconfig=True, path_config=str(source / "_config.yml"),
                          confoverrides=overrides, doctreedir=str(doctrees), builder=builder,
                          warningiserror=execute, keep_going=True, tags=[language] if language else None,
                          quiet=not execute)
    if result:
        raise SystemExit(f"the {language or 'English'} {builder} build failed ({result})")


def stage(language: str) -> Path:
    """The staging folder of an edition: links to the book, and the exercise twins."""
    from exercise_twins import write_twins

    source = BUILD / language / "source"
    source.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = source / name
        if link.is_symlink() or link.exists():
            if link.is_symlink() and link.resolve() == (ROOT / name).resolve():
                continue
            link.unlink() if link.is_symlink() or link.is_file() else shutil.rmtree(link)
        link.symlink_to(ROOT / name)
    static = source / "_build" / "book-static"
    if not static.is_symlink():
        static.parent.mkdir(parents=True, exist_ok=True)
        static.symlink_to(STATIC)
    write_twins(ROOT, language, source / "exercises")
    return source


def build_edition(language: str) -> Path:
    """Build one translated edition into _build/html/<language> (the English book must be built)."""
    source = stage(language)
    output = BUILD / language / "html"
    _build(source, output, BUILD / language / ".doctrees", "html", language)
    published = BUILD / "html" / language
    if published.exists():
        shutil.rmtree(published)
    shutil.copytree(output, published)
    return published


def extract_messages(output: Path, doctrees: Path, execute: bool = True) -> Path:
    """The English messages, one template (.pot) per page, into ``output``. Without ``execute``
    the chapters are not run: the text is all there, the figures' alt texts are not."""
    for stale in (output, doctrees):  # every page read afresh: the alt texts are added as it is read
        shutil.rmtree(stale, ignore_errors=True)
    _build(ROOT, output, doctrees, "gettext", None, execute=execute)
    # The exercise pages are notebooks, which Sphinx cannot translate: the Polish book shows their
    # translated twins instead (exercise_twins.py, with a catalogue of their own).
    shutil.rmtree(output / "exercises", ignore_errors=True)
    return output


def update_catalogues() -> None:
    """Extract the English messages and merge them into every language's catalogues."""
    output = extract_messages(BUILD / "gettext", BUILD / ".doctrees-gettext")
    for language in LANGUAGES:
        subprocess.run([str(Path(sys.executable).with_name("sphinx-intl")), "update", "-p", str(output),
                        "-d", str(LOCALE), "-l", language, "-w", "0"], check=True)
    from exercise_twins import update_exercise_catalogues

    for language in LANGUAGES:
        update_exercise_catalogues(ROOT, language)


def main(argv: list[str]) -> int:
    global BUILD
    sys.path.insert(0, str(Path(__file__).parent))
    os.chdir(ROOT)
    if len(argv) == 3 and argv[1] == "--build":
        BUILD, argv = Path(argv[2]).resolve(), argv[:1]
    if argv == ["catalogues"]:
        update_catalogues()
    elif len(argv) == 1 and argv[0] in LANGUAGES:
        published = build_edition(argv[0])
        print(f"The {argv[0]} edition is in {published}.")
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
