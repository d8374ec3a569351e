"""Building DataFrames from column arrays with as little pandas overhead as possible."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # the storage of pandas' string columns (a dependency)

try:  # pandas' block internals (not in pandas-stubs): frames built from blocks, see frame_from_arrays
    from pandas._libs.internals import BlockPlacement as _BlockPlacement  # type: ignore[import-not-found]
    from pandas.core.internals.blocks import new_block_2d as _new_block_2d  # type: ignore[import-not-found]
    from pandas.core.internals.managers import BlockManager as _BlockManager  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - pandas without them: the constructors instead
    _new_block_2d = None

#: The int64 value of NaT in datetime64[ns] data.
NAT_NS = np.iinfo(np.int64).min

#: The dtype of every time column and index of the schema.
UTC_NS = pd.DatetimeTZDtype("ns", "UTC")


def object_array(values: Iterable[Any]) -> np.ndarray:
    """``values`` as a one-dimensional object array, each value one cell as it is.

    A list or tuple stays one cell: ``out[:] = values`` would unpack nested
    sequences (or drop a leading length-1 axis) where ``np.fromiter`` never
    does, and is no faster.
    """
    items = values if isinstance(values, (list, tuple)) else list(values)
    return np.fromiter(items, dtype=object, count=len(items))


def column_cells(column: pd.Series) -> list[Any]:
    """``list(column)``: the cells a loop over the column gives, the same objects, in order.

    A string column (pyarrow-backed) is read into Python in one call, where a
    loop over it makes a pyarrow scalar per cell (a few microseconds each);
    its missing cells are the dtype's own NA value, as the loop gives them.
    """
    if isinstance(column.dtype, pd.StringDtype):
        cells: list[Any] = column.to_numpy(dtype=object).tolist()
        return cells
    return list(column)


def utc_array(ns: np.ndarray) -> Any:
    """UTC times from nanoseconds since the epoch (int64, NaT as :data:`NAT_NS`), as a ``DatetimeArray``.

    The array is a view of ``ns`` (not to be written afterwards).
    ``DatetimeArray._simple_new`` wraps the nanoseconds as they are, where the
    public constructors localise them (tens of microseconds per array, the
    whole cost of a session's times); the public path is the fallback should
    that classmethod ever go away.
    """
    m8 = np.asarray(ns, dtype=np.int64).view("datetime64[ns]")
    try:
        # not in pandas-stubs (a classmethod pandas itself uses to wrap its data)
        return pd.arrays.DatetimeArray._simple_new(m8, dtype=UTC_NS)  # type: ignore[attr-defined]
    except (AttributeError, TypeError):  # pragma: no cover - pandas without _simple_new
        return pd.DatetimeIndex(m8).tz_localize("UTC").array


def utc_index(ns: np.ndarray, name: str | None = None) -> pd.DatetimeIndex:
    """:func:`utc_array` as an index (a view of ``ns``)."""
    return pd.DatetimeIndex(utc_array(ns), name=name, copy=False)


_STRING: Any = pd.StringDtype()  # its array type's constructor is not in pandas-stubs


@functools.cache
def _string_template() -> Any:
    """An empty array of the schema's ``string`` dtype: what new string arrays are made from."""
    return _STRING.construct_array_type()._from_sequence([], dtype=_STRING)


def _arrow_string_type() -> Any:
    """The Arrow type that holds the schema's ``string`` columns (as pandas builds them)."""
    return _string_template()._pa_array.type


def string_array(values: Any) -> Any:
    """Values as the schema's ``string`` array (what ``pd.array(values, dtype="string")`` gives).

    Strings and None (what the readers and the session rules produce) go to
    Arrow directly, then into the array type (a third of the cost of its
    ``_from_sequence``, which converts value by value) through the array's
    own constructor from an Arrow result (``_from_pyarrow_array``, which
    skips the checks of ``__init__``: the type is the one pandas uses);
    anything else (a number to turn into text, NaN or ``pd.NA`` for missing)
    goes through ``_from_sequence``. ``pd.array`` and ``astype`` reach the
    same constructors after checks that cost more than the conversion on a
    few rows.
    """
    template = _string_template()
    if isinstance(values, (list, np.ndarray)) and all(v is None or type(v) is str for v in values):
        try:
            arrow = pa.array(values, type=template._pa_array.type, from_pandas=False)
        except (TypeError, ValueError, AttributeError):  # pragma: no cover - another string storage
            pass
        else:
            try:
                return template._from_pyarrow_array(arrow)
            except AttributeError:  # pragma: no cover - pandas without it
                return type(template)(arrow)
    return type(template)._from_sequence(values, dtype=_STRING)


def frame_from_arrays(arrays: list[Any], columns: list[str], index: pd.Index) -> pd.DataFrame:
    """A frame owning writable copies of ``arrays``: one block per numpy dtype, one per other column.

    The blocks are built directly (:func:`_frame_from_blocks`): the columns of
    each numpy dtype stacked into one block (one copy), every other column
    (times, strings) a copy in a block of its own, which is what pandas'
    constructors build, without their per-column inference and checks (about
    half the cost of ``DataFrame._from_arrays`` on a session table, whose
    fixed cost per column is its whole cost). No two frames share an array:
    writing into one never changes another. Should pandas' block classes ever
    change, ``DataFrame._from_arrays`` and then the public constructor are the
    fallbacks. The column labels' Index is built once per list of names and
    each frame gets a view of it (its own object, so that naming one frame's
    columns names no other): with pandas 3 building the Index from the names
    (an Arrow-backed ``str`` index) cost twice what the rest of a small frame
    does. Raises ValueError when an array's length is not the index's.
    """
    # no columns: labels as the constructor gives them (an empty RangeIndex)
    labels = _column_index(tuple(columns)).view() if columns else pd.RangeIndex(0)
    try:
        return _frame_from_blocks(arrays, labels, index)
    except (AttributeError, TypeError, ImportError):  # pragma: no cover - pandas without these internals
        pass
    if not columns:  # pragma: no cover - as above
        return pd.DataFrame(index=index)
    copies = [a.copy() if not isinstance(a, np.ndarray) else a for a in arrays]  # numpy ones are stacked
    try:
        # not in pandas-stubs (a classmethod pandas itself uses to build frames)
        frame: pd.DataFrame = pd.DataFrame._from_arrays(  # type: ignore[attr-defined]
            copies, columns=labels, index=index, verify_integrity=False)
        return frame
    except (AttributeError, TypeError):  # pragma: no cover - pandas without _from_arrays
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index, copy=True)


def _frame_from_blocks(arrays: list[Any], labels: pd.Index, index: pd.Index) -> pd.DataFrame:
    """:func:`frame_from_arrays` with pandas' blocks built here (pandas internals, not in pandas-stubs).

    Raises AttributeError, TypeError or ImportError where those internals differ, ValueError when
    a column's length is not the index's.
    """
    if _new_block_2d is None:  # pragma: no cover - pandas without these internals
        raise ImportError("pandas' block internals")
    by_dtype: dict[np.dtype[Any], list[int]] = {}
    blocks = []
    n = len(index)
    for i, a in enumerate(arrays):
        if len(a) != n:  # what the constructors refuse; never broadcast or cut here
            raise ValueError(f"column {labels[i]!r} holds {len(a)} values for {n} rows")
        if isinstance(a, np.ndarray):
            by_dtype.setdefault(a.dtype, []).append(i)
        else:  # an extension array: a copy, in a block of its own
            copy = a.copy()
            if isinstance(copy, pd.arrays.DatetimeArray):
                copy = copy.reshape(1, -1)  # times: a 2-D block, as pandas holds them
            elif getattr(copy.dtype, "_supports_2d", True):  # timedeltas, periods...: pandas' constructors
                raise TypeError(f"a {copy.dtype} column: built by pandas")
            blocks.append(_new_block_2d(copy, _BlockPlacement(slice(i, i + 1))))
    for dtype, positions in by_dtype.items():
        if dtype.kind in "OSUmM":  # numpy objects, strings and times: pandas' own conversions
            raise TypeError(f"a numpy {dtype} column: built by pandas")
        stacked = np.empty((len(positions), len(index)), dtype=dtype)
        for row, i in enumerate(positions):
            stacked[row] = arrays[i]
        blocks.append(_new_block_2d(stacked, _BlockPlacement(np.array(positions, dtype=np.intp))))
    manager = _BlockManager(tuple(blocks), [labels, index], verify_integrity=False)
    frame: pd.DataFrame = pd.DataFrame._from_mgr(manager, axes=manager.axes)  # type: ignore[attr-defined]
    return frame


@functools.lru_cache(maxsize=512)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The column labels of a frame, built once per list of names (see :func:`frame_from_arrays`)."""
    return pd.Index(list(names))


class Columns:
    """A frame held as its column arrays until its DataFrame is asked for.

    What the assembly makes of an imported file: calling it builds the frame
    (:func:`frame_from_arrays`, the frame owns copies), and :meth:`arrays`
    gives the columns as they are, read-only, without any frame. An
    :class:`~runtwitch.model.activity.Activity` given its frames this way
    builds each DataFrame the first time it is read, so that a reader which
    never reads a frame (the import cache storing a file's activity, a
    notebook that only wants the sessions) does not pay for building it:
    about a tenth of importing a one-hour FIT file in a worker process
    (docs/batch.md). A ``Columns`` is never changed after it is made.

    Parameters
    ----------
    arrays
        The columns by name, in order, each as long as ``index``: numpy
        arrays or pandas extension arrays (``DatetimeArray``, the string
        array). They are taken as they are, not copied: the caller must not
        write into them afterwards.
    index
        The frame's index.

    Raises
    ------
    ValueError
        A column's length is not the index's.
    """

    __slots__ = ("_arrays", "_views", "index")

    def __init__(self, arrays: dict[str, Any], index: pd.Index) -> None:
        n = len(index)
        for name, a in arrays.items():
            if len(a) != n:
                raise ValueError(f"column {name!r} holds {len(a)} values for {n} rows")
        self._arrays = arrays
        self._views: dict[str, Any] | None = None
        self.index = index

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Columns:
        """The columns of a DataFrame (read-only views of its data, see :func:`frame_columns`)."""
        return cls(frame_columns(frame), frame.index)

    def __call__(self) -> pd.DataFrame:
        """The DataFrame (built anew at each call; it owns copies of the arrays and its own index
        object, so that renaming one frame's index renames no other)."""
        return frame_from_arrays(list(self._arrays.values()), list(self._arrays), self.index.view())

    def __len__(self) -> int:
        return len(self.index)

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return list(self._arrays)

    def arrays(self) -> dict[str, Any]:
        """Every column by name, as :func:`frame_columns` gives a frame's: to read, never to write."""
        if self._views is None:  # made once: the columns never change
            self._views = {name: _read_only(a) for name, a in self._arrays.items()}
        return dict(self._views)

    def __getstate__(self) -> tuple[dict[str, Any], pd.Index]:
        return self._arrays, self.index

    def __setstate__(self, state: tuple[dict[str, Any], pd.Index]) -> None:
        self._arrays, self.index = state
        self._views = None

    def __repr__(self) -> str:
        return f"<Columns {len(self.index)} rows: {', '.join(self._arrays)}>"


def _read_only(arr: Any) -> Any:
    """A numpy array as a view that cannot be written (the array itself when it cannot already);
    any other array as it is."""
    if isinstance(arr, np.ndarray) and arr.flags.writeable:
        arr = arr.view()
        arr.flags.writeable = False
    return arr


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
    # the frame's own data: views that cannot change it
    return {name: _read_only(arr) for name, arr in zip(names, arrays, strict=True)}


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
