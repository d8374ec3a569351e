"""Time zones: the one check of a zone's name, the zone at a position, local time and its precedence.

runtwitch never uses the computer's own time zone: a time zone is either
given, as an IANA name (checked by :func:`resolve_tz` wherever it is given:
argument, profile, command line), found from a position, or unknown (``None``).

Many formats record only local wall-clock time (Polar HRM and XML, PWX, Wahoo
CSV, a Suunto log without UTC, KML ``when`` without an offset). The local
offset of an activity is taken, in this order of precedence (documented in
``docs/schema.md``, "Local time"):

1. an offset or zone recorded in the file (``timezone_source == "file"``);
2. the zone at the first position fix, from an offline lookup of the time-zone
   boundaries (``"position"``);
3. a fallback zone supplied by the caller, normally the athlete's home zone
   (``"athlete"``, applied by :func:`resolve_local_time`, which
   :func:`runtwitch.analyze` calls);
4. unresolved (``"none"``): a wall-clock file keeps its times as written on the
   UTC index (``meta.time_basis == "local"``) and its import report says so.

The machine running runtwitch never lends its own zone. An offset is the
zone's offset at the activity's start (its daylight-saving state on that
date), applied to the whole recording: the recording clock runs on from its
start, so one offset keeps the samples strictly increasing.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from runtwitch.errors import UnknownTimeZoneError
from runtwitch.model.activity import Activity, TimezoneSource

#: Largest UTC offset accepted from any source [s] (UTC-12 to UTC+14).
MAX_UTC_OFFSET_S = 14 * 3600


@functools.cache
def _finder() -> Any:
    """The time-zone finder, loaded once per process on first use (about a second)."""
    from timezonefinder import TimezoneFinder  # offline boundary data; imported lazily

    return TimezoneFinder()


def zone_at(lat_deg: float, lon_deg: float) -> str | None:
    """IANA time zone at a position (offline lookup), or None.

    Parameters
    ----------
    lat_deg, lon_deg
        WGS84 latitude and longitude [degree].

    Returns
    -------
    str or None
        The zone name (``Etc/GMT+N`` over the open sea), or None for a
        missing or impossible position and for (0, 0).
    """
    if not (np.isfinite(lat_deg) and np.isfinite(lon_deg)):
        return None
    if not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0) or (lat_deg == 0 and lon_deg == 0):
        return None
    try:
        name = _finder().timezone_at(lng=float(lon_deg), lat=float(lat_deg))
    except ValueError:
        return None
    return str(name) if name else None


def first_fix(lat_deg: Any, lon_deg: Any) -> tuple[float, float] | None:
    """The first valid position of two coordinate arrays [degree], or None."""
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(lat)
            & np.isfinite(lon)
            & (np.abs(lat) <= 90)
            & (np.abs(lon) <= 180)
            & ~((lat == 0) & (lon == 0))
        )
    hits = np.flatnonzero(ok)
    return None if len(hits) == 0 else (float(lat[hits[0]]), float(lon[hits[0]]))


def offset_at(zone: str, when: pd.Timestamp) -> int:
    """UTC offset of ``zone`` at an instant or at a local wall-clock time [s].

    Parameters
    ----------
    zone
        IANA zone name.
    when
        A tz-aware instant, or a naive local wall-clock time. A wall-clock
        time that occurs twice (the hour repeated when clocks go back) takes
        the first occurrence; one skipped when clocks go forward takes the
        offset before the change (``fold=0``, PEP 495).

    Raises
    ------
    ValueError
        ``zone`` is not an IANA time zone name.
    """
    tz = _zone(zone)
    off = when.tz_convert(tz).utcoffset() if when.tzinfo is not None else tz.utcoffset(when.to_pydatetime())
    return 0 if off is None else int(off.total_seconds())


def resolve_tz(tz: str | None, *, path: str | os.PathLike[str] | None = None) -> ZoneInfo | None:
    """The zone named ``tz`` (None stays None).

    Raises
    ------
    UnknownTimeZoneError
        ``tz`` is not an IANA time zone name (``path``: the file that named it);
        it is a ``ValueError``.
    """
    if tz is None:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise UnknownTimeZoneError(tz, path) from exc


def _zone(name: str) -> ZoneInfo:
    zone = resolve_tz(name)
    assert zone is not None  # a name was given
    return zone


@dataclass(frozen=True)
class LocalTime:
    """How an activity's local time was resolved.

    Attributes
    ----------
    offset_s
        Local time minus UTC at the start [s], or None when unresolved.
    timezone
        IANA zone, when known (position or fallback).
    source
        ``file``, ``position``, ``athlete`` or ``none``.
    offset_source
        Value for ``ActivityMeta.utc_offset_source``.
    """

    offset_s: int | None
    timezone: str | None
    source: TimezoneSource
    offset_source: str

    @property
    def resolved(self) -> bool:
        """True when an offset is known."""
        return self.offset_s is not None


UNRESOLVED = LocalTime(None, None, "none", "unknown")


def resolve(
    start: pd.Timestamp | None,
    *,
    file_offset_s: float | None = None,
    file_offset_source: str = "file",
    position: tuple[float, float] | None = None,
    fallback: str | None = None,
) -> LocalTime:
    """Apply the order of precedence (module docstring) to what a file offers.

    Parameters
    ----------
    start
        Start of the activity: a tz-aware UTC instant when the file's times
        are UTC, a naive wall-clock time when they are local; None if unknown.
    file_offset_s
        Offset recorded by the file [s] (ignored beyond :data:`MAX_UTC_OFFSET_S`).
    file_offset_source
        Name of the file field the offset came from.
    position
        First position fix (latitude, longitude) [degree].
    fallback
        Zone supplied by the caller (the athlete's).
    """
    if file_offset_s is not None and np.isfinite(file_offset_s) and abs(file_offset_s) <= MAX_UTC_OFFSET_S:
        return LocalTime(int(file_offset_s), None, "file", file_offset_source)
    if start is None or pd.isna(start):
        return UNRESOLVED
    zone = zone_at(*position) if position is not None else None
    if zone is not None:
        return LocalTime(offset_at(zone, start), zone, "position", "position")
    if fallback:
        return LocalTime(offset_at(fallback, start), fallback, "athlete", "athlete")
    return UNRESOLVED


def resolve_local_time(activity: Activity, tz: str | None) -> Activity:
    """Place an activity with unresolved local wall-clock times in a time zone.

    For an activity imported with ``meta.time_basis == "local"`` (the file held
    only local times and neither an offset nor a position), return a copy whose
    record times, session and lap starts/ends and the report's first/last
    source times are shifted by the zone's offset at the activity's start
    (its daylight-saving state on that date), with ``meta`` saying so
    (``timezone_source == "athlete"``, ``time_basis == "utc"``). Any other
    activity, or ``tz=None``, is returned unchanged (the same object).

    Parameters
    ----------
    activity
        An imported activity.
    tz
        IANA time zone of the place the activity was recorded (usually the
        athlete's home zone).

    Raises
    ------
    ValueError
        ``tz`` is not an IANA time zone name.
    """
    if tz is None or activity.meta.time_basis != "local":
        return activity
    _zone(tz)
    start = _wall_clock_start(activity)
    if start is None:
        return activity
    offset = offset_at(tz, start)
    shift = pd.Timedelta(seconds=offset)
    records = activity.records.copy(deep=False)
    records.index = (pd.DatetimeIndex(activity.records.index) - shift).rename(activity.records.index.name)
    report = copy.deepcopy(activity.report)
    for name in ("source_first_time", "source_last_time"):
        value = getattr(report, name)
        if value is not None and not pd.isna(value):
            setattr(report, name, pd.Timestamp(value) - shift)
    meta = dataclasses.replace(
        activity.meta,
        utc_offset_s=offset,
        utc_offset_source="athlete",
        timezone=tz,
        timezone_source="athlete",
        time_basis="utc",
        extra=dict(activity.meta.extra),
    )
    return Activity(
        records,
        _shift_frame(activity.laps, shift),
        _shift_frame(activity.sessions, shift),
        meta,
        report,
        route=activity.route,
    )


def _wall_clock_start(activity: Activity) -> pd.Timestamp | None:
    """The first wall-clock time of an unresolved activity, naive."""
    first = activity.start
    if first is None:
        first = activity.report.source_first_time
    if first is None or pd.isna(first):
        return None
    return pd.Timestamp(first).tz_convert("UTC").tz_localize(None)


def _shift_frame(frame: pd.DataFrame, shift: pd.Timedelta) -> pd.DataFrame:
    """A copy of a sessions/laps frame with its ``start`` and ``end`` moved back by ``shift``."""
    out = frame.copy()
    for column in ("start", "end"):
        if column in out:
            out[column] = out[column] - shift
    return out


def locate(activity: Activity) -> Activity:
    """Place an activity recorded on UTC in the time zone of its first position fix.

    Precedence 2 of the module docstring, at import, for files whose times
    are UTC but which record no local offset (GPX, TCX, a FIT file without
    ``activity.local_timestamp``): ``meta.utc_offset_s`` becomes the offset of
    the zone at the first valid position fix at the activity's start, with
    ``utc_offset_source == timezone_source == "position"`` and
    ``meta.timezone`` its IANA name. Times are not changed (they are UTC
    already); the offset gives local dates and links the diary of a runner who
    travelled. An activity with an offset from its file, without a position,
    on unresolved local time or a course is returned unchanged (the same
    object).
    """
    meta = activity.meta
    if meta.utc_offset_s is not None or meta.time_basis != "utc" or meta.kind != "activity":
        return activity
    rec = activity.held("records").arrays()  # no frame built: the columns it was given as, if so
    if "lat_deg" not in rec or "lon_deg" not in rec:
        return activity
    fix = first_fix(np.asarray(rec["lat_deg"]), np.asarray(rec["lon_deg"]))
    local = resolve(activity.start, position=fix) if fix is not None else UNRESOLVED
    if local.source != "position":
        return activity
    placed = copy.copy(activity)  # the same frames, however held
    placed.meta = dataclasses.replace(
        meta, utc_offset_s=local.offset_s, utc_offset_source=local.offset_source, timezone=local.timezone,
        timezone_source="position", extra=dict(meta.extra))
    return placed
