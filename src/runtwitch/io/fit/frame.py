"""FIT framing: one pass over the bytes that finds every message and where its data starts.

:func:`frame` reads file headers and definition messages and, for each local
definition, notes where its data messages start, in file order (``seq``). It
checks the file CRC (vectorised, ``runtwitch.io.fit.crc``), follows chained
files, registers developer field descriptions as they come (later definitions
need them), and stops at the first damage with its byte offset, keeping what
was framed before. Decoding the framed messages is the job of
``runtwitch.io.fit.rows`` (one by one) and ``runtwitch.io.fit.bulk`` (records
in bulk).

Field definitions come from the FIT profile that fitdecode generates from the
Garmin FIT SDK (``adapter.PROFILE_SDK_VERSION``); the handling of odd input (the
COROS field-size fallback, undefined developer fields, zero-length fields)
follows fitdecode, the reference engine.
"""

from __future__ import annotations

from typing import Any

from runtwitch.io.fit import adapter
from runtwitch.io.fit.crc import crc16
from runtwitch.io.fit.rows import RowState, decode_row
from runtwitch.io.fit.types import (
    DEVELOPER_DATA_ID_MESG,
    FIELD_DESCRIPTION_MESG,
    Definition,
    FieldDef,
    FitFailure,
    Framed,
)

#: Most messages (definitions and data) read from one file. A day-long recording at
#: 1 Hz has about 90,000 (this limit is 23 days of it); the limit stops a small gzip
#: that expands to hundreds of millions of empty messages from exhausting memory
#: (each costs about 70 bytes of bookkeeping) or time. Change it on this module.
MAX_FIT_MESSAGES = 2_000_000
#: Most field definitions held at once (repeated identical definitions are shared).
MAX_FIT_FIELD_DEFINITIONS = 1_000_000
#: Why a data message that runs past the file's declared data size fails (as fitdecode says it).
_PAST_END = "AssertionError: message runs past the data size"
#: Most definition layouts remembered across files (see :func:`_definition`).
LAYOUT_CACHE_SIZE = 2048
#: Field lists of definitions without developer fields, by definition bytes, kept across
#: files: a history from one watch repeats the same few dozen definitions in every file.
#: Each with its size, zero-sized field, odd-size notes and accumulated component targets.
_layout_cache: dict[bytes, tuple[list[FieldDef], int, bool, list[tuple[int, str, int]], frozenset[int]]] = {}


def too_many_messages(offset: int | None) -> FitFailure:
    """Where and why a file with more than :data:`MAX_FIT_MESSAGES` messages is refused."""
    return FitFailure("limit", offset, f"more than {MAX_FIT_MESSAGES:,} messages "
                      "(runtwitch.io.fit.frame.MAX_FIT_MESSAGES)")


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
            fields[num] = adapter.developer_field(index, None, num, adapter.BASE_TYPE_BYTE, None, None)
        return fields[num]


def _u16(data: bytes, pos: int, endian: str) -> int:
    return int(data[pos] | (data[pos + 1] << 8)) if endian == "<" else int((data[pos] << 8) | data[pos + 1])


#: Most messages :func:`_runs` reads ahead looking for a cycle (a header met again).
_MOST_AHEAD = 9
#: Cycles a run must hold to count as found (shorter ones are framed, but look again later).
_FIRST_LOOK = 4
#: Most cycles one look of :func:`_runs` takes.
_MOST_CYCLES = 4096
#: Bytes framed message by message after a look that found no run before the next look;
#: doubled after each further one, up to the most [bytes].
_FIRST_GAP, _MOST_GAP = 2048, 65536


def frame(data: bytes, *, check_crc: bool = True, repeats: bool = True) -> Framed:
    """Frame every message of ``data`` (possibly several chained FIT files).

    Stops at the first damage and records it in ``failure`` with its byte offset;
    everything framed before stays usable.

    With ``repeats`` (the default), a cycle of plain data messages that
    repeats byte for byte in its headers (a record, or a record and the
    message that follows each one) is framed many cycles at a time
    (:func:`_runs`); ``repeats=False`` frames message by message, the
    reference the tests compare it with on every corpus file. Both give the
    same result.
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
            counted: set[bytes] = set()  # definition bytes whose fields this file has counted
            layouts: dict[bytes, Definition] = {}
            # Normal headers of plain data messages already seen once -> their definition and
            # its size: the common message costs no lookups beyond this.
            fast: dict[int, tuple[int, Definition]] = {}
            # The same by header byte, for :func:`_plain` (``repeats`` only): (message size
            # with its header, the two lists' ``append``), None for any other header.
            table: list[Any] = [None] * 256
            # No look for a run of cycles before ``quiet``: after a look that found none,
            # ``gap`` bytes are framed message by message (doubling while looks keep failing).
            quiet, gap = (0 if repeats else n + 1), _FIRST_GAP
            stop = min(end, n)
            # --- messages ---
            while pos < end:
                if pos >= n:
                    raise FitFailure("eof", pos, f"expected 1 bytes, got 0 @ {pos}")
                if seq >= limit:
                    raise too_many_messages(pos)
                h = data[pos]
                entry = fast.get(h)
                if entry is not None:
                    if pos >= quiet:
                        moved, framed, found = _runs(data, pos, stop, fast, seq, limit)
                        if found:
                            gap = _FIRST_GAP
                        else:
                            quiet, gap = moved + gap, min(2 * gap, _MOST_GAP)
                        if framed:
                            seq += framed
                            pos = moved
                            continue
                    if repeats:
                        moved, seq = _plain(data, pos, min(stop, quiet), stop, table, seq, limit)
                        if moved != pos:
                            pos = moved
                            continue
                    size, known = entry
                    nxt = pos + 1 + size
                    if nxt > n:
                        _raise_damage(known, pos, n)
                    if nxt > end:
                        raise FitFailure("undecodable", pos, _PAST_END)
                    known.starts.append(pos + 1)
                    known.numbers.append(seq)
                    seq += 1
                    pos = nxt
                    continue
                if h & 0x80:
                    if repeats:
                        moved, seq = _compressed(data, pos, stop, defs, compressed, seq, limit)
                        if moved != pos:
                            pos = moved
                            continue
                    d = defs.get((h >> 5) & 0x3)
                    if d is None:
                        raise FitFailure("parse", pos, f"local message {(h >> 5) & 0x3} not defined")
                    compressed[seq] = h & 0x1F
                elif h & 0x40:
                    pos = _definition(data, pos, h, defs, dev, out, seq, file_index, end, counted, layouts)
                    fast.pop(h & 0x0F, None)
                    table[h & 0x0F] = None
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
                    raise FitFailure("undecodable", pos, _PAST_END)
                starts = d.starts
                if not starts:
                    out.definitions.append(d)  # only definitions with data are kept
                starts.append(pos + 1)
                d.numbers.append(seq)
                if d.developer:
                    _dev_message(data, d, pos, dev, out)
                elif not h & 0xF0:  # a normal header: later messages take the fast path
                    fast[h] = (d.size, d)
                    table[h] = (d.size + 1, starts.append, d.numbers.append)
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


def _plain(data: bytes, pos: int, lim: int, stop: int, table: list[Any], seq: int,
           limit: int) -> tuple[int, int]:
    """Frame plain data messages from ``pos`` on while their headers take the fast path.

    What the message-by-message loop of :func:`frame` does for such a message
    (note its offset and sequence number, step over it), with nothing else in
    the loop: stops before the first message that starts at or after ``lim``,
    has another header (``table`` holds None for it), would end past ``stop``
    or would pass :data:`MAX_FIT_MESSAGES` (``limit``), which the caller then
    reads (and fails on) as before. Returns the position and sequence number
    after the messages framed.
    """
    while pos < lim:
        entry = table[data[pos]]
        if entry is None:
            break
        nxt = pos + entry[0]
        if nxt > stop or seq >= limit:
            break
        entry[1](pos + 1)
        entry[2](seq)
        seq += 1
        pos = nxt
    return pos, seq


def _compressed(data: bytes, pos: int, stop: int, defs: dict[int, Definition], compressed: dict[int, int],
                seq: int, limit: int) -> tuple[int, int]:
    """Frame data messages with a compressed timestamp header from ``pos`` on.

    What the message-by-message loop of :func:`frame` does for such a message
    whose definition has data already and is neither damaged nor a developer
    message (note its time offset, offset and sequence number, step over it),
    with nothing else in the loop: stops before the first other message, one
    that would end past ``stop`` or pass :data:`MAX_FIT_MESSAGES`
    (``limit``), which the caller then reads (and fails on) as before.

    Consecutive messages of one local message type (at least
    :data:`_SHORTEST_COMPRESSED_RUN` of them) are framed at once: their
    headers lie one message size apart, so the header bytes at that stride
    are taken with one slice and compared by their top three bits
    (compressed, and the local type), :data:`_FIRST_LOOK_COMPRESSED` of them first, then twice as
    many each time while all match. The run is noted as a range
    (``Definition.runs``) and its time offsets taken from the same slice.
    Returns the position and sequence number after the messages framed.
    """
    while pos < stop:
        h = data[pos]
        if not h & 0x80:
            break
        d = defs.get((h >> 5) & 0x3)
        if d is None or d.zero_field or d.developer or not d.starts:
            break
        stride = 1 + d.size
        nxt = pos + stride
        if nxt > stop or seq >= limit:
            break
        if (nxt + (_SHORTEST_COMPRESSED_RUN - 1) * stride > stop or seq + _SHORTEST_COMPRESSED_RUN > limit
                # the next two headers first: local types that alternate, or pairs, end here
                or (data[nxt] ^ h) & 0xE0 or (data[nxt + stride] ^ h) & 0xE0
                or data[pos:pos + _SHORTEST_COMPRESSED_RUN * stride:stride].translate(_HEADER_KIND)
                != bytes((h & 0xE0,)) * _SHORTEST_COMPRESSED_RUN):
            # a stretch too short to pay for the slices: this message alone
            compressed[seq] = h & 0x1F
            d.starts.append(pos + 1)
            d.numbers.append(seq)
            seq += 1
            pos = nxt
            continue
        most = min((stop - pos) // stride, limit - seq)
        kind = bytes((h & 0xE0,))
        count, want = 0, min(_FIRST_LOOK_COMPRESSED, most)
        while count < most:  # the headers at the stride that take this definition too
            heads = data[pos + count * stride:pos + want * stride:stride].translate(_HEADER_KIND)
            same = len(heads) - len(heads.lstrip(kind))
            count += same
            if same < len(heads):
                break
            want = min(2 * want, most)
        compressed.update(zip(range(seq, seq + count),
                              data[pos:pos + count * stride:stride].translate(_TIME_OFFSET), strict=True))
        d.runs.append((len(d.starts), (pos + 1,), stride, (seq,), 1, count))
        seq += count
        pos += count * stride
    return pos, seq


#: Compressed headers :func:`_compressed` compares at once first.
_FIRST_LOOK_COMPRESSED = 16
#: Fewer messages of one local type in a row than this are framed one by one: a stretch of
#: compressed headers whose local types alternate would otherwise pay for the slices of each.
_SHORTEST_COMPRESSED_RUN = 4
#: A header byte -> its top three bits (compressed-header flag and local message type), and
#: -> its low five bits (a compressed header's time offset [s]): ``bytes.translate`` tables.
_HEADER_KIND = bytes(b & 0xE0 for b in range(256))
_TIME_OFFSET = bytes(b & 0x1F for b in range(256))


def _runs(data: bytes, pos: int, stop: int, fast: dict[int, tuple[int, Definition]],
          seq: int, limit: int) -> tuple[int, int, bool]:
    """Frame, at once, a run of repeated cycles of plain data messages starting near ``pos``.

    The message at ``pos`` takes the fast path (a plain data message whose
    definition is current). Reading ahead from header to header (each header
    gives its message's size, which gives the next header), at most
    :data:`_MOST_AHEAD` messages while their headers take the fast path, the
    first header met a second time closes a cycle: the messages from its
    first to its second occurrence, after a prefix of messages before them. If
    the cycle's headers appear again at the same distances, the
    message-by-message loop would read exactly those messages, so their
    offsets and sequence numbers are noted as ranges (``Definition.runs``:
    a start, a stride and a count, never a list of offsets). Compares
    :data:`_FIRST_LOOK` cycles, then twice as many each time while they match;
    the first header that differs ends the run. Never frames past ``stop``
    (the end of the data or of the bytes), :data:`MAX_FIT_MESSAGES` or
    :data:`_MOST_CYCLES` cycles.

    Returns the position after the messages framed, their number (0: none)
    and whether the run held at least :data:`_FIRST_LOOK` cycles.
    """
    ahead: list[tuple[int, bytes, Definition]] = []  # (position, header, definition)
    first: dict[int, int] = {}  # header -> its index in ``ahead``
    at = pos
    start = -1
    while at < stop and len(ahead) < _MOST_AHEAD:
        h = data[at]
        entry = fast.get(h)
        if entry is None:
            break
        if h in first:
            start = first[h]
            break
        first[h] = len(ahead)
        size, d = entry
        ahead.append((at, data[at:at + 1], d))
        at += 1 + size
    if start < 0:
        return pos, 0, False
    members = ahead[start:]
    at0 = members[0][0]
    stride = at - at0
    per = len(members)
    most = min((stop - at0) // stride, (limit - seq - start) // per, _MOST_CYCLES)
    if most < 1:
        return pos, 0, False
    done = 1  # the cycle just read
    want = min(_FIRST_LOOK, most)
    while want > done:
        same = want - done  # cycles from ``done`` on whose headers all match
        for where, head, _ in members:
            a = where + done * stride
            heads = data[a:a + (want - done) * stride:stride]
            if heads != head * (want - done):
                same = min(same, want - done - len(heads.lstrip(head)))
        if done + same < want:
            done += same
            break
        done, want = want, min(2 * want, most)
    for i, (where, _, d) in enumerate(ahead[:start]):  # the prefix, message by message
        d.starts.append(where + 1)
        d.numbers.append(seq + i)
    # Messages of one definition in file order: a definition met more than once in a cycle
    # (two local numbers sharing a layout) takes them interleaved.
    base = seq + start
    by_group: dict[int, tuple[Definition, list[int], list[int]]] = {}
    for i, (where, _, d) in enumerate(members):
        _, firsts, first_seqs = by_group.setdefault(id(d), (d, [], []))
        firsts.append(where + 1)
        first_seqs.append(base + i)
    for d, firsts, first_seqs in by_group.values():
        d.runs.append((len(d.starts), tuple(firsts), stride, tuple(first_seqs), per, done))
    return at0 + done * stride, start + done * per, done >= _FIRST_LOOK


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
                counted: set[bytes], layouts: dict[bytes, Definition]) -> int:
    """Read a definition message at ``pos`` and make it the current one of its local number.

    Data messages are grouped by field layout, not by definition message: a
    definition whose bytes (endianness, global number, field list) repeat an
    earlier one of the same chained file shares that earlier
    :class:`Definition`, with its offsets and sequence numbers, so that a
    writer that repeats the definition before every record (some Suunto
    watches do) still gives one bulk group per layout. Developer-field
    definitions are never shared (their field types may change in between).

    The field list of a definition without developer fields depends on its
    bytes alone, so it is also kept across files (at most
    :data:`LAYOUT_CACHE_SIZE`): a history from one watch reads each layout
    once. A file framed after others frames exactly as on its own, warnings
    and counts included (``tests/io/fit/test_layouts.py``).
    """
    n = len(data)
    head = pos
    if pos + 6 > n:
        raise FitFailure("eof", pos + 1, f"expected 5 bytes, got {max(0, n - pos - 1)} @ {pos + 1}")
    endian = ">" if data[pos + 2] else "<"
    global_num = _u16(data, pos + 3, endian)
    nfields = data[pos + 5]
    key = bytes(data[pos + 1:pos + 6 + 3 * nfields]) if not h & 0x20 else b""
    complete = bool(key) and len(key) == 5 + 3 * nfields
    known = _layout_cache.get(key) if complete else None
    if known is not None:  # read before, in this file or an earlier one: its field list and warnings
        fields, at, zero, notes, targets = known
        if notes:
            out.warnings.extend(_size_warning(head, *note) for note in notes)
        pos += 6 + 3 * nfields
    else:
        fields, at, zero, notes, pos = _fields(data, pos, h, global_num, nfields, dev, out)
        targets = _accumulated_targets(fields)
        if complete:
            if len(_layout_cache) >= LAYOUT_CACHE_SIZE:
                _layout_cache.clear()
            _layout_cache[key] = (fields, at, zero, notes, targets)
    if key not in counted:  # a repeated definition is counted once per file
        out.field_definitions += len(fields)
        if out.field_definitions > MAX_FIT_FIELD_DEFINITIONS:
            raise FitFailure("limit", head, f"more than {MAX_FIT_FIELD_DEFINITIONS:,} field definitions "
                             "(runtwitch.io.fit.frame.MAX_FIT_FIELD_DEFINITIONS)")
        if key:
            counted.add(key)
    if pos > end:
        raise FitFailure("undecodable", head, "AssertionError: definition runs past the data size")
    if targets:
        out.resets.append((seq, file_index, global_num, targets))
    shared = layouts.get(key) if key else None
    if shared is not None:
        defs[h & 0x0F] = shared
        return pos
    defs[h & 0x0F] = Definition(global_num, endian, fields, at, seq, file_index, zero,
                                developer=global_num in (FIELD_DESCRIPTION_MESG, DEVELOPER_DATA_ID_MESG),
                                mesg_type=adapter.message_type(global_num),
                                layout=key if complete else b"")
    if complete:
        layouts[key] = defs[h & 0x0F]
    return pos


def _accumulated_targets(fields: list[FieldDef]) -> frozenset[int]:
    """The fields that accumulated components of ``fields`` write to (their accumulators restart)."""
    return frozenset(c.def_num for f in fields
                     if not f.is_dev and f.field is not None and f.field.components
                     for c in f.field.components if c.accumulate)


def _size_warning(offset: int, size: int, base: str, base_size: int) -> str:
    return (f"invalid field size {size} in definition message @ {offset} for type {base} "
            f"(expected a multiple of {base_size})")


def _fields(data: bytes, pos: int, h: int, global_num: int, nfields: int, dev: _DevTypes,
            out: Framed) -> tuple[list[FieldDef], int, bool, list[tuple[int, str, int]], int]:
    """Read the field (and developer field) definitions of a definition message at ``pos``."""
    n = len(data)
    head = pos
    mesg_type = adapter.message_type(global_num)
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
        base = adapter.BASE_TYPES.get(base_num, adapter.BASE_TYPE_BYTE)
        if size % base.size:
            notes.append((size, base.name, base.size))
            base = adapter.BASE_TYPE_BYTE
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


def _dev_message(data: bytes, d: Definition, pos: int, dev: _DevTypes, out: Framed) -> None:
    """Register a developer_data_id or field_description message while framing."""
    state = RowState()
    msg = decode_row(data, d, pos + 1, state, None)
    raw: dict[str, Any] = {}
    for x in msg.fields:
        raw.setdefault(x.name, x.raw_value)
    if d.global_num == DEVELOPER_DATA_ID_MESG:
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
    base = adapter.BASE_TYPE_BYTE if base_id is None else adapter.BASE_TYPES[base_id]
    num = raw.get("field_definition_number")
    # fitdecode registers the description even without a field number (key None).
    dev.types[index][num] = adapter.developer_field(  # type: ignore[index]
        index, raw.get("field_name"), num, base, raw.get("units"), raw.get("native_field_num"))
