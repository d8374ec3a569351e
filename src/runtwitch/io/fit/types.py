"""What the parts of the FIT reader share: protocol constants and the framing types.

Framing (``frame``) produces :class:`Framed` with one :class:`Definition` per
local message definition; the one-by-one decoder (``rows``), the bulk decoder
(``bulk``) and the engines (``engines``) read them. Keeping these types here,
apart from the code that fills them, is what lets framing use the one-by-one
decoder (developer field descriptions are decoded while framing) without the
two modules importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: The FIT epoch: FIT ``date_time`` values count seconds from 1989-12-31T00:00:00Z.
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
#: The FIT epoch as a Unix time [s].
FIT_EPOCH_UNIX_S = int(FIT_EPOCH.timestamp())
#: A ``date_time`` below this is not an absolute time but a relative "system
#: time" (seconds since the device was switched on), as the FIT profile defines.
FIT_DATETIME_MIN = 0x10000000

#: Global message numbers the reader needs by name (FIT profile).
FILE_ID_MESG = 0
RECORD_MESG = 20
HR_MESG = 132
FIELD_DESCRIPTION_MESG = 206
DEVELOPER_DATA_ID_MESG = 207
#: Global messages decoded one by one (what the FIT importer reads besides records):
#: file_id, sport, session, lap, event, activity, hr, timestamp_correlation.
ROW_MESSAGES = frozenset({FILE_ID_MESG, 12, 18, 19, 21, 34, HR_MESG, 162})
#: The ``timestamp`` field number, the same in every message.
TIMESTAMP_FIELD = 253


class FitFailure(Exception):
    """Why decoding stopped: ``kind`` is eof, header, crc, parse, undecodable or limit.

    Internal to the FIT reader: ``read_fit`` turns it into the matching
    :class:`~runtwitch.errors.FileError` before anything reaches the caller.
    """

    def __init__(self, kind: str, offset: int | None, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.offset = offset


@dataclass(slots=True)
class FieldDef:
    """One field of a local message definition."""

    num: int
    size: int
    count: int
    base: Any  # the profile's base type
    pos: int  # byte position inside the data message payload
    field: Any  # profile Field, developer field or None
    is_dev: bool = False
    dev_data_index: int = -1


@dataclass(slots=True)
class Definition:
    """A local message definition and where its data messages start."""

    global_num: int
    endian: str
    fields: list[FieldDef]
    size: int
    seq: int  # position in the message sequence (for accumulator resets)
    file_index: int
    zero_field: bool = False
    developer: bool = False  # a developer_data_id or field_description message
    mesg_type: Any = None  # the profile's message type, None for unknown messages
    offsets: list[int] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    plan: Any = None  # how the one-by-one decoder unpacks its messages (``rows``), made on first use
    #: The definition's bytes when they alone fix its fields (no developer fields), else empty:
    #: what lets the one-by-one decoder reuse a plan made for an earlier file.
    layout: bytes = b""


@dataclass
class Framed:
    """What the framing pass found."""

    definitions: list[Definition] = field(default_factory=list)
    compressed: dict[int, int] = field(default_factory=dict)  # seq -> time offset
    file_starts: list[int] = field(default_factory=list)  # first seq of each chained file
    headers: int = 0
    n_messages: int = 0
    warnings: list[str] = field(default_factory=list)
    crc_problem: tuple[int, str] | None = None
    failure: FitFailure | None = None
    #: (seq, file index, global message, component targets) of every definition
    #: that resets accumulators, with or without data messages after it.
    resets: list[tuple[int, int, int, frozenset[int]]] = field(default_factory=list)
    field_definitions: int = 0
