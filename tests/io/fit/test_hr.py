"""Stored heart rate (FIT ``hr`` messages) read in bulk against the one-by-one decoder."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

import runtwitch
from runtwitch.io.fit import bulk, crc, engines, frame, hr
from runtwitch.io.fit.importer import hr_message_series
from runtwitch.io.fit.types import HR_MESG
from runtwitch.model.activity import ImportReport
from tests.conftest import CORPUS, MANIFEST

pytestmark = pytest.mark.corpus

FIT_FILES = sorted(r["file"] for r in MANIFEST if r["format"] in ("fit", "fit.gz"))


def _has_hr(name: str) -> bool:
    framed = frame.frame((CORPUS / name).read_bytes())
    return any(d.global_num == HR_MESG and d.offsets for d in framed.definitions)


HR_FILES = [name for name in FIT_FILES if name.endswith(".fit") and _has_hr(name)]


def _decode(data: bytes, monkeypatch: pytest.MonkeyPatch, *, bulk_hr: bool) -> object:
    """The numpy engine's collector and failure, with hr messages in bulk or one by one."""
    with monkeypatch.context() as m:
        if not bulk_hr:
            m.setattr(hr, "decode_hr", lambda *a: None)
        return engines.decode_numpy(data, "f.fit", "salvage", ImportReport())


def test_the_corpus_has_files_with_hr_messages() -> None:
    assert len(HR_FILES) >= 3, HR_FILES


@pytest.mark.parametrize("name", HR_FILES)
def test_bulk_hr_equals_the_one_by_one_decoder(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same series as ``decode_row`` + ``hr_message_series``, and the same activity and report."""
    data = (CORPUS / name).read_bytes()
    got, got_failure = _decode(data, monkeypatch, bulk_hr=True)  # type: ignore[misc]
    ref, ref_failure = _decode(data, monkeypatch, bulk_hr=False)  # type: ignore[misc]
    assert got.hr_beats is not None and ref.hr_beats is None  # the bulk path read them
    assert len(got.hr_beats.message_seqs) == len(ref.hr)
    pd.testing.assert_series_equal(hr.beats_series(got.hr_beats), hr_message_series(ref.hr))
    assert repr(got_failure) == repr(ref_failure)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        act = runtwitch.read_fit(CORPUS / name)
        with monkeypatch.context() as m:
            m.setattr(hr, "decode_hr", lambda *a: None)
            one_by_one = runtwitch.read_fit(CORPUS / name)
    pd.testing.assert_frame_equal(act.records, one_by_one.records)
    assert act.report.to_dict() == one_by_one.report.to_dict()


def test_truncated_file_keeps_the_hr_messages_before_the_damage(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (CORPUS / HR_FILES[0]).read_bytes()
    framed = frame.frame(data)
    twelve = next(d for d in framed.definitions if d.global_num == HR_MESG and len(d.offsets) > 10)
    cut = data[: twelve.offsets[len(twelve.offsets) // 2] + 5]  # inside an hr message
    got, _ = _decode(cut, monkeypatch, bulk_hr=True)  # type: ignore[misc]
    ref, _ = _decode(cut, monkeypatch, bulk_hr=False)  # type: ignore[misc]
    assert got.hr_beats is not None and len(got.hr_beats.message_seqs) == len(ref.hr) > 0
    pd.testing.assert_series_equal(hr.beats_series(got.hr_beats), hr_message_series(ref.hr))


def _fit_bytes(body: bytes) -> bytes:
    head = bytes([12, 0x10]) + (2132).to_bytes(2, "little") + len(body).to_bytes(4, "little") + b".FIT"
    out = head + body
    return out + crc.crc16(out).to_bytes(2, "little")


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    return (bytes([0x40 | local, 0, 0]) + global_num.to_bytes(2, "little") + bytes([len(fields)])
            + b"".join(bytes(f) for f in fields))


T0 = 1_000_000_000  # a FIT time [s]
FILE_ID = _definition(0, 0, [(0, 1, 0x00)]) + bytes([0x00, 4])  # file_id.type = activity
RECORDS = _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)]) + b"".join(
    bytes([0x01]) + (T0 + k).to_bytes(4, "little") + bytes([0xFF]) for k in range(20))
ANCHOR = _definition(2, HR_MESG, [(253, 4, 0x86), (9, 4, 0x86), (0, 2, 0x84), (6, 1, 0x02)])
TWELVE = _definition(3, HR_MESG, [(6, 8, 0x02), (10, 12, 0x0D)])


def _anchor(seconds: int, event: int) -> bytes:
    return (bytes([0x02]) + (T0 + seconds).to_bytes(4, "little") + event.to_bytes(4, "little")
            + (16384).to_bytes(2, "little") + bytes([100]))


def _twelve(first: int, bpm: list[int], packed: bytes | None = None) -> bytes:
    values = [(first + 1024 * k) & 0xFFF for k in range(8)]
    if packed is None:
        packed = b"".join(bytes([a & 0xFF, (a >> 8) | ((b & 0x0F) << 4), b >> 4])
                          for a, b in zip(values[::2], values[1::2], strict=True))
    return bytes([0x03]) + bytes(bpm) + packed


def _both(data: bytes) -> list[object]:
    out = []
    for engine in ("fitdecode", "numpy"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
            try:
                act = runtwitch.read_fit(io.BytesIO(data), engine=engine)  # type: ignore[arg-type]
            except runtwitch.RuntwitchError as exc:
                out.append((type(exc).__name__, getattr(exc, "offset", None)))
                continue
            damage = act.report.damage
            rate = act.records.get("heart_rate_bpm")
            rate = None if rate is None else rate.fillna(-1.0).tolist()  # NaN never equals itself
            out.append((rate,
                        act.report.to_dict()["repaired"], damage and (damage.kind, damage.offset)))
    return out


def test_hand_made_hr_messages_in_bulk_equal_the_reference() -> None:
    """Wrapping 12-bit event times, an invalid bpm in the middle of a message, a second anchor."""
    body = FILE_ID + ANCHOR + TWELVE + _anchor(0, 5000) + _twelve(5000 + 1024, [101, 102, 0xFF, 104, 105, 106,
                                                                                107, 108])
    body += _twelve(5000 + 9 * 1024, [110] * 8) + _anchor(12, 9 * 4096) + _twelve(9 * 4096 + 1024, [120] * 8)
    data = _fit_bytes(body + RECORDS)
    framed = frame.frame(data)
    assert hr.decode_hr(data, framed, bulk.timestamp_index(data, framed)) is not None
    ref, got = _both(data)
    assert got == ref and isinstance(ref, tuple) and ref[1]["heart_rate_from_hr_messages"] > 10


def test_12_bit_message_before_any_event_timestamp_fails_as_the_reference() -> None:
    """The one-by-one decoder refuses a 12-bit message with no clock yet (as fitdecode does):
    the bulk path leaves such a file to it, and the numpy engine stops where fitdecode does."""
    body = FILE_ID + RECORDS[:200] + TWELVE + _twelve(1024, [100] * 8) + ANCHOR + _anchor(0, 0)
    data = _fit_bytes(body)
    framed = frame.frame(data)
    assert hr.decode_hr(data, framed, bulk.timestamp_index(data, framed)) is None
    ref, got = _both(data)
    assert got == ref


def test_12_bit_message_of_invalid_bytes_fails_as_the_reference() -> None:
    body = FILE_ID + ANCHOR + TWELVE + _anchor(0, 0) + _twelve(1024, [100] * 8, bytes([0xFF] * 12))
    data = _fit_bytes(body + RECORDS)
    framed = frame.frame(data)
    assert hr.decode_hr(data, framed, bulk.timestamp_index(data, framed)) is None
    ref, got = _both(data)
    assert got == ref


def test_unpack_12bit_is_two_values_per_three_bytes() -> None:
    import numpy as np

    packed = np.array([[0xBC, 0x3A, 0x12, 0xFF, 0xFF, 0xFF, 0x01]], dtype=np.uint8)
    assert hr.unpack_12bit(packed).tolist() == [[0xABC, 0x123, 0xFFF, 0xFFF]]


def test_hr_messages_after_a_message_that_stops_decoding_are_not_used() -> None:
    """A record the one-by-one decoder fails on (an array timestamp) ends the file there."""
    bad = _definition(4, 20, [(253, 8, 0x86), (3, 1, 0x02)]) + bytes([0x04]) + bytes(8) + bytes([99])
    body = FILE_ID + RECORDS + ANCHOR + TWELVE + _anchor(0, 0) + _twelve(1024, [100] * 8)
    data = _fit_bytes(body + bad + _twelve(9 * 1024, [150] * 8) + _anchor(15, 0) + _twelve(1024, [160] * 8))
    framed = frame.frame(data)
    assert hr.decode_hr(data, framed, bulk.timestamp_index(data, framed)) is not None
    ref, got = _both(data)
    assert got == ref and isinstance(ref, tuple) and ref[2] is not None and 150.0 not in ref[0]
