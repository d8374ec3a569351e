"""The user's weather table: columns, times, units, problems."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runtwitch.errors import WeatherTableError
from runtwitch.weather import TABLE_COLUMNS, read_weather_table
from runtwitch.weather.columns import table_format_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_names_units_offsets_and_problems(tmp_path: Path) -> None:
    f = tmp_path / "weather.csv"
    f.write_text(
        "Time,Temperature (°C),RH [%],Dewpoint,Wind speed [m/s],Notes\n"
        "2026-07-04T08:00-04:00,21.0,60,,2.0,sunny\n"
        "2026-07-04 13:00,25,,12.0,,\n"  # local time in tz; humidity from the dew point
        "2026-07-04T18:00Z,24.0,140,,1.0,\n"  # humidity out of range: blanked
        "yesterday,20,50,,,\n"  # no time: skipped
        "2026-07-04T19:00Z,,50,,,\n",  # no temperature: skipped
        encoding="utf-8",
    )
    t = read_weather_table(f, tz="America/Toronto")
    assert list(t["time_utc"]) == [pd.Timestamp("2026-07-04T12:00Z"), pd.Timestamp("2026-07-04T17:00Z"),
                                   pd.Timestamp("2026-07-04T18:00Z")]
    assert t["air_temp_c"].tolist() == [21.0, 25.0, 24.0]
    assert t["humidity_pct"].iloc[1] == pytest.approx(44.3, abs=0.2)  # 25 °C, dew point 12 °C
    assert t["dew_point_c"].iloc[0] == pytest.approx(12.9, abs=0.2)  # 21 °C at 60 %
    assert np.isnan(t["humidity_pct"].iloc[2]) and (t["station"] == "").all() and t["lat_deg"].isna().all()
    problems = t.attrs["problems"]
    assert len(problems) == 3
    assert problems[0].startswith("row 5, column 'Time': 'yesterday' – expected an ISO 8601 time")
    assert "row 4, column 'RH [%]': '140' – expected a number from 0 to 100 [%]" in problems
    assert "row 6, column 'Temperature (°C)': no air temperature (row skipped)" in problems
    assert read_weather_table(t).equals(t)  # its own output is accepted unchanged


def test_semicolons_decimal_commas_and_places() -> None:
    rows = pd.DataFrame({
        "datetime": ["2026-07-04T12:00Z", "2026-07-04T12:00Z", "2026-07-04T13:00Z", "2026-07-04T12:00Z"],
        "temp_c": [21.5, 19.0, 22.0, 18.0],
        "humidity": [55, 70, 50, np.nan],
        "place": ["Park", "", "Park", "Hill"],
        "lat": [43.66, 43.70, 43.66, np.nan],
        "longitude": [-79.39, -79.40, -79.39, np.nan],
    })
    t = read_weather_table(rows)
    assert sorted(set(t["station"])) == ["43.7000,-79.4000", "Hill", "Park"]
    assert t.loc[t["station"] == "Park", "air_temp_c"].tolist() == [21.5, 22.0]
    assert np.isnan(t.loc[t["station"] == "Hill", "lat_deg"]).all()


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("zeit;temperature;humidity\n".replace("zeit", "timestamp") + "2026-07-04T12:00Z;21,5;55\n")
    t = read_weather_table(f)
    assert t["air_temp_c"].tolist() == [21.5] and t["humidity_pct"].tolist() == [55.0]


def test_user_mistakes_are_one_sentence(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("time,humidity\n2026-07-04T12:00Z,50\n")
    with pytest.raises(WeatherTableError, match=r"w\.csv: no column for air temperature \(expected 'air_"):
        read_weather_table(f)
    with pytest.raises(WeatherTableError, match="cannot be read"):
        read_weather_table(tmp_path / "missing.csv")
    f.write_text("time,air_temp_c\n2026-07-04 12:00,20\n")
    with pytest.raises(WeatherTableError, match="unknown time zone 'Mars/Olympus'"):
        read_weather_table(f, tz="Mars/Olympus")
    assert isinstance(WeatherTableError("x", "y"), ValueError)


def test_clock_changes_do_not_guess(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("time,air_temp_c\n2026-11-01 01:30,5\n2026-11-01 03:00,4\n")  # 01:30 happens twice
    t = read_weather_table(f, tz="America/Toronto")
    assert t["time_utc"].tolist() == [pd.Timestamp("2026-11-01T08:00Z")]
    assert "row 2" in t.attrs["problems"][0]


def test_docs_list_the_table_format() -> None:
    doc = (ROOT / "docs" / "features.md").read_text(encoding="utf-8")
    assert table_format_markdown(TABLE_COLUMNS) in doc
