"""Behaviour of the FIT importer on specific real files."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta

import pytest

import runtwitch
from runtwitch.testing import write_activity
from tests.conftest import CORPUS, read_cached

pytestmark = pytest.mark.corpus


def fit(name: str) -> str:
    return str(CORPUS / "fit" / name)


@pytest.mark.parametrize(
    "name",
    ["runpandas__run.fit", "sports-lib__6782987395.fit", "goldencheetah__Fr955v19.28andStryd.fit",
     "runalyze__FR630-with-lth.fit", "python-fitparse__activity-small-fenix2-run.fit"],
)
def test_running_cadence_is_steps_per_minute(name: str) -> None:
    rec = read_cached(fit(name)).records
    assert "cadence_rpm" not in rec
    moving = rec[rec["speed_mps"] > 2.0]["cadence_spm"].dropna()
    assert 150 <= moving.median() <= 200  # what the watch shows, not ~80 strides/min


def test_cycling_cadence_stays_rpm() -> None:
    rec = read_cached(fit("sweatpy__4801048867.fit")).records
    assert "cadence_spm" not in rec
    rec = read_cached(fit("goldencheetah__Garmin830_with_Stages.fit")).records
    assert 60 <= rec["cadence_rpm"][rec["cadence_rpm"] > 0].median() <= 110


def test_multisport_records_follow_their_session() -> None:
    act = read_cached(fit("runalyze__multisport-triathlon-fenix3.fit"))
    sports = list(act.sessions["sport"])
    assert sports[0] == "swimming" and "cycling" in sports and "running" in sports
    assert act.meta.sport == "multisport"
    # every record lies inside its session's time window
    for _, s in act.sessions.iterrows():
        rec = act.records[act.records["session"] == s["session"]]
        if len(rec):
            assert rec.index[0] >= s["start"]
    running = act.sessions.index[act.sessions["sport"] == "running"][0]
    run_rec = act.records[act.records["session"] == running]
    assert run_rec["cadence_spm"].notna().any()
    assert run_rec["cadence_rpm"].isna().all()


def test_chained_file_with_several_headers() -> None:
    act = read_cached(fit("python-fitparse__sample_mulitple_header.fit"))
    assert act.meta.extra["fit_headers"] == 4
    assert act.report.rows == 1773


def test_three_clocks_are_kept_apart() -> None:
    s = read_cached(fit("runalyze__with-new-dynamics.fit")).sessions.iloc[0]
    assert s["elapsed_s"] > s["timer_s"] >= s["moving_s"] > 0
    assert s["elapsed_source"] == "session" and s["timer_source"] == "session"
    assert s["moving_source"] == "speed"


def test_one_second_step_back_is_dropped_not_reordered() -> None:
    act = read_cached(fit("runalyze__One-second-jump-to-past.fit"))
    assert act.report.dropped == {"time_backwards": 1}
    assert act.records.index.is_monotonic_increasing


def test_clock_jump_of_27_days_is_dropped_and_elapsed_recomputed() -> None:
    act = read_cached(fit("sports-lib__27-days-activity.fit"))
    assert act.report.dropped == {"clock_jump": 3}
    s = act.sessions.iloc[0]
    assert s["elapsed_source"] == "records"
    assert s["elapsed_s"] < 3 * 3600  # not 27 days
    assert s["start"] == act.records.index[0]


def test_coros_misaligned_field_sizes_are_read() -> None:
    act = read_cached(fit("python-fitparse__coros-pace-2-cycling-misaligned-fields.fit"))
    assert act.report.rows == 11272
    assert any("invalid field size" in w for w in act.report.warnings)


def test_compressed_timestamps() -> None:
    act = read_cached(fit("runalyze__FR70-intervals.fit"))
    assert act.report.rows == 633
    assert act.records.index.is_unique


def test_developer_fields_are_kept_as_columns() -> None:
    rec = read_cached(fit("goldencheetah__Fr955v19.28andStryd.fit")).records
    dev = [c for c in rec.columns if c.startswith("dev_")]
    assert len(dev) >= 5
    assert any("power" in c for c in dev)


def test_utc_offset_comes_from_the_file() -> None:
    act = read_cached(fit("runpandas__run.fit"))
    assert act.meta.utc_offset_s == 7200
    assert act.meta.utc_offset_source == "fit_activity_local_timestamp"
    assert str(act.records.index.tz) == "UTC"


def test_without_local_timestamp_the_zone_comes_from_the_first_position() -> None:
    # An Edge 500 ride near Toronto whose file records no local time (docs/schema.md, "Local time").
    act = read_cached(fit("python-fitparse__garmin-edge-500-activity.fit"))
    assert act.meta.timezone == "America/Toronto" and act.meta.timezone_source == "position"
    assert act.meta.utc_offset_s == -4 * 3600 and act.meta.utc_offset_source == "position"  # EDT in September


def test_utc_offset_unknown_when_file_has_no_evidence() -> None:
    start = datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
    data = write_activity([start + timedelta(seconds=k) for k in range(60)], utc_offset_s=None,
                          speed=[3.0] * 60)  # no local_timestamp, no position
    act = runtwitch.read_fit(io.BytesIO(data))
    assert act.meta.utc_offset_s is None and act.meta.utc_offset_source == "unknown"
    assert act.meta.timezone is None and act.meta.timezone_source == "none"


def test_gzip_and_buffers_and_upper_case_suffix() -> None:
    gz = read_cached(fit("goldencheetah__14582164182.fit.gz"))
    assert gz.meta.extra["gzipped"] and gz.report.rows == 2760
    with open(fit("python-fitparse__Activity.fit"), "rb") as fh:
        raw = fh.read()
    from_buffer = runtwitch.read_fit(io.BytesIO(raw))
    from_gzip_buffer = runtwitch.read_activity(io.BytesIO(gzip.compress(raw)))
    assert from_buffer.records.equals(from_gzip_buffer.records)
    assert from_buffer.meta.source == "<buffer>"
    upper = read_cached(fit("goldencheetah__2017_hrv.FIT"))
    assert upper.meta.format == "fit"


def test_not_a_fit_file_is_a_parse_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "notes.fit"
    bad.write_bytes(b"this is plain text, not a FIT file at all")
    with pytest.raises(runtwitch.ParseError, match=r"expected '\.FIT'") as info:
        runtwitch.read_activity(bad)
    assert info.value.offset == 8
    assert str(bad) in str(info.value)


def test_gzip_bomb_is_refused_quickly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (64 * 1024 * 1024)))
    with pytest.raises(runtwitch.LimitExceededError, match="limit"):
        runtwitch.read_fit(bomb, max_bytes=1024 * 1024)


def test_directory_and_missing_file_are_typed_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "folder.fit"
    d.mkdir()
    with pytest.raises(runtwitch.FileError, match="directory"):
        runtwitch.read_fit(d)
    with pytest.raises(runtwitch.FileError, match="cannot be read"):
        runtwitch.read_fit(tmp_path / "missing.fit")


def test_swim_heart_rate_from_stored_hr_messages() -> None:
    act = read_cached(fit("sports-lib__6688025408.fit"))
    assert act.report.repaired["heart_rate_from_hr_messages"] == act.report.rows
    hr = act.records["heart_rate_bpm"]
    assert hr.min() > 60 and hr.max() < 200
    assert abs(hr.mean() - 118.5) < 1  # Garmin Connect's TCX of the same swim


def test_stored_hr_messages_that_fill_nothing_build_no_records_frame() -> None:
    # Its records already hold every heart rate its hr messages could give: nothing is filled,
    # and the records stay columns until read (a cache storing the import builds no frame).
    act = runtwitch.read_activity(fit("goldencheetah__Garmin945swimRRdata.fit"))
    assert "heart_rate_from_hr_messages" not in act.report.repaired
    assert act.loaded("records") and "records" not in act.__dict__
    assert act.held("records").names == list(act.records.columns)


def test_unpack_12bit_event_timestamps() -> None:
    from runtwitch.io.fit.importer import _unpack_12bit

    # 0xABC and 0x123 packed little-endian: BC 3A 12
    assert _unpack_12bit((0xBC, 0x3A, 0x12)) == [0xABC, 0x123]
