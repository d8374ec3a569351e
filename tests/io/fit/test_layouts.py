"""Record messages are grouped by field layout, not by definition message.

Some watches (a Suunto Ambit3 among them) write a definition message before
nearly every record: thousands of definitions with a handful of layouts. Each
layout must give one bulk group, and the file must read exactly like the same
messages written with one definition per layout.
"""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

import runtwitch
from runtwitch.io.fit import frame
from runtwitch.io.fit.crc import crc16
from runtwitch.io.fit.types import RECORD_MESG
from runtwitch.testing import write_activity
from tests.conftest import CORPUS


def _redefine_every_message(data: bytes) -> bytes:
    """The same FIT file with each data message preceded by its definition (normal headers only)."""
    hsize = data[0]
    end = hsize + int.from_bytes(data[4:8], "little")
    body = bytearray()
    defs: dict[int, tuple[bytes, int]] = {}  # local -> (definition bytes, data size)
    pos = hsize
    while pos < end:
        h = data[pos]
        assert not h & 0x80 and not h & 0x20, "plain messages only"
        if h & 0x40:
            nfields = data[pos + 5]
            size = sum(data[pos + 6 + 3 * i + 1] for i in range(nfields))
            defs[h & 0x0F] = (data[pos:pos + 6 + 3 * nfields], size)
            pos += 6 + 3 * nfields
            continue
        definition, size = defs[h & 0x0F]
        body += definition + data[pos:pos + 1 + size]
        pos += 1 + size
    header = bytearray(data[:hsize])
    header[4:8] = struct.pack("<I", len(body))
    if hsize == 14:
        header[12:14] = struct.pack("<H", crc16(bytes(header[:12])))
    out = bytes(header) + bytes(body)
    return out + struct.pack("<H", crc16(out))


def _activity_bytes() -> bytes:
    t0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    times = [t0 + timedelta(seconds=i) for i in range(600)]
    return write_activity(times, heart_rate=[120 + i % 30 for i in range(600)],
                          distance=[3.0 * i for i in range(600)], speed=[3.0] * 600)


def test_repeated_definitions_share_one_group() -> None:
    original = _activity_bytes()
    redefined = _redefine_every_message(original)
    framed = frame.frame(redefined)
    assert framed.failure is None and framed.crc_problem is None
    records = [d for d in framed.definitions if d.global_num == RECORD_MESG]
    assert len(records) == 1 and len(records[0].offsets) == 600


def test_repeated_definitions_read_like_the_original() -> None:
    original = runtwitch.read_fit(io.BytesIO(_activity_bytes()))
    redefined = _redefine_every_message(_activity_bytes())
    for engine in ("numpy", "fitdecode"):
        again = runtwitch.read_fit(io.BytesIO(redefined), engine=engine)
        pd.testing.assert_frame_equal(again.records, original.records)
        pd.testing.assert_frame_equal(again.sessions, original.sessions)
        pd.testing.assert_frame_equal(again.laps, original.laps)
        assert again.report.to_dict() == original.report.to_dict()


def _framed_facts(data: bytes) -> tuple:
    """What framing decides from definitions: layouts, field lists, warnings and counts."""
    f = frame.frame(data)
    defs = [(d.global_num, d.endian, d.size, d.zero_field, d.layout,
             [(x.num, x.size, x.count, x.base.name, x.pos, getattr(x.field, "name", None), x.is_dev)
              for x in d.fields], d.offsets, d.seqs) for d in f.definitions]
    return (defs, f.warnings, f.field_definitions, f.n_messages, str(f.failure), f.resets)


def test_layouts_kept_across_files_frame_like_a_first_read() -> None:
    """Definition layouts and decoding plans are remembered across files (a history repeats
    them); a file framed after every other corpus file must frame exactly as on its own,
    odd-sized fields (and their warnings) and damaged files included."""
    from runtwitch.io.fit import rows

    files = sorted((CORPUS / "fit").glob("*.fit"))
    datas = [p.read_bytes() for p in files]
    alone = []
    for data in datas:
        frame._layout_cache.clear()
        rows._plans.clear()
        alone.append(_framed_facts(data))
    for data in datas:  # fill the caches with every file's layouts
        frame.frame(data)
    for path, data, first in zip(files, datas, alone, strict=True):
        assert _framed_facts(data) == first, path.name
    assert frame._layout_cache


def test_layout_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame, "LAYOUT_CACHE_SIZE", 3)
    frame._layout_cache.clear()
    for path in sorted((CORPUS / "fit").glob("*.fit"))[:10]:
        frame.frame(path.read_bytes())
        assert len(frame._layout_cache) <= 3


def _full_framing(data: bytes, *, repeats: bool) -> tuple:
    """Everything framing gives, including where and why it stopped."""
    f = frame.frame(data, repeats=repeats)
    failure = None if f.failure is None else (f.failure.kind, f.failure.offset, str(f.failure))
    return (_framed_facts_of(f), f.compressed, f.file_starts, f.headers, f.crc_problem, failure)


def _framed_facts_of(f: object) -> tuple:
    defs = [(d.global_num, d.endian, d.size, d.zero_field, d.developer, d.file_index, d.seq, d.layout,
             [(x.num, x.size, x.count, x.base.name, x.pos, x.is_dev) for x in d.fields], d.offsets, d.seqs)
            for d in f.definitions]  # type: ignore[attr-defined]
    return (defs, f.warnings, f.field_definitions, f.n_messages, f.resets)  # type: ignore[attr-defined]


def test_framing_repeated_cycles_at_once_equals_message_by_message() -> None:
    """The repeated-cycle jump of ``frame`` against the message-by-message reference:
    every corpus FIT file, and the same files cut short at many places (a cut inside a
    run of cycles must stop where the reference stops, with the same failure)."""
    checked = 0
    for path in sorted((CORPUS / "fit").glob("*.fit")):
        data = path.read_bytes()
        assert _full_framing(data, repeats=True) == _full_framing(data, repeats=False), path.name
        for cut in (len(data) // 3, len(data) // 2 + 1, len(data) - 3):
            short = data[:cut]
            assert _full_framing(short, repeats=True) == _full_framing(short, repeats=False), (path.name, cut)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("name", ["sports-lib__6782987395.fit", "python-fitparse__antfs-dump.63.fit"])
@pytest.mark.parametrize("limit", [1, 7, 20, 300, 1000, 4099])
def test_framing_repeated_cycles_stops_at_the_message_limit(monkeypatch: pytest.MonkeyPatch,
                                                            limit: int, name: str) -> None:
    """A jump over many cycles, or over many compressed-timestamp messages (the ANT-FS dump), never
    frames past MAX_FIT_MESSAGES: the limit fails at the same message."""
    monkeypatch.setattr(frame, "MAX_FIT_MESSAGES", limit)
    data = (CORPUS / "fit" / name).read_bytes()
    assert _full_framing(data, repeats=True) == _full_framing(data, repeats=False)


def _compressed_file(seed: int) -> bytes:
    """A FIT file of records under compressed timestamp headers on local types 0-2, in stretches of
    1 to 60 of one type (alternating, pairs, long runs), with normal headers and definitions between."""
    import random

    rng = random.Random(seed)
    fields = {0: [(253, 4, 0x86), (3, 1, 0x02)], 1: [(3, 1, 0x02), (6, 2, 0x84)], 2: [(3, 1, 0x02)]}
    body = b""
    for local, layout in fields.items():
        body += bytes([0x40 | local, 0, 0]) + struct.pack("<H", RECORD_MESG) + bytes([len(layout)])
        body += b"".join(bytes(f) for f in layout)
        body += bytes([local]) + bytes(sum(f[1] for f in layout))  # its first message, normal header
    for _ in range(rng.randrange(5, 40)):
        local = rng.randrange(3)
        size = sum(f[1] for f in fields[local])
        for _ in range(rng.choice([1, 1, 2, 3, 4, 5, 17, 60])):
            compressed = rng.random() < 0.9
            head = 0x80 | (local << 5) | rng.randrange(32) if compressed else local
            body += bytes([head]) + bytes(rng.randrange(256) for _ in range(size))
    header = bytearray(struct.pack("<BBHI4s", 14, 0x20, 2100, len(body), b".FIT"))
    header += struct.pack("<H", crc16(bytes(header)))
    data = bytes(header) + body
    return data + struct.pack("<H", crc16(data))


@pytest.mark.parametrize("seed", range(40))
def test_compressed_headers_framed_at_once_equal_message_by_message(monkeypatch: pytest.MonkeyPatch,
                                                                    seed: int) -> None:
    """Stretches of compressed timestamp headers of one local type are framed at once (and short
    ones one by one): the same as the message-by-message reference, whole, cut short and with a
    message limit falling inside a stretch."""
    data = _compressed_file(seed)
    assert _full_framing(data, repeats=True) == _full_framing(data, repeats=False)
    for cut in (len(data) // 3, len(data) // 2 + 1, len(data) - 3):
        assert _full_framing(data[:cut], repeats=True) == _full_framing(data[:cut], repeats=False)
    monkeypatch.setattr(frame, "MAX_FIT_MESSAGES", 7 + 11 * seed)
    assert _full_framing(data, repeats=True) == _full_framing(data, repeats=False)
