"""The cohort dataset on disk: per-athlete partitions written whole, and the fingerprints of re-runs.

Layout of an output folder ``OUT``::

    OUT/_cohort.json                              marks the folder as a cohort output
    OUT/<table>/athlete=<pseudonym>/part-0.parquet
    OUT/_state/<pseudonym>.json                   fingerprint and summary of the stored result
    OUT/_staging/                                 partitions being written (never read)
    OUT/athletes.parquet, OUT/pooled_patterns.parquet, OUT/summary.html

An athlete's tables are first written under ``_staging`` and then renamed
into place one table after the other, so no reader ever sees half a file.
The athlete's state file is removed before the first rename and written
(atomically) after the last: it is the commit. A run stopped half-way
leaves an athlete without a state file, and the next run analyses it again.
Folders starting with ``_`` are skipped by pandas, Dask, DuckDB and Spark
when they read a table folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runtwitch.cohort.columns import COHORT_FORMAT, PARTITION, TABLES
from runtwitch.errors import FileError
from runtwitch.io.cache import content_key

#: The file that marks a folder as a cohort output (a folder without it is never written into).
MARKER = "_cohort.json"
STATE = "_state"
STAGING = "_staging"
#: Parquet options of the partitions: zstd is read by pandas, Dask, DuckDB and Spark alike.
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd"}


def prepare(out: Path) -> None:
    """Create the output folder, or check that an existing one is a cohort output.

    Raises
    ------
    FileError
        ``out`` exists, is not empty and is not a cohort output (nothing is
        written into a folder runtwitch did not create).
    """
    if out.exists() and not (out / MARKER).is_file() and (not out.is_dir() or any(out.iterdir())):
        raise FileError(str(out), "exists and is not a runtwitch cohort output; choose a new or empty folder")
    (out / STATE).mkdir(parents=True, exist_ok=True)
    (out / STAGING).mkdir(exist_ok=True)
    if not (out / MARKER).is_file():
        write_atomic(out / MARKER, json.dumps({"format": COHORT_FORMAT}).encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file under a temporary name and rename it into place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_parquet(path: Path, table: Any) -> None:
    """Write an Arrow table as one Parquet file, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    write_atomic(path, sink.getvalue().to_pybytes())


def partition(out: Path, table: str, athlete: str) -> Path:
    """The folder of one athlete's part of a table."""
    return out / table / f"{PARTITION}={athlete}"


def read_state(out: Path, athlete: str) -> dict[str, Any] | None:
    """The stored state of an athlete (fingerprint, files, summary), or None."""
    try:
        state: dict[str, Any] = json.loads((out / STATE / f"{athlete}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state


def file_hashes(
    files: Sequence[tuple[str, str]], previous: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Name, size, modification time and content key of each (name, path) input.

    The content key is the import cache's (:func:`runtwitch.io.cache.content_key`);
    a file whose name, size and modification time equal the previous run's
    keeps its key without being read again. A missing file has size -1.
    """
    before = {(p["name"], p["size"], p["mtime_ns"]): p["key"] for p in previous}
    out = []
    for name, path in files:
        try:
            st = os.stat(path)
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError:
            out.append({"name": name, "size": -1, "mtime_ns": 0, "key": None})
            continue
        key = before.get((name, size, mtime))
        if key is None:
            try:
                key = content_key(Path(path).read_bytes())
            except OSError:
                key = None
        out.append({"name": name, "size": size, "mtime_ns": mtime, "key": key})
    return out


def fingerprint(files: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]) -> str:
    """One key for an athlete's inputs: file names and contents, versions and export settings."""
    doc = {
        "files": sorted((f["name"], f["key"], f["size"] >= 0) for f in files),
        "settings": dict(settings),
    }
    return content_key(json.dumps(doc, sort_keys=True, default=str).encode("utf-8"))


def is_complete(out: Path, athlete: str, tables: Sequence[str]) -> bool:
    """True when every table of the athlete's stored result is in place."""
    return all((partition(out, t, athlete) / "part-0.parquet").is_file() for t in tables)


def commit(out: Path, athlete: str, tables: Mapping[str, Any], state: Mapping[str, Any]) -> None:
    """Write an athlete's tables and then their state; replaces the athlete's previous result."""
    import pyarrow.parquet as pq

    staging = out / STAGING / f"{athlete}-{uuid.uuid4().hex[:8]}"
    try:
        for name, table in tables.items():
            (staging / name).mkdir(parents=True)
            pq.write_table(table, staging / name / "part-0.parquet", **PARQUET_OPTIONS)
        (out / STATE / f"{athlete}.json").unlink(missing_ok=True)
        for t in TABLES:
            final = partition(out, t.name, athlete)
            if final.exists():
                os.rename(final, staging / f"old-{t.name}")
            if t.name in tables:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.rename(staging / t.name, final)
        write_atomic(out / STATE / f"{athlete}.json", json.dumps(state, default=str).encode("utf-8"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove(out: Path, athlete: str) -> None:
    """Delete an athlete's stored result (state first, then the partitions)."""
    (out / STATE / f"{athlete}.json").unlink(missing_ok=True)
    for t in TABLES:
        shutil.rmtree(partition(out, t.name, athlete), ignore_errors=True)


def clean_staging(out: Path) -> None:
    """Remove what interrupted writes left under ``_staging`` (call when no athlete is running)."""
    for leftover in (out / STAGING).iterdir() if (out / STAGING).is_dir() else ():
        with contextlib.suppress(OSError):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
