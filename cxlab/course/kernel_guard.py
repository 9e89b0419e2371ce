"""Keeps a graded kernel honest around the instructor's cells.

The grading worker calls these functions inside the kernel, through the
``user_expressions`` of an empty execute request, so that no input transformer a
submission registered can rewrite the call:

- ``install()`` before the first cell: imports the modules the checks use, from the
  Python environment and never from the submission's folder, and snapshots them, the
  builtins and the IPython machinery that decides whether a cell failed;
- ``before_locked(names)`` before every read-only cell (setup and tests): undoes any
  change the submission made to that state, sets aside the submission's own bindings of
  the names the setup cells defined (and of builtins it shadowed), and reports what it
  had to undo;
- ``after_locked(names)`` after the cell: snapshots the names a setup cell defined, and
  gives the submission its own bindings back, so that its later answers run as they
  did for the learner.

It runs in the same process as the submission, so a submission written to defeat this
module in particular can; the static scan (:mod:`cxlab.course.scan`) flags the tools that
needs, and the instructor guide says so.

Imports: the standard library, and inside the kernel the modules it watches (IPython,
pandas, numpy, the cxlab library); no other module of :mod:`cxlab.course`.
"""

from __future__ import annotations

import builtins
import copy
import importlib
import os
import sys
import types

WATCHED_MODULES = (
    "math", "operator", "functools", "json", "statistics", "numpy", "numpy.random", "numpy.linalg",
    "pandas", "cxlab", "cxlab.data", "cxlab.metrics", "cxlab.stats", "cxlab.drivers",
    "cxlab.linkage", "cxlab.journey",
)
_MISSING = object()
_state: dict = {}


def _classes_of(module: types.ModuleType) -> list[type]:
    found = []
    for value in list(vars(module).values()):
        if isinstance(value, type) and getattr(value, "__module__", "").startswith(module.__name__.split(".")[0]):
            found.append(value)
    return found


def _watched_classes() -> list[type]:
    import pandas

    classes = {pandas.DataFrame, pandas.Series, pandas.Index}
    for klass in list(classes):
        classes.update(base for base in klass.__mro__ if base is not object)
    for name in WATCHED_MODULES:
        if name.startswith("cxlab") and name in sys.modules:
            classes.update(_classes_of(sys.modules[name]))
    return sorted(classes, key=lambda klass: f"{klass.__module__}.{klass.__qualname__}")


def _shell():
    from IPython import get_ipython

    return get_ipython()


def _shell_objects() -> list:
    shell = _shell()
    objects = [shell]
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        objects.append(kernel)
    return objects


def install() -> str:
    """Snapshot the pristine state; call before any cell of the submission runs."""
    # Files handed in beside the notebook must not shadow a module the checks import.
    cwd = os.path.realpath(os.getcwd())
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".") and os.path.realpath(entry) != cwd]
    for name in WATCHED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    shell = _shell()
    _state["sys_path"] = list(sys.path)
    _state["module_objects"] = {name: sys.modules[name] for name in WATCHED_MODULES if name in sys.modules}
    _state["modules"] = {name: dict(vars(module)) for name, module in _state["module_objects"].items()}
    _state["initial_user_ns"] = dict(shell.user_ns)
    _state["builtins"] = dict(vars(builtins))
    _state["classes"] = {klass: dict(vars(klass)) for klass in _watched_classes()}
    shell_classes = {klass for obj in _shell_objects() for klass in type(obj).__mro__ if klass is not object}
    _state["shell_classes"] = {klass: dict(vars(klass)) for klass in shell_classes}
    _state["shell_instances"] = [(obj, set(vars(obj))) for obj in _shell_objects()]
    _state["sys"] = {name: getattr(sys, name) for name in ("excepthook", "displayhook", "breakpointhook")}
    _state["lists"] = {
        "input_transformers_cleanup": list(shell.input_transformers_cleanup),
        "input_transformers_post": list(shell.input_transformers_post),
        "ast_transformers": list(shell.ast_transformers),
        "line_transforms": list(shell.input_transformer_manager.line_transforms),
        "token_transformers": list(shell.input_transformer_manager.token_transformers),
    }
    _state["custom_exceptions"] = shell.custom_exceptions
    _state["events"] = {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()}
    _state["names"] = {}
    _state["set_aside"] = {}
    return "installed"


def _restore_mapping(live: dict, saved: dict, label: str, found: list[str], setter=None) -> None:
    for key, value in saved.items():
        if live.get(key, _MISSING) is not value:
            found.append(f"{label}.{key}")
            if setter:
                setter(key, value)
            else:
                live[key] = value


def _restore_state() -> list[str]:
    found: list[str] = []
    shell = _shell()
    for name, original in _state["module_objects"].items():
        if sys.modules.get(name) is not original:
            found.append(f"sys.modules[{name!r}] replaced")
            sys.modules[name] = original
        _restore_mapping(vars(original), _state["modules"][name], name, found)
    _restore_mapping(vars(builtins), _state["builtins"], "builtins", found)
    for group in ("classes", "shell_classes"):
        for klass, saved in _state[group].items():
            live = vars(klass)
            _restore_mapping(dict(live), saved, klass.__qualname__, found, setter=lambda k, v, c=klass: setattr(c, k, v))
            for key in [key for key in live if key not in saved and key.startswith("__") and key.endswith("__")]:
                found.append(f"{klass.__qualname__}.{key} added")
                delattr(klass, key)
    for obj, original_keys in _state["shell_instances"]:
        for key in [key for key in vars(obj) if key not in original_keys and callable(vars(obj)[key])]:
            found.append(f"{type(obj).__name__}.{key} overridden on the instance")
            delattr(obj, key)
    for name, value in _state["sys"].items():
        if getattr(sys, name) is not value:
            found.append(f"sys.{name}")
            setattr(sys, name, value)
    if sys.path != _state["sys_path"]:
        found.append("sys.path")
        sys.path[:] = _state["sys_path"]
    if sys.gettrace() is not None:
        found.append("sys.settrace")
        sys.settrace(None)
    if sys.getprofile() is not None:
        found.append("sys.setprofile")
        sys.setprofile(None)
    lists = {
        "input_transformers_cleanup": shell.input_transformers_cleanup,
        "input_transformers_post": shell.input_transformers_post,
        "ast_transformers": shell.ast_transformers,
        "line_transforms": shell.input_transformer_manager.line_transforms,
        "token_transformers": shell.input_transformer_manager.token_transformers,
    }
    for name, live in lists.items():
        if live != _state["lists"][name]:
            found.append(f"shell.{name}")
            live[:] = _state["lists"][name]
    if shell.custom_exceptions != _state["custom_exceptions"]:
        found.append("shell.set_custom_exc")
        shell.custom_exceptions = _state["custom_exceptions"]
    for name, callbacks in shell.events.callbacks.items():
        if callbacks != _state["events"].get(name, []):
            found.append(f"shell.events[{name!r}]")
            callbacks[:] = _state["events"].get(name, [])
    return found


def _fresh(value):
    if isinstance(value, (types.ModuleType, types.FunctionType, type, types.BuiltinFunctionType)):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # an object that cannot be copied is handed over as it is
        return value


def before_locked(names: list[str]) -> list[str]:
    """Before a read-only cell: undo the submission's changes; report them."""
    found = _restore_state()
    user_ns = _shell().user_ns
    aside = {}
    for name in list(user_ns):
        if name in _state["builtins"] and not name.startswith("_") and user_ns[name] is not _state["initial_user_ns"].get(name, _MISSING):
            aside[name] = user_ns.pop(name)
            found.append(f"shadowed builtin {name}")
    for name, value in _state["names"].items():
        current = user_ns.get(name, _MISSING)
        if current is not _MISSING:
            aside[name] = current
        user_ns[name] = _fresh(value)
    _state["set_aside"] = aside
    return found


def after_locked(names: list[str]) -> str:
    """After a read-only cell: remember what a setup cell defined, give back the rest."""
    user_ns = _shell().user_ns
    for name in names:
        if name in user_ns and name not in _state["names"]:
            _state["names"][name] = _fresh(user_ns[name])
    for name, value in _state.pop("set_aside", {}).items():
        if name not in names:
            user_ns[name] = value
    _state["set_aside"] = {}
    return "ok"
