"""Building DataFrames from column arrays with as little pandas overhead as possible."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

#: The int64 value of NaT in datetime64[ns] data.
NAT_NS = np.iinfo(np.int64).min


def frame_from_arrays(arrays: list[Any], columns: list[str], index: pd.Index) -> pd.DataFrame:
    """A frame owning writable copies of ``arrays``, one block per column.

    ``DataFrame._from_arrays`` copies each column once and skips both the
    per-column sanitising of the dict constructor and the consolidation copy
    (about twice as fast when a whole history is built). Arrays from pyarrow's
    zero-copy conversion are read-only, so a copy is needed either way. The
    public constructor is the fallback should that classmethod ever go away.
    The column labels' Index is built once per list of names and each frame
    gets a view of it (its own object, so that naming one frame's columns
    names no other): with pandas 3 building the Index from the names (an
    Arrow-backed ``str`` index) cost twice what the rest of a small frame does.
    """
    if not columns:
        return pd.DataFrame(index=index)
    try:
        # not in pandas-stubs (a classmethod pandas itself uses to build frames)
        frame: pd.DataFrame = pd.DataFrame._from_arrays(  # type: ignore[attr-defined]
            arrays, columns=_column_index(tuple(columns)).view(), index=index, verify_integrity=False)
        return frame
    except (AttributeError, TypeError):  # pragma: no cover - pandas without _from_arrays
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index, copy=True)


@functools.lru_cache(maxsize=512)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The column labels of a frame, built once per list of names (see :func:`frame_from_arrays`)."""
    return pd.Index(list(names))


def frame_columns(df: pd.DataFrame) -> dict[Any, Any]:
    """Every column of ``df`` by name, as the array it is stored in: to read, never to write.

    A numpy column comes as a read-only view of the frame's data, any other
    dtype as its extension array (``DatetimeArray``, the string array...).
    ``DataFrame.items()`` builds a Series per column (with pandas 3 about
    15 µs each, most of it finding the label in an Arrow-backed column index);
    this takes the arrays as stored, about a seventh of that. Column names are
    assumed unique (every frame of the schema has unique names). Falls back
    to ``items()`` should ``DataFrame._iter_column_arrays`` ever go away.
    """
    names = df.columns.tolist()
    try:
        # not in pandas-stubs, which take the name for a column (pandas reads its columns with it)
        arrays = list(df._iter_column_arrays())  # type: ignore[operator]
    except AttributeError:  # pragma: no cover - pandas without _iter_column_arrays
        arrays = [s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array for _, s in df.items()]
    out: dict[Any, Any] = {}
    for name, arr in zip(names, arrays, strict=True):
        if isinstance(arr, np.ndarray) and arr.flags.writeable:
            arr = arr.view()  # the frame's own data: a view that cannot change it
            arr.flags.writeable = False
        out[name] = arr
    return out


def float_array(values: list[Any]) -> np.ndarray:
    """A few values (of a session or lap table) as float64: missing ones NaN.

    Numbers and missing values (None, ``pd.NA``) are converted directly;
    anything else goes through :func:`pandas.to_numeric`, so that a value
    that is not a number becomes NaN.
    """
    if all(v is None or v is pd.NA or (isinstance(v, (int, float)) and not isinstance(v, bool))
           for v in values):
        return np.array([np.nan if v is None or v is pd.NA else v for v in values], dtype=np.float64)
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(np.float64)
