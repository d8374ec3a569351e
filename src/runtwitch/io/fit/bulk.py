"""Decoding FIT record messages in bulk with numpy.

Record messages are the bulk of every activity. After framing
(``runtwitch.io.fit.frame``), the records of each definition are decoded in
one go: their bytes are gathered into an ``(n, size)`` array and each field is
viewed as a numpy dtype of the right width and byte order; invalid-value
sentinels become NaN, scale and offset are applied to whole columns,
components (``speed`` -> ``enhanced_speed``, ``compressed_speed_distance``...)
are unpacked with shifts and masks, and accumulated components are rebuilt
with a cumulative sum of wrapped differences. A definition that uses a
profile feature this path does not cover goes through the one-by-one decoder
(:func:`needs_rows`).

The semantics follow fitdecode, which stays available as
``read_fit(..., engine="fitdecode")``; ``tests/io/fit/test_fitnumpy.py`` checks that
both engines give the same activity for every FIT file of the shared corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from runtwitch.io.fit.adapter import BYTE_ID, STRING_ID
from runtwitch.io.fit.types import (
    FIT_DATETIME_MIN,
    RECORD_MESG,
    TIMESTAMP_FIELD,
    Definition,
    FieldDef,
    Framed,
)

#: numpy dtype code and invalid sentinel per FIT base type number.
_NUMERIC: dict[int, tuple[str, float | None]] = {
    0x00: ("u1", 0xFF), 0x01: ("i1", 0x7F), 0x02: ("u1", 0xFF), 0x83: ("i2", 0x7FFF),
    0x84: ("u2", 0xFFFF), 0x85: ("i4", 0x7FFFFFFF), 0x86: ("u4", 0xFFFFFFFF),
    0x88: ("f4", None), 0x89: ("f8", None), 0x0A: ("u1", 0), 0x8B: ("u2", 0), 0x8C: ("u4", 0),
    0x8E: ("i8", 0x7FFFFFFFFFFFFFFF), 0x8F: ("u8", 0xFFFFFFFFFFFFFFFF), 0x90: ("u8", 0),
}


def int_array(values: list[int]) -> np.ndarray:
    """A list of Python ints (offsets, sequence numbers) as an int64 array.

    ``np.fromiter`` with the count known reads a list of Python ints 15-25 %
    faster than ``np.asarray``.
    """
    return np.fromiter(values, dtype=np.int64, count=len(values))


def message_bytes(arr: np.ndarray, offsets: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes at each of ``offsets`` in ``arr`` as one ``(n, width)`` array.

    Rows are copied whole from a sliding-window view (about 4x faster than
    indexing every byte), made directly on ``arr``'s bytes (``arr`` is a
    contiguous ``uint8`` array, as ``np.frombuffer`` gives; numpy's
    ``sliding_window_view`` gives the same view with 10-20 us of checks a
    call); framing guarantees each message lies inside ``arr``.
    """
    if not width or not len(offsets):
        return np.zeros((len(offsets), width), np.uint8)
    windows = np.ndarray((len(arr) - width + 1, width), dtype=np.uint8, buffer=arr, strides=(1, 1))
    rows: np.ndarray = windows[offsets]
    return rows


def _raw_column(block: np.ndarray, f: FieldDef, endian: str) -> tuple[np.ndarray, np.ndarray] | None:
    """One single-valued numeric field as (values, valid) arrays; None for other fields."""
    spec = _NUMERIC.get(f.base.identifier)
    if spec is None or f.count != 1:
        return None
    code, invalid = spec
    dtype = np.dtype(endian + code)
    if len(block) and block.flags.c_contiguous:
        # A strided view of the field's bytes in every row: no copy (about 5x faster).
        raw = np.ndarray((len(block),), dtype=dtype, buffer=block, offset=f.pos, strides=(block.strides[0],))
    else:
        raw = block[:, f.pos:f.pos + f.base.size].copy().view(dtype).reshape(-1)
    valid = ~np.isnan(raw) if invalid is None else raw != invalid
    return raw, valid


@dataclass
class Column:
    """One value a record message contributes, in message field order."""

    name: str  # the FIT field name (or developer field name)
    units: Any
    values: np.ndarray  # float64
    valid: np.ndarray  # bool: a number is there
    other: np.ndarray  # bool: a value is there but it is not a single number
    other_units: Any = None  # units of the non-number values (date-times lose theirs)
    is_dev: bool = False
    dev_data_index: int = -1


@dataclass
class Group:
    """The record messages of one definition, decoded column by column."""

    seqs: np.ndarray
    columns: list[Column]
    time: np.ndarray  # FIT seconds (float, NaN when missing), before compressed headers


_TIME_TYPES = ("date_time", "local_date_time", "localtime_into_day")


def needs_rows(d: Definition) -> bool:
    """True when a record definition uses a profile feature the bulk path does not cover."""
    mt = d.mesg_type
    for f in d.fields:
        fld = f.field
        if f.is_dev or fld is None:
            continue
        if fld.subfields:
            return True
        if fld.type.name in _TIME_TYPES and (f.count != 1 or f.base.identifier not in _NUMERIC):
            return True  # the one-by-one decoder fails on it where fitdecode does
        if fld.components:
            byte = f.base.identifier == BYTE_ID
            if (byte and f.count > 7) or (not byte and (f.count != 1 or f.base.identifier in (0x88, 0x89))):
                return True
            for c in fld.components:
                target = mt.fields.get(c.def_num)
                if target is None or target.type.enum or target.subfields:
                    return True
    return False


def _int_column(block: np.ndarray, f: FieldDef, endian: str) -> tuple[np.ndarray, np.ndarray]:
    """A component source as unsigned integers: numbers, or little-endian packed bytes."""
    if f.base.identifier == BYTE_ID:
        raw = block[:, f.pos:f.pos + f.count].astype(np.int64)
        valid = ~(raw == 0xFF).all(axis=1)
        packed = np.zeros(len(raw), dtype=np.int64)
        for i in range(f.count):
            packed |= raw[:, i] << (8 * i)
        return packed, valid
    col = _raw_column(block, f, endian)
    assert col is not None
    values, valid = col
    return values.astype(np.int64), valid


def _past_the_bytes(f: FieldDef, c: Any) -> bool:
    """A component of a byte-array field that starts past its bytes (fitdecode skips it)."""
    return f.base.identifier == BYTE_ID and (c.bit_offset or 0) >= f.count * 8


def _apply_scale(fld: Any, v: np.ndarray) -> np.ndarray:
    """``v`` as a new float64 array, divided by the field's scale and less its offset."""
    out = v.astype(np.float64)
    if fld.scale:
        out /= fld.scale
    if fld.offset:
        out -= fld.offset
    return out


def _accumulated(
    defs: list[Definition], blocks: dict[int, np.ndarray], resets: list[tuple[int, int, int, frozenset[int]]]
) -> dict[tuple[int, int, int], np.ndarray]:
    """Accumulated component values per (definition, field, component), in file order.

    fitdecode keeps one accumulator per message type and component target,
    reset to 0 by every definition that declares the source field; a value
    ``v`` of ``bits`` bits then advances the accumulator by ``(v - last) mod
    2**bits``. The sum of those steps is a cumulative sum.
    """
    sources: dict[int, list[tuple[int, int, int, Any]]] = {}
    for di, d in enumerate(defs):
        for fi, f in enumerate(d.fields):
            if f.is_dev or f.field is None or not f.field.components:
                continue
            for ci, c in enumerate(f.field.components):
                if c.accumulate:
                    sources.setdefault(c.def_num, []).append((di, fi, ci, c))
    out: dict[tuple[int, int, int], np.ndarray] = {}
    for target, srcs in sources.items():
        seq_parts, val_parts, key_parts = [], [], []
        starts = sorted(seq for seq, _, g, targets in resets if g == RECORD_MESG and target in targets)
        for k, (di, fi, ci, c) in enumerate(srcs):
            d = defs[di]
            f = d.fields[fi]
            seqs = d.seq_array()[: len(blocks[di])]
            if _past_the_bytes(f, c):
                continue
            raw, valid = _int_column(blocks[di], f, d.endian)
            vals = (raw >> c.bit_offset) & ((1 << c.bits) - 1)
            seq_parts.append(seqs[valid])
            val_parts.append(vals[valid])
            key_parts.append(np.full(int(valid.sum()), k))
            out[(di, fi, ci)] = np.full(len(raw), np.nan)
        if not seq_parts:
            continue
        seq = np.concatenate(seq_parts)
        val = np.concatenate(val_parts)
        key = np.concatenate(key_parts)
        order = np.argsort(seq, kind="stable")
        seq, val, key = seq[order], val[order], key[order]
        modulus = 1 << srcs[0][3].bits
        segment = np.searchsorted(np.asarray(starts, dtype=np.int64), seq, side="right")
        first = np.concatenate([[True], segment[1:] != segment[:-1]])  # a reset starts each segment
        prev = np.concatenate([[0], val[:-1]])
        prev[first] = 0
        step = (val - prev) % modulus
        csum = np.cumsum(step)
        base = np.maximum.accumulate(np.where(first, np.arange(len(csum)), 0))
        acc = csum - np.concatenate([[0], csum])[base]
        for k, (di, fi, ci, c) in enumerate(srcs):
            if (di, fi, ci) not in out:
                continue
            d = defs[di]
            seqs = d.seq_array()[: len(blocks[di])]
            mine = key == k
            target_vals = np.full(len(seqs), np.nan)
            pos = np.searchsorted(seqs, seq[mine])
            target_vals[pos] = acc[mine].astype(np.float64)
            out[(di, fi, ci)] = _apply_scale(c, target_vals)
    return out


def decode_record_groups(data: bytes, framed: Framed, cut: int) -> list[Group] | None:
    """Decode every record message framed before message ``cut``, definition by definition.

    Returns None when a record definition needs the one-by-one decoder.
    """
    defs = [d for d in framed.definitions
            if d.global_num == RECORD_MESG and d.has_data and d.numbers[0] < cut]
    if any(needs_rows(d) for d in defs):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    blocks: dict[int, np.ndarray] = {}
    for di, d in enumerate(defs):
        seqs = d.seq_array()
        k = int(np.searchsorted(seqs, cut)) if seqs[-1] >= cut else len(seqs)
        blocks[di] = message_bytes(arr, d.offset_array()[:k], d.size)
    acc = _accumulated(defs, blocks, [r for r in framed.resets if r[0] < cut])
    groups = []
    for di, d in enumerate(defs):
        block = blocks[di]
        n = len(block)
        columns: list[Column] = []
        time = np.full(n, np.nan)
        none = np.zeros(n, dtype=bool)
        plain = _plain_columns(block, d, none)
        for fi, f in enumerate(d.fields):
            fld = f.field
            if not f.is_dev and fld is not None and fld.components:
                for ci, c in enumerate(fld.components):
                    target = d.mesg_type.fields[c.def_num]
                    if c.accumulate:
                        if (di, fi, ci) not in acc:
                            continue
                        vals = acc[(di, fi, ci)]
                        valid = ~np.isnan(vals)
                    else:
                        if _past_the_bytes(f, c):
                            continue
                        raw, valid = _int_column(block, f, d.endian)
                        vals = _apply_scale(c, (raw >> c.bit_offset) & ((1 << c.bits) - 1))
                    vals = np.where(valid, vals, np.nan)
                    columns.append(Column(target.name, target.units, vals, valid, np.zeros(n, bool)))
            main = plain.get(fi)
            columns.append(main if main is not None else _main_column(block, f, d.endian, n, none))
            if columns[-1].name == "timestamp":
                time = np.where(columns[-1].valid, columns[-1].values, np.nan)
                columns.pop()
        groups.append(Group(d.seq_array()[:n], columns, time))
    return groups


class _PlainPlan:
    """How to decode a record layout's plain numeric fields with one cast (see :func:`_plain_columns`).

    A plain field holds one number of at most 32 bits (or a float) and is
    read as :func:`_main_column` reads it with no enum, bool or time rule:
    its value is the number, scaled, NaN where the invalid sentinel (or a
    NaN) is stored. ``dtype`` views a message's bytes as those fields
    (at their positions, in the file's byte order), ``packed`` is as many
    float64 fields side by side; ``fields`` the same one field at a time.
    """

    __slots__ = ("dtype", "fields", "floats", "invalid", "offset", "packed", "positions", "scale")

    def __init__(self, d: Definition) -> None:
        self.positions: list[int] = []  # indexes in ``d.fields``
        formats, places, invalid, scale, offset = [], [], [], [], []
        for fi, f in enumerate(d.fields):
            spec = _NUMERIC.get(f.base.identifier)
            if spec is None or f.count != 1 or spec[0] in ("i8", "u8"):
                continue  # not one number, or 64-bit integers (not exact as float64)
            fld = f.field
            if not f.is_dev and fld is not None:
                type_name = fld.type.name
                if fld.type.enum or type_name == "bool" or (
                        type_name in _TIME_TYPES and fld.name != "timestamp"):
                    continue
                scale.append(float(fld.scale) if fld.scale else 1.0)
                offset.append(float(fld.offset) if fld.offset else 0.0)
            else:
                scale.append(1.0)
                offset.append(0.0)
            self.positions.append(fi)
            formats.append(d.endian + spec[0])
            places.append(f.pos)
            invalid.append(np.nan if spec[1] is None else float(spec[1]))
        names = [f"f{i}" for i in range(len(formats))]
        self.dtype = np.dtype({"names": names, "formats": formats, "offsets": places, "itemsize": d.size})
        self.fields = [(np.dtype(f), p) for f, p in zip(formats, places, strict=True)]  # one by one
        self.packed = np.dtype({"names": names, "formats": [np.float64] * len(names)})
        # as columns: (fields, 1), against values of shape (fields, messages)
        self.invalid = np.array(invalid).reshape(-1, 1)
        self.floats = bool(np.isnan(self.invalid).any())
        self.scale = np.array(scale).reshape(-1, 1) if any(x != 1.0 for x in scale) else None
        self.offset = np.array(offset).reshape(-1, 1) if any(offset) else None


#: From this many messages on, :func:`_plain_columns` casts field by field (strided views) rather
#: than all fields in one structured cast, which is slower per value (measured crossover: 1,000-2,000).
_CAST_BY_FIELD = 2048
#: Most plain-field plans remembered across files (see :func:`_plain_columns`).
PLAIN_PLAN_CACHE_SIZE = 1024
_plain_plans: dict[Any, _PlainPlan] = {}


def _plain_key(d: Definition) -> Any:
    """What a :class:`_PlainPlan` depends on: the definition's bytes, or for one with developer
    fields, its byte order, size and each field's place, base type, count and profile field
    (a developer field's own description does not change how its number is read)."""
    if d.layout:
        return d.layout
    return (d.endian, d.size, tuple((f.pos, f.base.identifier, f.count, f.is_dev,
                                     None if f.is_dev else id(f.field)) for f in d.fields))


def _plain_columns(block: np.ndarray, d: Definition, none: np.ndarray) -> dict[int, Column]:
    """The columns of ``d``'s plain numeric fields (by index in ``d.fields``), decoded together.

    Equal to :func:`_main_column` field by field: the fields are cast to
    float64 in one call (a structured view of the messages' bytes; field by
    field from :data:`_CAST_BY_FIELD` messages on), and the invalid values,
    the scale and the offset are applied to all of them at once, instead of
    several numpy calls for each field (10-50 us each, most of the cost of
    the small record groups that one-hour files have besides the main one).
    """
    key = _plain_key(d)
    plan = _plain_plans.get(key)
    if plan is None:
        if len(_plain_plans) >= PLAIN_PLAN_CACHE_SIZE:
            _plain_plans.clear()
        plan = _plain_plans[key] = _PlainPlan(d)
    k = len(plan.positions)
    if not k:
        return {}
    n = len(block)
    if not block.flags.c_contiguous:
        block = np.ascontiguousarray(block)
    # one float64 row per field (contiguous columns; numpy's loops run along the messages)
    if n >= _CAST_BY_FIELD:
        values = np.empty((k, n))
        for j, (dtype, pos) in enumerate(plan.fields):
            values[j] = np.ndarray((n,), dtype=dtype, buffer=block, offset=pos, strides=(d.size,))
    elif n:
        cast = np.ndarray((n,), dtype=plan.dtype, buffer=block).astype(plan.packed)
        # (``view`` would check the structured dtype on every call: 5-10 us)
        values = np.ndarray((n, k), dtype=np.float64, buffer=cast).T.copy()
    else:
        values = np.empty((k, 0))
    valid = values != plan.invalid
    if plan.floats:
        valid &= ~np.isnan(values)
    if plan.scale is not None:
        values /= plan.scale
    if plan.offset is not None:
        values -= plan.offset
    values[~valid] = np.nan
    out = {}
    for j, fi in enumerate(plan.positions):
        f = d.fields[fi]
        name, units, _ = _naming(f)
        out[fi] = Column(name, units, values[j], valid[j], none, units, f.is_dev, f.dev_data_index)
    return out


def _naming(f: FieldDef) -> tuple[str, str | None, str]:
    """A record field's column name, units and type name (``unknown_<number>`` for a field the
    profile does not know)."""
    fld = f.field
    if f.is_dev:
        return str(fld.name), fld.units, fld.type.name
    if fld is None:
        return f"unknown_{f.num}", None, f.base.name
    return fld.name, fld.units, fld.type.name


def _main_column(block: np.ndarray, f: FieldDef, endian: str, n: int, none: np.ndarray) -> Column:
    """The column of one record field; ``none`` is an all-False mask of the group's length
    (shared by the columns of a group: no column changes it)."""
    fld = f.field
    name, units, type_name = _naming(f)
    col = Column(name, units, none, none, none, units, f.is_dev, f.dev_data_index)
    ident = f.base.identifier
    raw_valid = None if ident in (STRING_ID, BYTE_ID) else _raw_column(block, f, endian)
    if raw_valid is None:
        col.values = np.full(n, np.nan)
        if ident == STRING_ID:  # string: present unless empty
            col.other = block[:, f.pos] != 0 if f.count else none
        elif ident == BYTE_ID:
            col.other = ~(block[:, f.pos:f.pos + f.count] == 0xFF).all(axis=1)
        else:  # an array of numbers: a tuple in every message
            col.other = np.ones(n, dtype=bool)
        return col
    raw, valid = raw_valid
    enum = None if f.is_dev or fld is None else fld.type.enum
    if enum:
        named = np.isin(raw, np.fromiter(enum.keys(), dtype=np.int64, count=len(enum))) & valid
        col.other = named
        valid = valid & ~named
    if type_name == "bool":
        col.values, col.valid = np.where(valid, (raw != 0).astype(np.float64), np.nan), valid
        return col
    values = raw.astype(np.float64) if f.is_dev or fld is None else _apply_scale(fld, raw)
    if type_name in _TIME_TYPES and name != "timestamp":
        dated = valid if type_name != "date_time" else valid & (raw >= FIT_DATETIME_MIN)
        col.other = col.other | dated
        col.other_units = None
        valid = valid & ~dated
    values[~valid] = np.nan  # a new array (from astype or scaling): masked in place
    col.values = values
    col.valid = valid
    return col


def compressed_times(framed: Framed, groups_ts: dict[int, float]) -> dict[int, int]:
    """Timestamps of messages with a compressed header, by message sequence number.

    ``groups_ts`` maps the sequence number of every message carrying a valid
    ``timestamp`` field to its raw value; a compressed header advances the last
    timestamp by its 5-bit offset, wrapping at 32 s (FIT protocol, compressed
    timestamp header), and each chained file starts again from 0.

    Computed at once: after the last timestamp ``T`` before it, the ``k``-th
    compressed header of a stretch is at ``T`` plus the sum of its offsets'
    advances, each ``(offset - previous offset) mod 32`` (the first one's from
    ``T mod 32``), as the message-by-message walk (``accumulate``) gives.
    A timestamp that is no FIT time (not finite, negative, or 2**32 or more)
    anchors nothing.
    """
    if not framed.compressed:
        return {}
    seqs = np.fromiter(framed.compressed, dtype=np.int64, count=len(framed.compressed))
    offsets = np.fromiter(framed.compressed.values(), dtype=np.int64, count=len(seqs))
    order = np.argsort(seqs, kind="stable")
    seqs, offsets = seqs[order], offsets[order]
    # What sets the time before a compressed header: a file's start (0), then a timestamp field
    # at the same or an earlier message (a start sorts before a timestamp of the same message).
    stamped = np.fromiter(groups_ts, dtype=np.int64, count=len(groups_ts))
    stamps = np.fromiter(groups_ts.values(), dtype=np.float64, count=len(groups_ts))
    fit_time = np.isfinite(stamps) & (stamps >= 0) & (stamps < 2.0**32)
    starts = np.asarray(framed.file_starts, dtype=np.int64)
    at = np.concatenate([starts, stamped[fit_time]])
    value = np.concatenate([np.zeros(len(starts), np.int64), stamps[fit_time].astype(np.int64)])
    by = np.lexsort((np.arange(len(at)) >= len(starts), at))
    at, value = at[by], np.append(value[by], 0)  # value[-1]: 0, the time before any anchor
    last = np.searchsorted(at, seqs, side="right") - 1
    base = value[last]
    first = np.ones(len(seqs), dtype=bool)
    first[1:] = last[1:] != last[:-1]
    previous = np.where(first, base, np.concatenate([[0], offsets[:-1]])) & 0x1F
    step = (offsets - previous) & 0x1F
    advance = np.cumsum(step)
    before = (advance - step)[first]  # the sum before each stretch
    times = base + advance - before[np.cumsum(first) - 1]
    return dict(zip(seqs.tolist(), times.tolist(), strict=True))


def timestamp_index(data: bytes, framed: Framed) -> dict[int, float]:
    """Raw ``timestamp`` field of every message that has a valid one (seq -> FIT seconds)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    out: dict[int, float] = {}
    for d in framed.definitions:
        if not d.has_data:
            continue
        f = next((f for f in d.fields if f.num == TIMESTAMP_FIELD and not f.is_dev), None)
        if f is None:
            continue
        block = message_bytes(arr, d.offset_array() + f.pos, f.count * f.base.size)
        shifted = FieldDef(f.num, f.size, f.count, f.base, 0, f.field)
        col = _raw_column(block, shifted, d.endian)
        if col is None:
            continue
        raw, valid = col
        out.update(zip(d.seq_array()[valid].tolist(), raw[valid].tolist(), strict=True))
    return out
