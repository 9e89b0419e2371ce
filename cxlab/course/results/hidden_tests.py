"""The feedback preprocessor: what each check said, never the instructor's hidden code.

:class:`HideHiddenTests` is nbgrader's own ``ClearHiddenTests`` preprocessor, run by
``cxlab feedback`` inside ``generate_feedback``. It finds the hidden-test regions by the
delimiters the course configures (``ClearHiddenTests.begin_test_delimeter`` and
``end_test_delimeter``, nbgrader's spelling, in ``nbgrader_config.py``), and differs in
three ways: each region is replaced by one comment line, so that a learner sees where
checks ran; each error's traceback is cut down to its last line (``AssertionError: the
message``), because a traceback quotes the source line that failed; and delimiters are
looked for only in the autograder's test cells, whose source the grader restored from
the instructor's notebook. A student's own cell that mentions a delimiter (in a comment,
say) is the student's text, shown as written, and never stops the feedback of anyone.
A test cell whose region is not closed loses everything after its opening delimiter.

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
        """Replace each region by the note (indented as its first line); True when one was found."""
        lines, inside, found = [], False, False
        for line in cell.source.split("\n"):
            if self.begin_test_delimeter in line:
                if not inside:
                    lines.append(line[: len(line) - len(line.lstrip())] + self.note)
                inside = found = True
            elif self.end_test_delimeter in line:
                inside = False
            elif not inside:
                lines.append(line)
        cell.source = "\n".join(lines)
        return found

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            self._remove_hidden_test_region(cell)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [strip_ansi(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}")]
        return cell, resources
