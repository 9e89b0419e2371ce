"""What an assignment grades: its setup cells, its checks and the answers each declares.

The instructor's source notebook (``solutions/A/A.ipynb``) is the manifest. Each graded
check cell (nbgrader ``grade`` and not ``solution``) declares the names it grades in its
metadata::

    "cxlab": {"answers": ["q2_low", "q2_high"]}

and, for an answer that is a function, the calls to make of it inside the student's
sandbox (arguments as :func:`cxlab.course.grading.answers.encode` writes them)::

    "cxlab": {"answers": ["segment_nps"], "calls": {"segment_nps": [{"args": {"$list": ["chat"]}}]}}

:func:`read_manifest` reads it when a notebook is graded, from the instructor's copy,
never from a submission. :func:`lint_notebook` checks what ``cxlab assign`` generates:
every check declares its answers, the model solution binds them before the check, the
check reads nothing but the setup's names, its answers, builtins and its own names (the
checker has nothing else), no answer is named like a setup name (the checker keeps the
setup's value), it compares types exactly (``type(x) in ...``, never
``isinstance`` on an answer) and calls no answer that is not a declared function.

Imports: nbformat (inside the functions that read notebooks); the standard library.

>>> sorted(names_read("for _x in values:\\n    assert type(_x) in TYPES, len(_x)"))
['TYPES', 'len', 'type', 'values']
"""

from __future__ import annotations

import ast
import builtins
import json
from dataclasses import dataclass, field
from pathlib import Path

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Check:
    """One graded check: its cell id, source, points, the answers and calls it declares."""

    cell: str
    source: str
    points: float
    answers: tuple[str, ...]
    calls: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """The setup cells' sources (in order) and the checks, by cell id, of one notebook."""

    notebook: str
    setup: tuple[str, ...]
    checks: dict[str, Check]


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_check(cell) -> bool:
    """A graded test cell: code, nbgrader ``grade`` and not ``solution``."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_setup(cell) -> bool:
    """A read-only cell of the instructor's that is not a check (data, imports, constants)."""
    meta = _nbgrader(cell)
    return (cell.get("cell_type") == "code" and bool(meta.get("locked"))
            and not meta.get("grade") and not meta.get("solution"))


def read_manifest(path: str | Path) -> Manifest:
    """The manifest of the source notebook at ``path``."""
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    setup, checks = [], {}
    for cell in notebook.cells:
        if is_setup(cell):
            setup.append(cell.source)
        elif is_check(cell):
            declared = cell.get("metadata", {}).get("cxlab", {}) or {}
            meta = _nbgrader(cell)
            checks[meta["grade_id"]] = Check(
                cell=meta["grade_id"], source=cell.source, points=float(meta.get("points") or 0),
                answers=tuple(declared.get("answers") or ()), calls=dict(declared.get("calls") or {}))
    return Manifest(notebook=Path(path).stem, setup=tuple(setup), checks=checks)


def bound_names(source: str) -> set[str]:
    """Every name a piece of code binds, in any scope (assignments, imports, loops, defs, arguments)."""
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def names_read(source: str) -> set[str]:
    """Names a piece of code reads that it does not bind itself."""
    tree = ast.parse(source)
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return read - bound_names(source)


def _type_checked(tree: ast.AST, answers: set[str]) -> set[str]:
    """The answers whose exact type the code checks: ``type(name)``, directly or through a loop."""
    aliases: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)):
            held = {item.id for item in ast.walk(node.iter) if isinstance(item, ast.Name)} & answers
            for target in ast.walk(node.target):
                if isinstance(target, ast.Name):
                    aliases.setdefault(target.id, set()).update(held)
    checked = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"
                and len(node.args) == 1 and isinstance(node.args[0], ast.Name)):
            name = node.args[0].id
            checked |= ({name} & answers) | aliases.get(name, set())
    return checked


def lint_check(check: Check, setup_names: set[str], solution_names: set[str]) -> list[str]:
    """What is wrong with one check for the trusted checker (empty when nothing)."""
    where = f"check {check.cell}"
    if not check.answers:
        return [f"{where} declares no answers: add cell metadata {{\"cxlab\": {{\"answers\": [...]}}}}"]
    problems = []
    answers = set(check.answers)
    for name in check.answers:
        if not (isinstance(name, str) and name.isidentifier()):
            problems.append(f"{where} declares {name!r}, which is not a name")
        elif name in setup_names:
            problems.append(f"{where} declares {name}, which the setup cells bind: the checker keeps the setup's "
                            "value, so the answer needs a name of its own")
        elif name not in solution_names:
            problems.append(f"{where} grades {name}, which no solution cell before it binds")
    for name in check.calls:
        if name not in answers:
            problems.append(f"{where} declares calls of {name}, which is not among its answers")
        elif not isinstance(check.calls[name], list) or not all(isinstance(c, dict) and set(c) <= {"args", "kwargs"}
                                                                 for c in check.calls[name]):
            problems.append(f"{where}: the calls of {name} should be a list of {{\"args\": ..., \"kwargs\": ...}}")
    try:
        tree = ast.parse(check.source)
    except SyntaxError as error:
        return problems + [f"{where} is not Python: {error}"]
    unknown = names_read(check.source) - setup_names - answers - _BUILTINS
    if unknown:
        problems.append(f"{where} reads {', '.join(sorted(unknown))}, which the checker does not have "
                        "(only the setup cells' names, the declared answers and builtins)")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "isinstance" and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in answers:
                problems.append(f"{where}, line {node.lineno}: isinstance({node.args[0].id}, ...); "
                                "answers arrive as plain data, compare exact types with type(...)")
            if node.func.id in answers and node.func.id not in check.calls:
                problems.append(f"{where}, line {node.lineno}: calls the answer {node.func.id}, "
                                "which is not declared as a function under \"calls\"")
    unchecked = answers - set(check.calls) - _type_checked(tree, answers)
    if unchecked:
        problems.append(f"{where} never checks the exact type of {', '.join(sorted(unchecked))} (type(name) in ...)")
    return problems


def lint_notebook(path: str | Path) -> list[str]:
    """Every problem of a source notebook's checks (empty when there is none)."""
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    manifest = read_manifest(path)
    setup_names: set[str] = set()
    problems = []
    for index, source in enumerate(manifest.setup):
        try:
            setup_names |= bound_names(source)
        except SyntaxError as error:
            problems.append(f"setup cell {index + 1} is not Python: {error}")
    solution_names: set[str] = set()
    for cell in notebook.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            try:
                solution_names |= bound_names(cell.source)
            except SyntaxError as error:
                problems.append(f"solution cell {meta.get('grade_id')} is not Python: {error}")
        elif is_check(cell):
            problems.extend(lint_check(manifest.checks[meta["grade_id"]], setup_names, solution_names))
    return [f"{Path(path).name}: {problem}" for problem in problems]


def manifest_json(manifest: Manifest) -> str:
    """The manifest as JSON (for the record of what was graded)."""
    return json.dumps({"notebook": manifest.notebook, "checks": {
        cell: {"answers": list(check.answers), "calls": check.calls, "points": check.points}
        for cell, check in manifest.checks.items()}}, indent=1)
