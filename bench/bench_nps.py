"""Benchmark: cxlab.nps on 10 million scores against a naive pandas version and the bincount floor.

Run by hand (``make bench``), never in the test suite. All contenders run side by
side in one process on the same array, and each figure is the best of several
repeats, so the ratios are comparable even on a busy machine.

Usage: python bench/bench_nps.py [--n 10000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
import pandas as pd

import cxlab
from _timing import best_time  # bench/ is on the path when a benchmark runs as a script


def naive_pandas_nps(scores: np.ndarray) -> float:
    """What a spreadsheet-minded analyst writes: label every row, then count the labels."""
    series = pd.Series(scores)

    def label(score):
        if score >= 9:
            return "promoter"
        if score >= 7:
            return "passive"
        return "detractor"

    counts = series.map(label).value_counts()
    return 100 * (counts.get("promoter", 0) - counts.get("detractor", 0)) / len(series)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()

    rng = np.random.default_rng(0)
    scores = rng.integers(0, 11, arguments.n)

    floor = best_time(lambda: np.bincount(scores, minlength=11), arguments.repeats)
    ours = best_time(lambda: cxlab.nps(scores, ci=0.95), arguments.repeats)
    naive = best_time(lambda: naive_pandas_nps(scores), max(1, arguments.repeats // 2))
    assert np.isclose(naive_pandas_nps(scores), cxlab.nps(scores).value)

    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{arguments.n:,} scores, best of {arguments.repeats}")
    print(f"np.bincount floor          {floor * 1e3:9.1f} ms")
    print(f"cxlab.nps (95% interval)    {ours * 1e3:9.1f} ms   {ours / floor:6.2f} x floor")
    print(f"naive pandas (label+count) {naive * 1e3:9.1f} ms   {naive / ours:6.1f} x cxlab.nps")

    print("bootstrap interval, 10,000 multinomial resamples (from the category counts):")
    reference = None
    for n in (1_000, 100_000, arguments.n):
        counts = cxlab.nps_counts(scores[:n])
        elapsed = best_time(
            lambda c=counts: cxlab.nps_from_counts(c.promoters, c.passives, c.detractors,
                                                   method="bootstrap", seed=1, n_resamples=10_000),
            arguments.repeats,
        )
        reference = reference or elapsed
        print(f"  n={n:>12,}  {elapsed * 1e3:7.1f} ms  ({elapsed / reference:4.2f} x the n=1,000 time)")
    whole = best_time(lambda: cxlab.nps(scores, method="bootstrap", seed=1), arguments.repeats)
    print(f"  cxlab.nps(method='bootstrap') on all {arguments.n:,} scores, counting included: {whole * 1e3:.1f} ms")

if __name__ == "__main__":
    main()
