"""The book builds with warnings as errors (-W -n --keep-going) and has what a learner needs."""

from __future__ import annotations

from pathlib import PurePosixPath

from bs4 import BeautifulSoup

from .conftest import ROOT, assignment_names


def page(built_book, name):
    path = built_book / name
    assert path.is_file(), f"{name} missing from the built book"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_book_builds_warning_free_with_every_chapter(built_book):
    for name in ("index.html", "book/intro.html", "book/nps.html", "book/bibliography.html"):
        page(built_book, name)


def test_nps_chapter_has_executed_figures_a_widget_and_a_link_to_its_exercise(built_book):
    chapter = page(built_book, "book/nps.html")
    figures = chapter.select("figure img, div.cell_output img")
    assert len(figures) >= 3, f"only {len(figures)} figures"
    assert all(image.get("alt") for image in figures), "every figure needs alt text"
    widget_views = chapter.select('script[type="application/vnd.jupyter.widget-view+json"]')
    assert widget_views, "the interactive explorer did not render a widget"
    links = [anchor.get("href", "") for anchor in chapter.find_all("a")]
    assert any("exercises/nps/nps" in link for link in links)
    assert any(link.endswith("nps.ipynb") for link in links), "no download link for the exercise notebook"
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


def test_bibliography_lists_the_nps_sources(built_book):
    text = page(built_book, "book/bibliography.html").get_text(" ")
    for author in ("Reichheld", "Rocks", "Kupiec", "Walters"):
        assert author in text, author


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
