"""What the import cache folder holds, and pruning what can never be read again.

Every cache entry is named by its file's SHA-256, the schema version and the
cache format (:func:`runtwitch.io.cache.content_key`). When runtwitch is
upgraded and either version changes, new entries are written beside the old
ones, and the old ones are never read again: they only take disk space. A
writer that was killed half-way leaves a hidden temporary folder. And each
entry keeps values derived from its records (``derived/``), one file per
version of the code that computed them.

:func:`cache_entries` lists all of it as a DataFrame; :func:`prune_cache`
removes the entries of other versions and the abandoned temporary folders
(and, on request, every kept derived value). The index of files already read
(:mod:`runtwitch.io.fileindex`) is listed as ``index`` and kept; an index of
an older format is stale. Nothing else in the folder is touched: names that
are not cache entries (the weather cache's folder, a user's own files) are
listed as ``other`` and left alone.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> cache_entries(folder).empty
True
>>> prune_cache(folder).empty
True
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd

from runtwitch.io.cache import CACHE_FORMAT, DERIVED_DIR, default_cache_dir
from runtwitch.io.fileindex import INDEX_FILE, INDEX_NAME
from runtwitch.model.schema import SCHEMA_VERSION
from runtwitch.paths import expand_path

#: A cache entry's name: SHA-256, schema version, cache format, import options.
_ENTRY_NAME = re.compile(r"^[0-9a-f]{64}-s(?P<schema>\d+)-c(?P<format>\d+)(?:-[A-Za-z0-9_]+)*$")
#: The temporary folder a writer fills before renaming it into place (``cache.store``).
_TEMPORARY_NAME = re.compile(r"^\.[0-9a-f]{16}-[A-Za-z0-9_]+$")
#: A temporary folder younger than this may belong to a writer still at work [s].
TEMPORARY_MIN_AGE_S = 3600.0

#: The columns of :func:`cache_entries` and :func:`prune_cache`, with what they hold.
COLUMNS = {
    "name": "the entry's folder name inside the cache folder",
    "kind": "current (read by this version), stale (another schema or cache format, or an index of "
            "another format: never read again), temporary (a write that did not finish), index (the "
            "files already read, runtwitch.io.fileindex), other (not a cache entry; never removed)",
    "schema": "schema version the entry was written with (<NA> when not an entry)",
    "format": "cache format the entry was written with (<NA> when not an entry)",
    "bytes": "size of everything under it [bytes]",
    "derived_values": "values derived from its records kept in it (files under derived/)",
    "derived_bytes": "size of those values [bytes]",
    "modified": "when it was last written (UTC)",
}


def _size(path: str) -> tuple[int, int, int]:
    """(total bytes, derived values, derived bytes) under an entry folder, links not followed."""
    total = derived = derived_bytes = 0
    for root, _dirs, files in os.walk(path, followlinks=False):  # a link to a folder is not entered
        in_derived = os.path.basename(root) == DERIVED_DIR
        for f in files:
            try:
                n = os.lstat(os.path.join(root, f)).st_size
            except OSError:  # removed meanwhile by another process
                continue
            total += n
            if in_derived and not f.startswith("."):
                derived += 1
                derived_bytes += n
    return total, derived, derived_bytes


def cache_folder(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``cache_dir`` with ``~`` and variables expanded, else :func:`runtwitch.io.cache.default_cache_dir`."""
    return Path(expand_path(cache_dir)) if cache_dir is not None else default_cache_dir()


def cache_entries(cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every item of the import cache folder, one row each (columns: :data:`COLUMNS`).

    Parameters
    ----------
    cache_dir
        The cache folder (default: :func:`runtwitch.io.cache.default_cache_dir`).
        A folder that does not exist gives an empty frame.

    Returns
    -------
    pandas.DataFrame
        Sorted by name; ``bytes`` and ``derived_bytes`` in [bytes],
        ``modified`` tz-aware UTC.
    """
    folder = cache_folder(cache_dir)
    rows = []
    try:
        items = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        items = []
    for item in items:
        match = _ENTRY_NAME.match(item.name)
        schema = fmt = None
        if INDEX_NAME.match(item.name) and item.is_file(follow_symlinks=False):
            kind = "index" if item.name == INDEX_FILE else "stale"
        elif item.is_symlink() or not item.is_dir(follow_symlinks=False):
            kind = "other"
        elif match is not None:
            schema, fmt = int(match["schema"]), int(match["format"])
            kind = "current" if (schema, fmt) == (SCHEMA_VERSION, CACHE_FORMAT) else "stale"
        else:
            kind = "temporary" if _TEMPORARY_NAME.match(item.name) else "other"
        try:
            stat = item.stat(follow_symlinks=False)
        except OSError:
            continue  # removed meanwhile
        in_folder = kind != "other" and item.is_dir(follow_symlinks=False)
        total, derived, derived_bytes = _size(item.path) if in_folder else (stat.st_size, 0, 0)
        rows.append((item.name, kind, schema, fmt, total, derived, derived_bytes, stat.st_mtime))
    frame: pd.DataFrame = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("schema", "format"):
        frame[col] = frame[col].astype("Int64")
    for col in ("bytes", "derived_values", "derived_bytes"):
        frame[col] = frame[col].astype("int64")
    frame["modified"] = pd.to_datetime(frame["modified"].astype("float64"), unit="s", utc=True)
    return frame


def prune_cache(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    derived: bool = False,
    dry_run: bool = False,
    temporary_min_age_s: float = TEMPORARY_MIN_AGE_S,
) -> pd.DataFrame:
    """Remove from the import cache what this version can never read again.

    Removes the entries written with another schema version or cache format
    (``stale``) and the temporary folders of writes that did not finish and
    are older than ``temporary_min_age_s``. Entries of this version, and
    anything that is not a cache entry, are kept. Safe while another process
    imports with this version: it never removes a current entry.

    Parameters
    ----------
    cache_dir
        The cache folder (default: :func:`runtwitch.io.cache.default_cache_dir`).
    derived
        Also remove every value kept in the current entries' ``derived``
        folders (per-activity features and summaries of earlier code
        versions pile up there). They are computed again, from the records,
        by the next analysis that needs them.
    dry_run
        List what would be removed, remove nothing.
    temporary_min_age_s
        A temporary folder younger than this [s] may belong to a writer still
        at work and is kept.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`cache_entries` for what was to be removed, plus
        ``removed`` (bool: False with ``dry_run``, and for an item that could
        not be removed, whose reason is in ``error``, else ``<NA>``); for a
        current entry whose derived values were chosen, ``bytes`` is their
        size, what removing them frees.
    """
    folder = cache_folder(cache_dir)
    entries = cache_entries(folder)
    age_s = (pd.Timestamp.now(tz="UTC") - entries["modified"]).dt.total_seconds()
    old_enough = age_s >= temporary_min_age_s
    whole = (entries["kind"] == "stale") | ((entries["kind"] == "temporary") & old_enough)
    kept_values = (entries["kind"] == "current") & (entries["derived_values"] > 0) & derived
    chosen: pd.DataFrame = entries[whole | kept_values].copy()
    chosen.loc[kept_values[whole | kept_values], "bytes"] = chosen["derived_bytes"]
    chosen = chosen.reset_index(drop=True)
    removed, errors = [], []
    for name, kind in zip(chosen["name"].tolist(), chosen["kind"].tolist(), strict=True):
        error = None
        if not dry_run:
            target = folder / name / DERIVED_DIR if kind == "current" else folder / name
            try:
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                else:
                    target.unlink()
            except FileNotFoundError:
                pass  # removed meanwhile: freed all the same
            except OSError as exc:  # counted and said, never swallowed
                error = f"{type(exc).__name__}: {exc.strerror or exc}"
        removed.append(not dry_run and error is None)
        errors.append(error)
    chosen["removed"] = pd.Series(removed, dtype=bool)
    chosen["error"] = pd.Series(errors, dtype="string")
    return chosen
