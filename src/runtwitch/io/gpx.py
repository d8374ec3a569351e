"""GPX importer: ``read_gpx`` (GPX 1.0 and 1.1, any extension namespace).

GPX is read with the safe XML layer in ``runtwitch.io.xml`` rather than gpxpy:
gpxpy rejects real exports (a first point without lat/lon, an undeclared
``gpxdata:`` prefix) and does not expose extension values under unfamiliar
prefixes, which is where heart rate, cadence, temperature and power live.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import NotAnActivityError, ParseError
from runtwitch.io._xmlrecords import (
    cadence_counts_steps,
    course_activity,
    parse_times,
    placeholder_times,
    read_extensions,
    sport_from_text,
    to_float,
)
from runtwitch.io.source import MAX_DECOMPRESSED_BYTES, Errors, Source, check_errors, load
from runtwitch.io.xml import child, children, local, parse, text
from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.assembly import build

_POINT_CHILDREN = {"ele": "altitude_m", "speed": "speed_mps"}


def _point(pt: Any, report: ImportReport) -> dict[str, Any]:
    lat, lon = to_float(pt.get("lat")), to_float(pt.get("lon"))
    if np.isnan(lat) or np.isnan(lon):
        report.repair("trackpoint_missing_lat_lon", 1)
    row: dict[str, Any] = {"time": text(child(pt, "time")), "lat_deg": lat, "lon_deg": lon}
    for el in pt:
        name = local(el.tag)
        if name in _POINT_CHILDREN:
            row[_POINT_CHILDREN[name]] = to_float(text(el))
        elif name == "course":
            row["ext_course"] = to_float(text(el))
        elif name == "extensions":
            read_extensions(el, row)
    return row


#: Largest time difference for matching a track-level heart-rate sample to a point [s].
TRACK_HR_TOLERANCE_S = 2.0


def _merge_track_heart_rate(root: Any, raw: pd.DataFrame, report: ImportReport) -> None:
    """Fill heart rate from a track-level series (``<heartRate time= bpm=>``, a-rival SpoQ)."""
    series = [(el.get("time"), to_float(el.get("bpm"))) for el in root.iter()
              if local(el.tag) == "heartRate" and el.get("time") and el.get("bpm")]
    if not series:
        return
    index = parse_times([t for t, _ in series])
    hr = pd.Series([v for _, v in series], index=index)[np.asarray(index.notna())]
    hr = hr[~hr.index.duplicated()].sort_index()
    times = pd.DatetimeIndex(raw["time"])
    ok = np.asarray(times.notna())
    matched = hr.reindex(times[ok], method="nearest",
                         tolerance=pd.Timedelta(seconds=TRACK_HR_TOLERANCE_S)).to_numpy()
    if "heart_rate_bpm" not in raw:
        raw["heart_rate_bpm"] = np.nan
    current = raw.loc[ok, "heart_rate_bpm"].to_numpy(float)
    fill = np.isnan(current) & ~np.isnan(matched)
    raw.loc[ok, "heart_rate_bpm"] = np.where(fill, matched, current)
    report.repair("heart_rate_from_track_series", int(fill.sum()))


def read_gpx(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a GPX file into a canonical :class:`Activity`.

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

    Returns
    -------
    Activity
        A recorded activity, or a course (``meta.kind == "course"``, points in
        ``Activity.route``) for route-only files and tracks without real times.

    Raises
    ------
    ValueError
        ``errors`` is not one of the modes.
    ParseError
        Not well-formed XML (with line and column) or not a GPX document.
    UnsafeXMLError
        Entity declarations or external references.
    NotAnActivityError
        A GPX file with neither track nor route points (e.g. waypoints only).
    """
    errors = check_errors(errors)
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    report = ImportReport()
    root = parse(loaded.data, name, report, errors=errors)
    if local(root.tag) != "gpx":
        raise ParseError(name, f"root element is <{local(root.tag)}>, expected <gpx>", line=1)
    tracks = list(children(root, "trk"))
    points: list[dict[str, Any]] = []
    seg_starts: list[int] = []
    for trk in tracks:
        for seg in children(trk, "trkseg"):
            seg_starts.append(len(points))
            points.extend({**_point(pt, report), "segment": len(seg_starts) - 1}
                          for pt in children(seg, "trkpt"))
    sport = sport_from_text(next((text(child(t, "type")) for t in tracks if child(t, "type") is not None),
                                 None))
    meta = ActivityMeta(source=name, format="gpx", sport=sport, file_type="gpx",
                        extra={"gpx_version": root.get("version"), "creator": root.get("creator"),
                               "waypoints": sum(1 for _ in children(root, "wpt")),
                               "segments": len(seg_starts)})
    meta.product = root.get("creator")
    if not points:
        route = [_point(pt, report) for rte in children(root, "rte") for pt in children(rte, "rtept")]
        if not route:
            raise NotAnActivityError(name, "gpx", "GPX file has no track or route points "
                                     f"({meta.extra['waypoints']} waypoints); nothing to import")
        return course_activity(pd.DataFrame(route), report, meta, "route (<rte>) without a track")
    raw = pd.DataFrame(points)
    why = placeholder_times(parse_times(list(raw["time"])), raw["lat_deg"], raw["lon_deg"])
    if why is not None:
        return course_activity(raw, report, meta, why)
    raw["time"] = parse_times(list(raw["time"]))
    _merge_track_heart_rate(root, raw, report)
    if report.repaired.get("trackpoint_missing_lat_lon"):
        report.warn(f"{name}: {report.repaired['trackpoint_missing_lat_lon']} track points lack "
                    "lat/lon; kept with missing position")
    built = build(raw, report, default_sport=sport, cadence_in_steps=cadence_counts_steps(raw, sport),
                  name=name)
    report.warn_dropped(name, "track points")
    return timezone.locate(Activity(built.records, built.laps, built.sessions, meta, report))
