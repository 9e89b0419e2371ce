"""``cxlab feedback``: pages that show each check's message, never the hidden tests.

The class graded by ``cxlab grade`` (the ``baseline`` fixture) gets its feedback pages;
a course that configures its own hidden-test delimiters in ``nbgrader_config.py`` gets
those regions removed too, as nbgrader's ``ClearHiddenTests`` would.
"""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup

from cxlab.course.releasing.assign import assign
from cxlab.course.config import CourseError, course_api
from cxlab.course.results.feedback import feedback, make_offline

from ..helpers import ROOT, secret_lines
from .submissions import CLASS, nbgrader_autograde, submit


@pytest.mark.slow
def test_feedback_shows_messages_not_hidden_tests(baseline):
    course, _ = baseline
    pages = feedback("nps", root=course)
    assert sorted(pages) == sorted(CLASS)
    secrets = {line for line in secret_lines(ROOT / "solutions" / "nps" / "nps.ipynb") if "_hidden" in line or "load_survey()" in line}
    assert secrets
    for student, files in pages.items():
        html = files[0].read_text(encoding="utf-8")
        text = BeautifulSoup(html, "html.parser").get_text()
        assert "BEGIN HIDDEN TESTS" not in text and "_hidden" not in text, student
        assert not [line for line in secrets if line in text], student
        soup = BeautifulSoup(html, "html.parser")
        external = [tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link", "img"])
                    if (tag.get("src") or tag.get("href") or "").startswith(("http", "//"))]
        assert external == [], external
    wrong = pages["s02"][0].read_text(encoding="utf-8")
    assert "nps_all does not match the survey" in wrong  # which check failed, and its message


SECRET_CHECK = "assert x == 2, 'x is not the answer'"


def _tiny_assignment(course) -> None:
    """An assignment whose hidden test uses the course's own delimiters."""
    v4 = nbformat.v4

    def cell(make, source, grade_id, **meta):
        nbgrader = {"grade_id": grade_id, "schema_version": 3, "grade": False, "solution": False, "locked": False,
                    "task": False, **meta}
        return make(source, metadata={"nbgrader": nbgrader})

    notebook = v4.new_notebook(cells=[
        cell(v4.new_code_cell, "### BEGIN SOLUTION\nx = 2\n### END SOLUTION", "answer", solution=True),
        cell(v4.new_code_cell,
             "assert type(x) is int, 'x should be a whole number'\n"
             f"## BEGIN SECRET CHECKS\n{SECRET_CHECK}\n## END SECRET CHECKS",
             "check", grade=True, locked=True, points=1),
    ])
    notebook.cells[1].metadata["cxlab"] = {"answers": ["x"]}
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (course / "solutions" / "tiny").mkdir()
    nbformat.write(notebook, course / "solutions" / "tiny" / "tiny.ipynb")


@pytest.mark.slow
def test_a_course_with_its_own_hidden_test_delimiters_gets_them_removed(course):
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write('\nc.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET CHECKS"\n'
                     'c.ClearHiddenTests.end_test_delimeter = "END SECRET CHECKS"\n')
    _tiny_assignment(course)
    (released,) = assign(["tiny"], root=course)[0].notebooks
    assert SECRET_CHECK not in released.read_text(encoding="utf-8")  # nbgrader itself honours them
    handed_in = nbformat.read(released, as_version=4)
    handed_in.cells[0].source = "x = 3"
    submit(course, "amy", handed_in, "tiny.ipynb", assignment="tiny")
    nbgrader_autograde(course_api(course)[0], "tiny", "amy")
    autograded = (course / "autograded" / "amy" / "tiny" / "tiny.ipynb").read_text(encoding="utf-8")
    assert "x == 2" in autograded  # the hidden test ran, so the page must hide it

    (page,) = feedback("tiny", root=course)["amy"]
    text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()
    assert "x == 2" not in text and "SECRET CHECKS" not in text
    assert "# (hidden checks ran here when your notebook was graded)" in text
    assert "AssertionError: x is not the answer" in text
    assert "type(x) is int" in text  # the visible check stays


@pytest.mark.slow
def test_feedback_for_a_student_not_graded_yet_is_an_error(baseline):
    course, _ = baseline
    with pytest.raises(CourseError, match=r"no autograded nps for \['nobody'\]: run `cxlab grade nps` first"):
        feedback("nps", root=course, students=["nobody"])


def test_offline_pages_drop_every_script_and_remote_asset_and_keep_the_rest(tmp_path):
    page = tmp_path / "nps.html"
    page.write_text(
        '<html><head><script src="https://cdn.example.org/require.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/font.css"><script>var local = 1;</script>'
        '<meta http-equiv="refresh" content="0; url=https://example.net/">'
        '<style>@import url("https://fonts.example.org/x.css"); body { color: black; }'
        '@font-face { font-family: icons; src: url(../fonts/icons.woff2) format("woff2"); }'
        '.logo { background: url(data:image/png;base64,iVBORw0KGgo=); }</style></head>'
        '<body onload="steal()"><img src="figure.png"><img src="http://example.org/track.gif">'
        '<a href="javascript:steal()">x</a><iframe src="/api/contents"></iframe><form action="/x"></form></body></html>',
        encoding="utf-8",
    )
    make_offline(page)
    html = page.read_text(encoding="utf-8")
    for gone in ("example.org", "example.net", "var local", "<script", "onload", "javascript:", "<iframe", "<form",
                 "../fonts", "http-equiv=\"refresh\""):
        assert gone not in html, gone
    assert "figure.png" in html and "color: black" in html and "data:image/png;base64,iVBORw0KGgo=" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


@pytest.mark.slow
def test_feedback_before_hand_grading_warns_and_says_awaiting_grading(graded, caplog):
    from .graded_class import ASSIGNMENT, POINTS, WRITTEN

    points = POINTS[WRITTEN][1]
    with caplog.at_level("WARNING", logger="cxlab.course"):
        pages = feedback(ASSIGNMENT, root=graded.root, db_url=graded.db_url)
    warned = " ".join(record.getMessage() for record in caplog.records if record.name == "cxlab.course")
    # Cleo's and Dan's written answers wait for a grader; Ada's was graded, Ben's untouched answer scored 0 by nbgrader
    assert "2 student(s) have answers that wait for hand grading" in warned
    assert f"cleo ({points:g} points)" in warned and f"dan ({points:g} points)" in warned
    assert "ada" not in warned and "ben" not in warned

    def written_entry(student):
        soup = BeautifulSoup(pages[student][0].read_text(encoding="utf-8"), "html.parser")
        (link,) = soup.find_all("a", href=f"#{WRITTEN}")
        return link.next_sibling.strip(), soup.select_one(".panel-heading h4").get_text()

    entry, heading = written_entry("cleo")
    assert entry == f"(awaiting grading ({points:g} points))"
    assert "Score so far:" in heading and f"{points:g} points awaiting grading" in heading
    entry, heading = written_entry("ada")
    assert entry == f"(Score: {points:.1f} / {points:.1f})" and "awaiting" not in heading
    assert "awaiting" not in pages["ben"][0].read_text(encoding="utf-8")


def test_a_page_marked_awaiting_grading_keeps_the_other_scores(tmp_path):
    from cxlab.course.results.feedback import mark_awaiting_grading

    page = tmp_path / "nps.html"
    page.write_text(
        '<div class="panel-heading"><h4>nps (Score: 3.0 / 5.0)</h4><ol>'
        '<li><a href="#q1">Test cell</a> (Score: 3.0 / 3.0)</li>'
        '<li><a href="#q8">Written response</a> (Score: 0.0 / 2.0)</li></ol></div>'
        '<a name="q8"></a><div class="panel-heading"><span class="pull-right">Score: 0.0 / 2.0 '
        '<a href="#top">(Top)</a></span></div>', encoding="utf-8")
    mark_awaiting_grading(page, {"q8": 2.0})
    text = " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())
    assert "(Score: 3.0 / 3.0)" in text and "Score: 0.0 / 2.0" not in text
    assert "Written response (awaiting grading (2 points))" in text
    assert "Awaiting grading (2 points)" in text
    assert "nps (Score so far: 3.0 / 5.0; 2 points awaiting grading)" in text
