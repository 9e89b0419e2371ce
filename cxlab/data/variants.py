"""Exercise variants: every learner's own data, the same on every machine.

An exercise's data are keyed by a *variant*, a short text: a student's id as the course's
gradebook knows it, a practice code (``practice-001`` to ``practice-100``, public, with
value checks), or ``"book"`` for the chapter's own data. :func:`exercise` turns an
assignment and a variant into an :class:`Exercise`: its tables, its *task* (what this
variant is asked: which quarter, channel, threshold or segment) and a short fingerprint
of both, which the notebook prints and the grader compares with the one it recorded.

Reproducible anywhere. NumPy keeps a bit generator's stream stable across versions and
platforms, but not what ``Generator.normal``, ``choice`` or ``gamma`` make of it. So a
variant's draws come from :class:`StableRandom`: PCG64's raw 64-bit words, turned into
uniforms, normals, choices and so on by transforms that cxlab owns (inverse distribution
functions), with a key derived from the assignment, the variant and the generator version
(:data:`GENERATOR_VERSION`). The tables hold rounded values, so the last bit of a
transcendental function on another platform cannot change them, and the fingerprint hashes
a canonical text of them.

Vetted. Each assignment's generator names the ways one draw can sit on a knife-edge (a
p-value within 0.005 of 0.05, a tie where a question asks for "the biggest", a cell too
small for the method the chapter recommends). :func:`exercise` draws again from the next
sub-seed (``attempt``) until none applies, so every machine lands on the same attempt.

Layer 4 of cxlab (data): numpy, pandas, scipy.special and scipy.stats; the generators of
the assignments (``cxlab.data.<assignment>``) may use the statistics and analyses below.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = ["BOOK", "GENERATOR_VERSION", "PRACTICE_CODES", "Exercise", "StableRandom", "check_variant", "exercise",
           "fingerprint", "is_practice_code"]

#: Bumped whenever a generator changes what any variant's data are; recorded per student.
GENERATOR_VERSION = 1
#: The chapter's variant: the data the book prints.
BOOK = "book"
#: The public practice variants of every assignment: value checks work on these.
PRACTICE_CODES = tuple(f"practice-{number:03d}" for number in range(1, 101))
#: How many sub-seeds a variant may try before its generator is declared broken.
MAX_ATTEMPTS = 50
#: The assignments with variant generators: assignment -> module of cxlab.data.
GENERATORS = {
    "nps": "nps",
    "certification": "certification",
    "ex-cx": "ex_cx",
    "butterfly": "butterfly",
    "opinions": "opinions",
    "voc": "voc",
    "cx-role": "cx_role",
    "paths": "paths",
}
_VARIANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_FINGERPRINT_LENGTH = 12


def check_variant(variant) -> str:
    """``variant`` if it can name a variant: 1 to 64 letters, digits and ``. _ @ + -``.

    >>> check_variant("s1234567")
    's1234567'
    >>> check_variant("")
    Traceback (most recent call last):
    ...
    ValueError: VARIANT is empty: set it to your student id as your course lists you, or to a practice code from 'practice-001' to 'practice-100'
    """
    if not isinstance(variant, str):
        raise TypeError(f"VARIANT should be text such as 'practice-001', not {type(variant).__name__}")
    stripped = variant.strip()
    if not stripped:
        raise ValueError("VARIANT is empty: set it to your student id as your course lists you, "
                         f"or to a practice code from {PRACTICE_CODES[0]!r} to {PRACTICE_CODES[-1]!r}")
    if not _VARIANT.fullmatch(stripped):
        raise ValueError(f"VARIANT {variant[:80]!r} is not a variant: use 1 to 64 letters, digits and . _ @ + - "
                         "(your student id as your course lists you, or a practice code such as 'practice-001')")
    return stripped


def is_practice_code(variant: str) -> bool:
    """Whether ``variant`` is one of the public practice codes."""
    return variant in PRACTICE_CODES


def _seed_of(key: str) -> np.random.SeedSequence:
    return np.random.SeedSequence(int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:16], "big"))


def _size_of(size) -> tuple[int, ...]:
    if size is None:
        return ()
    return tuple(int(part) for part in np.atleast_1d(size))


class StableRandom:
    """Random draws that are the same on every platform and numpy version.

    The subset of :class:`numpy.random.Generator` that the course's generators use
    (``random``, ``uniform``, ``normal``, ``integers``, ``choice``, ``permutation``,
    ``binomial``, ``poisson``, ``gamma``, ``exponential``), built from PCG64's raw
    output: a uniform is the top 53 bits of a word, every other draw a transform of
    uniforms owned here. ``spawn(label)`` gives an independent stream for a part of the
    data, so that adding a table does not shift another's numbers.

    >>> first = StableRandom("demo").normal(0, 1, 3).round(6)
    >>> bool((first == StableRandom("demo").normal(0, 1, 3).round(6)).all())
    True
    >>> StableRandom("demo").integers(0, 11, 5).tolist()  # doctest: +SKIP
    """

    def __init__(self, key: str):
        self.key = str(key)
        self._bits = np.random.PCG64(_seed_of(self.key))

    def __repr__(self) -> str:
        return f"StableRandom({self.key!r})"

    def spawn(self, label) -> StableRandom:
        return StableRandom(f"{self.key}/{label}")

    def _uniform01(self, size) -> np.ndarray:
        shape = _size_of(size)
        count = math.prod(shape)
        words = self._bits.random_raw(count) if count else np.zeros(0, dtype=np.uint64)
        uniforms = (np.asarray(words, dtype=np.uint64) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
        return uniforms.reshape(shape)

    def _open01(self, size) -> np.ndarray:
        # strictly inside (0, 1): inverse distribution functions are finite there
        return self._uniform01(size) + 2.0 ** -54

    @staticmethod
    def _out(values: np.ndarray, size):
        if size is not None or not isinstance(values, np.ndarray):
            return values
        return values[()]

    def random(self, size=None):
        return self._out(self._uniform01(size), size)

    def uniform(self, low=0.0, high=1.0, size=None):
        shape = size if size is not None else np.broadcast(np.asarray(low), np.asarray(high)).shape
        return self._out(low + (np.asarray(high) - low) * self._uniform01(shape), size)

    def normal(self, loc=0.0, scale=1.0, size=None):
        from scipy.special import ndtri

        shape = size if size is not None else np.broadcast(np.asarray(loc), np.asarray(scale)).shape
        return self._out(np.asarray(loc) + np.asarray(scale) * ndtri(self._open01(shape)), size)

    def standard_normal(self, size=None):
        return self.normal(0.0, 1.0, size)

    def integers(self, low, high=None, size=None):
        if high is None:
            low, high = 0, low
        span = np.asarray(high, dtype=np.int64) - np.asarray(low, dtype=np.int64)
        if np.any(span <= 0):
            raise ValueError(f"integers needs low < high, not low={low}, high={high}")
        drawn = np.asarray(low) + np.floor(self._uniform01(size if size is not None else span.shape) * span)
        return self._out(drawn.astype(np.int64), size)

    def choice(self, options, size=None, replace=True, p=None):
        pool = np.arange(options) if isinstance(options, (int, np.integer)) else np.asarray(options)
        if pool.ndim != 1 or len(pool) == 0:
            raise ValueError("choice needs a non-empty 1-d sequence of options")
        if not replace:
            if p is not None:
                raise ValueError("choice without replacement takes no p")
            count = math.prod(_size_of(size)) if size is not None else 1
            picked = pool[self.permutation(len(pool))[:count]]
            return picked.reshape(_size_of(size)) if size is not None else picked[0]
        if p is None:
            index = np.floor(self._uniform01(size) * len(pool)).astype(np.int64)
        else:
            weights = np.asarray(p, dtype=float)
            if weights.shape != pool.shape or np.any(weights < 0) or not weights.sum() > 0:
                raise ValueError("choice needs one non-negative probability per option")
            cumulative = np.cumsum(weights) / weights.sum()
            index = np.minimum(np.searchsorted(cumulative, self._uniform01(size), side="right"), len(pool) - 1)
        return self._out(pool[index], size)

    def permutation(self, values):
        if isinstance(values, (int, np.integer)):
            return np.argsort(self._uniform01(int(values)), kind="stable")
        values = np.asarray(values)
        return values[np.argsort(self._uniform01(len(values)), kind="stable")]

    def binomial(self, n, p, size=None):
        from scipy.stats import binom

        shape = size if size is not None else np.broadcast(np.asarray(n), np.asarray(p)).shape
        return self._out(binom.ppf(self._open01(shape), n, p).astype(np.int64), size)

    def poisson(self, lam=1.0, size=None):
        from scipy.stats import poisson

        shape = size if size is not None else np.asarray(lam).shape
        return self._out(poisson.ppf(self._open01(shape), lam).astype(np.int64), size)

    def gamma(self, shape, scale=1.0, size=None):
        from scipy.special import gammaincinv

        dims = size if size is not None else np.broadcast(np.asarray(shape), np.asarray(scale)).shape
        return self._out(np.asarray(scale) * gammaincinv(shape, self._open01(dims)), size)

    def exponential(self, scale=1.0, size=None):
        shape = size if size is not None else np.asarray(scale).shape
        return self._out(-np.asarray(scale) * np.log1p(-self._uniform01(shape)), size)


def _canonical(value) -> str:
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for column in frame.columns:
            if pd.api.types.is_float_dtype(frame[column]):
                values = frame[column].to_numpy(dtype=float)
                texts = np.char.mod("%.9g", np.where(np.isnan(values), 0.0, values)).astype(object)
                texts[np.isnan(values)] = ""
                frame[column] = texts
        return frame.to_csv(index=True, lineterminator="\n")
    if isinstance(value, pd.Series):
        return _canonical(value.to_frame())
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{key!s}={_canonical(value[key])}" for key in sorted(value, key=str)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.9g}"
    return str(value)


def fingerprint(*parts) -> str:
    """A short hash (12 hex digits) of tables, mappings and plain values, in a canonical text.

    Floats enter with 9 significant digits, so a last-bit difference between platforms does
    not change it.

    >>> fingerprint({"quarter": "2026-Q1"}) == fingerprint({"quarter": "2026-Q1"})
    True
    >>> len(fingerprint(pd.DataFrame({"a": [1, 2]})))
    12
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(_canonical(part).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:_FINGERPRINT_LENGTH]


@dataclass(frozen=True)
class Exercise:
    """One variant of an assignment's data: its tables, its task and their fingerprint.

    ``exercise[name]`` gives a copy of a table; ``task`` says what this variant is asked
    (for example ``{"quarter": "2026-Q1", "channel": "email"}``); ``attempt`` is the
    sub-seed the vetting settled on (0 unless a draw sat on a knife-edge); ``rejected``
    lists why earlier attempts were set aside.
    """

    assignment: str
    variant: str
    tables: Mapping[str, pd.DataFrame]
    task: Mapping[str, object]
    fingerprint: str
    attempt: int = 0
    rejected: tuple[str, ...] = ()
    generator_version: int = GENERATOR_VERSION
    extras: Mapping[str, object] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise KeyError(f"the {self.assignment} exercise has no table {name!r}; it has {sorted(self.tables)}")
        return self.tables[name].copy()

    def __repr__(self) -> str:
        lines = [f"{self.assignment} exercise, variant {self.variant!r}, data fingerprint {self.fingerprint}"]
        if self.task:
            lines.append("your task: " + "; ".join(f"{key} = {value!r}" for key, value in self.task.items()))
        return "\n".join(lines)

    def __str__(self) -> str:
        return repr(self)


def _generator(assignment: str):
    if assignment not in GENERATORS:
        raise ValueError(f"unknown assignment {assignment!r}; the course's exercises are {sorted(GENERATORS)}")
    return importlib.import_module(f"{__package__}.{GENERATORS[assignment]}")


@functools.lru_cache(maxsize=64)
def _exercise(assignment: str, variant: str) -> Exercise:
    module = _generator(assignment)
    if variant == BOOK:
        tables, task = module.book()
        return _frozen(assignment, variant, tables, task, attempt=0, rejected=())
    rejected = []
    for attempt in range(MAX_ATTEMPTS):
        rng = StableRandom(f"cxlab|{assignment}|{variant}|v{GENERATOR_VERSION}|{attempt}")
        tables, task = module.generate(rng)
        reasons = list(module.knife_edges(tables, task))
        if not reasons:
            return _frozen(assignment, variant, tables, task, attempt=attempt, rejected=tuple(rejected))
        rejected.extend(f"attempt {attempt}: {reason}" for reason in reasons)
    raise RuntimeError(f"the {assignment} generator found no clean draw for variant {variant!r} in {MAX_ATTEMPTS} "
                       f"attempts: {rejected[-3:]}")


def _frozen(assignment, variant, tables, task, *, attempt, rejected) -> Exercise:
    tables = {name: table.reset_index(drop=True) if isinstance(table, pd.DataFrame) else table
              for name, table in tables.items()}
    return Exercise(assignment=assignment, variant=variant, tables=MappingProxyType(tables),
                    task=MappingProxyType(dict(task)), fingerprint=fingerprint(tables, dict(task)),
                    attempt=attempt, rejected=rejected)


def exercise(assignment: str, variant: str) -> Exercise:
    """The data of ``assignment`` for ``variant``: a student's id, a practice code or ``"book"``.

    The same variant gives the same tables, task and fingerprint on every machine; two
    variants differ in every data-dependent answer. Calls are cached by variant.

    >>> first = exercise("nps", "practice-001")
    >>> first.fingerprint == exercise("nps", "practice-001").fingerprint
    True
    >>> first.fingerprint != exercise("nps", "practice-002").fingerprint
    True
    """
    if not isinstance(assignment, str):
        raise TypeError(f"assignment should be text such as 'nps', not {type(assignment).__name__}")
    return _exercise(assignment, check_variant(variant))
