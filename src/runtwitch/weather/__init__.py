"""The weather of each run: air temperature, humidity, dew point and wind where and when it was run.

Pipeline stage after import and before features: it reads activities (their
start, end and first position) and, when asked, a public weather archive or
the runner's own weather table. Nothing here runs unless asked for; the
network is used only by an archive, with a time-out and a size limit on every
request, and fetched hours are cached on disk (see docs/features.md, "Weather").

- :func:`for_runs`: one row per run from the sources given, in order.
- :func:`read_weather_table`: the user's table (CSV or DataFrame).
- :func:`calibrate_device`: how warm the runner's device reads against the air.
- :func:`resolve_air`: the precedence diary > weather > device > none.
"""

from runtwitch.weather.archive import Archive, OpenMeteoArchive, Station, StationHours
from runtwitch.weather.calibration import DeviceCalibration, calibrate_device, calibrate_from_weather
from runtwitch.weather.columns import TABLE_COLUMNS, WEATHER_COLUMNS
from runtwitch.weather.join import WeatherSource, for_runs, run_places, summarize, weather_sources
from runtwitch.weather.precedence import HEAT_SOURCES, resolve_air
from runtwitch.weather.table import read_weather_table

__all__ = [
    "HEAT_SOURCES",
    "TABLE_COLUMNS",
    "WEATHER_COLUMNS",
    "Archive",
    "DeviceCalibration",
    "OpenMeteoArchive",
    "Station",
    "StationHours",
    "WeatherSource",
    "calibrate_device",
    "calibrate_from_weather",
    "for_runs",
    "read_weather_table",
    "resolve_air",
    "run_places",
    "summarize",
    "weather_sources",
]
