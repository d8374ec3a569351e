"""Importing many files: folders, parallel workers, the cache, and a status for every file."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from runtwitch.activity import Activity
from runtwitch.errors import RuntwitchError
from runtwitch.io import archive, exports
from runtwitch.io import cache as _cache
from runtwitch.io.registry import importers, read_activity

#: Below this many files a batch is imported in this process (workers cost more than they save).
MIN_FILES_FOR_WORKERS = 8


@dataclass
class ImportResult:
    """How one input fared: ``status`` is ok, partial, error, skipped or missing.

    ``path`` is a file, or an archive member as ``archive.zip!path/inside``;
    ``missing`` marks a file an export's index lists but the export lacks.
    """

    path: str
    status: str
    error: str | None = None
    error_type: str | None = None
    activity: Activity | None = None


def find_activity_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Files given, plus activity files under folders (recursively), with archives opened.

    A folder's file is taken by its suffix, or by its content for generic
    suffixes (see :mod:`runtwitch.io.exports`); a ``.zip`` is listed as its
    activity members (``archive.zip!inner``). Symbolic links to folders are
    not followed (no loops); files are sorted.
    """
    out: list[str] = []
    for p in (os.fspath(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                out.extend(path for f in sorted(files) if exports.wanted(path := os.path.join(root, f)))
        else:
            out.append(p)
    return exports.expand_archives(out)


def _dirs_named_like_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    suffixes = tuple(s.lower() for imp in importers() for s in imp.suffixes)
    found = []
    for p in (os.fspath(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, _ in os.walk(p, followlinks=False):
                found += [
                    os.path.join(root, d)
                    for d in sorted(dirs)
                    if d.lower().removesuffix(".gz").endswith(suffixes)
                ]
    return found


def read_one(path: str, cache_dir: Path | None = None) -> tuple[Activity | None, str | None, str | None]:
    """Import one file without raising: (activity, None, None) or (None, error type, message).

    A runtwitch error keeps its class name; anything else is a runtwitch bug and
    is reported as ``InternalError`` so that one file never stops a batch.
    Warnings stay in the activity's report. With ``cache_dir``, an unchanged
    file is read from the cache.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            key = None
            member = archive.read_entry(path) if archive.is_entry(path) else None
            if cache_dir is not None and (member is not None or os.path.isfile(path)):
                key = _cache.content_key(member if member is not None else Path(path).read_bytes())
                hit = _cache.load(cache_dir, key, path)
                if hit is not None:
                    return hit, None, None
            if member is None and archive.is_archive_name(path) and os.path.isfile(path):
                exports.check_archive(path)  # an archive without activities: raises why
            act = read_activity(archive.entry_source(path, member) if member is not None else path)
            if key is not None and cache_dir is not None:
                with contextlib.suppress(OSError):  # a read-only or full cache never fails an import
                    _cache.store(cache_dir, key, act)
            return act, None, None
        except RuntwitchError as exc:
            return None, type(exc).__name__, str(exc)
        except Exception as exc:
            return None, "InternalError", f"{type(exc).__name__}: {exc}"


def _result(path: str, act: Activity | None, error_type: str | None, error: str | None) -> ImportResult:
    if act is None:
        return ImportResult(path, "error", error, error_type)
    if act.meta.kind != "activity":
        return ImportResult(path, "skipped", "a course/route, not a recorded activity", "Course", act)
    return ImportResult(path, act.report.status, None, None, act)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch piles up activities.

    Every collection walks all live objects; with hundreds of imported frames
    alive that doubled the time per file. The frames hold no reference cycles,
    so nothing is lost by collecting once at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _cached(path: str, cache_dir: Path) -> Activity | None:
    """The cached activity of an unchanged file, or None (absent, damaged, unreadable)."""
    try:
        if archive.is_entry(path):
            return _cache.load(cache_dir, _cache.content_key(archive.read_entry(path)), path)
        if not os.path.isfile(path):
            return None
        return _cache.load(cache_dir, _cache.content_key(Path(path).read_bytes()), path)
    except (OSError, RuntwitchError):
        return None


def _work(job: tuple[str, str | None]) -> tuple[str, Activity | None, str | None, str | None]:
    path, cache_dir = job
    act, etype, err = read_one(path, Path(cache_dir) if cache_dir else None)
    return path, act, etype, err


def read_activities(
    paths: Sequence[str | os.PathLike[str]],
    *,
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike[str] = False,
    progress: bool | None = None,
) -> list[ImportResult]:
    """Import files and folders (recursively), in parallel, never raising half-way.

    Parameters
    ----------
    paths
        Activity files or folders.
    n_jobs
        Worker processes (default: all cores; 1 imports in this process).
    cache
        True for the default cache folder (:func:`runtwitch.io.cache.default_cache_dir`),
        a path for another one, False for none. An unchanged file (same bytes)
        is then read from the cache.
    progress
        Show a progress bar (default: only when stderr is a terminal).

    Returns
    -------
    list of ImportResult
        One per file (and per directory named like an activity file), in path
        order: ``status`` ok, partial, error or skipped, the reason, and the
        activity when there is one.
    """
    cache_dir: Path | None = None
    if cache is True:
        cache_dir = _cache.default_cache_dir()
    elif cache:
        cache_dir = Path(os.fspath(cache))
    results = [
        ImportResult(
            d, "skipped", "a directory named like an activity file (searched as a folder)", "IsADirectory"
        )
        for d in _dirs_named_like_files(paths)
    ]
    plan = exports.plan(paths, find_activity_files(paths))
    files = plan.entries
    show = sys.stderr.isatty() if progress is None else progress
    workers = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    with (
        tqdm(total=len(files), desc="importing", unit="file", disable=not show, leave=False) as bar,
        _collector_paused(),
    ):
        imported = _import(files, cache_dir, workers, bar)
    for r in imported:
        plan.annotate(r.path, r.activity)
    return results + imported + [ImportResult(*note) for note in plan.notes]


def _import(files: list[str], cache_dir: Path | None, workers: int, bar: tqdm[Any]) -> list[ImportResult]:
    found: dict[str, Activity] = {}
    if cache_dir is not None:
        # Cache hits are read in this process: sending whole frames back from
        # worker processes costs more than reading them (pyarrow and hashlib
        # release the GIL, so threads still overlap the reads).
        with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
            for path, act in zip(files, threads.map(lambda f: _cached(f, cache_dir), files), strict=True):
                if act is not None:
                    found[path] = act
                    bar.update()
    jobs = [(f, os.fspath(cache_dir) if cache_dir else None) for f in files if f not in found]
    fresh = []
    items: Iterator[tuple[str, Activity | None, str | None, str | None]]
    with contextlib.ExitStack() as stack:
        if workers <= 1 or len(jobs) < MIN_FILES_FOR_WORKERS:
            items = map(_work, jobs)
        else:
            # Workers collect garbage as usual (the parent's pause is inherited by fork).
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers, initializer=gc.enable))
            items = pool.map(_work, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
        for item in items:
            fresh.append(item)
            bar.update()
    imported = {d[0]: d for d in fresh}
    done = [(f, found[f], None, None) if f in found else imported[f] for f in files]
    return [_result(*d) for d in done]
