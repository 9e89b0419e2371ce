"""Value checks for learners who study alone: is an answer right, without seeing the answer.

A *digest* is a salted SHA-256 hash of an answer, written in a canonical form at the
precision its question grades: a number rounded to ``decimals`` decimals, a whole number,
True or False, a text, a list of texts (in order, or as a set), or a pandas Series of
numbers with its index. The exercise notebooks published with the book carry the digest
of each model answer, and :func:`check_hash` hashes the learner's answer the same way:
it says ``correct`` or ``not yet``, with a short reason when the answer has the wrong
type or fewer decimals than graded. Worksheets of UBC's DSCI 100 check answers this way.

>>> digest = make_digest(4.1537, salt="demo", decimals=2, name="nps_all")
>>> print(check_hash(4.15, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: correct
>>> print(check_hash(4.16, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: not yet
>>> print(check_hash(4.2, digest, salt="demo", decimals=2, name="nps_all"))
nps_all: not yet (it has 1 decimal; if you rounded it, keep at least 2)
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

__all__ = ["ValueCheck", "check_hash", "make_digest"]

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
        verdict = "correct" if self.correct else "not yet"
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
            return f"a number is expected, not {_type_name(value)}"
        if math.isnan(value):
            return "it is NaN, not a number"
        if math.isinf(value):
            return "it is infinite"
    elif kind == "whole":
        if type(value) not in WHOLE_NUMBER_TYPES:
            return f"a whole number (int) is expected, not {_type_name(value)}"
    elif kind == "bool":
        if type(value) not in BOOL_TYPES:
            return f"True or False is expected, not {_type_name(value)}"
    elif kind == "text":
        if type(value) not in TEXT_TYPES:
            return f"a text (str) is expected, not {_type_name(value)}"
    elif kind in ("list", "set"):
        allowed = (list, tuple) if kind == "list" else (list, tuple, set, frozenset)
        if type(value) not in allowed:
            return f"a list of texts is expected, not {_type_name(value)}"
        wrong = [item for item in value if type(item) not in TEXT_TYPES]
        if wrong:
            return f"a list of texts is expected; it holds a {_type_name(wrong[0])}"
    elif kind == "series":
        if type(value) is not pd.Series:
            return f"a pandas Series is expected, not {_type_name(value)}"
        if not pd.api.types.is_numeric_dtype(value.dtype) or pd.api.types.is_bool_dtype(value.dtype):
            return f"a Series of numbers is expected, not of {value.dtype} values"
        if not np.isfinite(value.to_numpy(dtype=float)).all():
            return "it holds NaN or infinite values"
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
               name: str | None = None) -> ValueCheck:
    """Is ``value`` the answer whose digest is ``digest``? Never raises on a wrong answer.

    Parameters
    ----------
    value : object
        The learner's answer, of any type: a wrong type is a verdict, not an error.
    digest : str
        The model answer's digest, from :func:`make_digest`.
    salt, decimals, name
        As given to :func:`make_digest`.

    Returns
    -------
    ValueCheck
        Prints as ``correct`` or ``not yet``, with a reason when the type is wrong or the
        value shows fewer decimals than are graded; ``.correct`` is the verdict as a bool.

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
    if any(_hash(kind, form, salt, name) == expected for form in _canonical_forms(kind, value, decimals)):
        return ValueCheck(name, True)
    if kind in ("number", "series"):
        shown = _fewer_decimals(kind, value, decimals)
        if shown is not None:
            plural = "" if shown == 1 else "s"
            return ValueCheck(name, False, f"it has {shown} decimal{plural}; if you rounded it, keep at least {decimals}")
    return ValueCheck(name, False)
