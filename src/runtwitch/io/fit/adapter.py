"""Everything the FIT reader takes from fitdecode, in one place.

Both engines decode with the FIT profile that fitdecode generates from the
Garmin FIT SDK, and the reference engine is fitdecode's own streaming reader.
Part of what is used here is not fitdecode's public API, so the dependency is
pinned to the minor version these internals were checked against
(``pyproject.toml``), and ``tests/io/fit/test_fitnumpy.py`` checks the rest:

- the generated profile: message types, their fields, sub-fields and
  components (attributes ``fields``, ``subfields``, ``ref_fields``,
  ``components``, ``accumulate``, ``bits``, ``bit_offset``, ``scale``,
  ``offset``, ``type.enum``, ``render``), the field type of ``timestamp``;
- the base types (``BASE_TYPES``, their ``identifier``, ``size``, ``fmt``,
  ``parse``) and the developer field type (``DevField``);
- ``parse_string``, how fitdecode reads a string field;
- the reader: ``FitReader`` and its exceptions, the byte offset that its CRC
  messages carry as text, and ``FitReader._chunk_offset`` (the start of the
  chunk being read), the only place a failure's offset is known.

:data:`PROFILE_SDK_VERSION` names the profile those tables were generated from;
a test compares it with the header of fitdecode's generated profile, so an
upgrade that brings another profile is noticed.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import fitdecode
from fitdecode import profile as _profile
from fitdecode import types as _types

from runtwitch.io.fit.types import FitFailure

#: The FIT SDK version of the profile both engines decode with (fitdecode 0.11).
PROFILE_SDK_VERSION = "21.171"

#: Base types by number, and the byte type that odd-sized fields fall back to.
BASE_TYPES: dict[int, Any] = _types.BASE_TYPES
BASE_TYPE_BYTE: Any = _types.BASE_TYPE_BYTE
#: Identifier of the byte base type and of the string base type.
BYTE_ID: int = _types.BASE_TYPE_BYTE.identifier
STRING_ID = 0x07
#: The profile's field type of ``timestamp`` (field 253 of every message).
TIMESTAMP_FIELD_TYPE: Any = _profile.FIELD_TYPE_TIMESTAMP

#: The byte offset in fitdecode's CRC messages ("... footer offset: 1540 ...").
_CRC_OFFSET = re.compile(r"(?:footer|header) offset: (\d+)")


def message_type(global_num: int) -> Any:
    """The profile's message type for a global message number, or None when unknown."""
    return _profile.MESSAGE_TYPES.get(global_num)


def developer_field(index: Any, name: Any, num: Any, base: Any, units: Any, native: Any) -> Any:
    """A developer field definition as fitdecode builds it from a field description."""
    return _types.DevField(index, name, num, base, units, native)


def parse_string(raw: bytes) -> Any:
    """A string field's value, as fitdecode reads it (None when empty)."""
    return _types.parse_string(raw)


@dataclass
class DecoderWarning:
    """A warning fitdecode emitted while reading: its text, and whether it is a CRC mismatch."""

    text: str
    crc: bool
    offset: int | None


@dataclass
class ReferenceRun:
    """How fitdecode's reader fared on a file.

    Attributes
    ----------
    failure
        Where and why it stopped, or None when it read the whole file.
    cause
        The exception behind ``failure`` (fitdecode's own, or the limit's).
    warnings
        What it warned about, in order (CRC mismatches in ``errors="warn"``
        style, odd field sizes, undefined developer fields).
    """

    failure: FitFailure | None = None
    cause: BaseException | None = None
    warnings: list[DecoderWarning] = field(default_factory=list)


def _offset(exc: BaseException, reader: Any) -> int | None:
    off = getattr(exc, "offset", None)
    if isinstance(off, int):
        return off
    m = _CRC_OFFSET.search(str(exc))
    if m:
        return int(m.group(1))
    off = getattr(reader, "_chunk_offset", None)  # fitdecode's current chunk start
    return off if isinstance(off, int) else None


def _failure(exc: BaseException, reader: Any) -> FitFailure:
    """The engine-neutral failure for a fitdecode exception."""
    if isinstance(exc, fitdecode.FitEOFError):
        kind, msg = "eof", str(exc)
    elif isinstance(exc, fitdecode.FitCRCError):
        kind, msg = "crc", str(exc)
    elif isinstance(exc, fitdecode.FitHeaderError):
        kind, msg = "header", str(exc)
    else:
        kind, msg = "undecodable", f"{type(exc).__name__}: {exc}"
    return FitFailure(kind, _offset(exc, reader), msg)


def read_reference(
    data: bytes,
    *,
    strict_crc: bool,
    max_messages: int,
    too_many: Callable[[int | None], FitFailure],
    on_message: Callable[[Any], None],
    on_header: Callable[[], None],
) -> ReferenceRun:
    """Stream ``data`` through fitdecode's reader, handing on each message and file header.

    Parameters
    ----------
    data
        The whole (decompressed) file.
    strict_crc
        True: a CRC mismatch stops the reader; False: it is a warning.
    max_messages
        Most messages read; the next one fails with ``too_many(its offset)``.
    on_message, on_header
        Called with each data message (fitdecode's ``FitDataMessage``) and for
        each file header, in file order.
    """
    run = ReferenceRun()
    crc = fitdecode.CrcCheck.RAISE if strict_crc else fitdecode.CrcCheck.WARN
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = fitdecode.FitReader(BytesIO(data), check_crc=crc,
                                     error_handling=fitdecode.ErrorHandling.WARN)
        try:
            for count, frame in enumerate(reader):
                if count >= max_messages:
                    # fitdecode's current chunk is where the message past the limit starts
                    raise too_many(getattr(reader, "_chunk_offset", None))
                if isinstance(frame, fitdecode.FitDataMessage):
                    on_message(frame)
                elif isinstance(frame, fitdecode.FitHeader):
                    on_header()
        except FitFailure as exc:
            run.failure, run.cause = exc, exc
        except Exception as exc:
            run.failure, run.cause = _failure(exc, reader), exc
    for w in caught:
        text = str(w.message)
        run.warnings.append(DecoderWarning(text, "CRC" in text, _offset(Exception(text), None)))
    return run
