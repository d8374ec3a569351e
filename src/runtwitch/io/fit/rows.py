"""Decoding one FIT data message exactly as fitdecode does (the few non-record messages).

Sub-fields, components (with accumulation), scale and offset, enum names,
invalid values, and fitdecode's default processors (booleans, date-times,
times of day, hr event timestamps) are applied in fitdecode's order, so that
the numpy engine's sessions, laps, events and hr messages equal the
reference's, failures included.
"""

from __future__ import annotations

import datetime as _dt
import functools
import struct
from typing import Any

from runtwitch.io.fit import adapter
from runtwitch.io.fit.types import (
    FIT_DATETIME_MIN,
    FIT_EPOCH_UNIX_S,
    HR_MESG,
    TIMESTAMP_FIELD,
    Definition,
    FieldDef,
)


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


class _Value:
    """A field of a message decoded with ``values=True``: only its name and value (see :func:`decode_row`)."""

    __slots__ = ("name", "value")
    type_name = ""  # never processed (see :func:`_process`)

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value


def _parse_values(vals: tuple[Any, ...], base: Any) -> Any:
    """One numeric or byte field's unpacked values as fitdecode parses them (tuples for arrays,
    None for invalid)."""
    if base.identifier == adapter.BYTE_ID:
        return base.parse(vals)
    if len(vals) > 1:
        return tuple(base.parse(v) for v in vals)
    return base.parse(vals[0])


class _Plan:
    """How to decode a definition's messages (built on first use).

    One ``struct`` call reads the whole message; ``spans`` say which of its
    values belong to each field and how to parse them (strings as
    ``adapter.parse_string``, the rest as :func:`_parse_values`); ``where``
    finds the fields a sub-field refers to without scanning the definition.
    """

    __slots__ = ("chosen", "fields", "mesg_type", "simple", "spans", "unpack", "where", "whole")

    def __init__(self, d: Definition) -> None:
        fmt = [d.endian]
        #: (field definition, profile field, a profile field of the message, has sub-fields, scaled)
        self.fields: list[tuple[FieldDef, Any, bool, bool, bool]] = []
        #: Per field: a profile field whose value is its rendered, scaled raw value and nothing
        #: else (no sub-fields, components or processing, not the timestamp, not in an hr message).
        self.simple: list[bool] = []
        self.whole: list[bool] = [False] * len(d.fields)  # for a message decoded whole: none
        self.spans: list[tuple[int, int, Any, int]] = []  # (start, stop, base, _STRING/_SINGLE/_MANY)
        self.where: dict[int, list[int]] = {}  # field number -> its positions (not developer fields)
        at = 0
        for i, f in enumerate(d.fields):
            base = f.base
            if not f.is_dev:
                self.where.setdefault(f.num, []).append(i)
            fld = f.field
            known = fld is not None and not f.is_dev
            self.fields.append((f, fld, known, known and bool(fld.subfields),
                                known and bool(fld.scale or fld.offset)))
            self.simple.append(known and not fld.subfields and not fld.components
                               and fld.type.name not in _PROCESSED and f.num != TIMESTAMP_FIELD
                               and d.global_num != HR_MESG)
            if base.identifier == adapter.STRING_ID:
                fmt.append(f"{f.count}s")
                self.spans.append((at, at + 1, base, _STRING))
                at += 1
            else:
                fmt.append(f"{f.count}{base.fmt}")
                single = f.count == 1 and base.identifier != adapter.BYTE_ID
                self.spans.append((at, at + f.count, base, _SINGLE if single else _MANY))
                at += f.count
        self.unpack = struct.Struct("".join(fmt)).unpack_from
        self.mesg_type = d.mesg_type
        #: Per set of names read (:meth:`choose`): the fields to decode and the fields to parse.
        self.chosen: dict[frozenset[str], tuple[list[int], list[int]]] = {}

    def raws(self, data: bytes, offset: int, parsed: list[int] | None = None) -> list[Any]:
        """Every field of the message at ``offset``, parsed as fitdecode parses it (only those
        at the positions ``parsed``, the others None)."""
        vals = self.unpack(data, offset)
        if parsed is not None:
            out: list[Any] = [None] * len(self.spans)
            for i in parsed:
                a, b, base, kind = self.spans[i]
                out[i] = (base.parse(vals[a]) if kind == _SINGLE else adapter.parse_string(vals[a])
                          if kind == _STRING else _parse_values(vals[a:b], base))
            return out
        out = []
        for a, b, base, kind in self.spans:
            if kind == _SINGLE:
                out.append(base.parse(vals[a]))
            elif kind == _STRING:
                out.append(adapter.parse_string(vals[a]))
            else:
                out.append(_parse_values(vals[a:b], base))
        return out

    def choose(self, only: frozenset[str]) -> tuple[list[int], list[int]]:
        """The fields a reader of the names ``only`` needs decoded, and those to parse for them.

        A field is left out only when it cannot matter: its value is its rendered,
        scaled raw value alone (a plain profile field, a developer field, or one the
        profile does not know besides the timestamp): decoding it can neither fail nor
        change the decoder's state, and its name is not in ``only``. Every other
        field is decoded as before (failures stay where fitdecode's are); the fields
        sub-fields refer to are parsed.
        """
        got = self.chosen.get(only)
        if got is None:
            kept = []
            for i, ((f, fld, _, _, _), plain) in enumerate(zip(self.fields, self.simple, strict=True)):
                alone = plain or f.is_dev or (fld is None and f.num != TIMESTAMP_FIELD)
                name = fld.name if fld is not None else f"unknown_{f.num}"
                if not alone or name in only:
                    kept.append(i)
            referenced = _referenced(self.mesg_type)
            parsed = sorted(set(kept).union(*(self.where.get(num, ()) for num in referenced)))
            got = self.chosen[only] = (kept, parsed)
        return got

    def subfield(self, fld: Any, raws: list[Any]) -> Any:
        """The sub-field of ``fld`` that the message's reference fields select, else ``fld``.

        The first sub-field, in profile order, one of whose references matches
        the raw value of a field of that number (fitdecode's rule).
        """
        for sub in fld.subfields:
            for ref in sub.ref_fields:
                for i in self.where.get(ref.def_num, ()):
                    if ref.raw_value == raws[i]:
                        return sub
        return fld


_STRING, _SINGLE, _MANY = 0, 1, 2


@functools.lru_cache(maxsize=512)
def _referenced(mesg_type: Any) -> frozenset[int]:
    """The field numbers that a sub-field of ``mesg_type`` refers to (their raw values choose it)."""
    if mesg_type is None:
        return frozenset()
    return frozenset(ref.def_num for fld in mesg_type.fields.values()
                     for sub in fld.subfields or () for ref in sub.ref_fields)

#: Most plans remembered across files, by definition bytes (``Definition.layout``).
PLAN_CACHE_SIZE = 1024
_plans: dict[bytes, _Plan] = {}


def plan_for(d: Definition) -> _Plan:
    """The plan of ``d``: made once per definition layout, kept across files."""
    if not d.layout:
        return _Plan(d)
    plan = _plans.get(d.layout)
    if plan is None:
        if len(_plans) >= PLAN_CACHE_SIZE:
            _plans.clear()
        plan = _plans[d.layout] = _Plan(d)
    return plan


def _scale(fld: Any, v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_scale(fld, x) for x in v)
    if isinstance(v, (int, float)):
        if fld.scale:
            v = float(v) / fld.scale
        if fld.offset:
            v = v - fld.offset
    return v


def accumulate(raw: int, acc: int, bits: int) -> int:
    """Advance an accumulator by a ``bits``-bit value that wraps (FIT accumulated components)."""
    top = 1 << bits
    base = raw + (acc & ~(top - 1))
    if raw < (acc & (top - 1)):
        base += top
    return base


#: The field types fitdecode's default data processor changes (see :func:`_process`).
_PROCESSED = frozenset({"bool", "date_time", "local_date_time", "localtime_into_day"})


def _process(fdata: _FieldData) -> None:
    """fitdecode's default data processor: bools, date-times and times of day."""
    t, v = fdata.type_name, fdata.value
    if v is None:
        return
    if t == "bool":
        fdata.value = bool(v)
    elif t == "date_time":
        if v >= FIT_DATETIME_MIN:
            fdata.value = _dt.datetime.fromtimestamp(FIT_EPOCH_UNIX_S + v, _dt.UTC)
            fdata.units = None
    elif t == "local_date_time":
        fdata.value = _dt.datetime.fromtimestamp(FIT_EPOCH_UNIX_S + v, _dt.UTC)
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
               compressed_ts: int | None, *, values: bool = False,
               only: frozenset[str] | None = None) -> _Fields:
    """Decode one data message exactly as fitdecode's reader does.

    With ``values``, a field that is only a number, an enum name or an array
    (most of a session's or lap's) comes as its name and value alone, and not
    at all when invalid (its value None): what the FIT importer reads of
    sessions, laps, events and the other messages besides records and hr
    (each name's first value that is not None), in 10-55 % less time than the
    whole messages (the row messages of five one-hour files).

    With ``only`` too (the names a reader uses), fields whose value is their
    raw value alone and whose name is not in ``only`` are left out
    (:meth:`_Plan.choose`): the values of the names in ``only`` are the same,
    and so is a failure.
    """
    plan = d.plan
    if plan is None:
        plan = d.plan = plan_for(d)
    out: list[Any] = []
    mt = d.mesg_type
    is_hr = d.global_num == HR_MESG
    simple = plan.simple if values else plan.whole
    if values and only is not None:
        kept, parsed = plan.choose(only)
        raws = plan.raws(data, offset, parsed)
        chosen: Any = ((plan.fields[i], raws[i], simple[i]) for i in kept)
    else:
        raws = plan.raws(data, offset)
        chosen = zip(plan.fields, raws, simple, strict=True)
    for (f, fld, known, has_subfields, scaled), raw, plain in chosen:
        if plain:
            if raw is not None:
                value = fld.render(raw)
                out.append(_Value(fld.name, _scale(fld, value) if scaled else value))
            continue
        if known:
            if has_subfields:
                fld = plan.subfield(fld, raws)
                scaled = bool(fld.scale or fld.offset)
            if fld.components:
                is_hr12 = is_hr and f.num == 10
                for c in fld.components:
                    try:
                        cv = _render_component(c, raw)
                    except ValueError:
                        continue
                    if c.accumulate and cv is not None:
                        accs = state.acc[d.global_num]
                        cv = accumulate(cv, accs[c.def_num], c.bits)
                        accs[c.def_num] = cv
                    cv = _scale(c, cv)
                    cfield = mt.fields[c.def_num]
                    if cfield.subfields:
                        cfield = plan.subfield(cfield, raws)
                    value = cfield.render(cv)
                    if is_hr12:
                        if not state.hr_start:
                            raise AssertionError("hr.event_timestamp_12 before any hr.event_timestamp")
                        value += state.hr_start
                    out.append(_FieldData(None, cfield, c.def_num, value, cv))
            value = fld.render(raw)
            if scaled:
                value = _scale(fld, value)
        else:
            value = raw  # a developer field (no scale or offset) or one the profile does not know
        num = f.num
        if num == TIMESTAMP_FIELD and raw is not None and not f.is_dev:
            state.last_ts = value
        elif is_hr and num == 9 and not f.is_dev:
            state.hr_start = state.last_ts
        out.append(_FieldData(f, fld, num, value, raw))
    if compressed_ts is not None:
        ts_field = adapter.TIMESTAMP_FIELD_TYPE
        out.append(_FieldData(None, ts_field, TIMESTAMP_FIELD, ts_field.render(compressed_ts), compressed_ts))
    for fdata in out:
        if fdata.type_name in _PROCESSED:
            _process(fdata)
    if d.global_num == HR_MESG and any(x.def_num == 10 for x in out):
        for x in out:
            if x.def_num == 9:
                x.value = _dt.datetime.fromtimestamp(FIT_EPOCH_UNIX_S + x.value, _dt.UTC)
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
