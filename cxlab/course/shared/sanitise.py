"""What a submission shows the instructor: reduced to plain, inert content at the boundary.

A submission's notebook is the student's: its markdown (the written answers), its raw
cells, its attachments and every output its kernel sent are data the student chose.
The instructor opens them in nbgrader's formgrader, on the Jupyter server's own origin,
and students open their feedback pages. Nothing in them may run there.

- :func:`sanitise_notebook` runs in the grading worker, after the notebook has run and
  before anything is stored in ``autograded/``. Outputs keep only what the instructor's
  views need: text, PNG and JPEG images, and HTML through :func:`clean_html`; markdown
  outputs become cleaned HTML; JavaScript, SVG, LaTeX, widget views and every other
  kind are dropped, and so is the metadata that asks for an iframe or anything else.
  A markdown cell that renders to nothing but allowed HTML is kept exactly as written;
  one that holds more (a script, an event handler, a ``javascript:`` link, a form, an
  iframe, a style) is replaced by the cleaned HTML of its rendering, which reads the
  same without the dangerous parts. Raw cells and attachments are treated alike, and the
  notebook's metadata loses the widget state. What was removed comes back as findings,
  which flag the submission.
- :class:`SanitiseForViewing` (an nbconvert preprocessor) and the filters
  :func:`clean_html` and :func:`markdown2html` are set in ``nbgrader_config.py`` for
  nbconvert's ``HTMLExporter``, which renders both the formgrader's submission page and
  the feedback pages: they clean again when a page is made (a notebook graded by other
  means, such as nbgrader's own Autograde button, passes through them too) and escape
  the student's id and name, which the formgrader's template prints as they are.
- :func:`terminal_safe` escapes control characters in text quoted from a submission
  before it reaches a terminal.

The allow-list: common text, list, table and heading elements; links to ``http``,
``https``, ``mailto`` or a fragment; images only as ``data:`` PNG, JPEG or GIF; the
``class`` attribute only with short or known class names (so that no page style can
move the student's content over the grading controls); never ``style``, ``id``,
``name`` or an event handler. The cleaner is bleach (the one nbconvert uses).

Imports: bleach, BeautifulSoup, nbconvert (its markdown renderer) and nbformat, loaded
inside the functions that need them; the standard library.

>>> clean_html('<p onclick="steal()">Fine <script>steal()</script><a href="javascript:steal()">x</a></p>')
'<p>Fine <a>x</a></p>'
>>> unsafe_parts('<p>Fine <em>and</em> <code>a &lt; b</code></p>')
[]
>>> terminal_safe("ok\\x1b[2Khidden")
'ok\\\\x1b[2Khidden'
"""

from __future__ import annotations

import base64
import binascii
import html
import re

#: Elements that may appear in what a student shows the instructor.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
#: Elements whose content goes with them (the rest keep their text when they are removed).
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                                   "frame", "frameset", "applet", "svg", "math", "form", "textarea", "select",
                                   "button", "input", "link", "meta", "base", "title", "head"})
_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "col": {"span"},
    "colgroup": {"span"},
    "abbr": set(),
}
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)
_SAFE_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_KNOWN_CLASSES = frozenset({"dataframe", "highlight", "hll", "anchor-link", "ansi", "output"})
_SHORT_CLASS = re.compile(r"^[a-z][a-z0-9]{0,2}$")
_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,30}$")
_NUMBER = re.compile(r"^\d{1,5}(%|px)?$")
#: Output kinds kept; everything else (JavaScript, SVG, LaTeX, widget views, ...) is dropped.
KEPT_MIME_TYPES = ("text/plain", "text/html", "image/png", "image/jpeg")
#: Output kinds whose removal is a sign of an attempt, not of an ordinary library's display.
_ACTIVE_MIME_TYPES = ("application/javascript", "text/javascript", "application/x-javascript",
                      "application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")
_CELL_METADATA = ("nbgrader", "cxlab", "tags", "editable", "deletable")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _allowed_class(value: str) -> str | None:
    kept = [token for token in value.split()
            if token in _KNOWN_CLASSES or _SHORT_CLASS.match(token) or _LANGUAGE_CLASS.match(token)]
    return " ".join(kept) or None


def _attribute_value(tag: str, name: str, value: str) -> str | None:
    """The value an allowed attribute keeps, or None when it must go."""
    if name not in _ATTRIBUTES.get(tag, set()) and name not in _ATTRIBUTES["*"]:
        return None
    if name == "class":
        return _allowed_class(value)
    if name == "href":
        return value if _SAFE_LINK.match(value.strip()) else None
    if name == "src":
        return value if tag == "img" and _SAFE_IMAGE.match(value.strip()) else None
    if name in ("width", "height", "colspan", "rowspan", "span", "start"):
        return value if _NUMBER.match(value.strip()) else None
    if name in ("align", "scope", "type", "dir", "lang"):
        return value if re.fullmatch(r"[A-Za-z-]{1,20}", value.strip()) else None
    return value


def _bleach_attribute(tag: str, name: str, value: str) -> bool:
    kept = _attribute_value(tag, name, value)
    return kept is not None and kept == value


def clean_html(element) -> str:
    """``element`` (HTML text) with everything outside the allow-list removed.

    The replacement of nbconvert's ``clean_html`` filter, which escapes paragraphs and
    headings: here allowed elements stay elements, disallowed ones are removed (their
    text kept, except for scripts, styles, frames, forms and the like, which go whole).
    A ``class`` is reduced to its allowed names first.
    """
    from bs4 import BeautifulSoup

    text = element.decode("utf-8", "replace") if isinstance(element, bytes) else str(element)
    if not text:
        return ""
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if tag.name in _DROPPED_WITH_CONTENT:
            tag.decompose()
            continue
        for name in list(tag.attrs):
            value = tag.attrs[name]
            value = " ".join(value) if isinstance(value, list) else str(value)
            kept = _attribute_value(tag.name, name.lower(), value)
            if kept is None:
                del tag.attrs[name]
            else:
                tag.attrs[name] = kept
    for comment in soup.find_all(string=lambda node: type(node).__name__ in ("Comment", "Declaration",
                                                                                  "ProcessingInstruction", "CData")):
        comment.extract()
    return _cleaner().clean(str(soup))


_CLEANER = None


def _cleaner():
    global _CLEANER
    if _CLEANER is None:
        import bleach

        _CLEANER = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=_bleach_attribute,
                                  protocols=["http", "https", "mailto", "data"], strip=True, strip_comments=True)
    return _CLEANER


#: Elements that act (run, load, submit or take over a page) rather than show.
_ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
                          "button", "textarea", "select", "base", "meta", "link", "svg", "math", "template",
                          "portal", "noscript"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
                             "background", "cite", "longdesc"})
_ACTIVE_URL = re.compile(r"^\s*(javascript|vbscript|livescript|data:(?!image/(png|jpeg|gif)))|/api/|/terminals",
                         re.IGNORECASE)
_ACTIVE_STYLE = re.compile(r"position|url\s*\(|@import|expression|behavior|binding|z-index|transform",
                           re.IGNORECASE)


def unsafe_parts(element) -> list[str]:
    """The parts of ``element`` (HTML text) that would act rather than show, briefly; empty when none.

    Scripts, frames, objects, forms, event handlers, script or API links, and styles
    that position or load something. Harmless formatting that :func:`clean_html` merely
    drops (a table's border, ``text-align``, an unknown class) is not listed: an
    ordinary library's output (a pandas table) has nothing here.
    """
    from bs4 import BeautifulSoup

    text = element.decode("utf-8", "replace") if isinstance(element, bytes) else str(element)
    found = []
    for tag in BeautifulSoup(text, "html.parser").find_all(True):
        if tag.name in _ACTIVE_TAGS:
            found.append(f"<{tag.name}>")
        elif tag.name == "style" and _ACTIVE_STYLE.search(tag.get_text()):
            found.append("<style> that places or loads content")
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            name = name.lower()
            if name.startswith("on"):
                found.append(f"<{tag.name} {name}=...>")
            elif name in _URL_ATTRIBUTES and _ACTIVE_URL.search(value):
                found.append(f"<{tag.name} {name}={value.strip()[:30]}...>")
            elif name == "style" and _ACTIVE_STYLE.search(value):
                found.append(f"<{tag.name} style={value.strip()[:30]}...>")
    return list(dict.fromkeys(found))


def _render_markdown(source: str, attachments: dict | None = None) -> str:
    """Markdown as nbconvert renders it for an HTML page (math kept as TeX for MathJax).

    Markdown the renderer cannot take (an image of a missing attachment, say) comes back
    as its escaped text in a ``<pre>``: what a student wrote never stops the grader.
    """
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=False, attachments=attachments or {}, embed_images=False, path="",
                               anchor_link_text="¶", exclude_anchor_links=True)
    try:
        return MarkdownWithMath(renderer=renderer).render(source)
    except Exception:  # the renderer refuses some notebooks outright; the text is still the student's
        return f"<pre>{html.escape(source)}</pre>"


try:  # a context filter for Jinja: it needs the cell's attachments
    from jinja2 import pass_context as _pass_context
except ImportError:  # pragma: no cover - jinja2 always comes with nbconvert
    def _pass_context(function):
        return function


@_pass_context
def markdown2html(context, source: str) -> str:
    """The ``markdown2html`` filter for nbconvert's HTML pages, with its output cleaned."""
    cell = context.get("cell", {}) if hasattr(context, "get") else {}
    return clean_html(_render_markdown(source, _safe_attachments(cell.get("attachments") or {})[0]))


def _markdown_is_safe(source: str, attachments: dict) -> tuple[bool, list[str]]:
    rendered = _render_markdown(source, attachments)
    if rendered == f"<pre>{html.escape(source)}</pre>" and source:
        return False, ["markdown the renderer refused, kept as plain text"]
    found = unsafe_parts(rendered)
    return not found, found


def _safe_attachments(attachments) -> tuple[dict, list[str]]:
    """Attachments that are PNG, JPEG or GIF images in base64; the names of the others."""
    kept, dropped = {}, []
    if not isinstance(attachments, dict):
        return {}, ["attachments"]
    for name, bundle in attachments.items():
        if not isinstance(bundle, dict):
            dropped.append(str(name)[:60])
            continue
        images = {mime: data for mime, data in bundle.items()
                  if mime in ("image/png", "image/jpeg", "image/gif") and _is_base64(data)}
        if images and re.fullmatch(r"[\w .()-]{1,100}", str(name)):
            kept[name] = images
        if len(images) != len(bundle):
            dropped.append(str(name)[:60])
    return kept, dropped


def _is_base64(data) -> bool:
    if isinstance(data, list):
        data = "".join(data)
    if not isinstance(data, str):
        return False
    try:
        base64.b64decode(data.replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _clean_output(output: dict, where: str, findings: list[str]):
    """The output as the instructor may see it, or None when nothing of it may stay."""
    import nbformat

    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return nbformat.v4.new_output("stream", name=name, text=_text(output.get("text")))
    if kind == "error":
        traceback = output.get("traceback") if isinstance(output.get("traceback"), list) else []
        return nbformat.v4.new_output("error", ename=_text(output.get("ename")), evalue=_text(output.get("evalue")),
                                      traceback=[_text(line) for line in traceback])
    if kind not in ("display_data", "execute_result"):
        findings.append(f"{where}: an output of kind {str(kind)[:40]!r} was removed")
        return None
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept = {}
    removed = [mime for mime in data if mime not in KEPT_MIME_TYPES and mime != "text/markdown"]
    if "text/plain" in data:
        kept["text/plain"] = _text(data["text/plain"])
    for mime in ("image/png", "image/jpeg"):
        if mime in data and _is_base64(data[mime]):
            kept[mime] = _text(data[mime])
        elif mime in data:
            removed.append(mime)
    markup = data.get("text/html")
    if markup is None and "text/markdown" in data:
        markup = _render_markdown(_text(data["text/markdown"]))
    if markup is not None:
        markup = _text(markup)
        unsafe = unsafe_parts(markup)
        if unsafe:
            findings.append(f"{where}: removed from an HTML output: {', '.join(unsafe[:5])}")
        kept["text/html"] = clean_html(markup)
    active = [mime for mime in removed if mime in _ACTIVE_MIME_TYPES]
    if active:
        findings.append(f"{where}: removed an output of kind {', '.join(active)}")
    if "image/svg+xml" in removed and unsafe_parts(_text(data["image/svg+xml"]).replace("<svg", "<div", 1)):
        findings.append(f"{where}: removed an SVG image that held script or links")
    if not kept:
        kept["text/plain"] = f"[an output of kind {', '.join(sorted(data))[:80] or 'nothing'} was removed by the grader]"
    metadata = {}
    for mime in ("image/png", "image/jpeg"):
        size = (output.get("metadata") or {}).get(mime) if isinstance(output.get("metadata"), dict) else None
        if mime in kept and isinstance(size, dict):
            numbers = {key: size[key] for key in ("width", "height")
                       if type(size.get(key)) in (int, float) and 0 < size[key] < 10_000}
            if numbers:
                metadata[mime] = numbers
    if kind == "execute_result":
        count = output.get("execution_count")
        return nbformat.v4.new_output("execute_result", data=kept, metadata=metadata,
                                      execution_count=count if type(count) is int else None)
    return nbformat.v4.new_output("display_data", data=kept, metadata=metadata)


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return "" if value is None else str(value)


def _cell_name(cell, index: int) -> str:
    grade_id = (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
    return str(grade_id) if grade_id else f"cell {index + 1}"


def sanitise_notebook(notebook) -> list[str]:
    """Reduce ``notebook`` in place to what the instructor's views need; returns findings.

    See the module's description. Markdown and raw cells that are already safe, and
    outputs that are plain text, images or clean HTML, are kept as they were, so that a
    written answer reads exactly as the student wrote it.
    """
    findings: list[str] = []
    metadata = notebook.get("metadata", {})
    for key in list(metadata):
        if key not in ("kernelspec", "language_info", "nbgrader"):
            if key == "widgets":
                findings.append("notebook: removed the saved widget state")
            del metadata[key]
    for key in ("kernelspec", "language_info"):
        if key in metadata and not isinstance(metadata[key], dict):
            del metadata[key]
        elif key in metadata:
            metadata[key] = {name: value for name, value in metadata[key].items()
                             if isinstance(value, (str, int)) and name in ("name", "display_name", "language",
                                                                           "version", "pygments_lexer",
                                                                           "file_extension", "mimetype")}
    for index, cell in enumerate(notebook.get("cells", [])):
        where = _cell_name(cell, index)
        cell_metadata = cell.get("metadata", {})
        for key in list(cell_metadata):
            if key not in _CELL_METADATA:
                del cell_metadata[key]
        kind = cell.get("cell_type")
        if kind in ("markdown", "raw"):
            attachments, dropped = _safe_attachments(cell.get("attachments") or {})
            if "attachments" in cell:
                cell["attachments"] = attachments
            if dropped:
                findings.append(f"{where}: removed attachments that are not PNG, JPEG or GIF images: "
                                f"{', '.join(dropped[:5])}")
                if not attachments:
                    del cell["attachments"]
        if kind == "markdown":
            safe, found = _markdown_is_safe(_text(cell.get("source")), cell.get("attachments") or {})
            if not safe:
                findings.append(f"{where}: removed from the written text: {', '.join(found[:5])}")
                cell["source"] = '<div class="output">\n' + clean_html(
                    _render_markdown(_text(cell.get("source")), cell.get("attachments") or {})) + "\n</div>"
        elif kind == "raw":
            source = _text(cell.get("source"))
            found = unsafe_parts(source)
            if found:
                findings.append(f"{where}: removed from a raw cell: {', '.join(found[:5])}")
                cell["source"] = html.escape(source)
        elif kind == "code":
            outputs = []
            for output in cell.get("outputs", []):
                cleaned = _clean_output(output, where, findings) if isinstance(output, dict) else None
                if cleaned is not None:
                    outputs.append(cleaned)
            cell["outputs"] = outputs
    return list(dict.fromkeys(findings))


def terminal_safe(text) -> str:
    """``text`` with control characters (terminal escapes, bidirectional overrides) shown as escapes.

    Line breaks and tabs stay; everything else below U+0020, DEL, the C1 controls and the
    Unicode direction overrides become ``\\xNN`` or ``\\uNNNN``, so that quoted text
    cannot move the cursor, clear a line or reorder what a terminal shows.
    """
    def shown(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(shown, str(text))


def _preprocessor_class():
    from nbconvert.preprocessors import Preprocessor

    class SanitiseForViewing(Preprocessor):
        """Clean the notebook again as a page is made, and escape the student's id and name.

        Set in ``nbgrader_config.py`` (``c.HTMLExporter.preprocessors``) for the
        formgrader's submission page and for feedback pages.
        """

        def preprocess(self, nb, resources):
            sanitise_notebook(nb)
            for key in ("student", "first_name", "last_name"):
                if isinstance(resources.get(key), str):
                    resources[key] = html.escape(resources[key])
            details = resources.get("nbgrader")
            if isinstance(details, dict) and isinstance(details.get("student"), str):
                details["student"] = html.escape(details["student"])
            return nb, resources

    return SanitiseForViewing


def __getattr__(name: str):
    if name == "SanitiseForViewing":
        klass = _preprocessor_class()
        globals()[name] = klass
        return klass
    raise AttributeError(name)
