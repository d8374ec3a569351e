"""Which source gives a run's air temperature and humidity: one rule, stated once.

Precedence, for the temperature and for the humidity separately:

1. the diary (what the runner noted),
2. the weather found for the run (the runner's weather table or the archive,
   whichever :func:`runtwitch.weather.for_runs` tried first and had the hours),
3. the device's own sensor, corrected by the runner's measured gap to the air
   (:mod:`runtwitch.weather.calibration`), temperature only and labelled low
   confidence,
4. none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.weather.calibration import DeviceCalibration
from runtwitch.weather.formulas import dew_point_c

#: The sources in order of precedence (device and none last).
HEAT_SOURCES = ("diary", "table", "archive", "device", "none")


def _finite(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def resolve_air(
    *,
    diary_air_c: float | None,
    diary_humidity_pct: float | None,
    weather: Mapping[str, Any] | pd.Series | None,
    device_temp_c: float | None,
    calibration: DeviceCalibration,
) -> dict[str, Any]:
    """Air temperature, humidity and their sources for one run.

    Parameters
    ----------
    diary_air_c, diary_humidity_pct
        What the diary says [°C, %], or None.
    weather
        The run's row of :func:`runtwitch.weather.for_runs`, or None.
    device_temp_c
        Median of the device's temperature sensor [°C], or None/NaN.
    calibration
        The runner's device gap (:func:`runtwitch.weather.calibrate_device`).

    Returns
    -------
    dict
        ``air_temp_c`` [°C], ``air_temp_sd_c`` (1 SD of a device-derived
        value, else NaN) [°C], ``heat_source``, ``humidity_pct`` [%],
        ``humidity_source`` (``diary``, ``table``, ``archive`` or ``none``),
        ``dew_point_c`` [°C] (from the temperature and humidity used),
        ``wind_mps`` [m/s], ``weather_station``, ``weather_distance_km``
        [km] and ``weather_elevation_diff_m`` [m] (when the weather was used).
    """
    wx = weather if weather is not None and weather.get("source") in ("table", "archive") else None
    wx_source = str(wx["source"]) if wx is not None else "none"
    wx_air = _finite(wx.get("air_temp_mean_c")) if wx is not None else None
    wx_rh = _finite(wx.get("humidity_mean_pct")) if wx is not None else None
    device = _finite(device_temp_c)
    out: dict[str, Any] = {"air_temp_sd_c": np.nan}
    if diary_air_c is not None:
        out["air_temp_c"], out["heat_source"] = float(diary_air_c), "diary"
    elif wx_air is not None:
        out["air_temp_c"], out["heat_source"] = wx_air, wx_source
    elif device is not None:
        out["air_temp_c"], out["air_temp_sd_c"] = calibration.correct(device)
        how = (f"measured on {calibration.runs} runs" if calibration.measured else "assumed")
        out["heat_source"] = f"device (wrist sensor minus {calibration.bias_c:.1f} °C, {how}; low confidence)"
    else:
        out["air_temp_c"], out["heat_source"] = np.nan, "none"
    if diary_humidity_pct is not None:
        out["humidity_pct"], out["humidity_source"] = float(diary_humidity_pct), "diary"
    elif wx_rh is not None:
        out["humidity_pct"], out["humidity_source"] = wx_rh, wx_source
    else:
        out["humidity_pct"], out["humidity_source"] = np.nan, "none"
    out["dew_point_c"] = float(dew_point_c(out["air_temp_c"], out["humidity_pct"]))
    used = wx if wx is not None and wx_source in (out["heat_source"], out["humidity_source"]) else None
    out["weather_station"] = str(used["station_name"]) if used is not None else None
    for key, column, row in (("wind_mps", "wind_mean_mps", wx),
                             ("weather_distance_km", "station_distance_km", used),
                             ("weather_elevation_diff_m", "station_elevation_diff_m", used)):
        value = _finite(row.get(column)) if row is not None else None
        out[key] = np.nan if value is None else value
    return out
