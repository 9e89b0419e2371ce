"""Answers as data: what crosses from a student's sandboxed kernel to the trusted checker.

When a notebook is graded, the student's code runs in its own kernel, in an
operating-system sandbox (:mod:`cxlab.course.grading.sandbox`). At each graded check the grader
asks that kernel for the answers the check declares (cell metadata
``{"cxlab": {"answers": [...]}}``, read from the instructor's source notebook by
:mod:`cxlab.course.shared.manifest`); :func:`snapshot` turns them into JSON text. The
instructor's checks then run in another process (:mod:`cxlab.course.grading.checker`) in which
no student code ever runs, on the values :func:`decode` makes of that text.

What crosses, and how it arrives:

- ``None``, ``bool``, ``int``, ``float`` (NaN and infinities too), ``str``, and numpy's
  scalars of those kinds, which arrive as the plain Python type;
- ``list``, ``tuple``, ``set``, ``frozenset`` and ``dict`` of such values, as themselves;
- numpy arrays of booleans, numbers, text or dates, and pandas ``Index``, ``Series`` and
  ``DataFrame`` built from them, with their dtypes, index and column names;
- a function that a check declares under ``calls``: it is called inside the sandbox on
  the arguments the instructor listed, and only the results cross (:class:`RecordedFunction`);
- anything else (a result object, a class, a module) arrives as a placeholder that has
  the original type's *name* and nothing else (:class:`NotData`), so that a check can
  say "nps_all should be a number, not NPSResult".

Only exact types cross: a subclass of ``float`` is not a float here. Nothing is ever
pickled; the text is JSON with tagged objects, at most :data:`MAX_TEXT` characters,
:data:`MAX_ITEMS` values and :data:`MAX_DEPTH` levels, and :func:`decode` refuses
anything else with :class:`AnswerError`. :func:`snapshot` runs in the student's process,
where the student controls everything, so it is a convenience, not a defence: whatever
text a submission makes it return, the checker only ever sees data.

Imports: the standard library; numpy and pandas only when an array or table crosses.
Nothing else of cxlab, so that the student's kernel loads little.

>>> text = snapshot({"share": 0.25, "labels": ("a", "b")}, ["share", "labels", "absent"])
>>> answers = decode_answers(text)
>>> answers["share"], answers["labels"], "absent" in answers
(0.25, ('a', 'b'), False)
>>> placeholder = decode({"$opaque": "NPSResult"})
>>> type(placeholder).__name__
'NPSResult'
"""

from __future__ import annotations

import json
import math
import sys

#: Longest JSON text one check's answers may take.
MAX_TEXT = 8_000_000
#: Most values (scalars, array elements) one check's answers may hold.
MAX_ITEMS = 1_000_000
#: Deepest nesting of containers.
MAX_DEPTH = 32
#: Deepest nesting of JSON brackets read at all: answers of MAX_DEPTH levels take at most about
#: twice as many ({"$list": [...]} is two); between that and this bound the decoder names the
#: depth, beyond it the text is refused before it is parsed.
MAX_JSON_DEPTH = 4 * MAX_DEPTH + 16

_DTYPE_KINDS = {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "str", "M": "datetime", "m": "timedelta"}


class AnswerError(ValueError):
    """The text that came from a student's kernel is not answers in the expected form."""


class NotData:
    """An answer that was not plain data; its type's name is that of the original object."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<an answer of type {type(self).__name__}, which is not plain data>"

    def __getattr__(self, name: str):
        raise AttributeError(
            f"this answer reached the grader as a {type(self).__name__}, which is not plain data: "
            "store numbers, text, True/False, lists, dicts, arrays or tables")


_PLACEHOLDERS: dict[str, type] = {}
#: Type names that need no class of their own: the placeholder of any other name.
_UNKNOWN = "object"
_known_names: tuple[int, frozenset] = (-1, frozenset())


def known_type_names() -> frozenset:
    """Type names a placeholder may carry: the classes of the modules the trusted side has loaded.

    That is, of ``builtins``, ``types``, numpy, pandas and cxlab (its course toolkit
    excepted), as far as they are imported: a bounded set, whatever the answers name.
    """
    global _known_names
    loaded, names = _known_names
    if loaded == len(sys.modules):
        return names
    found = set()
    for module_name, module in list(sys.modules.items()):
        if module_name in ("builtins", "types", "numpy", "pandas", "matplotlib.figure", "matplotlib.axes") or (
                module_name.split(".")[0] == "cxlab" and not module_name.startswith("cxlab.course")):
            found.update(name for name, value in vars(module).items() if isinstance(value, type))
    found.update(("function", "method", "builtin_function_or_method", "module", "generator", "NoneType", "TooLarge"))
    _known_names = (len(sys.modules), frozenset(found))
    return _known_names[1]


def placeholder(type_name: str) -> NotData:
    """A :class:`NotData` whose type is called ``type_name`` when that is a known type's name.

    Other names share one placeholder type, called ``object``: the set of placeholder
    types stays bounded, whatever names a submission sends.
    """
    if type_name not in _PLACEHOLDERS and (not isinstance(type_name, str) or type_name not in known_type_names()):
        type_name = _UNKNOWN
    klass = _PLACEHOLDERS.get(type_name)
    if klass is None:
        klass = _PLACEHOLDERS[type_name] = type(type_name, (NotData,), {"__slots__": ()})
    return klass()


class RecordedFunction:
    """A learner's function as the checker sees it: what it returned for each listed call.

    Calling it with arguments the instructor listed returns (a fresh copy of) what the
    learner's function returned in the sandbox, or raises :class:`StudentFunctionError`
    with what it raised there; other arguments raise ``LookupError``.
    """

    def __init__(self, name: str, calls: list[tuple[str, dict]]):
        self.__name__ = name
        self._calls = dict(calls)

    def __repr__(self) -> str:
        return f"<function {self.__name__}, as called in the sandbox>"

    def __call__(self, *args, **kwargs):
        key = call_key(list(args), kwargs)
        if key not in self._calls:
            raise LookupError(f"{self.__name__} was not called with these arguments when the notebook was graded")
        outcome = self._calls[key]
        if "error" in outcome:
            raise StudentFunctionError(f"{self.__name__}(...) raised {outcome['error']}")
        return decode(outcome["result"])


class StudentFunctionError(Exception):
    """What a learner's function raised in the sandbox, as the checker reports it."""


# ---------------------------------------------------------------- encoding (student side)


def _scalar(value):
    """The plain Python value of an exact built-in or numpy scalar, or a sentinel."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic) and type(value).__module__ == "numpy":
        if isinstance(value, numpy.bool_):
            return bool(value)
        if isinstance(value, numpy.integer):
            return int(value)
        if isinstance(value, numpy.floating):
            return _scalar(float(value))
        if isinstance(value, numpy.str_):
            return str(value)
        if isinstance(value, (numpy.datetime64, numpy.timedelta64)):
            return {"$ndarray": _array(numpy.asarray(value).reshape(1)), "$scalar": True}
    return _NOT_SCALAR


_NOT_SCALAR = object()


class _Budget:
    """Counts the values an encoding holds, up to :data:`MAX_ITEMS`."""

    def __init__(self) -> None:
        self.items = 0

    def spend(self, count: int) -> None:
        self.items += count
        if self.items > MAX_ITEMS:
            raise AnswerError(f"the answers hold more than {MAX_ITEMS:,} values")


def _array(array, budget: _Budget | None = None) -> dict:
    kind = array.dtype.kind
    if budget is not None:
        budget.spend(array.size)
    if kind in "biuf":
        values = array.ravel().tolist()
        if kind == "f":
            values = [v if math.isfinite(v) else {"$float": repr(v)} for v in values]
        return {"dtype": array.dtype.str, "shape": list(array.shape), "values": values}
    if kind in "Mm":
        return {"dtype": array.dtype.str, "shape": list(array.shape), "values": array.view("i8").ravel().tolist()}
    if kind == "U":
        return {"dtype": "str", "shape": list(array.shape), "values": array.ravel().tolist()}
    if kind == "O":
        values = []
        for item in array.ravel().tolist():
            plain = _scalar(item)
            if plain is _NOT_SCALAR or isinstance(plain, dict):
                plain = {"$opaque": getattr(type(item), "__name__", "object")}
            values.append(plain)
        return {"dtype": "object", "shape": list(array.shape), "values": values}
    raise TypeError(f"an array of dtype {array.dtype}")


#: pandas dtypes that cross by name (their values cross as plain scalars).
PANDAS_DTYPES = ("str", "string", "category", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
                 "UInt64", "Float32", "Float64", "boolean")


def _column(values, budget: _Budget) -> dict:
    """A pandas Series or Index (any dtype) as an array encoding."""
    import numpy
    import pandas

    dtype = values.dtype
    if isinstance(dtype, numpy.dtype) and dtype.kind in "biufMm":
        return _array(values.to_numpy(), budget)
    plain = values.to_numpy(dtype=object)
    missing = pandas.isna(plain)
    if missing.any():
        plain = plain.copy()
        plain[missing] = None
    encoded = _array(plain, budget)
    if str(dtype) in PANDAS_DTYPES:
        encoded["pandas"] = str(dtype)
    return encoded


def _index(index, budget: _Budget) -> dict:
    import pandas

    if isinstance(index, pandas.MultiIndex):
        return {"$multiindex": {"names": [_scalar(n) if _scalar(n) is not _NOT_SCALAR else None for n in index.names],
                                "levels": [_column(index.get_level_values(i), budget) for i in range(index.nlevels)]}}
    name = _scalar(index.name)
    return {"$index": {"name": None if name is _NOT_SCALAR else name, "values": _column(index, budget),
                       "range": type(index) is pandas.RangeIndex}}


def encode(value, *, _depth: int = 0, _budget: _Budget | None = None):
    """``value`` as JSON-ready data (see the module's description of what crosses)."""
    budget = _budget or _Budget()
    if _depth > MAX_DEPTH:
        raise AnswerError(f"the answer is nested more than {MAX_DEPTH} levels deep")
    plain = _scalar(value)
    if plain is not _NOT_SCALAR:
        budget.spend(1)
        return plain
    kind = type(value)
    if kind in (list, tuple, set, frozenset):
        items = list(value)
        budget.spend(1)
        encoded = [encode(item, _depth=_depth + 1, _budget=budget) for item in items]
        if kind in (set, frozenset):
            encoded.sort(key=lambda item: json.dumps(item, sort_keys=True))
        tag = {list: "$list", tuple: "$tuple", set: "$set", frozenset: "$frozenset"}[kind]
        return {tag: encoded}
    if kind is dict:
        budget.spend(1)
        return {"$dict": [[encode(key, _depth=_depth + 1, _budget=budget), encode(item, _depth=_depth + 1, _budget=budget)]
                          for key, item in value.items()]}
    module = getattr(kind, "__module__", "") or ""
    try:
        if module == "numpy" and kind.__name__ == "ndarray":
            return {"$ndarray": _array(value, budget)}
        if module.split(".")[0] == "pandas":
            import pandas

            if kind is pandas.Series:
                name = _scalar(value.name)
                return {"$series": {"name": None if name is _NOT_SCALAR else name, "index": _index(value.index, budget),
                                    "values": _column(value, budget)}}
            if kind is pandas.DataFrame:
                return {"$dataframe": {"columns": _index(value.columns, budget), "index": _index(value.index, budget),
                                       "data": [_column(value.iloc[:, i], budget) for i in range(value.shape[1])]}}
            if isinstance(value, pandas.Index):
                return _index(value, budget)
    except AnswerError:
        raise
    except (TypeError, ValueError, AttributeError):
        pass
    return {"$opaque": getattr(kind, "__name__", "object")}


def call_key(args: list, kwargs: dict) -> str:
    """The text that identifies one call of a recorded function (its encoded arguments)."""
    return json.dumps([encode(list(args)), encode(dict(kwargs))], sort_keys=True)


def _record_calls(function, calls: list[dict]) -> dict:
    if not callable(function):
        return encode(function)
    recorded = []
    for call in calls:
        try:
            args = decode(call.get("args", {"$list": []}))
            kwargs = decode(call.get("kwargs", {"$dict": []}))
            result = function(*args, **kwargs)
            recorded.append({"result": encode(result)})
        except Exception as error:  # the learner's function failed on this input: that is its answer
            recorded.append({"error": f"{type(error).__name__}: {str(error)[:300]}"})
    return {"$function": recorded}


def snapshot(namespace: dict, names: list[str], calls: dict | None = None) -> str:
    """The answers ``names`` in ``namespace`` as JSON text (run inside the student's kernel).

    A name that is not bound is left out; one whose value cannot cross becomes a
    placeholder; a name in ``calls`` is called on each listed argument set.
    """
    answers = {}
    for name in names:
        if name not in namespace:
            continue
        try:
            if calls and name in calls:
                answers[name] = _record_calls(namespace[name], calls[name])
            else:
                answers[name] = encode(namespace[name])
        except AnswerError as error:
            answers[name] = {"$toolarge": str(error)}
        except Exception:
            answers[name] = {"$opaque": getattr(type(namespace[name]), "__name__", "object")}
    text = json.dumps(answers, allow_nan=False)
    if len(text) > MAX_TEXT:
        text = json.dumps({name: {"$toolarge": f"the answers take more than {MAX_TEXT:,} characters"} for name in answers})
    return text


# ---------------------------------------------------------------- decoding (trusted side)


class _Decoder(_Budget):
    """Rebuilds values from their encoding, counting them against the same budget."""

    def value(self, data, depth: int = 0):
        if depth > MAX_DEPTH:
            raise AnswerError(f"the answers are nested more than {MAX_DEPTH} levels deep")
        if data is None or type(data) in (bool, int, float, str):
            self.spend(1)
            if type(data) is int and data.bit_length() > 4096:
                raise AnswerError("a whole number with more than 4,096 bits")
            return data
        if type(data) is not dict or len(data) not in (1, 2):
            raise AnswerError(f"unexpected {type(data).__name__} in the answers")
        if len(data) == 2:
            if set(data) != {"$ndarray", "$scalar"}:
                raise AnswerError(f"unexpected keys {sorted(data)} in the answers")
            return self.array(data["$ndarray"])[0]
        (tag, body), = data.items()
        self.spend(1)
        if tag == "$float":
            if body not in ("nan", "inf", "-inf"):
                raise AnswerError(f"unexpected float {body!r}")
            return float(body)
        if tag in ("$list", "$tuple", "$set", "$frozenset"):
            if type(body) is not list:
                raise AnswerError(f"{tag} without a list")
            items = [self.value(item, depth + 1) for item in body]
            if tag in ("$set", "$frozenset"):
                for item in items:
                    _check_key(item)
            try:
                return {"$list": list, "$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](items)
            except TypeError as error:
                raise AnswerError(f"a set of unhashable values ({error})") from None
        if tag == "$dict":
            if type(body) is not list or any(type(pair) is not list or len(pair) != 2 for pair in body):
                raise AnswerError("$dict without a list of pairs")
            pairs = [(self.value(key, depth + 1), self.value(item, depth + 1)) for key, item in body]
            for key, _ in pairs:
                _check_key(key)
            try:
                return dict(pairs)
            except TypeError as error:
                raise AnswerError(f"a dict with an unhashable key ({error})") from None
        if tag == "$opaque":
            if type(body) is not str:
                raise AnswerError("$opaque without a type name")
            return placeholder(body)
        if tag == "$toolarge":
            return placeholder("TooLarge")
        if tag == "$ndarray":
            return self.array(body)
        if tag in ("$index", "$multiindex"):
            return self.index(data)
        if tag == "$series":
            import pandas

            self.fields(body, {"name", "index", "values"})
            return pandas.Series(self.column(body["values"]), index=self.index(body["index"]),
                                 name=self.label(body["name"]), copy=False)
        if tag == "$dataframe":
            import pandas

            self.fields(body, {"columns", "index", "data"})
            columns, index = self.index(body["columns"]), self.index(body["index"])
            if type(body["data"]) is not list or len(body["data"]) != len(columns):
                raise AnswerError("a table whose columns and data differ in number")
            arrays = [self.column(column) for column in body["data"]]
            if any(array.ndim != 1 or len(array) != len(index) for array in arrays):
                raise AnswerError("a table whose columns and index differ in length")
            frame = pandas.DataFrame({position: array for position, array in enumerate(arrays)}, index=index)
            frame.columns = columns
            return frame
        if tag == "$function":
            raise AnswerError("a recorded function outside a declared call")
        raise AnswerError(f"unexpected tag {tag!r} in the answers")

    @staticmethod
    def fields(body, expected: set) -> None:
        if type(body) is not dict or set(body) != expected:
            raise AnswerError(f"expected the fields {sorted(expected)}")

    def label(self, data):
        value = self.value(data, MAX_DEPTH)
        if type(value) not in (type(None), bool, int, float, str):
            raise AnswerError("a name that is not a plain scalar")
        return value

    def column(self, body):
        """An array, or a pandas array when the encoding names a pandas dtype."""
        if type(body) is dict and "pandas" in body:
            import pandas

            name = body["pandas"]
            if name not in PANDAS_DTYPES:
                raise AnswerError(f"a column of pandas dtype {str(name)[:40]!r}, which cannot cross")
            values = self.array({key: item for key, item in body.items() if key != "pandas"})
            if values.ndim != 1:
                raise AnswerError("a column that is not one-dimensional")
            try:
                return pandas.array(values, dtype=name)
            except (TypeError, ValueError) as error:
                raise AnswerError(f"a column that does not fit its dtype {name} ({str(error)[:100]})") from None
        return self.array(body)

    def array(self, body):
        import numpy

        self.fields(body, {"dtype", "shape", "values"})
        shape, values, dtype = body["shape"], body["values"], body["dtype"]
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 8:
            raise AnswerError("an array with an unreadable shape")
        if type(values) is not list or math.prod(shape) != len(values):
            raise AnswerError("an array whose values do not fill its shape")
        self.spend(len(values))
        if dtype == "str":
            if not all(type(v) is str for v in values):
                raise AnswerError("a text array with values that are not text")
            return numpy.array(values, dtype=str).reshape(shape)
        if dtype == "object":
            plain = [self.value(v, MAX_DEPTH) if type(v) is dict else v for v in values]
            if not all(v is None or type(v) in (bool, int, float, str) or isinstance(v, NotData) for v in plain):
                raise AnswerError("an object array with values that are not plain scalars")
            array = numpy.empty(len(plain), dtype=object)
            array[:] = plain
            return array.reshape(shape)
        if type(dtype) is not str:
            raise AnswerError("an array without a dtype")
        try:
            numpy_dtype = numpy.dtype(dtype)
        except TypeError:
            raise AnswerError(f"an array of unknown dtype {dtype!r}") from None
        if numpy_dtype.kind not in _DTYPE_KINDS or numpy_dtype.kind == "U":
            raise AnswerError(f"an array of dtype {dtype!r}, which cannot cross")
        if numpy_dtype.kind in "Mm":
            if not all(type(v) is int for v in values):
                raise AnswerError("a date array with values that are not whole numbers")
            return numpy.array(values, dtype="i8").view(numpy_dtype).reshape(shape)
        plain = [float(v["$float"]) if type(v) is dict and set(v) == {"$float"} and v["$float"] in ("nan", "inf", "-inf")
                 else v for v in values]
        if not all(type(v) in (bool, int, float) for v in plain):
            raise AnswerError("a numeric array with values that are not numbers")
        try:
            return numpy.array(plain, dtype=numpy_dtype).reshape(shape)
        except (OverflowError, ValueError) as error:
            raise AnswerError(f"an array that does not fit its dtype ({error})") from None

    def index(self, data):
        import pandas

        if type(data) is not dict or len(data) != 1:
            raise AnswerError("an index in an unexpected form")
        (tag, body), = data.items()
        if tag == "$index":
            self.fields(body, {"name", "values", "range"})
            values = self.column(body["values"])
            if getattr(values, "ndim", 1) != 1:
                raise AnswerError("an index that is not one-dimensional")
            if body["range"] is True and values.dtype.kind == "i" and (
                    len(values) == 0 or (values == numpy_arange(values[0], len(values))).all()):
                start = int(values[0]) if len(values) else 0
                return pandas.RangeIndex(start, start + len(values), name=self.label(body["name"]))
            return pandas.Index(values, name=self.label(body["name"]), tupleize_cols=False)
        if tag == "$multiindex":
            self.fields(body, {"names", "levels"})
            if type(body["levels"]) is not list or type(body["names"]) is not list or len(body["names"]) != len(body["levels"]):
                raise AnswerError("a multi-index in an unexpected form")
            levels = [self.column(level) for level in body["levels"]]
            return pandas.MultiIndex.from_arrays(levels, names=[self.label(name) for name in body["names"]])
        raise AnswerError(f"unexpected index tag {tag!r}")


#: Largest magnitude of a whole number in a set or a dict key: below it, Python's hash of
#: a number is the number itself, so that no two such keys collide on purpose.
MAX_KEY = 2**61 - 2


def _check_key(value) -> None:
    """Refuse a set member or dict key built to collide in Python's hash table."""
    kind = type(value)
    if kind is int and abs(value) > MAX_KEY:
        raise AnswerError(f"a whole number beyond ±{MAX_KEY:,} in a set or as a dict key")
    if kind is float and math.isfinite(value) and abs(value) > MAX_KEY:
        raise AnswerError(f"a number beyond ±{MAX_KEY:,} in a set or as a dict key")
    if kind in (tuple, frozenset):
        for item in value:
            _check_key(item)


def numpy_arange(start, length):
    import numpy

    return numpy.arange(int(start), int(start) + length)


def decode(data):
    """The value that ``data`` (made by :func:`encode`) stands for; :class:`AnswerError` if it is not such data."""
    try:
        return _Decoder().value(data)
    except RecursionError:
        raise AnswerError("the answers are nested too deeply") from None


def decode_answers(text: str, calls: dict | None = None) -> dict:
    """The answers in ``text`` (made by :func:`snapshot`), by name, whatever names it holds.

    ``calls`` are the calls the instructor declared for function answers: a name listed
    there becomes a :class:`RecordedFunction` built from the declared arguments and the
    results in the same position of ``text``. The checker uses :func:`decode_declared`.
    """
    answers, _ = decode_declared(text, None, calls)
    return answers


def _json_depth(text: str) -> int:
    """How deeply ``text``'s JSON brackets nest, counted before parsing: how deep the parser may
    recurse must not depend on the interpreter's recursion limit (a library can raise it)."""
    import re

    import numpy as np

    brackets = re.sub(r'"(?:[^"\\]|\\.)*"|[^\[\]{}]', "", text)  # strings and everything but brackets
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


def decode_declared(text: str, declared, calls: dict | None = None) -> tuple[dict, list[str]]:
    """The ``declared`` answers in ``text``, and the other names ``text`` holds (refused, not decoded).

    ``declared`` None decodes every name. A declared name missing from ``text`` stays
    unbound. Everything is counted against one budget of :data:`MAX_ITEMS` values.
    """
    if type(text) is not str or len(text) > MAX_TEXT:
        raise AnswerError(f"the answers are not text of at most {MAX_TEXT:,} characters")
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise AnswerError(f"the answers are nested too deeply (more than {MAX_JSON_DEPTH} levels of JSON brackets)")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise AnswerError(f"the answers are not JSON ({str(error)[:100]})") from None
    if type(data) is not dict:
        raise AnswerError("the answers are not a mapping of names to values")
    wanted = None if declared is None else set(declared)
    refused = [name for name in data if wanted is not None and name not in wanted]
    decoder = _Decoder()
    answers = {}
    for name, value in data.items():
        if name in refused:
            continue
        if not name.isidentifier():
            raise AnswerError(f"{name[:40]!r} is not a name")
        if calls and name in calls:
            answers[name] = _recorded(name, value, calls[name])
            continue
        try:
            answers[name] = decoder.value(value)
        except RecursionError:
            raise AnswerError("the answers are nested too deeply") from None
    return answers, refused


def _recorded(name: str, value, declared: list[dict]):
    if type(value) is not dict or set(value) != {"$function"}:
        return decode(value)  # not a function: the check will say so
    outcomes = value["$function"]
    if type(outcomes) is not list or len(outcomes) != len(declared):
        raise AnswerError(f"the calls of {name} do not match the declared ones")
    calls = []
    for call, outcome in zip(declared, outcomes):
        if type(outcome) is not dict or len(outcome) != 1 or not set(outcome) <= {"result", "error"}:
            raise AnswerError(f"an unreadable outcome of a call of {name}")
        if "result" in outcome:
            decode(outcome["result"])  # refuse now what could not be decoded later
        elif type(outcome["error"]) is not str:
            raise AnswerError(f"an unreadable error of a call of {name}")
        key = call_key(decode(call.get("args", {"$list": []})), decode(call.get("kwargs", {"$dict": []})))
        calls.append((key, outcome))
    return RecordedFunction(name, calls)
