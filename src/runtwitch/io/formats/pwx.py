"""TrainingPeaks PWX (``.pwx``): WKO, Device Agent and Timex/Garmin exports.

``<pwx><workout>`` holds the sport (``sportType``), the device, a local start
``<time>`` without offset, ``<segment>`` laps (``beginning`` and ``duration``
in seconds from the start) and ``<sample>`` rows with ``timeoffset`` [s],
``hr`` [bpm], ``spd`` [m/s], ``pwr`` [W], ``torq`` [N m], ``cad`` [rpm],
``dist`` [m], ``lat``/``lon`` [degree], ``alt`` [m] and ``temp`` [degree C].
Several workouts in one file become sessions.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import ParseError
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
    column_values,
    load,
    local,
    parse_times,
    parse_xml,
    snake,
    sport_from_text,
    text,
)

#: PWX sample element -> canonical column (units are already canonical).
SAMPLE_COLUMNS = {
    "hr": "heart_rate_bpm",
    "spd": "speed_mps",
    "pwr": "power_w",
    "cad": "cadence",
    "dist": "distance_m",
    "lat": "lat_deg",
    "lon": "lon_deg",
    "alt": "altitude_m",
    "temp": "temperature_c",
    "torq": "ext_torque_nm",
}
#: Largest ``timeoffset`` taken as a time [s]: ten years.
MAX_OFFSET_S = 10 * 365.25 * 86400


def read_pwx(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a PWX file into a canonical :class:`~runtwitch.Activity`.

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
        Not well-formed XML, not ``<pwx>``, or a workout without a start ``<time>``.
    UnsafeXMLError
        Entity declarations or external references.
    """
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    report = ImportReport()
    root = parse_xml(loaded, report)
    if local(root.tag) != "pwx":
        raise ParseError(name, f"root element is <{local(root.tag)}>, expected <pwx>", line=1)
    workouts = list(children(root, "workout"))
    if not workouts:
        raise ParseError(name, "no <workout> in this PWX file")
    frames: list[pd.DataFrame] = []
    sessions: list[dict[str, Any]] = []
    laps: list[dict[str, Any] | None] = []
    for w in workouts:
        start = parse_times([text(child(w, "time"))], utc=False).iloc[0]
        if pd.isna(start):
            raise ParseError(name, f"a <workout> has no readable start <time> ({text(child(w, 'time'))!r})")
        samples = list(children(w, "sample"))
        values = column_values(samples)
        offsets = values.pop("timeoffset", np.full(len(samples), np.nan))
        offsets = np.where(np.abs(offsets) <= MAX_OFFSET_S, offsets, np.nan)
        frame = pd.DataFrame({SAMPLE_COLUMNS.get(k, f"ext_{snake(k)}"): v for k, v in values.items()})
        frame.insert(0, "time", start + pd.to_timedelta(offsets, unit="s"))
        frames.append(frame)
        sport = sport_from_text(text(child(w, "sportType")))
        sessions.append({"start": start, "sport": sport})
        laps.extend(_segment(seg, start) for seg in children(w, "segment"))
    raw = pd.concat(frames, ignore_index=True)
    sport = sessions[0]["sport"]
    device = child(workouts[0], "device")
    make, model = (
        (text(child(device, "make")), text(child(device, "model"))) if device is not None else (None, None)
    )
    lap_frame = (
        pd.DataFrame([lp for lp in laps if lp is not None]) if any(lp is not None for lp in laps) else None
    )
    extra: dict[str, Any] = {"workouts": len(workouts), "creator": root.get("creator")}
    return build_activity(
        raw,
        name=name,
        format="pwx",
        clock="local",
        sport=sport,
        sessions=pd.DataFrame(sessions) if len(sessions) > 1 else None,
        laps=lap_frame,
        cadence_in_steps=cadence_counts_steps(raw, sport),
        manufacturer=make.lower() if make else None,
        product=" ".join(x for x in (make, model) if x) or None,
        extra=extra,
        report=report,
    )


def _segment(seg: ET.Element, start: pd.Timestamp) -> dict[str, Any] | None:
    """A lap from a ``<segment>``'s ``summarydata`` (beginning and duration since the start)."""
    summary = child(seg, "summarydata")
    if summary is None:
        return None
    values = column_values([summary])
    begin = float(values.get("beginning", [np.nan])[0])
    duration = float(values.get("duration", [np.nan])[0])
    if not (np.isfinite(begin) and abs(begin) <= MAX_OFFSET_S):
        return None
    if not 0 <= duration <= MAX_OFFSET_S:
        duration = np.nan
    lap_name = (text(child(seg, "name")) or "").lower()
    return {
        "start": start + pd.Timedelta(seconds=begin),
        "elapsed_s": duration,
        "timer_s": duration,
        "distance_m": float(values.get("dist", [np.nan])[0]),
        "intensity": "rest" if lap_name == "rest" else None,
    }
