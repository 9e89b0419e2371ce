"""Package structure: light imports, layering."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


def test_import_cxlab_stays_light():
    code = "import sys, cxlab, cxlab.data; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'nbgrader') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize("module", ["metrics", "stats", "data", "_validate"])
def test_lower_layers_never_import_presentation_or_course(module):
    source = (ROOT / "cxlab" / f"{module}.py").read_text(encoding="utf-8")
    for forbidden in ("matplotlib", "ipywidgets", "cxlab.course", "from .course", "from .plots", "from .widgets", "nbgrader"):
        assert forbidden not in source, f"cxlab/{module}.py mentions {forbidden}"


def test_metrics_layer_does_not_import_stats():
    assert "from .stats" not in (ROOT / "cxlab" / "metrics.py").read_text(encoding="utf-8")
