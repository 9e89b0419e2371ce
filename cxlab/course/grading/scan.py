"""Static scan of a submission's own code for the tools of tampering.

Runs in the grading worker, outside the kernel, on the cells a learner could edit. It
changes no score: what it finds flags the submission for the instructor, who decides.
A learner has no reason to use any of these in a CX Lab exercise; an honest notebook
triggers none of them (a test proves it on the model solutions).

Imports: nbformat; no other module of cxlab.

>>> [str(finding) for finding in scan_source("import cxlab.course.grading.answers as grader", "q1_answer", set())]
['q1_answer, line 1: imports cxlab.course.grading.answers: import cxlab.course.grading.answers as grader']
>>> scan_source("import cxlab.data\\nsurvey = cxlab.data.load_survey()", "q1_answer", set())
[]
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

import nbformat

SUSPECT_MODULES = {
    "builtins", "ctypes", "gc", "inspect", "importlib", "subprocess", "signal", "socket", "sqlite3",
    "nbgrader", "psycopg", "psycopg2", "sqlalchemy", "IPython", "multiprocessing", "threading", "pty",
    "shutil", "pickle", "marshal", "codecs", "base64",
    "cxlab.course",  # the grader itself: its hand-over of answers and its sandbox
}
SUSPECT_CALLS = {
    "exec", "eval", "compile", "__import__", "globals", "vars", "setattr", "delattr", "get_ipython",
    "breakpoint",
}
SUSPECT_ATTRIBUTES = {
    "_exit", "system", "kill", "killpg", "fork", "popen", "execv", "execve", "settrace", "setprofile",
    "addaudithook", "_getframe", "modules", "__builtins__", "__globals__", "__code__", "__closure__",
    "__subclasses__", "__dict__", "f_globals", "f_back", "showtraceback", "set_custom_exc",
    "input_transformers_cleanup", "input_transformers_post", "ast_transformers", "events",
}
COMPARISON_DUNDERS = {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__", "__float__",
    "__int__", "__index__", "__str__", "__repr__", "__abs__", "__sub__", "__rsub__", "__instancecheck__",
    "__getattr__", "__getattribute__", "__class__",
}
SUSPECT_PATH_WORDS = ("solution", "gradebook", ".db", "submitted", "autograded", "source", "/proc", "..")
BUILTIN_NAMES = set(dir(builtins))


@dataclass(frozen=True)
class Finding:
    cell: str
    line: int
    rule: str
    code: str

    def __str__(self) -> str:
        return f"{self.cell}, line {self.line}: {self.rule}: {self.code}"


def _module_aliases(tree: ast.AST, known: set[str]) -> set[str]:
    aliases = set(known)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            aliases.update(alias.asname or alias.name for alias in node.names)
    return aliases


def _suspect_module(name: str) -> bool:
    """Whether ``name`` is a suspect module or inside one (``cxlab.course.grading.sandbox``)."""
    parts = name.split(".")
    return any(".".join(parts[:length]) in SUSPECT_MODULES for length in range(1, len(parts) + 1))


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_source(source: str, cell: str, modules: set[str]) -> list[Finding]:
    """Findings in one cell's code; ``modules`` are names bound to modules by earlier cells."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        # IPython syntax (magics, shell escapes) is not Python: a shell escape is a process.
        if any(line.lstrip().startswith(("!", "%%bash", "%%sh", "%system", "%sx")) for line in lines):
            return [Finding(cell, error.lineno or 0, "shell command", (error.text or "").strip())]
        return []
    findings: list[Finding] = []

    def add(node: ast.AST, rule: str) -> None:
        number = getattr(node, "lineno", 0)
        text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        findings.append(Finding(cell, number, rule, text[:160]))

    aliases = _module_aliases(tree, modules)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _suspect_module(alias.name):
                    add(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.module and (_suspect_module(node.module)
                                or any(_suspect_module(f"{node.module}.{alias.name}") for alias in node.names)):
                add(node, f"imports from {node.module}")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in SUSPECT_CALLS:
                add(node, f"calls {node.func.id}()")
            if isinstance(node.func, ast.Name) and node.func.id == "open" and node.args:
                first = node.args[0]
                if not isinstance(first, ast.Constant) or any(word in str(first.value) for word in SUSPECT_PATH_WORDS):
                    add(node, "opens a file outside its answer")
        elif isinstance(node, ast.Attribute) and node.attr in SUSPECT_ATTRIBUTES:
            add(node, f"uses .{node.attr}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for item in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                    if isinstance(item, (ast.Attribute, ast.Subscript)) and _root_name(item) in aliases:
                        add(node, f"changes the module {_root_name(item)}")
                    elif isinstance(item, ast.Name) and item.id in BUILTIN_NAMES:
                        add(node, f"shadows the builtin {item.id}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in COMPARISON_DUNDERS:
                add(node, f"defines {node.name}")
            elif node.name in BUILTIN_NAMES:
                add(node, f"shadows the builtin {node.name}")
    return findings


def scan_notebook(path, locked_ids: set[str]) -> list[Finding]:
    """Findings in every cell of a submitted notebook that is not one of the instructor's
    read-only cells (``locked_ids``: their grade ids). Read-only cells are replaced by the
    instructor's version before grading, so what a learner typed there never runs."""
    notebook = nbformat.read(str(path), as_version=4)
    findings: list[Finding] = []
    modules: set[str] = set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        try:
            tree = ast.parse(cell.source)
            modules = _module_aliases(tree, modules)
        except SyntaxError:
            pass
        if grade_id in locked_ids:
            continue
        findings.extend(scan_source(cell.source, grade_id or f"cell {index + 1}", modules))
    return findings
