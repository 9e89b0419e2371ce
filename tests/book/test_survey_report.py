"""The survey report of the course survey in a real headless Chromium, as a training team would open it.

The page is served on loopback; any request besides the page itself (another file or
host), any console error, and any serious or critical axe-core violation fails. A phone
and a printed page are checked too: on a 390 px screen every verdict reads without
sideways scrolling. Screenshots land in ``_build/test-artifacts``.
"""

from __future__ import annotations

import pytest

from ..helpers import ROOT
from .browsing import chromium, serving

AXE = ROOT / ".venv" / "book-assets" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "_build" / "test-artifacts"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import pandas as pd

    from cxlab.data import load_survey
    from cxlab.report import survey_report

    folder = tmp_path_factory.mktemp("report")
    options = dict(score="recommend", csat="satisfaction", ces="effort", segment="channel", period="quarter",
                   drivers=["satisfaction", "effort"])
    survey_report(load_survey(), **options, output=folder / "en.html")
    survey_report(load_survey(), **options, lang="pl", output=folder / "pl.html")
    # A quarter when every score fell by two points: real falls, with long Polish sentences, and segments that differ.
    survey = load_survey()
    fell = pd.concat([survey.assign(quarter="2026-Q1"),
                      survey.assign(quarter="2026-Q2", recommend=(survey["recommend"] - 2).clip(lower=0),
                                    satisfaction=(survey["satisfaction"] - 1).clip(lower=1))])
    survey_report(fell, **options, lang="pl", output=folder / "pl-fall.html")
    with serving(folder) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium("SURVEY REPORT BROWSER TESTS") as instance:
        yield instance


def open_page(browser, url: str, **device):
    context = browser.new_context(**(device or {"viewport": {"width": 1280, "height": 900}}))
    page = context.new_page()
    record = {"errors": [], "requests": []}
    page.on("console", lambda message: record["errors"].append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: record["errors"].append(str(error)))

    def route(route):
        if route.request.url == url:
            route.continue_()
        else:
            record["requests"].append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="networkidle")
    return context, page, record


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_report_opens_clean_offline_and_passes_axe(served, browser, lang):
    if not AXE.is_file():
        pytest.fail(f"axe-core missing at {AXE}: run `make test`, which installs the book's scripts")
    context, page, record = open_page(browser, f"{served}/{lang}.html")
    assert record["errors"] == [] and record["requests"] == []
    assert page.evaluate("() => document.documentElement.lang") == lang
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => { const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in serious)
    levels = page.evaluate("() => Array.from(document.querySelectorAll('h1, h2, h3')).map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    # Every figure has a text alternative.
    assert page.evaluate("() => Array.from(document.querySelectorAll('svg[role=img]')).every(s => s.querySelector('title')"
                         " && s.querySelector('title').textContent.trim().length > 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"survey-report-{lang}.png"), full_page=True)
    context.close()


def test_the_report_reads_on_a_phone_and_prints(served, browser):
    context, page, record = open_page(browser, f"{served}/en.html", viewport={"width": 390, "height": 844},
                                      device_scale_factor=3, is_mobile=True, has_touch=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert record["errors"] == [] and record["requests"] == []
    context.close()


@pytest.mark.parametrize("name", ["en", "pl", "pl-fall"])
def test_every_verdict_reads_on_a_phone_without_sideways_scrolling(served, browser, name):
    context, page, record = open_page(browser, f"{served}/{name}.html", viewport={"width": 390, "height": 844},
                                      device_scale_factor=3, is_mobile=True, has_touch=True)
    verdicts = page.evaluate(
        "() => Array.from(document.querySelectorAll('.verdict')).map(v => { const r = v.getBoundingClientRect();"
        " return {left: r.left, right: r.right, inScroller: v.closest('.table-wrap') !== null,"
        " clipped: v.scrollWidth > v.clientWidth, kind: v.dataset.verdict, text: v.textContent.trim()}; })")
    # One per metric's change (NPS, CSAT, CES), then the segments' (higher, lower, or none).
    assert len(verdicts) >= 4, verdicts
    for verdict in verdicts:
        assert verdict["left"] >= 0 and verdict["right"] <= 390, verdict
        assert not verdict["inScroller"] and not verdict["clipped"], verdict
    if name == "pl-fall":
        kinds = [verdict["kind"] for verdict in verdicts]
        assert kinds[:2] == ["fall", "fall"], verdicts
        assert verdicts[0]["text"].startswith("NPS (recommend): Rzeczywisty spadek o ")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"survey-report-{name}-390px.png"), full_page=True)
    assert record["errors"] == [] and record["requests"] == []
    context.close()
