"""Heart rate that a chest strap stored in FIT ``hr`` messages, read in bulk.

HRM-Swim/Tri straps store beats while the watch cannot receive them, and the
watch appends them to the activity as ``hr`` messages: an *anchor* message
ties the strap's clock to UTC (``timestamp`` + ``fractional_timestamp`` at
``event_timestamp`` [s]) and the messages after it carry eight
``filtered_bpm`` values with 12-bit rolling event times in 1/1024 s
(``event_timestamp_12``), accumulated as in the FIT SDK's HR-to-record plugin.

Both ways of reading them end in :class:`HrBeats` (the beats in file order,
before their times are resolved) and :func:`beats_series` (their UTC times,
accumulated here and only here):

- :func:`decode_hr` reads the messages straight from their bytes, one numpy
  block per field layout, decoding only the fields the importer reads. It
  covers the layouts watches write; for anything else (another field or base
  type, developer fields, compressed timestamps, a message the one-by-one
  decoder would fail on) it returns None and the caller decodes the ``hr``
  messages one by one (``runtwitch.io.fit.rows``), failures included.
- ``runtwitch.io.fit.importer.hr_message_series`` reads them as decoded one
  by one (either engine) and hands them to :func:`gather`.

``tests/io/fit/test_hr.py`` checks that both give the same series on every
corpus FIT file with ``hr`` messages.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runtwitch.io.fit.bulk import message_bytes
from runtwitch.io.fit.types import (
    FIT_DATETIME_MIN,
    FIT_EPOCH_UNIX_S,
    HR_MESG,
    TIMESTAMP_FIELD,
    Definition,
    Framed,
)

#: FIT ``hr`` field numbers (FIT profile).
FRACTIONAL_TIMESTAMP, FILTERED_BPM, EVENT_TIMESTAMP, EVENT_TIMESTAMP_12 = 0, 6, 9, 10
#: Event times count 1/1024 s; the 12-bit ones roll over at 4096.
EVENT_UNITS_PER_S, TWELVE_BIT_MASK = 1024, 0xFFF
#: ``fractional_timestamp`` counts 1/32768 s.
FRACTION_UNITS_PER_S = 32768
#: Field number -> (FIT base type number, numpy dtype, invalid value, single value only) of
#: the ``hr`` fields the bulk path decodes; any other profile field sends the file to the
#: one-by-one decoder.
_FIELDS: dict[int, tuple[int, str, int, bool]] = {
    TIMESTAMP_FIELD: (0x86, "u4", 0xFFFFFFFF, True),
    FRACTIONAL_TIMESTAMP: (0x84, "u2", 0xFFFF, True),
    FILTERED_BPM: (0x02, "u1", 0xFF, False),
    EVENT_TIMESTAMP: (0x86, "u4", 0xFFFFFFFF, False),
    EVENT_TIMESTAMP_12: (0x0D, "u1", 0xFF, False),
}
#: Base types of fields the profile does not know that the bulk path may skip (numbers, bytes).
_SKIPPABLE_BASES = frozenset({0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x88, 0x89, 0x0A, 0x8B, 0x8C,
                              0x0D, 0x8E, 0x8F, 0x90})


@dataclass
class HrBeats:
    """Beats stored in ``hr`` messages, in file order, before their times are resolved.

    Every beat belongs to the anchor message at or before it (``segment``
    indexes the ``anchor_*`` arrays); beats of messages before the first
    anchor are not kept. Anchor beats carry their event time [s]; 12-bit beats
    the raw 12-bit value [1/1024 s], accumulated by :func:`beats_series`.
    """

    seq: np.ndarray  # int64: message sequence number of each beat
    bpm: np.ndarray  # float64 [bpm]
    event: np.ndarray  # float64: [s] for anchor beats, raw 12-bit value [1/1024 s] otherwise
    twelve: np.ndarray  # bool: a 12-bit beat
    segment: np.ndarray  # int64: index of the beat's anchor
    anchor_seq: np.ndarray  # int64: message sequence number of each anchor
    anchor_utc: np.ndarray  # float64: UTC of the anchor's first event [s since the Unix epoch]
    anchor_event: np.ndarray  # float64: the anchor's first event time [s]
    anchor_last: np.ndarray  # int64: the anchor's last event time [1/1024 s]
    message_seqs: np.ndarray  # int64: sequence number of every hr message, used or not

    def before(self, cut: int) -> HrBeats:
        """The beats of messages before message ``cut`` (where decoding stopped)."""
        keep, anchors = self.seq < cut, self.anchor_seq < cut
        return HrBeats(self.seq[keep], self.bpm[keep], self.event[keep], self.twelve[keep],
                       self.segment[keep], self.anchor_seq[anchors], self.anchor_utc[anchors],
                       self.anchor_event[anchors], self.anchor_last[anchors],
                       self.message_seqs[self.message_seqs < cut])


def unpack_12bit(packed: np.ndarray) -> np.ndarray:
    """Unpack little-endian 12-bit values, two per three bytes (``hr.event_timestamp_12``).

    ``packed`` is an ``(n, count)`` array of bytes; the result has
    ``2 * (count // 3)`` values per row (trailing bytes are ignored).
    """
    k = packed.shape[1] // 3
    b = packed[:, : 3 * k].astype(np.int64).reshape(len(packed), k, 3)
    first = b[:, :, 0] | ((b[:, :, 1] & 0x0F) << 8)
    second = (b[:, :, 1] >> 4) | (b[:, :, 2] << 4)
    return np.stack([first, second], axis=2).reshape(len(packed), 2 * k)


def beats_series(beats: HrBeats) -> pd.Series:
    """Stored heart rate as a UTC-indexed series [bpm], sorted, without duplicate times.

    An anchor beat's time is the anchor's UTC plus its event time since the
    anchor's first event; a 12-bit beat advances the anchor's last event time
    by ``(value - last) mod 4096`` [1/1024 s] (FIT SDK, HR-to-record plugin).
    Beats of 0 or 255 bpm and repeated times are dropped.
    """
    if not len(beats.bpm):
        return pd.Series(dtype=float)
    seg = beats.segment
    events = beats.event.copy()
    tw = np.flatnonzero(beats.twelve)
    if len(tw):
        value = beats.event[tw].astype(np.int64)
        s = seg[tw]
        first = np.ones(len(tw), dtype=bool)
        first[1:] = s[1:] != s[:-1]
        prev = np.empty_like(value)
        prev[1:] = value[:-1]
        prev[first] = beats.anchor_last[s[first]]
        csum = np.cumsum((value - prev) & TWELVE_BIT_MASK)
        start = np.maximum.accumulate(np.where(first, np.arange(len(tw)), 0))
        last = beats.anchor_last[s] + csum - np.concatenate([[0], csum])[start]
        events[tw] = last / float(EVENT_UNITS_PER_S)
    times = beats.anchor_utc[seg] + (events - beats.anchor_event[seg])
    ns = times * 1e9
    if np.isfinite(ns).all() and (np.abs(ns) < 2.0**63 - 2**10).all():
        # what pd.to_datetime does with floats (truncation to whole ns), 70 times faster
        idx = pd.DatetimeIndex(ns.astype("datetime64[ns]"), tz="UTC")
    else:  # not a time pandas can hold: let it say so
        idx = pd.to_datetime(ns, utc=True)
    out = pd.Series(beats.bpm, index=idx).sort_index()
    out = out[(out > 0) & (out < 255)]
    return out[~out.index.duplicated()]


def gather(seq: list[np.ndarray], bpm: list[np.ndarray], event: list[np.ndarray], twelve: list[np.ndarray],
           anchors: list[tuple[int, float, float, int]], message_seqs: np.ndarray) -> HrBeats:
    """Beats in file order, each tied to its anchor, from parts in any order.

    ``seq``, ``bpm``, ``event`` and ``twelve`` are parallel parts (one per
    layout); within a message its beats keep their order. ``anchors`` holds
    (sequence number, UTC [s since the Unix epoch], first event [s], last event
    [1/1024 s]) per anchor message.
    """
    order_a = sorted(anchors)
    anchor_seq = np.array([a[0] for a in order_a], dtype=np.int64)
    s = np.concatenate(seq) if seq else np.zeros(0, np.int64)
    order = np.argsort(s, kind="stable")  # the beats of one message stay in their order
    s = s[order]
    segment = np.searchsorted(anchor_seq, s, side="right") - 1
    keep = segment >= 0
    order, s, segment = order[keep], s[keep], segment[keep]

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype)[order] if parts else np.zeros(0, dtype)

    return HrBeats(s, cat(bpm, np.float64), cat(event, np.float64), cat(twelve, np.bool_), segment,
                   anchor_seq, np.array([a[1] for a in order_a], dtype=np.float64),
                   np.array([a[2] for a in order_a], dtype=np.float64),
                   np.array([a[3] for a in order_a], dtype=np.int64), message_seqs)


def _layout(d: Definition) -> dict[int, tuple[int, int]] | None:
    """Field number -> (position, count) of an ``hr`` layout the bulk path reads; None otherwise."""
    out: dict[int, tuple[int, int]] = {}
    for f in d.fields:
        if f.is_dev or f.num in out or f.count < 1:
            return None
        spec = _FIELDS.get(f.num)
        if f.field is None:  # a field the profile does not know: skipped, as the importer does
            if f.base.identifier not in _SKIPPABLE_BASES:
                return None
            continue
        if spec is None or f.base.identifier != spec[0] or (spec[3] and f.count != 1):
            return None
        out[f.num] = (f.pos, f.count)
    if EVENT_TIMESTAMP in out and EVENT_TIMESTAMP_12 in out:
        return None
    return out


def _column(block: np.ndarray, at: tuple[int, int], num: int, endian: str) -> tuple[np.ndarray, np.ndarray]:
    """An ``(n, count)`` field as integers and its valid mask."""
    _, code, invalid, _ = _FIELDS[num]
    pos, count = at
    width = np.dtype(code).itemsize
    raw = block[:, pos:pos + count * width].copy().view(endian + code).astype(np.int64)
    return raw, raw != invalid


def _compact(bpm: np.ndarray, valid: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pair each message's valid bpm values, in order, with its first event times."""
    rank = np.cumsum(valid, axis=1) - 1
    keep = valid & (rank < events.shape[1])
    rows = np.nonzero(keep)[0]
    return rows, bpm[keep], events[rows, rank[keep]]


def decode_hr(data: bytes, framed: Framed, stamps: dict[int, float]) -> HrBeats | None:
    """The beats of every framed ``hr`` message, decoded in bulk; None when one needs the
    one-by-one decoder (a layout this path does not read, or a message it would fail on).

    ``stamps`` maps the sequence number of every message with a valid
    ``timestamp`` to its value (``runtwitch.io.fit.bulk.timestamp_index``): the
    one-by-one decoder refuses a 12-bit message unless an earlier ``hr``
    message of the same chained file had an ``event_timestamp`` field and a
    timestamp at or before it, and so does this path.
    """
    defs = [d for d in framed.definitions if d.global_num == HR_MESG and d.has_data]
    layouts = [_layout(d) for d in defs]
    if any(lay is None for lay in layouts):
        return None
    if framed.compressed and any(s in framed.compressed for d in defs for s in d.seq_array().tolist()):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    seq: list[np.ndarray] = []
    bpm: list[np.ndarray] = []
    event: list[np.ndarray] = []
    twelve: list[np.ndarray] = []
    anchors: list[tuple[int, float, float, int]] = []
    starts: list[tuple[int, float]] = []  # (seq, where the 12-bit clock starts) per event_timestamp message
    twelve_seqs: list[np.ndarray] = []
    ts_seqs = sorted(stamps)
    for d, lay in zip(defs, layouts, strict=True):
        assert lay is not None
        seqs = d.seq_array()
        block = message_bytes(arr, d.offset_array(), d.size)
        if FILTERED_BPM in lay:
            b, b_valid = _column(block, lay[FILTERED_BPM], FILTERED_BPM, d.endian)
        else:
            b, b_valid = np.zeros((len(block), 0), np.int64), np.zeros((len(block), 0), bool)
        if EVENT_TIMESTAMP_12 in lay:
            raw, raw_valid = _column(block, lay[EVENT_TIMESTAMP_12], EVENT_TIMESTAMP_12, d.endian)
            if not raw_valid.any(axis=1).all():  # all bytes invalid: the one-by-one decoder fails
                return None
            twelve_seqs.append(seqs)
            rows, beats, values = _compact(b, b_valid, unpack_12bit(raw))
            seq.append(seqs[rows])
            bpm.append(beats)
            event.append(values)
            twelve.append(np.ones(len(rows), dtype=bool))
        elif EVENT_TIMESTAMP in lay:
            starts.extend(_clock_starts(d, block, lay, seqs, stamps, ts_seqs, framed.file_starts))
            evt, evt_valid = _column(block, lay[EVENT_TIMESTAMP], EVENT_TIMESTAMP, d.endian)
            if TIMESTAMP_FIELD not in lay:  # no UTC time: not an anchor, no beats
                continue
            ts, ts_valid = _column(block, lay[TIMESTAMP_FIELD], TIMESTAMP_FIELD, d.endian)
            ok = evt_valid.all(axis=1) & ts_valid[:, 0] & (ts[:, 0] >= FIT_DATETIME_MIN)
            if not ok.any():
                continue
            frac = np.zeros(len(block))
            if FRACTIONAL_TIMESTAMP in lay:
                fr, fr_valid = _column(block, lay[FRACTIONAL_TIMESTAMP], FRACTIONAL_TIMESTAMP, d.endian)
                frac = np.where(fr_valid[:, 0], fr[:, 0] / float(FRACTION_UNITS_PER_S), 0.0)
            seconds = evt / float(EVENT_UNITS_PER_S)
            utc = (FIT_EPOCH_UNIX_S + ts[:, 0]).astype(np.float64) + frac
            anchors.extend(zip(seqs[ok].tolist(), utc[ok].tolist(), seconds[ok, 0].tolist(),
                               evt[ok, -1].tolist(), strict=True))
            rows, beats, values = _compact(b[ok], b_valid[ok], seconds[ok])
            seq.append(seqs[ok][rows])
            bpm.append(beats)
            event.append(values)
            twelve.append(np.zeros(len(rows), dtype=bool))
    if twelve_seqs and not _clock_started(np.concatenate(twelve_seqs), starts, framed.file_starts):
        return None
    message_seqs = np.sort(np.concatenate([d.seq_array() for d in defs])) if defs \
        else np.zeros(0, np.int64)
    return gather(seq, bpm, event, twelve, anchors, message_seqs)


def _clock_starts(d: Definition, block: np.ndarray, lay: dict[int, tuple[int, int]], seqs: np.ndarray,
                  stamps: dict[int, float], ts_seqs: list[int],
                  file_starts: list[int]) -> list[tuple[int, float]]:
    """Where the one-by-one decoder's 12-bit clock starts at each ``event_timestamp`` message.

    It is the message's own ``timestamp`` when that field comes first and is
    valid, else the last valid timestamp before the message in its chained file
    (0 when there is none).
    """
    own = None
    fields = [f.num for f in d.fields]
    if TIMESTAMP_FIELD in lay and fields.index(TIMESTAMP_FIELD) < fields.index(EVENT_TIMESTAMP):
        ts, ts_valid = _column(block, lay[TIMESTAMP_FIELD], TIMESTAMP_FIELD, d.endian)
        own = np.where(ts_valid[:, 0], ts[:, 0], -1).tolist()
    out = []
    for k, s in enumerate(seqs.tolist()):
        if own is not None and own[k] >= 0:
            out.append((s, own[k]))
            continue
        i = bisect.bisect_left(ts_seqs, s) - 1
        file_start = file_starts[bisect.bisect_right(file_starts, s) - 1]
        out.append((s, stamps[ts_seqs[i]] if i >= 0 and ts_seqs[i] >= file_start else 0))
    return out


def _clock_started(twelve_seqs: np.ndarray, starts: list[tuple[int, float]], file_starts: list[int]) -> bool:
    """True when every 12-bit message follows, in its chained file, an event_timestamp message
    whose clock start is a whole number of seconds in the FIT date range (not 0)."""
    starts.sort()
    start_seqs = np.array([s for s, _ in starts], dtype=np.int64)
    at = np.searchsorted(start_seqs, twelve_seqs, side="right") - 1
    if (at < 0).any():
        return False
    fs = np.asarray(file_starts, dtype=np.int64)
    same_file = np.searchsorted(fs, start_seqs[at], side="right") == np.searchsorted(fs, twelve_seqs,
                                                                                     side="right")
    if not same_file.all():
        return False
    clocks = [starts[i][1] for i in np.unique(at).tolist()]
    return all(isinstance(c, int) and 0 < c < 2**32 for c in clocks)
