"""The ``cxlab`` command: every step's command and option, errors without a traceback.

The program itself runs in a subprocess (``.venv/bin/cxlab``, the entry point
``cxlab.course.cli:main``); the parser is also checked in-process.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from cxlab.course import cli

from ..helpers import BIN
from .submissions import CLASS

CXLAB = BIN / "cxlab"


def test_cli_help_for_every_command(capsys):
    parser = cli.build_parser()
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--help"])
    assert exit_info.value.code == 0
    assert "assign" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["assign", "--help"])
    assert "solutions/" in capsys.readouterr().out


def test_cli_reports_errors_without_a_traceback(course, capsys):
    assert cli.main(["--root", str(course), "assign", "nope"]) == 1
    assert "unknown assignment" in capsys.readouterr().err


def test_the_export_formats_are_the_exporters(capsys):
    from cxlab.course.results.exports import EXPORTERS

    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["export", "--format", "xlsx"])
    assert "choose from 'csv', 'canvas', 'moodle'" in capsys.readouterr().err
    assert tuple(EXPORTERS) == ("csv", "canvas", "moodle")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["assign", "collect", "grade", "feedback", "export", "report"])
def test_every_command_has_help(command):
    completed = subprocess.run([str(CXLAB), command, "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0 and "usage: cxlab" in completed.stdout, completed.stderr
    assert len(completed.stdout.splitlines()) > 3


@pytest.mark.slow
def test_cli_grades_exports_and_reports(baseline, tmp_path):
    course, _ = baseline
    for fmt in ("csv", "canvas", "moodle"):
        out = tmp_path / f"{fmt}.csv"
        completed = subprocess.run([str(CXLAB), "--root", str(course), "export", "--format", fmt, "--output", str(out)],
                                   capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
        assert out.read_text().count("\n") >= len(CLASS)
    completed = subprocess.run([str(CXLAB), "--root", str(course), "report", "nps", "--output", str(tmp_path)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "q5_channels" in completed.stdout and (tmp_path / "item-analysis-nps.png").is_file()
    bad = subprocess.run([str(CXLAB), "--root", str(course), "grade", "nope"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "unknown assignment 'nope'" in bad.stderr
    json.loads((course / "grading-log" / "nps" / "s01.json").read_text())


@pytest.mark.slow
def test_commands_are_quiet_unless_verbose(course, tmp_path):
    """nbgrader's INFO log only with -v; the exchange's complaint never, as the course sets no exchange."""
    def run(*arguments):
        return subprocess.run([str(CXLAB), "--root", str(course), *arguments], capture_output=True, text=True,
                              timeout=300)

    quiet = run("assign", "nps")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.startswith("nps: wrote ") and quiet.stderr == ""
    loud = run("-v", "assign", "nps")
    assert "Setting destination file permissions" in loud.stdout + loud.stderr  # nbgrader's own INFO line
    export = tmp_path / "export"
    export.mkdir()
    (export / "notes.txt").write_text("stray")
    for completed in (quiet, loud, run("collect", "nps", str(export)), run("-v", "collect", "nps", str(export))):
        assert "Unwritable directory" not in completed.stdout + completed.stderr


def test_canvas_assignment_ids_on_the_command_line():
    assert cli._canvas_ids(["nps=4711", "butterfly=4712"], None) == {"nps": "4711", "butterfly": "4712"}
    assert cli._canvas_ids(["4711"], "nps") == {"nps": "4711"}
    with pytest.raises(cli.CourseError, match="say which assignment, as NAME=4711"):
        cli._canvas_ids(["4711"], None)
    with pytest.raises(cli.CourseError, match="a Canvas assignment id is a number"):
        cli._canvas_ids(["nps=abc"], None)
