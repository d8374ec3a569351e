"""What GPX and TCX share: extension names, sport names, times, and course handling."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.io.xml import local
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.assembly import build, haversine_m
from runtwitch.model.schema import RUNNING_SPORTS

#: Extension element (local name, lower-case) -> canonical column, whatever the
#: prefix or namespace (Garmin TrackPointExtension v1/v2, Suunto/Movescount,
#: Amazfit, Strava, Urban Biker, Garmin TCX ActivityExtension).
EXTENSION_COLUMNS: dict[str, str] = {
    "hr": "heart_rate_bpm",
    "heartrate": "heart_rate_bpm",
    "heartratebpm": "heart_rate_bpm",
    "cad": "cadence",
    "cadence": "cadence",
    "runcadence": "cadence",
    "atemp": "temperature_c",
    "temp": "temperature_c",
    "temperature": "temperature_c",
    "power": "power_w",
    "powerinwatts": "power_w",
    "watts": "power_w",
    "speed": "speed_mps",
    "distance": "distance_m",
    "altitude": "altitude_m",
}

#: Sport words and Strava activity-type numbers -> FIT-style sport names.
SPORT_WORDS: tuple[tuple[str, str], ...] = (
    ("run", "running"), ("jog", "running"), ("walk", "walking"), ("hik", "hiking"),
    ("bik", "cycling"), ("cycl", "cycling"), ("ride", "cycling"), ("swim", "swimming"),
)
STRAVA_TYPES = {"1": "cycling", "9": "running", "10": "walking", "4": "hiking", "16": "swimming",
                "17": "cycling"}

#: A running file whose median moving cadence is above this already counts
#: steps (both feet) rather than strides [per minute].
STEPS_CADENCE_THRESHOLD = 130.0


def sport_from_text(value: str | None) -> str:
    """Normalise a GPX ``<type>`` or TCX ``Sport`` value to a sport name."""
    if not value:
        return "generic"
    v = value.strip().lower()
    if v in STRAVA_TYPES:
        return STRAVA_TYPES[v]
    for word, sport in SPORT_WORDS:
        if word in v:
            return sport
    return "generic"


def snake(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "value"


def to_float(value: str | None) -> float:
    """A number written in a file (a decimal comma without a point accepted), NaN if it is none."""
    if value is None:
        return np.nan
    try:
        return float(value)  # the common case first: float() never accepts a comma
    except ValueError:
        pass
    if "," in value and "." not in value:
        try:
            return float(value.replace(",", "."))
        except ValueError:
            pass
    return np.nan


def number_of(el: Any) -> float:
    """:func:`to_float` of an element's text (surrounding whitespace ignored); NaN for None or no text."""
    if el is None:
        return np.nan
    t = el.text
    return np.nan if t is None else to_float(t)


@lru_cache(maxsize=4096)
def extension_column(tag: str) -> str:
    """Canonical column of an extension element's tag, or ``ext_<snake name>`` (cached per tag)."""
    name = local(tag)
    return EXTENSION_COLUMNS.get(name.lower(), f"ext_{snake(name)}")


def read_extensions(ext: Any, row: dict[str, Any]) -> None:
    """Put every leaf value of an ``<extensions>`` block into ``row`` (numbers only).

    ``ext`` is an ElementTree or lxml element (without comments), or None.
    The first number of a column wins; an empty or non-numeric leaf is skipped.
    """
    if ext is None:
        return
    leaves = ext.iter()
    next(leaves)  # the block itself
    read_leaves(leaves, row)


def read_leaves(elements: Iterable[Any], row: dict[str, Any]) -> None:
    """:func:`read_extensions` for the elements of a block (each with its descendants, in order)."""
    for el in elements:
        if len(el) or not isinstance(el.tag, str):  # a parent, or a comment kept by gpxpy's parser
            continue
        value = number_of(el)
        if value != value:  # NaN
            continue
        col = extension_column(el.tag)
        current = row.get(col)
        if current is None or (isinstance(current, float) and current != current):
            row[col] = value


def parse_times(values: list[str | None]) -> pd.DatetimeIndex:
    """ISO 8601 strings (Z, offsets, fractions) -> UTC; unparsable -> NaT."""
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(values, dtype=object), utc=True,
                                           errors="coerce", format="ISO8601"))


def cadence_counts_steps(raw: pd.DataFrame, sport: str) -> bool:
    """Decide from the data whether a running file's cadence already counts both feet."""
    if sport not in RUNNING_SPORTS or "cadence" not in raw:
        return False
    cad = pd.to_numeric(raw["cadence"], errors="coerce")
    positive = cad[cad > 0]
    return bool(len(positive)) and float(positive.median()) > STEPS_CADENCE_THRESHOLD


#: A track on which fewer than this fraction of the points carry a time is a
#: planned route with a few predicted times, not a recording.
ROUTE_MIN_TIMED_FRACTION = 0.5
#: A track whose times follow the distance along it within this [s] (a constant
#: predicted pace, times rounded to the second) is a planned route.
EVEN_TIMES_MAX_RESIDUAL_S = 1.0
#: Fewest timed points before a constant pace is taken as a prediction.
EVEN_TIMES_MIN_POINTS = 10


def placeholder_times(times: pd.DatetimeIndex, lat_deg: Any = None, lon_deg: Any = None) -> str | None:
    """Why the times of a track are not a recording, or None if they look real.

    Heuristics, in order: no point has a time; all points share one time; the
    track starts exactly at midnight UTC on 1 January (the "zero" date route
    planners write when they invent times); fewer than
    :data:`ROUTE_MIN_TIMED_FRACTION` of the points have a time (a planner that
    predicts times at a few points); or, with positions, the times follow the
    distance along the track at one constant pace within
    :data:`EVEN_TIMES_MAX_RESIDUAL_S` (times predicted from a set speed; a
    recording's pace always varies by more).

    Parameters
    ----------
    times
        Time of each point in file order (NaT where it has none).
    lat_deg, lon_deg
        Position of each point [degree], if known.
    """
    valid = times[times.notna()]
    if len(valid) == 0:
        return "no point has a time"
    if len(valid) > 1 and valid.nunique() == 1:
        return "every point has the same time"
    first = valid[0]
    if (first.month, first.day, first.hour, first.minute, first.second) == (1, 1, 0, 0, 0):
        return f"times start at {first:%Y-%m-%d %H:%M:%S}Z, a planner's placeholder"
    if len(valid) < ROUTE_MIN_TIMED_FRACTION * len(times):
        return f"only {len(valid)} of {len(times)} points have a time (predicted times of a planned route)"
    if lat_deg is not None and lon_deg is not None and _even_pace(times, lat_deg, lon_deg):
        return "the times follow the distance at one constant pace (times predicted by a route planner)"
    return None


def _even_pace(times: pd.DatetimeIndex, lat_deg: Any, lon_deg: Any) -> bool:
    """True when the timed points' times are a straight line of the distance along the track."""
    lat = np.asarray(pd.to_numeric(pd.Series(lat_deg), errors="coerce"), dtype=float)
    lon = np.asarray(pd.to_numeric(pd.Series(lon_deg), errors="coerce"), dtype=float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    timed = np.asarray(times.notna()) & placed
    if timed.sum() < EVEN_TIMES_MIN_POINTS:
        return False
    step = haversine_m(lat[placed], lon[placed])
    along = np.full(len(lat), np.nan)
    along[placed] = np.concatenate([[0.0], np.cumsum(step[1:])])
    d = along[timed]
    stamps = times[timed].as_unit("ns").asi8
    t = (stamps - stamps[0]) / 1e9
    if np.ptp(d) <= 0 or np.ptp(t) <= 0 or np.any(np.diff(t) < 0):
        return False
    slope, intercept = np.polyfit(d, t, 1)
    return bool(slope > 0 and np.max(np.abs(t - (slope * d + intercept))) <= EVEN_TIMES_MAX_RESIDUAL_S)


def course_activity(
    raw: pd.DataFrame, report: ImportReport, meta: ActivityMeta, why: str
) -> Activity:
    """A route/course: points go to ``Activity.route``; ``records`` stays empty."""
    times = pd.DatetimeIndex(pd.to_datetime(raw["time"], utc=True, errors="coerce"))
    report.source_records = len(raw)
    valid = times[times.notna()]
    if len(valid):
        report.source_first_time = pd.Timestamp(valid[0])
        report.source_last_time = pd.Timestamp(valid[-1])
    report.drop("course_point", len(raw))
    report.warn(f"{meta.source}: read as a course/route, not a recording ({why})")
    route_cols = [c for c in ("lat_deg", "lon_deg", "altitude_m", "distance_m") if c in raw]
    route = raw[route_cols].apply(pd.to_numeric, errors="coerce").reset_index(drop=True)
    route.index.name = "point"
    built = build(raw.iloc[:0], ImportReport(), default_sport=meta.sport)
    report.rows = 0
    report.check()
    meta.kind = "course"
    meta.extra["course_reason"] = why
    return Activity(built.records, built.laps, built.sessions.iloc[:0], meta, report, route=route)
