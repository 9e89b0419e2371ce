"""Evidence of copying for an instructor's review: ``cxlab similarity ASSIGNMENT``.

After ``cxlab grade``, :func:`similarity_report` reads the submissions, the grading records
(the answers each check was handed, :mod:`cxlab.course.grading.records`) and the variant
registry (:mod:`cxlab.course.shared.variants`), and finds:

1. **answers computed for someone else**: a data-dependent answer (one whose expected value
   differs between variants) equal to another student's expected value and not to the
   submitter's own, grouped per (submitter, other student), and a ``VARIANT`` cell naming
   another student's variant. How many students of the class expect the same value is
   stated: a value many share is weak evidence;
2. **code similarity** of each student's own code (solution cells and added cells, the
   release's starter text removed) by an :class:`~cxlab.course.results.code_similarity.Engine`,
   judged against this assignment's own distribution of pair scores: a robust z (median
   and median absolute deviation) and the pair's percentile; groups are connected
   students (three or more) among the unusual pairs;
3. **supporting signals**: identical wrong answers on the same variant, identical cell ids
   in cells the students created, identical or near-identical written answers, and
   submission times close together (shown only beside another finding).

Every finding says what was seen and why it may be innocent; nothing here is a verdict.
:func:`report_html` writes one self-contained page (inline CSS, no script, nothing loaded
from elsewhere); everything that comes from a submission is bounded and escaped, and no
student markdown is rendered. Missing and unreadable submissions are listed, never fatal.

Imports: :mod:`cxlab.course.config`, :mod:`cxlab.course.shared.variants`,
:mod:`cxlab.course.shared.gradebook`, :mod:`cxlab.course.shared.sanitise` (``terminal_safe``),
:mod:`cxlab.course.results.code_similarity`; from grading, only the answer codec
(:func:`cxlab.course.grading.answers.decode_declared`, which decodes data and runs nothing) and the
records' location (:mod:`cxlab.course.grading.records`, standard library only); nbformat, numpy.

>>> import numpy as np
>>> z, percentile = robust_z(np.array([0.1, 0.12, 0.08, 0.11, 0.09, 0.95]))
>>> bool(z[-1] > UNUSUAL_Z), float(percentile[-1])
(True, 100.0)
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import html
import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import CourseError, find_course_root, require_assignments
from ..grading.answers import AnswerError, decode_declared
from ..grading.records import grading_log
from ..shared.sanitise import terminal_safe
from .code_similarity import CopydetectEngine, Engine, PairScore

#: A pair whose robust z reaches this is unusual for the assignment (Iglewicz and Hoaglin's cut).
UNUSUAL_Z = 3.5
#: Students handing in within this many minutes of each other are noted (beside another finding).
CLOSE_MINUTES = 10
#: Written answers at least this similar (difflib's ratio, 0–1) after normalising are near-copies...
WRITTEN_RATIO = 0.9
#: ...when both are at least this many characters long.
WRITTEN_MIN_CHARS = 80
#: Characters of one cell that are read, and of one student's document.
CELL_CHARS, DOCUMENT_CHARS = 20_000, 200_000
#: A notebook file larger than this is not read (listed as unreadable).
NOTEBOOK_BYTES = 20_000_000
#: Characters of a student id, a value or a text shown on the page.
NAME_CHARS, VALUE_CHARS, TEXT_CHARS = 64, 120, 2_000
#: Code pairs listed on the page (every unusual pair is, whatever this says).
LISTED_PAIRS = 30


# ------------------------------------------------------------------------------ data


@dataclass
class Submission:
    """What was read of one student's submission."""

    student: str
    document: str = ""
    #: (first line, last line, cell name) of each cell in ``document``.
    cells: list = field(default_factory=list)
    #: Written answers by cell: the student's text.
    written: dict = field(default_factory=dict)
    #: Ids of the code and markdown cells the student created.
    created_ids: list = field(default_factory=list)
    timestamp: _dt.datetime | None = None
    problem: str | None = None


@dataclass(frozen=True)
class AnswerMatch:
    """One answer equal to another student's expected value and not the submitter's own."""

    check: str
    name: str
    submitted: object
    own_expected: object
    other_expected: object
    #: Students of the class (the other included) whose expected value this is.
    shared_by: int


@dataclass(frozen=True)
class AnswerFinding:
    """Answers of ``submitter`` computed, it seems, on ``other``'s data."""

    submitter: str
    other: str
    matches: tuple[AnswerMatch, ...]
    names_variant: bool
    strength: float

    def seen(self) -> str:
        parts = []
        if self.matches:
            parts.append(f"{len(self.matches)} answer(s) equal {self.other}'s expected value, not {self.submitter}'s")
        if self.names_variant:
            parts.append(f"the notebook's VARIANT names {self.other}'s variant")
        return "; ".join(parts)

    def innocent(self) -> str:
        reasons = []
        common = [match for match in self.matches if match.shared_by > 1]
        if common:
            reasons.append(f"{len(common)} of the values are the expected value of several students, so they can "
                           "coincide")
        if self.names_variant:
            reasons.append("a VARIANT typed from a classmate's screen or a shared template can be an honest slip")
        reasons.append("the two may have compared results while each worked on their own data")
        return "; ".join(reasons)


@dataclass(frozen=True)
class CodePair:
    """A pair's code similarity, and how unusual it is for this assignment."""

    first: str
    second: str
    score: float
    z: float
    percentile: float
    first_lines: tuple = ()
    second_lines: tuple = ()

    @property
    def unusual(self) -> bool:
        return self.z >= UNUSUAL_Z


@dataclass(frozen=True)
class Signal:
    """A supporting signal: what was seen, among which students, and why it may be innocent."""

    kind: str
    students: tuple[str, ...]
    seen: str
    innocent: str


@dataclass
class SimilarityReport:
    """Everything ``cxlab similarity`` found for one assignment."""

    assignment: str
    engine: str
    students: list[str]
    answer_findings: list[AnswerFinding]
    weak_answer_findings: int
    pairs: list[CodePair]
    groups: list[tuple[str, ...]]
    signals: list[Signal]
    timing: dict
    calibration: dict
    submissions: dict
    missing: list[str]
    unreadable: dict
    answers_unknown: list[str]
    uses_variants: bool

    def top_lines(self, limit: int = 10) -> list[str]:
        """The strongest findings, one terminal-safe line each, at most ``limit`` lines."""
        lines = []
        for finding in self.answer_findings:
            lines.append(f"answers: {_short(finding.submitter)} has {finding.seen()}")
        for group in self.groups:
            lines.append("code group: " + ", ".join(_short(student) for student in group))
        for pair in self.pairs:
            if pair.unusual:
                lines.append(f"code: {_short(pair.first)} and {_short(pair.second)} score {pair.score:.2f} "
                             f"(z {pair.z:.1f}, percentile {pair.percentile:.0f})")
        for signal in self.signals:
            lines.append(f"{signal.kind}: " + ", ".join(_short(s) for s in signal.students[:4]))
        problems = [f"not read: {_short(student)} ({why})" for student, why in
                    [*((s, "missing") for s in self.missing), *self.unreadable.items()]]
        if len(lines) + len(problems) > limit:
            lines = lines[:max(limit - min(len(problems), 3) - 1, 0)] + ["..."]
        lines += problems[:max(limit - len(lines), 0)]
        return [terminal_safe(line)[:200] for line in lines[:limit]]

    def to_dict(self) -> dict:
        """The findings as plain data (for ``--json``)."""
        return {
            "assignment": self.assignment, "engine": self.engine, "students": len(self.students),
            "answer_findings": [dataclasses.asdict(finding) for finding in self.answer_findings],
            "pairs": [dataclasses.asdict(pair) | {"unusual": pair.unusual} for pair in self.pairs[:LISTED_PAIRS]
                      ] + [dataclasses.asdict(pair) | {"unusual": True} for pair in self.pairs[LISTED_PAIRS:]
                           if pair.unusual],
            "groups": [list(group) for group in self.groups],
            "signals": [dataclasses.asdict(signal) for signal in self.signals],
            "calibration": self.calibration, "missing": self.missing, "unreadable": self.unreadable,
            "answers_unknown": self.answers_unknown,
        }


def _short(text: str, limit: int = NAME_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --------------------------------------------------------------------------- normalisation


def robust_z(scores) -> tuple[np.ndarray, np.ndarray]:
    """Each score's robust z against all of them, and its percentile (0–100, share at or below).

    z is the modified z-score: 0.6745 (score − median) / MAD; when more than half the scores
    are equal (MAD 0), (score − median) / (1.2533 × mean absolute deviation) instead. Adding
    a constant to every score changes neither.

    >>> z, percentile = robust_z([0.0, 0.0, 0.0, 0.5])
    >>> [round(float(value), 2) for value in z], [float(value) for value in percentile]
    ([0.0, 0.0, 0.0, 3.19], [75.0, 75.0, 75.0, 100.0])
    """
    values = np.asarray(scores, dtype=float)
    if values.size == 0:
        return values, values
    median = float(np.median(values))
    deviation = np.abs(values - median)
    mad = float(np.median(deviation))
    if mad > 1e-12:
        z = 0.6745 * (values - median) / mad
    else:
        mean_deviation = float(np.mean(deviation))
        z = (values - median) / (1.253314 * mean_deviation) if mean_deviation > 1e-12 else np.zeros_like(values)
    ordered = np.sort(values)
    percentile = 100.0 * np.searchsorted(ordered, values + 1e-12, side="right") / values.size
    return z, percentile


def code_pairs(scores: list[PairScore]) -> tuple[list[CodePair], dict]:
    """The engine's pair scores with z and percentile, most unusual first, and the distribution's summary."""
    z, percentile = robust_z([pair.score for pair in scores])
    pairs = [CodePair(pair.first, pair.second, float(pair.score), float(zz), float(pp), pair.first_lines,
                      pair.second_lines)
             for pair, zz, pp in zip(scores, z, percentile)]
    pairs.sort(key=lambda pair: (-pair.z, -pair.score, pair.first, pair.second))
    values = np.array([pair.score for pair in scores]) if scores else np.zeros(0)
    calibration = {"pairs": len(values)}
    if len(values):
        calibration.update(median=float(np.median(values)), mad=float(np.median(np.abs(values - np.median(values)))),
                           p90=float(np.quantile(values, 0.9)), p99=float(np.quantile(values, 0.99)),
                           max=float(values.max()), unusual=sum(pair.unusual for pair in pairs))
    return pairs, calibration


def groups_of(pairs: list[CodePair]) -> list[tuple[str, ...]]:
    """Connected components of three or more students among the unusual pairs, largest first."""
    links = defaultdict(set)
    for pair in pairs:
        if pair.unusual:
            links[pair.first].add(pair.second)
            links[pair.second].add(pair.first)
    seen, groups = set(), []
    for start in sorted(links):
        if start in seen:
            continue
        component, stack = set(), [start]
        while stack:
            student = stack.pop()
            if student not in component:
                component.add(student)
                stack.extend(links[student] - component)
        seen |= component
        if len(component) >= 3:
            groups.append(tuple(sorted(component)))
    return sorted(groups, key=lambda group: (-len(group), group))


# ------------------------------------------------------------------------------ answers


def _decimals(number: float) -> int:
    text = repr(float(number))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def same_value(submitted, expected) -> bool:
    """Whether a submitted answer equals an expected one: numbers within a relative 1e-6, or
    equal to the expected value rounded to the decimals the submitted number shows (two or
    more); texts and truth values exactly; lists of texts in any order.

    >>> same_value(18.2, 18.2000000001), same_value(18.2, 18.24), same_value(0.54, 0.5444), same_value(True, 1)
    (True, False, True, False)
    """
    if isinstance(submitted, bool) or isinstance(expected, bool):
        return type(submitted) is type(expected) and submitted == expected
    if isinstance(submitted, (int, float)) and isinstance(expected, (int, float)):
        if not (math.isfinite(submitted) and math.isfinite(expected)):
            return False
        if math.isclose(submitted, expected, rel_tol=1e-6, abs_tol=1e-12):
            return True
        decimals = _decimals(submitted) if isinstance(submitted, float) else 0
        return 2 <= decimals <= 8 and round(expected, decimals) == submitted
    if isinstance(submitted, list) and isinstance(expected, list):
        if all(isinstance(item, str) for item in submitted + expected):
            return sorted(submitted) == sorted(expected)
        return len(submitted) == len(expected) and all(map(same_value, submitted, expected))
    if isinstance(submitted, dict) and isinstance(expected, dict):
        return submitted.keys() == expected.keys() and all(same_value(submitted[k], expected[k]) for k in submitted)
    return submitted == expected


def _plain(value):
    from ..shared.variants import plain

    return plain(value)


def _key(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def submitted_answers(record: dict, declared: dict[str, list[str]]) -> dict[str, dict] | None:
    """Check cell -> {answer name: plain value} from a grading record; None for a record
    without answers (graded before they were kept). Answers too large to keep, or that the
    codec refuses, are left out."""
    kept = record.get("answers")
    if not isinstance(kept, dict):
        return None
    answers = {}
    for cell, names in declared.items():
        text = kept.get(cell)
        if not isinstance(text, str):
            continue
        try:
            decoded, _ = decode_declared(text, names)
        except AnswerError:
            continue
        answers[cell] = {name: _plain(value) for name, value in decoded.items()}
    return answers


def answer_findings(submitted: dict[str, dict], registry: dict[str, dict], records: dict[str, dict]
                    ) -> tuple[list[AnswerFinding], int]:
    """Answers equal to another student's expected value, and VARIANTs naming another student.

    ``submitted``: student -> check -> name -> plain value; ``registry``: the variant
    registry's records; ``records``: the grading records. Findings with at least one value
    that few students expect (at most two, or 5 % of the class) or a VARIANT naming another
    student come first, strongest first; the number of the others (only common values) is
    returned beside them.
    """
    expected = {student: entry.get("answers") or {} for student, entry in registry.items()}
    names = sorted({name for answers in expected.values() for name in answers})
    dependent = [name for name in names if len({_key(answers.get(name)) for answers in expected.values()}) > 1]
    rare = max(2, int(0.05 * len(expected)))
    variant_owner = {entry.get("variant"): student for student, entry in registry.items()}
    found = defaultdict(list)
    for student, checks in submitted.items():
        own = expected.get(student)
        if own is None:
            continue
        for check, answers in sorted(checks.items()):
            for name in dependent:
                if name not in answers or name not in own:
                    continue
                value = answers[name]
                if same_value(value, own[name]):
                    continue
                holders = [other for other, theirs in expected.items() if name in theirs and same_value(value, theirs[name])]
                for other in holders:
                    if other != student:
                        found[(student, other)].append(
                            AnswerMatch(check, name, value, own[name], expected[other][name], len(holders)))
    naming = {}
    for student, record in records.items():
        named = record.get("notebook_variant")
        other = variant_owner.get(named)
        if named and other and other != student and record.get("variant") != named:
            naming[(student, other)] = True
    findings, weak = [], 0
    for key in sorted(set(found) | set(naming)):
        matches = tuple(found.get(key, ()))
        strength = sum(1.0 / match.shared_by for match in matches) + (2.0 if key in naming else 0.0)
        finding = AnswerFinding(key[0], key[1], matches, key in naming, round(strength, 3))
        if key in naming or any(match.shared_by <= rare for match in matches):
            findings.append(finding)
        else:
            weak += 1
    findings.sort(key=lambda finding: (-finding.strength, finding.submitter, finding.other))
    return findings, weak


# ----------------------------------------------------------------------- reading submissions


def _cell_source(cell) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    return str(source)[:CELL_CHARS]


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell.get("metadata"), dict) else {}
    value = meta.get("nbgrader", {})
    return value if isinstance(value, dict) else {}


def read_submission(student: str, path: Path, release) -> Submission:
    """The student's own code (solution cells and created cells, starter text removed) as one
    document, their written answers and the ids of the cells they created."""
    import nbformat

    submission = Submission(student)
    try:
        if path.stat().st_size > NOTEBOOK_BYTES:
            raise ValueError(f"larger than {NOTEBOOK_BYTES // 1_000_000} MB")
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        cells = list(notebook.cells)
    except Exception as error:  # a broken notebook comes in many kinds; it is listed, never fatal
        submission.problem = f"unreadable ({type(error).__name__}: {str(error)[:100]})"
        return submission
    by_grade_id = {_nbgrader(cell).get("grade_id"): cell for cell in release.cells if _nbgrader(cell).get("grade_id")}
    by_id = {cell.get("id"): cell for cell in release.cells if cell.get("id")}
    sources = {_cell_source(cell).strip() for cell in release.cells}
    lines, cells_at = [], []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            continue
        kind, source = cell.get("cell_type"), _cell_source(cell)
        grade_id = _nbgrader(cell).get("grade_id")
        given = by_grade_id.get(grade_id) if grade_id else by_id.get(cell.get("id"))
        if given is None and source.strip() in sources:
            continue  # a release cell, matched by its text
        if given is not None and not _nbgrader(given).get("solution"):
            continue  # the release's own cell (setup, checks, prompts, VARIANT)
        if "variant" in (cell.get("metadata", {}).get("tags") or []):
            continue
        name = str(grade_id or f"cell {index + 1}")[:NAME_CHARS]
        if given is None and cell.get("id"):
            submission.created_ids.append(str(cell.get("id"))[:NAME_CHARS])
        starter = {line.strip() for line in _cell_source(given).splitlines()} if given is not None else set()
        own = [line for line in source.splitlines() if line.strip() and line.strip() not in starter]
        if not own:
            continue
        if kind == "markdown" and given is not None:
            submission.written[name] = "\n".join(own)[:CELL_CHARS]
        elif kind == "code":
            start = len(lines) + 1
            lines.append(f"# {name}" + ("" if given is not None else " (added)"))
            lines.extend(own)
            cells_at.append((start, len(lines), name))
    submission.document = "\n".join(lines)[:DOCUMENT_CHARS] + "\n"
    submission.cells = cells_at
    stamp = path.parent / "timestamp.txt"
    if stamp.is_file():
        try:
            import pandas as pd

            parsed = pd.Timestamp(stamp.read_text(encoding="utf-8", errors="replace")[:64].strip())
            submission.timestamp = parsed.tz_localize("UTC").to_pydatetime() if parsed.tzinfo is None \
                else parsed.tz_convert("UTC").to_pydatetime()
        except (ValueError, TypeError, OverflowError):
            pass
    return submission


def starter_text(release) -> str:
    """The code the release gives in its solution cells (``# YOUR CODE HERE`` and the like)."""
    return "\n".join(_cell_source(cell) for cell in release.cells
                     if cell.get("cell_type") == "code" and _nbgrader(cell).get("solution"))


# ------------------------------------------------------------------------ supporting signals


def normalised_text(text: str) -> str:
    """A written answer for comparison: Unicode-normalised, lower case, words only.

    >>> normalised_text("The  Score **moved**,\\n by  3 points!")
    'the score moved by 3 points'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def written_signals(submissions: dict[str, Submission]) -> list[Signal]:
    """Identical or near-identical written answers (normalised; difflib ratio at least WRITTEN_RATIO)."""
    signals = []
    cells = sorted({cell for submission in submissions.values() for cell in submission.written})
    for cell in cells:
        texts = {student: normalised_text(s.written[cell]) for student, s in submissions.items() if cell in s.written}
        texts = {student: text for student, text in texts.items() if len(text) >= WRITTEN_MIN_CHARS}
        identical = defaultdict(list)
        for student, text in texts.items():
            identical[text].append(student)
        for text, students in identical.items():
            if len(students) > 1:
                signals.append(Signal("identical written answer", tuple(sorted(students)),
                                      f"{cell}: the same text ({len(text)} characters after normalising) from "
                                      f"{len(students)} students",
                                      "a model sentence from the chapter or the prompt can be quoted by several "
                                      "students"))
        distinct = sorted(identical)
        for one, other in ((a, b) for i, a in enumerate(distinct) for b in distinct[i + 1:]):
            matcher = difflib.SequenceMatcher(None, one, other, autojunk=False)
            if matcher.real_quick_ratio() < WRITTEN_RATIO or matcher.quick_ratio() < WRITTEN_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio >= WRITTEN_RATIO:
                students = tuple(sorted(identical[one] + identical[other]))
                signals.append(Signal("near-identical written answer", students,
                                      f"{cell}: texts {ratio:.0%} alike after normalising",
                                      "students who discussed the question together can write alike; a quoted "
                                      "sentence raises the share"))
    return signals


def created_id_signals(submissions: dict[str, Submission]) -> list[Signal]:
    """Identical ids of cells the students created (Jupyter gives every new cell a random id)."""
    holders = defaultdict(set)
    for student, submission in submissions.items():
        for cell_id in submission.created_ids:
            holders[cell_id].add(student)
    shared = defaultdict(list)
    for cell_id, students in holders.items():
        if len(students) > 1:
            shared[tuple(sorted(students))].append(cell_id)
    return [Signal("identical created cell ids", students,
                   f"{len(ids)} cell(s) the students added carry the same id ({', '.join(sorted(ids)[:3])})",
                   "the same id means one file was copied from another, which also happens when a student "
                   "shares a starting file or a tutor's template")
            for students, ids in sorted(shared.items())]


def wrong_answer_signals(submitted: dict[str, dict], records: dict[str, dict], registry: dict[str, dict]
                         ) -> list[Signal]:
    """Identical wrong answers to a check on the same variant (any variant when there are none)."""
    givers = defaultdict(list)
    for student, checks in submitted.items():
        record = records.get(student, {})
        variant = (registry.get(student) or {}).get("variant") or record.get("variant") or ""
        by_cell = record.get("by_cell") or {}
        for check, answers in checks.items():
            score = by_cell.get(check)
            if not answers or not isinstance(score, (list, tuple)) or len(score) != 2 or score[0] is None \
                    or score[1] is None or score[0] >= score[1]:
                continue
            if all(isinstance(value, str) and value.startswith("<") for value in answers.values()):
                continue  # placeholders of objects that are not data say nothing
            givers[(variant, check, _key(answers))].append(student)
    signals = []
    for (variant, check, value), students in sorted(givers.items()):
        if len(students) > 1:
            where = f" on the variant {variant}" if variant else ""
            signals.append(Signal("identical wrong answer", tuple(sorted(students)),
                                  f"{check}: {len(students)} students gave the same wrong answer{where}: "
                                  f"{_short(value, VALUE_CHARS)}",
                                  f"a common mistake (a misread question, the same wrong step) gives the same value; "
                                  f"{len(students) - 1} other(s) gave it besides each of them"))
    return signals


def timing_notes(submissions: dict[str, Submission], involved: set[tuple[str, str]]) -> dict:
    """(first, second) -> minutes between their submissions, for pairs of ``involved`` within CLOSE_MINUTES."""
    notes = {}
    for first, second in sorted(involved):
        one, other = submissions.get(first), submissions.get(second)
        if one is None or other is None or one.timestamp is None or other.timestamp is None:
            continue
        minutes = abs((one.timestamp - other.timestamp).total_seconds()) / 60
        if minutes <= CLOSE_MINUTES:
            notes[(first, second)] = round(minutes, 1)
    return notes


# --------------------------------------------------------------------------------- the report


def _read_json(path: Path) -> dict:
    try:
        if path.stat().st_size > 50_000_000:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def similarity_report(assignment: str, root: str | Path = ".", *, engine: Engine | None = None,
                      db_url: str | None = None) -> SimilarityReport:
    """Read an assignment's submissions, records and registry; the findings for review.

    Parameters
    ----------
    assignment : str
        The assignment's name.
    root : str or Path
        The course folder, or a folder inside it.
    engine : Engine, optional
        The code-similarity engine (default :class:`CopydetectEngine` with the release's
        starter code as boilerplate).
    db_url : str, optional
        The gradebook, for the list of students (default: the course's).
    """
    import nbformat

    from ..config import course_api
    from ..shared import variants
    from ..shared.gradebook import student_ids

    root = find_course_root(root)
    require_assignments(root, assignment)
    _, coursedir = course_api(root, db_url=db_url)
    release_folder = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    source_folder = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    releases = {path.stem: nbformat.read(str(path), as_version=4) for path in sorted(release_folder.glob("*.ipynb"))}
    if not releases:
        raise CourseError(f"{assignment}: no released notebook in {release_folder}; run cxlab assign {assignment}")
    declared = {}
    for path in sorted(source_folder.glob("*.ipynb")):
        declared.update(variants.declared_answers(nbformat.read(str(path), as_version=4)))
    registry = variants.read_registry(root, assignment)
    log = grading_log(root, assignment)
    submitted_root = Path(coursedir.root) / coursedir.submitted_directory
    folders = {folder.name: folder / assignment for folder in sorted(submitted_root.glob("*"))
               if (folder / assignment).is_dir()} if submitted_root.is_dir() else {}
    known = set(folders) | set(registry)
    if log.is_dir():
        known |= {path.stem for path in log.glob("*.json")}
    try:
        known |= set(student_ids(coursedir.db_url, coursedir.course_id))
    except Exception:  # no gradebook yet: the students are those seen elsewhere
        pass

    submissions, missing, unreadable = {}, [], {}
    for student in sorted(known):
        folder = folders.get(student)
        notebooks = sorted(folder.glob("*.ipynb")) if folder is not None else []
        if not notebooks:
            missing.append(student)
            continue
        parts = []
        for name, release in releases.items():
            path = folder / f"{name}.ipynb"
            if not path.is_file() and len(releases) == 1 and len(notebooks) == 1:
                path = notebooks[0]
            if path.is_file() and not path.is_symlink():
                parts.append(read_submission(student, path, release))
        if not parts:
            missing.append(student)
            continue
        problems = [part.problem for part in parts if part.problem]
        if problems:
            unreadable[student] = "; ".join(problems)
            continue
        merged = parts[0]
        for part in parts[1:]:
            offset = merged.document.count("\n")
            merged.cells += [(start + offset, end + offset, name) for start, end, name in part.cells]
            merged.document += part.document
            merged.written.update(part.written)
            merged.created_ids += part.created_ids
        submissions[student] = merged

    records = {student: _read_json(log / f"{student}.json") for student in submissions} if log.is_dir() else {}
    submitted, unknown = {}, []
    for student in submissions:
        answers = submitted_answers(records.get(student) or {}, declared)
        if answers is None:
            unknown.append(student)
        else:
            submitted[student] = answers
    findings, weak = answer_findings(submitted, registry, {s: r for s, r in records.items() if r})

    if engine is None:
        engine = CopydetectEngine(boilerplate="\n".join(starter_text(release) for release in releases.values()))
    documents = {student: submission.document for student, submission in submissions.items()}
    pairs, calibration = code_pairs(engine.compare(documents) if len(documents) > 1 else [])
    groups = groups_of(pairs)
    signals = (wrong_answer_signals(submitted, records, registry) + created_id_signals(submissions)
               + written_signals(submissions))
    involved = {tuple(sorted((f.submitter, f.other))) for f in findings}
    involved |= {(pair.first, pair.second) for pair in pairs if pair.unusual}
    involved |= {tuple(sorted(p)) for signal in signals for p in _pairs_of(signal.students)}
    return SimilarityReport(
        assignment=assignment, engine=getattr(engine, "name", type(engine).__name__), students=sorted(known),
        answer_findings=findings, weak_answer_findings=weak, pairs=pairs, groups=groups, signals=signals,
        timing=timing_notes(submissions, involved), calibration=calibration, submissions=submissions,
        missing=missing, unreadable=unreadable, answers_unknown=sorted(unknown), uses_variants=bool(registry))


def _pairs_of(students) -> list[tuple[str, str]]:
    students = sorted(students)[:20]
    return [(a, b) for i, a in enumerate(students) for b in students[i + 1:]]


# ------------------------------------------------------------------------------ the page

_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; background: #fff;
       margin: 0 auto; max-width: 72rem; padding: 1rem; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1rem; }
.note { background: #eef4fb; border-left: 4px solid #1f5f99; padding: .5rem 1rem; }
.finding { border: 1px solid #bbb; border-radius: 4px; padding: .5rem 1rem; margin: 1rem 0; }
.innocent { color: #3b3b3b; font-style: italic; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #bbb; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.side { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: .5rem; }
.side > div { min-width: 0; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: .5rem; overflow: auto; max-height: 30rem;
      max-width: 100%; margin: 0; font-size: .85rem; white-space: pre; }
mark { background: #ffe08a; color: #1b1b1b; }
code { overflow-wrap: anywhere; }
"""


def _shown(value):
    """A value as the page shows it: numbers to 6 significant digits (enough to compare, short to read)."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.6g}")
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    return value


def _e(value, limit: int = VALUE_CHARS) -> str:
    """Untrusted text, bounded and escaped for HTML.

    >>> _e(21.947113718790206), _e("<b>")
    ('21.9471', '&lt;b&gt;')
    """
    text = value if isinstance(value, str) else json.dumps(_shown(value), default=str)
    return html.escape(_short(text, limit), quote=True)


def _table(caption: str, headers: list[str], rows: list[list[str]], label: str) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return (f'<div class="scroll" role="region" aria-label="{label}" tabindex="0"><table><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _td(text: str, number: bool = False) -> str:
    return f'<td class="num">{text}</td>' if number else f"<td>{text}</td>"


def _fragment_view(submission: Submission | None, ranges, who: str, label: str) -> str:
    if submission is None:
        return ""
    lines = submission.document.splitlines()
    shown, used = [], 0
    marked = set()
    for first, last in ranges:
        marked.update(range(first, last + 1))
    for first, last in ranges[:12]:
        cell = next((name for start, end, name in submission.cells if start <= first <= end), "")
        shown.append(f"… {_e(cell, NAME_CHARS)}, lines {first}–{last}")
        for number in range(first, min(last, first + 80) + 1):
            if 0 < number <= len(lines):
                text = _e(lines[number - 1], 400)
                shown.append(f"<mark>{text}</mark>" if number in marked else text)
                used += 1
        if used > 300:
            break
    body = "\n".join(shown) or "(no shared fragment located)"
    return (f'<div><p><strong>{_e(who, NAME_CHARS)}</strong></p>'
            f'<pre tabindex="0" role="region" aria-label="{label}"><code>{body}</code></pre></div>')


def report_html(report: SimilarityReport) -> str:
    """The report as one self-contained HTML page: inline CSS, no script, nothing from elsewhere."""
    parts = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>Similarity evidence: {_e(report.assignment)}</title><style>{_CSS}</style></head><body><main>"
             f"<h1>Similarity evidence for review: {_e(report.assignment)}</h1>"
             '<p class="note">This page shows evidence for an instructor\'s judgement, not verdicts. Every '
             "finding says what was seen and why it may be innocent; read the students' work and talk with them "
             "before deciding anything.</p>"]
    cal = report.calibration
    parts.append(f"<p>{len(report.submissions)} submission(s) read of {len(report.students)} student(s); "
                 f"code compared with {_e(report.engine)}; "
                 + ("answers compared with each student's own variant (variant registry)."
                    if report.uses_variants else "no variant registry: answers are compared only with each other.")
                 + "</p>")

    parts.append("<h2>1. Answers computed for someone else</h2>")
    if not report.uses_variants:
        parts.append("<p>The assignment has no variant registry, so answers cannot be traced to another "
                     "student's data.</p>")
    elif not report.answer_findings:
        parts.append("<p>No submitted answer equals another student's expected value while missing the "
                     "student's own.</p>")
    for number, finding in enumerate(report.answer_findings, 1):
        rows = [[_td(_e(m.check, NAME_CHARS)), _td(f"<code>{_e(m.name, NAME_CHARS)}</code>"),
                 _td(f"<code>{_e(m.submitted)}</code>"), _td(f"<code>{_e(m.own_expected)}</code>"),
                 _td(f"<code>{_e(m.other_expected)}</code>"), _td(str(m.shared_by), True)]
                for m in finding.matches]
        timing = report.timing.get(tuple(sorted((finding.submitter, finding.other))))
        parts.append(
            f'<section class="finding" aria-labelledby="answers-{number}"><h3 id="answers-{number}">'
            f"{_e(finding.submitter, NAME_CHARS)}: answers that match {_e(finding.other, NAME_CHARS)}'s data</h3>"
            f"<p><strong>Seen:</strong> {_e(finding.seen(), 400)}.</p>"
            + (_table(f"Answers of {_e(finding.submitter, NAME_CHARS)} equal to {_e(finding.other, NAME_CHARS)}'s "
                      "expected values",
                      ["check", "answer", "submitted", f"{_e(finding.submitter, NAME_CHARS)}'s expected",
                       f"{_e(finding.other, NAME_CHARS)}'s expected", "students expecting this value"],
                      rows, f"answers table {number}") if rows else "")
            + (f"<p>Handed in {timing:g} minutes apart.</p>" if timing is not None else "")
            + f'<p class="innocent">Why it may be innocent: {_e(finding.innocent(), 600)}.</p></section>')
    if report.weak_answer_findings:
        parts.append(f"<p>{report.weak_answer_findings} other coincidence(s) involve only values that many "
                     "students expect; they are not listed.</p>")
    if report.answers_unknown:
        parts.append("<p>Answers unknown (graded before answers were kept: regrade with <code>cxlab grade "
                     f"{_e(report.assignment)} --force</code> to get them): "
                     + ", ".join(_e(s, NAME_CHARS) for s in report.answers_unknown[:200]) + "</p>")

    parts.append("<h2>2. Code similarity</h2>")
    parts.append("<p>Each student's own code (the solution cells and any cells they added, without the starter "
                 "code; code most of the class shares is not counted) is compared with everyone else's. A pair "
                 "is judged against this assignment's own pairs: z is how far its score lies from their median, "
                 f"in robust units; {UNUSUAL_Z:g} or more is unusual. Short tasks make honest solutions converge, "
                 "so a high score is a reason to look, not a finding of copying.</p>")
    if cal.get("pairs"):
        parts.append(_table("This assignment's pair scores", ["pairs", "median", "MAD", "90th percentile",
                                                              "99th percentile", "highest", "unusual pairs"],
                            [[_td(str(cal["pairs"]), True), _td(f"{cal['median']:.3f}", True),
                              _td(f"{cal['mad']:.3f}", True), _td(f"{cal['p90']:.3f}", True),
                              _td(f"{cal['p99']:.3f}", True), _td(f"{cal['max']:.3f}", True),
                              _td(str(cal["unusual"]), True)]], "distribution"))
    if report.groups:
        parts.append("<h3>Groups</h3><ul>" + "".join(
            f"<li>{', '.join(_e(s, NAME_CHARS) for s in group)}: {len(group)} students linked by unusual pairs. "
            '<span class="innocent">Why it may be innocent: a study group may share a helper or an idea from '
            "the chapter; look at what the fragments hold.</span></li>" for group in report.groups) + "</ul>")
    listed = report.pairs[:LISTED_PAIRS] + [pair for pair in report.pairs[LISTED_PAIRS:] if pair.unusual]
    if listed:
        parts.append(_table("Pairs, most unusual first", ["rank", "students", "score", "z", "percentile", "unusual"],
                            [[_td(str(rank), True), _td(f"{_e(p.first, NAME_CHARS)} and {_e(p.second, NAME_CHARS)}"),
                              _td(f"{p.score:.2f}", True), _td(f"{p.z:.1f}", True), _td(f"{p.percentile:.0f}", True),
                              _td("yes" if p.unusual else "no")] for rank, p in enumerate(listed, 1)], "pairs"))
    for number, pair in enumerate((p for p in report.pairs if p.unusual), 1):
        if number > 50:
            break
        timing = report.timing.get((pair.first, pair.second))
        parts.append(
            f'<section class="finding" aria-labelledby="pair-{number}"><h3 id="pair-{number}">'
            f"{_e(pair.first, NAME_CHARS)} and {_e(pair.second, NAME_CHARS)}: score {pair.score:.2f}, z {pair.z:.1f}</h3>"
            f"<p><strong>Seen:</strong> {pair.score:.0%} of their own code is shared (in both directions, averaged), "
            f"at the {pair.percentile:.0f}th percentile of this assignment's pairs.</p>"
            + (f"<p>Handed in {timing:g} minutes apart.</p>" if timing is not None else "")
            + '<div class="side">'
            + _fragment_view(report.submissions.get(pair.first), pair.first_lines, pair.first, f"fragments {number} left")
            + _fragment_view(report.submissions.get(pair.second), pair.second_lines, pair.second,
                             f"fragments {number} right")
            + '</div><p class="innocent">Why it may be innocent: the task may leave little room (short answers '
            "converge), the students may have followed the chapter's code, or worked together as allowed.</p></section>")

    parts.append("<h2>3. Supporting signals</h2>")
    if not report.signals:
        parts.append("<p>None.</p>")
    else:
        parts.append("<ul>" + "".join(
            f"<li><strong>{_e(s.kind)}</strong> ({', '.join(_e(x, NAME_CHARS) for x in s.students[:12])}"
            + (f" and {len(s.students) - 12} more" if len(s.students) > 12 else "")
            + f"): {_e(s.seen, 400)}. <span class=\"innocent\">Why it may be innocent: {_e(s.innocent, 400)}.</span>"
            "</li>" for s in report.signals[:200]) + "</ul>")
    close = [(pair, minutes) for pair, minutes in sorted(report.timing.items())]
    if close:
        parts.append(f"<p>Handed in within {CLOSE_MINUTES} minutes of each other (shown only for students in a "
                     "finding above; deadlines bunch submissions): " + "; ".join(
                         f"{_e(a, NAME_CHARS)} and {_e(b, NAME_CHARS)}, {m:g} min" for (a, b), m in close[:100]) + "</p>")

    parts.append("<h2>4. Submissions not read</h2>")
    if not report.missing and not report.unreadable:
        parts.append("<p>Every student's submission was read.</p>")
    else:
        parts.append("<ul>" + "".join(f"<li>{_e(s, NAME_CHARS)}: no submission</li>" for s in report.missing[:500])
                     + "".join(f"<li>{_e(s, NAME_CHARS)}: {_e(why, 200)}</li>"
                               for s, why in list(report.unreadable.items())[:500]) + "</ul>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def write_similarity_report(assignment: str, root: str | Path = ".", *, output: str | Path | None = None,
                            engine: Engine | None = None, db_url: str | None = None
                            ) -> tuple[SimilarityReport, Path]:
    """Build the report and write its page (default ``similarity/ASSIGNMENT.html`` in the course folder)."""
    report = similarity_report(assignment, root, engine=engine, db_url=db_url)
    path = Path(output) if output else find_course_root(root) / "similarity" / f"{assignment}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_html(report), encoding="utf-8")
    return report, path
