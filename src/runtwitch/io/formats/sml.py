"""Suunto SML (``.sml``) and Moveslink XML logs (Ambit, Spartan, dive computers).

Both hold one ``Header`` (summary, local start ``DateTime``), a ``Device`` and
``Samples``: *periodic* samples (the record stream: heart rate, speed,
altitude...), GPS samples (positions, written separately), event samples
(laps, pauses) and swim samples. An SML file has one root (``<sml>``); a
Moveslink XML file (Moveslink 2 on Windows/Mac) has several top-level elements
(``header``, ``samples``, ``marks``, ``IBI``) and no single root, and is read
by wrapping it in one. See ``docs/formats.md`` for units and time basis.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.io.formats import _suunto
from runtwitch.io.formats._common import (
    MAX_DECOMPRESSED_BYTES,
    Activity,
    Clock,
    Errors,
    ImportReport,
    Loaded,
    Source,
    build_activity,
    column,
    interpolate_at,
    leaf_texts,
    load,
    local,
    parse_times,
    parse_xml,
    seconds,
    sport_from_text,
    text_column,
)

#: A GPS fix is interpolated onto a periodic sample only between fixes at most this far apart [s].
GPS_MAX_GAP_S = 30.0
#: Largest sample ``Time`` (seconds since the start) taken as a time [s]: ten years.
MAX_TIME_S = 10 * 365.25 * 86400
#: Sample types of the record stream; samples without a type are records when they measure something.
RECORD_SAMPLE_TYPES = frozenset({"periodic"})

_DECLARATION = re.compile(rb"^\s*(<\?xml[^>]*\?>)", re.S)


def read_sml(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a Suunto SML file into a canonical :class:`~runtwitch.Activity`.

    Parameters
    ----------
    source
        Path or binary file object (gzip content is decompressed up to ``max_bytes``).
    errors
        Accepted for a uniform importer interface; malformed XML always raises.
    max_bytes
        Largest decompressed size accepted [bytes].

    Raises
    ------
    ParseError
        Not well-formed XML, or no Suunto samples.
    UnsafeXMLError
        Entity declarations or external references.
    """
    loaded = load(source, max_bytes=max_bytes)
    report = ImportReport()
    return _read(parse_xml(loaded, report), loaded.name, "sml", report)


def read_moveslink_xml(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a Suunto Moveslink XML log (several top-level elements, no single root).

    Parameters and errors as :func:`read_sml`; a file that does have a single
    root (an SML file saved as ``.xml``) reads as well.
    """
    loaded = load(source, max_bytes=max_bytes)
    report = ImportReport()
    data = loaded.data.removeprefix(b"\xef\xbb\xbf")
    m = _DECLARATION.match(data)
    decl, body = (m.group(1), data[m.end() :]) if m else (b"", data)
    wrapped = Loaded(decl + b"<moveslink>" + body + b"</moveslink>", loaded.name, loaded.gzipped)
    return _read(parse_xml(wrapped, report), loaded.name, "suunto_xml", report)


_MOVESLINK_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*<header>\s*<", re.S)


def moveslink_head(head: bytes) -> bool:
    """True if a file starts like a Moveslink XML log (a top-level ``<header>`` element)."""
    return _MOVESLINK_HEAD.match(head) is not None


def _find(root: ET.Element, name: str, depth: int = 2) -> ET.Element | None:
    """First element named ``name`` (any case) among ``root`` and its descendants down to ``depth`` levels.

    The log's parts (header, device, samples, R-R) sit at most two levels down;
    searching no deeper keeps the thousands of samples out of each look-up.
    """
    wanted = name.lower()
    level = [root]
    for _ in range(depth + 1):
        for el in level:
            if isinstance(el.tag, str) and local(el.tag).lower() == wanted:
                return el
        level = [c for el in level for c in el]
    return None


def _text(el: ET.Element | None, name: str) -> str | None:
    found = _find(el, name, depth=1) if el is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _samples(root: ET.Element) -> list[ET.Element]:
    out: list[ET.Element] = []
    level = [root]
    for _ in range(3):  # <sml><DeviceLog><Samples>, or <samples> at the top of a Moveslink log
        for container in level:
            if isinstance(container.tag, str) and local(container.tag).lower() == "samples":
                out.extend(
                    s for s in container if isinstance(s.tag, str) and local(s.tag).lower() == "sample"
                )
        level = [
            c
            for el in level
            for c in el
            if not (isinstance(el.tag, str) and local(el.tag).lower() == "samples")
        ]
    return out


def _header(root: ET.Element) -> ET.Element | None:
    return _find(root, "header")


def _read(root: ET.Element, name: str, fmt: str, report: ImportReport) -> Activity:
    samples = _samples(root)
    header = _header(root)
    if not samples:
        raise _not_suunto(name, root)
    found = leaf_texts(samples)
    n = len(samples)
    types = text_column(n, found.get("SampleType"))
    offsets = column(n, found.get("Time"))
    utc = parse_times(text_column(n, found.get("UTC")), utc=True)
    measures = np.zeros(n, dtype=bool)
    for tag, (idx, _) in found.items():
        if tag not in _suunto.NOT_MEASUREMENTS:
            measures[idx] = True
    typed = np.array([t is not None for t in types])
    is_record = np.isin(types, list(RECORD_SAMPLE_TYPES)) | (~typed & measures)
    is_gps = np.array([isinstance(t, str) and t.startswith("gps") for t in types])

    times, clock, file_offset, offset_source = _times(header, utc, offsets)
    columns = _suunto.canonical({tag: column(n, f) for tag, f in found.items()})
    rec = np.flatnonzero(is_record)
    frame = pd.DataFrame({c: v[rec] for c, v in columns.items()})
    frame.insert(0, "time", times.iloc[rec].to_numpy())
    if "lat_deg" not in frame or frame["lat_deg"].isna().all():
        _merge_gps(frame, times, columns, is_gps, report)
    sport, sub_sport = _sport(root, header)
    laps = _laps(samples, times)
    rr_block = _find(root, "R-R") or _find(root, "IBI")
    rr = " ".join(rr_block.itertext()) if rr_block is not None else ""
    device = _find(root, "Device")
    extra: dict[str, Any] = {
        "samples": n,
        "gps_samples": int(is_gps.sum()),
        "rr_intervals": len(rr.split()) if rr else 0,
        "header_datetime": _text(header, "DateTime"),
    }
    return build_activity(
        frame,
        name=name,
        format=fmt,
        clock=clock,
        sport=sport,
        sub_sport=sub_sport,
        file_offset_s=file_offset,
        file_offset_source=offset_source,
        laps=laps,
        manufacturer="suunto",
        product=_text(device, "Name"),
        extra=extra,
        report=report,
    )


def _not_suunto(name: str, root: ET.Element) -> Exception:
    from runtwitch.errors import ParseError

    return ParseError(
        name,
        f"no Suunto <Samples>/<Sample> elements found under <{local(root.tag)}>; "
        "expected a Suunto SML or Moveslink XML log",
    )


def _times(
    header: ET.Element | None, utc: pd.Series, offsets: np.ndarray
) -> tuple[pd.Series, Clock, float | None, str]:
    """Sample times, their clock, and the UTC offset the header implies.

    A sample's own ``UTC`` wins; else the start of the log in UTC (``UTC -
    Time`` of the first sample carrying both; later ones may repeat the start
    time, as a pool swim's closing pause event does) plus its ``Time``; else,
    without any UTC in the file, the header's ``DateTime`` plus ``Time``.
    """
    header_text = _text(header, "DateTime")
    zoned, header_offset = _suunto.text_offset_s(header_text)
    header_time = parse_times([header_text], utc=zoned).iloc[0] if header_text else pd.NaT
    both = utc.notna().to_numpy() & np.isfinite(offsets)
    offsets = np.where(np.abs(offsets) <= MAX_TIME_S, offsets, np.nan)  # beyond: not a time
    seconds = pd.to_timedelta(offsets, unit="s")
    if both.any():
        first = int(np.flatnonzero(both)[0])
        start = utc.iloc[first] - seconds[first]
        times = utc.where(utc.notna(), start + pd.Series(seconds, index=utc.index))
        if zoned:
            return times, "utc", header_offset, "sml_header_datetime"
        offset = _suunto.header_offset_s(None if pd.isna(header_time) else header_time, start)
        return times, "utc", offset, "sml_header_datetime_vs_utc"
    if utc.notna().any():  # UTC on samples without Time: use them as they are
        return utc, "utc", header_offset, "sml_header_datetime"
    if pd.isna(header_time):
        return pd.Series(pd.NaT, index=utc.index, dtype="datetime64[ns]"), "local", None, "unknown"
    times = pd.Series(seconds, index=utc.index) + header_time
    if zoned:
        return times, "utc", header_offset, "sml_header_datetime"
    return times, "local", None, "unknown"


def _merge_gps(
    frame: pd.DataFrame,
    times: pd.Series,
    columns: dict[str, np.ndarray],
    is_gps: np.ndarray,
    report: ImportReport,
) -> None:
    """Interpolate the GPS samples' positions onto the periodic samples (gaps of at most GPS_MAX_GAP_S)."""
    if "lat_deg" not in columns or "lon_deg" not in columns or not is_gps.any() or frame.empty:
        return
    found, used = interpolate_at(
        seconds(frame["time"]),
        seconds(times[is_gps]),
        {"lat_deg": columns["lat_deg"][is_gps], "lon_deg": columns["lon_deg"][is_gps]},
        GPS_MAX_GAP_S,
    )
    frame["lat_deg"], frame["lon_deg"] = found["lat_deg"], found["lon_deg"]
    report.repair("position_from_gps_samples", int(used.sum()))


def _sport(root: ET.Element, header: ET.Element | None) -> tuple[str, str | None]:
    known = _suunto.sport_of(_text(header, "ActivityType"))
    if known is not None:
        return known
    if header is not None and _find(header, "Diving") is not None:
        return "diving", None
    return sport_from_text(_text(header, "Activity")), None


def _is(el: ET.Element, name: str) -> bool:
    """Whether an element's local name is ``name`` (a cheap test before the full split)."""
    tag = el.tag
    return isinstance(tag, str) and tag.endswith(name) and local(tag) == name


def _laps(samples: list[ET.Element], times: pd.Series) -> pd.DataFrame | None:
    """Laps from ``Events/Lap`` samples: each marks the end of a lap."""
    rows = [i for i, s in enumerate(samples) for c in s
            if len(c) and _is(c, "Events") and any(_is(e, "Lap") for e in c)]
    marks = times.iloc[rows].dropna()
    if marks.empty:
        return None
    first = times.dropna()
    if first.empty:
        return None
    starts = pd.concat([first.iloc[:1], marks], ignore_index=True).drop_duplicates().sort_values()
    return pd.DataFrame({"start": starts.reset_index(drop=True), "trigger": "manual"})
