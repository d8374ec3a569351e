"""The numpy FIT engine against the reference decoder (fitdecode), on every corpus FIT file."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fitdecode.utils import compute_crc

import runtwitch
from runtwitch.io.fit import crc, frame
from runtwitch.io.fit.types import DEVELOPER_DATA_ID_MESG, FIELD_DESCRIPTION_MESG, RECORD_MESG, ROW_MESSAGES
from tests.conftest import CORPUS, MANIFEST, assert_same_frames
from tests.fuzz.mutate import mutations
from tests.fuzz.run import SEEDS as FUZZ_SEEDS

pytestmark = pytest.mark.corpus

SEEDS = FUZZ_SEEDS["fit"]
FIT_FILES = sorted(r["file"] for r in MANIFEST if r["format"] in ("fit", "fit.gz"))


def _read(path: Path, engine: str, errors: str) -> runtwitch.Activity | tuple[str, int | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        try:
            return runtwitch.read_fit(path, engine=engine, errors=errors)  # type: ignore[arg-type]
        except runtwitch.RuntwitchError as exc:
            return type(exc).__name__, getattr(exc, "offset", None)


def _comparable_report(act: runtwitch.Activity) -> dict[str, object]:
    rep = act.report.to_dict()
    rep.pop("warnings")
    if rep.get("damage"):
        rep["damage"] = {k: v for k, v in rep["damage"].items() if k != "reason"}  # type: ignore[union-attr]
    return rep


@pytest.mark.parametrize("errors", ["salvage", "raise"])
@pytest.mark.parametrize("name", FIT_FILES)
def test_numpy_engine_equals_reference(name: str, errors: str) -> None:
    """Same frames, metadata and report (counts, drops, repairs, damage offset) field by field.

    Error messages are worded by each engine; their class and byte offset must agree.
    """
    path = CORPUS / name
    ref = _read(path, "fitdecode", errors)
    got = _read(path, "numpy", errors)
    if isinstance(ref, tuple) or isinstance(got, tuple):
        assert got == ref
        return
    assert_same_frames(got, ref)
    assert _comparable_report(got) == _comparable_report(ref)
    assert len(got.report.warnings) == len(ref.report.warnings)


@pytest.mark.parametrize("size", [1, 255, 256, 257, 4096, 100_003])
def test_crc_equals_the_fit_sdk_algorithm(size: int) -> None:
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert crc.crc16(data) == compute_crc(data)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 12, 13, 255, 256, 257, 511, 1023, 4096, 4097, 65_537, 100_003])
def test_numpy_crc_reference_equals_the_fast_crc(size: int) -> None:
    """The numpy method stays the tested reference of the checksum the reader uses."""
    data = np.random.default_rng(size + 1).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert crc.crc16_numpy(data) == crc.crc16(data)
    assert not size or crc.crc16(data) == compute_crc(data)  # fitdecode refuses empty data
    view = memoryview(data)[size // 3:]
    assert crc.crc16_numpy(view) == crc.crc16(view)


def test_numpy_crc_reference_equals_the_fast_crc_on_every_corpus_file() -> None:
    """Header and body of every corpus FIT file (chained files included): both methods agree."""
    checked = 0
    for path in sorted((CORPUS / "fit").glob("*.fit")):
        data = path.read_bytes()
        pos = 0
        while pos + 12 <= len(data) and data[pos + 8:pos + 12] == b".FIT":
            hsize = data[pos]
            end = min(len(data), pos + hsize + int.from_bytes(data[pos + 4:pos + 8], "little"))
            for part in (data[pos:pos + 12], memoryview(data)[pos:end]):
                assert crc.crc16(part) == crc.crc16_numpy(part), path.name
                checked += 1
            pos = end + 2
    assert checked > 100


def test_crc_of_a_whole_corpus_file_matches_its_footer() -> None:
    data = (CORPUS / "fit" / "sports-lib__garmin.fit").read_bytes()
    body = data[0] + int.from_bytes(data[4:8], "little")
    assert crc.crc16(data[:body]) == int.from_bytes(data[body:body + 2], "little")


def test_profile_version_is_the_one_fitdecode_generated() -> None:
    """The constant names the profile of the pinned fitdecode; an upgrade to another profile fails here."""
    import re

    from fitdecode import profile

    header = Path(profile.__file__).read_text(encoding="utf-8")[:600]
    found = re.search(r"SDK VERSION ([0-9.]+)", header)
    assert found is not None and found.group(1) == runtwitch.io.fit.PROFILE_SDK_VERSION


def test_unknown_engine_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="engine"):
        runtwitch.read_fit(CORPUS / "fit" / "runpandas__run.fit", engine="rust")  # type: ignore[arg-type]


def test_the_equality_test_covers_the_hard_parts() -> None:
    """The corpus exercises compressed timestamps, accumulation, odd field sizes and chaining."""
    seen = {"compressed": 0, "accumulated": 0, "field_size_warnings": 0, "chained": 0}
    for name in ("fit/runalyze__FR70-intervals.fit", "fit/python-fitparse__null_compressed_speed_dist.fit",
                 "fit/python-fitparse__coros-pace-2-cycling-misaligned-fields.fit",
                 "fit/python-fitparse__sample_mulitple_header.fit"):
        framed = frame.frame((CORPUS / name).read_bytes())
        seen["compressed"] += len(framed.compressed)
        seen["accumulated"] += sum(
            1 for d in framed.definitions if d.offsets and any(
                f.field is not None and not f.is_dev and f.field.components
                and any(c.accumulate for c in f.field.components) for f in d.fields))
        seen["field_size_warnings"] += len(framed.warnings)
        seen["chained"] += framed.headers > 1
    assert all(seen.values()), seen


def test_framing_never_reads_past_the_declared_data(tmp_path: Path) -> None:
    """A header that claims more data than the file has: truncation at the right offset."""
    data = bytearray((CORPUS / "fit" / "runpandas__run.fit").read_bytes())
    cut = bytes(data[: len(data) // 2])
    framed = frame.frame(cut)
    assert framed.failure is not None and framed.failure.kind == "eof"
    assert 0 < (framed.failure.offset or 0) <= len(cut)
    assert os.path.getsize(CORPUS / "fit" / "runpandas__run.fit") > len(cut)


USED = ROW_MESSAGES | {RECORD_MESG, FIELD_DESCRIPTION_MESG, DEVELOPER_DATA_ID_MESG}


def _read_bytes(data: bytes, engine: str) -> runtwitch.Activity | tuple[str, int | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        try:
            return runtwitch.read_fit(io.BytesIO(data), engine=engine)  # type: ignore[arg-type]
        except runtwitch.RuntwitchError as exc:
            return type(exc).__name__, getattr(exc, "offset", None)


def _stopped_on_unused_message(data: bytes, offset: int | None) -> bool:
    """True when ``offset`` starts a data message of a type the FIT importer never reads."""
    framed = frame.frame(data)
    return any(offset is not None and offset + 1 in d.offsets and d.global_num not in USED
               for d in framed.definitions)


@pytest.mark.parametrize("seed_index", range(len(SEEDS)))
def test_engines_agree_on_damaged_files(seed_index: int) -> None:
    """Differential fuzzing: mutated corpus files give the same result with both engines.

    The one allowed difference: fitdecode fails on a message that runtwitch
    does not use (the numpy engine does not decode those), so the numpy
    engine reads further. Everything else (error class, offset, salvaged
    frames) must agree.
    """
    data = (CORPUS / SEEDS[seed_index]).read_bytes()
    for name, mutated in mutations(data, 40, 4242 + seed_index):
        ref, got = _read_bytes(mutated, "fitdecode"), _read_bytes(mutated, "numpy")
        damage = None if isinstance(ref, tuple) else ref.report.damage
        ref_stop = ref[1] if isinstance(ref, tuple) else (damage.offset if damage else None)
        if _stopped_on_unused_message(mutated, ref_stop):
            continue
        if isinstance(ref, tuple) or isinstance(got, tuple):
            assert got == ref, name
            continue
        pd.testing.assert_frame_equal(got.records, ref.records, obj=name)
        pd.testing.assert_frame_equal(got.sessions, ref.sessions, obj=name)
        assert _comparable_report(got) == _comparable_report(ref), name
        assert got.meta == ref.meta, name


def _fit_bytes(body: bytes, *, data_size: int | None = None, with_crc: bool = True) -> bytes:
    """A hand-made FIT file: 12-byte header, ``body`` and (optionally) the file CRC."""
    size = len(body) if data_size is None else data_size
    head = bytes([12, 0x10]) + (2132).to_bytes(2, "little") + size.to_bytes(4, "little") + b".FIT"
    out = head + body
    return out + crc.crc16(out).to_bytes(2, "little") if with_crc else out


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    return (bytes([0x40 | local, 0, 0]) + global_num.to_bytes(2, "little") + bytes([len(fields)])
            + b"".join(bytes(f) for f in fields))


FILE_ID = _definition(0, 0, [(0, 1, 0x00)]) + bytes([0x00, 4])  # file_id.type = activity
RECORDS = _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)]) + b"".join(
    bytes([0x01]) + (1_000_000_000 + k).to_bytes(4, "little") + bytes([120 + k]) for k in range(3))


def _both(data: bytes, errors: str) -> list[object]:
    out = []
    for engine in ("fitdecode", "numpy"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
            try:
                act = runtwitch.read_fit(io.BytesIO(data), engine=engine, errors=errors)  # type: ignore[arg-type]
                out.append((act.report.rows, act.report.damage.kind if act.report.damage else None,
                            act.report.damage.offset if act.report.damage else None))
            except runtwitch.RuntwitchError as exc:
                out.append((type(exc).__name__, exc.offset))  # type: ignore[attr-defined]
    return out


def test_body_longer_than_the_file_is_truncation_not_corruption() -> None:
    """Fuzz find: the declared data ran past the end exactly at a message boundary."""
    data = _fit_bytes(FILE_ID + RECORDS, data_size=len(FILE_ID + RECORDS) + 7, with_crc=False)
    ref, got = _both(data, "salvage")
    assert got == ref == (3, "TruncatedFileError", len(data))
    assert _both(data, "raise")[1] == ("TruncatedFileError", len(data))


def test_empty_field_after_a_field_past_the_end_is_truncation() -> None:
    """Fuzz find: a 0-byte field is an error only if the fields before it were read."""
    wide = _definition(2, 20, [(3, 240, 0x0D), (4, 0, 0x02)])
    body = FILE_ID + RECORDS + wide + bytes([0x02]) + bytes(10)
    data = _fit_bytes(body, with_crc=False)
    ref, got = _both(data, "salvage")
    at = len(data) - 10
    assert got == ref == (3, "TruncatedFileError", at)


def test_record_timestamp_stored_as_an_array_stops_at_that_record() -> None:
    """Fuzz find: fitdecode cannot compare an array timestamp; both engines stop there."""
    bad = _definition(2, 20, [(253, 8, 0x86), (3, 1, 0x02)]) + bytes([0x02]) + bytes(8) + bytes([99])
    data = _fit_bytes(FILE_ID + RECORDS + bad)
    ref, got = _both(data, "salvage")
    assert got == ref and got[1] == "CorruptFileError" and got[0] == 3


def _be_definition(local: int, global_num: int, fields: list[tuple[int, int, int]],
                   dev: list[tuple[int, int, int]] | None = None) -> bytes:
    """A big-endian definition message (with developer fields when ``dev`` is given)."""
    head = bytes([0x40 | (0x20 if dev else 0) | local, 0, 1]) + global_num.to_bytes(2, "big")
    out = head + bytes([len(fields)]) + b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(f) for f in dev)
    return out


def test_engines_agree_on_a_file_of_uncommon_features() -> None:
    """Beyond the corpus: big-endian records with components, wrapping accumulators,
    strings, arrays, enum values with and without a name, and a developer field."""
    dev_id = _definition(2, 207, [(3, 1, 0x02)]) + bytes([0x02, 0])  # developer_data_index 0
    descr = (_definition(3, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02), (3, 12, 0x07), (8, 4, 0x07)])
             + bytes([0x03, 0, 7, 0x84]) + b"core_temp\0\0\0" + b"C\0\0\0")
    fields = [(253, 4, 0x86), (3, 1, 0x02), (6, 2, 0x84), (2, 2, 0x84), (8, 3, 0x0D), (18, 1, 0x02),
              (42, 1, 0x00), (13, 1, 0x01), (87, 4, 0x84), (11, 4, 0x07)]
    record = _be_definition(4, 20, fields, dev=[(7, 2, 0)])
    rows = b""
    for k in range(60):
        speed_bits = (250 + k) & 0xFFF                          # compressed speed, 1/100 m/s
        dist_bits = (k * 37) & 0xFFF                            # 12-bit distance that wraps
        csd = (speed_bits | (dist_bits << 12)).to_bytes(3, "little")
        rows += bytes([0x04]) + (1_000_000_000 + k).to_bytes(4, "big") + bytes([0 if k == 5 else 140 + k % 9])
        rows += (3000 + k).to_bytes(2, "big") + (2600 + 2 * k).to_bytes(2, "big") + csd
        rows += bytes([(k * 200) & 0xFF, 1 if k % 3 else 77, (20 - k) & 0xFF])
        rows += (k).to_bytes(2, "big") + (0xFFFF if k % 2 else 7).to_bytes(2, "big")
        rows += (b"abc\0" if k % 4 else b"\0\0\0\0") + (3700 + k).to_bytes(2, "big")
    data = _fit_bytes(FILE_ID + dev_id + descr + record + rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        ref = runtwitch.read_fit(io.BytesIO(data), engine="fitdecode", errors="raise")
        got = runtwitch.read_fit(io.BytesIO(data), engine="numpy", errors="raise")
    pd.testing.assert_frame_equal(got.records, ref.records)
    assert _comparable_report(got) == _comparable_report(ref)
    assert got.report.warnings == ref.report.warnings or len(got.report.warnings) == len(ref.report.warnings)
    cols = set(got.records.columns)
    assert {"speed_mps", "altitude_m", "distance_m", "fit_total_cycles_cycles", "dev_0_core_temp_c"} <= cols
    assert got.records["distance_m"].is_monotonic_increasing  # the 12-bit distance was unwrapped
