"""Columns of the weather tables: one definition for code, validation and docs.

``WEATHER_COLUMNS`` is what :func:`runtwitch.weather.for_runs` returns, one row
per activity; ``TABLE_COLUMNS`` is the user-supplied weather table that
:func:`runtwitch.weather.read_weather_table` reads (names, aliases, units and
valid ranges).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WeatherColumn:
    """A column of the per-run weather table: name, dtype, unit and meaning."""

    name: str
    dtype: str
    unit: str
    description: str


F, OBJ = "float64", "object"
WEATHER_COLUMNS: tuple[WeatherColumn, ...] = (
    WeatherColumn("start_utc", "datetime", "UTC", "Start of the activity."),
    WeatherColumn("end_utc", "datetime", "UTC", "End of the activity."),
    WeatherColumn("lat_deg", F, "degree", "Latitude of the first position fix (where the weather is looked up)."),
    WeatherColumn("lon_deg", F, "degree", "Longitude of the first position fix."),
    WeatherColumn("altitude_m", F, "m", "Median altitude of the activity."),
    WeatherColumn("air_temp_start_c", F, "°C", "Air temperature at the start, interpolated between the hours around it."),
    WeatherColumn("air_temp_mean_c", F, "°C", "Air temperature averaged over the activity."),
    WeatherColumn("humidity_start_pct", F, "%", "Relative humidity at the start."),
    WeatherColumn("humidity_mean_pct", F, "%", "Relative humidity averaged over the activity."),
    WeatherColumn("dew_point_start_c", F, "°C", "Dew point at the start."),
    WeatherColumn("dew_point_mean_c", F, "°C", "Dew point averaged over the activity."),
    WeatherColumn("wind_start_mps", F, "m/s", "Wind speed (10 m above ground) at the start."),
    WeatherColumn("wind_mean_mps", F, "m/s", "Wind speed averaged over the activity."),
    WeatherColumn("station_id", OBJ, "", "The station (or archive grid point) the values come from."),
    WeatherColumn("station_name", OBJ, "", "Its name, in words."),
    WeatherColumn("station_distance_km", F, "km", "Distance from the start to the station (NaN for a table without places)."),
    WeatherColumn("station_elevation_diff_m", F, "m", "Station elevation minus the activity's median altitude."),
    WeatherColumn("source", OBJ, "", "archive, table or none."),
    WeatherColumn("note", OBJ, "", "Why there is no weather (source none), else empty."),
)


@dataclass(frozen=True)
class TableColumn:
    """A column of the user's weather table: canonical name, aliases, unit and valid range."""

    name: str
    unit: str
    description: str
    aliases: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    required: bool = False


TABLE_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("time", "ISO 8601", "Time of the observation; with an offset or `Z`, else local time in `tz` (else UTC).",
                ("time_utc", "datetime", "timestamp", "date_time", "observed"), required=True),
    TableColumn("air_temp_c", "°C", "Air temperature.", ("temperature", "temperature_c", "temp", "temp_c", "air_temp"),
                -60.0, 60.0, required=True),
    TableColumn("humidity_pct", "%", "Relative humidity (or give `dew_point_c`).",
                ("humidity", "relative_humidity", "rh", "rh_pct", "rel_humidity"), 0.0, 100.0),
    TableColumn("dew_point_c", "°C", "Dew point (used for humidity when `humidity_pct` is blank).",
                ("dew_point", "dewpoint", "dewpoint_c", "td"), -80.0, 40.0),
    TableColumn("wind_mps", "m/s", "Wind speed.", ("wind", "wind_speed", "wind_speed_mps", "wind_ms"), 0.0, 80.0),
    TableColumn("station", "", "Name of the place or station (rows of one place are one station).",
                ("place", "station_name", "location", "name")),
    TableColumn("lat_deg", "degree", "Latitude of the place, WGS84.", ("lat", "latitude"), -90.0, 90.0),
    TableColumn("lon_deg", "degree", "Longitude of the place, WGS84.", ("lon", "lng", "long", "longitude"), -180.0, 180.0),
    TableColumn("elevation_m", "m", "Elevation of the place.", ("elevation", "altitude", "altitude_m", "elev"),
                -500.0, 9000.0),
)


def markdown_table(columns: tuple[WeatherColumn, ...] = WEATHER_COLUMNS) -> str:
    """Markdown table of the per-run weather columns (for docs/features.md)."""
    lines = ["| column | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {c.unit or '–'} | {c.description} |" for c in columns]
    return "\n".join(lines) + "\n"


def table_format_markdown(columns: tuple[TableColumn, ...] = TABLE_COLUMNS) -> str:
    """Markdown table of the user weather table's columns (for docs/features.md)."""
    lines = ["| column | unit | range | required | also accepted | meaning |", "|---|---|---|---|---|---|"]
    for t in columns:
        rng = f"{t.low:g} to {t.high:g}" if t.low is not None and t.high is not None else "–"
        also = ", ".join(f"`{a}`" for a in t.aliases) or "–"
        required = "yes" if t.required else "no"
        lines.append(f"| `{t.name}` | {t.unit or '–'} | {rng} | {required} | {also} | {t.description} |")
    return "\n".join(lines) + "\n"
