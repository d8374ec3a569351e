"""A content-addressed cache of imported activities (Parquet + JSON).

Each entry is a directory named by the SHA-256 of the file's bytes, the
schema version and :data:`CACHE_FORMAT`, holding the four frames as Parquet
and the metadata, report and a CRC-32 of every Parquet file as JSON. Entries
are written to a temporary directory and renamed into place, so readers never
see half an entry and two processes can fill the cache at once. An entry that
fails to load or whose checksums do not match is deleted and rebuilt, never
returned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pandas as pd

from runtwitch.activity import Activity, ActivityMeta, Damage, ImportReport
from runtwitch.schema import SCHEMA_VERSION

#: Bumped when the layout of a cache entry changes.
CACHE_FORMAT = 1
FRAMES = ("records", "laps", "sessions", "route")


def default_cache_dir() -> Path:
    """``$RUNTWITCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/runtwitch``, else ``~/.cache/runtwitch``."""
    env = os.environ.get("RUNTWITCH_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "runtwitch"


def content_key(data: bytes) -> str:
    """Cache key of a file's bytes (and of the schema the entry was built with)."""
    return f"{hashlib.sha256(data).hexdigest()}-s{SCHEMA_VERSION}-c{CACHE_FORMAT}"


def _jsonable(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def store(cache_dir: Path, key: str, act: Activity) -> None:
    """Write an entry atomically (a concurrent writer of the same key is fine)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / key
    if final.exists():
        return
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=cache_dir))
    try:
        crcs = {}
        for name in FRAMES:
            buf = io.BytesIO()
            getattr(act, name).to_parquet(buf)
            data = buf.getvalue()
            (tmp / f"{name}.parquet").write_bytes(data)
            crcs[name] = zlib.crc32(data)
        rep = dataclasses.asdict(act.report)
        rep["source_first_time"] = _jsonable(act.report.source_first_time)
        rep["source_last_time"] = _jsonable(act.report.source_last_time)
        doc = {"meta": dataclasses.asdict(act.meta), "report": rep, "crc32": crcs}
        (tmp / "entry.json").write_text(json.dumps(doc, default=str), encoding="utf-8")
        with contextlib.suppress(OSError):  # another process stored the same entry first
            os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load(cache_dir: Path, key: str, source: str) -> Activity | None:
    """The cached activity, or None when absent or damaged (a damaged entry is deleted)."""
    entry = cache_dir / key
    if not entry.is_dir():
        return None
    try:
        doc = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
        frames = {}
        for name in FRAMES:
            data = (entry / f"{name}.parquet").read_bytes()
            if zlib.crc32(data) != doc["crc32"][name]:
                raise ValueError(f"checksum mismatch in {name}.parquet")
            frames[name] = pd.read_parquet(io.BytesIO(data))
        meta = ActivityMeta(**{**doc["meta"], "source": source})
        rep = dict(doc["report"])
        damage = rep.pop("damage")
        for k in ("source_first_time", "source_last_time"):
            rep[k] = None if rep[k] is None else pd.Timestamp(rep[k])
        report = ImportReport(**rep, damage=None if damage is None else Damage(**damage))
        return Activity(
            frames["records"], frames["laps"], frames["sessions"], meta, report, route=frames["route"]
        )
    except Exception:
        shutil.rmtree(entry, ignore_errors=True)
        return None
