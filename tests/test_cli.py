"""The `cxlab` command: survey-report without the course toolkit, the course commands when it is there.

The installs with one extra each are in tests/test_packaging.py; here the command runs in
the suite's environment, with the course toolkit made unimportable where a test needs it gone.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from cxlab import cli

from .lib.messy_exports import polish_tool


def course_parser():
    from cxlab.course.cli import build_parser

    return build_parser()


def subcommands(parser) -> set[str]:
    (action,) = [action for action in parser._actions if action.dest == "command"]
    return set(action.choices)


def test_the_course_commands_it_names_are_the_course_toolkits():
    assert set(cli.COURSE_COMMANDS) == subcommands(course_parser()) - {cli.SURVEY_REPORT}


def test_the_course_options_it_skips_are_those_that_take_a_value():
    options = {option for action in course_parser()._actions if action.option_strings and action.nargs != 0
               and action.dest != "help" for option in action.option_strings if option.startswith("--")}
    assert options == set(cli.COURSE_OPTIONS_WITH_VALUE)


@pytest.mark.parametrize(("argv", "command"), [
    (["survey-report", "x.csv"], "survey-report"),
    (["--root", "survey-report", "grade", "a"], "grade"),       # 'survey-report' here is the value of --root
    (["-v", "--db-url", "sqlite:///g.db", "export"], "export"),
    (["--root=course", "grade", "a"], "grade"),
    (["--help"], None),
    ([], None),
])
def test_the_command_is_the_first_word_that_is_no_option_or_its_value(argv, command):
    assert cli._command_of(argv) == command


def run_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter where the course toolkit cannot be imported (as without the course extra)."""
    blocker = ("import sys\n"
               "class _NoCourse:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'nbgrader' or name.startswith('nbgrader.'):\n"
               "            raise ModuleNotFoundError(f\"No module named '{name}'\", name=name)\n"
               "sys.meta_path.insert(0, _NoCourse())\n")
    return subprocess.run([sys.executable, "-c", blocker + code], capture_output=True, text=True, timeout=300)


def test_survey_report_runs_without_the_course_toolkit_and_never_imports_it(tmp_path):
    case = polish_tool(tmp_path)
    done = run_python(f"from cxlab.cli import main\n"
                      f"code = main(['survey-report', {str(case.path)!r}, '--score', {case.score!r}, '--lang', 'pl'])\n"
                      f"print('exit', code, 'course loaded:', any(m.startswith('cxlab.course') for m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert "exit 0 course loaded: False" in done.stdout
    assert case.path.with_name("eksport_ankiety-report.html").is_file()


def test_without_the_course_extra_help_names_the_extras_and_course_commands_say_what_to_install():
    done = run_python("from cxlab.cli import main\nmain(['--help'])")
    assert done.returncode == 0, done.stderr
    help_text = " ".join(done.stdout.split())
    assert "survey-report" in help_text
    assert ('The course commands (assign, variant, collect, grade, feedback, export, report, similarity) need the course extra, which is '
            'not installed here: pip install "cxlab[course]"') in help_text
    assert 'pip install "cxlab[teams]"' in help_text
    done = run_python("from cxlab.cli import main\nsys.exit(main(['grade', 'nps']))")
    assert done.returncode == 1
    assert ('cxlab grade is a course command: it needs the course extra, which is not installed here (nbgrader is '
            'missing). Install it with: pip install "cxlab[course]"') in done.stderr
    done = run_python("from cxlab.cli import main\nsys.exit(main([]))")
    assert done.returncode == 2 and "usage: cxlab" in done.stderr


def test_with_the_course_toolkit_the_course_commands_run_and_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in (*cli.COURSE_COMMANDS, cli.SURVEY_REPORT))
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    assert "usage: cxlab grade" in capsys.readouterr().out


def test_a_survey_report_error_is_one_line_with_the_cause(tmp_path, capsys):
    assert cli.main(["survey-report", str(tmp_path / "missing.csv"), "--score", "x"]) == 1
    assert capsys.readouterr().err == f"cxlab: no survey export at {tmp_path / 'missing.csv'}\n"
