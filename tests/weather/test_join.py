"""for_runs: the join by time and place, interpolation, source order, cache and failures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.errors import WeatherWarning
from runtwitch.weather import OpenMeteoArchive, for_runs, run_places, summarize
from tests.weather.recording import Down, Recorded

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
HOME = (43.6532, -79.3832)


def runs_table(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    """Runs as (start, end, lat, lon); altitude 90 m."""
    return pd.DataFrame(
        [{"start_utc": pd.Timestamp(a), "end_utc": pd.Timestamp(b), "lat_deg": lat, "lon_deg": lon,
          "altitude_m": 90.0} for a, b, lat, lon in rows],
        index=pd.Index([f"r{k}" for k in range(len(rows))], name="activity_id"),
    )


def sample_runs() -> list[runtwitch.Activity]:
    # Saturday 08:00 and Sunday 09:00 in Toronto (UTC-4): 12:00 and 13:00 UTC
    return [runtwitch.read_activity(SAMPLE / n) for n in ("2026-07-04-0800-running.gpx",
                                                          "2026-07-05-0900-running.fit")]


def test_archive_weather_of_real_runs_then_from_the_cache(tmp_path: Path) -> None:
    acts = sample_runs()
    places = run_places(acts)
    assert places["lat_deg"].iloc[0] == pytest.approx(HOME[0], abs=1e-3)
    assert 80 < places["altitude_m"].iloc[1] < 105
    rec = Recorded()
    wx = for_runs(acts, source=OpenMeteoArchive(transport=rec), cache=tmp_path, today=date(2026, 8, 1))
    assert len(rec.urls) == 1  # both runs start from the same door: one site, one request
    q = rec.queries()[0]
    assert (q["latitude"], q["longitude"], q["start_date"], q["end_date"]) == (
        "43.6500", "-79.3800", "2026-07-04", "2026-07-05")
    assert list(wx["source"]) == ["archive", "archive"] and list(wx["note"]) == ["", ""]
    first = wx.iloc[0]
    assert first["air_temp_start_c"] == pytest.approx(23.7, abs=0.05)  # the 12:00 UTC hour of the reply
    assert first["air_temp_mean_c"] > first["air_temp_start_c"]  # a warming morning
    assert 40 < first["humidity_mean_pct"] < 85 and 2.5 <= first["wind_mean_mps"] <= 4.0
    assert first["station_distance_km"] == pytest.approx(6.0, abs=0.5)  # to the grid point 43.6, -79.4
    assert abs(first["station_elevation_diff_m"]) < 15
    assert first["station_id"] == "open-meteo:43.65,-79.38"
    # Second call: everything from the cache, the network is not touched.
    down = Down()
    again = for_runs(acts, source=OpenMeteoArchive(transport=down), cache=tmp_path, today=date(2026, 8, 1))
    assert down.calls == 0
    pd.testing.assert_frame_equal(again, wx)
    assert sorted(p.name for p in tmp_path.rglob("*.json")) == ["2026-07-04.json", "2026-07-05.json"]


def test_interpolation_to_the_runs_hours() -> None:
    hours = pd.DataFrame(
        {"air_temp_c": [20.0, 22.0, 30.0], "humidity_pct": [60.0, 50.0, 40.0]},
        index=pd.DatetimeIndex(["2026-07-04T07:00Z", "2026-07-04T08:00Z", "2026-07-04T12:00Z"]),
    )
    v = summarize(hours, pd.Timestamp("2026-07-04T07:30Z"), pd.Timestamp("2026-07-04T07:50Z"))
    assert v["air_temp_start_c"] == pytest.approx(21.0)
    assert v["air_temp_mean_c"] == pytest.approx((21.0 + 22.0 * 5 / 6 + 20.0 / 6) / 2, abs=0.01)
    assert v["humidity_start_pct"] == pytest.approx(55.0) and np.isnan(v["wind_start_mps"])
    # 08:00 to 12:00 is a 4 h gap: not interpolated across; within 1.5 h of one end, that value holds.
    v = summarize(hours, pd.Timestamp("2026-07-04T09:00Z"), pd.Timestamp("2026-07-04T09:30Z"))
    assert v["air_temp_start_c"] == 22.0 and v["air_temp_mean_c"] == 22.0
    v = summarize(hours, pd.Timestamp("2026-07-04T10:00Z"), pd.Timestamp("2026-07-04T10:20Z"))
    assert np.isnan(v["air_temp_start_c"]) and np.isnan(v["air_temp_mean_c"])
    v = summarize(hours, pd.Timestamp("2026-07-04T10:00Z"), pd.Timestamp("2026-07-04T10:20Z"), max_gap_h=5)
    assert v["air_temp_start_c"] == pytest.approx(26.0)


def test_the_table_joins_by_time_and_place() -> None:
    table = pd.DataFrame({
        "time": ["2026-07-04T12:00Z", "2026-07-04T13:00Z"] * 2 + ["2026-07-05T12:00Z", "2026-07-05T13:00Z"],
        "air_temp_c": [20.0, 22.0, 30.0, 32.0, 15.0, 15.0],
        "humidity_pct": [50, 50, 70, 70, 90, 90],
        "station": ["Park", "Park", "Lake", "Lake", "", ""],
        "lat": [43.66, 43.66, 43.64, 43.64, np.nan, np.nan],
        "lon": [-79.39, -79.39, -79.60, -79.60, np.nan, np.nan],
    })
    runs = runs_table(
        ("2026-07-04T12:30Z", "2026-07-04T12:40Z", *HOME),  # 1 km from Park, 18 km from Lake
        ("2026-07-04T12:30Z", "2026-07-04T12:40Z", 43.64, -79.58),  # 2 km from Lake
        ("2026-07-04T12:30Z", "2026-07-04T12:40Z", 45.50, -73.56),  # Montreal: no place near
        ("2026-07-04T12:30Z", "2026-07-04T12:40Z", np.nan, np.nan),  # no position
        ("2026-07-05T12:30Z", "2026-07-05T12:40Z", 45.50, -73.56),  # rows without a place count anywhere
    )
    wx = for_runs(runs, source=table, cache=False)
    assert list(wx.index) == list(runs.index)
    assert list(wx["source"]) == ["table", "table", "none", "none", "table"]
    assert list(wx["station_name"]) == ["Park", "Lake", None, None, "your weather table"]
    assert wx["air_temp_start_c"].iloc[0] == pytest.approx(21.0) and wx["air_temp_start_c"].iloc[1] == 31.0
    assert wx["station_distance_km"].iloc[0] == pytest.approx(1.0, abs=0.3)
    assert np.isnan(wx["station_distance_km"].iloc[4])
    assert wx["note"].iloc[2] == "weather table: no rows around the run's hours"  # the placeless ones
    placed = table[table["station"] != ""]
    wx = for_runs(runs.iloc[[2, 3]], source=placed, cache=False)
    assert list(wx["note"]) == ["weather table: no place within 50 km",
                                "weather table: no position in the file to match its places"]
    far = for_runs(runs.iloc[[2]], source=placed, cache=False, max_distance_km=600)
    assert far["station_name"].iloc[0] == "Park"  # the nearer of the two


def test_network_failure_is_a_warning_and_the_next_source_is_used() -> None:
    down = Down()
    table = pd.DataFrame({"time": ["2026-07-04T12:00Z", "2026-07-04T13:00Z"], "air_temp_c": [20.0, 22.0]})
    runs = runs_table(("2026-07-04T12:30Z", "2026-07-04T12:40Z", *HOME),
                      ("2026-07-04T12:30Z", "2026-07-04T12:40Z", 48.85, 2.35),  # another site
                      ("2026-07-06T12:30Z", "2026-07-06T12:40Z", *HOME))  # not in the table
    with pytest.warns(WeatherWarning, match=r"timed out after 10 s; the weather of 3 runs comes from"):
        wx = for_runs(runs, source=[OpenMeteoArchive(transport=down), table],
                      cache=False, today=date(2026, 8, 1))
    assert down.calls == 1  # the first failure stops the archive: no hang of one time-out per site
    assert list(wx["source"]) == ["table", "table", "none"]
    assert wx["note"].iloc[2].startswith("archive not reached (archive-api.example timed out")
    assert wx["note"].iloc[2].endswith("weather table: no rows around the run's hours")
    assert len(wx.attrs["warnings"]) == 1


def test_sources_are_tried_in_order() -> None:
    rec = Recorded()
    table = pd.DataFrame({"time": ["2026-07-04T12:00Z", "2026-07-04T13:00Z"], "air_temp_c": [20.0, 22.0]})
    runs = runs_table(("2026-07-04T12:30Z", "2026-07-04T12:40Z", *HOME),
                      ("2026-07-05T12:30Z", "2026-07-05T12:40Z", *HOME))
    wx = for_runs(runs, source=[table, OpenMeteoArchive(transport=rec)], cache=False, today=date(2026, 8, 1))
    assert list(wx["source"]) == ["table", "archive"]
    assert [q["start_date"] for q in rec.queries()] == ["2026-07-05"]  # only what the table lacked


def test_hours_the_archive_lacks_are_asked_again_later(tmp_path: Path) -> None:
    rec = Recorded()
    runs = runs_table(("2026-07-06T12:30Z", "2026-07-06T12:40Z", *HOME))
    for _ in range(2):
        wx = for_runs(runs, source=OpenMeteoArchive(transport=rec), cache=tmp_path, today=date(2026, 8, 1))
        assert wx["source"].iloc[0] == "none" and wx["note"].iloc[0] == "archive: no hours for this run (yet)"
    assert len(rec.urls) == 2 and not list(tmp_path.rglob("*.json"))
    # Days the archive cannot have yet (it lags about 5 days) are not asked for.
    wx = for_runs(runs, source=OpenMeteoArchive(transport=rec), cache=tmp_path, today=date(2026, 7, 10))
    assert len(rec.urls) == 2 and wx["note"].iloc[0] == "archive: too recent (the archive lags about 5 days)"


def test_a_refused_request_is_a_warning(tmp_path: Path) -> None:
    runs = runs_table(("2026-07-04T12:30Z", "2026-07-04T12:40Z", 10.0, 10.0))  # no reply recorded there
    with pytest.warns(WeatherWarning, match="refused 1 request, e.g. open-meteo refused the request"):
        wx = for_runs(runs, source=OpenMeteoArchive(transport=Recorded()), cache=tmp_path,
                      today=date(2026, 8, 1))
    assert wx["note"].iloc[0].startswith("archive error (open-meteo refused")


def test_a_damaged_cache_file_is_fetched_again(tmp_path: Path) -> None:
    rec = Recorded()
    runs = runs_table(("2026-07-04T12:30Z", "2026-07-04T12:40Z", *HOME))
    archive = OpenMeteoArchive(transport=rec)
    for_runs(runs, source=archive, cache=tmp_path, today=date(2026, 8, 1))
    (entry,) = [p for p in tmp_path.rglob("2026-07-04.json")]
    entry.write_bytes(entry.read_bytes()[:-20])
    wx = for_runs(runs, source=archive, cache=tmp_path, today=date(2026, 8, 1))
    assert len(rec.urls) == 2 and wx["source"].iloc[0] == "archive"


def test_runs_without_start_or_position() -> None:
    with pytest.raises(ValueError, match="needs the columns end_utc"):
        for_runs(pd.DataFrame({"start_utc": []}), source=[], cache=False)
    runs = runs_table(("2026-07-04T12:30Z", "2026-07-04T12:40Z", np.nan, np.nan))
    runs.loc["r1"] = [pd.NaT, pd.NaT, 1.0, 1.0, 0.0]
    wx = for_runs(runs, source=OpenMeteoArchive(transport=Down()), cache=False)
    assert list(wx["note"]) == ["archive: no position in the file", "no start time"]
