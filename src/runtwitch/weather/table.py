"""The user's own weather table (CSV or DataFrame): the offline alternative to the archive."""

from __future__ import annotations

import io
import os
import re
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from runtwitch.errors import WeatherTableError
from runtwitch.paths import expand_path
from runtwitch.weather.columns import TABLE_COLUMNS, TableColumn
from runtwitch.weather.formulas import dew_point_c, relative_humidity_pct

#: Largest weather table read [bytes] (ten years of hourly rows are about 4 MB).
MAX_TABLE_BYTES = 50 * 1024 * 1024
#: Columns of the table :func:`read_weather_table` returns, in order.
CANONICAL_COLUMNS = ("time_utc", "station", "lat_deg", "lon_deg", "elevation_m",
                     "air_temp_c", "humidity_pct", "dew_point_c", "wind_mps")
_NUMERIC = [c for c in TABLE_COLUMNS if c.name not in ("time", "station")]
_OFFSET = re.compile(r"(?:Z|[+-]\d\d(?::?\d\d)?)$", re.IGNORECASE)


def _normalise(header: str) -> str:
    h = re.sub(r"[\(\[].*?[\)\]]", "", str(header).strip().lower())
    return re.sub(r"[^0-9a-z]+", "_", h).strip("_")


_BY_NAME: dict[str, TableColumn] = {}
for _col in TABLE_COLUMNS:
    for _key in (_col.name, *_col.aliases):
        _BY_NAME[_normalise(_key)] = _col


def _read_frame(source: str | os.PathLike[str] | pd.DataFrame) -> tuple[pd.DataFrame, str, bool]:
    """The table's cells, its name, and whether numbers use decimal commas (``;``-separated)."""
    if isinstance(source, pd.DataFrame):  # read before: keep its name (its problems are kept too)
        return source.copy(), str(source.attrs.get("source", "<weather table>")), False
    name = os.fspath(source)
    try:
        with open(expand_path(name), "rb") as fh:
            data = fh.read(MAX_TABLE_BYTES + 1)
    except OSError as exc:
        raise WeatherTableError(name, f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_TABLE_BYTES:
        raise WeatherTableError(name, f"larger than {MAX_TABLE_BYTES} bytes")
    text = data.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise WeatherTableError(name, f"is not a CSV table with a header row ({exc})") from exc
    return frame, name, sep == ";"


def read_weather_table(
    source: str | os.PathLike[str] | pd.DataFrame, *, tz: str | None = None
) -> pd.DataFrame:
    """Read a weather table: times with air temperature, humidity, and optionally a place.

    Parameters
    ----------
    source
        A CSV file (UTF-8, header row, ``,`` or ``;`` separated) or a
        DataFrame. Column names and their alternatives are listed in
        docs/features.md (``runtwitch.weather.columns.TABLE_COLUMNS``); units
        in brackets after a name are ignored, other columns are ignored too.
        The output of this function is accepted again unchanged.
    tz
        IANA time zone of times written without an offset (default UTC).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_utc`` (UTC), ``station`` (the place's name, or its
        coordinates, or ``""`` without a place), ``lat_deg``, ``lon_deg``,
        ``elevation_m`` [m], ``air_temp_c`` [°C], ``humidity_pct`` [%],
        ``dew_point_c`` [°C], ``wind_mps`` [m/s]; sorted by station and time.
        Humidity is computed from the dew point where only that was given, and
        the other way round (Magnus formula). Rows without a valid time or
        temperature are skipped, and ``attrs["problems"]`` lists every
        skipped row or blanked cell as ``row N, column 'x': 'value' – expected ...``
        (the header is row 1).

    Raises
    ------
    WeatherTableError
        When the file cannot be read or has no time or temperature column.
    """
    frame, name, decimal_comma = _read_frame(source)
    if "time_utc" in frame and isinstance(frame["time_utc"].dtype, pd.DatetimeTZDtype):
        frame = frame.rename(columns={"time_utc": "time"})
    chosen: dict[str, Any] = {}
    for raw in frame.columns:
        col = _BY_NAME.get(_normalise(raw))
        if col is not None and col.name not in chosen:
            chosen[col.name] = raw
    for col in TABLE_COLUMNS:
        if col.required and col.name not in chosen:
            also = ", ".join(col.aliases)
            what = col.description.split(";")[0].lower().rstrip(".")
            raise WeatherTableError(name, f"no column for {what} (expected {col.name!r}, or one of: {also})")
    problems: list[str] = list(frame.attrs.get("problems", []))
    n = len(frame)
    rows = np.arange(n) + 2  # as a spreadsheet numbers them, header = row 1
    times = _times(frame[chosen["time"]], tz, name)
    bad_time = times.isna().to_numpy()
    raw_time = frame[chosen["time"]].astype(str).to_numpy()
    for k in np.flatnonzero(bad_time):
        problems.append(f"row {rows[k]}, column {chosen['time']!r}: {raw_time[k]!r} – expected an "
                        "ISO 8601 time (row skipped)")
    out = pd.DataFrame({"time_utc": times})
    for col in _NUMERIC:
        if col.name not in chosen:
            out[col.name] = np.nan
            continue
        raw_values = frame[chosen[col.name]].reset_index(drop=True)
        text = raw_values.astype(str).str.strip()
        blank = (raw_values.isna() | (text == "")).to_numpy()
        cells = text.str.replace(",", ".", regex=False) if decimal_comma else raw_values
        values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float, copy=True)
        low, high = float(col.low or 0.0), float(col.high or 0.0)  # every numeric column has a range
        with np.errstate(invalid="ignore"):
            bad = ~blank & ~((values >= low) & (values <= high))
        text = text.to_numpy()
        for k in np.flatnonzero(bad & ~bad_time):
            problems.append(f"row {rows[k]}, column {chosen[col.name]!r}: {text[k]!r} – expected a number "
                            f"from {low:g} to {high:g} [{col.unit}]")
        values[bad | blank] = np.nan
        out[col.name] = values
    no_temp = ~bad_time & np.isnan(out["air_temp_c"].to_numpy())
    for k in np.flatnonzero(no_temp):
        problems.append(f"row {rows[k]}, column {chosen['air_temp_c']!r}: no air temperature (row skipped)")
    station = (frame[chosen["station"]].fillna("").astype(str).str.strip() if "station" in chosen
               else pd.Series([""] * n, index=frame.index))
    out["station"] = station.to_numpy()
    placed = np.isfinite(out["lat_deg"].to_numpy()) & np.isfinite(out["lon_deg"].to_numpy())
    half = np.isfinite(out["lat_deg"].to_numpy()) != np.isfinite(out["lon_deg"].to_numpy())
    for k in np.flatnonzero(half & ~bad_time):
        problems.append(f"row {rows[k]}: a place needs both lat_deg and lon_deg (place ignored)")
    out.loc[~placed, ["lat_deg", "lon_deg"]] = np.nan
    unnamed = (out["station"] == "") & placed
    out.loc[unnamed, "station"] = [f"{a:.4f},{b:.4f}"
                                   for a, b in out.loc[unnamed, ["lat_deg", "lon_deg"]].to_numpy()]
    out = out[~bad_time & ~no_temp]
    t, rh, td = (out[c].to_numpy(dtype=float) for c in ("air_temp_c", "humidity_pct", "dew_point_c"))
    out["humidity_pct"] = np.where(np.isnan(rh), relative_humidity_pct(t, td), rh)
    out["dew_point_c"] = np.where(np.isnan(td), dew_point_c(t, out["humidity_pct"].to_numpy()), td)
    before = len(out)
    out = out.drop_duplicates(["station", "time_utc"], keep="first")
    if len(out) < before:
        problems.append(f"{before - len(out)} rows repeat a station and time given before (skipped)")
    out = out.sort_values(["station", "time_utc"], kind="stable").reset_index(drop=True)
    out = cast(pd.DataFrame, out[list(CANONICAL_COLUMNS)])
    out.attrs["problems"] = problems
    out.attrs["source"] = name
    return out


def _times(values: pd.Series, tz: str | None, name: str) -> pd.Series:
    """Cells as UTC times (NaT where unreadable); naive times are local to ``tz``."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return cast(pd.Series, values.dt.tz_convert("UTC").reset_index(drop=True))
    if pd.api.types.is_datetime64_dtype(values.dtype):
        naive = pd.Series(values.to_numpy(), dtype="datetime64[ns]")
        return _localize(naive, tz, name)
    text = values.astype(str).str.strip().reset_index(drop=True)
    has_offset = text.str.contains(_OFFSET)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if has_offset.any():
        out[has_offset] = pd.to_datetime(text[has_offset], utc=True, format="ISO8601", errors="coerce")
    if (~has_offset).any():
        naive = pd.to_datetime(text[~has_offset], format="ISO8601", errors="coerce")
        out[~has_offset] = _localize(naive, tz, name)
    return out


def _localize(naive: pd.Series, tz: str | None, name: str) -> pd.Series:
    """Naive local times in ``tz`` (UTC without it) as UTC; a time that does not exist or is
    ambiguous at a clock change becomes NaT."""
    if tz is None:
        return cast(pd.Series, naive.dt.tz_localize("UTC"))
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise WeatherTableError(name, f"unknown time zone {tz!r} for its local times") from exc
    local = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    return cast(pd.Series, local.dt.tz_convert("UTC"))
