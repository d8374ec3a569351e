"""analyze() with weather: only when asked, failures are notes, the second run needs no network."""

from __future__ import annotations

from pathlib import Path

import runtwitch
from runtwitch.weather import OpenMeteoArchive
from tests.weather.recording import Down, Recorded

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
FILES = [SAMPLE / "2026-07-04-0800-running.gpx", SAMPLE / "2026-07-05-0900-running.fit"]


def test_no_weather_unless_asked() -> None:
    result = runtwitch.analyze(FILES, tz="America/Toronto", cache=False)
    assert result.weather is None
    assert result.runs["heat_source"].str.startswith("device").all()
    assert not any("weather" in w for w in result.warnings)


def test_table_problems_are_notes(tmp_path: Path) -> None:
    table = tmp_path / "weather.csv"
    table.write_text("time,air_temp_c,humidity_pct\n2026-07-04T07:00,20,60\n2026-07-04T08:00,21,hot\n"
                     "2026-07-04T09:00,23,55\n2026-07-04T10:00,24,50\n")
    result = runtwitch.analyze(FILES, tz="America/Toronto", cache=False, weather_table=table)
    assert any(w.startswith(f"weather table {table}: 1 problem, e.g. row 3, column 'humidity_pct': 'hot'")
               for w in result.warnings), result.warnings
    assert list(result.runs["heat_source"]) == ["table", "device (wrist sensor minus 5.0 °C, assumed; "
                                                          "low confidence)"]


def test_archive_down_is_a_note_and_the_device_is_used(tmp_path: Path) -> None:
    down = Down()
    result = runtwitch.analyze(FILES, tz="America/Toronto", cache=tmp_path,
                               weather=OpenMeteoArchive(transport=down))
    assert down.calls == 1
    assert any("weather archive open-meteo not reached" in w for w in result.warnings)
    assert result.runs["heat_source"].str.startswith("device").all()
    assert result.weather is not None and (result.weather["source"] == "none").all()


def test_archive_weather_then_the_cache(tmp_path: Path) -> None:
    rec = Recorded()
    first = runtwitch.analyze(FILES, tz="America/Toronto", cache=tmp_path,
                              weather=OpenMeteoArchive(transport=rec))
    assert len(rec.urls) == 1
    assert list(first.runs["heat_source"]) == ["archive", "archive"]
    assert list(first.runs["humidity_source"]) == ["archive", "archive"]
    assert first.runs["weather_distance_km"].between(5, 7).all()
    down = Down()
    second = runtwitch.analyze(FILES, tz="America/Toronto", cache=tmp_path,
                               weather=OpenMeteoArchive(transport=down))
    assert down.calls == 0
    assert list(second.runs["air_temp_c"]) == list(first.runs["air_temp_c"])
