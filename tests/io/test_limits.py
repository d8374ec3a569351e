"""Bombs and limits: hostile inputs are refused or read quickly, without large memory."""

from __future__ import annotations

import gzip
import io
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

import runtwitch
from runtwitch.io import source as _source
from runtwitch.io.fit.crc import crc16


def fit_file(body: bytes, data_size: int | None = None) -> bytes:
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body) if data_size is None else data_size, b".FIT")
    header += struct.pack("<H", crc16(header))
    data = header + body
    return data + struct.pack("<H", crc16(data))


def definition(
    local: int,
    global_num: int,
    fields: list[tuple[int, int, int]],
    dev: list[tuple[int, int, int]] | None = None,
) -> bytes:
    out = struct.pack("<BBBHB", (0x60 if dev else 0x40) | local, 0, 0, global_num, len(fields))
    out += b"".join(struct.pack("<BBB", *f) for f in fields)
    if dev:
        out += struct.pack("<B", len(dev)) + b"".join(struct.pack("<BBB", *f) for f in dev)
    return out


def quick(fn: Callable[[], object], seconds: float = 1.0, mb: float = 200.0) -> object:
    """Run ``fn`` twice: once under tracemalloc for the memory bound, once timed without it
    (tracemalloc itself slows allocation-heavy code several times).

    The time bound is on this process's CPU time, not the wall clock: it guards against
    hangs and quadratic work, and must not fail because other processes share the cores.
    """
    tracemalloc.start()
    try:
        fn()
    except runtwitch.RuntwitchError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    assert peak < mb, f"peak {peak:.0f} MB"
    t0 = time.process_time()
    try:
        return fn()
    finally:
        elapsed = time.process_time() - t0
        assert elapsed < seconds, f"took {elapsed:.2f} s of CPU time"


FILE_ID = definition(0, 0, [(0, 1, 0x00)]) + b"\x00\x04"  # file_id.type = activity


def test_fit_header_claiming_gigabytes(tmp_path: Path) -> None:
    data = fit_file(FILE_ID, data_size=0xFFFFFFF0)
    path = tmp_path / "huge.fit"
    path.write_bytes(data)
    with pytest.raises(runtwitch.CorruptFileError):
        quick(lambda: runtwitch.read_fit(path))


def test_definition_with_255_fields_of_255_bytes(tmp_path: Path) -> None:
    # byte arrays; field 253 (timestamp) left out: a 255-byte timestamp is just corrupt
    fields = [(i, 255, 0x0D) for i in range(256) if i != 253][:255]
    record = definition(1, 20, fields) + (b"\x01" + bytes(255 * 255)) * 4
    path = tmp_path / "wide.fit"
    path.write_bytes(fit_file(FILE_ID + record))
    act = quick(lambda: runtwitch.read_fit(path), seconds=1.0)
    assert isinstance(act, runtwitch.Activity)
    assert act.report.source_records == 4 and act.report.dropped == {"no_timestamp": 4}


def test_developer_field_redefined_thousands_of_times(tmp_path: Path) -> None:
    dev_id = definition(2, 207, [(3, 1, 0x02)]) + b"\x02\x00"
    desc_def = definition(3, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02), (3, 8, 0x07)])
    desc = b"\x03" + bytes([0, 0, 0x02]) + b"loop\x00\x00\x00\x00"
    rec_def = definition(4, 20, [(253, 4, 0x86)], dev=[(0, 1, 0)])
    recs = b"".join(b"\x04" + struct.pack("<I", 1_000_000_000 + k) + bytes([k % 200]) for k in range(50))
    body = FILE_ID + dev_id + desc_def + desc * 5000 + rec_def + recs
    path = tmp_path / "devloop.fit"
    path.write_bytes(fit_file(body))
    act = quick(lambda: runtwitch.read_fit(path))
    assert isinstance(act, runtwitch.Activity) and act.report.rows == 50
    assert any(c.startswith("dev_0_loop") for c in act.records.columns)


def test_gzip_bomb_of_many_members_stops_at_the_limit(tmp_path: Path) -> None:
    member = gzip.compress(bytes(1 << 20), compresslevel=9)  # ~1 KB that expands to 1 MB
    path = tmp_path / "bomb.fit.gz"
    path.write_bytes(member * 2000)  # ~2 MB file, 2 GB expanded
    with pytest.raises(runtwitch.LimitExceededError, match="limit of 268435456 bytes"):
        quick(lambda: runtwitch.read_activity(path), seconds=1.0, mb=600)
    with pytest.raises(runtwitch.LimitExceededError):
        quick(lambda: runtwitch.read_fit(path, max_bytes=10_000_000), seconds=0.2)


def test_truncated_gzip_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.fit.gz"
    path.write_bytes(gzip.compress(bytes(10_000))[:-12])
    with pytest.raises(runtwitch.ParseError, match="truncated"):
        runtwitch.read_fit(path)


def test_file_size_limit_is_named_and_overridable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.gpx"
    path.write_bytes(b"<gpx>" + b" " * 5000 + b"</gpx>")
    monkeypatch.setattr(_source, "MAX_FILE_BYTES", 1000)
    with pytest.raises(runtwitch.LimitExceededError, match="larger than the limit of 1000 bytes"):
        runtwitch.read_gpx(path)


def test_raw_deflate_garbage_after_gzip_magic(tmp_path: Path) -> None:
    path = tmp_path / "x.fit"
    path.write_bytes(b"\x1f\x8b" + zlib.compress(b"hello")[2:])
    with pytest.raises(runtwitch.ParseError):
        quick(lambda: runtwitch.read_fit(path))


def test_millions_of_empty_messages_hit_the_message_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small gzip expanding to millions of 1-byte messages is refused, not framed into memory."""
    from runtwitch.io.fit import frame

    monkeypatch.setattr(frame, "MAX_FIT_MESSAGES", 20_000)  # the default (2,000,000) takes ~1 s
    body = FILE_ID + definition(1, 5000, []) + b"\x01" * 200_000  # 200,000 empty messages
    path = tmp_path / "many.fit.gz"
    path.write_bytes(gzip.compress(fit_file(body)))
    assert path.stat().st_size < 10_000
    for engine in ("numpy", "fitdecode"):
        with pytest.raises(runtwitch.LimitExceededError, match="MAX_FIT_MESSAGES") as info:
            quick(lambda engine=engine: runtwitch.read_fit(path, engine=engine), seconds=1.0, mb=100)
        assert info.value.offset is not None and info.value.offset > 0


def test_repeated_wide_definitions_share_their_fields(tmp_path: Path) -> None:
    """Thousands of identical 255-field definitions cost one field list, not thousands."""
    from runtwitch.io.fit import frame

    wide = definition(1, 5000, [(k, 1, 0x02) for k in range(255)])
    data = fit_file(FILE_ID + wide * 5000)  # 3.9 MB of definitions
    framed = frame.frame(data)
    assert framed.failure is None and framed.field_definitions <= 256
    act = quick(lambda: runtwitch.read_fit(io.BytesIO(data)), seconds=1.0, mb=50)
    assert isinstance(act, runtwitch.Activity) and act.report.rows == 0


def test_distinct_wide_definitions_hit_the_field_definition_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from runtwitch.io.fit import frame

    monkeypatch.setattr(frame, "MAX_FIT_FIELD_DEFINITIONS", 20_000)
    body = FILE_ID + b"".join(definition(1, 6000 + k, [(j, 1, 0x02) for j in range(255)]) for k in range(200))
    with pytest.raises(runtwitch.LimitExceededError, match="MAX_FIT_FIELD_DEFINITIONS"):
        quick(lambda: runtwitch.read_fit(io.BytesIO(fit_file(body))), seconds=1.0, mb=50)
