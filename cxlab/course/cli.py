"""The ``cxlab`` command line: course commands for instructors.

Run ``cxlab --help`` or ``cxlab COMMAND --help``. One command per step of the grading
cycle: assign, variant, collect, grade, feedback, export, report, similarity. Each command calls the function
of the same step; this module only parses arguments and prints results.

Imports: every step's module of :mod:`cxlab.course`: config; releasing's assign and
collect; grading's grade; results' grades, exports, feedback, item_analysis and similarity; shared's
sanitise (:func:`~cxlab.course.shared.sanitise.terminal_safe`); and the ``survey-report``
command of :mod:`cxlab.report`. It is the wing's top layer: no module imports this one.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from .config import CourseError, find_course_root, late_penalty_configured, load_config, set_verbose
from .grading.grade import grade
from .releasing.assign import assign
from .releasing.collect import collect
from .results.exports import FORMATS, export_grades
from .results.feedback import FeedbackFailures, feedback
from .results.grades import scores_table
from .results.item_analysis import item_analysis, item_analysis_figure
from .results.similarity import write_similarity_report
from .shared.sanitise import terminal_safe


def _assign(arguments) -> int:
    for result in assign(arguments.assignments or None, root=arguments.root, db_url=arguments.db_url,
                         language=arguments.language):
        for notebook in result.notebooks:
            print(f"{result.assignment}: wrote {notebook}")
    return 0


def _variant(arguments) -> int:
    import csv
    import json

    from .config import course_api, require_assignments
    from .shared import variants
    from .shared.gradebook import student_ids

    root = find_course_root(arguments.root)
    require_assignments(root, arguments.assignment)
    if not variants.uses_variants(root, arguments.assignment):
        raise CourseError(f"{arguments.assignment} has no VARIANT cell: every student has the same data")
    if arguments.refresh:
        changes = variants.refresh_records(root, arguments.assignment, arguments.student or None)
        for student, changed in sorted(changes.items()):
            print(f"{terminal_safe(student)}: " + (", ".join(f"{name} {value['was']!r} -> {value['now']!r}"
                                                           for name, value in changed.items())
                                                 or "data changed, answers the same"))
        print(f"{arguments.assignment}: recorded again with the generator as it is now; "
              f"{len(changes)} student(s) changed")
        return 0
    if arguments.roster:
        _, coursedir = course_api(root, db_url=arguments.db_url)
        students = arguments.student or student_ids(coursedir.db_url, coursedir.course_id)
        rows = variants.roster_rows(root, arguments.assignment, students)
        with open(arguments.roster, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["student", "variant", "fingerprint", "generator_version"])
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {arguments.roster}: {len(rows)} student(s)")
        return 0
    if not arguments.student or len(arguments.student) != 1:
        raise CourseError("name one student: cxlab variant ASSIGNMENT --student ID (or --roster FILE for all)")
    student = arguments.student[0]
    if arguments.set:
        record = variants.set_variant(root, arguments.assignment, student, arguments.set)
    else:
        variants.record_students(root, arguments.assignment, [student])
        record = variants.read_registry(root, arguments.assignment)[student]
    if arguments.json:
        print(json.dumps({"student": student, "variant": record["variant"], "fingerprint": record["fingerprint"],
                          "answers": record["answers"]}, ensure_ascii=False))
        return 0
    print(f"{terminal_safe(student)}: variant {record['variant']!r}, data fingerprint {record['fingerprint']}, "
          f"generator version {record['generator_version']}")
    for key, value in record.get("task", {}).items():
        print(f"  asked: {key} = {value!r}")
    for name, value in record["answers"].items():
        print(f"  {name} = {value!r}")
    return 0


def _standing(arguments, assignment: str | None) -> tuple[pd.DataFrame, bool]:
    """The gradebook's scores (pending points, lateness, penalty), and whether the course sets a late penalty."""
    table = scores_table(arguments.root, assignment, db_url=arguments.db_url)
    return table, late_penalty_configured(load_config(find_course_root(arguments.root)))


def _collect(arguments) -> int:
    result = collect(arguments.assignment, arguments.source, root=arguments.root, pattern=arguments.pattern,
                     force=arguments.force, db_url=arguments.db_url)
    print(terminal_safe(result.report()))
    return 0 if not result.unplaced else 2


def _grade(arguments) -> int:
    summary = grade(arguments.assignment, root=arguments.root, students=arguments.student or None,
                    workers=arguments.workers, cell_timeout=arguments.cell_timeout, time_limit=arguments.time_limit,
                    memory_mb=arguments.memory, force=arguments.force, db_url=arguments.db_url,
                    progress=not arguments.no_progress, unsandboxed=arguments.unsandboxed)
    standing = {}
    if summary.records:
        table, penalised = _standing(arguments, arguments.assignment)
        standing = {row.student: {"pending_points": row.pending_points, "seconds_late": row.seconds_late,
                                  "late_penalty": row.late_penalty if penalised else None}
                    for row in table[table["submitted"]].itertuples()}
    print(summary.report(standing))
    if summary.flagged:
        print(f"\n{len(summary.flagged)} submission(s) flagged for review (see grading-log/{arguments.assignment}/): "
              + ", ".join(terminal_safe(student) for student in summary.flagged))
    return 1 if summary.grader_failures or summary.refused else 0


def _feedback(arguments) -> int:
    try:
        written = feedback(arguments.assignment, root=arguments.root, students=arguments.student or None,
                           db_url=arguments.db_url, progress=True)
        failures = {}
    except FeedbackFailures as error:
        written, failures = error.written, error.failures
    for student, pages in written.items():
        for page in pages:
            print(f"{terminal_safe(student)}: {terminal_safe(page)}")
    for student, reason in failures.items():
        print(f"{terminal_safe(student)}: no feedback page: {terminal_safe(reason)}", file=sys.stderr)
    if failures:
        print(f"cxlab: {len(failures)} feedback page(s) could not be made (listed above); the others were written",
              file=sys.stderr)
    return 1 if failures else 0


def _canvas_ids(values: list[str] | None, assignment: str | None) -> dict[str, str]:
    """``--canvas-assignment-id`` values: ``NAME=ID``, or a bare ``ID`` with ``--assignment``."""
    ids = {}
    for value in values or []:
        name, _, number = value.rpartition("=")
        if not name:
            if assignment is None:
                raise CourseError(f"--canvas-assignment-id {value}: say which assignment, as NAME={value}, "
                                  "or export one with --assignment")
            name = assignment
        if not number.isdigit():
            raise CourseError(f"--canvas-assignment-id {value}: a Canvas assignment id is a number (the ID in "
                              ".../courses/C/assignments/ID)")
        ids[name] = number
    return ids


def export_summary(table: pd.DataFrame, penalised: bool) -> str:
    """Lines about what an export holds that a grader should know: points still to grade, lateness.

    >>> table = pd.DataFrame({"student": ["1001", "1003"], "assignment": ["nps", "nps"], "submitted": [True, True],
    ...                       "score": [12.0, 11.0], "max_score": [14.0, 14.0], "pending_points": [2.0, 0.0],
    ...                       "seconds_late": [0.0, 32400.0], "late_penalty": [0.0, 0.0]})
    >>> print(export_summary(table, penalised=False))
      1001/nps  12/14  + 2 to grade by hand
      1003/nps  11/14  9.0 h late
    1 submission(s) exported before hand grading: 2 points not in the file yet
    """
    from .releasing.collect import _duration

    lines, pending = [], table[table["pending_points"] > 0]
    for row in table[(table["pending_points"] > 0) | (table["seconds_late"] > 0)].itertuples():
        notes = []
        if row.pending_points > 0:
            notes.append(f"+ {row.pending_points:g} to grade by hand")
        if row.seconds_late > 0:
            notes.append(f"{_duration(row.seconds_late)} late" + (f" (penalty {row.late_penalty:g})" if penalised else ""))
        lines.append(f"  {row.student}/{row.assignment}  {row.score:g}/{row.max_score:g}  " + ", ".join(notes))
    if not pending.empty:
        lines.append(f"{len(pending)} submission(s) exported before hand grading: "
                     f"{pending['pending_points'].sum():g} points not in the file yet")
    return "\n".join(lines)


def _export(arguments) -> int:
    path = export_grades(arguments.output, fmt=arguments.format, root=arguments.root, assignment=arguments.assignment,
                         db_url=arguments.db_url,
                         canvas_assignment_ids=_canvas_ids(arguments.canvas_assignment_id, arguments.assignment),
                         lms_gradebook=arguments.lms_gradebook)
    table, penalised = _standing(arguments, arguments.assignment)
    print(f"wrote {path}: {table['student'].nunique()} student(s), {table['assignment'].nunique()} assignment(s)")
    summary = export_summary(table, penalised)
    if summary:
        print(summary)
    return 0


def _report(arguments) -> int:
    table = item_analysis(arguments.assignment, root=arguments.root, db_url=arguments.db_url)
    with pd.option_context("display.width", 160, "display.max_colwidth", 70):
        print(table.to_string(index=False))
    folder = Path(arguments.output or ".")
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / f"item-analysis-{arguments.assignment}.csv", index=False)
    figure = item_analysis_figure(table)
    figure.savefig(folder / f"item-analysis-{arguments.assignment}.png", dpi=120)
    print(f"wrote {folder / f'item-analysis-{arguments.assignment}.csv'} and .png")
    return 0


def _similarity(arguments) -> int:
    import json

    report, path = write_similarity_report(arguments.assignment, arguments.root, output=arguments.output,
                                           db_url=arguments.db_url)
    if arguments.json:
        print(json.dumps({**report.to_dict(), "page": str(path)}, ensure_ascii=True, default=str))
        return 0
    for line in report.top_lines(9):
        print(line)
    print(terminal_safe(f"wrote {path}: evidence for review, not verdicts"))
    return 0


def _command(commands, name: str, handler, summary: str, description: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=description)
    command.set_defaults(handler=handler)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxlab", description="CX Lab course commands (run inside the course folder). The grading cycle: "
        "assign -> (release) -> collect -> grade -> (formgrader for written answers) -> feedback -> export, report, similarity.")
    parser.add_argument("--root", default=".", help="course folder, or a folder inside it (default: here)")
    parser.add_argument("--db-url", default=None,
                        help="gradebook (SQLAlchemy URL); default: nbgrader_config.py's, SQLite gradebook.db. "
                        "PostgreSQL for several graders: postgresql+psycopg://user@host/db")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show nbgrader's own log (its INFO lines) and the exchange's warnings; without it a "
                             "command prints warnings that matter, a progress bar and a summary")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    assign = _command(
        commands, "assign", _assign, "regenerate exercises/ from solutions/",
        "Regenerate the student versions (exercises/) from the instructor sources (solutions/) "
        "with nbgrader generate_assignment: solutions are replaced and hidden tests removed.")
    assign.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    assign.add_argument("--language", choices=("en", "pl"), default=None,
                        help="the language of the student versions (default: the course's "
                             "CourseSettings.language, English); pl translates them from the course's "
                             "catalogues (book/locale/pl/exercises) and grades them the same way")

    variant = _command(
        commands, "variant", _variant, "a student's variant, data fingerprint and expected answers",
        "Each student works on their own data (a variant: their id as the gradebook knows it). Print one "
        "student's variant, data fingerprint, what their variant asks and their expected answers (recording "
        "the student if new); --set grades them on another variant from now on; --roster writes every "
        "student's variant as CSV for the LMS; --refresh records everyone again after a generator change.")
    variant.add_argument("assignment")
    variant.add_argument("--student", action="append", help="the student's id (repeatable with --roster, --refresh)")
    variant.add_argument("--json", action="store_true",
                         help='print {"student", "variant", "fingerprint", "answers": {NAME: VALUE}}')
    variant.add_argument("--set", metavar="VARIANT", help="grade the student on VARIANT from now on")
    variant.add_argument("--roster", metavar="FILE", help="write student, variant, fingerprint as CSV")
    variant.add_argument("--refresh", action="store_true",
                         help="record the students again with the generator as it is now, listing changed answers")

    collect = _command(
        commands, "collect", _collect, "place an LMS export (folder or zip) into submitted/",
        "Take the submissions an LMS exported (a folder or a zip, one notebook per student, the "
        "student id in the file name) into nbgrader's submitted/STUDENT/ASSIGNMENT/ layout, with a timestamp. "
        "Files it cannot place are listed (exit code 2), never dropped silently.")
    collect.add_argument("assignment")
    collect.add_argument("source", help="folder or .zip of submissions")
    collect.add_argument("--pattern", help="regular expression with a group (?P<student>...) searched in each file name "
                         "(default: StudentIdCollector.named_regexp in nbgrader_config.py, else the first number "
                         "between underscores, e.g. 'Jan Kowalski_12345_assignsubmission_file_nps.ipynb' -> 12345)")
    collect.add_argument("--force", action="store_true", help="replace submissions already collected")

    grade = _command(
        commands, "grade", _grade, "autograde in parallel, resumable, sandboxed",
        "Autograde every submission of ASSIGNMENT, in parallel: each notebook runs in an operating-system sandbox "
        "(bubblewrap) and only its answers, as data, reach the instructor's checks. "
        "A re-run grades only what is not graded yet (or was resubmitted) unless --force. Prints a summary; "
        "records per student are in grading-log/ASSIGNMENT/.")
    grade.add_argument("assignment")
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument("--workers", type=int, default=None, help="students graded at once (default: number of cores)")
    grade.add_argument("--cell-timeout", type=int, default=None,
                       help="seconds a cell may run (default: Execute.timeout in nbgrader_config.py)")
    grade.add_argument("--time-limit", type=int, default=600, help="seconds a whole notebook may run (default 600)")
    grade.add_argument("--memory", type=int, default=4096, help="memory limit of each kernel in MiB (default 4096)")
    grade.add_argument("--force", action="store_true", help="grade again what is graded already")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--unsandboxed", action="store_true",
                       help="grade without the operating-system sandbox (when bubblewrap is not installed): "
                            "student code then runs as you and can read what you can read")

    feedback = _command(
        commands, "feedback", _feedback, "HTML feedback per student, hidden tests removed",
        "Write feedback/STUDENT/ASSIGNMENT/*.html: each check's message, not the hidden tests' code; "
        "the pages load nothing from the internet.")
    feedback.add_argument("assignment")
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")

    export = _command(
        commands, "export", _export, "grades as CSV, or for Canvas or Moodle import",
        "Write the gradebook's grades: a plain CSV, or the import formats of Canvas and Moodle.")
    export.add_argument("--assignment", help="only this assignment (default: all)")
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--output", help="file to write (default: grades-FORMAT.csv)")
    export.add_argument("--canvas-assignment-id", action="append", metavar="[NAME=]ID",
                        help="Canvas's id of an assignment (the number in .../assignments/ID), so that the column "
                             "fills that assignment instead of creating a new one; NAME=ID, or ID with --assignment "
                             "(repeatable)")
    export.add_argument("--lms-gradebook", metavar="FILE",
                        help="a gradebook the LMS exported (Canvas: Grades > Export; Moodle: Export > Plain text "
                             "file): assignment ids or grade item names and the students' ids are read from it")

    report = _command(
        commands, "report", _report, "item analysis: which question is unclear",
        "Per question: mean score, share with full marks, share with zero, and the check that fails "
        "most often. Prints the table and writes it as CSV and a chart (PNG).")
    report.add_argument("assignment")
    report.add_argument("--output", help="folder for the CSV and PNG (default: here)")

    similarity = _command(
        commands, "similarity", _similarity, "evidence of copying for review, as one offline HTML page",
        "After cxlab grade: answers computed on another student's data (from the variant registry), code "
        "similarity of the students' own cells judged against this assignment's own pairs, and supporting "
        "signals (identical wrong answers, copied cell ids, near-identical written answers, close submission "
        "times). Writes one self-contained HTML page and prints the top findings. Evidence for your judgement, "
        "not verdicts.")
    similarity.add_argument("assignment")
    similarity.add_argument("-o", "--output", help="the page to write (default: similarity/ASSIGNMENT.html)")
    similarity.add_argument("--json", action="store_true", help="print the findings as JSON instead of lines")

    # For training teams: their own survey export in, one HTML report out (defined in cxlab.report).
    from ..report import _add_command as add_survey_report
    add_survey_report(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if arguments.verbose else logging.WARNING, format="%(message)s")
    set_verbose(arguments.verbose)
    try:
        return arguments.handler(arguments)
    except (CourseError, ValueError, TypeError) as error:
        print(f"cxlab: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cxlab: interrupted; run the same command again to continue where it stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
