"""``cxlab assign``: regenerate the student versions from the instructor's sources.

Each question of a source notebook may be followed by a *value check* for learners who
study alone: a read-only code cell tagged ``self-study`` that prints ``correct`` or
``not yet`` for each answer on a practice variant, by comparing salted hashes of the
answers with the practice variant's (:func:`cxlab.selfstudy.check_practice`)::

    from cxlab.selfstudy import check_practice

    print(check_practice("nps", VARIANT, {"nps_all": nps_all}, decimals={"nps_all": 2}))

The versions published with the book keep these cells. For a graded release, set
``c.CourseSettings.self_study_checks = False`` in ``nbgrader_config.py``: :func:`assign`
then leaves them out, before nbgrader records the notebook's cells in the gradebook, and
the ``VARIANT`` cell asks for the student's id.

The digests of the practice variants are shipped with cxlab
(``cxlab/datasets/practice/ASSIGNMENT.json``) and written by :func:`write_practice_pool`,
which runs each source notebook's model solution for every practice code; run it after
changing a model answer, a precision or a generator::

    .venv/bin/python -c "from cxlab.course.releasing.assign import write_practice_pool; write_practice_pool(['nps'])"

A test fails when a pool is stale. :func:`assign` also records, in the variant registry
(:mod:`cxlab.course.shared.variants`), the variant of every student the gradebook knows.

Imports: :mod:`cxlab.course.config` (nbgrader through it),
:mod:`cxlab.course.shared.manifest`, :mod:`cxlab.course.shared.gradebook`,
:mod:`cxlab.course.shared.variants`; nbformat, :mod:`cxlab.data` and :mod:`cxlab.selfstudy`
in :func:`write_practice_pool`.
"""

from __future__ import annotations

import ast
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import nbformat
from traitlets.config import Config, Configurable

from ..config import (
    CourseError,
    CourseSettings,
    check_outcome,
    course_api,
    find_course_root,
    list_assignments,
    load_config,
    require_assignments,
)
from ..shared.gradebook import student_ids
from ..shared.manifest import lint_notebook
from ..shared.variants import is_variant_cell, record_students, registry_path, uses_variants
from .translate import (
    TranslateRelease,
    catalogue_path,
    check_language,
    load_catalogue,
    messages,
    translations,
)

log = logging.getLogger("cxlab.course")

#: The tag of a value-check cell (``metadata.tags``).
SELF_STUDY_TAG = "self-study"


@dataclass(frozen=True)
class AssignResult:
    assignment: str
    notebooks: tuple[Path, ...]
    self_study_checks: bool = True
    #: Students whose variants were recorded now (the registry, :mod:`cxlab.course.shared.variants`).
    recorded: tuple[str, ...] = ()


def is_self_study_cell(cell) -> bool:
    """Whether a notebook cell is a value check for self-study (tagged ``self-study``)."""
    return SELF_STUDY_TAG in (cell.get("metadata", {}).get("tags") or [])


class LeaveOutSelfStudyChecks(Configurable):
    """nbgrader preprocessor of a graded release: drops the cells tagged ``self-study``.

    It runs first in ``generate_assignment``, so nbgrader neither records these cells in
    the gradebook nor writes them into the student version.
    """

    def __call__(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not is_self_study_cell(cell)]
        return nb, resources


class AskForTheStudentsVariant(Configurable):
    """nbgrader preprocessor of a graded release: the ``VARIANT`` cell asks for the student's id.

    The self-study copy starts on a practice code; a graded copy starts with ``VARIANT = ""``,
    so that the setup stops with a message until the student types their id (the grader
    uses the id the gradebook knows in any case).
    """

    def __call__(self, nb, resources):
        for cell in nb.cells:
            if is_variant_cell(cell):
                cell.source = GRADED_VARIANT_CELL
        return nb, resources


#: The ``VARIANT`` cell of a graded release.
GRADED_VARIANT_CELL = ('# Your data: type your student id as your course lists you, between the quotes.\n'
                       'VARIANT = ""')


def _release_tweaks(root: Path, graded: bool, language: str) -> Config | None:
    """nbgrader's steps for this release: first the translation (a language other than English),
    then, for a graded release, the two graded-release steps, then nbgrader's own."""
    if not graded and language == "en":
        return None
    from nbgrader.converters import GenerateAssignment

    course = load_config(root)
    steps = (list(course.GenerateAssignment.preprocessors) if "preprocessors" in course.GenerateAssignment
             else list(GenerateAssignment.preprocessors.default()))
    first = []
    tweaks = Config()
    if language != "en":
        first.append(TranslateRelease)
        tweaks.TranslateRelease.language = check_language(language)
        tweaks.TranslateRelease.catalogue_folder = str(catalogue_path(root, language, "_").parent)
    if graded:
        first += [LeaveOutSelfStudyChecks, AskForTheStudentsVariant]
    tweaks.GenerateAssignment.preprocessors = [*first, *steps]
    return tweaks


def assign(
    assignments: list[str] | None = None,
    root: str | Path = ".",
    *,
    release_directory: str | Path | None = None,
    db_url: str | None = None,
    self_study_checks: bool | None = None,
    language: str | None = None,
) -> list[AssignResult]:
    """Regenerate the student versions (``exercises/``) from the sources (``solutions/``).

    Runs nbgrader's ``generate_assignment`` for each assignment (all of them by
    default), after checking that every graded check declares its answers and can run
    on them as data (:func:`cxlab.course.shared.manifest.lint_notebook`; a ``CourseError``
    lists every problem). ``release_directory`` and ``db_url`` redirect the output and the
    gradebook, which the tests use to regenerate into a scratch folder. The value checks
    for self-study stay in when the course's ``CourseSettings.self_study_checks`` is True
    (the default) and are left out when it is False; ``self_study_checks`` overrides the
    setting for this call.

    ``language`` (default: the course's ``CourseSettings.language``, English) releases the
    notebooks translated (``"pl"``): the markdown cells from the course's catalogue
    ``book/locale/pl/exercises/<assignment>.po`` and one line that makes cxlab's messages Polish
    (:mod:`cxlab.course.releasing.translate`); the code, the checks and the grading are the same.
    An assignment without a finished catalogue is refused.
    """
    root = find_course_root(root)
    names = assignments or list_assignments(root)
    require_assignments(root, names)
    settings = CourseSettings(config=load_config(root))
    if self_study_checks is None:
        self_study_checks = settings.self_study_checks
    language = settings.language if language is None else language
    if language != "en":
        check_language(language)
        unfinished = [name for name in names if _unfinished_translation(root, name, language)]
        if unfinished:
            raise CourseError(f"no finished {language} translation of {', '.join(unfinished)}: "
                              + "; ".join(_unfinished_translation(root, name, language) for name in unfinished))
    release = str(Path(release_directory).resolve()) if release_directory is not None else None
    tweaks = _release_tweaks(root, not self_study_checks, language)
    api, coursedir = course_api(root, tweaks, release_directory=release, db_url=db_url)

    problems = [problem for name in names
                for path in sorted(Path(coursedir.format_path(coursedir.source_directory, ".", name)).glob("*.ipynb"))
                for problem in lint_notebook(path)]
    if problems:
        raise CourseError("the checks cannot be graded as data (see cxlab.course.shared.manifest):\n  "
                          + "\n  ".join(problems))
    results = []
    for name in names:
        check_outcome(api.generate_assignment(name, force=True, create=True), f"generate_assignment {name}")
        folder = Path(coursedir.format_path(coursedir.release_directory, ".", name))
        notebooks = tuple(sorted(folder.glob("*.ipynb")))
        log.info("generated %s (value checks for self-study %s): %s", name, "on" if self_study_checks else "off",
                 ", ".join(str(path) for path in notebooks))
        recorded = _record_variants(root, name, coursedir)
        results.append(AssignResult(assignment=name, notebooks=notebooks, self_study_checks=bool(self_study_checks),
                                    recorded=tuple(recorded)))
    return results


def _unfinished_translation(root: Path, assignment: str, language: str) -> str:
    """Why the assignment's notebooks cannot be released in ``language`` ('' when they can)."""
    path = catalogue_path(root, language, assignment)
    catalogue = load_catalogue(path)
    if catalogue is None:
        return f"{path} is missing"
    done = translations(catalogue)
    source = Path(root) / "solutions" / assignment
    left = [cell_id for notebook in sorted(source.glob("*.ipynb"))
            for cell_id, text in messages(nbformat.read(notebook, as_version=4)) if (cell_id, text) not in done]
    return f"{len(left)} cells of {assignment} untranslated or fuzzy in {path}" if left else ""


def _record_variants(root: Path, assignment: str, coursedir) -> list[str]:
    """Record the variant of every student the gradebook knows (students added later are
    recorded when first graded, or with ``cxlab variant``)."""
    if not uses_variants(root, assignment):
        return []
    students = student_ids(coursedir.db_url, coursedir.course_id)
    recorded = record_students(root, assignment, students)
    if recorded:
        log.info("recorded the variants of %d student(s) in %s", len(recorded), registry_path(root, assignment))
    return recorded


# ------------------------------------------------------------------------------ practice pools

#: The function a value-check cell of a variant notebook calls, once per cell.
PRACTICE_FUNCTION = "check_practice"


@dataclass(frozen=True)
class PracticeCall:
    """One ``check_practice(assignment, VARIANT, {name: value, ...}, decimals=..., ordered=...)`` call."""

    assignment: str
    names: tuple[str, ...]
    decimals: dict
    ordered: tuple[str, ...]


def practice_calls(source: str) -> list[PracticeCall]:
    """The ``check_practice`` calls of a value-check cell.

    >>> practice_calls('print(check_practice("nps", VARIANT, {"x": x}, decimals={"x": 2}))')[0].decimals
    {'x': 2}
    """
    calls = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if function != PRACTICE_FUNCTION:
            continue
        if len(node.args) != 3 or not isinstance(node.args[2], ast.Dict):
            raise CourseError(f"{PRACTICE_FUNCTION} takes the assignment, VARIANT and a dict of answers: "
                              f"{ast.unparse(node)}")
        keywords = {keyword.arg: ast.literal_eval(keyword.value) for keyword in node.keywords}
        calls.append(PracticeCall(assignment=ast.literal_eval(node.args[0]),
                                  names=tuple(ast.literal_eval(key) for key in node.args[2].keys),
                                  decimals=dict(keywords.get("decimals") or {}),
                                  ordered=tuple(keywords.get("ordered") or ())))
    return calls


def practice_pool_path(assignment: str) -> Path:
    """Where the practice pool of ``assignment`` is shipped: inside the cxlab package."""
    import cxlab

    return Path(cxlab.__file__).parent.joinpath(*_practice_folder(), f"{assignment}.json")


def _practice_folder() -> tuple[str, ...]:
    from cxlab.selfstudy import PRACTICE_FOLDER

    return PRACTICE_FOLDER


def write_practice_pool(assignments: list[str] | None = None, root: str | Path = ".", *,
                        codes: tuple[str, ...] | None = None, folder: str | Path | None = None,
                        only_changed_data: bool = False) -> dict[str, int]:
    """Write the practice pool of each assignment: the digests of every practice variant's answers.

    For each practice code (``cxlab.data.variants.PRACTICE_CODES``) the source notebook's
    setup and model solutions run in this process (:func:`cxlab.course.shared.variants.model_answers`);
    each answer a value-check cell names is hashed with a salt of the assignment and the
    code, at its graded precision and, for numbers, at each coarser one
    (:func:`cxlab.selfstudy.practice_digests`). Run it after changing a model answer, a
    precision or a generator::

        .venv/bin/python -c "from cxlab.course.releasing.assign import write_practice_pool; write_practice_pool(['nps'])"

    ``folder`` writes the pools elsewhere than into the installed cxlab (the tests do); the
    salt of an assignment is kept from its pool there or in cxlab, so rewriting a pool
    changes only the digests of answers that changed. ``only_changed_data`` runs the model
    solution only for the practice codes whose data fingerprint changed (after a change to a
    generator alone; after a change to a model answer, write every code).

    Returns the number of practice variants written, by assignment.
    """
    from cxlab.data import variants
    from cxlab.selfstudy import answer_kind, practice_digests

    from ..shared.variants import model_answers, source_notebooks

    root = find_course_root(root)
    names = assignments or list_assignments(root)
    require_assignments(root, names)
    codes = tuple(codes or variants.PRACTICE_CODES)
    written = {}
    for assignment in names:
        import nbformat

        specs: dict[str, dict] = {}
        notebooks = source_notebooks(root, assignment)
        for path in notebooks:
            for cell in nbformat.read(str(path), as_version=4).cells:
                if cell.cell_type == "code" and is_self_study_cell(cell):
                    for call in practice_calls(cell.source):
                        for name in call.names:
                            specs[name] = {"decimals": call.decimals.get(name), "ordered": name in call.ordered}
        if not specs:
            continue
        shipped = practice_pool_path(assignment)
        target = shipped if folder is None else Path(folder) / shipped.name
        previous = next((json.loads(path.read_text(encoding="utf-8")) for path in (target, shipped) if path.is_file()),
                        {})
        salt = previous.get("salt") or f"{assignment}-{secrets.token_hex(4)}"
        pool = {"assignment": assignment, "generator_version": variants.GENERATOR_VERSION, "salt": salt,
                "answers": {}, "variants": {}}
        for code in codes:
            kept = previous.get("variants", {}).get(code)
            if (only_changed_data and kept and previous.get("answers")
                    and kept["fingerprint"] == variants.exercise(assignment, code).fingerprint):
                pool["answers"].update(previous["answers"])
                pool["variants"][code] = kept
                continue
            answers = {}
            for path in notebooks:
                answers.update(model_answers(path, code))
            entry = {"fingerprint": variants.exercise(assignment, code).fingerprint, "digests": {}}
            for name, spec in specs.items():
                if name not in answers:
                    raise CourseError(f"{assignment}: the value checks name {name!r}, which no model solution binds")
                kind = answer_kind(answers[name], decimals=spec["decimals"], ordered=spec["ordered"])
                pool["answers"][name] = {"kind": kind, "decimals": spec["decimals"]}
                entry["digests"][name] = practice_digests(answers[name], kind=kind, decimals=spec["decimals"],
                                                          salt=f"{salt}|{code}", name=name)
            pool["variants"][code] = entry
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(pool, indent=0, sort_keys=False) + "\n", encoding="utf-8")
        log.info("wrote the practice pool of %s (%d variants): %s", assignment, len(codes), target)
        written[assignment] = len(codes)
    return written
