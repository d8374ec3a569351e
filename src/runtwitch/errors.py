"""Exceptions and warnings raised by runtwitch.

Every error that leaves a runtwitch importer is a :class:`RuntwitchError`.
Errors about a file carry the file name and, where it is known, the place in
the file (byte offset for binary formats, line and column for text formats),
so that a message always says *which file*, *where* and *what was expected*.
The exception that triggered the error inside a dependency is kept as
``__cause__``.
"""

from __future__ import annotations

from os import PathLike


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


class RuntwitchError(Exception):
    """Base class of every error runtwitch raises on purpose."""


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


class EmptyFileError(FileError):
    """The file holds no bytes at all."""


class UnknownFormatError(FileError):
    """No importer recognises the file (by suffix or by content)."""


class ParseError(FileError):
    """The file is not valid in its format from the start (e.g. not FIT, not XML)."""


class CorruptFileError(FileError):
    """The file is damaged part-way through (bad structure after valid data)."""


class TruncatedFileError(CorruptFileError):
    """The file ends before its declared end (an interrupted upload or copy)."""


class ChecksumError(CorruptFileError):
    """A checksum stored in the file does not match its content."""


class NotAnActivityError(FileError):
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


class LimitExceededError(FileError):
    """Input exceeds a documented safety limit (size, expansion, nesting)."""


class RuntwitchWarning(UserWarning):
    """Base class of runtwitch warnings (filter them with this class)."""


class DataQualityWarning(RuntwitchWarning):
    """Rows were dropped or values repaired while importing; see the import report."""


class PartialImportWarning(RuntwitchWarning):
    """A damaged file was imported up to the damage; see the import report."""


class UnsafeArchiveError(ParseError):
    """An archive whose member names would escape the folder it is unpacked in (``../``, ``/etc``)."""
