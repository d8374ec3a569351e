"""TCX importer: ``read_tcx`` (Garmin Training Center XML v2, activities and courses)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import NotAnActivityError, ParseError
from runtwitch.io._xmlrecords import (
    cadence_counts_steps,
    course_activity,
    number_of,
    parse_times,
    placeholder_times,
    read_extensions,
    sport_from_text,
    to_float,
)
from runtwitch.io.source import MAX_DECOMPRESSED_BYTES, Errors, Source, check_errors, load
from runtwitch.io.xml import child, children, descendants, local, parse_lxml, text
from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.assembly import build


def _value(el: Any, name: str) -> float:
    """Number in ``<name>`` or ``<name><Value>`` under ``el``."""
    return np.nan if el is None else _number(child(el, name))


def _first_children(el: Any) -> dict[str, Any]:
    """The first direct child of each local name (one pass over the children)."""
    out: dict[str, Any] = {}
    for c in el:
        name = local(c.tag)
        if name not in out:
            out[name] = c
    return out


def _number(el: Any) -> float:
    """Number in ``el`` or in its ``<Value>`` child; NaN if ``el`` is None."""
    if el is not None and len(el):  # the common case is a leaf
        inner = child(el, "Value")
        if inner is not None:
            return number_of(inner)
    return number_of(el)


def _trackpoint(tp: Any) -> dict[str, Any]:
    kids = _first_children(tp)
    pos = kids.get("Position")
    place = _first_children(pos) if pos is not None else {}
    row: dict[str, Any] = {
        "time": text(kids.get("Time")),
        "lat_deg": _number(place.get("LatitudeDegrees")),
        "lon_deg": _number(place.get("LongitudeDegrees")),
        "altitude_m": _number(kids.get("AltitudeMeters")),
        "distance_m": _number(kids.get("DistanceMeters")),
        "heart_rate_bpm": _number(kids.get("HeartRateBpm")),
        "cadence": _number(kids.get("Cadence")),
    }
    read_extensions(kids.get("Extensions"), row)
    return row


def _lap(lap: Any) -> dict[str, Any]:
    ext = child(lap, "Extensions")
    avg_speed = np.nan
    if ext is not None:
        avg_speed = next((to_float(text(e)) for e in descendants(ext, "AvgSpeed")), np.nan)
    return {
        "start": lap.get("StartTime"),
        "timer_s": _value(lap, "TotalTimeSeconds"),
        "elapsed_s": _value(lap, "TotalTimeSeconds"),
        "distance_m": _value(lap, "DistanceMeters"),
        "avg_heart_rate_bpm": _value(lap, "AverageHeartRateBpm"),
        "max_heart_rate_bpm": _value(lap, "MaximumHeartRateBpm"),
        "avg_speed_mps": avg_speed,
        "intensity": text(child(lap, "Intensity")),
        "trigger": text(child(lap, "TriggerMethod")),
        "calories_kcal": _value(lap, "Calories"),
    }


def _lap_total(laps: list[dict[str, Any]], key: str, how: Any) -> float:
    """Session total from lap totals (NaN when no lap has the value)."""
    values = np.array([lp[key] for lp in laps], dtype=float)
    return float(how(values)) if np.isfinite(values).any() else np.nan


def read_tcx(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a TCX file into a canonical :class:`Activity`.

    Each ``Activity`` element (including the legs of a ``MultiSportSession``)
    becomes a session; laps keep their device totals. ``Courses`` files come
    back as courses (``meta.kind == "course"``, points in ``Activity.route``).

    Parameters
    ----------
    source
        Path or binary file object (gzip content is decompressed up to ``max_bytes``).
    errors
        ``"raise"``: the document must be well-formed XML as written.
        ``"warn"`` and ``"salvage"`` (default): whitespace before the XML
        declaration and undeclared namespace prefixes are repaired, counted
        in the report and warned about. XML keeps nothing before a fault to
        salvage: a document cut off part-way raises :class:`ParseError` in
        every mode.
    max_bytes
        Largest decompressed size accepted [bytes].

    Raises
    ------
    ValueError
        ``errors`` is not one of the modes.
    ParseError
        Not well-formed XML (with line and column) or not a TCX document.
    UnsafeXMLError
        Entity declarations or external references.
    NotAnActivityError
        A TCX file without activities or courses (e.g. workouts only).
    """
    errors = check_errors(errors)
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    report = ImportReport()
    root = parse_lxml(loaded.data, name, report, errors=errors)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ParseError(name, f"root element is <{local(root.tag)}>, expected <TrainingCenterDatabase>",
                         line=1)
    activities = [a for acts in children(root, "Activities") for a in acts.iter("{*}Activity")]
    creator = next((text(child(c, "Name")) for a in activities for c in children(a, "Creator")), None)
    meta = ActivityMeta(source=name, format="tcx", file_type="tcx", product=creator)
    if not activities:
        courses = [c for cs in children(root, "Courses") for c in children(cs, "Course")]
        if not courses:
            raise NotAnActivityError(name, "tcx", "TCX file has no Activity or Course; nothing to import")
        course_points = [_trackpoint(tp) for c in courses for tp in c.iter("{*}Trackpoint")]
        return course_activity(pd.DataFrame(course_points), report, meta, "TCX Course")

    points: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    laps: list[dict[str, Any]] = []
    for act in activities:
        sport = sport_from_text(act.get("Sport"))
        act_laps = [_lap(lap) for lap in children(act, "Lap")]
        laps.extend(act_laps)
        start = act_laps[0]["start"] if act_laps else text(child(act, "Id"))
        sessions.append({
            "start": start, "sport": sport, "sub_sport": None,
            "timer_s": _lap_total(act_laps, "timer_s", np.nansum),
            "distance_m": _lap_total(act_laps, "distance_m", np.nansum),
            "calories_kcal": _lap_total(act_laps, "calories_kcal", np.nansum),
            "max_heart_rate_bpm": _lap_total(act_laps, "max_heart_rate_bpm", np.nanmax),
        })
        for lap in children(act, "Lap"):
            for tp in lap.iter("{*}Trackpoint"):
                row = _trackpoint(tp)
                row["segment"] = len(sessions) - 1
                points.append(row)
    raw = pd.DataFrame(points) if points else pd.DataFrame({"time": []})
    raw["time"] = parse_times(list(raw["time"]))
    why = placeholder_times(pd.DatetimeIndex(raw["time"]), raw.get("lat_deg"), raw.get("lon_deg"))
    if len(raw) and why is not None:
        return course_activity(raw, report, meta, why)
    sess = pd.DataFrame(sessions)
    sess["start"] = parse_times(list(sess["start"]))
    lap_frame = pd.DataFrame(laps).drop(columns=["calories_kcal", "elapsed_s"]) if laps else None
    if lap_frame is not None:
        lap_frame["start"] = parse_times(list(lap_frame["start"]))
    sports = [s for s in sess["sport"] if s != "transition"]
    meta.sport = "multisport" if len(set(sports)) > 1 else (sports[0] if sports else "generic")
    built = build(raw, report, sessions=sess, laps=lap_frame, default_sport=meta.sport, name=name,
                  cadence_in_steps=cadence_counts_steps(raw, meta.sport))
    report.warn_dropped(name, "trackpoints")
    return timezone.locate(built.activity(meta, report))
