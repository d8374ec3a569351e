"""GPX files written by hand: several recordings in one file, planned routes, runs abroad."""

from __future__ import annotations

import io
import math
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.render.json_report import to_json
from tests.model.test_assembly import check_coherent


def gpx(*tracks: str, type_: str = "running") -> bytes:
    body = "".join(f"<trk><type>{type_}</type>{t}</trk>" for t in tracks)
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="hand" '
            f'xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>').encode()


def segment(start: datetime, n: int, *, step_s: float = 5.0, lat: float = 52.52, lon: float = 13.40,
            timed: bool = True) -> str:
    """``n`` points from ``start``, ``step_s`` apart, running northwards at 2-4 m/s (a real, uneven pace)."""
    pts = []
    north = 0.0
    for k in range(n):
        t = start + timedelta(seconds=step_s * k)
        time = f"<time>{t.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>" if timed else ""
        north += step_s * (3.0 + math.sin(k / 7.0)) / 111_195.0 if k else 0.0
        pts.append(f'<trkpt lat="{lat + north:.6f}" lon="{lon:.6f}"><ele>40</ele>{time}</trkpt>')
    return f"<trkseg>{''.join(pts)}</trkseg>"


def read(data: bytes) -> runtwitch.Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        return runtwitch.read_gpx(io.BytesIO(data))


def test_a_loggers_dump_of_tracks_days_apart_gives_one_run_each() -> None:
    # A GPS logger's memory: a morning run in two segments (a 10-minute stop), a
    # 5-point track that evening, and a long run more than two years later.
    d1 = datetime(2013, 4, 6, 7, 0, tzinfo=UTC)
    evening = datetime(2013, 4, 6, 19, 0, tzinfo=UTC)
    later = datetime(2015, 9, 1, 6, 30, tzinfo=UTC)
    data = gpx(segment(d1, 300) + segment(d1 + timedelta(seconds=1500 + 600), 200),
               segment(evening, 5),
               segment(later, 2000, lat=40.71, lon=-74.0))
    act = read(data)
    assert act.report.dropped == {} and act.report.rows == 2505
    check_coherent(act)
    assert list(act.sessions["recording"]) == [0, 1, 2]
    assert act.sessions["elapsed_s"].max() < 3 * 3600  # no 870-day session
    assert list(act.sessions["sport"]) == ["running"] * 3
    season = runtwitch.Season.build([act])
    assert len(season.table) == 3
    assert season.table["activity_id"].is_unique
    parts = list(season.activities.values())
    assert [len(p.records) for p in parts] == [500, 5, 2000]
    assert all(len(p.sessions) == 1 and p.sessions["session"].iloc[0] == 0 for p in parts)
    for p in parts:
        check_coherent(p)


def test_the_clock_jump_rule_stays_within_one_recording() -> None:
    # Within one track, three points stamped 27 days early are a clock error (dropped);
    # a separate track days later is a recording of its own (kept).
    t0 = datetime(2020, 5, 1, 8, 0, tzinfo=UTC)
    bad = segment(t0 - timedelta(days=27), 3)[len("<trkseg>"):-len("</trkseg>")]
    run = segment(t0, 400)
    data = gpx(run.replace("<trkseg>", "<trkseg>" + bad, 1), segment(t0 + timedelta(days=3), 10))
    act = read(data)
    assert act.report.dropped == {"clock_jump": 3}
    assert list(act.sessions["recording"]) == [0, 1]
    assert act.report.rows == 410


def test_segments_minutes_apart_are_one_recording() -> None:
    t0 = datetime(2020, 5, 1, 8, 0, tzinfo=UTC)
    act = read(gpx(segment(t0, 100) + segment(t0 + timedelta(minutes=40), 100)))
    assert len(act.sessions) == 1 and act.sessions["recording"].iloc[0] == 0
    assert act.sessions["elapsed_s"].iloc[0] == pytest.approx(40 * 60 + 99 * 5)


def test_a_planned_route_with_a_few_predicted_times_is_a_route() -> None:
    # A route planner's track: 171 points, only every eighth one with a predicted time.
    t0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    pts = []
    for k in range(171):
        time = (f"<time>{(t0 + timedelta(seconds=12 * k)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
                if k % 8 == 0 else "")
        pts.append(f'<trkpt lat="{46.0 + k * 1e-4:.6f}" lon="7.5"><ele>{500 + k}</ele>{time}</trkpt>')
    act = read(gpx("<trkseg>" + "".join(pts) + "</trkseg>"))
    assert act.meta.kind == "course"
    assert "only 22 of 171 points have a time" in act.meta.extra["course_reason"]
    assert len(act.route) == 171 and len(act.records) == 0
    assert act.report.dropped == {"course_point": 171}
    assert runtwitch.Season.build([act]).table.empty  # not a run


def test_times_predicted_at_one_constant_pace_are_a_route() -> None:
    # Every point timed, but the times are the distance at exactly 10 km/h.
    t0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    pts, along = [], 0.0
    for k in range(120):
        step = 25.0 + 15.0 * (k % 3)  # uneven spacing, constant pace
        along += step if k else 0.0
        t = t0 + timedelta(seconds=round(along / (10 / 3.6)))
        lat = 46.0 + along / 111_195.0
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        pts.append(f'<trkpt lat="{lat:.7f}" lon="7.5"><time>{stamp}</time></trkpt>')
    act = read(gpx("<trkseg>" + "".join(pts) + "</trkseg>"))
    assert act.meta.kind == "course"
    assert "constant pace" in act.meta.extra["course_reason"]


def test_a_recording_with_an_uneven_pace_stays_a_recording() -> None:
    t0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    pts = []
    for k in range(120):
        t = t0 + timedelta(seconds=5 * k)
        lat = 46.0 + (k * 12.0 + 30.0 * (k % 7 == 0)) / 111_195.0  # GPS jitter, surges
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        pts.append(f'<trkpt lat="{lat:.7f}" lon="7.5"><time>{stamp}</time></trkpt>')
    assert read(gpx("<trkseg>" + "".join(pts) + "</trkseg>")).meta.kind == "activity"


def test_a_run_abroad_links_the_diary_in_the_zone_where_it_was_recorded(tmp_path: Path) -> None:
    # Home is Berlin; the evening run was recorded in New York. GPX times are UTC
    # with no offset: each run's zone comes from its first position fix.
    berlin = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
    new_york = datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # 18:00 in New York (UTC-4)
    (tmp_path / "berlin.gpx").write_bytes(gpx(segment(berlin, 720)))
    (tmp_path / "nyc.gpx").write_bytes(gpx(segment(new_york, 720, lat=40.71, lon=-74.0)))
    diary = tmp_path / "diary.csv"
    # Written in New York: a twitch at 20:00 local (00:00 UTC on 2 July, an hour after the
    # run), and the fluid of the run that started at 18:00 local.
    diary.write_text("date,time,muscles,run,fluid_during_l\n2026-07-01,20:00,calf,,\n"
                     "2026-07-01,,,18:00,0.5\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        a = runtwitch.analyze([tmp_path / "berlin.gpx", tmp_path / "nyc.gpx"], diary=diary,
                              tz="Europe/Berlin", cache=False)
    nyc = runtwitch.read_gpx(tmp_path / "nyc.gpx").meta
    assert (nyc.timezone, nyc.timezone_source) == ("America/New_York", "position")
    assert nyc.utc_offset_s == -4 * 3600
    ep = a.season.episodes.iloc[0]
    assert ep["activity_id"] == "nyc.gpx" and ep["hours_after_run"] == pytest.approx(1.0, abs=0.01)
    assert ep["onset_utc"] == pd.Timestamp("2026-07-02T00:00Z")
    fluid = a.season.context[a.season.context["run"] == "18:00"].iloc[0]
    assert fluid["activity_id"] == "nyc.gpx" and fluid["link_rule"] == "run_time"
    doc = {act["id"]: act for act in to_json(a)["activities"]}
    assert doc["nyc.gpx"]["timezone"] == "America/New_York"
    assert doc["nyc.gpx"]["timezone_source"] == "position"
    assert doc["berlin.gpx"]["timezone"] == "Europe/Berlin" and doc["berlin.gpx"]["utc_offset_s"] == 7200
