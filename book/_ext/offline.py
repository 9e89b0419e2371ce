"""Keep the built pages free of scripts that would need the internet.

Thebe (live code through a remote Binder kernel) is never used by this book: its
start-up script points at a CDN and is sometimes added twice, which the browser
reports as an error. This extension drops it from every page, and serves the small
configuration script that points the widget manager at its own files, a script that
names the theme's and the widgets' unlabelled controls for screen readers, and one that
lets the widget manager's MathJax 2 calls reach the book's MathJax 3.

It also locks the explorers' controls on the static page. Their saved state shows the
chart drawn at build time, and without a kernel nothing redraws it: a slider that moved
would show one value beside a chart drawn for another. Every control in the page's saved
widget state is set ``disabled``; in a live notebook the same explorers work as usual.
"""

from __future__ import annotations

import json
from pathlib import Path

STATIC = Path(__file__).parent / "static"


def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", "") or "")
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body or "unpkg.com/thebe" in filename


def drop_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is None:
        return
    kept, seen = [], set()
    for script in scripts:
        if _is_thebe(script):
            continue
        key = (str(getattr(script, "filename", script)), str(getattr(script, "attributes", {}).get("body", "")))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def locked_state(body: str) -> str:
    """The saved widget state with every control that can be disabled set ``disabled``."""
    state = json.loads(body.replace("<\\/", "</"))
    for model in state.get("state", {}).values():
        if "disabled" in model.get("state", {}):
            model["state"]["disabled"] = True
    return json.dumps(state).replace("</", "<\\/")


def lock_static_controls(app, pagename, templatename, context, doctree):
    for script in context.get("script_files") or []:
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") == WIDGET_STATE and attributes.get("body"):
            attributes["body"] = locked_state(attributes["body"])


def add_static_path(app):
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", add_static_path)
    app.connect("html-page-context", drop_thebe, priority=900)
    app.connect("html-page-context", lock_static_controls, priority=900)
    app.add_js_file("a11y.js")
    # Before MathJax's configuration and MathJax itself (priority 500 by default).
    app.add_js_file("mathjax-widgets.js", priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
