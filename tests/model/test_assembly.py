"""Coherence of the assembled sessions: clocks, bounds and sport (docs/schema.md, "The three clocks")."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

import runtwitch
from runtwitch.model.assembly import CLOCK_TOLERANCE_S
from runtwitch.testing import FitWriter
from tests.conftest import MANIFEST, corpus_path, read_cached

T0 = datetime(2026, 5, 2, 7, 0, tzinfo=UTC)


def check_coherent(act: runtwitch.Activity) -> None:
    """Every session: timer and moving time within elapsed, bounds enclosing its records, sport a name."""
    for i, s in act.sessions.iterrows():
        assert isinstance(s["sport"], str) and s["sport"], (i, s["sport"])
        elapsed = s["elapsed_s"]
        for clock in ("timer_s", "moving_s"):
            if not pd.isna(s[clock]):
                assert s[clock] <= elapsed + CLOCK_TOLERANCE_S, (i, clock, s[clock], elapsed)
        rec = act.records[act.records["session"] == i]
        if len(rec):
            assert s["start"] <= rec.index[0] and rec.index[-1] <= s["end"], (i, s["start"], s["end"])
            assert abs((s["end"] - s["start"]).total_seconds() - elapsed) < 1e-3
    if len(act.records):
        assert act.start is not None and act.end is not None
        assert act.start <= act.records.index[0] and act.records.index[-1] <= act.end


@pytest.mark.corpus
@pytest.mark.parametrize("row", [pytest.param(r, id=r["file"]) for r in MANIFEST if r["kind"] == "activity"])
def test_every_corpus_session_is_coherent(row: dict[str, str]) -> None:
    try:
        act = read_cached(str(corpus_path(row)))
    except runtwitch.NotAnActivityError:
        pytest.skip("not an activity")
    if act.meta.kind == "activity":
        check_coherent(act)


TCX_LAP_BEFORE_FIRST_POINT = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>2026-05-02T06:44:00Z</Id>
  <Lap StartTime="2026-05-02T06:44:00Z"><TotalTimeSeconds>2283</TotalTimeSeconds>
   <DistanceMeters>4000</DistanceMeters><Track>{points}</Track></Lap>
 </Activity></Activities>
</TrainingCenterDatabase>
"""


def _tcx_points(n: int, step_s: int = 10) -> str:
    return "".join(
        f"<Trackpoint><Time>{(T0 + timedelta(seconds=step_s * k)).strftime('%Y-%m-%dT%H:%M:%SZ')}</Time>"
        f"<DistanceMeters>{28.0 * k}</DistanceMeters></Trackpoint>" for k in range(n))


def test_tcx_lap_starting_before_its_first_point() -> None:
    # The lap starts 16 minutes before the first trackpoint; its timer (2,283 s) is
    # longer than the whole span from the lap start to the last point (960 + 410 s).
    text = TCX_LAP_BEFORE_FIRST_POINT.format(points=_tcx_points(42))  # 410 s of points
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        act = runtwitch.read_tcx(io.BytesIO(text.encode()))
    check_coherent(act)
    s = act.sessions.iloc[0]
    assert s["start"] == pd.Timestamp("2026-05-02T06:44:00Z")  # the lap's start, before the points
    assert s["elapsed_s"] == 16 * 60 + 410
    assert s["timer_source"] == "records" and s["timer_s"] == 410
    assert act.report.repaired["timer_above_elapsed"] == 1
    assert any("timer time (2283 s) exceeds" in str(w.message) for w in caught)


def test_fit_record_before_the_session_start(tmp_path: object) -> None:
    w = FitWriter()
    w.add("file_id", type=4, manufacturer=1, product=1, serial_number=1, time_created=T0)
    times = [T0 + timedelta(seconds=k) for k in range(-3, 600)]  # three records before the start
    for k, t in enumerate(times):
        w.add("record", timestamp=t, distance=3.0 * k, speed=3.0)
    end = times[-1]
    w.add("lap", timestamp=end, start_time=T0, total_elapsed_time=599, total_timer_time=599,
          total_distance=1800, event=9, event_type=1)
    w.add("session", timestamp=end, start_time=T0, total_elapsed_time=599, total_timer_time=599,
          total_distance=1800, sport=None, sub_sport=3, event=9, event_type=1)
    w.add("activity", timestamp=end, total_timer_time=599, num_sessions=1, type=0, event=26, event_type=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        act = runtwitch.read_fit(io.BytesIO(w.to_bytes()))
    check_coherent(act)
    s = act.sessions.iloc[0]
    assert s["start"] == pd.Timestamp(times[0])  # widened to the first record
    assert s["elapsed_s"] == 602 and s["moving_s"] <= s["elapsed_s"]
    assert act.report.repaired["session_bounds_widened"] == 1
    # The session names no sport: the sport is "generic", the sub-sport is kept.
    assert s["sport"] == "generic" and s["sub_sport"] == "trail"
    assert act.meta.sport == "generic"
