"""Self-check questions that work in the static book, with no kernel.

A ``selfcheck`` directive renders a multiple-choice question at build time; a small
script served from the book's own ``_static`` folder marks the reader's choice and
shows the feedback written for that option::

    ```{selfcheck} Which change is within sampling noise?
    :answer: 2
    - First option | Feedback shown when it is chosen.
    - Second option | Feedback shown when it is chosen.
    ```

``:answer:`` is the number of the correct option, counting from 1. Self-checks are
practice, not grading: the page holds the answer, as a printed textbook would.
"""

from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives

STATIC = Path(__file__).parent / "static"


class selfcheck_node(nodes.General, nodes.Element):
    pass


class SelfCheck(Directive):
    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"answer": directives.positive_int}

    def run(self):
        question = self.arguments[0].strip()
        options = []
        for line in self.content:
            line = line.strip()
            if not line:
                continue
            if not line.startswith("- ") or "|" not in line:
                raise self.error(f"selfcheck options must look like '- text | feedback', got {line!r}")
            text, feedback = (part.strip() for part in line[2:].split("|", 1))
            options.append((text, feedback))
        if len(options) < 2:
            raise self.error("a selfcheck needs at least two options")
        answer = self.options.get("answer")
        if answer is None or not 1 <= answer <= len(options):
            raise self.error(f":answer: must be an option number from 1 to {len(options)}, got {answer!r}")
        env = self.state.document.settings.env
        serial = env.new_serialno("selfcheck")
        node = selfcheck_node()
        node["question"], node["options"], node["answer"] = question, options, answer
        node["ident"] = f"selfcheck-{env.docname.replace('/', '-')}-{serial}"
        return [node]


def visit_html(self, node):
    from languages import ui

    config = self.builder.config
    ident = node["ident"]
    words = {name: html.escape(ui(config, english), quote=True) for name, english in
             (("first", "Choose an answer first."), ("right", "Correct."), ("wrong", "Not quite."))}
    parts = [f'<div class="selfcheck" id="{ident}" data-answer="{node["answer"]}" data-first="{words["first"]}" '
             f'data-right="{words["right"]}" data-wrong="{words["wrong"]}">',
             f'<p class="selfcheck-label">{html.escape(ui(config, "Self-check"))}</p><fieldset>'
             f'<legend class="selfcheck-question">{html.escape(node["question"])}</legend>']
    for number, (text, feedback) in enumerate(node["options"], start=1):
        option_id = f"{ident}-{number}"
        parts.append(
            f'<div class="selfcheck-option"><input type="radio" name="{ident}" id="{option_id}" value="{number}" '
            f'data-feedback="{html.escape(feedback, quote=True)}"><label for="{option_id}">{html.escape(text)}</label></div>'
        )
    parts.append(f'</fieldset><button type="button" class="selfcheck-button">{html.escape(ui(config, "Check my answer"))}</button>'
                 '<p class="selfcheck-feedback" role="status" aria-live="polite"></p></div>')
    self.body.append("".join(parts))
    raise nodes.SkipNode


def skip(self, node):
    raise nodes.SkipNode


def add_static_path(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.add_node(selfcheck_node, html=(visit_html, None), latex=(skip, None), text=(skip, None))
    app.add_directive("selfcheck", SelfCheck)
    app.connect("builder-inited", add_static_path)
    app.add_js_file("selfcheck.js")
    app.add_css_file("selfcheck.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
