"""GPX importer: ``read_gpx`` (GPX 1.0 and 1.1, any extension namespace).

GPX is read with the safe XML layer in ``runtwitch.io.xml`` by default rather
than gpxpy: gpxpy rejects real exports (a first point without lat/lon, an
undeclared ``gpxdata:`` prefix) and does not expose a track-level heart-rate
series. gpxpy is an optional engine (``engine="gpxpy"``, or a
``gpxpy.gpx.GPX`` object as the source) for those who already use it; both
engines hand their points to the same assembly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from runtwitch.errors import EngineUnavailableError, NotAnActivityError, ParseError
from runtwitch.io._xmlrecords import (
    cadence_counts_steps,
    course_activity,
    number_of,
    parse_times,
    placeholder_times,
    read_extensions,
    read_leaves,
    sport_from_text,
    to_float,
)
from runtwitch.io.source import MAX_DECOMPRESSED_BYTES, Errors, Source, check_errors, load
from runtwitch.io.xml import child, local, parse_lxml, text
from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.assembly import build

_POINT_CHILDREN = {"ele": "altitude_m", "speed": "speed_mps"}


def _point(pt: Any, report: ImportReport) -> dict[str, Any]:
    """One ``<trkpt>``/``<rtept>`` (an lxml element without comments) as a row."""
    lat, lon = to_float(pt.get("lat")), to_float(pt.get("lon"))
    if lat != lat or lon != lon:  # NaN
        report.repair("trackpoint_missing_lat_lon", 1)
    row: dict[str, Any] = {"time": None, "lat_deg": lat, "lon_deg": lon}
    timed = False
    for el in pt:
        name = local(el.tag)
        if name == "time":
            if not timed:
                row["time"], timed = text(el), True
        elif name in _POINT_CHILDREN:
            row[_POINT_CHILDREN[name]] = number_of(el)
        elif name == "course":
            row["ext_course"] = number_of(el)
        elif name == "extensions":
            read_extensions(el, row)
    return row


#: Largest time difference for matching a track-level heart-rate sample to a point [s].
TRACK_HR_TOLERANCE_S = 2.0

#: The GPX reading engines (``read_gpx(..., engine=)``), the default first.
ENGINES = ("xml", "gpxpy")
GpxEngine = Literal["xml", "gpxpy"]


@dataclass
class _Parsed:
    """What a GPX engine found, before the shared assembly."""

    points: list[dict[str, Any]]
    route: list[dict[str, Any]]
    segments: int
    track_type: str | None
    creator: str | None
    version: str | None
    waypoints: int
    track_hr: list[tuple[str, float]] = field(default_factory=list)


def _merge_track_heart_rate(series: list[tuple[str, float]], raw: pd.DataFrame, report: ImportReport) -> None:
    """Fill heart rate from a track-level series (``<heartRate time= bpm=>``, a-rival SpoQ)."""
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


def _parse_xml(data: bytes, name: str, report: ImportReport, errors: Errors) -> _Parsed:
    """runtwitch's own safe reader (the default engine)."""
    root = parse_lxml(data, name, report, errors=errors)
    if local(root.tag) != "gpx":
        raise ParseError(name, f"root element is <{local(root.tag)}>, expected <gpx>", line=1)
    tracks = list(root.iterchildren("{*}trk"))
    points: list[dict[str, Any]] = []
    segments = 0
    for trk in tracks:
        for seg in trk.iterchildren("{*}trkseg"):
            for pt in seg.iterchildren("{*}trkpt"):
                row = _point(pt, report)
                row["segment"] = segments
                points.append(row)
            segments += 1
    route = [] if points else [_point(pt, report) for rte in root.iterchildren("{*}rte")
                               for pt in rte.iterchildren("{*}rtept")]
    hr = [(str(el.get("time")), to_float(el.get("bpm"))) for el in root.iter("{*}heartRate")
          if el.get("time") and el.get("bpm")]
    return _Parsed(points, route, segments,
                   next((text(child(t, "type")) for t in tracks if child(t, "type") is not None), None),
                   root.get("creator"), root.get("version"), sum(1 for _ in root.iterchildren("{*}wpt")), hr)


def _is_gpxpy(source: Any) -> bool:
    """True for a ``gpxpy.gpx.GPX`` object (without importing gpxpy)."""
    return type(source).__name__ == "GPX" and type(source).__module__.startswith("gpxpy")


def _gpxpy_point(pt: Any, report: ImportReport) -> dict[str, Any]:
    lat = np.nan if pt.latitude is None else float(pt.latitude)
    lon = np.nan if pt.longitude is None else float(pt.longitude)
    if np.isnan(lat) or np.isnan(lon):
        report.repair("trackpoint_missing_lat_lon", 1)
    row: dict[str, Any] = {"time": None if pt.time is None else pt.time.isoformat(),
                           "lat_deg": lat, "lon_deg": lon}
    if pt.elevation is not None:
        row["altitude_m"] = float(pt.elevation)
    if getattr(pt, "speed", None) is not None:
        row["speed_mps"] = float(pt.speed)
    if getattr(pt, "course", None) is not None:
        row["ext_course"] = float(pt.course)
    if pt.extensions:  # ElementTree or lxml elements, whichever gpxpy parsed with
        read_leaves((el for ext in pt.extensions for el in ext.iter()), row)
    return row


def _parse_gpxpy(gpx: Any, report: ImportReport) -> _Parsed:
    """A ``gpxpy.gpx.GPX`` object (the ``gpxpy`` engine)."""
    points: list[dict[str, Any]] = []
    segments = 0
    for trk in gpx.tracks:
        for seg in trk.segments:
            points.extend({**_gpxpy_point(pt, report), "segment": segments} for pt in seg.points)
            segments += 1
    route = [] if points else [_gpxpy_point(pt, report) for rte in gpx.routes for pt in rte.points]
    return _Parsed(points, route, segments, next((t.type for t in gpx.tracks if t.type), None),
                   gpx.creator, gpx.version, len(gpx.waypoints))


def _load_gpxpy(data: bytes, name: str, report: ImportReport, errors: Errors) -> Any:
    """Parse with gpxpy, after runtwitch's safe reader has refused what is unsafe."""
    try:
        import gpxpy  # optional extra, imported only when asked for
    except ImportError as exc:
        raise EngineUnavailableError("gpxpy") from exc
    _parse_xml(data, name, ImportReport(), errors)  # entity bombs, external entities, not GPX
    try:
        return gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except Exception as exc:  # gpxpy raises its own and plain errors on documents it rejects
        raise ParseError(name, f"gpxpy rejects the document: {type(exc).__name__}: {exc}") from exc


def read_gpx(
    source: Source | Any,
    *,
    errors: Errors = "salvage",
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
    engine: GpxEngine = "xml",
) -> Activity:
    """Read a GPX file into a canonical :class:`Activity`.

    Parameters
    ----------
    source
        Path or binary file object (gzip content is decompressed up to
        ``max_bytes``), or a ``gpxpy.gpx.GPX`` object (read with the
        ``gpxpy`` engine, whatever ``engine`` says).
    errors
        ``"raise"``: the document must be well-formed XML as written.
        ``"warn"`` and ``"salvage"`` (default): whitespace before the XML
        declaration and undeclared namespace prefixes are repaired, counted
        in the report and warned about. XML keeps nothing before a fault to
        salvage: a document cut off part-way raises :class:`ParseError` in
        every mode.
    max_bytes
        Largest decompressed size accepted [bytes].
    engine
        ``"xml"`` (default): runtwitch's own safe reader. ``"gpxpy"``: gpxpy
        (optional extra, ``pip install 'runtwitch[gpxpy]'``), after the safe
        reader has checked the document; the points go through the same
        assembly. Where the two differ is listed in ``docs/formats.md``
        ("Engines").

    Returns
    -------
    Activity
        A recorded activity, or a course (``meta.kind == "course"``, points in
        ``Activity.route``) for route-only files and tracks without real times.

    Raises
    ------
    ValueError
        ``errors`` or ``engine`` is not one of the choices.
    ParseError
        Not well-formed XML (with line and column) or not a GPX document, or
        (``gpxpy``) a document gpxpy rejects.
    UnsafeXMLError
        Entity declarations or external references.
    NotAnActivityError
        A GPX file with neither track nor route points (e.g. waypoints only).
    EngineUnavailableError
        The ``gpxpy`` engine without gpxpy installed.
    """
    errors = check_errors(errors)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    report = ImportReport()
    if _is_gpxpy(source):
        name, engine = "<gpxpy.GPX>", "gpxpy"
        parsed = _parse_gpxpy(source, report)
    else:
        loaded = load(source, max_bytes=max_bytes)
        name = loaded.name
        if engine == "gpxpy":
            parsed = _parse_gpxpy(_load_gpxpy(loaded.data, name, report, errors), report)
        else:
            parsed = _parse_xml(loaded.data, name, report, errors)
    sport = sport_from_text(parsed.track_type)
    meta = ActivityMeta(source=name, format="gpx", sport=sport, file_type="gpx",
                        extra={"gpx_version": parsed.version, "creator": parsed.creator,
                               "waypoints": parsed.waypoints, "segments": parsed.segments})
    if engine != "xml":
        meta.extra["engine"] = engine
    meta.product = parsed.creator
    if not parsed.points:
        if not parsed.route:
            raise NotAnActivityError(name, "gpx", "GPX file has no track or route points "
                                     f"({meta.extra['waypoints']} waypoints); nothing to import")
        return course_activity(pd.DataFrame(parsed.route), report, meta, "route (<rte>) without a track")
    raw = pd.DataFrame(parsed.points)
    times = parse_times(list(raw["time"]))
    why = placeholder_times(times, raw["lat_deg"], raw["lon_deg"])
    if why is not None:
        return course_activity(raw, report, meta, why)
    raw["time"] = times
    _merge_track_heart_rate(parsed.track_hr, raw, report)
    if report.repaired.get("trackpoint_missing_lat_lon"):
        report.warn(f"{name}: {report.repaired['trackpoint_missing_lat_lon']} track points lack "
                    "lat/lon; kept with missing position")
    built = build(raw, report, default_sport=sport, cadence_in_steps=cadence_counts_steps(raw, sport),
                  name=name)
    report.warn_dropped(name, "track points")
    return timezone.locate(built.activity(meta, report))
