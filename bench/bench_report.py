"""Benchmark: the survey report on 1,000,000 responses, side by side with only reading the file.

Run by hand (``make bench``), never in the test suite. Writes a semicolon-separated export
with decimal commas (20 segments, 4 periods, a 0-10 score, a 1-5 satisfaction item, a 1-7
effort item, two driver ratings, 1% missing scores and a few answers written as labels),
then times, best of several repeats, in one process:

- ``pd.read_csv`` with the separator and decimal mark given (the floor: reading alone);
- :func:`cxlab.read_survey` (detection, labels, the record of changes);
- :func:`cxlab.report.survey_report` from the file (reading included) to the finished page.

The aim is a report that costs at most as much again as reading: report / read <= 2.

Usage: python bench/bench_report.py [--n 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import cxlab
from _timing import best_time  # bench/ is on the path when a benchmark runs as a script
from cxlab.report import survey_report


def write_export(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 20, n)
    period = rng.integers(0, 4, n)
    experience = rng.normal(0.05 * (segment - 10) / 10 - 0.05 * period, 1.0, n)
    recommend = np.clip(np.round(7.4 + 2.1 * experience + rng.normal(0, 1, n)), 0, 10).astype(int)
    frame = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "oddział": np.char.add("oddział ", (segment + 1).astype(str)),
        "kwartał": np.char.add("2026-Q", (period + 1).astype(str)),
        "polecenie": recommend.astype(object),
        "zadowolenie": np.clip(np.round(3.8 + 0.9 * experience + rng.normal(0, 0.6, n)), 1, 5).astype(int),
        "wysiłek": np.clip(np.round(5.0 + 1.3 * experience + rng.normal(0, 1, n)), 1, 7).astype(int),
        "doradca": np.round(3.5 + 0.8 * experience + rng.normal(0, 0.7, n), 1),
        "aplikacja": np.round(3.2 + 0.5 * experience + rng.normal(0, 0.9, n), 1),
    })
    missing = rng.random(n) < 0.01
    frame.loc[missing, "polecenie"] = ""
    labelled = np.flatnonzero((rng.random(n) < 0.001) & (recommend == 10) & ~missing)
    frame.loc[labelled, "polecenie"] = "10 - zdecydowanie polecę"
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "eksport.csv"
        write_export(path, arguments.n)
        options = dict(score="polecenie", csat="zadowolenie", ces="wysiłek", segment="oddział", period="kwartał",
                       drivers=["doradca", "aplikacja"], lang="pl")
        floor = best_time(lambda: pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig"), arguments.repeats)
        loader = best_time(lambda: cxlab.read_survey(path, scales={"polecenie": (0, 10)}), arguments.repeats)
        report = best_time(lambda: survey_report(path, **options), arguments.repeats)
        page = survey_report(path, **options)
        size = path.stat().st_size

    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{arguments.n:,} responses, 20 segments, 4 periods, {size / 1e6:.0f} MB CSV, best of {arguments.repeats}")
    print(f"pd.read_csv (separator and decimal given)  {floor:7.2f} s")
    print(f"cxlab.read_survey (detects, reads labels)  {loader:7.2f} s   {loader / floor:5.2f} x read_csv")
    print(f"survey_report, file to page               {report:7.2f} s   {report / floor:5.2f} x read_csv")
    print(f"page: {len(page.html) / 1e3:.0f} kB; rows kept {page.numbers['rows_kept']:,}; "
          f"changes recorded {len(page.survey.changes):,}")


if __name__ == "__main__":
    main()
