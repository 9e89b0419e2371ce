"""What a submission shows, opened in a real Chromium the way the instructor and the student open it.

One small class is graded by ``cxlab grade`` (real kernels in the bubblewrap sandbox):
an honest student and an attacker whose notebook shows scripts, event handlers,
JavaScript, SVG and widget outputs, a raw HTML cell and a written answer full of script,
and whose first name in the gradebook is itself HTML. Then:

- a real Jupyter server is started from the course folder, as an instructor starts it,
  with nbgrader's formgrader; the Manual Grading page of each submission is opened in
  headless Chromium. On the attacker's page no script of the student's may run, it may
  make no request the honest page does not make (none to the server's contents or
  terminals API, no write to the grades), no terminal may exist afterwards, the gradebook
  must be as it was, and the written answer must still read as written (emphasis, list,
  code, math, the text of the element meant to cover the page); the student's name shows
  as text;
- a notebook stored in ``autograded/`` without the grader's cleaning (as nbgrader's own
  Autograde button would store it, outputs included) is opened the same way: the
  viewing side (``nbgrader_config.py``) must clean it on its own;
- the attacker's feedback page is served on loopback with every other request blocked:
  no script runs, nothing is fetched, the console stays clean, the answer reads as written.

The server runs with its own runtime and (empty) user configuration folders, so neither
the instructor's settings nor a running server of theirs is touched, and it is stopped
when the module ends, whatever happened. Set ``CXLAB_REQUIRE_SANDBOX=1`` (CI does) to
fail instead of skip where bubblewrap is not installed.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from cxlab.course.results.feedback import feedback
from cxlab.course.grading.grade import grade
from cxlab.course.grading.sandbox import bubblewrap

from ..book.browsing import chromium
from ..helpers import BIN
from .attacks import (
    SHOW_ACTIVE_KINDS,
    SHOW_SCRIPT,
    WRITTEN_WITH_SCRIPT,
    _with_cell_before,
    _with_raw_cell,
    _with_written_answer,
)
from .submissions import LIMITS, honest, new_course, submit

pytestmark = pytest.mark.slow

if bubblewrap() is None:
    if os.environ.get("CXLAB_REQUIRE_SANDBOX"):
        raise RuntimeError("CXLAB_REQUIRE_SANDBOX is set and bubblewrap (bwrap) is not installed")
    pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)", allow_module_level=True)

HONEST = "alice"
ATTACKER = "mallory"
UNCLEANED = "eve"  # a notebook stored without the grader's cleaning
HTML_NAME = "<img src=x onerror=window.__pwned=9>"
RAW_CELL = "<script>window.__pwned = 8</script><p>notes</p>"
TOKEN = "cxlab-formgrader-test-token"
FORMGRADER = "nbgrader.server_extensions.formgrader"


def _attacker_notebook() -> nbformat.NotebookNode:
    notebook = _with_cell_before(honest(), "q1_answer", SHOW_SCRIPT + SHOW_ACTIVE_KINDS)
    return _with_raw_cell(_with_written_answer(notebook, WRITTEN_WITH_SCRIPT), RAW_CELL, "text/html")


def _uncleaned_notebook() -> nbformat.NotebookNode:
    """The attacker's notebook as its kernel would have left it: the outputs are there, uncleaned."""
    new_output = nbformat.v4.new_output
    notebook = _attacker_notebook()
    shown = next(cell for cell in notebook.cells if cell.cell_type == "code" and "window.__pwned = 1" in cell.source)
    shown.outputs = [
        new_output("display_data", data={"text/html": "<b>fine</b><script>window.__pwned = 11; "
                                                      "fetch('/api/contents/solutions')</script>"
                                                      "<img src=x onerror=\"window.__pwned = 12\">",
                                         "text/plain": "fine"}),
        new_output("display_data", data={"application/javascript": "window.__pwned = 13", "text/plain": "js"}),
        new_output("display_data", data={"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' "
                                                          "onload='window.__pwned = 14'><script>window.__pwned = 15"
                                                          "</script></svg>"}),
        new_output("display_data", data={"text/html": "<p>boxed</p><script>window.__pwned = 16</script>"},
                   metadata={"text/html": {"isolated": True}}),
        new_output("execute_result", data={"text/markdown": "**bold** <iframe src='/api/terminals'></iframe>",
                                           "text/plain": "md"}, execution_count=1),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json":
                                         {"model_id": "x", "version_major": 2, "version_minor": 0},
                                         "text/plain": "widget"}),
    ]
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json":
                                    {"state": {}, "version_major": 2, "version_minor": 0}}
    return notebook


def _db_url(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def _standing(course: Path, student: str) -> dict:
    """Everything a grader could change for ``student``'s notebook, straight from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(_db_url(course), "cxlab") as gradebook:
        notebook = gradebook.find_submission_notebook("nps", "nps", student)
        return {
            "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                       for g in notebook.grades},
            "comments": {c.name: (c.auto_comment, c.manual_comment) for c in notebook.comments},
            "flagged": notebook.flagged,
        }


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The class, graded: the honest student, the attacker (named in HTML), and a notebook left uncleaned."""
    from nbgrader.api import Gradebook

    course = new_course(tmp_path_factory.mktemp("formgrader"), "course")
    submit(course, HONEST, honest())
    submit(course, ATTACKER, _attacker_notebook())
    summary = grade("nps", root=course, **LIMITS)
    assert sorted(summary.students("graded")) == sorted([HONEST, ATTACKER]), summary.report()
    # The grader saw the attack (so the pages below test the view of a real attacker's notebook).
    assert summary.records[ATTACKER]["flagged"], summary.report()
    with Gradebook(_db_url(course), "cxlab") as gradebook:
        gradebook.update_or_create_student(ATTACKER, first_name=HTML_NAME, last_name="Doe")
        gradebook.update_or_create_student(UNCLEANED)
        gradebook.add_submission("nps", UNCLEANED)
    folder = course / "autograded" / UNCLEANED / "nps"
    folder.mkdir(parents=True)
    nbformat.write(_uncleaned_notebook(), folder / "nps.ipynb")
    return course


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _api(base: str, path: str):
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def _formgrader_enabled(env: dict) -> bool:
    listing = subprocess.run([str(BIN / "jupyter"), "server", "extension", "list"], env=env, capture_output=True,
                             text=True, timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    return re.search(rf"^\s*{re.escape(FORMGRADER)}\s+enabled\s*$", text, re.M) is not None


class Server:
    """A Jupyter server the test started: where it listens and what it logged."""

    def __init__(self, base: str, log: Path):
        self.base = base
        self.log = log

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture(scope="module")
def server(course, tmp_path_factory):
    """``jupyter server`` started in the course folder, as an instructor starts it; stopped at the end."""
    home = tmp_path_factory.mktemp("jupyter")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_CONFIG_DIR": str(home / "config")}
    (home / "config").mkdir()
    port = _free_port()
    command = [str(BIN / "jupyter"), "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={course.parent}",
               f"--IdentityProvider.token={TOKEN}"]
    if not _formgrader_enabled(env):
        command.append(f"--ServerApp.jpserver_extensions={FORMGRADER}=True")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=course, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    running = Server(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the Jupyter server exited with {process.returncode}:\n{running.tail()}")
            try:
                if _api(running.base, "/formgrader/api/status") == (200, {"status": True}):
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the Jupyter server did not answer in 120 s:\n{running.tail()}")
            time.sleep(0.5)
        yield running
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """End the server and whatever it started (its own process group), gently first."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with chromium("FORMGRADER BROWSER TESTS") as instance:
        yield instance


class Visit:
    """A page opened in its own browser context: every request and error recorded, nothing outside ``allowed`` served.

    ``requests`` are all the requests the page asked for, ``sent`` those that reached the
    network (not refused by the page's own Content Security Policy first). ``allowed``
    decides from a URL whether a request may go through; the others are aborted.
    """

    def __init__(self, browser, allowed):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.requests: list[tuple[str, str]] = []
        self.sent: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append((request.method, request.url)))

        def route(route):
            self.sent.append((route.request.method, route.request.url))
            if allowed(route.request.url):
                route.continue_()
            else:
                route.abort()

        self.context.route("**/*", route)
        self.page = None

    def open(self, url: str):
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        response = self.page.goto(url, wait_until="networkidle")
        self.page.wait_for_timeout(1000)  # late handlers (onerror, onload, timers) would have run by now
        return response

    def pwned(self) -> list:
        """``window.__pwned`` in every frame of every page of the context (None where undefined)."""
        return [frame.evaluate("() => typeof window.__pwned === 'undefined' ? null : window.__pwned")
                for page in self.context.pages for frame in page.frames]

    def close(self):
        self.context.close()


def _log_in(visit: Visit, server: Server) -> None:
    """Log in with the token, as the link the server prints does (the cookie stays in the context)."""
    response = visit.context.request.get(f"{server.base}/?token={TOKEN}")
    assert response.ok, response.status
    assert any(cookie["name"].startswith("username-") for cookie in visit.context.cookies()), visit.context.cookies()
    visit.requests.clear()
    visit.sent.clear()


def _submission_id(course: Path, student: str) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(_db_url(course), "cxlab") as gradebook:
        return gradebook.find_submission_notebook("nps", "nps", student).id


def _manual_grading(browser, server: Server, course: Path, student: str) -> tuple[Visit, set, str]:
    """The Manual Grading page of ``student``'s notebook: the visit, its requests (ids replaced) and the id."""
    same_server = lambda url: url.startswith(server.base + "/")  # noqa: E731
    visit = Visit(browser, same_server)
    _log_in(visit, server)
    submission = _submission_id(course, student)
    response = visit.open(f"{server.base}/formgrader/submissions/{submission}/")
    assert response is not None and response.status == 200, (response and response.status, server.tail())
    assert urlparse(visit.page.url).path == f"/formgrader/submissions/{submission}/", visit.page.url
    requests = {(method, url.replace(submission, "{submission}")) for method, url in visit.requests}
    return visit, requests, submission


def _inert_structure(page, scope: str) -> dict:
    """What inside ``scope`` could act: scripts, handler attributes, frames, script links, fixed boxes."""
    return page.evaluate(
        """(scope) => {
            const root = document.querySelector(scope);
            const all = Array.from(root.querySelectorAll('*'));
            return {
                scripts: Array.from(root.querySelectorAll('script')).map(s => s.src || s.textContent.slice(0, 80)),
                handlers: all.filter(e => Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on')))
                             .map(e => e.outerHTML.slice(0, 120)),
                frames: Array.from(document.querySelectorAll('iframe, frame, object, embed, portal'))
                             .map(e => e.outerHTML.slice(0, 120)),
                script_links: all.filter(e => ['href', 'src', 'action', 'formaction', 'xlink:href']
                                 .some(n => /^\\s*(javascript|vbscript|data:text)/i.test(e.getAttribute(n) || '')))
                             .map(e => e.outerHTML.slice(0, 120)),
                placed: all.filter(e => ['fixed', 'absolute', 'sticky'].includes(getComputedStyle(e).position))
                           .map(e => e.outerHTML.slice(0, 120)),
            };
        }""", scope)


def _assert_written_answer_reads_as_written(page, scope: str) -> None:
    """The written answer of WRITTEN_WITH_SCRIPT, as the student meant it to read, inside ``scope``."""
    answer = page.locator(f"{scope} .rendered_html", has_text="The score hides")
    assert answer.count() == 1, page.locator(scope).inner_text()[:2000]
    text = answer.inner_text()
    assert "The score hides who stays silent:" in text, text
    assert answer.locator("em").evaluate_all("es => es.map(e => e.textContent)") == ["who"], answer.inner_html()
    items = answer.locator("li").evaluate_all("es => es.map(e => e.textContent.trim())")
    assert items == ["promoters and detractors are counted, passives are not;",
                     "a change of 0.1 in $\\frac{p - d}{n}$ can be noise."], items
    assert answer.locator("li code").evaluate_all("es => es.map(e => e.outerHTML)") == ["<code>0.1</code>"]
    cover = answer.get_by_text("covers the page", exact=True)
    assert cover.count() == 1 and cover.is_visible(), answer.inner_html()
    assert cover.evaluate("e => getComputedStyle(e).position") == "static"
    more = answer.get_by_text("more", exact=True)
    assert more.count() == 1 and more.get_attribute("href") is None, answer.inner_html()


def _assert_attacker_page_as_honest(visit: Visit, requests: set, honest_visit: Visit, honest_requests: set,
                                    honest_structure: dict) -> None:
    page = visit.page
    assert visit.pwned() == [None], visit.pwned()
    assert len(visit.context.pages) == 1, [p.url for p in visit.context.pages]  # no window opened
    # No request the formgrader's own page does not make for an honest student.
    assert requests <= honest_requests, sorted(requests - honest_requests)
    paths = [(method, urlparse(url).path) for method, url in requests]
    assert [p for p in paths if p[1].startswith(("/api/contents", "/api/terminals", "/terminals"))] == []
    assert [p for p in paths if p[1].startswith("/api/")] == [], paths
    assert [p for p in paths if p[0] != "GET"] == [], paths  # no grade, comment or flag written
    assert set(visit.errors) <= set(honest_visit.errors), (visit.errors, honest_visit.errors)
    structure = _inert_structure(page, "#notebook-container")
    assert structure["scripts"] == honest_structure["scripts"], structure["scripts"]
    assert structure["handlers"] == [], structure["handlers"]
    assert structure["frames"] == [], structure["frames"]
    assert structure["script_links"] == [], structure["script_links"]
    assert structure["placed"] == honest_structure["placed"], structure["placed"]
    _assert_written_answer_reads_as_written(page, "#notebook-container")
    # The raw HTML cell shows as its text, and the script in it stays text.
    assert RAW_CELL in page.locator("#notebook-container").first.inner_text()


@pytest.fixture(scope="module")
def honest_page(browser, server, course):
    """The honest student's Manual Grading page: what the formgrader's own page does on load."""
    visit, requests, _ = _manual_grading(browser, server, course, HONEST)
    structure = _inert_structure(visit.page, "#notebook-container")
    yield visit, requests, structure
    visit.close()


def test_the_formgrader_shows_the_attackers_notebook_inert(browser, server, course, honest_page):
    honest_visit, honest_requests, honest_structure = honest_page
    assert honest_visit.pwned() == [None]
    # The honest page's own requests: the page, its scripts and styles, MathJax from its CDN
    # (blocked here), the grades and the comments of the submission.
    assert ("GET", f"{server.base}/formgrader/api/grades?submission_id={{submission}}") in honest_requests
    assert honest_structure["handlers"] == [] and honest_structure["frames"] == []
    before = _standing(course, ATTACKER)
    assert before["grades"]["q9_written"][1] is None  # the written answer waits for a person

    visit, requests, _ = _manual_grading(browser, server, course, ATTACKER)
    try:
        _assert_attacker_page_as_honest(visit, requests, honest_visit, honest_requests, honest_structure)
        page = visit.page
        # The name is text, in the navigation bar, and stays text once the grader shows it.
        name = page.locator("nav a.name-shown")
        assert name.count() == 1 and name.text_content().strip() == f"Doe, {HTML_NAME}", name.inner_html()
        assert page.locator("nav img").count() == 0
        loaded = len(visit.requests)
        page.locator("nav .glyphicon-eye-open").click()
        assert name.is_visible() and name.inner_text().strip() == f"Doe, {HTML_NAME}"
        # Clicking what the student made a link does nothing either.
        page.locator("#notebook-container .rendered_html", has_text="The score hides").get_by_text(
            "more", exact=True).click()
        page.wait_for_timeout(500)
        assert visit.pwned() == [None]
        assert urlparse(page.url).path.startswith("/formgrader/submissions/")
        assert visit.requests[loaded:] == []
    finally:
        visit.close()
    for kind in ("terminals", "kernels", "sessions"):
        assert _api(server.base, f"/api/{kind}") == (200, []), kind
    after = _standing(course, ATTACKER)
    assert after == before
    assert after["grades"]["q9_written"][1] is None


def test_the_formgrader_cleans_a_notebook_the_grader_did_not(browser, server, course, honest_page):
    honest_visit, honest_requests, honest_structure = honest_page
    stored = (course / "autograded" / UNCLEANED / "nps" / "nps.ipynb").read_text()
    assert "window.__pwned = 11" in stored and '"isolated": true' in stored  # really left uncleaned
    before = _standing(course, UNCLEANED)

    visit, requests, _ = _manual_grading(browser, server, course, UNCLEANED)
    try:
        _assert_attacker_page_as_honest(visit, requests, honest_visit, honest_requests, honest_structure)
        # The outputs are still there, as text and cleaned HTML (the isolated one inline, not in a frame).
        shown = visit.page.locator("#notebook-container").first.inner_text()
        assert all(text in shown for text in ("fine", "boxed", "bold", "js", "widget")), shown
    finally:
        visit.close()
    for kind in ("terminals", "kernels", "sessions"):
        assert _api(server.base, f"/api/{kind}") == (200, []), kind
    assert _standing(course, UNCLEANED) == before


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_the_feedback_page_is_inert_offline(browser, course):
    pages = feedback("nps", root=course, students=[ATTACKER])
    assert list(pages) == [ATTACKER]
    folder = course / "feedback"
    page_path = pages[ATTACKER][0]
    served = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{served.server_address[1]}/{page_path.relative_to(folder).as_posix()}"
        visit = Visit(browser, lambda requested: requested == url)
        try:
            response = visit.open(url)
            assert response is not None and response.status == 200
            page = visit.page
            assert visit.pwned() == [None]
            # Nothing left the page: the one request that reached the network is the page itself.
            assert visit.sent == [("GET", url)], visit.sent
            # nothing else was even asked for (nbgrader's inlined Bootstrap names an icon font by a
            # relative address, which the page loses), and the console stays clean
            assert visit.requests == [("GET", url)], visit.requests
            assert visit.errors == [], visit.errors
            structure = _inert_structure(page, "body")
            assert structure["scripts"] == [] and structure["handlers"] == [] and structure["frames"] == []
            assert structure["script_links"] == [], structure["script_links"]
            policy = page.locator("meta[http-equiv=Content-Security-Policy]")
            assert policy.count() == 1 and "default-src 'none'" in policy.get_attribute("content")
            _assert_written_answer_reads_as_written(page, "#notebook-container")
            assert RAW_CELL in page.locator("#notebook-container").first.inner_text()
        finally:
            visit.close()
    finally:
        served.shutdown()
        served.server_close()
