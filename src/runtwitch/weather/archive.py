"""Hourly weather from a public archive: the :class:`Archive` protocol and the Open-Meteo client.

Why Open-Meteo's historical archive, through this small client, rather than
the Meteostat library: every request here has a time-out and a size limit
(Meteostat 2.1 downloads its hourly files through ``pandas.read_csv`` on a URL,
with neither, and turns every failure into a log line and no data, so a
missing network cannot be told from a missing station); it needs no
dependency beyond the standard library; and it has an hourly value for every
place on land since 1940, where the nearest station may be far away or
record no humidity. The cost: the values are a reanalysis (ERA5 and
ERA5-Land, grid cells of about 10-25 km), not
a thermometer's reading; docs/features.md says what that means for heat.
Another archive (a station network, a national service) fits behind the same
:class:`Archive` protocol.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd

from runtwitch.errors import WeatherFetchError
from runtwitch.weather.http import Transport, http_get

#: The hourly quantities every archive delivers (NaN where it has none).
HOURLY_COLUMNS = ("air_temp_c", "humidity_pct", "dew_point_c", "wind_mps")
#: Plausible ranges; a value outside is treated as missing.
HOURLY_RANGES = {"air_temp_c": (-90.0, 60.0), "humidity_pct": (0.0, 100.0),
                 "dew_point_c": (-100.0, 40.0), "wind_mps": (0.0, 120.0)}

#: Open-Meteo's historical weather API (reanalysis, hourly, from 1940).
OPEN_METEO_ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"
#: Time-out of one archive request [s].
ARCHIVE_TIMEOUT_S = 10.0
#: Largest archive reply accepted [bytes]; a year of hourly values is about 0.3 MB.
ARCHIVE_MAX_BYTES = 4 * 1024 * 1024
#: Most days asked for in one request.
ARCHIVE_MAX_DAYS = 366
#: The archive's first day (ERA5 starts in 1940).
ARCHIVE_FIRST_DAY = date(1940, 1, 1)
#: Days the archive lags behind today: more recent days are not asked for (they
#: come back empty or refused) and are looked up on a later analysis.
ARCHIVE_LAG_DAYS = 5
_OPEN_METEO_VARIABLES = {"temperature_2m": "air_temp_c", "relative_humidity_2m": "humidity_pct",
                         "dew_point_2m": "dew_point_c", "wind_speed_10m": "wind_mps"}
#: Units a reply may state, as (scale, offset) to the SI unit: ``si = value * scale + offset``.
_TEMPERATURE_UNITS = {"°C": (1.0, 0.0), "°F": (5.0 / 9.0, -32.0 * 5.0 / 9.0)}
_OPEN_METEO_UNITS: dict[str, dict[str, tuple[float, float]]] = {
    "temperature_2m": _TEMPERATURE_UNITS,
    "relative_humidity_2m": {"%": (1.0, 0.0)},
    "dew_point_2m": _TEMPERATURE_UNITS,
    "wind_speed_10m": {"m/s": (1.0, 0.0), "ms": (1.0, 0.0), "km/h": (1 / 3.6, 0.0), "mp/h": (0.44704, 0.0),
                       "mph": (0.44704, 0.0), "kn": (0.514444, 0.0)},
}
#: The unit each variable comes in when the reply does not say (what the request asks for).
_OPEN_METEO_ASKED = {"temperature_2m": "°C", "relative_humidity_2m": "%", "dew_point_2m": "°C",
                     "wind_speed_10m": "m/s"}


@dataclass(frozen=True)
class Station:
    """Where weather values come from: a station, a place in a table, or an archive grid point.

    Attributes
    ----------
    id
        Stable identifier (also the cache key of an archive's site).
    name
        In words, for the evidence sentences.
    lat_deg, lon_deg
        Position [degree], NaN when unknown.
    elevation_m
        Elevation [m], NaN when unknown.
    """

    id: str
    name: str
    lat_deg: float = float("nan")
    lon_deg: float = float("nan")
    elevation_m: float = float("nan")


@dataclass(frozen=True)
class StationHours:
    """Hourly weather at one station: ``hours`` is indexed by UTC time, columns :data:`HOURLY_COLUMNS`."""

    station: Station
    hours: pd.DataFrame


class Archive(Protocol):
    """A source of hourly weather for a position and a span of UTC days.

    ``name`` is a short word used in station ids and cache folders.
    ``hourly`` raises :class:`~runtwitch.errors.WeatherFetchError` when the
    archive cannot answer; it never hangs (time-outs are the archive's job).
    """

    @property
    def name(self) -> str:
        """Short name, used in station ids and cache folders."""
        ...

    def hourly(self, lat_deg: float, lon_deg: float, first: date, last: date) -> StationHours:
        """Hourly weather from 00:00 UTC of ``first`` to 23:00 UTC of ``last``."""
        ...


@dataclass(frozen=True)
class OpenMeteoArchive:
    """Client of Open-Meteo's historical weather API (free for non-commercial use, CC BY 4.0 data).

    Parameters
    ----------
    url
        The API address.
    timeout_s
        Time-out of each request [s].
    max_bytes
        Largest reply accepted [bytes].
    transport
        The network layer (see :mod:`runtwitch.weather.http`); tests pass one
        that serves recorded replies or fails.
    """

    url: str = OPEN_METEO_ARCHIVE_URL
    timeout_s: float = ARCHIVE_TIMEOUT_S
    max_bytes: int = ARCHIVE_MAX_BYTES
    transport: Transport = field(default=http_get, repr=False)
    name: str = "open-meteo"

    def request_url(self, lat_deg: float, lon_deg: float, first: date, last: date) -> str:
        """The address asked for (UTC hours, SI units, Unix times)."""
        query = {
            "latitude": f"{lat_deg:.4f}",
            "longitude": f"{lon_deg:.4f}",
            "start_date": first.isoformat(),
            "end_date": last.isoformat(),
            "hourly": ",".join(_OPEN_METEO_VARIABLES),
            "wind_speed_unit": "ms",
            "temperature_unit": "celsius",
            "timezone": "GMT",
            "timeformat": "unixtime",
        }
        return f"{self.url}?{urllib.parse.urlencode(query, safe=',')}"

    def hourly(self, lat_deg: float, lon_deg: float, first: date, last: date) -> StationHours:
        """Hourly weather at a position; see :class:`Archive`."""
        body = self.transport(self.request_url(lat_deg, lon_deg, first, last), self.timeout_s, self.max_bytes)
        return parse_open_meteo(body, lat_deg, lon_deg, source=self.name)


def parse_open_meteo(
    body: bytes, lat_deg: float, lon_deg: float, *, source: str = "open-meteo"
) -> StationHours:
    """Read an Open-Meteo archive reply (JSON, ``timeformat=unixtime``) into :class:`StationHours`.

    Raises
    ------
    WeatherFetchError
        (``network=False``) for an error reply or a reply that is not the
        expected JSON.
    """
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeatherFetchError(f"{source}: the reply is not JSON ({exc})", network=False) from exc
    if not isinstance(doc, dict):
        raise WeatherFetchError(f"{source}: the reply is not a JSON object", network=False)
    if doc.get("error"):
        raise WeatherFetchError(f"{source} refused the request: {doc.get('reason', 'no reason given')}",
                                network=False)
    hourly = doc.get("hourly")
    units = doc.get("hourly_units") or {}
    if not isinstance(hourly, dict) or not isinstance(hourly.get("time"), list):
        raise WeatherFetchError(f"{source}: the reply has no hourly times", network=False)
    times = hourly["time"]
    frame: dict[str, Any] = {}
    for key, col in _OPEN_METEO_VARIABLES.items():
        values = hourly.get(key)
        if values is None:
            frame[col] = np.full(len(times), np.nan)
            continue
        if not isinstance(values, list) or len(values) != len(times):
            raise WeatherFetchError(f"{source}: {key} does not have one value per hour", network=False)
        unit = units.get(key, _OPEN_METEO_ASKED[key]) if isinstance(units, dict) else _OPEN_METEO_ASKED[key]
        if unit not in _OPEN_METEO_UNITS[key]:
            raise WeatherFetchError(f"{source}: {key} came in {unit!r}, a unit runtwitch does not know",
                                    network=False)
        scale, offset = _OPEN_METEO_UNITS[key][unit]
        frame[col] = _floats(values) * scale + offset
    try:
        index = pd.DatetimeIndex(pd.to_datetime(np.asarray(times, dtype="int64"), unit="s", utc=True),
                                 name="time_utc")
    except (TypeError, ValueError, OverflowError) as exc:
        raise WeatherFetchError(f"{source}: hourly times are not Unix times", network=False) from exc
    hours = clean_hours(pd.DataFrame(frame, index=index))
    site = site_key(lat_deg, lon_deg)
    grid_lat, grid_lon = _number(doc.get("latitude")), _number(doc.get("longitude"))
    station = Station(
        id=f"{source}:{site}",
        name=f"{source} archive grid point {grid_lat:.2f}, {grid_lon:.2f}",
        lat_deg=grid_lat,
        lon_deg=grid_lon,
        elevation_m=_number(doc.get("elevation")),
    )
    return StationHours(station, hours)


def _floats(values: list[Any]) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for k, v in enumerate(values):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = float(v)
    return out


def _number(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else float("nan")


def clean_hours(hours: pd.DataFrame) -> pd.DataFrame:
    """Hourly rows sorted by time, duplicates dropped, values outside :data:`HOURLY_RANGES` as NaN."""
    hours = hours[~hours.index.duplicated(keep="first")].sort_index()
    out = pd.DataFrame(index=hours.index)
    for col in HOURLY_COLUMNS:
        v = hours[col].to_numpy(dtype=float) if col in hours else np.full(len(hours), np.nan)
        low, high = HOURLY_RANGES[col]
        with np.errstate(invalid="ignore"):
            out[col] = np.where((v >= low) & (v <= high), v, np.nan)
    return out


#: Decimals of the site a position is snapped to before asking an archive
#: (0.01 degree, about 1 km): runs from the same door share one cache entry.
SITE_DECIMALS = 2


def site_key(lat_deg: float, lon_deg: float) -> str:
    """The snapped site of a position, e.g. ``"43.65,-79.38"`` (see :data:`SITE_DECIMALS`)."""
    lat, lon = round(lat_deg, SITE_DECIMALS), round(lon_deg, SITE_DECIMALS)
    return f"{lat + 0.0:.{SITE_DECIMALS}f},{lon + 0.0:.{SITE_DECIMALS}f}"  # + 0.0: no "-0.00"
