"""The built book in a real headless Chromium, served on loopback with no way out.

Every page is visited; a page fails on any JavaScript error, any request that would
leave the machine, any broken image or any internal link to a missing file. Widgets,
self-checks, MathJax and search are exercised as a reader would, an axe-core audit
(from npm, installed with the book's scripts) looks for serious accessibility problems,
and screenshots land in ``_build/test-artifacts``.

Chromium comes from Debian (``/usr/bin/chromium``; ``CXLAB_CHROMIUM`` overrides).
Where it is missing these tests skip, loudly; with ``CXLAB_REQUIRE_BROWSER=1`` (set by
``.ci/run``) a missing browser is a failure instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest

from ..helpers import ROOT

CHROMIUM = os.environ.get("CXLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / ".venv" / "book-assets" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "_build" / "test-artifacts"
CHAPTERS = ["book/nps.html", "book/certification.html", "book/ex-cx.html", "book/butterfly.html"]

pytestmark = pytest.mark.slow


def _require_browser():
    if Path(CHROMIUM).is_file():
        return
    message = (
        f"BROWSER TESTS NOT RUN: no Chromium at {CHROMIUM}. Install Debian's `chromium` "
        "(apt-get install chromium chromium-driver) to run them; CI sets CXLAB_REQUIRE_BROWSER=1."
    )
    if os.environ.get("CXLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=built_book))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", built_book
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


class Visit:
    """A page opened with every outside request blocked and every error recorded."""

    def __init__(self, browser, base: str):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
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


def test_widget_renders_and_its_slider_moves(site, browser):
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
    assert readout.inner_text() != before, "the slider did not respond to the keyboard"
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
    check.locator(f"input[value='{wrong}']").check()
    check.locator(".selfcheck-button").click()
    assert check.locator(".selfcheck-feedback").inner_text().startswith("Not quite.")
    check.locator(f"input[value='{answer}']").check()
    check.locator(".selfcheck-button").click()
    feedback = check.locator(".selfcheck-feedback").inner_text()
    assert feedback.startswith("Correct.") and len(feedback) > 20
    visit.close()


def test_search_finds_net_promoter(site, browser):
    base, _ = site
    visit = Visit(browser, base)
    page = visit.open("search.html?q=Net+Promoter")
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    results = page.locator("#search-results ul.search li a").all_inner_texts()
    assert any("Net Promoter" in text for text in results), results
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
    for path in ["index.html", *CHAPTERS, "book/glossary.html"]:
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


@pytest.mark.parametrize("path", ["index.html", *CHAPTERS, "book/glossary.html", "book/bibliography.html"])
def test_no_serious_accessibility_violations(site, browser, path):
    if not AXE.is_file():
        pytest.fail(f"axe-core missing at {AXE}: run `make test`, which installs the book's scripts")
    base, _ = site
    visit = Visit(browser, base)
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
