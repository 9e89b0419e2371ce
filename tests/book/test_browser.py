"""The built book in a real headless Chromium, served on loopback with no way out.

Every page is visited; a page fails on any JavaScript error, any request that would
leave the machine, any broken image or any internal link to a missing file. Widgets,
self-checks, MathJax and search are exercised as a reader would, an axe-core audit
(from npm, installed with the book's scripts) looks for serious accessibility problems,
and screenshots land in ``_build/test-artifacts``.

Pages are also read on a phone (390 x 844 CSS pixels, device scale factor 3). What
"legible" means there is measured, not judged: figures are drawn at 100 dpi with text
no smaller than the course style's smallest size (11 pt, see ``cxlab.plots.COURSE_STYLE``;
``test_book`` checks the chapters use it), so a figure's smallest text on screen is
``11 pt x 100/72 x rendered width / natural width`` CSS pixels. It must be at least
8 px on a phone and 12 px on a desktop; the swimlane diagram's lane labels, whose size
comes from drawing the same diagram here, at least 9 px on a phone. No page may be
wider than the phone's screen, and a slider's track keeps at least 150 px.

Chromium comes from Debian (``/usr/bin/chromium``; ``CXLAB_CHROMIUM`` overrides).
Where it is missing these tests skip, loudly; with ``CXLAB_REQUIRE_BROWSER=1`` (set by
``.ci/run``) a missing browser is a failure instead.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest

from ..helpers import ROOT, chapters
from .browsing import chromium

AXE = ROOT / ".venv" / "book-assets" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "_build" / "test-artifacts"
CHAPTERS = [f"book/{chapter}.html" for chapter in chapters()]  # from _toc.yml
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    with chromium("BROWSER TESTS") as instance:
        yield instance


class Visit:
    """A page opened with every outside request blocked and every error recorded."""

    def __init__(self, browser, base: str, device: dict = DESKTOP):
        self.base = base
        self.context = browser.new_context(**device)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("response", lambda response: self.failed.append(f"{response.status} {response.url}")
                     if response.status >= 400 else None)
        self.page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: str):
        self.page.goto(f"{self.base}/{path}", wait_until="networkidle")
        self.page.wait_for_timeout(300)
        return self.page

    def close(self):
        self.page.close()
        self.context.close()


def pages(built_book: Path) -> list[str]:
    skip = {"_static", "_sources", "_images"}
    return sorted(
        str(path.relative_to(built_book)) for path in built_book.rglob("*.html")
        if not skip & set(path.relative_to(built_book).parts)
    )


def test_every_page_loads_clean_and_offline(site, browser):
    base, root = site
    visit = Visit(browser, base)
    problems = []
    for path in pages(root):
        page = visit.open(path)
        broken = page.evaluate(
            "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        links = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
        for href in links:
            target, _ = urldefrag(href)
            if not target or urlparse(target).scheme in ("http", "https", "mailto", "javascript"):
                continue
            resolved = urlparse(urljoin(page.url, target)).path
            if not (root / unquote(resolved).lstrip("/")).exists():
                problems.append(f"{path}: internal link to a missing file {href}")
        problems += [f"{path}: JavaScript error: {error}" for error in visit.errors]
        problems += [f"{path}: request leaving the machine: {url}" for url in visit.outside]
        problems += [f"{path}: failed request {failure}" for failure in visit.failed]
        problems += [f"{path}: broken image {src}" for src in broken]
        visit.errors.clear(), visit.outside.clear(), visit.failed.clear()
    visit.close()
    assert len(pages(root)) >= 8
    assert not problems, "\n".join(problems[:40])


def test_widget_renders_and_its_static_slider_is_locked(site, browser):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open("book/nps.html")
    sliders = page.locator(".widget-slider")
    assert sliders.count() >= 3, "the explorers did not render their sliders"
    readout = page.locator(".widget-readout").first
    before = readout.inner_text()
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    page.wait_for_timeout(200)
    assert readout.inner_text() == before, "a static slider moved, but nothing on the page can redraw its chart"
    assert visit.errors == [] and visit.outside == []
    visit.close()


def test_self_check_gives_feedback_without_a_kernel(site, browser):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open("book/certification.html")
    check = page.locator(".selfcheck").first
    answer = int(check.get_attribute("data-answer"))
    wrong = 1 if answer != 1 else 2
    check.locator(".selfcheck-button").click()
    assert "Choose an answer" in check.locator(".selfcheck-feedback").inner_text()
    output = check.locator(".selfcheck-feedback")
    assert output.get_attribute("aria-live") == "polite" and output.get_attribute("role") == "status"

    def verdict(choice):
        check.locator(f"input[value='{choice}']").check()
        check.locator(".selfcheck-button").click()
        return output.inner_text(), output.evaluate("e => getComputedStyle(e).borderTopStyle")

    wrong_text, wrong_border = verdict(wrong)
    right_text, right_border = verdict(answer)
    # Right and wrong differ in words and symbol, and in the line around them, not only in colour.
    assert wrong_text.startswith("\u2717 Not quite.") and len(wrong_text) > 20, wrong_text
    assert right_text.startswith("\u2713 Correct.") and len(right_text) > 20, right_text
    assert {wrong_border, right_border} == {"dashed", "solid"}
    visit.close()


def test_self_check_speaks_polish_in_the_polish_book(site, browser):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open("pl/book/certification.html")
    check = page.locator(".selfcheck").first
    answer = int(check.get_attribute("data-answer"))
    assert check.locator(".selfcheck-label").inner_text() == "Sprawdź się"
    check.locator(".selfcheck-button").click()
    assert check.locator(".selfcheck-feedback").inner_text() == "Najpierw wybierz odpowiedź."
    check.locator(f"input[value='{1 if answer != 1 else 2}']").check()
    check.locator(".selfcheck-button").click()
    assert check.locator(".selfcheck-feedback").inner_text().startswith("\u2717 Nie całkiem.")
    assert visit.errors == [] and visit.outside == []
    visit.close()


@pytest.mark.parametrize("path", ["book/nps.html", "exercises/voc/voc.html", "book/glossary.html"])
def test_the_switcher_lands_on_the_same_page_in_the_other_language(site, browser, path):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open(path)
    english_title = page.locator("main h1").first.inner_text()
    page.locator("nav.cx-language a").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/pl/{path}"
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert page.locator("main h1").first.inner_text() != english_title
    page.locator("nav.cx-language a").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/{path}"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("main h1").first.inner_text() == english_title
    assert visit.errors == [] and visit.outside == [] and visit.failed == []
    visit.close()


@pytest.mark.parametrize("search, title", [("search.html?q=Net+Promoter", "Net Promoter"),
                                           ("pl/search.html?q=rekomendacji", "rekomendacji netto")])
def test_search_finds_the_nps_chapter_in_each_edition(site, browser, search, title):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open(search)
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    results = page.locator("#search-results ul.search li a").all_inner_texts()
    assert any(title in text for text in results), results
    visit.close()


def test_mathjax_renders_from_the_book_itself(site, browser):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open("book/glossary.html")
    page.wait_for_selector("mjx-container", timeout=15_000)
    assert page.locator("mjx-container").count() >= 1
    assert visit.outside == [] and visit.errors == []
    visit.close()


def test_headings_nest_and_screenshots_are_saved(site, browser):
    base, _ = site
    visit = Visit(browser, base)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in ["index.html", *CHAPTERS, "book/glossary.html", *(f"pl/{path}" for path in CHAPTERS)]:
        page = visit.open(path)
        levels = page.evaluate(
            "() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6'))"
            ".map(h => Number(h.tagName[1]))"
        )
        assert levels and levels[0] == 1, f"{path}: the page should start with one h1"
        jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not jumps, f"{path}: heading levels skip {jumps}"
    visit.open("index.html").screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    visit.open("book/butterfly.html").screenshot(path=str(ARTIFACTS / "butterfly.png"))
    assert (ARTIFACTS / "home.png").stat().st_size > 10_000
    visit.close()


@pytest.mark.parametrize("path, device", [
    *((path, "desktop") for path in ["index.html", *CHAPTERS, "book/glossary.html", "book/bibliography.html"]),
    *((path, "phone") for path in CHAPTERS),
    # the Polish edition: every chapter, its front and back pages, and two chapters on a phone
    *((f"pl/{path}", "desktop") for path in ["book/intro.html", *CHAPTERS, "book/glossary.html",
                                             "book/instructor-guide.html", "exercises/nps/nps.html"]),
    *((f"pl/{path}", "phone") for path in CHAPTERS[:2]),
])
def test_no_serious_accessibility_violations(site, browser, path, device):
    if not AXE.is_file():
        pytest.fail(f"axe-core missing at {AXE}: run `make test`, which installs the book's scripts")
    base, _ = site
    visit = Visit(browser, base, DEVICES[device])
    page = visit.open(path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
    )
    serious = [violation for violation in result if violation["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in serious)
    visit.close()


# --- a reader with only the book: downloads, and reading on a phone ---------------------

def test_chapter_link_downloads_a_notebook_that_runs_without_the_book(site, browser, tmp_path):
    import nbformat

    base, root = site
    visit = Visit(browser, base)
    page = visit.open("book/butterfly.html")
    with page.expect_download() as download:
        page.locator("a.chapter-notebook-link").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "butterfly.ipynb"
    notebook = nbformat.read(saved, as_version=4)
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) >= 8 and "journey_diagram" in "\n".join(code)
    assert not [source for source in code if "glue(" in source or "myst_nb" in source], "glue-only cells downloaded"
    # The theme's download menu offers the same file.
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    entry = page.locator(".dropdown-download-buttons a.btn-download-notebook-button")
    entry.wait_for(state="visible")
    response = page.request.get(urljoin(page.url, entry.get_attribute("href")))
    assert response.ok and nbformat.reads(response.text(), as_version=4) == notebook
    assert visit.errors == [] and visit.outside == []
    visit.close()


def _swimlane_font_sizes() -> tuple[float, float, int]:
    """Lane-label and step-name sizes (pt) of the chapter's swimlane, and its width in pixels as the book draws it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    from cxlab import plots
    from cxlab.journey import leasing_journey

    with plt.rc_context():
        plots.use_course_style()
        ax = plots.journey_diagram(leasing_journey())
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", bbox_inches="tight")  # as the notebook's inline backend does
        plt.close(ax.figure)
    lanes = min(label.get_fontsize() for label in ax.get_yticklabels())
    steps = min(text.get_fontsize() for text in ax.texts if text.get_text())
    return lanes, steps, Image.open(buffer).size[0]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_figures_are_legible_on_a_desktop_and_on_a_phone(site, browser, device):
    from cxlab.plots import COURSE_STYLE

    smallest_pt = min(size for key, size in COURSE_STYLE.items() if key.endswith("size") and not isinstance(size, tuple))
    pixels_per_point = COURSE_STYLE["figure.dpi"] / 72
    floor = {"desktop": 12, "phone": 8}[device]
    lane_pt, step_pt, swimlane_width = _swimlane_font_sizes()
    base, _ = site
    visit = Visit(browser, base, DEVICES[device])
    measured, problems = [], []
    for path in CHAPTERS:
        page = visit.open(path)
        images = page.evaluate(
            "() => Array.from(document.querySelectorAll('main figure img, main .widget-output img')).map(i => {"
            " const r = i.getBoundingClientRect();"
            " return {alt: i.alt.slice(0, 60), natural: i.naturalWidth, width: r.width, left: r.left, right: r.right}; })"
        )
        viewport = page.evaluate("() => window.innerWidth")
        assert len(images) >= 4, f"{path}: only {len(images)} figures"
        for image in images:
            scale = image["width"] / image["natural"]
            image.update(page=path, scale=round(scale, 3), smallest_text_px=round(smallest_pt * pixels_per_point * scale, 1))
            measured.append(image)
            where = f"{path}: {image['alt']!r}"
            if image["smallest_text_px"] < floor:
                problems.append(f"{where}: smallest text {image['smallest_text_px']} px < {floor} px")
            if image["left"] < -0.5 or image["right"] > viewport + 0.5:
                problems.append(f"{where}: runs off the screen ({image['left']:.0f} to {image['right']:.0f})")
            if device == "phone" and image["width"] < 340:
                problems.append(f"{where}: only {image['width']:.0f} px wide on a phone")
            if image["alt"].startswith("Swimlane"):
                assert abs(image["natural"] - swimlane_width) <= 4, "the page's swimlane is not the diagram measured here"
                image["lane_label_px"] = round(lane_pt * pixels_per_point * scale, 1)
                image["step_name_px"] = round(step_pt * pixels_per_point * scale, 1)
                if image["lane_label_px"] < {"desktop": 14, "phone": 9}[device]:
                    problems.append(f"{where}: lane labels {image['lane_label_px']} px")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"figure-sizes-{device}.json").write_text(json.dumps(measured, indent=1), encoding="utf-8")
    visit.open("book/butterfly.html").locator("figure").first.screenshot(path=str(ARTIFACTS / f"swimlane-{device}.png"))
    visit.close()
    assert any("lane_label_px" in image for image in measured), "the swimlane diagram was not found"
    assert not problems, "\n".join(problems)


def test_no_page_is_wider_than_a_phone(site, browser):
    base, root = site
    visit = Visit(browser, base, PHONE)
    problems = []
    for path in pages(root):
        page = visit.open(path)
        # On a phone the browser widens its layout viewport (and window.innerWidth) to fit
        # content that sticks out, so the page is measured against the screen's own width.
        screen = PHONE["viewport"]["width"]
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        if wide > screen:
            culprits = page.evaluate(
                "screen => Array.from(document.querySelectorAll('body *')).filter(e => {"
                " const r = e.getBoundingClientRect(); return r.width > 0 && r.right > screen + 0.5"
                " && !e.closest('.bd-sidebar-secondary, .bd-sidebar-primary'); })"
                ".map(e => e.tagName.toLowerCase() + ' ' + (e.textContent || '').trim().slice(0, 40)).slice(0, 3)", screen)
            problems.append(f"{path}: page is {wide} px wide on a {screen} px screen: {culprits}")
        # A table wider than the screen must scroll inside its own box.
        unboxed = page.evaluate(
            "() => Array.from(document.querySelectorAll('main table')).filter(t => {"
            " if (t.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;"
            " for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {"
            "   const o = getComputedStyle(e).overflowX;"
            "   if ((o === 'auto' || o === 'scroll') && e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false; }"
            " return true; }).map(t => t.textContent.trim().slice(0, 40))"
        )
        problems += [f"{path}: a table overflows the screen: {text!r}" for text in unboxed]
    visit.close()
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_sliders_keep_a_usable_track(site, browser, device):
    base, _ = site
    visit = Visit(browser, base, DEVICES[device])
    short = []
    for path in CHAPTERS:
        page = visit.open(path)
        tracks = page.evaluate(
            "() => Array.from(document.querySelectorAll('.widget-hslider')).map(s => ({"
            " label: s.querySelector('.widget-label').textContent,"
            " track: s.querySelector('.slider-container').getBoundingClientRect().width,"
            " right: s.getBoundingClientRect().right}))"
        )
        assert tracks, f"{path}: no sliders rendered"
        viewport = page.evaluate("() => window.innerWidth")
        short += [f"{path}: {t['label']!r} track {t['track']:.0f} px" for t in tracks if t["track"] < 150]
        short += [f"{path}: {t['label']!r} runs off the screen" for t in tracks if t["right"] > viewport + 0.5]
    page = visit.open("book/nps.html")
    readout = page.locator(".widget-readout").first
    before = readout.inner_text()
    handle = page.locator(".widget-slider .noUi-handle").first
    # On the static page nothing can redraw the chart, so the controls are locked: a slider
    # that moved would show one value beside a chart drawn for another.
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_timeout(200)
    assert readout.inner_text() == before, "a static slider moved, but its chart cannot follow it"
    locked = page.evaluate("() => Array.from(document.querySelectorAll('.widget-slider .noUi-target'))"
                           ".map(s => s.hasAttribute('disabled'))")
    assert locked and all(locked), f"sliders left movable on the static page: {locked}"
    if device == "phone":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(".widget-hslider").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "sliders-phone.png"))
    visit.close()
    assert not short, "\n".join(short)
