"""The course as nbgrader sees it: its folder, its configuration, its assignments and students.

Every other module of :mod:`cxlab.course` starts here. Settings come from the course's
``nbgrader_config.py`` (loaded as nbgrader loads it); arguments only override where
files go, for example to regenerate the student versions into a scratch folder.
:func:`course_api` builds nbgrader's own ``NbGraderAPI`` and ``CourseDirectory`` from
that configuration, and the lists of assignments and students are nbgrader's answers.
The course's own settings, beside nbgrader's, are the traits of :class:`CourseSettings`
(``c.CourseSettings.self_study_checks`` in ``nbgrader_config.py``).

Imports: no other module of cxlab; nbgrader only inside functions, so that
``import cxlab.course`` stays cheap.

>>> find_course_root("/")
Traceback (most recent call last):
...
cxlab.course.config.CourseError: no nbgrader_config.py in / or any folder above it; run this inside the course
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sysconfig
from pathlib import Path

from traitlets import Bool, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """A course command cannot do what was asked; the message says why (and carries
    nbgrader's own log when an nbgrader step failed)."""


def find_course_root(start: str | Path = ".") -> Path:
    """The nearest folder at or above ``start`` that holds ``nbgrader_config.py``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise CourseError(f"no {CONFIG_FILE} in {here} or any folder above it; run this inside the course")


def load_config(root: str | Path, **overrides) -> Config:
    """The course's nbgrader configuration, with ``CourseDirectory`` overrides applied.

    ``overrides`` are CourseDirectory traits, for example ``release_directory``; one
    whose value is None is left as the course sets it. The root is always set to
    ``root`` so that relative paths resolve there.
    """
    root = Path(root).resolve()
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    for name, value in overrides.items():
        if value is not None:
            setattr(config.CourseDirectory, name, value)
    return config


class CourseSettings(Configurable):
    """The course's own settings, set in ``nbgrader_config.py`` beside nbgrader's.

    >>> CourseSettings().self_study_checks
    True
    """

    self_study_checks = Bool(
        True,
        help=(
            "Put the value checks for self-study (the cells tagged 'self-study', which say "
            "'correct' or 'not yet' by comparing salted hashes) into the student versions that "
            "`cxlab assign` generates. True for the versions published with the book; set it to "
            "False for a graded release, because a determined learner can search a hash for "
            "the answer."
        ),
    ).tag(config=True)

    language = Unicode(
        "en",
        help=(
            "The language of the student versions that `cxlab assign` generates: 'en' (the "
            "sources) or 'pl' (translated from the course's catalogues, book/locale/pl/exercises; "
            "graded exactly like the English ones). `cxlab assign --language` overrides it."
        ),
    ).tag(config=True)


def course_settings(root: str | Path = ".") -> CourseSettings:
    """The :class:`CourseSettings` of the course at or above ``root``, from its ``nbgrader_config.py``."""
    return CourseSettings(config=load_config(find_course_root(root)))


#: Whether course commands show nbgrader's own log (its INFO lines) and the exchange's
#: complaints; ``cxlab -v`` turns it on (:func:`set_verbose`).
_VERBOSE = False
# nbgrader's API looks for its exchange (the shared folder of ``nbgrader release_assignment``)
# every time it starts, and logs this when the folder is missing, even in a course that
# never uses the exchange (collect places submissions itself).
_EXCHANGE_COMPLAINT = "Unwritable directory, please contact your instructor"


def set_verbose(verbose: bool) -> None:
    """Show nbgrader's own log (INFO) and the exchange's warnings, or only warnings that matter.

    >>> set_verbose(False); nbgrader_log_level() == logging.WARNING
    True
    """
    global _VERBOSE
    _VERBOSE = bool(verbose)


def nbgrader_log_level() -> int:
    """The level of nbgrader's log: INFO with ``-v``, otherwise WARNING."""
    return logging.INFO if _VERBOSE else logging.WARNING


def exchange_configured(config: Config) -> bool:
    """Whether ``nbgrader_config.py`` sets an exchange folder (``c.Exchange.root``)."""
    return "Exchange" in config and "root" in config.Exchange


class _QuietExchange(logging.Filter):
    """Drops the exchange's complaint unless the course set an exchange and ``-v`` is on."""

    def __init__(self):
        super().__init__()
        self.exchange_configured = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(_EXCHANGE_COMPLAINT):
            return True
        return self.exchange_configured and _VERBOSE


_QUIET_EXCHANGE = _QuietExchange()


def late_penalty_configured(config: Config) -> bool:
    """Whether ``nbgrader_config.py`` sets a late penalty (a plugin, or ``penalty_method`` other than 'none').

    >>> config = Config(); late_penalty_configured(config)
    False
    >>> config.LateSubmissionPlugin.penalty_method = "zero"; late_penalty_configured(config)
    True
    """
    plugin = "AssignLatePenalties" in config and "plugin_class" in config.AssignLatePenalties
    method = config.LateSubmissionPlugin.penalty_method if "LateSubmissionPlugin" in config and \
        "penalty_method" in config.LateSubmissionPlugin else "none"
    return bool(plugin) or method != "none"


def _ensure_scripts_on_path() -> None:
    """Put this interpreter's scripts folder on PATH when nbgrader's helpers are missing.

    nbgrader creates a new gradebook by running the ``alembic`` program, so a course
    command started as ``.venv/bin/cxlab`` (without activating the environment) would
    otherwise fail on the first gradebook it makes.
    """
    if shutil.which("alembic"):
        return
    scripts = sysconfig.get_path("scripts")
    os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])


def course_api(root: str | Path, tweaks: Config | None = None, **overrides):
    """nbgrader's ``NbGraderAPI`` and ``CourseDirectory`` for the course at ``root``.

    Parameters
    ----------
    root : str or Path
        The course folder (the one with ``nbgrader_config.py``).
    tweaks : traitlets.config.Config, optional
        Settings merged over the course's, for one command only: for example other
        preprocessors for ``generate_feedback`` or ``autograde``.
    **overrides
        ``CourseDirectory`` traits, as for :func:`load_config`.

    Returns
    -------
    (NbGraderAPI, CourseDirectory)
    """
    _ensure_scripts_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.log import get_logger

    config = load_config(root, **overrides)
    if tweaks is not None:
        config.merge(tweaks)
    coursedir = CourseDirectory(config=config)
    nbgrader_log = get_logger()
    _QUIET_EXCHANGE.exchange_configured = exchange_configured(config)
    if _QUIET_EXCHANGE not in nbgrader_log.filters:
        nbgrader_log.addFilter(_QUIET_EXCHANGE)
    api = NbGraderAPI(coursedir=coursedir, config=config, log_level=nbgrader_log_level())
    return api, coursedir


def check_outcome(outcome: dict, step: str) -> None:
    """Raise a CourseError with nbgrader's log when an ``NbGraderAPI`` call (``step``) failed."""
    if not outcome["success"]:
        raise CourseError(f"{step} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}")


def list_assignments(root: str | Path = ".") -> list[str]:
    """Assignment names: the folders of the course's source directory, as nbgrader lists them."""
    api, _ = course_api(find_course_root(root))
    return sorted(api.get_source_assignments())


#: What a student id may hold: nbgrader's formgrader prints ids into its pages and scripts
#: as they are, so an id is letters, digits and ``. _ @ + -`` only, at most 100 of them.
SAFE_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


def unusable_student_id(student: str) -> str | None:
    """Why ``student`` cannot be a student id (see :data:`SAFE_STUDENT_ID`), or None when it can.

    >>> unusable_student_id("1003"), unusable_student_id("ada.lovelace@example.org")
    (None, None)
    >>> print(unusable_student_id("<img src=x>"))
    the student id '<img src=x>' holds characters other than letters, digits and . _ @ + -
    """
    if SAFE_STUDENT_ID.match(student):
        return None
    return f"the student id {student[:60]!r} holds characters other than letters, digits and . _ @ + -"


def submitted_students(assignment: str, root: str | Path = ".") -> list[str]:
    """Students with a folder for ``assignment`` in the submitted directory, as nbgrader lists them."""
    api, _ = course_api(find_course_root(root))
    return sorted(api.get_submitted_students(assignment))


def require_assignments(root: Path, names: str | list[str]) -> None:
    """Refuse names that are not assignments of the course, naming those it has.

    ``names`` is one name (a command about one assignment) or a list of them.
    """
    known = list_assignments(root)
    wanted = [names] if isinstance(names, str) else list(names)
    unknown = [name for name in wanted if name not in known]
    if not unknown:
        return
    what = f"assignment {names!r}" if isinstance(names, str) else f"assignment(s) {unknown}"
    raise CourseError(f"unknown {what}; the course has {known}")
