"""The package's shape: import contracts (import-linter), no cycles, a light ``import cxlab``.

The contracts live in pyproject.toml under ``[tool.importlinter]``. They are checked on
the real tree, and each one is shown to fail on a copy of the package with one bad
import added, so none of them can pass by matching nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

from .helpers import BIN, ROOT

CONTRACTS = {contract["id"]: contract["name"]
             for contract in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}


def lint_imports(root: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="400", NO_COLOR="1")  # one contract per line, no wrapping
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(BIN / "lint-imports"), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def verdicts(output: str) -> dict[str, str]:
    """Contract name -> KEPT or BROKEN, from lint-imports' summary lines."""
    found = {}
    for name in CONTRACTS.values():
        match = re.search(rf"^{re.escape(name)} (KEPT|BROKEN)(?: \(\d+ ignored imports?\))?$", output, flags=re.MULTILINE)
        if match:
            found[name] = match.group(1)
    return found


def test_import_contracts_hold():
    completed = lint_imports(ROOT)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert verdicts(output) == {name: "KEPT" for name in CONTRACTS.values()}, output
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in output


# Each case: files to write in the copied package (appended to an existing module, or a new
# module), the contracts it must break, and the contracts it must leave kept.
APPEND, NEW = "append", "new"
BREAKS = {
    "metrics imports presentation, inside a function": (
        [(APPEND, "metrics.py", "\n\ndef _draw():\n    from cxlab import plots\n    return plots\n")],
        {"layers", "acyclic"}, {"library-without-course"}),
    "statistics import the course toolkit": (
        [(NEW, "stats/course_peek.py", "import cxlab.course\n")],
        {"layers", "library-without-course"}, set()),
    "the two presentation modules import each other": (
        [(APPEND, "widgets.py", "\n\ndef _chart():\n    from . import plots\n    return plots\n")],
        {"layers"}, {"library-without-course", "computing-without-presentation", "acyclic"}),
    "a new module left out of the layers": (
        [(NEW, "metrics_upward.py", "from cxlab import metrics\n")],
        {"layers"}, {"library-without-course", "computing-without-presentation", "acyclic"}),
    "data imports matplotlib": (
        [(APPEND, "data/__init__.py", "\n\ndef _figure():\n    import matplotlib.pyplot as plt\n    return plt\n")],
        {"computing-without-presentation"}, {"layers", "library-without-course", "acyclic"}),
    "the trusted checker imports the sandbox": (
        [(APPEND, "course/grading/checker.py", "\n\ndef _peek():\n    from . import sandbox\n    return sandbox\n")],
        {"trusted-side"}, {"layers", "course-layers", "library-without-course", "computing-without-presentation",
                           "acyclic"}),
    "the trusted checker reaches the grading pool through a helper": (
        [(NEW, "course/grading/helper.py", "from . import grade\n"),
         (APPEND, "course/grading/checker.py", "\n\ndef _help():\n    from . import helper\n    return helper\n")],
        {"trusted-side"}, {"layers", "course-layers", "acyclic"}),
    "results import grading": (
        [(APPEND, "course/results/feedback.py",
          "\n\ndef _regrade():\n    from ..grading.grade import grade\n    return grade\n")],
        {"course-layers"}, {"layers", "trusted-side", "acyclic"}),
    "releasing imports results, its sibling in a layer": (
        [(APPEND, "course/releasing/collect.py",
          "\n\ndef _scores():\n    from ..results import grades\n    return grades\n")],
        {"course-layers"}, {"layers", "trusted-side", "acyclic"}),
    "the shared base imports releasing": (
        [(APPEND, "course/shared/gradebook.py",
          "\n\ndef _collector():\n    from ..releasing import zipcollect\n    return zipcollect\n")],
        {"course-layers", "acyclic"}, {"layers", "trusted-side"}),
    "a new course module left out of the wing's layers": (
        [(NEW, "course/roster.py", "from .config import load_config\n")],
        {"course-layers"}, {"layers", "trusted-side", "acyclic"}),
    "two statistics modules import each other": (
        [(NEW, "stats/ring_a.py", "from . import ring_b\n"), (NEW, "stats/ring_b.py", "from . import ring_a\n")],
        {"acyclic"}, {"layers", "library-without-course", "computing-without-presentation"}),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_contract_fails_when_broken(case, tmp_path):
    edits, must_break, must_keep = BREAKS[case]
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "cxlab", source / "cxlab", ignore=shutil.ignore_patterns("__pycache__"))
    for how, relative, code in edits:
        target = source / "cxlab" / relative
        assert target.exists() == (how == APPEND), f"cxlab/{relative} moved? this case needs updating"
        target.write_text((target.read_text(encoding="utf-8") if how == APPEND else "") + code, encoding="utf-8")
    where = subprocess.run([sys.executable, "-c", "import cxlab; print(cxlab.__file__)"], cwd=tmp_path,
                           env=dict(os.environ, PYTHONPATH=str(source)), capture_output=True, text=True, check=True)
    assert where.stdout.strip() == str(source / "cxlab" / "__init__.py"), "the copy must shadow the installed cxlab"

    completed = lint_imports(tmp_path, pythonpath=source)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    found = verdicts(output)
    assert {key for key in must_break if found.get(CONTRACTS[key]) == "BROKEN"} == must_break, output
    assert {key for key in must_keep if found.get(CONTRACTS[key]) == "KEPT"} == must_keep, output


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other in a circle (Tarjan), largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    modules = sorted(m for m in graph.modules if m == "cxlab" or m.startswith("cxlab."))

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith("cxlab"):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in modules:
        if module not in index:
            visit(module)
    return sorted(groups, key=len, reverse=True)


def test_no_module_imports_itself_in_a_circle():
    # Finer than the acyclic_siblings contract: it also sees a package's __init__ and one of
    # its own modules importing each other, and counts imports inside functions too.
    graph = grimp.build_graph("cxlab", exclude_type_checking_imports=True)
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for importer, imported in [("cxlab.a", "cxlab.b"), ("cxlab.b", "cxlab.c"), ("cxlab.c", "cxlab.a"),
                               ("cxlab.c", "cxlab.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert strongly_connected(graph) == [["cxlab.a", "cxlab.b", "cxlab.c"]]


def modules_loaded_by(code: str, candidates: tuple[str, ...]) -> list[str]:
    probe = f"import sys\n{code}\nprint(sorted(m for m in {candidates!r} if m in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return eval(completed.stdout.strip())  # a printed list of module names


HEAVY = ("matplotlib", "ipywidgets", "nbgrader", "statsmodels", "scipy.stats", "cxlab.course",
         "cxlab.plots", "cxlab.widgets")


def test_import_cxlab_loads_no_plotting_course_or_model_libraries():
    # Only what `import cxlab` runs counts here (import-linter also sees imports inside functions,
    # which load only when called): statsmodels and scipy.stats wait for the first function that needs them.
    assert modules_loaded_by("import cxlab", HEAVY) == []


def test_lower_layers_load_no_plotting_or_course_libraries():
    loaded = modules_loaded_by("import cxlab, cxlab.data, cxlab.drivers, cxlab.linkage, cxlab.journey",
                               ("matplotlib", "ipywidgets", "nbgrader", "cxlab.course", "cxlab.plots", "cxlab.widgets"))
    assert loaded == []


def test_the_light_import_probe_sees_a_heavy_import():
    assert modules_loaded_by("import cxlab.plots", HEAVY) == ["cxlab.plots", "matplotlib"]
