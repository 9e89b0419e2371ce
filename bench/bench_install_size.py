"""Benchmark: how much disk each way of installing cxlab takes, in a fresh virtual environment.

Run by hand (``make bench``), never in the test suite. Builds cxlab's wheel, then, for each
install below, makes a new virtual environment, installs the wheel with that extra at the
runtime lock's versions (``requirements/runtime.txt`` as constraints, so the figures are
those of the tested versions), and measures the environment's size on disk:

- after installing, as each audience's command installs it (the learners' kit adds
  ``--no-compile``: Python writes bytecode only for the modules a learner's notebooks load);
- for the learners' kit, also after running every exercise notebook's imports once
  (cxlab with its figures and widgets, scipy.stats, statsmodels, the kernel and JupyterLab), the size
  it settles at.

Prints a Markdown table for the README. Needs the package index (or a warm pip cache).

Usage: python bench/bench_install_size.py [--only lab]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name -> (extra, pip options, who installs it this way)
INSTALLS = {
    "base": ("", [], "cxlab alone: the statistics and analyses"),
    "lab": ("lab", ["--no-compile"], "the learners' course kit (JupyterLab, kernel, plots, widgets)"),
    "teams": ("teams", [], "training teams: `cxlab survey-report`, .xlsx and .parquet exports"),
    "course": ("course", [], "instructors: nbgrader, the grader, the survey report"),
}
#: What the learners' notebooks load, run once in the kit's environment before measuring again.
LEARNER_IMPORTS = ("import cxlab, cxlab.plots, cxlab.widgets, cxlab.data, scipy.stats, statsmodels.api, ipykernel, "
                   "jupyterlab.labapp")


def size_mb(path: Path) -> float:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink()) / 2**20


def constraints(folder: Path) -> Path:
    lock = (ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    pins = [line.split()[0] for line in lock.splitlines() if "==" in line and not line.startswith("#")]
    target = folder / "constraints.txt"
    target.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return target


def build_wheel(folder: Path) -> Path:
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "cxlab", source / "cxlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", folder, source],
                   check=True)
    (wheel,) = folder.glob("cxlab-*.whl")
    return wheel


def measure(name: str, wheel: Path, folder: Path) -> dict:
    extra, options, who = INSTALLS[name]
    environment = folder / f"env-{name}"
    subprocess.run([sys.executable, "-m", "venv", environment], check=True)
    requirement = f"cxlab[{extra}] @ {wheel.as_uri()}" if extra else f"cxlab @ {wheel.as_uri()}"
    subprocess.run([environment / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *options, "--constraint", constraints(folder), requirement], check=True)
    row = {"install": name, "who": who, "installed": size_mb(environment)}
    if name == "lab":
        subprocess.run([environment / "bin" / "python", "-c", LEARNER_IMPORTS], check=True, cwd=folder,
                       env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
        row["after use"] = size_mb(environment)
    shutil.rmtree(environment)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(INSTALLS), action="append")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cxlab-size-") as scratch:
        folder = Path(scratch)
        wheel = build_wheel(folder)
        rows = [measure(name, wheel, folder) for name in (arguments.only or INSTALLS)]
    print("| install | for | size on disk after installing | after the learners' imports |")
    print("|---|---|---:|---:|")
    for row in rows:
        after = f"{row['after use']:.0f} MB" if "after use" in row else ""
        label = f"`cxlab[{INSTALLS[row['install']][0]}]`" if INSTALLS[row["install"]][0] else "`cxlab`"
        print(f"| {label} | {row['who']} | {row['installed']:.0f} MB | {after} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
