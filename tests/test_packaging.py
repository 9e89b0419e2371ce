"""A clean install: the wheel, with the dependencies pyproject.toml declares and nothing else.

The suite itself runs in .venv, installed from the locks with cxlab added ``--no-deps``, so
it cannot notice a package the code imports but pyproject.toml forgets. Here the wheel is
installed into fresh virtual environments from the package index, by uv's dependency
resolution alone (the runtime lock only as ``--constraint``, so the versions are the tested
ones), and every public function is called there once (tests/public_api_calls.py); once
more with every declared dependency at its floor.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import public_api_calls
from .helpers import BIN, ROOT
from .lib import messy_exports

RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
CALLS_SCRIPT = Path(public_api_calls.__file__)


def run(command, *, timeout=900, **kwargs) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                               timeout=timeout, **kwargs)
    assert completed.returncode == 0, (
        f"{' '.join(map(str, command))} exited {completed.returncode}:\n"
        f"{completed.stdout[-4000:]}\n{completed.stderr[-8000:]}")
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """cxlab's wheel, built the way a release would be (isolated build), from a copy of the sources.

    The copy keeps setuptools' build/ folder of an earlier build, with modules since moved
    or deleted, out of the wheel.
    """
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "cxlab", source / "cxlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, source])
    (built,) = out.glob("cxlab-*.whl")
    return built


def constraints(tmp_path: Path) -> Path:
    """The runtime lock's versions without its hashes (pip takes no hashes in a constraints file)."""
    pins = [line.split()[0] for line in RUNTIME_LOCK.read_text().splitlines() if "==" in line and not line.startswith("#")]
    target = tmp_path / "constraints.txt"
    target.write_text("\n".join(pins) + "\n")
    return target


def fresh_environment(path: Path) -> Path:
    run([BIN / "uv", "venv", "--quiet", "--python", sys.executable, path])
    return path / "bin"


def install(bin_dir: Path, requirement: str, tmp_path: Path) -> None:
    """``requirement`` and what it declares, resolved by uv from the package index alone."""
    run([BIN / "uv", "pip", "install", "--quiet", "--python", bin_dir / "python",
         "--constraint", constraints(tmp_path), requirement])
    run([BIN / "uv", "pip", "check", "--python", bin_dir / "python"])


def calls_in(bin_dir: Path, mode: str, tmp_path: Path) -> str:
    """Run the public-function calls in that environment, from outside the checkout (no stray imports)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["MPLBACKEND"] = "Agg"
    return run([bin_dir / "python", CALLS_SCRIPT, mode], cwd=tmp_path, env=env).stdout


def test_every_public_function_has_a_call_registered():
    assert public_api_calls.find_problems("full", run_calls=False) == []


def test_a_new_public_function_without_a_call_is_reported(monkeypatch):
    import cxlab.drivers

    def brand_new_analysis(df):
        return df

    brand_new_analysis.__module__ = "cxlab.drivers"
    monkeypatch.setattr(cxlab.drivers, "brand_new_analysis", brand_new_analysis, raising=False)
    problems = public_api_calls.find_problems("full", run_calls=False)
    assert problems == ["cxlab.drivers.brand_new_analysis is public but has no call in "
                        "tests/public_api_calls.py: add one"]


def test_an_undeclared_import_is_reported(monkeypatch):
    monkeypatch.setattr(public_api_calls, "third_party_imports",
                        lambda mode: {"surely_not_installed_pkg": {"cxlab.metrics"}})
    problems = public_api_calls.find_problems("full", run_calls=False)
    assert problems == ["'surely_not_installed_pkg' is imported by cxlab.metrics but not installed: declare it"]


@pytest.mark.slow
def test_wheel_with_plots_and_course_extras_works_from_declared_dependencies(wheel, tmp_path):
    started = time.monotonic()
    bin_dir = fresh_environment(tmp_path / "env")
    install(bin_dir, f"cxlab[plots,course] @ {wheel.as_uri()}", tmp_path)
    output = calls_in(bin_dir, "full", tmp_path)
    assert "ok  cxlab.adjusted_effect" in output and "ok  cxlab.widgets.journey_simulator" in output
    assert "usage: cxlab" in run([bin_dir / "cxlab", "--help"], cwd=tmp_path).stdout
    assert "usage: cxlab grade" in run([bin_dir / "cxlab", "grade", "--help"], cwd=tmp_path).stdout
    print(f"clean install with extras and calls: {time.monotonic() - started:.0f} s")


def refused(command, **kwargs) -> subprocess.CompletedProcess:
    """A command that must fail (exit 1) and say why on stderr."""
    completed = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=300, **kwargs)
    assert completed.returncode == 1, (completed.returncode, completed.stdout, completed.stderr)
    return completed


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_wheel_alone_computes_without_the_extras(wheel, tmp_path):
    bin_dir = fresh_environment(tmp_path / "env")
    install(bin_dir, f"cxlab @ {wheel.as_uri()}", tmp_path)
    output = calls_in(bin_dir, "base", tmp_path)
    assert "ok  cxlab.nps" in output and "ok  cxlab.adjusted_effect" in output and "ok  cxlab.cli.main" in output
    assert "cxlab.plots" not in output
    missing = run([bin_dir / "python", "-c", "import importlib.util as u; "
                   "print([m for m in ('matplotlib', 'ipywidgets', 'nbgrader', 'traitlets', 'jinja2') if u.find_spec(m)])"],
                  cwd=tmp_path).stdout.strip()
    assert missing == "[]"
    # The command still starts, and names the extra each of its commands needs.
    listed = one_line(run([bin_dir / "cxlab", "--help"], cwd=tmp_path).stdout)
    assert "survey-report" in listed and 'pip install "cxlab[course]"' in listed and 'pip install "cxlab[teams]"' in listed
    case = messy_exports.padded_titles(tmp_path)
    said = refused([bin_dir / "cxlab", "survey-report", case.path, "--score", case.score], cwd=tmp_path).stderr
    assert 'cxlab: the survey report needs jinja2, which is not installed here; install the teams extra: ' \
           'pip install "cxlab[teams]"' in said
    said = refused([bin_dir / "cxlab", "grade", "nps"], cwd=tmp_path).stderr
    assert 'needs the course extra' in said and 'pip install "cxlab[course]"' in said


def report_numbers(page: Path) -> dict[str, float]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return {element["data-key"]: float(element["data-number"]) for element in soup.select("[data-key]")}


@pytest.mark.slow
def test_wheel_with_the_teams_extra_alone_runs_the_survey_report(wheel, tmp_path):
    """What a training team installs: cxlab[teams], without nbgrader, traitlets or matplotlib."""
    bin_dir = fresh_environment(tmp_path / "env")
    install(bin_dir, f"cxlab[teams] @ {wheel.as_uri()}", tmp_path)
    output = calls_in(bin_dir, "teams", tmp_path)
    assert "ok  cxlab.report.survey_report" in output and "cxlab.plots" not in output
    # A CSV with title lines, in Polish; an .xlsx with title rows (openpyxl from the extra).
    csv_case, xlsx_case = messy_exports.padded_titles(tmp_path), messy_exports.excel_titles(tmp_path)
    printed = run([bin_dir / "cxlab", "survey-report", csv_case.path, "--score", csv_case.score, "--period", "Okres",
                   "--segment", csv_case.segment, "--lang", "pl"], cwd=tmp_path).stdout
    assert "3 line(s) above the header skipped" in printed
    numbers = report_numbers(tmp_path / "padded_titles-report.html")
    assert (numbers["nps|IV kw. 2025|value"], numbers["nps|I kw. 2026|value"]) == (40.0, -30.0)
    run([bin_dir / "cxlab", "survey-report", xlsx_case.path, "--score", "recommend", "--period", "period"], cwd=tmp_path)
    numbers = report_numbers(tmp_path / "excel_titles-report.html")
    assert (numbers["nps|Q4 2025|value"], numbers["nps|Q1 2026|value"], numbers["change:recommend|value"]) == (
        -30.0, 40.0, 70.0)
    listed = one_line(run([bin_dir / "cxlab", "--help"], cwd=tmp_path).stdout)
    assert "survey-report" in listed and 'need the course extra, which is not installed here: pip install ' \
        '"cxlab[course]"' in listed
    said = refused([bin_dir / "cxlab", "grade", "nps"], cwd=tmp_path).stderr
    assert "cxlab grade is a course command: it needs the course extra" in said


@pytest.mark.slow
def test_the_learners_kit_environment_runs_the_survey_report_on_a_csv_and_names_the_extra_for_a_workbook(
        wheel, tmp_path):
    """cxlab[lab], as the course kit installs it: JupyterLab brings Jinja2, but not openpyxl."""
    bin_dir = fresh_environment(tmp_path / "env")
    install(bin_dir, f"cxlab[lab] @ {wheel.as_uri()}", tmp_path)
    csv_case, xlsx_case = messy_exports.padded_titles(tmp_path), messy_exports.excel_titles(tmp_path)
    run([bin_dir / "cxlab", "survey-report", csv_case.path, "--score", csv_case.score, "--period", "Okres"],
        cwd=tmp_path)
    assert report_numbers(tmp_path / "padded_titles-report.html")["change:Ocena|value"] == -70.0
    said = refused([bin_dir / "cxlab", "survey-report", xlsx_case.path, "--score", "recommend"], cwd=tmp_path).stderr
    assert 'cxlab: reading excel_titles.xlsx (an Excel workbook) needs openpyxl, which is not installed here; ' \
           'install the teams extra: pip install "cxlab[teams]"' in said
    said = refused([bin_dir / "cxlab", "grade", "nps"], cwd=tmp_path).stderr
    assert "(nbgrader is missing)" in said and 'pip install "cxlab[course]"' in said


def declared_floors(extras: tuple[str, ...]) -> dict[str, str]:
    """Distribution (normalised) -> the lowest version pyproject.toml admits, for the base and ``extras``."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    floors = {}
    for requirement in requirements:
        match = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*>=\s*([0-9][^,;\s]*)", requirement)
        if match:
            floors[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return floors


@pytest.mark.slow
def test_wheel_at_its_declared_floors_calls_every_public_function(wheel, tmp_path):
    """Every dependency pyproject.toml declares at the lowest version it admits (uv's
    ``--resolution lowest-direct``; what those need in turn at its newest), then the wheel: a
    floor that is too low shows here as a failed install or a failed call, not on a user's
    machine. Each floor must also be the version installed, so a floor that cannot be
    installed beside the others (and so promises a version nobody can have) fails too."""
    import re

    extras = ("plots", "teams", "course", "sem")
    python = tmp_path / "env" / "bin" / "python"
    uv = BIN / "uv"
    run([uv, "venv", "--quiet", "--python", sys.executable, tmp_path / "env"])
    run([uv, "pip", "install", "--quiet", "--python", python, "--resolution", "lowest-direct",
         "-r", ROOT / "pyproject.toml", *[part for extra in extras for part in ("--extra", extra)]])
    run([uv, "pip", "install", "--quiet", "--python", python, "--no-deps", wheel])
    listed = json.loads(run([uv, "pip", "list", "--format", "json", "--python", python]).stdout)
    installed = {re.sub(r"[-_.]+", "-", item["name"]).lower(): item["version"] for item in listed}
    not_at_floor = {name: (floor, installed.get(name)) for name, floor in declared_floors(extras).items()
                    if not _same_release(installed.get(name), floor)}
    assert not_at_floor == {}, f"declared floor -> installed: {not_at_floor}"
    output = calls_in(python.parent, "full", tmp_path)
    assert "ok  cxlab.adjusted_effect" in output and "ok  cxlab.widgets.journey_simulator" in output
    every_course_module = ("import importlib, pkgutil, cxlab.course\n"
                           "for module in pkgutil.walk_packages(cxlab.course.__path__, 'cxlab.course.'):\n"
                           "    importlib.import_module(module.name)\n")
    run([python, "-c", every_course_module], cwd=tmp_path)
    assert "usage: cxlab grade" in run([python.parent / "cxlab", "grade", "--help"], cwd=tmp_path).stdout
    # Every student's data are the same at the floors (numpy, pandas and scipy at their oldest)
    # as with the lock: the variants' fingerprints agree.
    assert variant_fingerprints(python, tmp_path) == variant_fingerprints(Path(sys.executable), tmp_path)


#: Variants whose data must be the same in every supported environment.
FINGERPRINTED = ("practice-001", "s0042")


def variant_fingerprints(python: Path, folder: Path) -> dict:
    code = ("import json\nfrom cxlab.data.variants import GENERATORS, exercise\n"
            f"print(json.dumps({{a: [exercise(a, v).fingerprint for v in {FINGERPRINTED!r}] for a in sorted(GENERATORS)}}))")
    return json.loads(run([python, "-c", code], cwd=folder).stdout)


def _same_release(installed: str | None, floor: str) -> bool:
    """Whether ``installed`` is the floor itself (``2.0`` and ``2.0.0`` are one release)."""
    if installed is None:
        return False
    parts = lambda version: [int(part) for part in version.split(".") if part.isdigit()]
    a, b = parts(installed), parts(floor)
    width = max(len(a), len(b))
    return a + [0] * (width - len(a)) == b + [0] * (width - len(b))


#: Declared distributions that cxlab needs without importing them itself, and why.
NEEDED_WITHOUT_IMPORT = {
    "psycopg": "the PostgreSQL driver SQLAlchemy loads for a postgresql+psycopg:// gradebook",
    "openpyxl": "pandas reads .xlsx survey exports with it",
    "pyarrow": "pandas reads .parquet exports with it",
    "jupyterlab": "the learners' notebook application (the lab extra)",
}


def _declared() -> dict[str, str]:
    """Distribution name (normalised) -> where pyproject.toml declares it (dependencies or an extra)."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = {}
    for where, requirements in [("dependencies", project["dependencies"]),
                                *project.get("optional-dependencies", {}).items()]:
        for requirement in requirements:
            name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
            if name != "cxlab":
                found[re.sub(r"[-_.]+", "-", name).lower()] = where
    return found


def test_every_import_is_declared_and_every_declaration_imported():
    """What the code imports and what pyproject.toml declares agree, both ways (an import that
    only a transitive dependency installs is still undeclared)."""
    import re
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    declared = _declared()
    imported = {}
    for top, modules in public_api_calls.third_party_imports("full").items():
        for distribution in distributions.get(top, [top]):
            imported.setdefault(re.sub(r"[-_.]+", "-", distribution).lower(), set()).update(modules)
    undeclared = {name: sorted(modules) for name, modules in imported.items() if name not in declared}
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"
    unused = sorted(set(declared) - set(imported) - set(NEEDED_WITHOUT_IMPORT))
    assert unused == [], f"declared in pyproject.toml but imported nowhere in cxlab: {unused}"
