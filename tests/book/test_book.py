"""The book builds with warnings as errors (-W -n --keep-going) and has what a learner needs."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from bs4 import BeautifulSoup

from ..helpers import ROOT, assignment_names, chapters


def page(built_book, name):
    path = built_book / name
    assert path.is_file(), f"{name} missing from the built book"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


CHAPTERS = chapters()  # chapter page -> its assignment, from _toc.yml


def test_book_builds_warning_free_with_every_chapter(built_book):
    assert len(CHAPTERS) >= 7 and "voc" in CHAPTERS
    for name in ("index.html", "book/intro.html", *(f"book/{chapter}.html" for chapter in CHAPTERS),
                 "book/bibliography.html"):
        page(built_book, name)


@pytest.mark.parametrize("chapter_name", sorted(CHAPTERS))
def test_chapter_has_executed_figures_a_widget_and_a_link_to_its_exercise(built_book, chapter_name):
    assignment = CHAPTERS[chapter_name]
    chapter = page(built_book, f"book/{chapter_name}.html")
    figures = chapter.select("figure img, div.cell_output img")
    assert len(figures) >= 3, f"only {len(figures)} figures"
    assert all(image.get("alt") for image in figures), "every figure needs alt text"
    assert all(image.find_parent("figure") and image.find_parent("figure").find("figcaption")
               for image in chapter.select("figure img")), "every figure needs a caption"
    widget_views = chapter.select('script[type="application/vnd.jupyter.widget-view+json"]')
    assert widget_views, "the interactive explorer did not render a widget"
    (saved,) = chapter.select('script[type="application/vnd.jupyter.widget-state+json"]')
    controls = [model["state"] for model in json.loads(saved.string)["state"].values() if "disabled" in model["state"]]
    assert controls and all(control["disabled"] for control in controls), "a control is left movable on the static page"
    note = " ".join(chapter.get_text(" ").split())
    assert "needs a live Python kernel" in note and "locked" in note, "the page must say plainly that moving a slider needs a kernel"
    links = [anchor.get("href", "") for anchor in chapter.find_all("a")]
    assert any(f"exercises/{assignment}/{assignment}" in link for link in links)
    assert any(link.endswith(f"{assignment}.ipynb") for link in links), "no download link for the exercise notebook"
    citations = chapter.select("span.bibtex-citation a")
    assert citations, "the chapter cites no source"
    assert all("bibliography.html#" in anchor.get("href", "") for anchor in citations)


def test_every_exercise_is_a_page_offering_its_notebook(built_book):
    for name in assignment_names():
        exercise = page(built_book, f"exercises/{name}/{name}.html")
        downloads = [anchor.get("href", "") for anchor in exercise.find_all("a")]
        assert any(link.endswith(f"{name}.ipynb") for link in downloads), f"{name}: no .ipynb download"
        # The exercise page is the student version: it was not executed at build time.
        assert not exercise.select("div.cell_output .output.traceback")


def test_intro_maps_the_course(built_book):
    text = page(built_book, "book/intro.html").get_text(" ")
    for topic in ("certification", "Net Promoter", "employee experience", "butterfly"):
        assert topic.lower() in text.lower(), topic


def test_bibliography_lists_the_chapters_sources(built_book):
    text = page(built_book, "book/bibliography.html").get_text(" ")
    for author in ("Reichheld", "Rocks", "Kupiec", "Walters", "WB/LO", "Charig", "Julious", "Mantel", "Sato", "Dlaczego rola", "Heskett", "Rucci", "Harter", "Johnson", "Lindeman", "Szawiec"):
        assert author in text, author


def test_chapter_numbers_come_from_its_executed_code(built_book):
    # Figures quoted in the certification chapter's prose are glued from the executed
    # cells, so they cannot drift from the data; check two against the library.
    from cxlab import compare_groups
    from cxlab.data import load_teams

    text = page(built_book, "book/certification.html").get_text(" ")
    teams = load_teams()
    naive = compare_groups(teams, "nps", "certificate")
    pooled = compare_groups(teams, "nps", "certificate", strata="maturity")
    assert f"shrinks from {naive.value:.1f} to {pooled.value:.1f} points" in " ".join(text.split())


def test_configuration_keeps_exercises_unexecuted_and_solutions_out():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    patterns = config["execute"]["exclude_patterns"]
    exercises = sorted((ROOT / "exercises").glob("*/*.ipynb"))
    assert exercises
    # myst-nb decides with PurePosixPath.match on the notebook's absolute path.
    for notebook in exercises:
        assert any(PurePosixPath(notebook.as_posix()).match(pattern) for pattern in patterns), notebook
    assert config["execute"]["execute_notebooks"] == "cache"
    assert any(pattern.startswith("solutions") for pattern in config["exclude_patterns"])


def test_launch_buttons_appear_once_a_repository_is_configured(tmp_path):
    """The documented switch works: set repository.url and a hub, and exercise pages offer a launch link."""
    import subprocess
    import sys

    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"]["url"] = "https://github.com/example-org/cx-lab"
    config["launch_buttons"]["jupyterhub_url"] = "https://hub.example.org"
    config["execute"]["execute_notebooks"] = "off"  # only the page furniture matters here
    # Paths in the configuration are relative to its own folder: point them back at the course.
    config["sphinx"]["local_extensions"] = {name: str(ROOT / folder) for name, folder in config["sphinx"]["local_extensions"].items()}
    config["sphinx"]["config"]["html_static_path"] = [str(ROOT / folder) for folder in config["sphinx"]["config"]["html_static_path"]]
    config["sphinx"]["config"]["html_favicon"] = str(ROOT / config["sphinx"]["config"]["html_favicon"])
    alternative = tmp_path / "_config.yml"
    alternative.write_text(yaml.safe_dump(config), encoding="utf-8")
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    completed = subprocess.run(
        [jupyter_book, "build", str(ROOT), "--config", str(alternative), "--builder", "html",
         "--path-output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    exercise = page(tmp_path / "out" / "_build" / "html", "exercises/nps/nps.html")
    launch = [anchor.get("href", "") for anchor in exercise.find_all("a") if "hub.example.org" in anchor.get("href", "")]
    assert launch and "cx-lab" in launch[0], "no JupyterHub launch link on the exercise page"


# --- each chapter as a notebook a reader can run ------------------------------------------

MYST_ONLY = ("{glue", "{term}", "{cite", "{doc}", "{download}", "```{")


def chapter_notebook(built_book, chapter_name):
    import nbformat

    path = built_book / "_sources" / "book" / f"{chapter_name}.ipynb"
    assert path.is_file(), f"{chapter_name}: no notebook served at {path.relative_to(built_book)}"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook


@pytest.mark.parametrize("chapter_name", sorted(CHAPTERS))
def test_chapter_offers_its_notebook_under_the_title_and_in_the_download_menu(built_book, chapter_name):
    chapter = page(built_book, f"book/{chapter_name}.html")
    target = f"../_sources/book/{chapter_name}.ipynb"
    link = chapter.select_one("main p.chapter-notebook a.chapter-notebook-link")
    assert link is not None and link.get("href") == target and link.get("download") == f"{chapter_name}.ipynb"
    # The link comes right under the title, before the chapter's first paragraph.
    title = chapter.select_one("main h1")
    assert title.find_next("p") is link.find_parent("p")
    menu = [anchor.get("href") for anchor in chapter.select(".dropdown-download-buttons a")]
    assert target in menu, f"the download menu offers only {menu}"
    chapter_notebook(built_book, chapter_name)


@pytest.mark.parametrize("chapter_name", sorted(CHAPTERS))
def test_chapter_notebook_reads_cleanly_without_the_books_machinery(built_book, chapter_name):
    notebook = chapter_notebook(built_book, chapter_name)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert len(code) >= 8, "the notebook lost the chapter's code"
    assert not [source for source in code if "glue(" in source or "myst_nb" in source], "glue cells reached the notebook"
    assert not [cell for cell in notebook.cells if "remove-cell" in cell.metadata.get("tags", [])]
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "a reader runs it"
    leftovers = [marker for marker in MYST_ONLY if marker in markdown]
    assert not leftovers, f"MyST syntax left in the notebook's text: {leftovers}"
    assert "**Self-check.**" in markdown and "<details>" in markdown
    assert "static page" not in markdown, "notes about the static page belong to the book only"
    # Its code does not need what only the book build has installed.
    assert not [source for source in code if "import myst" in source or "sphinx" in source]
    # The page shows no glue call either, and no warning from its code.
    chapter = page(built_book, f"book/{chapter_name}.html")
    assert "glue(" not in " ".join(cell.get_text() for cell in chapter.select("div.cell_input"))
    outputs = " ".join(cell.get_text() for cell in chapter.select("div.cell_output"))
    assert "Warning:" not in outputs, f"{chapter_name}: a warning is printed on the page"


def test_chapter_notebook_says_what_the_page_says_with_the_same_numbers(built_book):
    from cxlab import compare_groups
    from cxlab.data import load_teams

    teams = load_teams()
    naive = compare_groups(teams, "nps", "certificate")
    pooled = compare_groups(teams, "nps", "certificate", strata="maturity")
    sentence = f"shrinks from {naive.value:.1f} to {pooled.value:.1f} points"
    notebook = chapter_notebook(built_book, "certification")
    text = " ".join(" ".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown").split())
    assert sentence in text
    assert "Card and Krueger [1994]" in text, "a citation should read as it does on the page"


# Each chapter's notebook runs from top to bottom in the learner's kit environment: test_kit.py.


@pytest.mark.parametrize("chapter_name", sorted(CHAPTERS))
def test_every_figure_opens_at_full_size(built_book, chapter_name):
    chapter = page(built_book, f"book/{chapter_name}.html")
    images = chapter.select("main figure img, main div.cell_output img")
    assert images
    for image in images:
        link = image.find_parent("a")
        assert link is not None and "full-size-figure" in link.get("class", []), image.get("src")
        assert link.get("href") == image.get("src")
        assert (built_book / "book" / link["href"]).resolve().is_file()


def test_chapters_draw_text_no_smaller_than_the_course_style():
    """The browser tests compute the smallest text of a figure from the course style's smallest size."""
    import re

    from cxlab.plots import COURSE_STYLE

    smallest = min(size for key, size in COURSE_STYLE.items() if key.endswith("size") and not isinstance(size, tuple))
    for chapter_name in CHAPTERS:
        source = (ROOT / "book" / f"{chapter_name}.md").read_text(encoding="utf-8")
        assert "plots.use_course_style()" in source, chapter_name
        sizes = [float(size) for size in re.findall(r"fontsize=(\d+(?:\.\d+)?)", source)]
        assert all(size >= smallest for size in sizes), f"{chapter_name}: text below {smallest} pt"
