"""The Polish edition: complete, current, faithful to the English markup, and built as a reader needs it.

The release gate: ``make test`` fails while any catalogue (``book/locale/pl``) has an
untranslated or fuzzy entry, or a translation that drops or changes a glued value, a citation,
a glossary link's target, inline code or math; it names each entry (``tests/book/catalogues.py``
is also a command that lists them). An English paragraph edited without refreshing the
catalogues (``make catalogues``) is caught too: the catalogues must hold every message the
English pages have now.

On the built book (both editions, as ``make book`` builds them): every Polish page says
``lang="pl"``, every page of either edition links to the same page in the other, no glued value
is empty in either book, Polish pages print glued numbers with a decimal comma, no English
paragraph is left on a Polish chapter, and the Polish exercise pages serve a Polish kit. The
exercise twins keep every code cell byte for byte except the one line that selects the language,
and that line makes cxlab's value checks speak Polish in a real kernel.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import nbformat
import polib
import pytest
import yaml
from bs4 import BeautifulSoup

from cxlab.course.config import CourseError
from cxlab.course.releasing.assign import assign

from ..helpers import ROOT, chapters
from .catalogues import book_catalogues, exercise_catalogues, problems, report
from .test_attributions import QUOTATION, SHORTEST_QUOTATION, foreign_sources

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import editions  # noqa: E402
import exercise_twins  # noqa: E402
from languages import polish_number_text  # noqa: E402

LOCALE = ROOT / "book" / "locale" / "pl"
CHAPTERS = chapters()
PAGES_WITHOUT_GLUE = ("intro", "setup", "glossary", "bibliography", "instructor-guide", "survey-report")


# --- the release gate ------------------------------------------------------------------------

def test_every_catalogue_is_translated_and_keeps_its_markup():
    found = report(book_catalogues() + exercise_catalogues())
    assert not found, (f"{len(found)} catalogue entries to finish (python -m tests.book.catalogues lists them):\n"
                       + "\n".join(found[:60]))


def test_sphinx_intl_stat_counts_nothing_fuzzy_or_untranslated():
    """The same gate as sphinx-intl itself reports it, for every catalogue (pages and exercises)."""
    completed = subprocess.run([str(Path(sys.executable).with_name("sphinx-intl")), "stat", "-d", str(ROOT / "book" / "locale"),
                                "-l", "pl"], capture_output=True, text=True, check=True)
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    assert len(lines) == len(book_catalogues()) + len(exercise_catalogues())
    unfinished = [line for line in lines if not line.endswith(" 0 fuzzy, 0 untranslated.")]
    assert not unfinished, "\n".join(unfinished)


def test_the_gate_names_a_dropped_glued_value_a_changed_term_target_and_an_untranslated_entry(tmp_path):
    english = "The score is {glue:text}`nps.md::value:.1f` for a {term}`confounder` of `size`."
    assert problems(english, "Wynik to {glue:text}`nps.md::value:.1f` dla {term}`czynnika <confounder>` `size`.") == []
    dropped = problems(english, "Wynik to 33 dla {term}`czynnika <confounder>` `size`.")
    assert any("glue:text" in problem for problem in dropped)
    retargeted = problems(english, "Wynik {glue:text}`nps.md::value:.1f` dla {term}`czynnika` `size`.")
    assert any("confounder" in problem for problem in retargeted)
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="An English paragraph.", msgstr=""))
    catalogue.append(polib.POEntry(msgid="Changed paragraph.", msgstr="Stary przekład.", flags=["fuzzy"]))
    catalogue.save(str(tmp_path / "page.po"))
    listed = report([tmp_path / "page.po"])
    assert any("untranslated" in line for line in listed) and any("fuzzy" in line for line in listed)


def test_an_edited_english_paragraph_makes_its_translation_fuzzy(tmp_path):
    """The real tools: sphinx-intl update marks the edited message fuzzy, and the gate names it."""
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    catalogue.append(polib.POEntry(msgid="Customers wait two hours on the hotline.",
                                   msgstr="Klienci czekają na infolinii dwie godziny."))
    (tmp_path / "pl" / "LC_MESSAGES").mkdir(parents=True)
    catalogue.save(str(tmp_path / "pl" / "LC_MESSAGES" / "page.po"))
    template = polib.POFile(wrapwidth=0)
    template.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    template.append(polib.POEntry(msgid="Customers wait three hours on the hotline.", msgstr=""))
    (tmp_path / "pot").mkdir()
    template.save(str(tmp_path / "pot" / "page.pot"))
    subprocess.run([str(Path(sys.executable).with_name("sphinx-intl")), "update", "-p", str(tmp_path / "pot"),
                    "-d", str(tmp_path), "-l", "pl"], check=True, capture_output=True)
    updated = polib.pofile(str(tmp_path / "pl" / "LC_MESSAGES" / "page.po"))
    entry = updated.find("Customers wait three hours on the hotline.")
    assert entry is not None and entry.fuzzy
    assert any("fuzzy" in line for line in report([tmp_path / "pl" / "LC_MESSAGES" / "page.po"]))


def _figure_texts(markdown: str) -> set[str]:
    """The alt texts and captions a chapter's figures declare in their code cells' options (the
    messages a build that does not run the chapters cannot see)."""
    found = set()
    for block in re.findall(r"```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n", markdown, re.S):
        options = (yaml.safe_load(block) or {}).get("mystnb", {})
        found |= {text for text in (options.get("image", {}).get("alt"), options.get("figure", {}).get("caption")) if text}
    return found


def test_the_catalogues_hold_every_message_the_english_pages_have_now(tmp_path):
    """An English edit without `make catalogues` would leave its paragraph in English on the Polish page."""
    output = editions.extract_messages(tmp_path / "gettext", tmp_path / "doctrees", execute=False)
    stale = []
    for template in sorted(output.rglob("*.pot")):
        name = template.relative_to(output).with_suffix(".po")
        catalogue = polib.pofile(str(LOCALE / "LC_MESSAGES" / name)) if (LOCALE / "LC_MESSAGES" / name).exists() else []
        held = {entry.msgid for entry in catalogue if not entry.obsolete}
        wanted = {entry.msgid for entry in polib.pofile(str(template)) if entry.msgid}
        page = ROOT / name.with_suffix(".md")
        wanted |= _figure_texts(page.read_text(encoding="utf-8")) if page.exists() else set()
        stale += [f"{name}: no entry for {message[:80]!r}" for message in sorted(wanted - held)]
        stale += [f"{name}: an entry no English text has now: {message[:80]!r}" for message in sorted(held - wanted)]
    for assignment, path in exercise_twins.released_notebooks(ROOT).items():
        catalogue = exercise_twins.load_catalogue(exercise_twins.catalogue_path(ROOT, "pl", assignment))
        held = {(entry.msgctxt, entry.msgid) for entry in catalogue or [] if not entry.obsolete}
        notebook = nbformat.read(path, as_version=4)
        wanted = set(exercise_twins.messages(notebook)) | {("check", text) for text in exercise_twins.check_fragments(notebook)}
        stale += [f"exercises/{assignment}.po: no entry for cell {cell}: {text[:60]!r}" for cell, text in sorted(wanted - held)]
        stale += [f"exercises/{assignment}.po: an entry for no cell: {text[:60]!r}" for cell, text in sorted(held - wanted)]
    assert not stale, "run `make catalogues`, then translate what it marks:\n" + "\n".join(stale[:40])


def test_a_changed_exercise_cell_becomes_fuzzy(tmp_path):
    (tmp_path / "exercises" / "nps").mkdir(parents=True)
    notebook = nbformat.read(ROOT / "exercises" / "nps" / "nps.ipynb", as_version=4)
    cell = next(cell for cell in notebook.cells if exercise_twins.translatable(cell))
    catalogue = exercise_twins.load_catalogue(exercise_twins.catalogue_path(ROOT, "pl", "nps"))
    target = exercise_twins.catalogue_path(tmp_path, "pl", "nps")
    target.parent.mkdir(parents=True)
    next(entry for entry in catalogue if entry.msgctxt == cell.id).msgstr = "# Ćwiczenie\n\nPrzekład."
    catalogue.save(str(target))
    cell.source += "\n\nOne more English sentence."
    nbformat.write(notebook, tmp_path / "exercises" / "nps" / "nps.ipynb")
    exercise_twins.update_exercise_catalogues(tmp_path, "pl")
    entry = next(entry for entry in exercise_twins.load_catalogue(target) if entry.msgctxt == cell.id)
    assert entry.fuzzy and entry.msgid == cell.source
    twin = exercise_twins.twin(notebook, exercise_twins.load_catalogue(target), "pl")
    assert next(c for c in twin.cells if c.id == cell.id).source == cell.source  # English until translated


# --- the exercise twins ---------------------------------------------------------------------

@pytest.mark.parametrize("assignment", sorted(exercise_twins.released_notebooks(ROOT)))
def test_a_twin_keeps_every_code_cell_but_the_language_line(assignment, tmp_path):
    path = exercise_twins.released_notebooks(ROOT)[assignment]
    english = nbformat.read(path, as_version=4)
    [written] = [p for p in exercise_twins.write_twins(ROOT, "pl", tmp_path) if p.parent.name == assignment]
    polish = nbformat.read(written, as_version=4)
    assert [(c.id, c.cell_type) for c in polish.cells] == [(c.id, c.cell_type) for c in english.cells]
    changed_lines = []
    for before, after in zip(english.cells, polish.cells):
        assert after.metadata == before.metadata, f"cell {before.id}: metadata changed"
        if before.cell_type == "code":
            assert after.get("outputs") == before.get("outputs")
            if after.source != before.source:
                after_lines, before_lines = after.source.split("\n"), before.source.split("\n")
                added = [line for line in after_lines if line not in before_lines]
                assert [line for line in after_lines if line in before_lines] == before_lines
                changed_lines += added
        elif exercise_twins.translatable(before):
            assert after.source != before.source, f"cell {before.id} is still in English:\n{before.source[:200]}"
        else:
            assert after.source == before.source, f"answer cell {before.id} changed"
    assert changed_lines == [exercise_twins.LANGUAGE_LINE.format(language="pl")]


def test_the_language_line_makes_the_value_checks_and_the_visible_checks_speak_polish(tmp_path):
    """The nps twin's set-up cell in a real kernel, then a value check on a wrong answer, then
    the first visible check (the twin's own cell, code as in English) on an answer of the wrong type."""
    from nbclient import NotebookClient

    [written] = [p for p in exercise_twins.write_twins(ROOT, "pl", tmp_path) if p.parent.name == "nps"]
    twin = nbformat.read(written, as_version=4)
    upto = exercise_twins.setup_cell_index(twin) + 1
    probe = nbformat.v4.new_code_cell('from cxlab.selfstudy import check_practice\n'
                                      'print(check_practice("nps", "practice-001", {"nps_all": "12"}))')
    wrong = nbformat.v4.new_code_cell('promoters, passives, detractors = "900", 500, 600')
    check = next(cell for cell in twin.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_counts")
    run = nbformat.v4.new_notebook(cells=[*twin.cells[:upto], probe, wrong, nbformat.from_dict(check)],
                                   metadata=twin.metadata)
    NotebookClient(run, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(written.parent)}}).execute()
    printed = "".join(output.get("text", "") for output in run.cells[-3].outputs)
    assert "nps_all: jeszcze nie (oczekiwana jest liczba, nie str)" in printed, printed
    [error] = [output for output in run.cells[-1].outputs if output.output_type == "error"]
    table = json.loads(exercise_twins.messages_path(ROOT, "pl").read_text(encoding="utf-8"))
    english = " should be a whole number of customers (an int), not "
    assert error["ename"] == "AssertionError"
    assert error["evalue"] == f"promoters{table[english]}str", error["evalue"]


def test_the_checks_messages_cxlab_ships_are_the_catalogues(tmp_path):
    shipped = exercise_twins.messages_path(ROOT, "pl").read_text(encoding="utf-8")
    assert shipped == exercise_twins.shipped_messages(ROOT, "pl"), "run `make catalogues`"
    table = json.loads(shipped)
    fragments = {fragment for path in exercise_twins.released_notebooks(ROOT).values()
                 for fragment in exercise_twins.check_fragments(nbformat.read(path, as_version=4))}
    assert set(table) == fragments and len(fragments) > 200


# --- the built book -------------------------------------------------------------------------

def _html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.html")
                  if not {"_static", "_sources", "_images", "pl"} & set(path.relative_to(root).parts[:-1]))


def test_each_page_is_in_its_language_and_links_to_the_same_page_in_the_other(built_book):
    english = _pages(built_book)
    polish = _pages(built_book / "pl")
    assert [p.relative_to(built_book) for p in english] == [p.relative_to(built_book / "pl") for p in polish]
    assert len(english) >= 20
    problems_found = []
    for root, pages, language, other in ((built_book, english, "en", "pl"), (built_book / "pl", polish, "pl", "en")):
        for page in pages:
            html = _html(page)
            if html.find("meta", attrs={"http-equiv": "Refresh"}) and not html.find("article"):
                continue  # the root's redirect to the first page
            if html.html.get("lang") != language:
                problems_found.append(f"{page.relative_to(built_book)}: lang={html.html.get('lang')!r}")
            links = html.select("nav.cx-language a[hreflang]")
            if len(links) != 1 or links[0]["hreflang"] != other:
                problems_found.append(f"{page.relative_to(built_book)}: no switcher to {other}")
                continue
            target = (page.parent / links[0]["href"]).resolve()
            twin_root = built_book / "pl" if other == "pl" else built_book
            if target != (twin_root / page.relative_to(root)).resolve():
                problems_found.append(f"{page.relative_to(built_book)}: switcher goes to {links[0]['href']}")
    assert not problems_found, "\n".join(problems_found[:30])


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_no_glued_value_is_empty_in_either_book(built_book, chapter):
    source = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    expected = len(re.findall(r"\{glue:text\}`", source))
    assert expected > 0
    for root in (built_book, built_book / "pl"):
        article = _html(root / "book" / f"{chapter}.html").find("article")
        glued = article.select("span.pasted-text")
        assert len(glued) == expected, f"{root.name}: {len(glued)} glued values shown, the page has {expected}"
        assert all(span.get_text().strip() for span in glued), f"{root.name}/{chapter}: an empty glued value"


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_polish_pages_write_glued_numbers_the_polish_way(built_book, chapter):
    english = [s.get_text() for s in _html(built_book / "book" / f"{chapter}.html").select("span.pasted-text")]
    polish = [s.get_text() for s in _html(built_book / "pl" / "book" / f"{chapter}.html").select("span.pasted-text")]
    assert len(polish) == len(english)
    # a translation may put the glued values in another order: compared as collections
    numeric = re.compile(r"[-+−\d.,% ]+")
    expected = Counter(polish_number_text(text) for text in english if numeric.fullmatch(text))
    assert sum(expected.values()) > 10
    words = set(json.loads((LOCALE / "glued-words.json").read_text(encoding="utf-8")).values())  # "1." for "first"
    assert Counter(text for text in polish if numeric.fullmatch(text.replace("\u202f", "")) and text not in words) == expected
    assert not [text for text in polish if re.search(r"\d\.\d", text)]


def test_polish_number_style():
    assert polish_number_text("1,234.5") == "1\u202f234,5"
    assert polish_number_text("-0.25 and 12 and 3,000,000") == "-0,25 and 12 and 3\u202f000\u202f000"
    assert polish_number_text("A05, A08, 12") == "A05, A08, 12"


@pytest.mark.parametrize("page", [*sorted(CHAPTERS), *PAGES_WITHOUT_GLUE])
def test_no_english_paragraph_is_left_on_a_polish_page(built_book, page):
    def paragraphs(path: Path) -> list[str]:
        article = _html(path).find("article")
        for hidden in article.select("div.cell, pre, code, .cx-language, div.highlight, table, div.citation"):
            hidden.decompose()
        texts = [" ".join(p.get_text(" ").split()) for p in article.find_all(["p", "li", "h1", "h2", "h3", "figcaption"])]
        return [text for text in texts if len(re.findall(r"[A-Za-z]{3,}", text)) >= 4]

    english = set(paragraphs(built_book / "book" / f"{page}.html"))
    left = [text for text in paragraphs(built_book / "pl" / "book" / f"{page}.html") if text in english]
    assert not left, f"{len(left)} paragraphs of pl/book/{page}.html are still in English:\n" + "\n".join(t[:120] for t in left[:10])


def test_the_polish_exercise_pages_serve_a_polish_kit(built_book):
    with zipfile.ZipFile(built_book / "pl" / "course-kit" / "cxlab-course-kit.zip") as kit:
        notebooks = [name for name in kit.namelist() if name.endswith(".ipynb")]
        assert len(notebooks) == len(CHAPTERS)
        line = exercise_twins.LANGUAGE_LINE.format(language="pl")
        for name in notebooks:
            notebook = nbformat.reads(kit.read(name).decode("utf-8"), as_version=4)
            assert any(line in cell.source.split("\n") for cell in notebook.cells if cell.cell_type == "code"), name
    with zipfile.ZipFile(built_book / "course-kit" / "cxlab-course-kit.zip") as kit:
        for name in (n for n in kit.namelist() if n.endswith(".ipynb")):
            assert "set_language" not in kit.read(name).decode("utf-8"), name
    page = _html(built_book / "pl" / "exercises" / "nps" / "nps.html")
    assert page.find("h1").get_text(" ").strip() != _html(built_book / "exercises" / "nps" / "nps.html").find("h1").get_text(" ").strip()
    assert page.find("a", href=re.compile(r"course-kit/cxlab-course-kit\.zip$"))


# --- one vocabulary, and quotations in their own language ------------------------------------

def _glossary() -> dict[str, str]:
    """English headword -> Polish headword, from the glossary page and its catalogue."""
    source = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", source, re.S).group(1)
    headwords = [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(" ")]
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(LOCALE / "LC_MESSAGES" / "book" / "glossary.po"))}
    return {word: catalogue.get(word, "") for word in headwords}


def _stems(polish: str) -> list[str]:
    words = re.sub(r"\([^)]*\)", " ", polish).split()
    return [word[: max(3, len(word) - 3)].lower() for word in words if len(word) > 2]


def test_every_glossary_term_is_translated_once():
    glossary = _glossary()
    assert len(glossary) >= 40
    missing = [word for word, polish in glossary.items() if not polish]
    assert not missing, f"glossary headwords without a Polish term: {missing}"


def test_the_chapters_use_the_glossary_s_polish_terms():
    """Where an English paragraph uses a glossary term, its translation uses the glossary's Polish
    term (matched by word stems, so that Polish cases and numbers pass)."""
    glossary = {english: polish for english, polish in _glossary().items()
                if not english.isupper() and polish and polish.lower() != english.lower()}
    departures = []
    for path in book_catalogues():
        if path.name == "glossary.po":
            continue
        for entry in polib.pofile(str(path)):
            if not entry.msgstr or entry.obsolete:
                continue
            text = re.sub(r"\{[a-z:]+\}`[^`]*`|`[^`]*`", " ", entry.msgid)
            translated = entry.msgstr.lower()
            for english, polish in glossary.items():
                if re.search(rf"\b{re.escape(english)}\b", text, re.I):
                    if not all(stem in translated for stem in _stems(polish)):
                        departures.append(f"{path.name}: {english!r} -> expected {polish!r} in {entry.msgstr[:90]!r}")
    assert not departures, f"{len(departures)} departures from the glossary:\n" + "\n".join(departures[:40])


def _language_of_sources() -> dict[str, str]:
    from pybtex.database import parse_file

    entries = parse_file(str(ROOT / "book" / "references.bib"), bib_format="bibtex").entries
    languages = {}
    for key in foreign_sources():
        fields = " ".join(entries[key].fields.get(name, "") for name in ("howpublished", "note"))
        languages[key] = "Dutch" if "Dutch" in fields else "Polish"
    return languages


POLISH_QUOTATION = re.compile(r"\u201e([^\u201d\"]+?)[\u201d\"]")


def test_polish_quotations_cite_their_source_and_only_translations_say_so():
    """In the Polish edition a quotation from a Polish source is the author's own words (no note),
    one from the Dutch interview is ours ("tłumaczenie własne")."""
    languages = _language_of_sources()
    found, checked = [], 0
    for path in book_catalogues():
        for entry in polib.pofile(str(path)):
            text = re.sub(r"`[^`]*`", " ", entry.msgstr)
            spans = [span for span in POLISH_QUOTATION.findall(text) if len(span.split()) >= SHORTEST_QUOTATION]
            spans += [a or b for a, b in QUOTATION.findall(text) if len((a or b).split()) >= SHORTEST_QUOTATION]
            if not spans:
                continue
            cited = {key.strip() for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", entry.msgstr)
                     for key in keys.split(",")}
            english_cited = {key.strip() for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", entry.msgid)
                             for key in keys.split(",")}
            if not cited and not english_cited:
                continue  # quoted words of the text itself, not of a source (the English test rules these)
            checked += 1
            where = f"{path.name}: {entry.msgstr[:80]!r}"
            source_languages = {languages[key] for key in cited if key in languages}
            if not cited:
                found.append(f"{where}: a quotation without its citation")
            if "Dutch" in source_languages and "tłumaczenie własne" not in entry.msgstr:
                found.append(f"{where}: quotes the Dutch interview without '(tłumaczenie własne)'")
            if source_languages == {"Polish"} and re.search(r"tłumaczenie własne|w naszym tłumaczeniu|our translation",
                                                              entry.msgstr):
                found.append(f"{where}: quotes a Polish source in its own words, yet says it is a translation")
    assert checked >= 5, f"only {checked} quoted paragraphs found: the check does not see the quotations"
    assert not found, "\n".join(found)


# --- releasing the Polish notebooks to a class -------------------------------------------------

def _polish_course(course: Path) -> Path:
    shutil.copytree(ROOT / "book" / "locale", course / "book" / "locale")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write('\nc.CourseSettings.language = "pl"\n')
    return course


def test_a_polish_release_is_graded_like_the_english_one(course, tmp_path):
    """`c.CourseSettings.language = "pl"`: cxlab assign releases the Polish twin (the gradebook
    records its cells), a Polish model solution gets full marks and an untouched one none."""
    from cxlab.course.releasing.translate import translate

    from .test_release import autograde_scores

    _polish_course(course)
    catalogue = exercise_twins.load_catalogue(exercise_twins.catalogue_path(ROOT, "pl", "nps"))
    solution = translate(nbformat.read(ROOT / "solutions" / "nps" / "nps.ipynb", as_version=4), catalogue, "pl")
    nbformat.write(solution, tmp_path / "solution-pl.ipynb")
    released = tmp_path / "release"
    assign(["nps"], root=course, release_directory=released, db_url=f"sqlite:///{tmp_path / 'release.db'}")
    polish = nbformat.read(released / "nps" / "nps.ipynb", as_version=4)
    english = nbformat.read(ROOT / "exercises" / "nps" / "nps.ipynb", as_version=4)
    assert [c.source for c in polish.cells if c.cell_type == "code"] == \
        [c.source for c in translate(english, catalogue, "pl").cells if c.cell_type == "code"]
    assert polish.cells[0].source != english.cells[0].source and polish.cells[0].source.startswith("# ")
    (tmp_path / "grading").mkdir()
    scores = autograde_scores(course, tmp_path / "grading",
                              {"solution-pl": tmp_path / "solution-pl.ipynb",
                               "untouched-pl": released / "nps" / "nps.ipynb"}, "nps")
    assert scores["solution-pl"]["auto_score"] == scores["solution-pl"]["auto_max"] > 0, scores["solution-pl"]
    assert scores["untouched-pl"]["auto_score"] == 0


def test_an_unfinished_translation_is_not_released(course, tmp_path):
    _polish_course(course)
    path = exercise_twins.catalogue_path(course, "pl", "nps")
    catalogue = exercise_twins.load_catalogue(path)
    next(iter(catalogue)).flags.append("fuzzy")
    catalogue.save(str(path))
    with pytest.raises(CourseError, match=r"1 cells of nps untranslated or fuzzy"):
        assign(["nps"], root=course, release_directory=tmp_path / "release", db_url=f"sqlite:///{tmp_path / 'g.db'}")
    assert not (tmp_path / "release" / "nps").exists()


#: Numbers that keep their points in Polish prose: a version, and what a tool prints.
KEPT_AS_WRITTEN = (re.compile(r"Python(?:em|a|ie)? 3\.\d+"), re.compile(r"Score: \d+\.\d / \d+\.\d"))


def test_polish_prose_writes_decimals_with_a_comma():
    """Numbers typed in the translations follow Polish style (glued ones are formatted by the build)."""
    english_style = []
    for path in book_catalogues() + exercise_catalogues():
        for entry in polib.pofile(str(path)):
            if entry.msgctxt == "check":
                continue
            text = re.sub(r"\{[a-z:]+\}`[^`]*`|`[^`]*`|\$[^$]*\$|\]\([^)]*\)", " ", entry.msgstr)
            for pattern in KEPT_AS_WRITTEN:
                text = pattern.sub(" ", text)
            english_style += [f"{path.name}: {number} in {entry.msgstr[:80]!r}"
                              for number in re.findall(r"(?<![\w.\-/])\d+\.\d+(?![\w.])", text)]
    assert not english_style, "\n".join(english_style)


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_the_polish_chapter_notebook_is_in_polish_with_the_same_code(built_book, chapter):
    english = nbformat.read(built_book / "_sources" / "book" / f"{chapter}.ipynb", as_version=4)
    polish = nbformat.read(built_book / "pl" / "_sources" / "book" / f"{chapter}.ipynb", as_version=4)
    assert [c.source for c in polish.cells if c.cell_type == "code"] == \
        [c.source for c in english.cells if c.cell_type == "code"]

    def paragraphs(notebook) -> set[str]:
        return {block.strip() for cell in notebook.cells if cell.cell_type == "markdown"
                for block in cell.source.split("\n\n")
                if len(re.findall(r"[A-Za-z]{3,}", block)) >= 4 and not block.lstrip().startswith("```")}

    left = paragraphs(polish) & paragraphs(english)
    assert not left, f"{len(left)} English paragraphs in pl/_sources/book/{chapter}.ipynb:\n" + "\n".join(t[:100] for t in left)
    text = " ".join(cell.source for cell in polish.cells if cell.cell_type == "markdown")
    assert not re.findall(r"(?<![\w.`])\d+\.\d+(?![\w.`])", re.sub(r"`[^`]*`|\$[^$]*\$|\([^)]*\.(?:html|ipynb)[^)]*\)", " ", text))


def test_a_check_message_piece_has_one_translation_in_every_notebook():
    """cxlab ships one table for all notebooks: a piece two notebooks share is translated alike."""
    seen, different = {}, []
    for path in exercise_catalogues():
        for entry in polib.pofile(str(path)):
            if entry.msgctxt == "check" and entry.msgstr:
                first = seen.setdefault(entry.msgid, (entry.msgstr, path.name))
                if first[0] != entry.msgstr:
                    different.append(f"{entry.msgid!r}: {first[1]} {first[0]!r}, {path.name} {entry.msgstr!r}")
    assert len(seen) > 200 and not different, "\n".join(different)


POLISH_SECTION_LINE = re.compile(r"^\*\*Rozdział, sekcja:\*\*\s*(.+?)\s*$", re.M)


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_every_polish_question_names_a_polish_section_of_its_chapter(chapter, tmp_path):
    """The twin's "**Rozdział, sekcja:**" lines name the chapter's headings as the Polish book shows them."""
    from .test_exercise_sections import SEPARATOR, headings, plain

    english_headings = headings((ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8"))
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(LOCALE / "LC_MESSAGES" / "book" / f"{chapter}.po"))}
    polish_headings = {plain(catalogue[english]) for english in
                       (entry for entry in catalogue if plain(entry) in english_headings) if catalogue.get(english)}
    assert len(polish_headings) >= 5
    assignment = CHAPTERS[chapter]
    [written] = [p for p in exercise_twins.write_twins(ROOT, "pl", tmp_path) if p.parent.name == assignment]
    twin = nbformat.read(written, as_version=4)
    questions = [cell.source for cell in twin.cells if cell.cell_type == "markdown" and re.match(r"## \d+\.", cell.source)]
    assert len(questions) >= 6
    problems_found = []
    for source in questions:
        lines = POLISH_SECTION_LINE.findall(source)
        if len(lines) != 1:
            problems_found.append(f"{source[:40]!r}: {len(lines)} 'Rozdział, sekcja' lines")
            continue
        problems_found += [f"{source[:40]!r}: no section {plain(name)!r} in the Polish chapter"
                           for name in lines[0].split(SEPARATOR) if plain(name) not in polish_headings]
    assert not problems_found, "\n".join(problems_found)


def test_no_answer_reaches_the_polish_catalogues_or_the_messages_cxlab_ships():
    """The translations come from the released notebooks only: no model answer, no hidden test."""
    from ..helpers import MARKERS, secret_lines

    secrets = set().union(*(secret_lines(ROOT / "solutions" / name / f"{name}.ipynb")
                            for name in exercise_twins.released_notebooks(ROOT)))
    assert secrets
    for path in [*exercise_catalogues(), exercise_twins.messages_path(ROOT, "pl")]:
        text = path.read_text(encoding="utf-8")
        assert not [marker for marker in MARKERS if marker in text], path
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{path.relative_to(ROOT)} holds instructor-only lines: {leaked[:3]}"


def test_the_polish_kit_holds_no_answer(built_book):
    from ..helpers import MARKERS, secret_lines

    secrets = set().union(*(secret_lines(ROOT / "solutions" / name / f"{name}.ipynb")
                            for name in exercise_twins.released_notebooks(ROOT)))
    with zipfile.ZipFile(built_book / "pl" / "course-kit" / "cxlab-course-kit.zip") as kit:
        assert not [name for name in kit.namelist() if "solutions" in name.split("/")]
        for name in kit.namelist():
            if not name.endswith(".ipynb"):
                continue
            notebook = nbformat.reads(kit.read(name).decode("utf-8"), as_version=4)
            text = "\n".join(cell.source for cell in notebook.cells)
            assert not [marker for marker in MARKERS if marker in text], name
            leaked = [line for line in secrets if line in text]
            assert not leaked, f"{name} in the Polish kit shows instructor-only lines: {leaked[:3]}"
