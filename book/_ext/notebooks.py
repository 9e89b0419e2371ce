"""Each chapter as a Jupyter notebook that a reader can download and run.

Chapters are MyST Markdown notebooks, which JupyterLab would open as text. At build
time this extension converts every such page with myst-nb's own reader
(``read_myst_markdown_notebook``) into a notebook, serves it from the book itself as
``_sources/<page>.ipynb``, adds it to the page's download menu (the theme's ``.ipynb``
entry) and puts a download link under the chapter's title.

The notebook reads as the page does, without the machinery of the book:

- code cells tagged ``remove-cell`` (the ``glue`` calls that hand numbers to the prose)
  are left out, so the code needs only the course library and its ``lab`` extra;
- every glued number in the prose is written in, formatted as the page shows it;
- roles become plain text: a glossary term its words, a citation the text the page
  shows, a link to another page that page's title;
- a self-check becomes its question and options, with the answer folded away;
  admonitions become quotes, and those with the class ``book-only`` (about the static
  page itself) are left out.

The notebook holds no outputs: a reader runs it. Anything the conversion cannot
resolve (a glue key the chapter did not set, an unknown citation) is a build warning,
so ``-W`` stops the build rather than ship a notebook that says something else.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

import nbformat
from docutils import nodes
from languages import localised_glue, page_gettext, ui
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)

NOTEBOOK_FOLDER = "_sources"
LEAVE_OUT_TAG = "remove-cell"
BOOK_ONLY_CLASS = "book-only"
ADMONITIONS = {"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning",
               "caution": "Caution", "attention": "Attention", "hint": "Hint", "seealso": "See also",
               "admonition": ""}
ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:+-]*)\}`(?P<content>[^`]*)`")
FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<argument>.*)$")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
HEADER = (
    "> This notebook is a chapter of the CX Lab book, converted from its page. Run its cells "
    "in order from the top. Its code needs the course library `cxlab` with its `lab` extra "
    "(JupyterLab, matplotlib and ipywidgets); the citations refer to the book's bibliography."
)


def notebook_path(docname: str) -> str:
    """Where a page's notebook is served, relative to the root of the built book."""
    return f"{NOTEBOOK_FOLDER}/{docname}.ipynb"


def is_chapter_notebook(app, docname: str) -> bool:
    from myst_nb.core.read import is_myst_markdown_notebook

    source = Path(app.env.doc2path(docname))
    return source.suffix == ".md" and source.is_file() and is_myst_markdown_notebook(
        source.read_text(encoding="utf-8"))


# --- in the page: a link under the chapter's title -------------------------------------

class notebook_link(nodes.General, nodes.Element):
    """Rendered as a paragraph with a link to the page's notebook."""


def add_link_under_title(app, doctree):
    docname = app.env.docname
    if not is_chapter_notebook(app, docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    link = notebook_link()
    link["docname"] = docname
    section.insert(1, link)


def visit_notebook_link_html(self, node):
    docname = node["docname"]
    href = relative_uri(self.builder.get_target_uri(docname), notebook_path(docname))
    from languages import ui

    filename = posixpath.basename(docname) + ".ipynb"
    config = self.builder.config
    self.body.append(
        f'<p class="chapter-notebook"><a class="reference download chapter-notebook-link" '
        f'href="{html.escape(href, quote=True)}" download="{html.escape(filename, quote=True)}">'
        f'{html.escape(ui(config, "Download this chapter as a notebook"))} '
        f'(<code>{html.escape(filename)}</code>)</a>'
        f'{html.escape(ui(config, " to run its code yourself in JupyterLab, with the course library installed"))}'
        f' (<code>cxlab[lab]</code>).</p>'
    )
    raise nodes.SkipNode


def skip(self, node):
    raise nodes.SkipNode


# --- the notebook -----------------------------------------------------------------------

class Converter:
    """Turns one chapter's MyST source into the reader's notebook."""

    def __init__(self, app, docname: str):
        self.app = app
        self.docname = docname
        self.source = Path(app.env.doc2path(docname))
        self.glue = self._read_glue()
        self.gettext = page_gettext(app, docname)  # the page in the edition's language

    def translated(self, lines: list[str]) -> list[str]:
        """Lines of a page's text in the edition's language: each heading, list item and paragraph
        looked up as Sphinx's catalogue holds it (its lines joined by spaces)."""
        output, block, prefix = [], [], ""

        def flush():
            nonlocal block, prefix
            if block:
                message = " ".join(line.strip() for line in block)
                translation = self.gettext(message)
                output.append(prefix + translation if translation != message else "\n".join(block))
            block, prefix = [], ""

        for line in lines:
            heading = re.match(r"^(#{1,6} )(.+)$", line)
            item = re.match(r"^(\s*(?:[-*+]|\d+\.) )(.*)$", line)
            if heading:
                flush()
                output.append(heading[1] + self.gettext(heading[2].strip()))
            elif item:
                flush()
                prefix, block = item[1], [item[2]]
            elif line.startswith("|") and not re.fullmatch(r"[|\s:-]+", line):
                flush()  # a table row: each cell is a message of its own
                cells = line.strip().strip("|").split("|")
                output.append("| " + " | ".join(self.gettext(cell.strip()) if cell.strip() else ""
                                                for cell in cells) + " |")
            elif not line.strip() or line.startswith(("<", "|")):
                flush()
                output.append(line)
            else:
                block.append(line)
        flush()
        return output

    def _read_glue(self) -> dict:
        folder = Path(self.app.env.mystnb_config.output_folder)
        path = folder.joinpath(*self.docname.split("/")).with_name(posixpath.basename(self.docname) + ".glue.json")
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def warn(self, message: str):
        logger.warning(f"{self.docname}.ipynb: {message}", location=self.docname, type="cxlab", subtype="notebook")

    def notebook(self) -> nbformat.NotebookNode:
        from myst_nb.core.read import read_myst_markdown_notebook

        source = read_myst_markdown_notebook(self.source.read_text(encoding="utf-8"), path=self.source)
        stem = posixpath.basename(self.docname)
        cells = []
        for cell in source.cells:
            tags = list(cell.metadata.get("tags", []))
            if LEAVE_OUT_TAG in tags:
                continue
            metadata = {"tags": tags} if tags else {}
            if cell.cell_type == "code":
                new = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
            elif cell.cell_type == "markdown":
                text = self.markdown(cell.source)
                if not text.strip():
                    continue
                new = nbformat.v4.new_markdown_cell(text, metadata=metadata)
            else:
                new = nbformat.v4.new_raw_cell(cell.source, metadata=metadata)
            new["id"] = f"{stem}-{len(cells) + 1:03d}"
            cells.append(new)
        if cells and cells[0].cell_type == "markdown":
            cells[0].source = _after_first_heading(cells[0].source, ui(self.app.config, HEADER))
        kernelspec = source.metadata.get("kernelspec", {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"})
        notebook = nbformat.v4.new_notebook(
            cells=cells, metadata={"kernelspec": kernelspec, "language_info": {"name": kernelspec.get("language", "python")}})
        nbformat.validate(notebook)
        return notebook

    # markdown ----------------------------------------------------------------------------

    def markdown(self, text: str) -> str:
        lines, output, index = text.splitlines(), [], 0
        while index < len(lines):
            line = lines[index]
            opening = FENCE_OPEN.match(line)
            if opening:
                fence = opening["fence"]
                body, index = [], index + 1
                while index < len(lines) and not (lines[index].startswith(fence[0] * len(fence))
                                                  and not lines[index].strip(fence[0]).strip()):
                    body.append(lines[index])
                    index += 1
                index += 1  # the closing fence
                output.extend(self.directive(opening["name"], opening["argument"].strip(), body))
                continue
            if re.match(r"^\(.+\)=\s*$", line) or line.startswith("%"):
                index += 1  # a MyST target or comment: nothing to show
                continue
            output.append(line)
            index += 1
        return re.sub(r"\n{3,}", "\n\n", ROLE.sub(self.role, "\n".join(self.translated(output)))).strip("\n")

    def directive(self, name: str, argument: str, body: list[str]) -> list[str]:
        options, content = {}, list(body)
        while content and re.match(r"^:[\w-]+:", content[0]):
            key, _, value = content.pop(0)[1:].partition(":")
            options[key] = value.strip()
        while content and not content[0].strip():
            content.pop(0)
        if BOOK_ONLY_CLASS in options.get("class", "").split():
            return []
        if name == "selfcheck":
            return self.selfcheck(argument, options, content)
        if name in ADMONITIONS:
            heading = self.gettext(argument) if name == "admonition" else ui(self.app.config, ADMONITIONS[name])
            quoted = [f"> **{heading}**", ">"] if heading else []
            return ["", *quoted, *(f"> {line}".rstrip() for line in self.translated(content)), ""]
        return ["", *self.translated(content), ""]

    def selfcheck(self, question: str, options: dict, content: list[str]) -> list[str]:
        choices = [line.strip()[2:].split("|", 1) for line in content if line.strip().startswith("- ")]
        answer = int(options.get("answer", 0))
        if not 1 <= answer <= len(choices):
            self.warn(f"self-check {question!r} has no valid :answer:")
            return []
        tr = self.gettext
        right_text, right_feedback = (tr(part.strip()) for part in choices[answer - 1])
        return ["", f"**{ui(self.app.config, 'Self-check')}.** {tr(question)}", "",
                *(f"{number}. {tr(text.strip())}" for number, (text, _) in enumerate(choices, start=1)), "",
                f"<details><summary>{ui(self.app.config, 'Show the answer')}</summary>", "",
                f"**{answer}. {right_text}.** {right_feedback}", "", "</details>", ""]

    def role(self, match: re.Match) -> str:
        name, content = match["name"], match["content"]
        explicit = EXPLICIT.match(content)
        text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
        if name in ("glue", "glue:text", "glue:"):
            return self.glued(content)
        if name.startswith("cite"):
            return self.citation(name.partition(":")[2] or "p", content)
        if name == "doc":
            docname = posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), target))
            title = self.app.env.titles.get(docname)
            if text is not None:
                return f"*{text}*"
            if title is None:
                self.warn(f"no page {target!r}")
                return f"*{target}*"
            return f"*{title.astext()}*"
        if name == "download":
            return f"`{text or posixpath.basename(target)}`"
        if name == "math":
            return f"${content}$"
        return text if text is not None else target

    def glued(self, content: str) -> str:
        from myst_nb.core.variables import format_plain_text

        # As myst-nb reads the role: the format follows the last colon, and defaults to "s".
        key, spec = content.rsplit(":", 1) if ":" in content else (content, "s")
        if "::" in key:
            # The book writes its own page's values as `page.md::key` too (a translated
            # paragraph needs that form); only another page's values are refused.
            page, key = key.split("::", 1)
            page = posixpath.splitext(posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), page)))[0]
            if page != self.docname:
                self.warn(f"glue from another page ({content!r}) is not written into the notebook")
                return content
        if key not in self.glue:
            self.warn(f"glue key {key!r} was not set by the chapter's code")
            return content
        text = format_plain_text(self.glue[key]["data"]["text/plain"], spec)
        try:
            return localised_glue(text, self.app.config.language or "en")
        except KeyError as missing:
            self.warn(str(missing.args[0]))
            return text

    def citation(self, style: str, keys: str) -> str:
        domain = self.app.env.get_domain("cite")
        pending = addnodes.pending_xref("", refdomain="cite", reftype=style, reftarget=keys, refdoc=self.docname)
        pending.source, pending.line = str(self.source), 0
        resolved = domain.resolve_xref(self.app.env, self.docname, self.app.builder, style, keys, pending,
                                       nodes.inline())
        return resolved.astext() if resolved is not None else keys


def _after_first_heading(text: str, addition: str) -> str:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: index + 1], "", addition, *lines[index + 1:]])
    return "\n".join([addition, "", *lines])


def write_notebook(app, pagename, templatename, context, doctree):
    """Write the page's notebook into the built book and offer it in the download menu."""
    if app.builder.format != "html" or doctree is None or pagename not in app.env.found_docs:
        return
    if not is_chapter_notebook(app, pagename):
        return
    notebook = Converter(app, pagename).notebook()
    target = Path(app.outdir, *notebook_path(pagename).split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    # sphinx-book-theme lists `_sources/<ipynb_source>` as the ".ipynb" entry of its download menu.
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.add_node(notebook_link, html=(visit_notebook_link_html, None), latex=(skip, None), text=(skip, None))
    app.connect("doctree-read", add_link_under_title)
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", write_notebook, priority=500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
