"""The ``cxlab`` command: ``survey-report`` for training teams, the course commands for instructors.

``cxlab survey-report EXPORT ...`` runs with the ``teams`` extra alone: this module parses
it without importing :mod:`cxlab.course`, whose commands (assign, variant, collect, grade,
feedback, export, report, similarity) need nbgrader and the rest of the ``course`` extra. Those load only when
one of them runs, or to list them under ``cxlab --help``; where the course extra is not
installed, the command says which extra to install instead of failing on an import.

Imports: :mod:`cxlab.report` when ``survey-report`` runs, :mod:`cxlab.course.cli` when a
course command runs or the help lists them; the standard library otherwise.
"""

from __future__ import annotations

import argparse
import sys

#: The course's commands, by name (cxlab.course.cli defines them; tests/test_cli.py checks the two agree).
COURSE_COMMANDS = ("assign", "variant", "collect", "grade", "feedback", "export", "report", "similarity")
#: The course command line's own options that take a value and may come before the command.
COURSE_OPTIONS_WITH_VALUE = ("--root", "--db-url")
SURVEY_REPORT = "survey-report"
INSTALL_COURSE = 'pip install "cxlab[course]"'
INSTALL_TEAMS = 'pip install "cxlab[teams]"'

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``cxlab`` with ``argv`` (default: the command line); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    if command == SURVEY_REPORT:
        return _survey_report(argv)
    course, missing = _course_cli()
    if command in COURSE_COMMANDS and course is None:
        print(f"cxlab {command} is a course command: it needs the course extra, which is not installed here "
              f"({missing} is missing). Install it with: {INSTALL_COURSE}", file=sys.stderr)
        return 1
    if course is not None:
        # The course's parser lists every command, survey-report too, and reports unknown ones.
        return course.main(argv)
    parser = _parser()
    if command is None and not any(option in argv for option in ("-h", "--help")):
        parser.print_help(sys.stderr)
        return 2
    parser.parse_args(argv)  # --help, or an unknown command: argparse prints and exits
    return 2


def _command_of(argv: list[str]) -> str | None:
    """The command's name: the first word that is neither an option nor an option's value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in COURSE_OPTIONS_WITH_VALUE
        else:
            return word
    return None


def _parser() -> argparse.ArgumentParser:
    """``cxlab`` with survey-report; the course commands named, with the extra they need."""
    from .report import _add_command

    parser = argparse.ArgumentParser(
        prog="cxlab", description="CX Lab. For training teams: survey-report, one HTML report of your own survey "
        "export. For instructors: the course commands.",
        epilog=f"The course commands ({', '.join(COURSE_COMMANDS)}) need the course extra, which is not installed "
        f"here: {INSTALL_COURSE}. The survey report needs the teams extra: {INSTALL_TEAMS}.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_command(commands)
    return parser


def _survey_report(argv: list[str]) -> int:
    from .io import MissingExtra

    arguments = _parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except (MissingExtra, ValueError, TypeError, FileNotFoundError) as error:
        print(f"cxlab: {error}", file=sys.stderr)
        return 1


def _course_cli():
    """(:mod:`cxlab.course.cli`, None), or (None, the missing package) when the course extra is not installed."""
    try:
        from .course import cli
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] == "cxlab":
            raise  # a module of cxlab itself: a real error, not a missing extra
        return None, error.name
    return cli, None


if __name__ == "__main__":
    sys.exit(main())
