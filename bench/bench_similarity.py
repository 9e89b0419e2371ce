"""Benchmark: ``cxlab similarity`` on 300 submissions, beside copydetect's own command line.

300 synthetic submissions of the NPS assignment: each student's answer cells are the
model answers or one of the test class's other honest ways of answering
(``tests/course/similarity_batch.py``), picked per question, with the student's own
variable names (renamed at random) and statements reordered where the order does not
matter; a few students are copies of a classmate under new names. Each has a grading
record with the answers its checks were handed, as ``cxlab grade`` writes it, so the
answer path is timed too (there is no registry: no variant grading here).

Two contenders, on the same machine, one after the other:

- ``cxlab similarity nps``: reading the 300 notebooks and records, decoding the answers,
  the engine (copydetect's library), the assignment's calibration, the supporting
  signals, and the HTML page;
- ``copydetect -t DIR --disable-autoopen``: the engine's own command on the same students'
  code, extracted beforehand to one ``.py`` file each (the extraction is not timed), with
  the starter code as its boilerplate directory, writing its own HTML report.

Usage: python bench/bench_similarity.py [--n 300]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.course import similarity_batch as batch  # noqa: E402  (the test class's ways of answering)
from tests.course.submissions import _solution_answers, new_course, submit  # noqa: E402

BIN = Path(sys.executable).parent
KEEP = {"survey", "cxlab", "np", "pd", "math", "INTERVAL_QUARTER", "MARGIN", "FOCUS_CHANNEL", "CHANNELS", "len",
        "float", "int", "bool", "min", "max", "sum", "sorted", "range", "round", "abs", "map", "print"}
ANSWER_NAMES = {"promoters", "passives", "detractors", "nps_all", "interval_low", "interval_high", "change",
                "change_pvalue", "change_is_noise", "changed_channels", "biggest_fall", "n_needed", "focus_csat",
                "focus_ces_agree", "focus_nss"}
WORDS = ["val", "res", "tmp", "data", "part", "rows", "sel", "out", "item", "score", "grp", "frame", "x", "y", "k"]


def _rename(code: str, rng: random.Random) -> str:
    """The student's own names for the variables the code binds (answers and the setup's names kept)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    bound = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    names = {name: f"{rng.choice(WORDS)}_{rng.randrange(1000)}" for name in sorted(bound - ANSWER_NAMES - KEEP)}
    if not names:
        return code
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    return pattern.sub(lambda match: names[match.group(1)], code)


def _reorder(code: str, rng: random.Random) -> str:
    """Adjacent top-level statements swapped where neither reads what the other binds."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return code
    lines = code.splitlines()
    chunks = ["\n".join(lines[s.lineno - 1:s.end_lineno]) for s in statements]

    def names(node, kind):
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, kind)}

    for index in range(len(statements) - 1):
        one, other = statements[index], statements[index + 1]
        if rng.random() < 0.5 and not (names(one, ast.Store) & (names(other, ast.Load) | names(other, ast.Store))) \
                and not (names(other, ast.Store) & names(one, ast.Load)):
            statements[index], statements[index + 1] = other, one
            chunks[index], chunks[index + 1] = chunks[index + 1], chunks[index]
    return "\n".join(chunks)


def students(n: int, seed: int = 1) -> dict[str, list[str]]:
    rng = random.Random(seed)
    model = [_solution_answers()[question] for question in batch.QUESTIONS]
    ways = [model, *batch.HONEST_CODE.values(), *batch.LOOK_ALIKE_CODE.values()]
    code = {}
    for number in range(n):
        student = f"s{number:04d}"
        if number % 50 == 49:  # a copy of the classmate before, under new names
            code[student] = [_rename(cell, rng) for cell in code[f"s{number - 1:04d}"]]
            continue
        code[student] = [_reorder(_rename(rng.choice(ways)[question], rng), rng) for question in range(7)]
    return code


def _record(student: str, rng: random.Random) -> dict:
    from cxlab.course.grading.answers import snapshot

    values = {"promoters": rng.randrange(700, 900), "passives": 500, "detractors": 600, "nps_all": rng.uniform(5, 20),
              "interval_low": 1.5, "interval_high": 9.25, "change": -2.2, "change_pvalue": 0.54,
              "change_is_noise": True, "changed_channels": ["phone"], "biggest_fall": "phone",
              "n_needed": rng.randrange(900, 1200), "focus_csat": 70.75, "focus_ces_agree": 70.65, "focus_nss": 21.07}
    checks = {"q1_counts": ["promoters", "passives", "detractors"], "q2_score": ["nps_all"],
              "q3_interval": ["interval_low", "interval_high"], "q4_change": ["change", "change_pvalue", "change_is_noise"],
              "q5_channels": ["changed_channels", "biggest_fall"], "q6_sample_size": ["n_needed"],
              "q7_complements": ["focus_csat", "focus_ces_agree", "focus_nss"]}
    return {"version": 1, "student": student, "assignment": "nps", "status": "graded", "reasons": [], "findings": [],
            "answers": {cell: snapshot(values, names) for cell, names in checks.items()},
            "by_cell": {cell: [1.0, 1.0] for cell in checks}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    arguments = parser.parse_args()

    from cxlab.course.results.similarity import (read_submission, starter_text, write_similarity_report)
    import nbformat

    work = Path(tempfile.mkdtemp(prefix="cxlab-bench-similarity-"))
    try:
        course = new_course(work, "course")
        rng = random.Random(2)
        log = course / "grading-log" / "nps"
        log.mkdir(parents=True)
        for student, code in students(arguments.n).items():
            submit(course, student, batch.notebook(code), timestamp=f"2026-12-01 {8 + rng.randrange(10)}:{rng.randrange(60):02d}:00")
            (log / f"{student}.json").write_text(json.dumps(_record(student, rng)))

        started = time.perf_counter()
        report, page = write_similarity_report("nps", course)
        ours = time.perf_counter() - started

        release = nbformat.read(str(course / "exercises" / "nps" / "nps.ipynb"), as_version=4)
        extracted, boilerplate = work / "extracted", work / "boilerplate"
        extracted.mkdir()
        boilerplate.mkdir()
        (boilerplate / "starter.py").write_text(starter_text(release))
        for folder in sorted((course / "submitted").iterdir()):
            document = read_submission(folder.name, folder / "nps" / "nps.ipynb", release).document
            (extracted / f"{folder.name}.py").write_text(document)
        started = time.perf_counter()
        subprocess.run([str(BIN / "copydetect"), "-t", str(extracted), "-b", str(boilerplate), "-e", "py",
                        "--disable-autoopen", "-O", str(work / "copydetect.html")],
                       check=True, capture_output=True, env={**os.environ, "MPLBACKEND": "agg"})
        theirs = time.perf_counter() - started

        unusual = [pair for pair in report.pairs if pair.unusual]
        copies = {(f"s{k - 1:04d}", f"s{k:04d}") for k in range(49, arguments.n, 50)}
        found = {(pair.first, pair.second) for pair in unusual} & copies
        print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
              f"{arguments.n} submissions, {len(report.pairs):,} pairs")
        print(f"cxlab similarity (notebooks and records -> HTML page): {ours:6.1f} s")
        print(f"copydetect command (extracted .py files -> its report): {theirs:6.1f} s")
        print(f"ratio cxlab / copydetect: {ours / theirs:.2f}")
        print(f"unusual pairs: {len(unusual)}; planted copies among them: {len(found)} of {len(copies)}; "
              f"groups: {len(report.groups)}; page {page.stat().st_size / 1e6:.1f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
