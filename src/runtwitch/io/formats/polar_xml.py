"""Polar Personal Trainer exercise export (``.xml``, ``<polar-exercise-data>``).

Each ``<exercise>`` has a local start ``<time>`` (``YYYY-MM-DD hh:mm:ss.f``,
no offset), a ``<sport>``, a ``<recording-rate>`` [s], laps (``<lap>`` with a
``<duration>`` and ``<distance>``) and ``<samples>``: one comma-separated
array per type, one value per recording interval. Types read: ``HEARTRATE``
[bpm], ``SPEED`` [km/h], ``DISTANCE`` [m], ``ALTITUDE`` [m], ``CADENCE`` and
``RUN_CADENCE`` [1/min], ``POWER`` [W], ``TEMPERATURE`` [degree C]; others are
kept as ``ext_<type>``. Several exercises in one file become sessions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import NotAnActivityError, ParseError
from runtwitch.io.formats._common import (
    MAX_DECOMPRESSED_BYTES,
    Activity,
    Errors,
    ImportReport,
    Source,
    build_activity,
    cadence_counts_steps,
    child,
    children,
    floats,
    load,
    local,
    parse_times,
    parse_xml,
    snake,
    sport_from_text,
    text,
)

#: Sample type -> (canonical column, factor).
SAMPLE_TYPES = {
    "HEARTRATE": ("heart_rate_bpm", 1.0),
    "SPEED": ("speed_mps", 1.0 / 3.6),
    "DISTANCE": ("distance_m", 1.0),
    "ALTITUDE": ("altitude_m", 1.0),
    "CADENCE": ("cadence", 1.0),
    "RUN_CADENCE": ("cadence", 1.0),
    "POWER": ("power_w", 1.0),
    "TEMPERATURE": ("temperature_c", 1.0),
}
#: Largest number of samples accepted per array (at 1 s, 23 days).
MAX_SAMPLES = 2_000_000
_DURATION = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d*)?)$")


def read_polar_xml(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a Polar Personal Trainer XML export into a canonical :class:`~runtwitch.Activity`.

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
        Not well-formed XML, or not ``<polar-exercise-data>``.
    NotAnActivityError
        No exercise with a start time and samples.
    """
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    report = ImportReport()
    root = parse_xml(loaded, report)
    if local(root.tag) != "polar-exercise-data":
        raise ParseError(name, f"root element is <{local(root.tag)}>, expected <polar-exercise-data>", line=1)
    exercises = [e for e in root.iter() if isinstance(e.tag, str) and local(e.tag) == "exercise"]
    frames, sessions, laps = [], [], []
    for ex in exercises:
        start = parse_times([text(child(ex, "time"))], utc=False).iloc[0]
        result = child(ex, "result")
        if pd.isna(start) or result is None:
            continue
        rate = floats([text(child(result, "recording-rate"))])[0]
        if not (np.isfinite(rate) and 0 < rate <= 3600):
            raise ParseError(
                name, f"recording-rate {text(child(result, 'recording-rate'))!r} is not a number of seconds"
            )
        frame = _samples(result, name)
        frame.insert(0, "time", start + pd.to_timedelta(np.arange(len(frame)) * rate, unit="s"))
        frames.append(frame)
        sessions.append({"start": start, "sport": sport_from_text(text(child(ex, "sport")))})
        laps.extend(_laps(result, start))
    if not frames:
        raise NotAnActivityError(
            name, "polar-xml", "no <exercise> with a start <time> and <result>; nothing to import"
        )
    raw = pd.concat(frames, ignore_index=True)
    sport = sessions[0]["sport"]
    extra: dict[str, Any] = {"exercises": len(exercises)}
    return build_activity(
        raw,
        name=name,
        format="polar_xml",
        clock="local",
        sport=sport,
        sessions=pd.DataFrame(sessions) if len(sessions) > 1 else None,
        laps=pd.DataFrame(laps) if laps else None,
        cadence_in_steps=cadence_counts_steps(raw, sport),
        manufacturer="polar",
        extra=extra,
        report=report,
    )


def polar_xml_head(head: bytes) -> bool:
    """True if the first bytes look like a Polar Personal Trainer export."""
    return b"<polar-exercise-data" in head


def _samples(result: ET.Element, name: str) -> pd.DataFrame:
    columns: dict[str, np.ndarray] = {}
    for sample in (s for ss in children(result, "samples") for s in children(ss, "sample")):
        kind = (text(child(sample, "type")) or "").upper()
        raw = text(child(sample, "values")) or ""
        values = floats(raw.split(",")) if raw else np.zeros(0)
        if len(values) > MAX_SAMPLES:
            raise ParseError(name, f"{kind} holds {len(values)} samples, more than {MAX_SAMPLES}")
        col, factor = SAMPLE_TYPES.get(kind, (f"ext_{snake(kind.lower())}", 1.0))
        if col not in columns:
            columns[col] = values * factor
    n = max((len(v) for v in columns.values()), default=0)
    padded = {}
    for col, v in columns.items():
        full = np.full(n, np.nan)
        full[: len(v)] = v
        padded[col] = full
    return pd.DataFrame(padded, index=pd.RangeIndex(n))


def _duration_s(value: str | None) -> float:
    m = _DURATION.match(value.strip()) if value else None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else float("nan")


def _laps(result: ET.Element, start: pd.Timestamp) -> list[dict[str, Any]]:
    rows = []
    begin = 0.0
    for lap in (lp for ls in children(result, "laps") for lp in children(ls, "lap")):
        duration = _duration_s(text(child(lap, "duration")))
        if not np.isfinite(duration) or duration > 30 * 86400:
            break  # cumulative starts need every duration
        rows.append(
            {
                "start": start + pd.Timedelta(seconds=begin),
                "elapsed_s": duration,
                "timer_s": duration,
                "distance_m": floats([text(child(lap, "distance"))])[0],
            }
        )
        begin += duration
    return rows
