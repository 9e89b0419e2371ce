"""Benchmark: how long ``import cxlab`` takes in a fresh interpreter, next to ``import pandas``.

Run by hand (``make bench``), never in the test suite. Every contender is one new
``python -c "import X"`` process; the contenders take turns round after round, so a busy
moment of the machine hits all of them alike, and each figure is the best of the rounds.
The target is ``import cxlab`` within 1.3 times ``import pandas`` (which it needs anyway):
the statistics, plotting and course libraries load only when a function needs them.
The interpreter's own start-up is timed too and is part of every figure.

Usage: python bench/bench_import.py [--repeats 15] [--heaviest 8]
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time

CONTENDERS = {
    "python (start-up only)": "pass",
    "import pandas": "import pandas",
    "import cxlab": "import cxlab",
    "import cxlab.course": "import cxlab.course",
}
TARGET_RATIO = 1.3


def time_one(code: str) -> float:
    """Seconds for a fresh interpreter to run ``code`` and exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def heaviest_packages(code: str, count: int) -> list[tuple[str, float]]:
    """The packages whose modules take longest to load while running ``code``.

    Sums each module's own time (``-X importtime``'s "self" column) by top-level package, so
    a package is charged for its modules only, not for what they import.
    """
    completed = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                               capture_output=True, text=True, check=True)
    totals: dict[str, float] = {}
    for line in completed.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(fields) != 3 or not fields[0].strip().isdigit():
            continue
        top = fields[2].strip().split(".")[0]
        totals[top] = totals.get(top, 0.0) + int(fields[0]) / 1e6
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--heaviest", type=int, default=8, help="list this many packages that import cxlab spends most time in")
    args = parser.parse_args()

    for code in CONTENDERS.values():  # warm the file cache and the bytecode caches first
        time_one(code)
    timings: dict[str, list[float]] = {label: [] for label in CONTENDERS}
    for _ in range(args.repeats):
        for label, code in CONTENDERS.items():
            timings[label].append(time_one(code))
    best = {label: min(values) for label, values in timings.items()}

    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"best of {args.repeats} fresh interpreters each, taking turns")
    for label, seconds in best.items():
        print(f"  {label:<26} {seconds * 1000:7.1f} ms   (median {sorted(timings[label])[len(timings[label]) // 2] * 1000:6.1f} ms)")
    ratio = best["import cxlab"] / best["import pandas"]
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"import cxlab / import pandas = {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")
    print(f"import cxlab.course / import pandas = {best['import cxlab.course'] / best['import pandas']:.2f}x")

    if args.heaviest:
        print("Where import cxlab spends its time (own time of each package's modules, one -X importtime run):")
        for name, seconds in heaviest_packages("import cxlab", args.heaviest):
            print(f"  {name:<20} {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
