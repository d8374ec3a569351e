"""Importing many files: folders, parallel workers, the cache, and a status for every file."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import itertools
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
    wait,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from tqdm import tqdm

from runtwitch.errors import MissingFileError, RuntwitchError
from runtwitch.io import archive, exports
from runtwitch.io import cache as _cache
from runtwitch.io.fileindex import FileIndex, file_stat
from runtwitch.io.registry import find_importer, importers, read_activity
from runtwitch.io.source import Errors, check_errors, named_buffer, read_file
from runtwitch.model.activity import Activity
from runtwitch.paths import expand_path

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


class FoundFiles(NamedTuple):
    """What :func:`scan_paths` found."""

    #: The files an import reads, archives opened (:func:`find_activity_files`).
    activities: list[str]
    #: Files under the folders that no importer takes, by suffix or content (hidden files apart).
    others: list[str]


def scan_paths(paths: Sequence[str | os.PathLike[str]]) -> FoundFiles:
    """Files given, plus the files under folders (recursively): activity files and the others.

    A folder's file is taken by its suffix, or by its content for generic
    suffixes (see :mod:`runtwitch.io.exports`); a ``.zip`` is listed as its
    activity members (``archive.zip!inner``). A file given by name is always
    taken (importing it says what is wrong with it). Symbolic links to
    folders are not followed (no loops); files are sorted. ``others`` lists
    what a folder holds besides (a diary, photos, an unknown format), so that
    a file left out can be seen; hidden files (``.DS_Store``) are not listed.
    """
    out: list[str] = []
    others: list[str] = []
    for p in (expand_path(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                for f in sorted(files):
                    path = os.path.join(root, f)
                    if exports.wanted(path):
                        out.append(path)
                    elif not f.startswith("."):
                        others.append(path)
        else:
            out.append(p)
    return FoundFiles(exports.expand_archives(out), others)


def find_activity_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Files given, plus activity files under folders (recursively), with archives opened
    (:func:`scan_paths`' ``activities``)."""
    return scan_paths(paths).activities


def _dirs_named_like_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    suffixes = tuple(s.lower() for imp in importers() for s in imp.suffixes)
    found = []
    for p in (expand_path(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, _ in os.walk(p, followlinks=False):
                found += [
                    os.path.join(root, d)
                    for d in sorted(dirs)
                    if d.lower().removesuffix(".gz").endswith(suffixes)
                ]
    return found


def read_one(
    path: str, cache_dir: Path | None = None, *, errors: Errors = "salvage", engine: str | None = None
) -> tuple[Activity | None, str | None, str | None]:
    """Import one file or archive member, never raising: (activity, None, None) or (None, type, message).

    A runtwitch error keeps its class name; anything else is a runtwitch bug and
    is reported as ``InternalError`` so that one file never stops a batch.
    Warnings stay in the activity's report. With ``cache_dir``, an unchanged
    file is read from the cache. The file is read once.
    """
    errors = check_errors(errors)
    if cache_dir is None:
        return _activity(_decode(_Job(path, None, None, None, errors, engine)))[1:]
    probe = _probe(path, cache_dir, errors, engine)
    return (_activity(_decode(probe)) if isinstance(probe, _Job) else probe)[1:]


#: How one file fared: (path, activity or None, error type, error message).
Outcome = tuple[str, Activity | None, str | None, str | None]
#: What an import job gives back: an outcome, or (path, the cache key it stored, job) for the
#: caller to read from the cache: a few hundred bytes from a worker instead of a pickled activity.
Decoded = Outcome | tuple[str, str, "_Job"]


@dataclass(frozen=True)
class _Job:
    """One file to import: its bytes and cache key when the cache probe already read it."""

    path: str
    data: bytes | None
    key: str | None
    cache_dir: str | None
    errors: Errors
    engine: str | None


def _read_bytes(path: str) -> bytes:
    """The stored bytes of a file, or of an archive member (``archive.zip!inner``).

    Raises the runtwitch error that says why they cannot be had: missing,
    unreadable, too large, an unsafe archive, or an archive that holds no
    activity at all.
    """
    if archive.is_entry(path):
        return archive.read_entry(path)
    if archive.is_archive_name(path) and os.path.isfile(path):
        exports.check_archive(path)  # an archive without activities: raises why
    return read_file(path)


def _activity(decoded: Decoded) -> Outcome:
    """The outcome of an import job: a stored activity is read back from its cache entry.

    The activity read back holds its records in the cache until they are
    asked for. Should the entry have vanished meanwhile (the cache cleared),
    the file is imported again without the cache.
    """
    path, got = decoded[:2]
    if not isinstance(got, str):
        return decoded  # type: ignore[return-value]
    job = decoded[2]
    assert isinstance(job, _Job) and job.cache_dir is not None
    act = _cache.load(Path(job.cache_dir), got, path, _fallback(job, got))
    if act is not None:
        return path, act, None, None
    return _activity(_decode(dataclasses.replace(job, key=None, cache_dir=None)))


def _fallback(job: _Job, key: str) -> Callable[[], pd.DataFrame]:
    """What gives a cached activity's records should its cache entry be gone when they are read."""
    return functools.partial(_records_again, _Job(job.path, None, key, job.cache_dir, job.errors, job.engine))


def _records_again(job: _Job) -> pd.DataFrame:
    """The records of a file whose cache entry vanished: the file imported again (and stored again).

    Raises
    ------
    FileError
        The file cannot be read any more, or its bytes changed since the
        activity was imported (its records would not be the activity's).
    """
    data = _read_bytes(job.path)
    assert job.key is not None and job.cache_dir is not None
    if _key(job.path, data, job.errors, job.engine) != job.key:
        raise MissingFileError(job.path, "its cache entry was deleted or damaged after the import and the "
                                         "file has changed since; import it again")
    _, act, error_type, error = _activity(_decode(dataclasses.replace(job, data=data, cache_dir=None)))
    if not isinstance(act, Activity):
        raise MissingFileError(job.path, f"its cache entry was deleted after the import and importing it "
                                         f"again failed ({error_type}: {error})")
    with contextlib.suppress(OSError):
        _cache.store(Path(job.cache_dir), job.key, act)
    return act.records


def _decode(job: _Job) -> Decoded:
    """Import one file (from the bytes already read, if any) and store it in the cache; never raises.

    An activity stored in the cache is not sent back: only its key is (see :func:`_activity`).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            data = job.data
            if data is None and (archive.is_entry(job.path) or archive.is_archive_name(job.path)):
                data = _read_bytes(job.path)
            source = job.path if data is None else named_buffer(data, job.path)
            imp = find_importer(source)
            # The engine applies to the formats that offer a choice of engine (FIT).
            engine = job.engine if job.engine in getattr(imp, "engines", ()) else None
            act = read_activity(source, importer=imp, errors=job.errors, engine=engine)
            if job.key is not None and job.cache_dir is not None:
                with contextlib.suppress(OSError):  # a read-only or full cache never fails an import
                    if _cache.store(Path(job.cache_dir), job.key, act):
                        return job.path, job.key, dataclasses.replace(job, data=None)
            return job.path, act, None, None
        except RuntwitchError as exc:
            return job.path, None, type(exc).__name__, str(exc)
        except Exception as exc:
            return job.path, None, "InternalError", f"{type(exc).__name__}: {exc}"


def _result(path: str, act: Activity | None, error_type: str | None, error: str | None) -> ImportResult:
    if act is None:
        return ImportResult(path, "error", error, error_type)
    if act.meta.kind != "activity":
        return ImportResult(path, "skipped", "a course/route, not a recorded activity", "Course", act)
    return ImportResult(path, act.report.status, None, None, act)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch piles up activities.

    Every collection walks all live objects; with hundreds of imported frames
    alive that doubled the time per file. The frames hold no reference cycles,
    so nothing is lost by not collecting. The analysis after the import
    pauses it too (:func:`runtwitch.analyze`).

    On the way out of a pause that made at least :data:`UNWALKED_FROM_OBJECTS`
    objects, what the pause kept alive is handed to the collector's oldest
    generation as it is (:func:`gc.freeze` then :func:`gc.unfreeze`, two list
    splices), not walked: re-enabled as it was, the collector would walk every
    object made during the pause at the next allocation (35-46 ms after a warm
    import of 1,500 activities, see ``docs/batch.md``). Every object the
    process tracks then waits for the interpreter's next full collection, as
    long-lived objects do: garbage in reference cycles made meanwhile (by
    another thread, say) is freed then, not at the next young collection.
    After a smaller pause, or when the program has frozen objects of its own
    (``gc.get_freeze_count()``, left frozen), the collector is simply enabled
    again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] >= UNWALKED_FROM_OBJECTS and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


#: Objects made during a pause of the collector (the count of its youngest generation) from
#: which :func:`collector_paused` hands them on unwalked: the walk costs about 0.7 µs an object
#: here (7 ms at this count); below it, leaving the pause changes nothing in how the program's
#: garbage is collected.
UNWALKED_FROM_OBJECTS = 10_000


def _probe(path: str, cache_dir: Path, errors: Errors, engine: str | None,
           index: FileIndex | None = None) -> Outcome | _Job:
    """Look a file up in the cache, reading it only when the index does not know it (never raises).

    Returns the outcome (the cached activity, or the error reading the file
    gave), or the job that imports it from the bytes just read. A file the
    ``index`` knows as unchanged is not read (:mod:`runtwitch.io.fileindex`);
    a file read is remembered in it.
    """
    extra = _companions(path)
    known = _indexed(path, index, extra)
    if known is not None and (digest := known[0].digest(path, known[1])) is not None:
        key = _cache.key_of(digest, errors=errors, engine=engine)
        unread = _Job(path, None, key, os.fspath(cache_dir), errors, engine)
        hit = _cache.load(cache_dir, key, path, _fallback(unread, key))
        if hit is not None:
            return path, hit, None, None
    try:
        data = _read_bytes(path)
    except RuntwitchError as exc:
        return path, None, type(exc).__name__, str(exc)
    digest = _cache.content_digest(data, extra or ())
    if known is not None:
        known[0].remember(path, known[1], digest, len(data))
    key = _cache.key_of(digest, errors=errors, engine=engine)
    job = _Job(path, data, key, os.fspath(cache_dir), errors, engine)
    hit = _cache.load(cache_dir, key, path, _fallback(job, key))
    return (path, hit, None, None) if hit is not None else job


def _indexed(path: str, index: FileIndex | None, extra: list[bytes] | None,
             ) -> tuple[FileIndex, os.stat_result] | None:
    """The index and the file's stat when ``path`` can be found by it: a plain file read without
    companions (an archive or its member, or an HRM with its GPX, always goes through its bytes)."""
    if index is None or extra is not None or archive.is_entry(path) or archive.is_archive_name(path):
        return None
    st = file_stat(path)
    return None if st is None else (index, st)


def _companions(path: str) -> list[bytes] | None:
    """The bytes of the files read with ``path`` (an HRM's GPX), or None when there are none."""
    try:
        extra = [read_file(c) for c in exports.companions(path)]
    except RuntwitchError:
        extra = []
    return extra or None


def _key(path: str, data: bytes, errors: Errors, engine: str | None) -> str:
    """The cache key of a file's bytes, with the files read with it (an HRM's GPX)."""
    return _cache.key_of(_cache.content_digest(data, _companions(path) or ()), errors=errors, engine=engine)


def read_activities(
    paths: Sequence[str | os.PathLike[str]],
    *,
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike[str] = True,
    progress: bool | None = None,
    errors: Errors = "salvage",
    engine: str | None = None,
) -> list[ImportResult]:
    """Import files and folders (recursively), in parallel, never raising half-way.

    Parameters
    ----------
    paths
        Activity files or folders.
    n_jobs
        Worker processes (default: all cores; 1 imports in this process).
    cache
        True (default) for the default cache folder
        (:func:`runtwitch.io.cache.default_cache_dir`), a path for another one,
        False for none. An unchanged file (same bytes, same ``errors`` and
        ``engine``) is then read from the cache.
    progress
        Show a progress bar (default: only when stderr is a terminal).
    errors
        Damage handling for every file, see :func:`runtwitch.read_activity`.
    engine
        The decoding engine for the formats that offer a choice (FIT:
        ``"numpy"`` or ``"fitdecode"``); files of other formats are read as
        usual. None: each format's default.

    Returns
    -------
    list of ImportResult
        One per file or archive member (and per directory named like an
        activity file), in path order: ``status`` ok, partial, error or
        skipped, the reason, and the activity when there is one; then one
        ``missing`` result per file an export's index lists but the export
        lacks. An export's index (Strava's ``activities.csv``) also names the
        activities and gives the sport of files that lack one.

    Raises
    ------
    ValueError
        ``errors`` is not one of the modes, or no format offers ``engine``
        (checked before any file is read).
    """
    errors = check_errors(errors)
    if engine is not None and not any(engine in getattr(imp, "engines", ()) for imp in importers()):
        offered = sorted({e for imp in importers() for e in getattr(imp, "engines", ())})
        raise ValueError(f"no format offers the engine {engine!r} (engines: {', '.join(offered)})")
    cache_dir: Path | None = None
    if cache is True:
        cache_dir = _cache.default_cache_dir()
    elif cache:
        cache_dir = Path(expand_path(cache))
    paths = [expand_path(p) for p in paths]  # "~/runs" and "$HOME/runs" as on the command line
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
        collector_paused(),
    ):
        imported = _import(files, cache_dir, workers, bar, errors, engine)
    for r in imported:
        plan.annotate(r.path, r.activity)
    return results + imported + [ImportResult(*note) for note in plan.notes]


def _import(files: list[str], cache_dir: Path | None, workers: int, bar: tqdm[Any], errors: Errors,
            engine: str | None) -> list[ImportResult]:
    """Import every file, each read once: cache hits in this process, the rest by ``workers``."""
    outcome: dict[str, Outcome] = {}

    def finished(item: Decoded) -> None:
        outcome[item[0]] = _activity(item)
        bar.update()

    index = None if cache_dir is None else FileIndex.open(cache_dir)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
        jobs: Iterator[_Job]
        if cache_dir is None:
            jobs = (_Job(f, None, None, None, errors, engine) for f in files)
        else:
            jobs = _misses(files, cache_dir, threads, workers, errors, engine, finished, index)
        _decode_all(jobs, workers, finished)
    if index is not None:
        with contextlib.suppress(OSError):  # a read-only or full cache: files are hashed again next time
            index.save()
    return [_result(*outcome[f]) for f in files]


def _misses(files: list[str], cache_dir: Path, threads: ThreadPoolExecutor, workers: int, errors: Errors,
            engine: str | None, finished: Callable[[Decoded], None], index: FileIndex | None = None,
            ) -> Iterator[_Job]:
    """Probe the cache, a chunk of files at a time; yield the files to import, with their bytes.

    Cache hits are read in this process (hashlib releases the GIL, so threads
    overlap the reads); a hit reads only the entry's JSON. Probing a chunk at a time bounds the
    bytes held for files waiting to be imported.
    """
    chunk = max(MIN_FILES_FOR_WORKERS, 8 * workers)
    for start in range(0, len(files), chunk):
        part = files[start:start + chunk]
        # The whole chunk is probed before any job is handed on: worker processes are
        # forked while the threads are idle, never while they hold a lock.
        for probe in list(threads.map(lambda f: _probe(f, cache_dir, errors, engine, index), part)):
            if isinstance(probe, _Job):
                yield probe
            else:
                finished(probe)


def _decode_all(jobs: Iterator[_Job], workers: int, finished: Callable[[Decoded], None]) -> None:
    """Import the jobs: in this process when there are few, else in worker processes.

    Workers take the jobs a task at a time (:func:`_tasks`). At most two
    tasks per worker wait at a time, so the bytes handed to the workers stay
    bounded whatever the number of files.
    """
    first = list(itertools.islice(jobs, MIN_FILES_FOR_WORKERS))
    if workers <= 1 or len(first) < MIN_FILES_FOR_WORKERS:
        for job in itertools.chain(first, jobs):
            finished(_decode(job))
        return
    # Workers collect garbage as usual (the parent's pause is inherited by fork).
    with ProcessPoolExecutor(max_workers=workers, initializer=gc.enable) as pool:
        pending: set[Future[list[Decoded]]] = set()
        for task in _tasks(itertools.chain(first, jobs)):
            pending.add(pool.submit(_decode_each, task))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    for item in future.result():
                        finished(item)
        for future in as_completed(pending):
            for item in future.result():
                finished(item)


#: Files a worker process takes at a time, and the bytes [B] that end a task before it has that
#: many: the process pool's cost per task (its future, pickling, waking threads: tasks of four files
#: took the calling process's CPU per file from 2.7-3.0 to 1.3-1.7 ms, docs/batch.md) is shared by
#: the files of a task, while a task of large files stays short enough to keep both workers busy
#: to the end.
FILES_PER_TASK = 4
BYTES_PER_TASK = 1 << 20


def _tasks(jobs: Iterable[_Job]) -> Iterator[list[_Job]]:
    """The jobs in tasks of up to :data:`FILES_PER_TASK` files and about :data:`BYTES_PER_TASK`."""
    task: list[_Job] = []
    size = 0
    for job in jobs:
        task.append(job)
        size += len(job.data or b"")
        if len(task) >= FILES_PER_TASK or size >= BYTES_PER_TASK:
            yield task
            task, size = [], 0
    if task:
        yield task


def _decode_each(jobs: list[_Job]) -> list[Decoded]:
    """:func:`_decode` of each job in turn (a worker's task; never raises)."""
    return [_decode(job) for job in jobs]
