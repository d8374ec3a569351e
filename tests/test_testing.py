"""The FIT encoder used by tests and the sample-data generator round-trips through read_fit."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

import runtwitch
from runtwitch.io.fit.crc import crc16
from runtwitch.testing import write_activity


def test_crc16_matches_fit_sdk_check_value() -> None:
    # CRC-16/ARC (the FIT CRC) of "123456789" is 0xBB3D.
    assert crc16(b"123456789") == 0xBB3D


def test_round_trip() -> None:
    start = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    times = [start + timedelta(seconds=i) for i in range(600)]
    data = write_activity(
        times, sport="running", utc_offset_s=3600,
        pauses=[(times[300], times[300] + timedelta(seconds=0))],
        heart_rate=[0] * 10 + [150] * 590, cadence=[85] * 600,
        speed=[3.0] * 600, distance=[3.0 * i for i in range(600)],
        position_lat=[48.0] * 600, position_long=[2.0] * 600,
    )
    act = runtwitch.read_fit(io.BytesIO(data), errors="raise")
    rec = act.records
    assert act.report.rows == 600 and act.report.repaired == {"heart_rate_zero": 10}
    assert rec["cadence_spm"].iloc[0] == 170
    assert rec["heart_rate_bpm"].isna().sum() == 10
    assert rec["lat_deg"].iloc[0] == pytest.approx(48.0, abs=1e-6)
    assert act.meta.utc_offset_s == 3600
    assert act.sessions.loc[0, "sport"] == "running"
    assert act.sessions.loc[0, "elapsed_s"] == 599


def test_sample_data_fit_files_import_cleanly() -> None:
    from tests.conftest import ROOT

    files = sorted((ROOT / "sample_data").glob("*.fit"))
    assert len(files) > 40
    for path in files:
        act = runtwitch.read_fit(path, errors="raise")
        assert act.report.status == "ok"
        assert act.meta.utc_offset_s == -4 * 3600
