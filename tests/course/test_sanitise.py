"""What a submission shows, reduced to inert content: the cleaner on its own, before any page."""

from __future__ import annotations

import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab.course.shared.sanitise import KEPT_MIME_TYPES, clean_html, sanitise_notebook, terminal_safe, unsafe_parts

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<iframe src="/api/contents"></iframe>',
    '<form action="/api/terminals" method="post"><button>go</button></form>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">cover</div>',
    '<style>body { background: url(https://example.org/x) }</style>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<base href="https://example.org/">',
    '<meta http-equiv="refresh" content="0;url=https://example.org">',
    '<a href="/api/terminals">open</a>',
    '<img src="/api/contents/solutions">',
    '<details open ontoggle=alert(1)>x</details>',
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
    "<!--<script>alert(1)</script>-->",
]


def _active(html: str) -> list[str]:
    """What in ``html`` could run or load anything once a browser parses it."""
    found = []
    for tag in BeautifulSoup(html, "html5lib" if _has_html5lib() else "html.parser").find_all(True):
        if tag.name in ("script", "iframe", "object", "embed", "form", "base", "meta", "style", "svg", "math", "link"):
            found.append(tag.name)
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or name == "style" or re.search(r"javascript:|/api/|^\s*//", value, re.I):
                found.append(f"{tag.name} {name}")
            if name in ("src", "href", "background") and not re.match(r"(https?://|mailto:|#|data:image/)", value):
                found.append(f"{tag.name} {name}={value[:20]}")
    return found


def _has_html5lib() -> bool:
    try:
        import html5lib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("payload", PAYLOADS)
def test_known_payloads_come_out_inert(payload):
    cleaned = clean_html(f"<p>before</p>{payload}<p>after</p>")
    assert _active(cleaned) == [], cleaned
    assert "before" in cleaned  # (text inside a removed container, such as an unclosed <math>, goes with it)


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "<!--" not in p])
def test_each_payload_is_reported_as_an_attempt(payload):
    assert unsafe_parts(payload), payload


def test_ordinary_output_is_kept_and_not_reported():
    import pandas as pd

    table = pd.DataFrame({"channel": ["chat", "phone"], "nps": [12.5, -3.0]})._repr_html_()
    assert unsafe_parts(table) == []
    cleaned = clean_html(table)
    assert "<table" in cleaned and "<td>chat</td>" in cleaned and "12.5" in cleaned
    assert "<style" not in cleaned and "style=" not in cleaned


markup = st.lists(st.sampled_from(PAYLOADS + ["<p>", "</p>", "<em>x</em>", "<a href='https://x.org'>", "</a>", "&lt;",
                                              '"', "'", "<", ">", "=", " on", "load=", "script", "<!--", "-->", "text"]),
                  max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(markup)
def test_whatever_is_mixed_the_cleaned_html_is_inert_and_stable(html):
    cleaned = clean_html(html)
    assert _active(cleaned) == [], (html, cleaned)
    assert clean_html(cleaned) == cleaned


WRITTEN = """The score hides *who* stays silent:

- promoters and detractors are counted, passives are not;
- a change of `0.1` in $\\frac{p - d}{n}$ can be **noise**.

| channel | NPS |
|---|---|
| chat | 12 |

See [the source](https://example.org/report).
"""


def _notebook(markdown: str, outputs=()):
    answer = nbformat.v4.new_markdown_cell(markdown, metadata={"nbgrader": {"grade_id": "q8_written", "solution": True,
                                                                            "grade": True, "points": 2}})
    code = nbformat.v4.new_code_cell("x", outputs=list(outputs))
    return nbformat.v4.new_notebook(cells=[answer, code], metadata={"widgets": {"state": {}}})


def test_a_plain_written_answer_is_kept_exactly_and_not_reported():
    notebook = _notebook(WRITTEN)
    assert [f for f in sanitise_notebook(notebook) if "q8_written" in f] == []
    assert notebook.cells[0].source == WRITTEN


def test_a_written_answer_with_a_script_keeps_its_text_and_loses_the_script():
    notebook = _notebook(WRITTEN + '\n<img src=x onerror="steal()"> <a href="javascript:steal()">more</a>\n')
    findings = sanitise_notebook(notebook)
    assert any(f.startswith("q8_written: removed from the written text") for f in findings), findings
    source = notebook.cells[0].source
    assert _active(source) == []
    for kept in ("<em>who</em>", "<li>promoters and detractors", "<code>0.1</code>", "$\\frac{p - d}{n}$",
                 "<strong>noise</strong>", "<td>chat</td>", 'href="https://example.org/report"', ">more</a>"):
        assert kept in source, kept


def test_outputs_keep_only_text_images_and_clean_html_and_the_widget_state_goes():
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<b>hi</b><script>x()</script>", "text/plain": "hi",
                                                     "application/javascript": "x()", "image/svg+xml": "<svg/>",
                                                     "text/latex": "$x$"},
                               metadata={"text/html": {"isolated": True}}),
        nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={"image/png": {"width": 300}}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "**b** <iframe src=x></iframe>"}),
        nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}}),
        nbformat.v4.new_output("stream", name="stdout", text="plain \x1b[31mred\x1b[0m"),
    ]
    notebook = _notebook("fine", outputs)
    findings = sanitise_notebook(notebook)
    kept = notebook.cells[1].outputs
    assert all(set(output.get("data", {})) <= set(KEPT_MIME_TYPES) for output in kept)
    assert kept[0]["data"] == {"text/plain": "hi", "text/html": "<b>hi</b>"} and kept[0]["metadata"] == {}
    assert kept[1]["data"]["image/png"] == png and kept[1]["metadata"] == {"image/png": {"width": 300}}
    assert kept[2]["data"]["text/html"].strip() == "<p><strong>b</strong> </p>"
    assert "was removed by the grader" in kept[3]["data"]["text/plain"]
    assert kept[4]["text"] == "plain \x1b[31mred\x1b[0m"  # a stream is text: the page escapes it
    assert "widgets" not in notebook.metadata
    assert any("application/javascript" in f for f in findings) and any("HTML output" in f for f in findings)
    assert any("widget state" in f for f in findings)


def test_a_raw_cell_and_an_attachment_cannot_carry_script():
    raw = nbformat.v4.new_raw_cell("<script>x()</script>notes", metadata={"format": "text/html"})
    markdown = nbformat.v4.new_markdown_cell("![pic](attachment:a.svg)")
    markdown["attachments"] = {"a.svg": {"image/svg+xml": "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"}}
    notebook = nbformat.v4.new_notebook(cells=[raw, markdown])
    findings = sanitise_notebook(notebook)
    assert "<script>" not in notebook.cells[0].source and "notes" in notebook.cells[0].source
    assert "attachments" not in notebook.cells[1]
    # the script, the SVG attachment, and the image that now names a missing attachment
    assert len(findings) == 3, findings


def test_markdown_the_renderer_refuses_is_shown_as_its_text():
    """An image of a missing attachment makes nbconvert's renderer raise: it must not stop the grader."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("![x](attachment:none.png) <b onclick=x>y</b>")])
    findings = sanitise_notebook(notebook)
    assert findings and _active(notebook.cells[0].source) == []
    assert "attachment:none.png" in notebook.cells[0].source


def test_the_cleaning_is_idempotent_on_a_whole_notebook():
    notebook = _notebook(WRITTEN + "<script>x()</script>",
                         [nbformat.v4.new_output("display_data", data={"text/html": "<i onclick=x>y</i>"})])
    sanitise_notebook(notebook)
    once = nbformat.writes(notebook)
    assert sanitise_notebook(notebook) == []
    assert nbformat.writes(notebook) == once


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@given(st.text())
def test_quoted_text_holds_no_control_character_for_a_terminal(text):
    shown = terminal_safe(text)
    assert not CONTROL.search(shown)
    if not CONTROL.search(text):  # ordinary text, line breaks and tabs included, is left alone
        assert shown == text
