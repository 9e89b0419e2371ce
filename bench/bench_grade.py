"""Benchmark: ``cxlab grade`` with 2 workers against plain sequential ``nbgrader autograde``.

40 submissions of the NPS assignment: 16 correct, 16 partly wrong (two answers off),
8 failing (the untouched exercise, or an error in an early answer). Each contender
grades the same files in a fresh copy of the course with a fresh SQLite gradebook:

- ``nbgrader autograde nps``, the plain command, one student after another;
- ``cxlab grade nps --workers 1``: each notebook in a kernel under bubblewrap, its answers
  handed over as data, the checks in the worker's trusted checker (which generates each
  student's own variant of the data for the checks), and the records; per submission,
  what all that costs;
- ``cxlab grade nps --workers 2``.

Every student works on their own variant (their id); the variant registry is written
before the clock starts, as ``cxlab assign`` writes it at release. They run one after
another in this process's machine, and the ratios are the figures to compare. Every contender must produce the same scores; the script checks it.

Usage: python bench/bench_grade.py [--n 40]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.course.submissions import EXERCISE, answer, honest, with_variant  # noqa: E402  (the same notebooks the tests grade)

BIN = Path(sys.executable).parent


def submissions(n: int) -> dict[str, nbformat.NotebookNode]:
    kinds = [
        lambda: honest(),
        lambda: honest({"q2_answer": "nps_all = 12.5", "q6_answer": "n_needed = 1000"}),
        lambda: honest(),
        lambda: honest({"q4_answer": "change, change_pvalue, change_is_noise = 1.0, 0.5, True",
                        "q7_answer": answer("q7").replace("top=2", "top=1")}),
    ]
    failing = [lambda: nbformat.read(EXERCISE, as_version=4),
               lambda: honest({"q1_answer": "raise RuntimeError('unfinished')"})]
    made = {}
    for index in range(n):
        if index % 5 == 4:
            made[f"student{index:03d}"] = failing[(index // 5) % 2]()
        else:
            made[f"student{index:03d}"] = kinds[index % 4]()
    return made


def fresh_course(folder: Path, notebooks: dict) -> Path:
    course = folder / "course"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    subprocess.run([str(BIN / "cxlab"), "--root", str(course), "assign", "nps"], check=True, capture_output=True)
    for student, notebook in notebooks.items():
        target = course / "submitted" / student / "nps"
        target.mkdir(parents=True)
        # each student works on their own variant, their id
        nbformat.write(with_variant(notebook, student), target / "nps.ipynb")
    # the registry is written when the assignment is released (here: for the students who submit)
    from cxlab.course.shared.variants import record_students

    record_students(course, "nps", sorted(notebooks))
    return course


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "cxlab") as gradebook:
        return {s.student.id: float(s.score) for s in gradebook.find_assignment("nps").submissions}


def run(label: str, command: list[str], notebooks: dict) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as scratch:
        course = fresh_course(Path(scratch), notebooks)
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=course, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - start
        if completed.returncode != 0:
            raise SystemExit(f"{label} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
        return seconds, scores(course)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    arguments = parser.parse_args()
    notebooks = submissions(arguments.n)
    limits = ["--cell-timeout", "60", "--time-limit", "600", "--no-progress"]
    contenders = [
        ("nbgrader autograde (sequential)", [str(BIN / "nbgrader"), "autograde", "nps"]),
        ("cxlab grade --workers 1", [str(BIN / "cxlab"), "grade", "nps", "--workers", "1", *limits]),
        ("cxlab grade --workers 2", [str(BIN / "cxlab"), "grade", "nps", "--workers", "2", *limits]),
    ]
    results = {}
    for label, command in contenders:
        results[label] = run(label, command, notebooks)
        print(f"{label:<34} {results[label][0]:7.1f} s  ({results[label][0] / arguments.n:.2f} s per submission)", flush=True)
    reference = results[contenders[0][0]][1]
    for label, (_, found) in results.items():
        if found != reference:
            raise SystemExit(f"{label} gave other scores than nbgrader: {set(found.items()) ^ set(reference.items())}")
    plain, one, two = (results[label][0] for label, _ in contenders)
    print(f"\n{arguments.n} submissions, {os.cpu_count()} cores, Python {platform.python_version()}; same scores from all three")
    print(f"speed-up of cxlab grade --workers 2 over sequential nbgrader: {plain / two:.2f}x")
    print(f"cxlab grade --workers 1 per submission vs nbgrader: {one / plain:.2f}x the time")


if __name__ == "__main__":
    main()
