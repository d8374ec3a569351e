"""Every exception and warning runtwitch raises or emits, in one place.

Every error that leaves runtwitch on purpose is a :class:`RuntwitchError`, and
also the built-in exception a pandas user would catch for the same mistake: a
missing file is a :class:`FileNotFoundError`, a file that cannot be read an
:class:`OSError`, a file that is not what it should be (not FIT, damaged,
empty, beyond a limit) and a bad value (an unknown time zone, a diary with
problems) a :class:`ValueError`. ``except RuntwitchError`` catches them all.

Errors about a file carry the file name and, where it is known, the place in
the file (byte offset for binary formats, line and column for text formats,
row for tables), so that a message always says *which file*, *where* and
*what was expected*. The exception that triggered the error inside a
dependency is kept as ``__cause__``.

Warnings are :class:`RuntwitchWarning` subclasses; :func:`warn` emits them
pointing at the caller's line, outside runtwitch (as pandas does).
"""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Sequence
from os import PathLike
from typing import Any

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _describe_place(
    offset: int | None, line: int | None, column: int | None, row: int | None
) -> str:
    parts = []
    if offset is not None:
        parts.append(f"byte {offset}")
    if row is not None:
        parts.append(f"row {row}")
    if line is not None:
        parts.append(f"line {line}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


def _restore(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """Rebuild an error from its message and attributes (see ``RuntwitchError.__reduce__``)."""
    err = cls.__new__(cls, *args)
    err.args = args
    err.__dict__.update(state)
    return err


class RuntwitchError(Exception):
    """Base class of every error runtwitch raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors with their own __init__ arguments survive pickling (worker
        # processes, Dask) with their message and attributes intact.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class FileError(RuntwitchError):
    """A file could not be imported.

    Parameters
    ----------
    path
        The file (or a description such as ``"<buffer>"``).
    reason
        What went wrong, and what was expected instead.
    offset
        Byte offset in the (decompressed) file where the problem was found.
    line, column
        Position in a text file (1-based).
    row
        Row number in a table, as a spreadsheet user sees it (header is row 1).
    """

    def __init__(
        self,
        path: str | PathLike[str] | None,
        reason: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        column: int | None = None,
        row: int | None = None,
    ) -> None:
        self.path = "<buffer>" if path is None else str(path)
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column
        self.row = row
        place = _describe_place(offset, line, column, row)
        where = f" at {place}" if place else ""
        super().__init__(f"{self.path}{where}: {reason}")


class UnreadableFileError(FileError, OSError):
    """The file cannot be opened or read (permissions, a directory, a link loop)."""


class MissingFileError(UnreadableFileError, FileNotFoundError):
    """The file does not exist."""


def unreadable(path: str | PathLike[str] | None, exc: OSError) -> UnreadableFileError:
    """The error for an operating-system failure to read ``path`` (missing or not)."""
    cls = MissingFileError if isinstance(exc, FileNotFoundError) else UnreadableFileError
    why = "no such file or folder" if cls is MissingFileError else (exc.strerror or str(exc))
    return cls(path, f"cannot be read: {why}")


class EmptyFileError(FileError, ValueError):
    """The file holds no bytes at all."""


class UnknownFormatError(FileError, ValueError):
    """No importer recognises the file (by suffix or by content)."""


class ParseError(FileError, ValueError):
    """The file is not valid in its format from the start (e.g. not FIT, not XML)."""


class UnsafeXMLError(ParseError):
    """The XML declares entities or refers to external resources; refused for safety."""


class UnsafeArchiveError(ParseError):
    """An archive whose member names would escape the folder it is unpacked in (``../``, ``/etc``)."""


class CorruptFileError(FileError, ValueError):
    """The file is damaged part-way through (bad structure after valid data)."""


class TruncatedFileError(CorruptFileError):
    """The file ends before its declared end (an interrupted upload or copy)."""


class ChecksumError(CorruptFileError):
    """A checksum stored in the file does not match its content."""


class NotAnActivityError(FileError, ValueError):
    """The file is valid but holds no activity (settings, workout, monitoring...).

    Attributes
    ----------
    file_type
        The file type the file declares (e.g. ``"settings"``).
    """

    def __init__(
        self, path: str | PathLike[str] | None, file_type: str, reason: str | None = None
    ) -> None:
        self.file_type = file_type
        super().__init__(
            path,
            reason
            or f"this is a FIT {file_type!r} file, not an activity or course; nothing to import",
        )


class LimitExceededError(FileError, ValueError):
    """Input exceeds a documented safety limit (size, expansion, nesting)."""


class EngineUnavailableError(RuntwitchError, ImportError):
    """A decoding engine was asked for whose optional package is not installed.

    Attributes
    ----------
    engine
        The engine's name (``"fitparse"``, ``"gpxpy"``).
    """

    def __init__(self, engine: str) -> None:
        self.engine = engine
        super().__init__(f"the {engine!r} engine needs the optional package {engine}: "
                         f"pip install 'runtwitch[{engine}]'")


class DiaryError(RuntwitchError, ValueError):
    """The diary has problems (``errors="raise"``) or cannot be read at all.

    Attributes
    ----------
    path
        The diary file.
    problems
        Every problem found (``runtwitch.io.diary.Problem``: row, column,
        value, what was expected), not only the first.
    """

    def __init__(self, path: str, problems: Sequence[Any], reason: str | None = None) -> None:
        self.path = path
        self.problems = list(problems)
        head = reason or f"{len(problems)} problem(s) in the diary"
        lines = "\n".join(f"  {p}" for p in problems[:200])
        more = f"\n  ... and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{path}: {head}" + (f"\n{lines}{more}" if problems else ""))


class UnknownTimeZoneError(RuntwitchError, ValueError):
    """A time zone that is not an IANA name, wherever it was given (argument, profile, CLI).

    Attributes
    ----------
    tz
        The name given.
    path
        The file that named it (``athlete.toml``), or None for an argument.
    """

    def __init__(self, tz: object, path: str | PathLike[str] | None = None) -> None:
        self.tz = tz
        self.path = None if path is None else str(path)
        where = f"{self.path}: " if self.path is not None else ""
        super().__init__(f"{where}unknown time zone {tz!r}: expected an IANA name such as 'Europe/Paris'")


class WeatherError(RuntwitchError):
    """Weather could not be had from a source (see :mod:`runtwitch.weather`)."""


class WeatherFetchError(WeatherError, OSError):
    """A weather archive did not answer usefully: no network, a time-out, a refusal, a bad reply.

    Attributes
    ----------
    network
        True when the network itself failed (no answer, time-out, server
        error): later requests to the same archive would fail too.
    """

    def __init__(self, reason: str, *, network: bool) -> None:
        self.network = network
        super().__init__(reason)


class WeatherTableError(FileError, ValueError):
    """A weather table cannot be read (missing column, unreadable file)."""


class RuntwitchWarning(UserWarning):
    """Base class of runtwitch warnings (filter them with this class)."""


class DataQualityWarning(RuntwitchWarning):
    """Rows were dropped or values repaired while importing; see the import report."""


class PartialImportWarning(RuntwitchWarning):
    """A damaged file was imported up to the damage; see the import report."""


class WeatherWarning(RuntwitchWarning):
    """Weather was asked for but a source failed or skipped rows; the next source was used."""


def find_stack_level() -> int:
    """The ``stacklevel`` that makes a warning point at the first line outside runtwitch.

    Counted from the caller of this function, like pandas'
    ``find_stack_level``: every frame in runtwitch's own files is skipped, so a
    warning names the user's line, not the importer's.
    """
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            frame = frame.f_back
            level += 1
    finally:
        del frame
    return level


def warn(message: str, category: type[Warning] = RuntwitchWarning) -> None:
    """Emit a warning attributed to the caller's line outside runtwitch."""
    warnings.warn(message, category, stacklevel=find_stack_level())
