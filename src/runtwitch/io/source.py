"""What every importer starts from: a path or a buffer, read into bytes safely.

The public ground an importer stands on (``docs/extending.md``):

- :data:`Source`, what every ``read_*`` function accepts;
- :func:`load`, which reads a source fully within the size limits and
  decompresses gzip transparently, raising runtwitch errors only;
- :data:`Errors` and :func:`check_errors`, the ``errors=`` modes every reader
  takes (``"raise"``, ``"warn"``, ``"salvage"``; see ``docs/errors.md``);
- the limits :data:`MAX_FILE_BYTES` and :data:`MAX_DECOMPRESSED_BYTES`;
- :func:`source_name`, the name a source is reported under.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Literal, Union, get_args

from runtwitch.errors import (
    EmptyFileError,
    FileError,
    LimitExceededError,
    ParseError,
    UnreadableFileError,
    unreadable,
)
from runtwitch.paths import expand_path

#: What the ``read_*`` functions accept: a path or a binary file object.
Source = Union[str, "os.PathLike[str]", IO[bytes]]

#: How a reader treats damaged input: ``"raise"`` on any damage, ``"warn"`` to
#: keep data that decoded cleanly with a warning, ``"salvage"`` (the default
#: everywhere) to also keep what was read before the damage. Each reader's
#: docstring says what damage means for its format.
Errors = Literal["raise", "warn", "salvage"]
ERRORS_MODES: tuple[str, ...] = get_args(Errors)


def check_errors(errors: object) -> Errors:
    """``errors`` if it is one of the :data:`Errors` modes.

    Raises
    ------
    ValueError
        Any other value (never silently taken for the default).
    """
    if errors not in ERRORS_MODES:
        raise ValueError(f"errors must be 'raise', 'warn' or 'salvage', not {errors!r}")
    return errors  # type: ignore[return-value]  # checked against the Literal's values just above

#: Largest decompressed size accepted from a gzip file [bytes]. The largest real
#: activity file we know of is a few MB; override per call with ``max_bytes``.
MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024

#: Largest file read at all [bytes].
MAX_FILE_BYTES = 512 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Loaded:
    """Bytes of a source, with its display name and whether it was gzip-compressed."""

    data: bytes
    name: str
    gzipped: bool


def source_name(source: Source) -> str:
    """Return a display name for a source: its path, or the buffer's ``name``, or ``<buffer>``."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<buffer>"


#: Bytes read per call; reading the whole limit at once would allocate it up front.
READ_CHUNK = 1 << 20


def _read_chunks(fh: IO[bytes], name: str, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = fh.read(READ_CHUNK)
        if not chunk:
            return b"".join(parts)
        if not isinstance(chunk, bytes):
            raise FileError(name, "expected a binary file object (open the file with 'rb')")
        total += len(chunk)
        if total > limit:
            raise LimitExceededError(name, f"file is larger than the limit of {limit} bytes")
        parts.append(chunk)


def _read_raw(source: Source, name: str, limit: int) -> bytes:
    try:
        if isinstance(source, (str, os.PathLike)):
            path = expand_path(source)
            if os.path.isdir(path):
                raise UnreadableFileError(name, "is a directory, expected an activity file")
            with open(path, "rb") as fh:
                return _read_chunks(fh, name, limit)
        return _read_chunks(source, name, limit)
    except FileError:
        raise
    except OSError as exc:
        raise unreadable(name, exc) from exc


def _inflate(data: bytes, name: str) -> Iterator[bytes]:
    """Output chunks of gzip data (concatenated members supported, trailing garbage ignored)."""
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(wbits=31)
            while True:
                yield d.decompress(rest, READ_CHUNK)
                if d.eof or not d.unconsumed_tail:
                    break
                rest = d.unconsumed_tail
            if not d.eof:
                raise ParseError(name, "gzip stream ends early (truncated .gz file)", offset=len(data))
            rest = d.unused_data
            if rest and not rest.startswith(GZIP_MAGIC):
                break  # trailing garbage after the last member: ignore, like gzip(1)
    except zlib.error as exc:
        raise ParseError(name, f"invalid gzip data: {exc}") from exc


def gunzip(data: bytes, name: str, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress gzip data, refusing output larger than ``max_bytes``.

    Concatenated gzip members are supported. The data is inflated once only to
    count the output, each chunk dropped as soon as it is counted, and a second
    time to keep it: a "gzip bomb" is refused as soon as the count passes the
    limit, without ever holding its output (fresh memory is the slow part of
    inflating hundreds of megabytes). Real ``.fit.gz`` files are small, so the
    second pass costs them little.
    """
    total = 0
    for chunk in _inflate(data, name):
        total += len(chunk)
        if total > max_bytes:
            raise LimitExceededError(name, f"gzip content expands beyond the limit of {max_bytes} bytes")
    return b"".join(_inflate(data, name))


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file as stored (gzip not decompressed), within :data:`MAX_FILE_BYTES`.

    Raises the errors of :func:`load` for the file itself (missing,
    unreadable, a directory, too large).
    """
    return _read_raw(path, os.fspath(path), MAX_FILE_BYTES)


def named_buffer(data: bytes, name: str) -> IO[bytes]:
    """A binary buffer over bytes already read, whose ``name`` is the file they came from.

    Handing an importer this buffer instead of the path saves reading the file
    again; the importer still sees the file's name (suffix, messages, metadata).
    """
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def load(source: Source, *, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> Loaded:
    """Read a source fully, decompressing gzip transparently.

    Raises
    ------
    EmptyFileError
        The file holds no bytes.
    MissingFileError
        The file does not exist (also a :class:`FileNotFoundError`).
    UnreadableFileError
        The file cannot be read (permissions, a directory; also an :class:`OSError`).
    LimitExceededError
        The file, or its decompressed content, is larger than allowed.
    """
    name = source_name(source)
    data = _read_raw(source, name, MAX_FILE_BYTES)  # module attribute: overridable
    if not data:
        raise EmptyFileError(name, "file is empty (0 bytes)")
    gz = data[:2] == GZIP_MAGIC
    if gz:
        data = gunzip(data, name, max_bytes)
        if not data:
            raise EmptyFileError(name, "gzip file decompresses to 0 bytes")
    return Loaded(data, name, gz)
