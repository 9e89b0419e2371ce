"""The feedback preprocessor: what each check said, never the instructor's hidden code.

:class:`HideHiddenTests` is nbgrader's own ``ClearHiddenTests`` preprocessor, run by
``cxlab feedback`` inside ``generate_feedback``. It finds the hidden-test regions by the
delimiters the course configures (``ClearHiddenTests.begin_test_delimeter`` and
``end_test_delimeter``, nbgrader's spelling, in ``nbgrader_config.py``), and differs in
two ways: each region is replaced by one comment line, so that a learner sees where
checks ran; and each error's traceback is cut down to its last line
(``AssertionError: the message``), because a traceback quotes the source line that failed.

Imports: nbgrader and nbconvert (loaded only by ``cxlab feedback``); no other module of cxlab.
"""

from __future__ import annotations

from nbconvert.filters import strip_ansi
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Unicode


class HideHiddenTests(ClearHiddenTests):
    """Replace hidden tests by a comment and tracebacks by their last line, before feedback."""

    note = Unicode(
        "# (hidden checks ran here when your notebook was graded)",
        help="The line that stands where a hidden-test region was.",
    ).tag(config=True)

    def _remove_hidden_test_region(self, cell) -> bool:
        # nbgrader removes each region, delimiters included; the note goes in before it,
        # indented as the region's first line.
        lines = []
        for line in cell.source.split("\n"):
            if self.begin_test_delimeter in line:
                lines.append(line[: len(line) - len(line.lstrip())] + self.note)
            lines.append(line)
        cell.source = "\n".join(lines)
        return super()._remove_hidden_test_region(cell)

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [strip_ansi(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}")]
        return cell, resources
