"""Weather for each run: sources tried in order, values interpolated to the run's hours."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Union

import numpy as np
import pandas as pd

from runtwitch.errors import WeatherFetchError, WeatherWarning, warn
from runtwitch.model.activity import Activity, code_digest
from runtwitch.season import Season
from runtwitch.weather.archive import (
    ARCHIVE_FIRST_DAY,
    ARCHIVE_LAG_DAYS,
    ARCHIVE_MAX_DAYS,
    HOURLY_COLUMNS,
    Archive,
    OpenMeteoArchive,
    Station,
    StationHours,
    clean_hours,
    site_key,
)
from runtwitch.weather.cache import WeatherCache, cache_folder
from runtwitch.weather.columns import WEATHER_COLUMNS
from runtwitch.weather.formulas import distance_km
from runtwitch.weather.table import read_weather_table

#: Spacing of the points at which the weather is averaged over a run [s].
RUN_STEP_S = 60.0
#: Longest span between two observations that is interpolated across [h]; a
#: time with only one observation within half of it takes that value.
MAX_GAP_H = 3.0
#: Farthest a place in a weather table may be from a run's start [km].
TABLE_MAX_DISTANCE_KM = 50.0
#: Hours fetched before a run's start and after its end (for interpolation) [h].
MARGIN_H = 1.0
#: Days without runs that may lie inside one archive request.
MERGE_GAP_DAYS = 31

#: A weather source: ``"archive"`` (the default archive), an :class:`Archive`,
#: a weather table (DataFrame, or the path of a CSV file).
WeatherSource = Union[str, "os.PathLike[str]", pd.DataFrame, Archive]

_PLACE_COLUMNS = ("start_utc", "end_utc", "lat_deg", "lon_deg", "altitude_m")


def _place(act: Activity) -> dict[str, float]:
    """The first position fix and the median altitude of an activity's records (NaN without)."""
    rec = act.records
    lat, lon, alt = (rec[c].to_numpy(dtype=float) if c in rec.columns else np.full(len(rec), np.nan)
                     for c in ("lat_deg", "lon_deg", "altitude_m"))
    fixed = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    return {"lat_deg": float(lat[fixed[0]]) if len(fixed) else np.nan,
            "lon_deg": float(lon[fixed[0]]) if len(fixed) else np.nan,
            "altitude_m": float(np.nanmedian(alt)) if np.isfinite(alt).any() else np.nan}


def run_places(activities: Sequence[Activity]) -> pd.DataFrame:
    """Where and when each activity took place, in the order given.

    Returns
    -------
    pandas.DataFrame
        Indexed by position in ``activities``; ``start_utc``, ``end_utc``
        (NaT for a course or an activity without times), ``lat_deg`` and
        ``lon_deg`` of the first position fix and the median ``altitude_m``
        (NaN without them).
    """
    rows = []
    name = f"place-{code_digest(__name__)}"  # kept beside the import cache: no records read again
    for act in activities:
        timed = act.meta.kind == "activity" and act.start is not None
        rows.append({
            "start_utc": act.start if timed else pd.NaT,
            "end_utc": (act.end if act.end is not None else act.start) if timed else pd.NaT,
            **act.derived(name, _place),
        })
    out = pd.DataFrame(rows, columns=list(_PLACE_COLUMNS), index=pd.RangeIndex(len(rows)))
    for c in ("start_utc", "end_utc"):
        out[c] = pd.to_datetime(out[c], utc=True)
    return out


def for_runs(
    runs: Season | Sequence[Activity] | pd.DataFrame,
    *,
    source: WeatherSource | Sequence[WeatherSource] = "archive",
    cache: bool | str | os.PathLike[str] = True,
    tz: str | None = None,
    max_distance_km: float = TABLE_MAX_DISTANCE_KM,
    max_gap_h: float = MAX_GAP_H,
    today: date | None = None,
) -> pd.DataFrame:
    """The weather of each run: air temperature, humidity, dew point and wind, at the start and on average.

    Parameters
    ----------
    runs
        A :class:`~runtwitch.Season` (rows indexed by ``activity_id``),
        imported activities, or a table like :func:`run_places` returns
        (``start_utc`` and ``end_utc`` required; ``lat_deg``, ``lon_deg``,
        ``altitude_m`` optional).
    source
        One source or several, tried in order for each run until one has its
        hours: ``"archive"`` (:class:`OpenMeteoArchive`), an :class:`Archive`,
        or a weather table (a DataFrame, or a CSV path; see
        :func:`read_weather_table`). A table has values for a run when it has
        rows around the run's hours, at a place within ``max_distance_km`` of
        its start or without a place. An archive needs the run's position.
    cache
        Where fetched hours are kept: True for the import cache's folder
        (``$RUNTWITCH_CACHE_DIR``), a folder, or False for none. With a
        cache, a second call for the same runs needs no network.
    tz
        IANA time zone of a table's times written without an offset (default UTC).
    max_distance_km
        Farthest place of a table that counts for a run [km].
    max_gap_h
        Longest gap between observations interpolated across [h].
    today
        Today's date (default: today in UTC); an archive is asked only for
        days up to :data:`~runtwitch.weather.archive.ARCHIVE_LAG_DAYS` before it.

    Returns
    -------
    pandas.DataFrame
        One row per run, indexed like ``runs`` (by ``activity_id`` for a
        season, by position for a list of activities),
        with the columns of ``runtwitch.weather.columns.WEATHER_COLUMNS``
        (listed in docs/features.md). ``source`` is ``archive``, ``table`` or
        ``none``, and ``note`` says why for ``none``. ``attrs["warnings"]``
        lists what went wrong; each is also issued as a
        :class:`~runtwitch.errors.WeatherWarning`. No network, a time-out or an
        archive error is such a warning, never an exception: the run then
        takes its weather from the next source.
    """
    if isinstance(runs, Season):
        places = run_places(list(runs.activities.values()))
        places.index = pd.Index(list(runs.activities), name="activity_id")
    else:
        places = run_places(runs) if not isinstance(runs, pd.DataFrame) else _checked_places(runs)
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    day_limit = (today or datetime.now(UTC).date()) - timedelta(days=ARCHIVE_LAG_DAYS)
    folder = cache_folder(cache)
    store = WeatherCache(folder) if folder is not None else None
    max_gap_s = max_gap_h * 3600.0
    found: dict[Any, dict[str, Any]] = {}
    notes: dict[Any, str] = {}
    messages: list[str] = []
    timed = places.index[places["start_utc"].notna()]
    for label in places.index.difference(timed, sort=False):
        notes[label] = "no start time"
    for src in sources:
        todo = [label for label in timed if label not in found]
        if not todo:
            break
        if _is_archive(src):
            archive: Archive = OpenMeteoArchive() if isinstance(src, str) else src  # type: ignore[assignment]
            got, why = _from_archive(places.loc[todo], archive, store, day_limit, max_gap_s, messages)
        else:
            table = read_weather_table(src, tz=tz)  # type: ignore[arg-type]  # a path or a frame, see _is_archive
            if table.attrs.get("problems"):
                problems = table.attrs["problems"]
                counted = _count(len(problems), "problem")
                messages.append(f"weather table {table.attrs.get('source')}: {counted}, e.g. {problems[0]}")
            got, why = _from_table(places.loc[todo], table, max_distance_km, max_gap_s)
        found.update(got)
        for label, note in why.items():
            notes[label] = f"{notes[label]}; {note}" if label in notes else note
    out = _frame(places, found, notes)
    out.attrs["warnings"] = messages
    for m in messages:
        warn(m, WeatherWarning)  # attributed to the caller's line outside runtwitch
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _is_archive(src: object) -> bool:
    if isinstance(src, str):
        return src == "archive"
    return hasattr(src, "hourly") and hasattr(src, "name")


def _checked_places(runs: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("start_utc", "end_utc") if c not in runs.columns]
    if missing:
        raise ValueError(f"the runs table needs the columns {', '.join(missing)} (see run_places)")
    if not runs.index.is_unique:
        raise ValueError("the runs table needs a unique index (one row per run)")
    out = pd.DataFrame(index=runs.index)
    for c in _PLACE_COLUMNS:
        if c in ("start_utc", "end_utc"):
            out[c] = pd.to_datetime(runs[c], utc=True)
        else:
            out[c] = runs[c].astype(float) if c in runs.columns else np.nan
    return out


def _seconds(index: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """UTC times as float seconds since 1970 (any datetime unit)."""
    values = pd.DatetimeIndex(index).tz_convert("UTC").tz_localize(None).to_numpy()
    return values.astype("datetime64[ms]").astype("int64") / 1000.0


def _interp(tk: np.ndarray, vk: np.ndarray, x: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Values at ``x``: linear between neighbours up to ``max_gap_s`` apart, else the nearest within half."""
    out = np.full(len(x), np.nan)
    if len(tk) == 0:
        return out
    j = np.searchsorted(tk, x, side="right")
    li, ri = np.clip(j - 1, 0, len(tk) - 1), np.clip(j, 0, len(tk) - 1)
    has_l, has_r = j - 1 >= 0, j < len(tk)
    tl, tr = tk[li], tk[ri]
    both = has_l & has_r & (tr - tl <= max_gap_s)
    w = np.where(both, (x - tl) / np.where(tr > tl, tr - tl, 1.0), 0.0)
    out = np.where(both, vk[li] + w * (vk[ri] - vk[li]), out)
    dl = np.where(has_l, x - tl, np.inf)
    dr = np.where(has_r, tr - x, np.inf)
    nearest = np.where(dl <= dr, vk[li], vk[ri])
    out = np.where(~both & (np.minimum(dl, dr) <= max_gap_s / 2), nearest, out)
    return np.where(has_l & (tl == x), vk[li], out)


def _value_names(col: str) -> tuple[str, str]:
    stem, unit = col.rsplit("_", 1)
    return f"{stem}_start_{unit}", f"{stem}_mean_{unit}"


def summarize(hours: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
              max_gap_h: float = MAX_GAP_H) -> dict[str, float]:
    """Hourly weather at a run: each quantity at the start and averaged over the run.

    Parameters
    ----------
    hours
        Observations indexed by UTC time, columns ``air_temp_c``,
        ``humidity_pct``, ``dew_point_c``, ``wind_mps`` (any spacing).
    start, end
        The run [UTC].
    max_gap_h
        Longest gap interpolated across [h].

    Returns
    -------
    dict
        ``air_temp_start_c``, ``air_temp_mean_c``, ... (see ``WEATHER_COLUMNS``):
        linear interpolation to the start and to every :data:`RUN_STEP_S`
        seconds of the run, averaged; NaN when less than half the run is covered.
    """
    return _summaries(_observed(hours), *_span_s({"start_utc": start, "end_utc": end}), max_gap_h * 3600.0)


#: Per quantity, the times [s] and values of its valid observations.
_Observed = dict[str, tuple[np.ndarray, np.ndarray]]


def _observed(hours: pd.DataFrame) -> _Observed:
    """A station's observations as arrays, prepared once for all its runs."""
    t = _seconds(pd.DatetimeIndex(hours.index))
    out: _Observed = {}
    for col in HOURLY_COLUMNS:
        v = hours[col].to_numpy(dtype=float) if col in hours else np.full(len(t), np.nan)
        ok = np.isfinite(v)
        out[col] = (t[ok], v[ok])
    return out


def _summaries(obs: _Observed, start_s: float, end_s: float, max_gap_s: float) -> dict[str, float]:
    grid = np.append(np.arange(start_s, end_s, RUN_STEP_S), end_s) if end_s > start_s else np.array([start_s])
    out: dict[str, float] = {}
    for col in HOURLY_COLUMNS:
        x = _interp(*obs[col], grid, max_gap_s)
        first, mean = _value_names(col)
        out[first] = float(x[0])
        covered = np.isfinite(x)
        out[mean] = float(x[covered].mean()) if covered.mean() >= 0.5 else float("nan")
    return out


def _rows(places: pd.DataFrame) -> list[tuple[Any, dict[str, Any]]]:
    """(label, row as plain values) for each run: floats stay floats (a row Series would mix types)."""
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in places.to_dict("records")]
    return list(zip(places.index, records, strict=True))


def _span_s(place: dict[str, Any]) -> tuple[float, float]:
    start, end = _seconds(pd.DatetimeIndex([place["start_utc"], place["end_utc"]]))
    return float(start), float(end)


def _station_values(st: Station, place: dict[str, Any], source: str) -> dict[str, Any]:
    dist = float(distance_km(place["lat_deg"], place["lon_deg"], st.lat_deg, st.lon_deg))
    return {"station_id": st.id, "station_name": st.name, "station_distance_km": dist,
            "station_elevation_diff_m": st.elevation_m - place["altitude_m"], "source": source, "note": ""}


def _from_table(places: pd.DataFrame, table: pd.DataFrame, max_distance_km: float,
                max_gap_s: float) -> tuple[dict[Any, dict[str, Any]], dict[Any, str]]:
    stations: list[tuple[Station, _Observed]] = []
    for key, rows in table.groupby("station", sort=False):
        hours = _observed(clean_hours(rows.set_index(pd.DatetimeIndex(rows["time_utc"], name="time_utc"))))
        lat, lon, elev = (float(rows[c].median()) if rows[c].notna().any() else np.nan
                          for c in ("lat_deg", "lon_deg", "elevation_m"))
        where = str(key)
        stations.append((Station(f"table:{where}" if where else "table", where or "your weather table",
                                 lat, lon, elev), hours))
    placed = [(s, h) for s, h in stations if np.isfinite(s.lat_deg)]
    anywhere = [(s, h) for s, h in stations if not np.isfinite(s.lat_deg)]
    found: dict[Any, dict[str, Any]] = {}
    notes: dict[Any, str] = {}
    for label, place in _rows(places):
        candidates: list[tuple[Station, _Observed]] = []
        if placed and np.isfinite(place["lat_deg"]):
            dists = [float(distance_km(place["lat_deg"], place["lon_deg"], s.lat_deg, s.lon_deg))
                     for s, _ in placed]
            candidates = [placed[k] for k in np.argsort(dists, kind="stable") if dists[k] <= max_distance_km]
        candidates += anywhere
        if not candidates:
            notes[label] = ("weather table: no position in the file to match its places" if placed and
                            not np.isfinite(place["lat_deg"]) else
                            f"weather table: no place within {max_distance_km:g} km")
            continue
        start_s, end_s = _span_s(place)
        for st, hours in candidates:
            values = _summaries(hours, start_s, end_s, max_gap_s)
            if np.isfinite(values["air_temp_mean_c"]):
                found[label] = {**values, **_station_values(st, place, "table")}
                break
        else:
            notes[label] = "weather table: no rows around the run's hours"
    return found, notes


def _days(place: dict[str, Any]) -> list[date]:
    first = (place["start_utc"] - pd.Timedelta(hours=MARGIN_H)).date()
    last = (place["end_utc"] + pd.Timedelta(hours=MARGIN_H)).date()
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _spans(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days grouped into requests: gaps up to MERGE_GAP_DAYS bridged, at most ARCHIVE_MAX_DAYS each."""
    spans: list[tuple[date, date]] = []
    for d in sorted(days):
        if spans and (d - spans[-1][1]).days <= MERGE_GAP_DAYS and (d - spans[-1][0]).days < ARCHIVE_MAX_DAYS:
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    return spans


def _from_archive(places: pd.DataFrame, archive: Archive, store: WeatherCache | None, last_day: date,
                  max_gap_s: float, messages: list[str]) -> tuple[dict[Any, dict[str, Any]], dict[Any, str]]:
    found: dict[Any, dict[str, Any]] = {}
    notes: dict[Any, str] = {}
    sites: dict[str, list[Any]] = {}
    rows = dict(_rows(places))
    for label, place in rows.items():
        if not (np.isfinite(place["lat_deg"]) and np.isfinite(place["lon_deg"])):
            notes[label] = "archive: no position in the file"
        else:
            sites.setdefault(site_key(place["lat_deg"], place["lon_deg"]), []).append(label)
    down: WeatherFetchError | None = None
    refused: list[str] = []
    for site, labels in sites.items():
        wanted = sorted({d for label in labels for d in _days(rows[label])
                         if ARCHIVE_FIRST_DAY <= d <= last_day})
        parts: list[StationHours] = []
        missing: list[date] = []
        for d in wanted:
            hit = store.load(archive.name, site, d) if store is not None else None
            if hit is None:
                missing.append(d)
            else:
                parts.append(hit)
        failed = ""
        for first, last in _spans(missing):
            if down is not None:
                failed = f"archive not reached ({down})"
                break
            lat, lon = (float(v) for v in site.split(","))
            try:
                got = archive.hourly(lat, lon, first, last)
            except WeatherFetchError as exc:
                if exc.network:
                    down = exc
                    failed = f"archive not reached ({exc})"
                else:
                    refused.append(str(exc))
                    failed = f"archive error ({exc})"
                continue
            parts.append(got)
            if store is not None:
                for k in range((last - first).days + 1):
                    store.store(archive.name, site, first + timedelta(days=k), got)
        if not parts:
            for label in labels:
                lag = f"archive: too recent (the archive lags about {ARCHIVE_LAG_DAYS} days)"
                recent = _days(rows[label])[-1] > last_day
                notes[label] = failed or (lag if recent else "archive: the run is before 1940")
            continue
        hours = _observed(clean_hours(pd.concat([p.hours for p in parts])))
        station = parts[-1].station
        for label in labels:
            values = _summaries(hours, *_span_s(rows[label]), max_gap_s)
            if np.isfinite(values["air_temp_mean_c"]):
                found[label] = {**values, **_station_values(station, rows[label], "archive")}
            else:
                notes[label] = failed or "archive: no hours for this run (yet)"
    if down is not None:
        n = sum(1 for note in notes.values() if note.startswith("archive not reached"))
        messages.append(f"weather archive {archive.name} not reached: {down}; the weather of "
                        f"{_count(n, 'run')} comes from the next source (weather table, device or none)")
    if refused:
        messages.append(f"weather archive {archive.name} refused {_count(len(refused), 'request')}, "
                        f"e.g. {refused[0]}")
    return found, notes


def _frame(places: pd.DataFrame, found: dict[Any, dict[str, Any]], notes: dict[Any, str]) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for c in WEATHER_COLUMNS:
        if c.name in _PLACE_COLUMNS:
            cols[c.name] = places[c.name]
        elif c.dtype == "object":
            cols[c.name] = pd.Series([found.get(k, {}).get(c.name) for k in places.index], index=places.index,
                                     dtype=object)
        else:
            cols[c.name] = pd.Series([found.get(k, {}).get(c.name, np.nan) for k in places.index],
                                     index=places.index, dtype="float64")
    out = pd.DataFrame(cols, index=places.index)
    out["source"] = [found[k]["source"] if k in found else "none" for k in places.index]
    out["note"] = ["" if k in found else notes.get(k, "no weather source") for k in places.index]
    return out


def weather_sources(
    *,
    archive: bool | Archive = False,
    table: str | os.PathLike[str] | pd.DataFrame | None = None,
    tz: str | None = None,
) -> list[WeatherSource]:
    """The sources :func:`runtwitch.analyze` asks, in order: the runner's own table, then the archive.

    Parameters
    ----------
    archive
        True for :class:`OpenMeteoArchive`, or an :class:`Archive`; False for none.
    table
        A weather table (path or DataFrame), read now with :func:`read_weather_table`
        so that an unreadable table is an error before anything is fetched.
    tz
        IANA time zone of the table's times written without an offset.
    """
    out: list[WeatherSource] = []
    if table is not None:
        out.append(read_weather_table(table, tz=tz))
    if archive is True:
        out.append(OpenMeteoArchive())
    elif archive is not False:
        out.append(archive)
    return out
