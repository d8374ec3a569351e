"""The weather cache: fetched hours on disk, keyed by archive, station (site) and UTC day.

One JSON file per station and day (``<root>/weather/<archive>/<site>/<day>.json``)
holds that day's 24 hourly rows and the station. Only complete days are
stored, so hours the archive does not have yet are asked for again later.
Files are written to a temporary name and renamed into place; a file that
fails its checksum or does not parse is deleted and treated as absent. The
root is the import cache's (:func:`runtwitch.io.cache.default_cache_dir`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.io.cache import checked_body, default_cache_dir, write_checked
from runtwitch.weather.archive import HOURLY_COLUMNS, Station, StationHours, clean_hours

#: Bumped when the layout of a cache file changes.
WEATHER_CACHE_FORMAT = 1
#: Sub-folder of the cache root.
WEATHER_CACHE_FOLDER = "weather"


def cache_folder(cache: bool | str | os.PathLike[str]) -> Path | None:
    """The weather cache folder for a ``cache=`` argument (True: default root; False: none)."""
    if cache is True:
        return default_cache_dir() / WEATHER_CACHE_FOLDER
    if cache is False:
        return None
    return Path(os.fspath(cache)) / WEATHER_CACHE_FOLDER


def _day_range(day: date) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(day, tz="UTC"), periods=24, freq="h", name="time_utc")


class WeatherCache:
    """Fetched weather on disk under ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, archive: str, site: str, day: date) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in f"{archive}_{site}")
        return self.folder / f"v{WEATHER_CACHE_FORMAT}" / safe / f"{day.isoformat()}.json"

    def load(self, archive: str, site: str, day: date) -> StationHours | None:
        """The cached day, or None when absent or damaged (a damaged file is deleted)."""
        path = self._path(archive, site, day)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            doc = json.loads(checked_body(raw))
            index = _day_range(day)
            data = {c: np.array([np.nan if v is None else v for v in doc[c]], dtype=float)
                    for c in HOURLY_COLUMNS}
            if any(len(v) != len(index) for v in data.values()):
                raise ValueError("not 24 hours")
            st = doc["station"]
            station = Station(str(st["id"]), str(st["name"]), *(_nan(st[k]) for k in ("lat_deg", "lon_deg",
                                                                                      "elevation_m")))
            return StationHours(station, clean_hours(pd.DataFrame(data, index=index)))
        except (ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def store(self, archive: str, site: str, day: date, hours: StationHours) -> bool:
        """Store one day if it is complete (24 hours of air temperature); True when stored."""
        index = _day_range(day)
        rows = hours.hours.reindex(index)
        if rows["air_temp_c"].isna().any():
            return False
        st = hours.station
        doc: dict[str, Any] = {
            "station": {"id": st.id, "name": st.name, "lat_deg": _json(st.lat_deg),
                        "lon_deg": _json(st.lon_deg), "elevation_m": _json(st.elevation_m)},
            **{c: [_json(v) for v in rows[c].to_numpy(dtype=float)] for c in HOURLY_COLUMNS},
        }
        body = json.dumps(doc, allow_nan=False).encode("utf-8")
        path = self._path(archive, site, day)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_checked(path, body)
        except OSError:  # a read-only or full disk never fails the analysis
            return False
        return True


def _json(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def _nan(v: Any) -> float:
    return float("nan") if v is None else float(v)
