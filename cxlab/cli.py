"""The ``cxlab`` command line: course commands for instructors.

Run ``cxlab --help`` or ``cxlab COMMAND --help``.
"""

from __future__ import annotations

import argparse
import logging
import sys


def _assign(arguments) -> int:
    from .course import assign

    for result in assign(arguments.assignments or None, root=arguments.root):
        for notebook in result.notebooks:
            print(f"{result.assignment}: wrote {notebook}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxlab", description="CX Lab course commands (run inside the course folder).")
    parser.add_argument("--root", default=".", help="course folder, or a folder inside it (default: here)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show nbgrader's log")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    assign = commands.add_parser(
        "assign",
        help="regenerate exercises/ from solutions/",
        description="Regenerate the student versions (exercises/) from the instructor sources (solutions/) "
        "with nbgrader generate_assignment: solutions are replaced and hidden tests removed.",
    )
    assign.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    assign.set_defaults(handler=_assign)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if arguments.verbose else logging.WARNING, format="%(message)s")
    from .course import CourseError

    try:
        return arguments.handler(arguments)
    except CourseError as error:
        print(f"cxlab: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
