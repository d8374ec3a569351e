"""Fast FIT decoding: frame every message in one pass, decode records in bulk with numpy.

The reader makes one tight pass over the bytes that only *frames* messages:
it reads headers and definition messages and notes, for each local definition,
where its data messages start. Record messages (the bulk of every activity)
are then decoded per definition in one go: their bytes are gathered into an
``(n, size)`` array and each field is viewed as a numpy dtype of the right
width and byte order; invalid-value sentinels become NaN, scale and offset are
applied to whole columns, components (``speed`` -> ``enhanced_speed``,
``compressed_speed_distance``...) are unpacked with shifts and masks, and
accumulated components are rebuilt with a cumulative sum of wrapped
differences. The few other messages runtwitch uses (sessions, laps, events,
file ids, heart-rate messages...) are decoded one by one.

Field definitions come from the FIT profile that fitdecode generates from the
Garmin FIT SDK (:data:`PROFILE_SDK_VERSION`). The semantics (sub-fields,
components, accumulation, compressed timestamps, developer fields, invalid
values, the COROS field-size fallback) follow fitdecode, which stays available
as ``read_fit(..., engine="fitdecode")``; ``tests/io/test_fitnumpy.py`` checks
that both engines give the same activity for every file of the shared corpus.
"""

from __future__ import annotations

import datetime as _dt
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from fitdecode import profile as _profile
from fitdecode import types as _types

from runtwitch.io._fitcrc import crc16

#: The FIT SDK version of the profile used (read from fitdecode's generated profile).
PROFILE_SDK_VERSION: str = "unknown"
_m = re.search(r"SDK VERSION ([0-9.]+)", Path(_profile.__file__).read_text(encoding="utf-8")[:600])
if _m:
    PROFILE_SDK_VERSION = _m.group(1)

FIT_UTC_REFERENCE = 631065600
FIT_DATETIME_MIN = 0x10000000
RECORD_MESG = 20
_FIELD_DESCRIPTION = 206
_DEVELOPER_DATA_ID = 207
HR_MESG = 132
#: Most messages (definitions and data) read from one file. A day-long recording at
#: 1 Hz has about 90,000 (this limit is 23 days of it); the limit stops a small gzip
#: that expands to hundreds of millions of empty messages from exhausting memory
#: (each costs about 70 bytes of bookkeeping) or time. Change it on this module.
MAX_FIT_MESSAGES = 2_000_000
#: Most field definitions held at once (repeated identical definitions are shared).
MAX_FIT_FIELD_DEFINITIONS = 1_000_000
#: Global messages decoded one by one (what the FIT importer reads besides records).
ROW_MESSAGES = frozenset({0, 12, 18, 19, 21, 34, 132, 162})

#: numpy dtype code and invalid sentinel per FIT base type number.
_NUMERIC: dict[int, tuple[str, float | None]] = {
    0x00: ("u1", 0xFF), 0x01: ("i1", 0x7F), 0x02: ("u1", 0xFF), 0x83: ("i2", 0x7FFF),
    0x84: ("u2", 0xFFFF), 0x85: ("i4", 0x7FFFFFFF), 0x86: ("u4", 0xFFFFFFFF),
    0x88: ("f4", None), 0x89: ("f8", None), 0x0A: ("u1", 0), 0x8B: ("u2", 0), 0x8C: ("u4", 0),
    0x8E: ("i8", 0x7FFFFFFFFFFFFFFF), 0x8F: ("u8", 0xFFFFFFFFFFFFFFFF), 0x90: ("u8", 0),
}


class FitFailure(Exception):
    """Why decoding stopped: ``kind`` is eof, header, crc, parse, undecodable or limit."""

    def __init__(self, kind: str, offset: int | None, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.offset = offset


@dataclass(slots=True)
class FieldDef:
    num: int
    size: int
    count: int
    base: Any  # fitdecode BaseType
    pos: int  # byte position inside the data message payload
    field: Any  # profile Field, DevField or None
    is_dev: bool = False
    dev_data_index: int = -1


@dataclass(slots=True)
class Definition:
    global_num: int
    endian: str
    fields: list[FieldDef]
    size: int
    seq: int  # position in the message sequence (for accumulator resets)
    file_index: int
    zero_field: bool = False
    developer: bool = False  # a developer_data_id or field_description message
    offsets: list[int] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)

    @property
    def mesg_type(self) -> Any:
        return _profile.MESSAGE_TYPES.get(self.global_num)


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


class _Fields:
    """A decoded message in the shape the FIT importer's collector reads from fitdecode."""

    __slots__ = ("fields", "name")

    def __init__(self, name: str, fields: list[_FieldData]) -> None:
        self.name = name
        self.fields = fields


class _FieldData:
    __slots__ = ("def_num", "field", "field_def", "name", "raw_value", "type_name", "units", "value")

    def __init__(self, fdef: FieldDef | None, fld: Any, num: int, value: Any, raw: Any) -> None:
        self.field_def = fdef
        self.field = fld
        self.def_num = fld.def_num if fld is not None else num
        self.name = fld.name if fld is not None else f"unknown_{num}"
        self.value = value
        self.raw_value = raw
        self.units = fld.units if fld is not None else None
        if fld is not None:
            self.type_name = fld.type.name
        else:
            self.type_name = fdef.base.name if fdef is not None else ""


class _DevTypes:
    """Developer data ids and field descriptions of the current chained file."""

    def __init__(self) -> None:
        self.types: dict[Any, dict[int, Any]] = {}

    def add_id(self, index: Any) -> None:
        self.types[index] = {}

    def lookup(self, index: int, num: int, where: str, warn: list[str]) -> Any:
        if index not in self.types:
            warn.append(f"dev_data_index {index} not defined (looking up for field {num}; {where}); "
                        "adding dummy type...")
            self.add_id(index)
        fields = self.types[index]
        if num not in fields:
            warn.append(f"no such field {num} for dev_data_index {index} ({where}); "
                        "defaulting to BYTE field type...")
            fields[num] = _types.DevField(index, None, num, _types.BASE_TYPE_BYTE, None, None)
        return fields[num]


def _u16(data: bytes, pos: int, endian: str) -> int:
    return int(data[pos] | (data[pos + 1] << 8)) if endian == "<" else int((data[pos] << 8) | data[pos + 1])


def frame(data: bytes, *, check_crc: bool = True) -> Framed:
    """Frame every message of ``data`` (possibly several chained FIT files).

    Stops at the first damage and records it in ``failure`` with its byte offset;
    everything framed before stays usable.
    """
    out = Framed()
    limit = MAX_FIT_MESSAGES
    compressed = out.compressed
    n = len(data)
    pos = 0
    seq = 0
    file_index = -1
    try:
        while pos < n:
            # --- file header ---
            if n - pos < 12:
                raise FitFailure("header", pos, f"file truncated? {n - pos} bytes left for a FIT header")
            hsize = data[pos]
            if hsize < 12 or data[pos + 8:pos + 12] != b".FIT":
                raise FitFailure("header", pos, f"not a FIT file @ {pos}")
            if hsize > 12:
                if hsize - 12 < 2:
                    raise FitFailure("header", pos, f"unsupported FIT header (CRC field missing; header "
                                     f"offset: {pos})")
                if pos + hsize > n:
                    raise FitFailure("header", pos, f"truncated FIT header (header offset: {pos})")
                hcrc = data[pos + 12] | (data[pos + 13] << 8)
                if hcrc and check_crc and crc16(data[pos:pos + 12]) != hcrc and out.crc_problem is None:
                    out.crc_problem = (pos, f"mismatching CRC in FIT header (header offset: {pos})")
            body = int.from_bytes(data[pos + 4:pos + 8], "little")
            file_index += 1
            out.headers += 1
            out.file_starts.append(seq)
            start = pos
            pos += hsize
            end = pos + body
            defs: dict[int, Definition] = {}
            dev = _DevTypes()
            interned: dict[bytes, tuple[list[FieldDef], int, bool, list[tuple[int, str, int]]]] = {}
            # --- messages ---
            while pos < end:
                if pos >= n:
                    raise FitFailure("eof", pos, f"expected 1 bytes, got 0 @ {pos}")
                if seq >= limit:
                    raise FitFailure("limit", pos, f"more than {limit:,} messages "
                                     "(runtwitch.io._fitnumpy.MAX_FIT_MESSAGES)")
                h = data[pos]
                if h & 0x80:
                    d = defs.get((h >> 5) & 0x3)
                    if d is None:
                        raise FitFailure("parse", pos, f"local message {(h >> 5) & 0x3} not defined")
                    compressed[seq] = h & 0x1F
                elif h & 0x40:
                    pos = _definition(data, pos, h, defs, dev, out, seq, file_index, end, interned)
                    seq += 1
                    continue
                else:
                    d = defs.get(h & 0x0F)
                    if d is None:
                        raise FitFailure("parse", pos, f"local message {h & 0x0F} not defined")
                nxt = pos + 1 + d.size
                if nxt > n or d.zero_field:
                    _raise_damage(d, pos, n)
                if nxt > end:
                    raise FitFailure("undecodable", pos, "AssertionError: message runs past the data size")
                offsets = d.offsets
                if not offsets:
                    out.definitions.append(d)  # only definitions with data are kept
                offsets.append(pos + 1)
                d.seqs.append(seq)
                if d.developer:
                    _dev_message(data, d, pos, dev, out)
                seq += 1
                pos = nxt
            # --- file CRC ---
            if pos + 2 > n:
                raise FitFailure("eof", pos, f"expected 2 bytes, got {n - pos} @ {pos}")
            if check_crc:
                read = data[pos] | (data[pos + 1] << 8)
                computed = crc16(memoryview(data)[start:pos])
                if read != computed and out.crc_problem is None:
                    out.crc_problem = (pos, f"mismatching CRC in FIT footer (footer offset: {pos}; "
                                       f"read crc: {read}; expected crc: {computed})")
            pos += 2
    except FitFailure as exc:
        out.failure = exc
    except Exception as exc:  # a malformed developer message (fitdecode fails the same way)
        out.failure = FitFailure("undecodable", pos, f"{type(exc).__name__}: {exc}")
    out.n_messages = seq
    return out


def _raise_damage(d: Definition, pos: int, n: int) -> None:
    """Fail like a field-by-field reader: the first field that is empty or past the end."""
    at = pos + 1
    for f in d.fields:
        width = f.count * f.base.size
        if width == 0:
            raise FitFailure("undecodable", pos, "ValueError: size (a field of size 0)")
        if at + width > n:
            raise FitFailure("eof", at, f"expected {width} bytes, got {max(0, n - at)} @ {at}")
        at += width
    raise FitFailure("eof", at, f"file ends @ {at}")  # pragma: no cover - the widths add up to d.size


def _definition(data: bytes, pos: int, h: int, defs: dict[int, Definition], dev: _DevTypes,
                out: Framed, seq: int, file_index: int, end: int,
                interned: dict[bytes, tuple[list[FieldDef], int, bool, list[tuple[int, str, int]]]]) -> int:
    n = len(data)
    head = pos
    if pos + 6 > n:
        raise FitFailure("eof", pos + 1, f"expected 5 bytes, got {max(0, n - pos - 1)} @ {pos + 1}")
    endian = ">" if data[pos + 2] else "<"
    global_num = _u16(data, pos + 3, endian)
    nfields = data[pos + 5]
    key = bytes(data[pos + 1:pos + 6 + 3 * nfields]) if not h & 0x20 else b""
    known = interned.get(key) if key and len(key) == 5 + 3 * nfields else None
    if known is not None:  # the same definition again: share its field list
        fields, at, zero, notes = known
        out.warnings.extend(_size_warning(head, *note) for note in notes)
        pos += 6 + 3 * nfields
    else:
        fields, at, zero, notes, pos = _fields(data, pos, h, global_num, endian, nfields, dev, out)
        out.field_definitions += len(fields)
        if out.field_definitions > MAX_FIT_FIELD_DEFINITIONS:
            raise FitFailure("limit", head, f"more than {MAX_FIT_FIELD_DEFINITIONS:,} field definitions "
                             "(runtwitch.io._fitnumpy.MAX_FIT_FIELD_DEFINITIONS)")
        if key:
            interned[key] = (fields, at, zero, notes)
    if pos > end:
        raise FitFailure("undecodable", head, "AssertionError: definition runs past the data size")
    targets = frozenset(c.def_num for f in fields
                        if not f.is_dev and f.field is not None and f.field.components
                        for c in f.field.components if c.accumulate)
    if targets:
        out.resets.append((seq, file_index, global_num, targets))
    defs[h & 0x0F] = Definition(global_num, endian, fields, at, seq, file_index, zero,
                                developer=global_num in (_FIELD_DESCRIPTION, _DEVELOPER_DATA_ID))
    return pos


def _size_warning(offset: int, size: int, base: str, base_size: int) -> str:
    return (f"invalid field size {size} in definition message @ {offset} for type {base} "
            f"(expected a multiple of {base_size})")


def _fields(data: bytes, pos: int, h: int, global_num: int, endian: str, nfields: int, dev: _DevTypes,
            out: Framed) -> tuple[list[FieldDef], int, bool, list[tuple[int, str, int]], int]:
    """Read the field (and developer field) definitions of a definition message at ``pos``."""
    n = len(data)
    head = pos
    mesg_type = _profile.MESSAGE_TYPES.get(global_num)
    pos += 6
    fields: list[FieldDef] = []
    notes: list[tuple[int, str, int]] = []  # (size, base type, base size) of odd-sized fields
    at = 0
    zero = False
    for _ in range(nfields):
        if pos + 3 > n:
            raise FitFailure("eof", pos, f"expected 3 bytes, got {max(0, n - pos)} @ {pos}")
        num, size, base_num = data[pos], data[pos + 1], data[pos + 2]
        pos += 3
        fld = mesg_type.fields.get(num) if mesg_type else None
        base = _types.BASE_TYPES.get(base_num, _types.BASE_TYPE_BYTE)
        if size % base.size:
            notes.append((size, base.name, base.size))
            base = _types.BASE_TYPE_BYTE
        count = size // base.size
        zero |= count == 0
        fields.append(FieldDef(num, size, count, base, at, fld))
        at += count * base.size
    out.warnings.extend(_size_warning(head, *note) for note in notes)
    if h & 0x20:
        if pos + 1 > n:
            raise FitFailure("eof", pos, f"expected 1 bytes, got 0 @ {pos}")
        ndev = data[pos]
        pos += 1
        for _ in range(ndev):
            if pos + 3 > n:
                raise FitFailure("eof", pos, f"expected 3 bytes, got {max(0, n - pos)} @ {pos}")
            num, size, index = data[pos], data[pos + 1], data[pos + 2]
            pos += 3
            where = f"local_mesg_num: {h & 0x0F}; global_mesg_num: {global_num}; chunk_offset: {head}"
            dfield = dev.lookup(index, num, where, out.warnings)
            base = dfield.type
            count = int(size / base.size)
            zero |= count == 0
            fields.append(FieldDef(num, size, count, base, at, dfield, True, index))
            at += count * base.size
    return fields, at, zero, notes, pos


# --------------------------------------------------------------------------- values


def _raw_column(block: np.ndarray, f: FieldDef, endian: str) -> tuple[np.ndarray, np.ndarray] | None:
    """One single-valued numeric field as (values, valid) arrays; None for other fields."""
    spec = _NUMERIC.get(f.base.identifier)
    if spec is None or f.count != 1:
        return None
    code, invalid = spec
    raw = block[:, f.pos:f.pos + f.base.size].copy().view(endian + code).reshape(-1)
    valid = ~np.isnan(raw) if invalid is None else raw != invalid
    return raw, valid


def _parse_one(raw: bytes, f: FieldDef, endian: str) -> Any:
    """One field of one message, as fitdecode parses it (tuples for arrays, None for invalid)."""
    base = f.base
    if base.identifier == 0x07:
        return _types.parse_string(raw[: f.count])
    vals = struct.unpack(f"{endian}{f.count}{base.fmt}", raw[: f.count * base.size])
    if base.identifier == _types.BASE_TYPE_BYTE.identifier:
        return base.parse(vals)
    if len(vals) > 1:
        return tuple(base.parse(v) for v in vals)
    return base.parse(vals[0])


def _scale(fld: Any, v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_scale(fld, x) for x in v)
    if isinstance(v, (int, float)):
        if fld.scale:
            v = float(v) / fld.scale
        if fld.offset:
            v = v - fld.offset
    return v


def _accumulate(raw: int, acc: int, bits: int) -> int:
    top = 1 << bits
    base = raw + (acc & ~(top - 1))
    if raw < (acc & (top - 1)):
        base += top
    return base


def _subfield(fld: Any, d: Definition, raws: list[Any]) -> tuple[Any, Any]:
    if fld.subfields:
        for sub in fld.subfields:
            for ref in sub.ref_fields:
                for fd, rv in zip(d.fields, raws, strict=False):
                    if not fd.is_dev and fd.num == ref.def_num and ref.raw_value == rv:
                        return sub, fld
    return fld, None


def _process(fdata: _FieldData) -> None:
    """fitdecode's default data processor: bools, date-times and times of day."""
    t, v = fdata.type_name, fdata.value
    if v is None:
        return
    if t == "bool":
        fdata.value = bool(v)
    elif t == "date_time":
        if v >= FIT_DATETIME_MIN:
            fdata.value = _dt.datetime.fromtimestamp(FIT_UTC_REFERENCE + v, _dt.UTC)
            fdata.units = None
    elif t == "local_date_time":
        fdata.value = _dt.datetime.fromtimestamp(FIT_UTC_REFERENCE + v, _dt.UTC)
        fdata.units = None
    elif t == "localtime_into_day":
        if v >= 86400:
            fdata.value = _dt.time.max
        else:
            m, s = divmod(v, 60)
            hh, m = divmod(m, 60)
            fdata.value = _dt.time(hh, m, s)
        fdata.units = None


class RowState:
    """Per-file state of the one-by-one decoder (accumulators, timestamps)."""

    def __init__(self) -> None:
        self.acc: dict[int, dict[int, int]] = {}
        self.last_ts: Any = 0
        self.hr_start: Any = 0

    def reset(self, global_num: int, targets: frozenset[int]) -> None:
        """A definition declaring accumulated fields was read: their accumulators restart at 0."""
        for t in targets:
            self.acc.setdefault(global_num, {})[t] = 0


def decode_row(data: bytes, d: Definition, offset: int, state: RowState,
               compressed_ts: int | None) -> _Fields:
    """Decode one data message exactly as fitdecode's reader does."""
    raws = [_parse_one(data[offset + f.pos: offset + f.pos + f.count * f.base.size], f, d.endian)
            for f in d.fields]
    out: list[_FieldData] = []
    mt = d.mesg_type
    for f, raw in zip(d.fields, raws, strict=True):
        fld, _parent = f.field, None
        if fld is not None and not f.is_dev:
            fld, _parent = _subfield(fld, d, raws)
            if fld.components:
                is_hr12 = d.global_num == HR_MESG and f.num == 10
                for c in fld.components:
                    try:
                        cv = _render_component(c, raw)
                    except ValueError:
                        continue
                    if c.accumulate and cv is not None:
                        accs = state.acc[d.global_num]
                        cv = _accumulate(cv, accs[c.def_num], c.bits)
                        accs[c.def_num] = cv
                    cv = _scale(c, cv)
                    cfield = mt.fields[c.def_num]
                    cfield, _cp = _subfield(cfield, d, raws)
                    value = cfield.render(cv)
                    if is_hr12:
                        if not state.hr_start:
                            raise AssertionError("hr.event_timestamp_12 before any hr.event_timestamp")
                        value += state.hr_start
                    out.append(_FieldData(None, cfield, c.def_num, value, cv))
            value = _scale(fld, fld.render(raw))
        elif fld is not None:
            value = raw  # developer field: no scale or offset
        else:
            value = raw
        if f.num == 253 and raw is not None and not f.is_dev:
            state.last_ts = value
        elif d.global_num == HR_MESG and not f.is_dev and f.num == 9:
            state.hr_start = state.last_ts
        out.append(_FieldData(f, fld, f.num, value, raw))
    if compressed_ts is not None:
        ts_field = _profile.FIELD_TYPE_TIMESTAMP
        out.append(_FieldData(None, ts_field, 253, ts_field.render(compressed_ts), compressed_ts))
    for fdata in out:
        _process(fdata)
    if d.global_num == HR_MESG and any(x.def_num == 10 for x in out):
        for x in out:
            if x.def_num == 9:
                x.value = _dt.datetime.fromtimestamp(FIT_UTC_REFERENCE + x.value, _dt.UTC)
                x.units = None
    name = mt.name if mt is not None else f"unknown_{d.global_num}"
    return _Fields(name, out)


def _render_component(c: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, tuple):
        if c.bit_offset and c.bit_offset >= len(raw) << 3:
            raise ValueError
        num = 0
        for v in reversed(raw):
            num = (num << 8) + v
        raw = num
    if isinstance(raw, int):
        raw = (raw >> c.bit_offset) & ((1 << c.bits) - 1)
    return raw


def _dev_message(data: bytes, d: Definition, pos: int, dev: _DevTypes, out: Framed) -> None:
    """Register a developer_data_id or field_description message while framing."""
    state = RowState()
    msg = decode_row(data, d, pos + 1, state, None)
    raw: dict[str, Any] = {}
    for x in msg.fields:
        raw.setdefault(x.name, x.raw_value)
    if d.global_num == _DEVELOPER_DATA_ID:
        index = raw.get("developer_data_index")
        if "developer_data_index" not in raw:
            out.warnings.append(f"'developer_data_index' (chunk_offset: {pos}); adding dummy dev data...")
        dev.add_id(None if index is None else int(index))
        return
    for key in ("developer_data_index", "field_definition_number"):
        if key not in raw:
            out.warnings.append(f"'{key}' (chunk_offset: {pos}); adding dummy dev data...")
    index = raw.get("developer_data_index")
    index = None if index is None else int(index)
    if index not in dev.types:
        raise FitFailure("parse", pos, f"developer_data_index {index} not defined")
    base_id = raw.get("fit_base_type_id")
    base = _types.BASE_TYPE_BYTE if base_id is None else _types.BASE_TYPES[base_id]
    num = raw.get("field_definition_number")
    # fitdecode registers the description even without a field number (key None).
    dev.types[index][num] = _types.DevField(  # type: ignore[index]
        index, raw.get("field_name"), num, base, raw.get("units"), raw.get("native_field_num"))


# --------------------------------------------------------------------------- records in bulk


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
            byte = f.base.identifier == _types.BASE_TYPE_BYTE.identifier
            if (byte and f.count > 7) or (not byte and (f.count != 1 or f.base.identifier in (0x88, 0x89))):
                return True
            for c in fld.components:
                target = mt.fields.get(c.def_num)
                if target is None or target.type.enum or target.subfields:
                    return True
    return False


def _int_column(block: np.ndarray, f: FieldDef, endian: str) -> tuple[np.ndarray, np.ndarray]:
    """A component source as unsigned integers: numbers, or little-endian packed bytes."""
    if f.base.identifier == _types.BASE_TYPE_BYTE.identifier:
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


def _apply_scale(fld: Any, v: np.ndarray) -> np.ndarray:
    out = v.astype(np.float64)
    if fld.scale:
        out = out / fld.scale
    if fld.offset:
        out = out - fld.offset
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
            seqs = np.asarray(d.seqs[: len(blocks[di])], dtype=np.int64)
            if f.count * 8 <= (c.bit_offset or 0) and f.base.identifier == _types.BASE_TYPE_BYTE.identifier:
                continue  # fitdecode skips a component that lies past the field's bytes
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
        prev = np.concatenate([[0], val[:-1]])
        prev[np.concatenate([[True], segment[1:] != segment[:-1]])] = 0
        step = (val - prev) % modulus
        csum = np.cumsum(step)
        first = np.concatenate([[True], segment[1:] != segment[:-1]])
        base = np.maximum.accumulate(np.where(first, np.arange(len(csum)), 0))
        acc = csum - np.concatenate([[0], csum])[base]
        for k, (di, fi, ci, c) in enumerate(srcs):
            if (di, fi, ci) not in out:
                continue
            d = defs[di]
            seqs = np.asarray(d.seqs[: len(blocks[di])], dtype=np.int64)
            mine = key == k
            target_vals = np.full(len(seqs), np.nan)
            pos = np.searchsorted(seqs, seq[mine])
            target_vals[pos] = acc[mine].astype(np.float64)
            if c.scale:
                target_vals = target_vals / c.scale
            if c.offset:
                target_vals = target_vals - c.offset
            out[(di, fi, ci)] = target_vals
    return out


def decode_record_groups(data: bytes, framed: Framed, cut: int) -> list[Group] | None:
    """Decode every record message framed before message ``cut``, definition by definition.

    Returns None when a record definition needs the one-by-one decoder.
    """
    defs = [d for d in framed.definitions if d.global_num == RECORD_MESG and d.offsets and d.seqs[0] < cut]
    if any(needs_rows(d) for d in defs):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    blocks: dict[int, np.ndarray] = {}
    for di, d in enumerate(defs):
        k = int(np.searchsorted(np.asarray(d.seqs), cut)) if d.seqs[-1] >= cut else len(d.seqs)
        offs = np.asarray(d.offsets[:k], dtype=np.int64)
        blocks[di] = arr[offs[:, None] + np.arange(d.size)] if d.size else np.zeros((k, 0), np.uint8)
    acc = _accumulated(defs, blocks, [r for r in framed.resets if r[0] < cut])
    groups = []
    for di, d in enumerate(defs):
        block = blocks[di]
        n = len(block)
        columns: list[Column] = []
        time = np.full(n, np.nan)
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
                        if (f.base.identifier == _types.BASE_TYPE_BYTE.identifier
                                and (c.bit_offset or 0) >= f.count * 8):
                            continue
                        raw, valid = _int_column(block, f, d.endian)
                        vals = _apply_scale(c, (raw >> c.bit_offset) & ((1 << c.bits) - 1))
                    vals = np.where(valid, vals, np.nan)
                    columns.append(Column(target.name, target.units, vals, valid, np.zeros(n, bool)))
            columns.append(_main_column(block, f, d.endian, n))
            if columns[-1].name == "timestamp":
                time = np.where(columns[-1].valid, columns[-1].values, np.nan)
                columns.pop()
        groups.append(Group(np.asarray(d.seqs[:n], dtype=np.int64), columns, time))
    return groups


def _main_column(block: np.ndarray, f: FieldDef, endian: str, n: int) -> Column:
    fld = f.field
    none = np.zeros(n, dtype=bool)
    if f.is_dev:
        name, units, type_name = str(fld.name), fld.units, fld.type.name
    elif fld is None:
        name, units, type_name = f"unknown_{f.num}", None, f.base.name
    else:
        name, units, type_name = fld.name, fld.units, fld.type.name
    col = Column(name, units, np.full(n, np.nan), none, none, units, f.is_dev, f.dev_data_index)
    ident = f.base.identifier
    if ident == 0x07:  # string: present unless empty
        col.other = block[:, f.pos] != 0 if f.count else none
        return col
    if ident == _types.BASE_TYPE_BYTE.identifier:
        col.other = ~(block[:, f.pos:f.pos + f.count] == 0xFF).all(axis=1)
        return col
    raw_valid = _raw_column(block, f, endian)
    if raw_valid is None:  # an array of numbers: a tuple in every message
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
    if type_name in ("date_time", "local_date_time", "localtime_into_day") and name != "timestamp":
        dated = valid if type_name != "date_time" else valid & (raw >= FIT_DATETIME_MIN)
        col.other = col.other | dated
        col.other_units = None
        valid = valid & ~dated
    col.values = np.where(valid, values, np.nan)
    col.valid = valid
    return col


def compressed_times(framed: Framed, groups_ts: dict[int, float]) -> dict[int, int]:
    """Timestamps of messages with a compressed header, by message sequence number.

    ``groups_ts`` maps the sequence number of every message carrying a valid
    ``timestamp`` field to its raw value; a compressed header advances the last
    timestamp by its 5-bit offset, wrapping at 32 s.
    """
    if not framed.compressed:
        return {}
    out: dict[int, int] = {}
    starts = set(framed.file_starts)
    acc = 0
    events = sorted(set(groups_ts) | set(framed.compressed) | starts)
    for s in events:
        if s in starts:
            acc = 0
        if s in groups_ts:
            acc = int(groups_ts[s])
        off = framed.compressed.get(s)
        if off is not None:
            acc = _accumulate(off, acc, 5)
            out[s] = acc
    return out


def timestamp_index(data: bytes, framed: Framed) -> dict[int, float]:
    """Raw ``timestamp`` field of every message that has a valid one (seq -> FIT seconds)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    out: dict[int, float] = {}
    for d in framed.definitions:
        if not d.offsets:
            continue
        f = next((f for f in d.fields if f.num == 253 and not f.is_dev), None)
        if f is None:
            continue
        offs = np.asarray(d.offsets, dtype=np.int64)
        block = arr[offs[:, None] + np.arange(f.pos, f.pos + f.count * f.base.size)]
        shifted = FieldDef(f.num, f.size, f.count, f.base, 0, f.field)
        col = _raw_column(block, shifted, d.endian)
        if col is None:
            continue
        raw, valid = col
        out.update(zip(np.asarray(d.seqs)[valid].tolist(), raw[valid].tolist(), strict=True))
    return out
