"""Columns and times coerced to the schema's dtypes, without building frames in between.

The session and lap tables hold a few rows, so pandas' fixed cost per column
is their whole cost: these helpers take a frame's columns once, coerce each
to its schema dtype (UTC nanosecond times, ``string``, ``int64`` indexes,
floats) and hand arrays on (:mod:`runtwitch.model.assembly`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.model.frames import (
    NAT_NS,
    UTC_NS,
    float_array,
    frame_columns,
    string_array,
    utc_array,
)
from runtwitch.model.schema import Column


def _to_utc(values: Any) -> pd.DatetimeIndex:
    """UTC nanosecond times; unparsable times and times outside 1677-2262 become NaT."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC":
        try:  # already UTC times: only the unit may need changing
            return pd.DatetimeIndex(values).as_unit("ns")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            pass  # outside 1677-2262: the general path below makes them NaT
    idx = pd.DatetimeIndex(pd.to_datetime(values, utc=True, errors="coerce"))
    if idx.unit != "ns":
        try:  # all within 1677-2262 (nearly always): only the unit changes
            return idx.as_unit("ns")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
        lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
        idx = pd.DatetimeIndex(idx.where((idx >= lo) & (idx <= hi)))
    return idx.as_unit("ns")


def _coerced_arrays(df: pd.DataFrame, columns: tuple[Column, ...]) -> dict[Any, Any]:
    """The schema's columns in their dtypes (missing ones empty), then any others, as arrays by name.

    No frame is built: the callers take the columns apart (a few rows, where
    pandas' fixed cost per column is the cost). See :func:`_coerce_columns`.
    """
    return _coerce_columns(frame_columns(df), len(df), columns)


#: The dtype of the schema's time columns, given as it is: only the unit and zone are checked.
_UTC_NS = UTC_NS


def _coerce_columns(given: dict[Any, Any], n: int, columns: tuple[Column, ...]) -> dict[Any, Any]:
    """:func:`_coerced_arrays` of a frame's columns (:func:`~runtwitch.model.frames.frame_columns`).

    With shortcuts for columns that already have their dtype: those arrays
    are the frame's own, to be read or copied (``take``), never written.
    """
    arrays: list[Any] = []
    for c in columns:
        if c.name not in given:
            arrays.append(_empty(c.dtype, n))
            continue
        s = given[c.name]
        if c.dtype.startswith("datetime64"):
            if s.dtype == _UTC_NS:
                arrays.append(s)
            else:
                arrays.append(_utc_times(s) if s.dtype == object else _to_utc(s).array)
        elif c.dtype == "string":
            if isinstance(s.dtype, pd.StringDtype) and s.dtype.na_value is pd.NA:
                arrays.append(s)
            elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):  # objects, or "str" (NaN missing)
                arrays.append(_strings(np.asarray(s, dtype=object)))
            else:
                arrays.append(pd.Series(s).astype("string").array)
        elif c.dtype == "int64":  # indexes, assigned by the caller; -1 until then
            arrays.append(s if s.dtype == np.int64
                          else pd.to_numeric(pd.Series(s), errors="coerce").fillna(-1).to_numpy("int64"))
        elif s.dtype == c.dtype:
            arrays.append(s)
        elif isinstance(s, np.ndarray) and s.dtype.kind in "biuf":  # numbers already: what to_numeric keeps
            arrays.append(s.astype(c.dtype))
        else:
            arrays.append(pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(c.dtype))
    names = [c.name for c in columns]
    extra = [name for name in given if name not in set(names)]
    return dict(zip(names + extra, arrays + [given[name] for name in extra], strict=True))


def _column_values(given: dict[Any, Any], n: int, c: Column) -> list[Any]:
    """One column of :func:`_coerce_columns` as Python values, one a row (a missing string None).

    What iterating the coerced array gives (``tolist`` of a numpy column,
    Timestamps or NaT of a time column), without building the array when
    the column is missing or already holds its dtype's values: float64 or
    int64 numbers, or strings and None.
    """
    s = given.get(c.name)
    if s is None:
        return [_MISSING[c.dtype]] * n if c.dtype in _MISSING else [pd.NaT] * n
    if isinstance(s, np.ndarray) and (
        (s.dtype == np.float64 and c.dtype == "float64") or (s.dtype == np.int64 and c.dtype == "int64")
        or (s.dtype == object and c.dtype == "string" and all(v is None or type(v) is str for v in s))
    ):
        return list(s.tolist())
    arr = _coerce_columns({c.name: s}, n, (c,))[c.name]
    return arr.tolist() if isinstance(arr, np.ndarray) else [None if v is pd.NA else v for v in arr]


#: The Python value of a missing cell of each schema dtype but times (NaT), as :func:`_empty` holds them.
_MISSING: dict[str, Any] = {"string": None, "int64": -1, "float64": np.nan}


def _coerce_lists(columns: dict[str, Any], schema: tuple[Column, ...]) -> dict[str, Any]:
    """Like :func:`_coerced_arrays`, from one list of values per schema column (or its array already)."""
    arrays: dict[str, Any] = {}
    for c in schema:
        values = columns[c.name]
        if c.dtype.startswith("datetime64"):
            arrays[c.name] = values if getattr(values, "dtype", None) == UTC_NS else _utc_times(values)
        elif c.dtype == "string":
            arrays[c.name] = _strings(values)
        elif c.dtype == "int64":
            arrays[c.name] = np.asarray(values, dtype=np.int64)
        else:
            arrays[c.name] = float_array(values).astype(c.dtype, copy=False)
    return arrays


_strings = string_array


def _utc_times(values: Any) -> Any:
    """A few times as a UTC nanosecond array (what :func:`_to_utc` gives for the same values).

    Aware Timestamps and datetimes within 1677-2262, NaT and None (what the
    readers and the session and lap rules produce) are converted directly to
    nanoseconds since the epoch; anything else goes through :func:`_to_utc`.
    """
    ns = []
    for v in values:
        if v is None or v is pd.NaT:
            ns.append(NAT_NS)
            continue
        if isinstance(v, datetime) and v.utcoffset() is not None:
            n = v.value if isinstance(v, pd.Timestamp) else (v - _EPOCH) // _ONE_US * 1000
            if _MIN_NS <= n <= _MAX_NS:
                ns.append(n)
                continue
        return _to_utc(values).array
    return utc_array(np.array(ns, dtype=np.int64))


_EPOCH, _ONE_US = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)


#: The nanoseconds of the first and last valid datetime64[ns] (NaT is the int64 minimum).
_MIN_NS, _MAX_NS = NAT_NS + 1, np.iinfo(np.int64).max


def _empty(dtype: str, n: int) -> Any:
    """A column of ``n`` missing values of a schema dtype (-1 for the integer indexes)."""
    if dtype.startswith("datetime64"):
        return utc_array(np.full(n, NAT_NS, dtype=np.int64))
    if dtype == "string":
        return _strings([None] * n)  # None: what goes to Arrow directly (missing, as pd.NA would be)
    if dtype == "int64":
        return np.full(n, -1, dtype=np.int64)
    return np.full(n, np.nan, dtype=dtype)

