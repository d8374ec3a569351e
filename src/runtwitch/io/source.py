"""Turn a path or a buffer into bytes, safely (gzip with a size limit)."""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Union

from runtwitch.errors import EmptyFileError, FileError, LimitExceededError, ParseError

#: What the ``read_*`` functions accept: a path or a binary file object.
Source = Union[str, "os.PathLike[str]", IO[bytes]]

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
            if os.path.isdir(source):
                raise FileError(name, "is a directory, expected an activity file")
            with open(source, "rb") as fh:
                return _read_chunks(fh, name, limit)
        return _read_chunks(source, name, limit)
    except FileError:
        raise
    except OSError as exc:
        raise FileError(name, f"cannot be read: {exc.strerror or exc}") from exc


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


def load(source: Source, *, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> Loaded:
    """Read a source fully, decompressing gzip transparently.

    Raises
    ------
    EmptyFileError
        The file holds no bytes.
    FileError
        The file cannot be read (missing, permissions, a directory).
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


def as_buffer(loaded: Loaded) -> io.BytesIO:
    """Return the loaded bytes as a seekable buffer."""
    return io.BytesIO(loaded.data)
