"""A content-addressed cache of imported activities (Arrow IPC + JSON).

Each entry is a directory named by the SHA-256 of the file's bytes, the
schema version and :data:`CACHE_FORMAT`, holding the records as one Arrow IPC
file (lz4-compressed) and a JSON file of three lines: the CRC-32 of the two others; the
metadata, the report and the records file's layout and CRC-32; the three
small frames (sessions, laps, route: a few rows each, rebuilt with their
dtypes). A cache hit reads only the JSON and builds no DataFrame: the
activity's records are read from the records file when first asked for
(:class:`CachedRecords`), its small frames from the JSON kept in memory, so
a whole history can be held without its records. Entries are written to a
temporary directory and renamed into place, so readers never see half an
entry and two processes can fill the cache at once. An entry that fails to
load or whose checksums do not match is deleted and rebuilt, never returned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa  # the Arrow library behind pandas, used directly: fewer layers
import pyarrow.ipc as ipc

from runtwitch.errors import MissingFileError
from runtwitch.model.activity import Activity, ActivityMeta, Damage, FrameLoader, ImportReport, summary_name
from runtwitch.model.frames import NAT_NS, Columns, frame_from_arrays
from runtwitch.model.schema import SCHEMA_VERSION

#: Bumped when the layout of a cache entry changes (3: records read lazily, JSON in two lines;
#: 4: records as an Arrow IPC file instead of Parquet).
CACHE_FORMAT = 4
#: The two files of an entry.
ENTRY_FILE, RECORDS_FILE = "entry.json", "records.arrow"
#: Frames stored in the entry's JSON (small); ``records`` goes to the records file.
SMALL_FRAMES = ("laps", "sessions", "route")


def default_cache_dir() -> Path:
    """``$RUNTWITCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/runtwitch``, else ``~/.cache/runtwitch``."""
    env = os.environ.get("RUNTWITCH_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "runtwitch"


def content_key(
    data: bytes, *, errors: str = "salvage", engine: str | None = None, companions: Sequence[bytes] = ()
) -> str:
    """Cache key of a file's bytes, the schema the entry was built with and the import options.

    The options that change what a file gives (``errors``, ``engine``) are part
    of the key when they are not the defaults, so an entry made in one mode is
    never returned in another. ``companions``: the bytes of files read with
    this one (an HRM's paired GPX), so that adding or changing one is seen.
    """
    return key_of(content_digest(data, companions), errors=errors, engine=engine)


def content_digest(data: bytes, companions: Sequence[bytes] = ()) -> str:
    """The SHA-256 (hex) a cache key starts with: of ``data``, then of each companion's SHA-256."""
    digest = hashlib.sha256(data)
    for extra in companions:
        digest.update(hashlib.sha256(extra).digest())
    return digest.hexdigest()


def key_of(digest: str, *, errors: str = "salvage", engine: str | None = None) -> str:
    """:func:`content_key` of bytes whose :func:`content_digest` is ``digest``."""
    options = ("" if errors == "salvage" else f"-{errors}") + ("" if engine is None else f"-{engine}")
    return f"{digest}-s{SCHEMA_VERSION}-c{CACHE_FORMAT}{options}"


def _jsonable(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def checked(body: bytes) -> bytes:
    """``body`` behind a first line holding its CRC-32 (8 hex digits): how every file of the caches
    is written, so that a damaged one is never read as data (:func:`checked_body`)."""
    return b"%08x\n" % zlib.crc32(body) + body


def checked_body(raw: bytes) -> bytes:
    """The body of a file written as :func:`checked` gives it.

    Raises
    ------
    ValueError
        The first line is not a CRC-32 or does not match the body.
    """
    crc, _, body = raw.partition(b"\n")
    if int(crc, 16) != zlib.crc32(body):
        raise ValueError("checksum mismatch")
    return body


def write_checked(path: str | os.PathLike[str], body: bytes) -> None:
    """Write :func:`checked` ``body`` to ``path`` atomically: a temporary file in the same folder,
    renamed into place, so a reader never sees half a file. Raises OSError."""
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(checked(body))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _plain(v: Any) -> Any:
    """numpy scalars and arrays as what :mod:`json` writes."""
    if isinstance(v, (np.generic, np.ndarray)):
        return v.tolist()
    raise TypeError(f"{type(v).__name__} is not a value the cache can keep")


#: The numpy dtypes a small frame's column may have, by the name the entry's JSON gives them.
_NUMPY_KINDS = {np.dtype(k): k for k in ("float64", "int64", "bool")}


def _frame_to_json(frame: Columns) -> dict[str, Any] | None:
    """A small frame (its columns) as JSON-ready columns, or None when a dtype is not one we rebuild."""
    index = frame.index
    if not isinstance(index, pd.RangeIndex) or index.start != 0 or index.step != 1:
        return None
    cols = []
    for name, arr in frame.arrays().items():
        dtype = arr.dtype
        if isinstance(dtype, np.dtype):  # a dict lookup: naming a numpy dtype costs microseconds
            kind = _NUMPY_KINDS.get(dtype)
            if kind is None:
                return None
            values: list[Any] = arr.tolist()
        elif (kind := str(dtype)) == "datetime64[ns, UTC]":
            values = [None if v == NAT_NS else int(v) for v in arr.asi8.tolist()]
        elif kind in ("string", "str"):
            # through Arrow (the pandas protocol): a missing value is None, a tenth of tolist()
            values = pa.array(arr).to_pylist() if hasattr(arr, "__arrow_array__") else \
                [None if pd.isna(v) else str(v) for v in arr.tolist()]
        else:
            return None
        cols.append({"name": name, "dtype": kind, "values": values})
    return {"index_name": index.name, "columns": cols}


_UTC = "UTC"


def _frame_from_json(doc: dict[str, Any]) -> pd.DataFrame:
    cols = doc["columns"]
    n = len(cols[0]["values"]) if cols else 0
    arrays: list[Any] = []
    for c in cols:
        kind, values = c["dtype"], c["values"]
        if kind == "datetime64[ns, UTC]":
            ints = np.array([NAT_NS if v is None else v for v in values], dtype=np.int64)
            arrays.append(pd.DatetimeIndex(ints.view("datetime64[ns]"), tz=_UTC).array)
        elif kind in ("string", "str"):
            dtype = _string_dtype(kind)
            arrays.append(dtype.construct_array_type()._from_sequence(values, dtype=dtype))
        else:
            arrays.append(np.array(values, dtype=kind))
    return frame_from_arrays(arrays, [c["name"] for c in cols], pd.RangeIndex(n, name=doc["index_name"]))


@functools.cache
def _string_dtype(kind: str) -> Any:
    return pd.api.types.pandas_dtype(kind)


#: How the records file is written: Arrow IPC, each column's buffer lz4-compressed, on the
#: calling thread (a worker process per core already keeps the cores busy). Against
#: Parquet with lz4 (cache format 3) it writes about twice and reads two to three
#: times as fast, at the same size (about 44 bytes per record of a one-hour run).
_IPC_WRITE = ipc.IpcWriteOptions(compression="lz4", use_threads=False)
_IPC_READ = ipc.IpcReadOptions(use_threads=False)
#: The records' dtypes a cache entry holds, by dtype: a dict lookup, where naming a numpy dtype
#: (``str(dtype)``) or comparing one with a name costs microseconds per column.
_RECORD_DTYPES = {dtype: kind for dtype, kind in _NUMPY_KINDS.items() if kind != "bool"}


def _records_to_bytes(records: Columns) -> tuple[bytes, dict[str, Any]] | None:
    """The records (their columns) as an Arrow IPC file and how to rebuild them, or None for dtypes
    not handled."""
    index = cast(pd.DatetimeIndex, records.index)
    columns: dict[str, Any] = {"__time_ns": index.asi8}
    dtypes = {}
    for name, arr in records.arrays().items():
        kind = _RECORD_DTYPES.get(arr.dtype) if isinstance(arr, np.ndarray) else None
        if kind is None:
            return None
        columns[str(name)] = arr
        dtypes[str(name)] = kind
    table = pa.table(columns)
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema, options=_IPC_WRITE) as writer:
        writer.write_table(table)
    tz = index.tz
    layout = {"index": index.name, "tz": None if tz is None else str(tz),
              "columns": list(dtypes), "dtypes": dtypes}
    return sink.getvalue().to_pybytes(), layout


def _records_from_bytes(data: bytes, layout: dict[str, Any]) -> pd.DataFrame:
    table = ipc.open_file(pa.BufferReader(data), options=_IPC_READ).read_all()
    arrays = {name: col.to_numpy() for name, col in zip(table.column_names, table.columns, strict=True)}
    idx = pd.DatetimeIndex(arrays.pop("__time_ns").view("datetime64[ns]"), name=layout["index"])
    if layout["tz"] is not None:
        idx = idx.tz_localize(layout["tz"])
    return frame_from_arrays([arrays[c] for c in layout["columns"]], layout["columns"], idx)


#: The folder of an entry that keeps values derived from it (:meth:`CachedRecords.remember`).
DERIVED_DIR = "derived"


class CachedRecords:
    """The records of a cache entry, read when first asked for (an Activity's records loader).

    Holds only the path of the entry's records file, its size and CRC-32, how
    to rebuild the frame and what to do should the file be gone; pickles as
    those. Calling it reads the file, checks it and returns a new writable
    DataFrame. An entry deleted or damaged after the activity was imported is
    deleted (the next import rebuilds it) and ``fallback`` gives the records
    instead: the batch import passes one that imports the file again when its
    bytes are unchanged.

    It is also a :class:`~runtwitch.model.activity.DerivedStore`: values
    derived from the entry (the summary, features of the records) are kept
    in the entry's ``derived`` folder, one small JSON file each, written
    atomically and checked by CRC-32 when read back, so that a later analysis
    of an unchanged file reads them instead of the records
    (:meth:`runtwitch.Activity.derived`).

    Raises
    ------
    MissingFileError
        The entry is gone or damaged and there is no ``fallback``.
    """

    __slots__ = ("crc32", "fallback", "kept", "layout", "path", "source")

    def __init__(self, path: str, source: str, crc32: int, layout: dict[str, Any],
                 fallback: FrameLoader | None = None, kept: dict[str, dict[str, Any]] | None = None) -> None:
        self.path, self.source, self.crc32, self.layout, self.fallback = path, source, crc32, layout, fallback
        self.kept = kept or {}  # derived values stored in the entry itself (its summary)

    def __getstate__(self) -> tuple[Any, ...]:
        return self.path, self.source, self.crc32, self.layout, self.fallback, self.kept

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.path, self.source, self.crc32, self.layout, self.fallback, self.kept = state

    def __call__(self) -> pd.DataFrame:
        try:
            data = Path(self.path).read_bytes()
            if zlib.crc32(data) != self.crc32:
                raise ValueError("checksum mismatch")
            return _records_from_bytes(data, self.layout)
        except Exception as exc:
            shutil.rmtree(Path(self.path).parent, ignore_errors=True)
            if self.fallback is not None:
                return self.fallback()
            raise MissingFileError(
                self.source, f"its records were to be read from the cache entry {self.path}, which was "
                "deleted or damaged after the import; import the file again") from exc

    def _derived_path(self, name: str) -> str:
        if not _derived_name_ok(name):
            raise ValueError(f"a derived value's name is letters, digits, '-', '_' and '.': {name!r}")
        return os.path.join(os.path.dirname(self.path), DERIVED_DIR, name + ".json")

    def recall(self, name: str) -> dict[str, Any] | None:
        """The value kept under ``name``, or None (absent; a damaged one is deleted)."""
        if name in self.kept:
            return self.kept[name]
        path = self._derived_path(name)
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return None
        try:
            value = json.loads(checked_body(raw))
            if not isinstance(value, dict):
                raise ValueError("not a derived value")
        except ValueError:
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        return value

    def remember(self, name: str, value: dict[str, Any]) -> None:
        """Keep ``value`` under ``name`` (atomically); nothing when the entry or its folder cannot
        be written (a read-only cache, an entry deleted meanwhile): the value is computed again
        next time."""
        path = self._derived_path(name)
        body = json.dumps(value, separators=(",", ":"), default=_plain).encode("utf-8")
        folder = os.path.dirname(path)
        with contextlib.suppress(OSError):
            if not os.path.isdir(os.path.dirname(folder)):
                return  # the entry is gone: do not bring back a folder without its records
            os.makedirs(folder, exist_ok=True)
            write_checked(path, body)


@functools.lru_cache(maxsize=256)
def _derived_name_ok(name: str) -> bool:
    """Whether ``name`` can name a derived value's file (checked once per name: an analysis asks
    for the same few names for every activity)."""
    return bool(name) and all(c.isalnum() or c in "-_." for c in name) and not name.startswith(".")


def _fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields by name, the values as they are: what :func:`json.dumps` writes
    as :func:`dataclasses.asdict` would (which deep-copies every value, a tenth of a store) for
    a dataclass whose fields hold no dataclass but in a field of its own (the import report)."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _small_frame(frames: bytes, name: str) -> pd.DataFrame:
    """One small frame (laps, sessions, route) from the entry's frames line."""
    return _frame_from_json(json.loads(frames)[name])


def store(cache_dir: Path, key: str, act: Activity) -> bool:
    """Write an entry atomically (a concurrent writer of the same key is fine).

    Returns whether the entry is in the cache afterwards: False when a frame
    holds a dtype this format cannot rebuild exactly (such an activity is not
    cached). Raises OSError when the cache folder cannot be written.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / key
    if final.exists():
        return True
    # the frames' columns: no DataFrame is built for a fresh import's frames
    small = {name: _frame_to_json(act.held(name)) for name in SMALL_FRAMES}
    records = _records_to_bytes(act.held("records"))
    if records is None or any(v is None for v in small.values()):
        return False
    data, layout = records
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=cache_dir))
    try:
        (tmp / RECORDS_FILE).write_bytes(data)
        rep = _fields(act.report)
        rep["source_first_time"] = _jsonable(act.report.source_first_time)
        rep["source_last_time"] = _jsonable(act.report.source_last_time)
        rep["damage"] = None if act.report.damage is None else _fields(act.report.damage)
        head = {
            "meta": dataclasses.asdict(act.meta),  # its ``extra`` may hold anything: asdict's conversions
            "report": rep,
            "records": {**layout, "crc32": zlib.crc32(data), "size": len(data)},
            # the summary (start, end, totals), so that a hit needs no frame for them
            "derived": {summary_name(): act.summary()},
        }
        # Second line: what a cache hit needs at once; third: the small frames, parsed when asked for.
        body = (json.dumps(head, default=str) + "\n" + json.dumps(small, default=str)).encode("utf-8")
        # First line: CRC-32 of the lines below it, so a damaged entry is never read as data.
        (tmp / ENTRY_FILE).write_bytes(checked(body))
        with contextlib.suppress(OSError):  # another process stored the same entry first
            os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final.exists()


def load(cache_dir: Path, key: str, source: str, fallback: FrameLoader | None = None) -> Activity | None:
    """The cached activity, or None when absent or damaged (a damaged entry is deleted).

    Only the entry's JSON is read (and the size of its records file checked):
    the activity's records are read from the entry's records file when first
    asked for (:class:`CachedRecords`, with ``fallback`` should the file be
    gone or damaged by then), its laps, sessions and route from the JSON kept
    in memory.
    """
    entry = os.path.join(cache_dir, key)  # strings, not Paths: a hit is a few hundred microseconds
    try:
        with open(os.path.join(entry, ENTRY_FILE), "rb") as fh:
            raw = fh.read()
    except OSError:
        if os.path.exists(entry):  # a folder without its JSON: damaged
            shutil.rmtree(entry, ignore_errors=True)
        return None
    try:
        line, _, frames = checked_body(raw).partition(b"\n")
        doc = json.loads(line)
        layout = dict(doc["records"])
        crc32, size = layout.pop("crc32"), layout.pop("size")
        records_file = os.path.join(entry, RECORDS_FILE)
        if os.stat(records_file).st_size != size:
            raise ValueError("records file truncated")
        meta = ActivityMeta(**{**doc["meta"], "source": source})
        rep = dict(doc["report"])
        damage = rep.pop("damage")
        for k in ("source_first_time", "source_last_time"):
            rep[k] = None if rep[k] is None else pd.Timestamp(rep[k])
        report = ImportReport(**rep, damage=None if damage is None else Damage(**damage))
        small = {name: functools.partial(_small_frame, frames, name) for name in SMALL_FRAMES}
        records = CachedRecords(records_file, source, crc32, layout, fallback, doc.get("derived"))
        return Activity(records, small["laps"], small["sessions"], meta, report, route=small["route"])
    except Exception:
        shutil.rmtree(entry, ignore_errors=True)
        return None
