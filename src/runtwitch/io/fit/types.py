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

import numpy as np

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


#: A run of repeated cycles framed at once (``Definition.runs``): ``(at, firsts, stride,
#: first_seqs, per, count)``.
Run = tuple[int, tuple[int, ...], int, tuple[int, ...], int, int]


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
    #: Where the data messages framed one at a time start (the byte after their header) and
    #: their sequence numbers, in file order; the messages framed as runs are in ``runs``.
    #: All of them: :meth:`offset_array` and :meth:`seq_array` (or ``offsets`` and ``seqs``).
    starts: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    #: Runs of messages framed at once (``runtwitch.io.fit.frame``), as ranges: ``(at, firsts,
    #: stride, first_seqs, per, count)``, ``count`` cycles placed after the first ``at`` of
    #: ``starts``, the ``k``-th cycle's messages at ``firsts[i] + k * stride`` [bytes] with
    #: sequence numbers ``first_seqs[i] + k * per``.
    runs: list[Run] = field(default_factory=list)
    plan: Any = None  # how the one-by-one decoder unpacks its messages (``rows``), made on first use
    #: The definition's bytes when they alone fix its fields (no developer fields), else empty:
    #: what lets the one-by-one decoder reuse a plan made for an earlier file.
    layout: bytes = b""
    #: (``starts`` and ``runs`` lengths, offsets, sequence numbers): the arrays as last made.
    arrays: tuple[int, int, np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def _arrays(self) -> tuple[int, int, np.ndarray, np.ndarray]:
        made = self.arrays
        if made is None or made[0] != len(self.starts) or made[1] != len(self.runs):
            offsets, seqs = _spread(self.starts, self.numbers, self.runs)
            offsets.flags.writeable = seqs.flags.writeable = False  # shared by every reader
            made = self.arrays = (len(self.starts), len(self.runs), offsets, seqs)
        return made

    def offset_array(self) -> np.ndarray:
        """Where each data message of this definition starts (after its header), in file order
        [bytes] (int64; made once, read-only)."""
        return self._arrays()[2]

    def seq_array(self) -> np.ndarray:
        """The sequence number of each data message of this definition, in file order (int64;
        made once, read-only)."""
        return self._arrays()[3]

    @property
    def offsets(self) -> list[int]:
        """:meth:`offset_array` as a list."""
        if not self.runs:
            return list(self.starts)
        out: list[int] = self.offset_array().tolist()
        return out

    @property
    def seqs(self) -> list[int]:
        """:meth:`seq_array` as a list."""
        if not self.runs:
            return list(self.numbers)
        out: list[int] = self.seq_array().tolist()
        return out

    @property
    def has_data(self) -> bool:
        """True when data messages of this definition were framed."""
        return bool(self.starts)  # a definition's first message is always framed on its own


#: From this many messages framed in runs on, a definition's offsets and sequence numbers are
#: spread with numpy (a fixed 40-50 us) rather than as Python lists (about 80 ns a message).
SPREAD_IN_BULK = 1024


def _spread(starts: list[int], numbers: list[int],
            runs: list[Run]) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and sequence numbers of the messages framed one at a time (``starts``,
    ``numbers``) and in ``runs``, in file order, as int64 arrays.

    Runs of one message per cycle (the rule) that hold :data:`SPREAD_IN_BULK` messages or
    more are spread all at once, with a few numpy calls whatever their number; others as
    lists (:func:`_spread_lists`, the reference).
    """
    if (not runs or sum(run[5] * len(run[1]) for run in runs) < SPREAD_IN_BULK
            or any(len(run[1]) > 1 for run in runs)):
        return _spread_lists(starts, numbers, runs)
    # each run's place among the singles, first offset, stride, first sequence number, per, count
    where, first_offset, stride, first_seq, per, counts = np.array(
        [(run[0], run[1][0], run[2], run[3][0], run[4], run[5]) for run in runs], dtype=np.int64).T.copy()
    total = int(counts.sum())
    k = np.arange(total, dtype=np.int64)
    ran = k + np.repeat(where, counts)  # where each message of the runs goes
    k -= np.repeat(np.cumsum(counts) - counts, counts)  # its cycle in its run
    alone = np.ones(total + len(starts), dtype=bool)  # where the singles go
    alone[ran] = False
    out = []
    for singles, first, step in ((starts, first_offset, stride), (numbers, first_seq, per)):
        merged = np.empty(len(alone), dtype=np.int64)
        merged[ran] = np.repeat(first, counts) + k * np.repeat(step, counts)
        merged[alone] = np.fromiter(singles, dtype=np.int64, count=len(singles))
        out.append(merged)
    return out[0], out[1]


def _spread_lists(starts: list[int], numbers: list[int],
                  runs: list[Run]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_spread` run by run, as Python lists."""
    if not runs:
        return (np.fromiter(starts, dtype=np.int64, count=len(starts)),
                np.fromiter(numbers, dtype=np.int64, count=len(numbers)))
    offsets: list[int] = []
    seqs: list[int] = []
    done = 0
    for where, firsts, stride, first_seqs, per, count in runs:
        offsets.extend(starts[done:where])
        seqs.extend(numbers[done:where])
        done = where
        if len(firsts) == 1:
            offsets.extend(range(firsts[0], firsts[0] + count * stride, stride))
            seqs.extend(range(first_seqs[0], first_seqs[0] + count * per, per))
        else:  # several messages of the definition in each cycle: interleaved
            offsets.extend(o + k * stride for k in range(count) for o in firsts)
            seqs.extend(q + k * per for k in range(count) for q in first_seqs)
    offsets.extend(starts[done:])
    seqs.extend(numbers[done:])
    return (np.fromiter(offsets, dtype=np.int64, count=len(offsets)),
            np.fromiter(seqs, dtype=np.int64, count=len(seqs)))


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
