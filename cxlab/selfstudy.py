"""Value checks for learners who study alone: is an answer right, without seeing the answer.

A *digest* is a salted SHA-256 hash of an answer, written in a canonical form at the
precision its question grades: a number rounded to ``decimals`` decimals, a whole number,
True or False, a text, a list of texts (in order, or as a set), or a pandas Series of
numbers with its index. :func:`check_hash` hashes the learner's answer the same way: it
says ``correct`` or ``not yet``, with a short reason when the answer has the wrong type.
Worksheets of UBC's DSCI 100 check answers this way.

The exercises give every learner their own data (a *variant*, :mod:`cxlab.data.variants`).
cxlab ships, for each assignment, a pool of public practice variants with the digests of
their model answers (:func:`check_practice`): a learner practises on any of them and
switches to another as often as they like. A student's graded variant has no digests
anywhere: its checks test form only.

>>> digest = make_digest(4.1537, salt="demo", decimals=2, name="nps_all")
>>> print(check_hash(4.15, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: correct
>>> print(check_hash(4.16, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: not yet
>>> print(check_hash(4.2, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: not yet
>>> print(check_hash(None, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: not yet (a number is expected, not NoneType)

The salt (one per assignment) and the answer's name are hashed with the answer, so a
digest cannot be looked up in a table of hashed numbers, and two questions with the same
answer have different digests. A digest hides the answer from a reader, not from a
determined search: the salt is in the notebook, and trying every number with two
decimals in a range takes a moment. That is why a course that grades the notebooks
leaves these checks out of the version it hands out (``c.CourseSettings.self_study_checks``
in its ``nbgrader_config.py``).

Imports: numpy, pandas and the standard library; no other module of cxlab.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .language import say

__all__ = ["PracticeReport", "ValueCheck", "check_hash", "check_practice", "make_digest"]

#: The types an answer may have, exactly (a subclass could redefine comparison or printing).
NUMBER_TYPES = (int, float, np.int32, np.int64, np.float32, np.float64)
WHOLE_NUMBER_TYPES = (int, np.int32, np.int64)
BOOL_TYPES = (bool, np.bool_)
TEXT_TYPES = (str, np.str_)
#: What a digest can describe; the digest's text starts with its kind (``"number:…"``).
KINDS = ("number", "whole", "bool", "text", "list", "set", "series")
_HEX_LENGTH = 32


@dataclass(frozen=True)
class ValueCheck:
    """The verdict of :func:`check_hash`: printed as ``name: correct`` or ``name: not yet (reason)``."""

    name: str | None
    correct: bool
    reason: str = ""

    def __str__(self) -> str:
        verdict = say("correct", "dobrze") if self.correct else say("not yet", "jeszcze nie")
        if self.reason:
            verdict += f" ({self.reason})"
        return f"{self.name}: {verdict}" if self.name else verdict

    __repr__ = __str__


def _type_name(value) -> str:
    return type(value).__name__


def _decimals_needed(kind: str, decimals: int | None) -> int | None:
    if kind in ("number", "series"):
        if decimals is None or isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
            raise ValueError(f"a {kind} is hashed at a number of decimals: pass decimals=0 or more, not {decimals!r}")
        return decimals
    return None


def _problem(kind: str, value) -> str | None:
    """Why ``value`` cannot be an answer of this kind (a short reason), or None."""
    if kind == "number":
        if type(value) not in NUMBER_TYPES:
            return say(f"a number is expected, not {_type_name(value)}", f"oczekiwana jest liczba, nie {_type_name(value)}")
        if math.isnan(value):
            return say("it is NaN, not a number", "to NaN, nie liczba")
        if math.isinf(value):
            return say("it is infinite", "to nieskończoność")
    elif kind == "whole":
        if type(value) not in WHOLE_NUMBER_TYPES:
            return say(f"a whole number (int) is expected, not {_type_name(value)}",
                       f"oczekiwana jest liczba całkowita (int), nie {_type_name(value)}")
    elif kind == "bool":
        if type(value) not in BOOL_TYPES:
            return say(f"True or False is expected, not {_type_name(value)}",
                       f"oczekiwane jest True albo False, nie {_type_name(value)}")
    elif kind == "text":
        if type(value) not in TEXT_TYPES:
            return say(f"a text (str) is expected, not {_type_name(value)}",
                       f"oczekiwany jest tekst (str), nie {_type_name(value)}")
    elif kind in ("list", "set"):
        allowed = (list, tuple) if kind == "list" else (list, tuple, set, frozenset)
        if type(value) not in allowed:
            return say(f"a list of texts is expected, not {_type_name(value)}",
                       f"oczekiwana jest lista tekstów, nie {_type_name(value)}")
        wrong = [item for item in value if type(item) not in TEXT_TYPES]
        if wrong:
            return say(f"a list of texts is expected; it holds a {_type_name(wrong[0])}",
                       f"oczekiwana jest lista tekstów; zawiera {_type_name(wrong[0])}")
    elif kind == "series":
        if type(value) is not pd.Series:
            return say(f"a pandas Series is expected, not {_type_name(value)}",
                       f"oczekiwana jest pandas Series, nie {_type_name(value)}")
        if not pd.api.types.is_numeric_dtype(value.dtype) or pd.api.types.is_bool_dtype(value.dtype):
            return say(f"a Series of numbers is expected, not of {value.dtype} values",
                       f"oczekiwana jest Series liczb, nie wartości {value.dtype}")
        if not np.isfinite(value.to_numpy(dtype=float)).all():
            return say("it holds NaN or infinite values", "zawiera NaN albo nieskończoności")
    return None


def _number_text(number: float, decimals: int) -> str:
    text = f"{round(number, decimals):.{decimals}f}"
    return text.lstrip("-") if float(text) == 0 else text  # -0.00 and 0.00 are one answer


def _label_text(label) -> str:
    if type(label) in NUMBER_TYPES and float(label).is_integer():
        return str(int(label))
    return str(label)


def _canonical_forms(kind: str, value, decimals: int | None) -> list[str]:
    """The answer as text, at the graded precision. A number gets three forms: itself and
    itself nudged by a billionth either way, so that floating-point noise at a rounding
    border (2.6749999999 against 2.675) does not decide the verdict."""
    if kind == "number":
        number = float(value)
        nudge = 1e-9 * max(1.0, abs(number))
        return list(dict.fromkeys(_number_text(x, decimals) for x in (number, number - nudge, number + nudge)))
    if kind == "whole":
        return [str(int(value))]
    if kind == "bool":
        return [str(bool(value))]
    if kind == "text":
        return [str.__str__(value)]
    if kind == "list":
        return [json.dumps([str.__str__(item) for item in value])]
    if kind == "set":
        return [json.dumps(sorted({str.__str__(item) for item in value}))]
    # series
    pairs = [[_label_text(label), _number_text(float(number), decimals)]
             for label, number in zip(value.index, value.to_numpy(dtype=float))]
    return [json.dumps(pairs)]


def _hash(kind: str, canonical: str, salt: str, name: str | None) -> str:
    payload = "\n".join((str(salt), name or "", kind, canonical)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:_HEX_LENGTH]


def _kind_of(value, decimals: int | None, ordered: bool) -> str:
    if type(value) in BOOL_TYPES:
        return "bool"
    if type(value) in WHOLE_NUMBER_TYPES:
        return "whole" if decimals is None else "number"
    if type(value) in NUMBER_TYPES:
        return "number"
    if type(value) in TEXT_TYPES:
        return "text"
    if type(value) in (list, tuple):
        return "list" if ordered else "set"
    if type(value) in (set, frozenset):
        return "set"
    if type(value) is pd.Series:
        return "series"
    raise TypeError(f"cannot make a digest of a {_type_name(value)}: hash a number, True/False, a text, "
                    "a list of texts or a Series of numbers")


def make_digest(value, *, salt: str, decimals: int | None = None, name: str | None = None,
                ordered: bool = True) -> str:
    """The digest of a model answer, for :func:`check_hash`.

    Parameters
    ----------
    value : number, bool, str, list of str, or pandas Series of numbers
        The model answer. An int is a whole number, checked exactly, unless ``decimals``
        is given; a float or a Series needs ``decimals``.
    salt : str
        The assignment's salt; the same salt must be passed to :func:`check_hash`.
    decimals : int, optional
        The graded precision of a number (or of each value of a Series).
    name : str, optional
        The answer's name; it is hashed too, so equal answers to two questions differ.
    ordered : bool
        For a list: whether its order matters (False: any order is right).

    Returns
    -------
    str
        ``"KIND:HEX"``: the kind of answer (``number``, ``whole``, ``bool``, ``text``,
        ``list``, ``set``, ``series``) and 32 hexadecimal digits of the salted hash.

    Examples
    --------
    >>> make_digest(["phone", "chat"], salt="demo", name="changed", ordered=False)[:4]
    'set:'
    >>> make_digest(float("nan"), salt="demo", decimals=2)
    Traceback (most recent call last):
    ...
    ValueError: cannot make a digest of this answer: it is NaN, not a number
    """
    kind = _kind_of(value, decimals, ordered)
    decimals = _decimals_needed(kind, decimals)
    problem = _problem(kind, value)
    if problem:
        raise ValueError(f"cannot make a digest of this answer: {problem}")
    return f"{kind}:{_hash(kind, _canonical_forms(kind, value, decimals)[0], salt, name)}"


def _fewer_decimals(kind: str, value, decimals: int) -> int | None:
    """The number of decimals below ``decimals`` that the answer shows, if it shows fewer."""
    numbers = [float(value)] if kind == "number" else value.to_numpy(dtype=float).tolist()
    if not numbers:
        return None
    for shown in range(decimals):
        if all(abs(round(x, shown) - x) <= 1e-12 * max(1.0, abs(x)) for x in numbers):
            return shown
    return None


def check_hash(value, digest: str, *, salt: str, decimals: int | None = None,
               name: str | None = None, coarser: dict | None = None) -> ValueCheck:
    """Is ``value`` the answer whose digest is ``digest``? Never raises on a wrong answer.

    Parameters
    ----------
    value : object
        The learner's answer, of any type: a wrong type is a verdict, not an error.
    digest : str
        The model answer's digest, from :func:`make_digest`.
    salt, decimals, name
        As given to :func:`make_digest`.
    coarser : dict, optional
        Fewer decimals -> the digest of the model answer rounded to them (as
        :func:`practice_digests` makes them). With them, a value that shows fewer decimals
        than graded is told so, but only when that rounding is the whole difference.

    Returns
    -------
    ValueCheck
        Prints as ``correct`` or ``not yet``, with a reason when the type is wrong, the value
        is the answer as a share or a percentage or with its sign flipped, or (given
        ``coarser``) rounded too far; ``.correct`` is the verdict as a bool.

    Examples
    --------
    >>> digest = make_digest(True, salt="demo", name="significant")
    >>> check_hash(True, digest, salt="demo", name="significant").correct
    True
    >>> print(check_hash("True", digest, salt="demo", name="significant"))
    significant: not yet (True or False is expected, not str)
    """
    kind, _, expected = str(digest).partition(":")
    if kind not in KINDS or len(expected) != _HEX_LENGTH:
        raise ValueError(f"not a digest made by make_digest: {digest!r}")
    decimals = _decimals_needed(kind, decimals)
    problem = _problem(kind, value)
    if problem:
        return ValueCheck(name, False, problem)
    hexes = {int(places): str(text).partition(":")[2] or str(text) for places, text in (coarser or {}).items()}
    return _verdict(kind, value, decimals, salt, name, expected, coarser=hexes)


def _matches(kind: str, value, decimals: int | None, salt: str, name: str | None, expected: str) -> bool:
    return any(_hash(kind, form, salt, name) == expected for form in _canonical_forms(kind, value, decimals))


def _verdict(kind: str, value, decimals: int | None, salt: str, name: str | None, expected: str,
             coarser: dict[int, str]) -> ValueCheck:
    """The verdict on a value of the right form. ``coarser`` maps fewer decimals to the digest of
    the model answer rounded to them: a rounding hint is given only when the learner's value,
    rounded as they rounded it, equals the model answer rounded the same way."""
    if _matches(kind, value, decimals, salt, name, expected):
        return ValueCheck(name, True)
    if kind in ("number", "series"):
        shown = _fewer_decimals(kind, value, decimals)
        if shown is not None and shown in coarser and _matches(kind, value, shown, salt, name, coarser[shown]):
            plural = "" if shown == 1 else "s"
            return ValueCheck(name, False, say(f"it has {shown} decimal{plural}; keep at least {decimals}",
                                               f"miejsca po przecinku: {shown}; zostaw co najmniej {decimals}"))
    if kind == "number":
        number = float(value)
        for changed, reason in ((number * 100, say("it looks like a share (0 to 1); the question asks for a percentage",
                                                   "to wygląda na ułamek (0 do 1); pytanie prosi o procent")),
                                (number / 100, say("it looks like a percentage; the question asks for a share (0 to 1)",
                                                   "to wygląda na procent; pytanie prosi o ułamek (0 do 1)")),
                                (-number, say("its sign is the opposite of the answer's",
                                              "znak jest przeciwny niż w odpowiedzi"))):
            if changed != number and _matches(kind, changed, decimals, salt, name, expected):
                return ValueCheck(name, False, reason)
    return ValueCheck(name, False)


# --------------------------------------------------------------------------------------
# Practice variants: the pool of digests shipped with cxlab.

#: Where the practice pools live: ``cxlab/datasets/practice/<assignment>.json``.
PRACTICE_FOLDER = ("datasets", "practice")


@dataclass(frozen=True)
class PracticeReport:
    """The verdicts of :func:`check_practice`, one line per answer (or one line saying why none)."""

    checks: tuple[ValueCheck, ...]
    note: str = ""

    @property
    def correct(self) -> bool:
        return bool(self.checks) and all(check.correct for check in self.checks)

    def __str__(self) -> str:
        lines = [str(check) for check in self.checks]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    __repr__ = __str__


def _practice_pool(assignment: str) -> dict:
    from importlib import resources

    if not isinstance(assignment, str) or not assignment.replace("-", "").isalnum():
        raise ValueError(f"not an assignment name: {assignment!r}")
    path = resources.files("cxlab").joinpath(*PRACTICE_FOLDER, f"{assignment}.json")
    if not path.is_file():
        raise ValueError(f"no practice pool for the assignment {assignment!r}")
    return json.loads(path.read_text(encoding="utf-8"))


def check_practice(assignment: str, variant: str, answers: dict, *, decimals: dict | None = None,
                   ordered: tuple = ()) -> PracticeReport:
    """Value checks on a practice variant: is each answer right, without the answer in sight?

    The pool of ``assignment`` (shipped with cxlab) holds, for every practice code
    (``practice-001`` to ``practice-100``), salted digests of the model answers at their
    graded precision, and of each number rounded to fewer decimals, so that a rounding hint
    is given only when the learner's rounding is the whole difference. A share given as a
    percentage (or the other way round) and a flipped sign are named too. On any other
    variant (a student's id in a graded course) there is nothing to compare with: the
    report says so, and the form checks are all there is.

    Parameters
    ----------
    assignment : str
        The assignment, for example ``"nps"``.
    variant : str
        The notebook's ``VARIANT``.
    answers : dict
        Answer name -> the learner's value.
    decimals : dict, optional
        Answer name -> graded decimals, for numbers and Series.
    ordered : tuple of str
        Names of list answers whose order matters.

    Examples
    --------
    >>> print(check_practice("nps", "s1234567", {"nps_all": 3.5}, decimals={"nps_all": 2}))
    value checks work on the practice codes practice-001 to practice-100; 's1234567' is graded by your course, so only the form checks above apply
    """
    pool = _practice_pool(assignment)
    if variant not in pool["variants"]:
        first, last = min(pool["variants"]), max(pool["variants"])
        codes = say(f"value checks work on the practice codes {first} to {last}",
                    f"sprawdzanie wartości działa na kodach ćwiczeniowych od {first} do {last}")
        if variant == "book":
            return PracticeReport((), codes + say("; 'book' is the chapter's own data, whose figures the chapter shows",
                                                  "; 'book' to dane samego rozdziału, którego wyniki rozdział pokazuje"))
        return PracticeReport((), codes + say(f"; {str(variant)[:70]!r} is graded by your course, "
                                              "so only the form checks above apply",
                                              f"; {str(variant)[:70]!r} ocenia Twój kurs, "
                                              "więc obowiązują tylko sprawdzenia formy powyżej"))
    entry = pool["variants"][variant]
    salt = f"{pool['salt']}|{variant}"
    checks = []
    for name, value in answers.items():
        spec = pool["answers"].get(name)
        if spec is None:
            raise ValueError(f"the {assignment} practice pool has no answer {name!r}; it has {sorted(pool['answers'])}")
        kind = spec["kind"]
        places = _decimals_needed(kind, spec.get("decimals"))
        problem = _problem(kind, value)
        if problem:
            checks.append(ValueCheck(name, False, problem))
            continue
        digests = entry["digests"][name]
        expected = digests[str(places)] if places is not None else digests["exact"]
        coarser = {int(key): digest for key, digest in digests.items() if key not in ("exact", str(places))}
        checks.append(_verdict(kind, value, places, salt, name, expected, coarser))
    return PracticeReport(tuple(checks))


def practice_digests(value, *, kind: str, decimals: int | None, salt: str, name: str) -> dict[str, str]:
    """The digests of one model answer for a practice pool: at the graded precision and, for
    a number or Series, at each coarser one (keys are the decimals, or ``"exact"``)."""
    problem = _problem(kind, value)
    if problem:
        raise ValueError(f"cannot make a digest of the model answer {name!r}: {problem}")
    if kind not in ("number", "series"):
        return {"exact": _hash(kind, _canonical_forms(kind, value, None)[0], salt, name)}
    return {str(places): _hash(kind, _canonical_forms(kind, value, places)[0], salt, name)
            for places in range(decimals + 1)}


def answer_kind(value, *, decimals: int | None, ordered: bool) -> str:
    """The kind of digest a model answer gets (``number``, ``whole``, ``bool``, ``text``, ``list``, ``set``, ``series``)."""
    return _kind_of(value, decimals, ordered)
