"""The device's gap to the air, and the precedence of sources."""

from __future__ import annotations

import numpy as np
import pytest

from runtwitch.weather import calibrate_device, resolve_air
from runtwitch.weather.calibration import CALIBRATION_MIN_RUNS, WRIST_TEMP_BIAS_C


def test_measured_gap_median_and_spread() -> None:
    device = [26.0, 27.0, 25.0, 30.0, 24.0, 26.5, np.nan, 40.0]
    air = [20.0, 21.0, 20.0, 23.0, 19.0, 20.0, 18.0, np.nan]
    cal = calibrate_device(device, air)
    gaps = np.array([6.0, 6.0, 5.0, 7.0, 5.0, 6.5])
    assert cal.measured and cal.runs == 6
    assert cal.bias_c == pytest.approx(np.median(gaps))
    assert cal.sd_c == pytest.approx(1.4826 * np.median(np.abs(gaps - np.median(gaps))))
    assert cal.correct(31.0) == (pytest.approx(25.0), cal.sd_c)
    assert "read 6.0 °C warmer than the air on 6 runs" in cal.describe()


def test_too_few_runs_keep_the_assumed_gap() -> None:
    cal = calibrate_device([26.0] * (CALIBRATION_MIN_RUNS - 1), [20.0] * (CALIBRATION_MIN_RUNS - 1))
    assert not cal.measured and cal.bias_c == WRIST_TEMP_BIAS_C and cal.runs == CALIBRATION_MIN_RUNS - 1
    assert "(±3 °C): 4 of the 5 runs with both it and weather needed" in cal.describe()
    same = calibrate_device([26.0] * 8, [20.0] * 8)  # whole degrees: no spread at all
    assert same.bias_c == 6.0 and same.sd_c == 0.5


WX = {"source": "archive", "air_temp_mean_c": 29.0, "humidity_mean_pct": 70.0, "wind_mean_mps": 3.0,
      "station_name": "open-meteo archive grid point 43.60, -79.40", "station_distance_km": 4.0,
      "station_elevation_diff_m": 3.0}


def test_precedence_diary_weather_device_none() -> None:
    cal = calibrate_device([26.0] * 8, [20.0] * 8)
    both = resolve_air(diary_air_c=31.0, diary_humidity_pct=None, weather=WX, device_temp_c=35.0,
                       calibration=cal)
    assert (both["heat_source"], both["air_temp_c"]) == ("diary", 31.0)
    assert (both["humidity_source"], both["humidity_pct"]) == ("archive", 70.0)
    assert both["weather_distance_km"] == 4.0 and both["dew_point_c"] == pytest.approx(24.9, abs=0.2)
    wx = resolve_air(diary_air_c=None, diary_humidity_pct=None, weather=WX, device_temp_c=35.0,
                     calibration=cal)
    assert (wx["heat_source"], wx["air_temp_c"], wx["wind_mps"]) == ("archive", 29.0, 3.0)
    assert np.isnan(wx["air_temp_sd_c"])
    none_wx = {**WX, "source": "none", "air_temp_mean_c": np.nan}
    dev = resolve_air(diary_air_c=None, diary_humidity_pct=None, weather=none_wx, device_temp_c=35.0,
                      calibration=cal)
    assert dev["air_temp_c"] == 29.0 and dev["air_temp_sd_c"] == 0.5
    assert dev["heat_source"] == "device (wrist sensor minus 6.0 °C, measured on 8 runs; low confidence)"
    assert dev["humidity_source"] == "none" and dev["weather_station"] is None
    nothing = resolve_air(diary_air_c=None, diary_humidity_pct=None, weather=None, device_temp_c=np.nan,
                          calibration=cal)
    assert nothing["heat_source"] == "none" and np.isnan(nothing["air_temp_c"])
