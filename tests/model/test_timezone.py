"""Local time: the zone at a position, the order of precedence, and placing unresolved files later."""

from __future__ import annotations

import os
import shutil
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.model import timezone
from tests.conftest import corpus_formats

HRM = "hrm/Runalyze-Runalyze__12010401.hrm"  # local time, no position, no offset: unresolved


def _read(file: str) -> runtwitch.Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        return runtwitch.read_activity(corpus_formats(file))


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (52.52, 13.40, "Europe/Berlin"),
        (-34.9, -57.94, "America/Argentina/Buenos_Aires"),
        (40.71, -74.0, "America/New_York"),
        (0.0, 0.0, None),
        (float("nan"), 10.0, None),
        (95.0, 10.0, None),
    ],
)
def test_zone_at(lat: float, lon: float, zone: str | None) -> None:
    assert runtwitch.zone_at(lat, lon) == zone


def test_offset_at_follows_daylight_saving_of_the_date() -> None:
    assert timezone.offset_at("Europe/Berlin", pd.Timestamp("2026-07-01 12:00")) == 7200
    assert timezone.offset_at("Europe/Berlin", pd.Timestamp("2026-01-01 12:00")) == 3600
    # the repeated hour when clocks go back: its first occurrence (summer time)
    assert timezone.offset_at("Europe/Berlin", pd.Timestamp("2026-10-25 02:30")) == 7200
    # the skipped hour when clocks go forward: the offset before the change
    assert timezone.offset_at("Europe/Berlin", pd.Timestamp("2026-03-29 02:30")) == 3600
    assert timezone.offset_at("Europe/Berlin", pd.Timestamp("2026-07-01 12:00", tz="UTC")) == 7200
    with pytest.raises(ValueError, match="unknown time zone"):
        timezone.offset_at("Mars/Olympus", pd.Timestamp("2026-07-01"))


def test_order_of_precedence() -> None:
    start = pd.Timestamp("2026-07-01 08:00")
    berlin = (52.52, 13.40)
    assert timezone.resolve(
        start, file_offset_s=-3600, position=berlin, fallback="Asia/Tokyo"
    ) == timezone.LocalTime(-3600, None, "file", "file")
    assert timezone.resolve(start, position=berlin, fallback="Asia/Tokyo") == timezone.LocalTime(
        7200, "Europe/Berlin", "position", "position"
    )
    assert timezone.resolve(start, position=(0.0, 0.0), fallback="Asia/Tokyo") == timezone.LocalTime(
        32400, "Asia/Tokyo", "athlete", "athlete"
    )
    assert timezone.resolve(start) == timezone.UNRESOLVED
    assert timezone.resolve(start, file_offset_s=20 * 3600) == timezone.UNRESOLVED  # not an offset


@pytest.mark.corpus_formats
def test_unresolved_file_keeps_its_wall_clock_and_warns() -> None:
    with pytest.warns(runtwitch.DataQualityWarning, match="local wall-clock time"):
        act = runtwitch.read_activity(corpus_formats(HRM))
    assert act.meta.time_basis == "local" and act.meta.timezone_source == "none"
    assert act.meta.utc_offset_s is None
    assert act.records.index[0] == pd.Timestamp("2012-01-04T05:35:03Z")  # as written


@pytest.mark.corpus_formats
@pytest.mark.parametrize(
    ("zone", "first_utc"),
    [
        ("America/New_York", "2012-01-04T10:35:03Z"),  # January: UTC-5
        ("Europe/Berlin", "2012-01-04T04:35:03Z"),
    ],
)
def test_resolve_local_time_shifts_everything(zone: str, first_utc: str) -> None:
    act = _read(HRM)
    placed = runtwitch.resolve_local_time(act, zone)
    shift = act.records.index[0] - placed.records.index[0]
    assert placed.records.index[0] == pd.Timestamp(first_utc)
    assert (act.records.index - placed.records.index == shift).all()
    assert (act.sessions["start"] - placed.sessions["start"] == shift).all()
    assert (act.laps["end"] - placed.laps["end"] == shift).all()
    assert act.report.source_last_time - placed.report.source_last_time == shift
    assert placed.meta.time_basis == "utc" and placed.meta.timezone == zone
    assert placed.meta.timezone_source == "athlete" and placed.meta.utc_offset_s == shift.total_seconds()
    assert runtwitch.model.schema.validate_records(placed.records) == []


@pytest.mark.corpus_formats
def test_resolve_local_time_uses_the_date_s_daylight_saving(tmp_path: Path) -> None:
    text = corpus_formats(HRM).read_bytes().replace(b"Date=20120104", b"Date=20120704")
    (tmp_path / "summer.hrm").write_bytes(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        summer = runtwitch.read_activity(tmp_path / "summer.hrm")
    placed = runtwitch.resolve_local_time(summer, "America/New_York")
    assert placed.records.index[0] == pd.Timestamp("2012-07-04T09:35:03Z")  # July: UTC-4


@pytest.mark.corpus_formats
def test_resolved_activities_are_returned_unchanged() -> None:
    act = _read("pwx/GoldenCheetah-GoldenCheetah__10kUNLP2014-Garmin15.pwx")
    assert act.meta.timezone_source == "position"
    assert runtwitch.resolve_local_time(act, "Asia/Tokyo") is act
    assert runtwitch.resolve_local_time(_read(HRM), None).meta.time_basis == "local"
    with pytest.raises(ValueError, match="unknown time zone"):
        runtwitch.resolve_local_time(_read(HRM), "Nowhere/Special")


@pytest.mark.corpus_formats
def test_analyze_places_unresolved_files_in_the_athlete_s_zone(tmp_path: Path) -> None:
    shutil.copy(corpus_formats(HRM), tmp_path / "run.hrm")
    cache = tmp_path / "cache"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        ny = runtwitch.analyze([tmp_path], tz="America/New_York", cache=cache, n_jobs=1)
        tokyo = runtwitch.analyze([tmp_path], tz="Asia/Tokyo", cache=cache, n_jobs=1)  # same cache entry
        none = runtwitch.analyze([tmp_path], cache=cache, n_jobs=1)
    assert ny.activities[0].records.index[0] == pd.Timestamp("2012-01-04T10:35:03Z")
    assert tokyo.activities[0].records.index[0] == pd.Timestamp("2012-01-03T20:35:03Z")
    assert none.activities[0].meta.time_basis == "local"  # no zone given: never an assumed one


@pytest.mark.corpus_formats
def test_the_machine_s_time_zone_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _read("vendor/Runalyze-Runalyze__Wahoo.csv")
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        after = _read("vendor/Runalyze-Runalyze__Wahoo.csv")
        hrm = _read(HRM)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert after.records.index.equals(before.records.index)
    assert after.meta.timezone == "Europe/Athens" and after.meta.timezone_source == "position"
    assert hrm.records.index[0] == pd.Timestamp("2012-01-04T05:35:03Z")
    assert "TZ" not in os.environ
