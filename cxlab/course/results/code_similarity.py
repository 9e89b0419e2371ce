"""The code-similarity engine behind ``cxlab similarity``, behind one small interface.

An :class:`Engine` takes the students' documents (each student's own code, as text) and
returns a :class:`PairScore` for every unordered pair: a score from 0 to 1 and the
shared fragments as line ranges in each document. :mod:`cxlab.course.results.similarity`
uses only that interface, so the engine can be swapped. :class:`CopydetectEngine` is the
one the course keeps: copydetect's winnowing on Pygments tokens (names, strings and
comments normalised away, so that renaming variables changes nothing), through its
library API only (``CodeFingerprint`` and ``compare_files``); its HTML report, which
loads styles from the internet, is never used.

Imports: copydetect (which brings numpy and Pygments); nothing of cxlab.

>>> engine = CopydetectEngine()
>>> original = "def total(values):\\n    result = 0\\n    for value in values:\\n        result += value * 2\\n    return result\\n"
>>> renamed = original.replace("values", "xs").replace("value", "x").replace("result", "acc")
>>> other = "import math\\nprint(math.sqrt(sum(v ** 3 for v in range(10))) / 7)\\n"
>>> scores = {(pair.first, pair.second): round(pair.score, 2)
...           for pair in engine.compare({"a": original, "b": renamed, "c": other})}
>>> scores[("a", "b")], scores[("a", "c")]
(1.0, 0.0)
"""

from __future__ import annotations

import io
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PairScore:
    """How much two documents share: ``score`` from 0 (nothing) to 1 (all of both).

    ``first_lines`` and ``second_lines`` are the shared fragments as (first line, last
    line) ranges, counted from 1, in ``first``'s and ``second``'s document.
    """

    first: str
    second: str
    score: float
    first_lines: tuple[tuple[int, int], ...] = ()
    second_lines: tuple[tuple[int, int], ...] = ()


class Engine(Protocol):
    """What ``cxlab similarity`` needs of a code-similarity engine."""

    #: The engine's name and version, as the report states it.
    name: str

    def compare(self, documents: dict[str, str]) -> list[PairScore]:
        """A score for every unordered pair of ``documents`` (key -> code), in any order."""
        ...


def _line_starts(text: str):
    """Where each line of ``text`` starts (character offsets)."""
    import numpy as np

    return np.concatenate([[0], np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10) + 1])


def _line_ranges(starts, slices) -> tuple[tuple[int, int], ...]:
    """Character slices (starts, ends) as merged, 1-based line ranges, given the lines' ``starts``."""
    import numpy as np

    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    begin = np.asarray(slices[0], dtype=np.int64)
    end = np.maximum(begin, np.asarray(slices[1], dtype=np.int64) - 1)
    firsts = np.searchsorted(starts, begin, side="right")
    lasts = np.searchsorted(starts, end, side="right")
    merged: list[list[int]] = []
    for first, last in sorted(zip(firsts.tolist(), lasts.tolist())):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return tuple((first, last) for first, last in merged)


class CopydetectEngine:
    """copydetect (winnowing on Pygments tokens) for Python code.

    Parameters
    ----------
    boilerplate : str
        Code every student was given (the release's starter text): its fingerprints are
        never counted as shared.
    common_share : float
        A fingerprint found in more than this share (0–1) of the documents, and in at least
        ``common_minimum`` of them, is the class's common code (what a short task makes
        everyone write) and is not counted as shared either.
    noise_threshold, guarantee_threshold : int
        copydetect's ``-n`` and ``-g`` (characters of normalised code): matches shorter
        than the first are ignored, those at least as long as the second are always found.
    """

    def __init__(self, *, boilerplate: str = "", common_share: float = 0.5, common_minimum: int = 4,
                 noise_threshold: int | None = None, guarantee_threshold: int | None = None):
        from copydetect import __version__, defaults

        self.name = f"copydetect {__version__}"
        self.k = int(noise_threshold or defaults.NOISE_THRESHOLD)
        self.window = int(guarantee_threshold or defaults.GUARANTEE_THRESHOLD) - self.k + 1
        self.common_share = common_share
        self.common_minimum = common_minimum
        self.boilerplate = self._fingerprint(boilerplate).hashes if boilerplate.strip() else set()

    def _fingerprint(self, code: str, boilerplate=()):
        from copydetect import CodeFingerprint

        return CodeFingerprint("document.py", self.k, self.window, boilerplate=list(boilerplate),
                               fp=io.StringIO(code))

    def compare(self, documents: dict[str, str]) -> list[PairScore]:
        from copydetect import compare_files
        from copydetect.utils import get_token_coverage

        names = sorted(documents)
        boilerplate = sorted(self.boilerplate)
        prints = {name: self._fingerprint(documents[name], boilerplate) for name in names}
        counts = Counter(digest for fingerprint in prints.values() for digest in fingerprint.hashes)
        cut = max(self.common_minimum, self.common_share * len(names))
        common = {digest for digest, count in counts.items() if count > cut}
        holders = defaultdict(list)
        for name, fingerprint in prints.items():
            if common & fingerprint.hashes:
                fingerprint.hashes -= common
                for digest in common:
                    fingerprint.hash_idx.pop(digest, None)
                fingerprint.token_coverage = get_token_coverage(fingerprint.hash_idx, self.k,
                                                                len(fingerprint.filtered_code))
            for digest in fingerprint.hashes:
                holders[digest].append(name)
        # only pairs that share a fingerprint can score above 0
        touching = {pair for group in holders.values() if len(group) > 1 for pair in itertools.combinations(group, 2)}
        starts = {name: _line_starts(documents[name]) for name in names}
        scores = []
        for first, second in itertools.combinations(names, 2):
            if (first, second) not in touching:
                scores.append(PairScore(first, second, 0.0))
                continue
            _, (share_first, share_second), (slices_first, slices_second) = compare_files(prints[first], prints[second])
            score = min(1.0, (float(share_first) + float(share_second)) / 2)
            scores.append(PairScore(first, second, score, _line_ranges(starts[first], slices_first),
                                    _line_ranges(starts[second], slices_second)))
        return scores
