"""Coverage study: how often do nominal 95% NPS intervals contain the true NPS?

For n from 10 to 1,000 and true promoter and detractor shares from balanced to the
extremes, it computes the actual coverage of the Wald, adjusted Wald and bootstrap
intervals (exactly for the first two, by summing the multinomial probability of every
possible sample; by simulation for the bootstrap), the kind of study Rocks reports in
*The American Statistician* 70(4), 2016. It prints the table, the lowest coverage of
each method, and saves the table (CSV) and a figure (PNG).

Run by hand (``python bench/nps_coverage.py``); a test pins its findings at a fixed
seed, and the NPS chapter runs the same function on the same grid.

Usage: python bench/nps_coverage.py [--seed 20261123] [--out _build/nps-coverage]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from cxlab.plots import coverage_chart  # noqa: E402
from cxlab.stats.nps_intervals import coverage_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--samples", type=int, default=2000, help="simulated samples per cell (bootstrap)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples per sample")
    parser.add_argument("--out", type=Path, default=Path("_build/nps-coverage"))
    arguments = parser.parse_args()

    table = coverage_table(seed=arguments.seed, n_samples=arguments.samples, n_resamples=arguments.resamples)
    wide = table.pivot_table(index=["method", "n"], columns=["promoters", "detractors"], values="coverage")
    print((100 * wide).round(1).to_string())
    print()
    for method, part in table.groupby("method", sort=False):
        worst = part.loc[part["coverage"].idxmin()]
        print(f"{method:14s} lowest coverage {100 * worst['coverage']:5.1f}% at n={worst['n']}, "
              f"{worst['promoters']:.0%} promoters, {worst['detractors']:.0%} detractors")
    arguments.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(arguments.out / "nps-coverage.csv", index=False)
    axes = coverage_chart(table)
    axes[0].figure.savefig(arguments.out / "nps-coverage.png", dpi=150)
    print(f"\ntable and figure in {arguments.out}/")


if __name__ == "__main__":
    main()
