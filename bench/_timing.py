"""Shared by the benchmarks: time a function the way every figure in the README is timed."""

from __future__ import annotations

import time


def best_time(function, repeats: int) -> float:
    """The fastest of ``repeats`` runs, in seconds: the least disturbed by a busy machine."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)
