"""Input checks shared by every cxlab function.

The bottom layer of cxlab: imports numpy and pandas only, nothing of cxlab.

Survey exports are messy: text in a score column, a 0-10 scale where a 1-5 one was
expected, empty cells. Every public function funnels its input through here so that
bad input raises an error that names the value, the column and the valid range,
instead of returning a wrong number.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

NAN_POLICIES = ("raise", "omit")


def check_nan_policy(nan_policy: str) -> None:
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}")


def check_ci(ci: float) -> float:
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real):
        raise TypeError(f"ci must be a number strictly between 0 and 1, got {ci!r}")
    if not 0 < float(ci) < 1:
        raise ValueError(f"ci must be strictly between 0 and 1 (for example 0.95), got {ci!r}")
    return float(ci)


def check_whole(value, name: str, *, minimum: int | None = None, maximum: int | None = None,
                what: str = "a whole number", where: str = "") -> int:
    """``value`` as an int: ``TypeError`` unless it is an integer (not a bool), ``ValueError`` outside the range.

    >>> check_whole(3, "n", minimum=1)
    3
    >>> check_whole(0, "n", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be at least 1, got 0
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None:
            valid = "0 or more" if minimum == 0 else f"at least {minimum}"
        elif minimum is None:
            valid = f"at most {maximum}"
        else:
            valid = f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {valid}{where}, got {value!r}")
    return int(value)


def check_shares(values, name: str):
    """``values`` (a number, or a sequence of them) as floats, each a share from 0 to 1.

    Shares are 0 to 1 throughout cxlab (survey scores, such as CSAT or NPS, are the
    points they are reported in). A share given in per cent, 45 for 45%, is an error
    that names it and the range, never a number computed from it.

    >>> check_shares([0.4, 0.05], "shares").tolist()
    [0.4, 0.05]
    >>> check_shares([0.4, 45], "shares")
    Traceback (most recent call last):
    ...
    ValueError: shares must be a share from 0 to 1 (0.45 for 45%), got 45
    """
    if isinstance(values, str | bytes | bool | np.bool_) or values is None:
        raise TypeError(f"{name} must be a share from 0 to 1 (or several), got {values!r}")
    try:
        shares = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be shares from 0 to 1, got {values!r}") from None
    outside = ~((shares >= 0) & (shares <= 1))
    if outside.any():
        raise ValueError(f"{name} must be a share from 0 to 1 (0.45 for 45%), got {shares[outside].flat[0]:g}")
    return shares


def check_scale(scale: int, *, name: str = "scale", minimum: int = 2) -> int:
    return check_whole(scale, name, minimum=minimum, what="an integer number of scale points")


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _where(values, mask: np.ndarray, *, shown: int = 5) -> str:
    """Where the culprits of ``mask`` are: row labels of a Series (its index), else positions, and how many.

    >>> _where(pd.Series([1, 2, 3], index=pd.Index([7, 8, 9], name="row")), np.array([False, True, True]))
    'at row 8 (2 such values, at rows 8, 9)'
    >>> _where([1, 2], np.array([True, False]))
    'at position 0'
    """
    positions = np.flatnonzero(mask)
    if isinstance(values, pd.Series):
        kind = values.index.name if isinstance(values.index.name, str) else "index"
        labels = [label.item() if isinstance(label, np.generic) else label for label in values.index[positions[:shown]]]
        texts = [str(label) if kind == "row" else repr(label) for label in labels]
    else:
        kind, texts = "position", [str(position) for position in positions[:shown]]
    first, shown_labels = texts[0], ", ".join(texts)
    if positions.size == 1:
        return f"at {kind} {first}"
    more = f" and {positions.size - shown:,} more" if positions.size > shown else ""
    plural = "rows" if kind == "row" else f"{kind} labels" if kind == "index" else f"{kind}s"
    return f"at {kind} {first} ({positions.size:,} such values, at {plural} {shown_labels}{more})"


def _named(name: str, values) -> str:
    """``name``, with the column when ``values`` is a named Series: "scores (column 'recommend')"."""
    column = getattr(values, "name", None) if isinstance(values, pd.Series) else None
    return name if column is None or column == name or repr(column) in name else f"{name} (column {column!r})"


def _decimal_hint(texts) -> str:
    """A hint for text that is almost a number: a decimal comma, or an answer written as a label."""
    for text in texts:
        if isinstance(text, str) and "," in text and text.strip().replace(",", "", 1).lstrip("-").isdigit():
            return (f"; {text!r} looks like a number written with a decimal comma: read the file with "
                    "decimal=\",\" (pd.read_csv(..., sep=\";\", decimal=\",\")) or with cxlab.read_survey, "
                    "which detects it")
    return "; cxlab.read_survey reads answers written as labels (\"10 - definitely\") and lists what it changed"


def _as_float_array(values, name: str, *, must: str = "contain only numbers") -> np.ndarray:
    """Turn a list, array or Series into float64 with NaN for missing; reject text and true/false values.

    The error names ``name``, what it ``must`` hold, the first culprits (the values that
    are not numbers, not the first value of the column) and where they are.
    """
    if values is None:
        raise TypeError(f"{name} must be a list, numpy array or pandas Series of numbers, got None")
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, got the text {values!r}")
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name} must be one column (a Series), got a DataFrame with columns {list(values.columns)}"
        )
    if isinstance(values, (numbers.Number, np.generic)):
        raise TypeError(f"{name} must be a sequence of numbers, got the single value {values!r}")

    if isinstance(values, pd.Series | pd.Index):
        series = pd.Series(values)
    else:
        array = np.asarray(values) if not isinstance(values, np.ndarray) else values
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {array.shape}")
        if array.dtype.kind == "b":
            raise TypeError(f"{name} must {must}, not booleans (true/false values)")
        if array.dtype.kind in "iuf":
            return array.astype(np.float64, copy=False)
        series = pd.Series(array, dtype=object if array.dtype.kind in "OUSb" else None)

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise TypeError(f"{_named(name, values)} must {must}, not booleans (true/false values, dtype {dtype})")
    if pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)

    objects = series.to_numpy(dtype=object)
    not_number = np.fromiter(
        (not (value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)))
         and (isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real)) for value in objects),
        dtype=bool, count=len(objects))
    if not_number.any():
        culprits = not_number
        if all(isinstance(value, str) for value in objects[not_number]):
            # Text columns: the culprits are the texts that are not numbers even as text.
            unreadable = pd.to_numeric(pd.Series(objects[not_number], dtype=object), errors="coerce").isna()
            if unreadable.any():
                culprits = not_number.copy()
                culprits[np.flatnonzero(not_number)[~unreadable.to_numpy()]] = False
            else:
                raise TypeError(
                    f"{_named(name, values)} must {must}; it holds numbers stored as text, such as "
                    f"{objects[_first(not_number)]!r} {_where(values, not_number)}: convert them with pd.to_numeric, "
                    "or read the file with cxlab.read_survey"
                )
        value = objects[_first(culprits)]
        examples = ", ".join(repr(text) for text in dict.fromkeys(objects[culprits][:5].tolist()))
        raise TypeError(
            f"{_named(name, values)} must {must}; found {value!r} "
            f"(type {type(value).__name__}) {_where(values, culprits)}"
            f"{f' (values {examples})' if culprits.sum() > 1 else ''}{_decimal_hint(objects[culprits][:50])}"
        )
    return pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)


def as_scores(
    values,
    *,
    low: int,
    high: int,
    name: str = "scores",
    nan_policy: str = "raise",
) -> np.ndarray:
    """Validate integer scores on ``low..high`` and return them as an int64 array.

    Integer arrays take a fast path (one min/max pass, no copy), so the checks cost
    little next to the counting they protect.
    """
    check_nan_policy(nan_policy)
    valid = f"integers {low}-{high}"

    kept = None
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu" and values.ndim == 1:
        scores = values
    else:
        floats = _as_float_array(values, name)
        missing = np.isnan(floats)
        kept = None
        if missing.any():
            if nan_policy == "raise":
                raise ValueError(
                    f"{_named(name, values)} has {int(missing.sum())} missing value(s), the first "
                    f"{_where(values, missing)}; pass nan_policy='omit' to leave them out"
                )
            kept = values[~missing] if isinstance(values, pd.Series) else None
            floats = floats[~missing]
        if floats.size and not np.isfinite(floats).all():
            bad = ~np.isfinite(floats)
            raise ValueError(f"{name} must be {valid}; found {floats[_first(bad)].item()!r}")
        fractional = floats != np.round(floats)
        if fractional.any():
            raise ValueError(
                f"{_named(name, values)} must be {valid}; found the non-integer "
                f"{floats[_first(fractional)].item()!r} {_where(kept if kept is not None else values, fractional)}"
            )
        scores = floats.astype(np.int64)

    if scores.size == 0:
        raise ValueError(f"{name} is empty: at least one score ({valid}) is needed")
    lowest, highest = scores.min(), scores.max()
    if lowest < low or highest > high:
        outside = (scores < low) | (scores > high)
        position = _first(outside)
        located = kept if kept is not None else values
        raise ValueError(
            f"{_named(name, values)} must be {valid}; found {scores[position].item()!r} {_where(located, outside)}"
        )
    return scores


def numeric_column(frame: pd.DataFrame, column: str, *, valid: str = "numbers", booleans: bool = False) -> pd.Series:
    """Column ``column`` as float64 numbers (NaN where missing): the library's one check of a numeric column.

    Text among the numbers, numbers stored as text and (unless ``booleans``) true/false
    values are a ``TypeError`` that names the column, what it must hold (``valid``, with
    its range) and the first culprits, with their row labels. With ``booleans``, True
    and False become 1 and 0 (a yes/no outcome).

    >>> numeric_column(pd.DataFrame({"days": [3, 1.5]}), "days").tolist()
    [3.0, 1.5]
    >>> numeric_column(pd.DataFrame({"days": [3, "soon", 2, "never"]}), "days", valid="days of 0 or more")
    Traceback (most recent call last):
    ...
    TypeError: column 'days' must hold days of 0 or more; found 'soon' (type str) at index 1 (2 such values, at index labels 1, 3) (values 'soon', 'never'); cxlab.read_survey reads answers written as labels ("10 - definitely") and lists what it changed
    """
    require_columns(frame, column)
    values = frame[column]
    if booleans and pd.api.types.is_bool_dtype(values.dtype):
        return pd.Series(values.to_numpy(dtype=np.float64, na_value=np.nan), index=values.index, name=column)
    floats = _as_float_array(values.rename(None), f"column {column!r}", must=f"hold {valid}")
    return pd.Series(floats, index=values.index, name=column)


def require_columns(df: pd.DataFrame, *columns: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(
            f"column(s) {missing} not found; the DataFrame has columns {list(df.columns)}"
        )


def drop_missing(frame: pd.DataFrame, columns, nan_policy: str) -> pd.DataFrame:
    """Rows of ``frame`` without missing values, or a clear error when ``nan_policy="raise"``."""
    check_nan_policy(nan_policy)
    missing = frame.isna().any(axis=1)
    if missing.any():
        if nan_policy == "raise":
            first = frame.index[missing.to_numpy()][0]
            first = first.item() if isinstance(first, np.generic) else first
            raise ValueError(
                f"{int(missing.sum())} row(s) have a missing value in {list(columns)}, the first at index "
                f"{first!r}; pass nan_policy='omit' to leave them out"
            )
        frame = frame[~missing]
    return frame


def seed_sequence(seed) -> np.random.SeedSequence:
    """The root of a computation's random streams, from ``seed``: the library's one seed check.

    Every function of cxlab that draws at random passes its ``seed`` through here, so
    that a bad seed gets one error everywhere. A result drawn at random keeps what it
    drew (its resampled statistics, say), so another confidence level never draws again.

    ``None`` gives fresh randomness; a whole number 0 or more (or a list of them) the
    same streams every time; a :class:`numpy.random.SeedSequence` is used as it is;
    a :class:`numpy.random.Generator` (or bit generator) gives up 128 bits of its own
    stream to seed the root, so that the same generator state gives the same customers.
    Passing the returned root to several simulations gives them the same random
    numbers (common random numbers).

    Examples
    --------
    >>> root = seed_sequence(7)
    >>> root.entropy
    7
    >>> seed_sequence(root) is root
    True
    """
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.BitGenerator):
        seed = np.random.Generator(seed)
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**32, size=4, dtype=np.uint64).tolist())
    several = isinstance(seed, list | tuple | np.ndarray)
    words = list(np.asarray(seed, dtype=object).ravel()) if several else [seed]
    valid = "None, a whole number 0 or more, a numpy SeedSequence or a numpy Generator"
    for word in words:
        if isinstance(word, bool | np.bool_) or not isinstance(word, numbers.Integral):
            raise TypeError(f"seed must be {valid}, got {seed!r}")
        if word < 0:
            raise ValueError(f"seed must be {valid}, got {seed!r}")
    return np.random.SeedSequence([int(word) for word in words] if several else int(seed))


def child_seeds(root: np.random.SeedSequence, count: int) -> list[np.random.SeedSequence]:
    """The first ``count`` children of ``root``, the same however often asked.

    ``SeedSequence.spawn`` counts the children it has made, so a second call gives new
    ones; a computation that splits its root into streams gets the same ones every time.

    >>> root = seed_sequence(3)
    >>> [child.spawn_key for child in child_seeds(root, 2)] == [child.spawn_key for child in child_seeds(root, 2)]
    True
    """
    return [np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, index), pool_size=root.pool_size)
            for index in range(count)]
