"""Figures, tables and widgets that stay readable at a phone's width.

- Every image in the book is wrapped in a link to its own file, so a reader can open a
  figure at full size (and zoom it on a phone); a short visible hint says so.
- ``layout.css`` keeps wide tables scrolling inside their own box rather than widening
  the page, and on narrow screens puts a slider's label above its track, so the track
  keeps a usable length.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path
from urllib.parse import quote

from docutils import nodes

STATIC = Path(__file__).parent / "static"


class full_size_link(nodes.General, nodes.Element):
    """A link around an image, to the image file itself."""


def wrap_images(app, doctree, docname):
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        if isinstance(image.parent, (nodes.reference, full_size_link)) or "://" in uri or uri.startswith("data:"):
            continue
        link = full_size_link()
        image.replace_self(link)
        link.append(image)


def visit_full_size_link_html(self, node):
    uri = node[0]["uri"]
    # The builder has copied the image by now (post_process_images runs before writing).
    if uri in self.builder.images:
        uri = posixpath.join(self.builder.imgpath, quote(self.builder.images[uri]))
    self.body.append(f'<a class="full-size-figure reference internal" href="{html.escape(uri, quote=True)}">')


def depart_full_size_link_html(self, node):
    self.body.append('<span class="full-size-hint">Open the figure at full size</span></a>')


def visit_plain(self, node):
    pass


def depart_plain(self, node):
    pass


def add_static_path(app):
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.add_node(full_size_link, html=(visit_full_size_link_html, depart_full_size_link_html),
                 latex=(visit_plain, depart_plain), text=(visit_plain, depart_plain))
    app.connect("doctree-resolved", wrap_images)
    app.connect("builder-inited", add_static_path)
    app.add_css_file("layout.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
