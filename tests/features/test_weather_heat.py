"""run_features with weather: heat from the table, the diary first, the device calibrated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.weather import calibrate_from_weather, for_runs
from tests.helpers.history import read_all, write_run


def test_heat_sources_and_calibration(tmp_path: Path) -> None:
    start = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    paths = [write_run(tmp_path, f"r{k}.fit", start + timedelta(days=k), 30, temperature_c=28.0)
             for k in range(6)]
    paths.append(write_run(tmp_path, "hot.fit", start + timedelta(days=9), 30, temperature_c=33.0))
    acts = read_all(paths)
    hours = pd.date_range("2026-07-01T11:00Z", "2026-07-06T14:00Z", freq="h")
    table = pd.DataFrame({"time": hours, "air_temp_c": 22.0, "humidity_pct": 60.0, "wind_mps": 2.0})
    (tmp_path / "d.csv").write_text("date,air_temp_c\n2026-07-01,25\n")
    diary = runtwitch.read_diary(tmp_path / "d.csv", tz="UTC")
    ath = runtwitch.Athlete(tz="UTC", body_mass_kg=70)
    season = runtwitch.Season.build(acts, diary=diary, athlete=ath)
    wx = for_runs(season, source=table, cache=False)
    runs = runtwitch.run_features(season, weather=wx)
    assert list(runs["heat_source"][:6]) == ["diary"] + ["table"] * 5
    assert list(runs["humidity_source"][:6]) == ["table"] * 6  # the diary has no humidity: the table's
    assert runs.loc["r0.fit", "air_temp_c"] == 25 and runs.loc["r1.fit", "air_temp_c"] == 22
    assert runs.loc["r1.fit", "heat_basis"] == "temperature and humidity"
    assert runs.loc["r1.fit", "heat_index_c"] == pytest.approx(
        float(runtwitch.features.formulas.heat_index_c(22.0, 60.0)))
    assert runs.loc["r1.fit", "wind_mps"] == 2.0
    assert runs.loc["r1.fit", "weather_station"] == "your weather table"
    cal = calibrate_from_weather(runs["device_temp_c"], wx)
    assert cal.measured and cal.runs == 6 and cal.bias_c == 6.0
    hot = runs.loc["hot.fit"]  # no weather that day: the device, corrected by the measured 6 °C
    assert hot["air_temp_c"] == 27.0 and hot["air_temp_sd_c"] == 0.5
    assert hot["heat_source"].startswith("device (wrist sensor minus 6.0 °C, measured on 6 runs")
    assert hot["humidity_source"] == "none" and "humidity assumed" in hot["heat_basis"]
    assert np.isnan(runs.loc["r1.fit", "air_temp_sd_c"])
    with pytest.raises(ValueError, match="weather has no rows for some of the season's activities"):
        runtwitch.run_features(season, weather=wx.iloc[:6])
