"""Package structure: light imports, layering, the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cxlab import cli
from cxlab.course import CourseError, assign

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


def test_cli_help_for_every_command(capsys):
    parser = cli.build_parser()
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--help"])
    assert exit_info.value.code == 0
    assert "assign" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["assign", "--help"])
    assert "solutions/" in capsys.readouterr().out


def test_assign_rejects_an_unknown_assignment(course):
    with pytest.raises(CourseError, match=r"unknown assignment\(s\) \['nope'\]"):
        assign(["nope"], root=course)


def test_cli_reports_errors_without_a_traceback(course, capsys):
    assert cli.main(["--root", str(course), "assign", "nope"]) == 1
    assert "unknown assignment" in capsys.readouterr().err


def test_outside_a_course_is_a_clear_error(tmp_path):
    with pytest.raises(CourseError, match="no nbgrader_config.py"):
        assign(root=tmp_path)
