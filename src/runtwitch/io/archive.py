"""Zip archives read safely and in memory: whole exports, nested archives, KMZ.

A Garmin Connect or Strava bulk export is a ``.zip`` (Garmin's holds further
zips inside). runtwitch reads such archives without unpacking them to disk:
each member is read into memory when it is imported, under the same size
limits as a file, and named ``archive.zip!path/inside`` (nested archives
``a.zip!b.zip!c.fit``) wherever it is reported.

Before any member is decompressed, the archive's central directory is checked:

- more than :data:`MAX_ARCHIVE_MEMBERS` members, or members whose declared
  sizes add up to more than :data:`MAX_ARCHIVE_BYTES` (counted over nested
  archives too), is a zip bomb: :class:`~runtwitch.LimitExceededError`;
- one member declared larger than the file limit
  (``runtwitch.io.source.MAX_DECOMPRESSED_BYTES``) is refused the same way,
  and a member's actual output is counted while it is read, so a member that
  expands beyond its declared size is refused too;
- archives nested deeper than :data:`MAX_ARCHIVE_DEPTH` are refused;
- a member name that is absolute or climbs out of the archive (``../``) is
  refused with :class:`~runtwitch.errors.UnsafeArchiveError`, even though
  runtwitch never writes members to disk: such an archive was made to attack
  whoever unpacks it.

All of these are decided from the directory alone, in well under a second.
"""

from __future__ import annotations

import functools
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from runtwitch.errors import (
    CorruptFileError,
    EmptyFileError,
    FileError,
    LimitExceededError,
    ParseError,
    UnsafeArchiveError,
)
from runtwitch.io import source as _source

#: Members listed in one archive, nested archives included.
MAX_ARCHIVE_MEMBERS = 200_000
#: Declared uncompressed size of all members, nested archives included [bytes].
MAX_ARCHIVE_BYTES = 16 * 1024**3
#: Archives inside archives: an export zip holding zips is depth 2.
MAX_ARCHIVE_DEPTH = 3
#: A nested archive is read into memory to list it: at most this large [bytes].
MAX_NESTED_ARCHIVE_BYTES = 1024**3
#: Suffixes of archives that are searched like folders.
ARCHIVE_SUFFIXES = (".zip",)
#: Between an archive's path and a member's name in an entry name.
SEPARATOR = "!"
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_archive_name(name: str) -> bool:
    """True if a file name has an archive suffix (``.zip``, any case)."""
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _check_name(member: str, archive: str) -> None:
    parts = member.replace("\\", "/").split("/")
    if member.startswith(("/", "\\")) or _DRIVE.match(member) or ".." in parts or "\x00" in member:
        raise UnsafeArchiveError(
            archive,
            f"member name {member!r} is absolute or climbs out of the archive (path traversal); "
            "the archive is refused",
        )


@dataclass
class _Budget:
    """Members and declared bytes counted over an archive and the archives nested in it."""

    members: int = 0
    declared: int = 0


def open_zip(data: bytes | str, name: str, *, budget: _Budget | None = None) -> zipfile.ZipFile:
    """Open a zip archive (a path or bytes) after checking its directory (see the module docstring).

    Raises
    ------
    ParseError
        Not a zip archive.
    UnsafeArchiveError
        A member name is absolute or contains ``..``.
    LimitExceededError
        Too many members, or declared sizes beyond the limits.
    """
    budget = budget if budget is not None else _Budget()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError) as exc:
        raise ParseError(name, f"not a readable zip archive: {exc}") from exc
    except OSError as exc:
        raise FileError(name, f"cannot be read: {exc.strerror or exc}") from exc
    budget.members += len(infos)
    if budget.members > MAX_ARCHIVE_MEMBERS:
        raise LimitExceededError(
            name,
            f"archive lists {budget.members} members, more than the limit of "
            f"{MAX_ARCHIVE_MEMBERS} (a zip bomb?)",
        )
    member_limit = _source.MAX_DECOMPRESSED_BYTES
    for info in infos:
        _check_name(info.filename, name)
        if info.file_size > member_limit and not info.is_dir():
            raise LimitExceededError(
                name,
                f"member {info.filename!r} declares {info.file_size} bytes, more than "
                f"the limit of {member_limit} bytes (a zip bomb?)",
            )
        budget.declared += info.file_size
    if budget.declared > MAX_ARCHIVE_BYTES:
        raise LimitExceededError(
            name,
            f"members declare {budget.declared} bytes in all, more than the limit of "
            f"{MAX_ARCHIVE_BYTES} bytes (a zip bomb?)",
        )
    return zf


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int | None = None) -> bytes:
    """A member's bytes, counted while they are inflated (beyond ``limit``: LimitExceededError).

    ``name`` is the member's entry name, used in errors.
    """
    limit = _source.MAX_DECOMPRESSED_BYTES if limit is None else limit
    if info.file_size > limit:
        raise LimitExceededError(
            name, f"member declares {info.file_size} bytes, more than the limit of {limit}"
        )
    parts: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise LimitExceededError(name, f"member expands beyond the limit of {limit} bytes")
                parts.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error) as exc:
        raise CorruptFileError(name, f"damaged archive member: {exc}") from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, or an unsupported compression
        raise ParseError(name, f"archive member cannot be read: {exc}") from exc
    except OSError as exc:
        raise FileError(name, f"cannot be read: {exc.strerror or exc}") from exc
    return b"".join(parts)


def split_entry(entry: str) -> tuple[str, list[str]] | None:
    """``a.zip!b.zip!c.fit`` -> (``a.zip``, [``b.zip``, ``c.fit``]) when ``a.zip`` is a file, else None."""
    if SEPARATOR not in entry or os.path.exists(entry):
        return None
    parts = entry.split(SEPARATOR)
    for k in range(1, len(parts)):
        outer = SEPARATOR.join(parts[:k])
        if os.path.isfile(outer):
            return outer, parts[k:]
    return None


def is_entry(path: str) -> bool:
    """True if ``path`` names a member inside an archive file (``archive.zip!inner``)."""
    return split_entry(path) is not None


@functools.lru_cache(maxsize=4)
def _outer(path: str, mtime_ns: int, size: int) -> zipfile.ZipFile:
    """An archive on disk, opened and checked once per process (and per version of the file)."""
    return open_zip(path, path)


@functools.lru_cache(maxsize=2)
def _nested(entry: str, mtime_ns: int) -> zipfile.ZipFile:
    """A nested archive, read into memory once per process."""
    outer, inner = split_entry(entry) or (entry, [])
    return open_zip(_read(outer, inner, MAX_NESTED_ARCHIVE_BYTES), entry)


def _open(path: str, inner: list[str]) -> zipfile.ZipFile:
    st = os.stat(path)
    zf = _outer(path, st.st_mtime_ns, st.st_size)
    for k in range(1, len(inner) + 1):
        zf = _nested(SEPARATOR.join([path, *inner[:k]]), st.st_mtime_ns)
    return zf


def _read(path: str, inner: list[str], limit: int | None = None) -> bytes:
    zf = _open(path, inner[:-1])
    entry = SEPARATOR.join([path, *inner])
    try:
        info = zf.getinfo(inner[-1])
    except KeyError as exc:
        raise FileError(entry, "no such member in the archive") from exc
    return read_member(zf, info, entry, limit)


def read_entry(entry: str) -> bytes:
    """The bytes of an archive member named ``archive.zip!path/inside`` (nested: ``a.zip!b.zip!c``).

    Raises
    ------
    FileError
        ``entry`` names no member of an existing archive.
    LimitExceededError, UnsafeArchiveError, CorruptFileError, ParseError
        See :func:`open_zip` and :func:`read_member`.
    """
    split = split_entry(entry)
    if split is None:
        raise FileError(entry, "not a member of an archive file")
    data = _read(*split)
    if not data:
        raise EmptyFileError(entry, "archive member is empty (0 bytes)")
    return data


def entry_source(entry: str, data: bytes | None = None) -> io.BytesIO:
    """A member as a named binary buffer (the name carries the suffix importers are chosen by)."""
    buf = io.BytesIO(read_entry(entry) if data is None else data)
    buf.name = entry
    return buf


def members(path: str, *, max_depth: int = MAX_ARCHIVE_DEPTH) -> list[str]:
    """Every file inside an archive on disk, as entry names, nested archives listed in place.

    A nested archive is listed as its members (``a.zip!b.zip!c.fit``), not as
    itself. Members are in archive order.

    Raises
    ------
    LimitExceededError
        Too many members or bytes (over all nested archives), or nesting deeper than ``max_depth``.
    UnsafeArchiveError, ParseError, FileError
        See :func:`open_zip`.
    """
    st = os.stat(path)
    budget = _Budget()
    zf = open_zip(path, path, budget=budget)
    out = list(_walk(zf, path, 1, max_depth, budget, st.st_mtime_ns))
    zf.close()
    return out


def _walk(
    zf: zipfile.ZipFile, prefix: str, depth: int, max_depth: int, budget: _Budget, mtime_ns: int
) -> Iterator[str]:
    for info in zf.infolist():
        if info.is_dir():
            continue
        entry = f"{prefix}{SEPARATOR}{info.filename}"
        if not is_archive_name(info.filename):
            yield entry
            continue
        if depth >= max_depth:
            raise LimitExceededError(entry, f"archives nested deeper than {max_depth} levels are refused")
        inner = open_zip(read_member(zf, info, entry, MAX_NESTED_ARCHIVE_BYTES), entry, budget=budget)
        yield from _walk(inner, entry, depth + 1, max_depth, budget, mtime_ns)


def read_head(entry: str, n: int = 4096) -> bytes:
    """The first ``n`` bytes of an archive member (gzip content is not inflated here)."""
    split = split_entry(entry)
    if split is None:
        return b""
    path, inner = split
    try:
        zf = _open(path, inner[:-1])
        with zf.open(inner[-1]) as fh:
            return fh.read(n)
    except (
        FileError,
        OSError,
        KeyError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        struct.error,
    ):
        return b""
