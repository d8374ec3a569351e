"""KML and KMZ (``.kml``, ``.kmz``): Google Earth tracks from TomTom, Suunto Movescount, My Tracks.

A recording is a ``gx:Track``: ``<when>`` times paired in order with
``<gx:coord>`` positions (``longitude latitude altitude``), and sensor arrays
in ``ExtendedData/SchemaData/gx:SimpleArrayData`` (one value per point).
Several tracks (``gx:MultiTrack``) are read in file order. A file with only
``LineString`` coordinates, or tracks without ``<when>``, is a route:
``meta.kind == "course"``. A KMZ is a zip holding the KML (``doc.kml``); it is
read in memory with the archive limits of :mod:`runtwitch.io.archive`.
``<when>`` with ``Z`` or an offset is UTC; without, local wall-clock time.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import NotAnActivityError, ParseError
from runtwitch.io import archive
from runtwitch.io.formats._common import (
    MAX_DECOMPRESSED_BYTES,
    Activity,
    Errors,
    ImportReport,
    Loaded,
    Source,
    build_activity,
    course,
    elements_by_name,
    floats,
    load,
    local,
    parse_times,
    parse_xml,
    snake,
    sport_from_text,
)

#: A ``<when>`` ending in ``Z`` or an offset is UTC; without one, local wall-clock time.
ZONE_DESIGNATOR = r"(?:Z|[+-]\d{2}:?\d{2})\s*$"
#: ``SimpleArrayData`` name (lower case) -> canonical column; units are the canonical ones.
ARRAY_COLUMNS = {
    "heartrate": "heart_rate_bpm",
    "heart_rate": "heart_rate_bpm",
    "hr": "heart_rate_bpm",
    "cadence": "cadence",
    "temperature": "temperature_c",
    "distance": "distance_m",
    "speed": "speed_mps",
    "power": "power_w",
    "altitude": "altitude_m",
}


def read_kml(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a KML or KMZ file into a canonical :class:`~runtwitch.Activity` (or a course).

    Parameters
    ----------
    source
        Path or binary file object: KML text, or a KMZ (zip) archive.
    errors
        Accepted for a uniform importer interface; malformed XML always raises.
    max_bytes
        Largest decompressed size accepted [bytes].

    Raises
    ------
    ParseError
        Not well-formed XML, not ``<kml>``, or a KMZ without a ``.kml`` member.
    NotAnActivityError
        A KML file with neither track nor line (only placemarks).
    LimitExceededError, UnsafeArchiveError
        A KMZ beyond the archive limits.
    """
    loaded = _kml_bytes(load(source, max_bytes=max_bytes))
    name = loaded.name
    report = ImportReport()
    root = parse_xml(loaded, report)
    if local(root.tag) != "kml":
        raise ParseError(name, f"root element is <{local(root.tag)}>, expected <kml>", line=1)
    found = elements_by_name(root, ("Track", "LineString", "Data", "Schema", "name"))
    tracks = found["Track"]
    frames = [_track(t) for t in tracks]
    points = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"time": [], "when": []})
    extra: dict[str, Any] = {"tracks": len(tracks)}
    if len(points) == 0 or points["when"].isna().all():
        line = points if len(points) else _lines(found["LineString"])
        if len(line) == 0:
            raise NotAnActivityError(
                name, "kml", "KML file has no gx:Track and no LineString; nothing to import"
            )
        why = "KML track without <when> times" if len(points) else "KML LineString without times"
        return course(
            line.drop(columns=["time", "when"], errors="ignore"),
            name=name,
            format="kml",
            why=why,
            report=report,
            extra=extra,
        )
    whens = points.pop("when")
    zoned = bool(whens.dropna().astype(str).str.contains(ZONE_DESIGNATOR, regex=True).all())
    points["time"] = parse_times(whens.to_numpy(), utc=zoned)
    sport = _sport(found)
    return build_activity(
        points,
        name=name,
        format="kml",
        clock="utc" if zoned else "local",
        sport=sport,
        extra=extra,
        report=report,
    )


def _kml_bytes(loaded: Loaded) -> Loaded:
    """The KML text itself: a KMZ's ``doc.kml`` (or first ``.kml`` member)."""
    if not loaded.data.startswith(archive.ZIP_MAGIC):
        return loaded
    zf = archive.open_zip(loaded.data, loaded.name)
    kml = [i for i in zf.infolist() if i.filename.lower().endswith(".kml") and not i.is_dir()]
    if not kml:
        raise ParseError(loaded.name, "KMZ archive holds no .kml file")
    info = next((i for i in kml if i.filename.lower() == "doc.kml"), kml[0])
    entry = f"{loaded.name}{archive.SEPARATOR}{info.filename}"
    return Loaded(archive.read_member(zf, info, entry), loaded.name, loaded.gzipped)


def _texts(parent: ET.Element, name: str) -> list[str | None]:
    return [
        c.text.strip() if c.text else None for c in parent if isinstance(c.tag, str) and local(c.tag) == name
    ]


def _coords(texts: list[str | None]) -> np.ndarray:
    """``lon lat [alt]`` texts -> (n, 3) float matrix, vectorised when every text has three numbers."""
    tokens = " ".join(t or "" for t in texts).split()
    if len(tokens) == 3 * len(texts):
        return floats(tokens).reshape(len(texts), 3)
    out = np.full((len(texts), 3), np.nan)
    for i, t in enumerate(texts):
        row = floats((t or "").replace(",", " ").split()[:3])
        out[i, : len(row)] = row
    return out


def _track(track: ET.Element) -> pd.DataFrame:
    whens = _texts(track, "when")
    coords = _coords(_texts(track, "coord"))
    n = max(len(whens), len(coords))
    frame = pd.DataFrame({"when": pd.Series(whens + [None] * (n - len(whens)), dtype=object)})
    pos = np.full((n, 3), np.nan)
    pos[: len(coords)] = coords
    frame["lon_deg"], frame["lat_deg"], frame["altitude_m"] = pos[:, 0], pos[:, 1], pos[:, 2]
    frame["time"] = pd.NaT
    for arr in elements_by_name(track, ("SimpleArrayData",))["SimpleArrayData"]:
        key = (arr.get("name") or "").strip()
        values = floats(_texts(arr, "value"))[:n]
        column = np.full(n, np.nan)
        column[: len(values)] = values
        col = ARRAY_COLUMNS.get(key.lower(), f"ext_{snake(key)}")
        if col == "altitude_m" and np.isfinite(frame["altitude_m"]).any():
            col = "ext_altitude_m"
        frame[col] = column
    return frame


def _lines(lines: list[ET.Element]) -> pd.DataFrame:
    """Points of every ``LineString``'s ``coordinates`` (``lon,lat[,alt]`` tuples)."""
    rows = []
    for line in lines:
        for c in (x for x in line if isinstance(x.tag, str) and local(x.tag) == "coordinates"):
            tuples = (c.text or "").split()
            rows.append(_coords([t.replace(",", " ") for t in tuples]))
    pos = np.concatenate(rows) if rows else np.zeros((0, 3))
    return pd.DataFrame({"lat_deg": pos[:, 1], "lon_deg": pos[:, 0], "altitude_m": pos[:, 2]})


def _sport(found: dict[str, list[ET.Element]]) -> str:
    """Sport from a ``type`` data field, a schema id or a placemark name (TomTom: ``Running_...``)."""
    candidates = [el.findtext("{*}value") or el.findtext("value") for el in found["Data"]
                  if el.get("name") == "type"]
    candidates += [el.get("id") for el in found["Schema"]]
    candidates += [el.text for el in found["name"]]
    for value in candidates:
        sport = sport_from_text(value)
        if sport != "generic":
            return sport
    return "generic"
