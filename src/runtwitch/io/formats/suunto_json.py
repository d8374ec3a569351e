"""Suunto app / Spartan / Suunto 9 ``DeviceLog`` JSON (``.json``).

The log holds a ``Header`` (summary, ``DateTime`` with its UTC offset),
``Samples`` and ``Windows`` (summaries of laps, legs and the whole move).
Sensor readings, GPS fixes and heart-rate beats are *separate* sample entries,
each with its own ``TimeISO8601`` (with a UTC offset); entries carrying
``Events`` mark laps, pauses and sport changes. Every entry that is not an
event is a source record; the streams are merged in time order (their entries
interleave by a few milliseconds) and entries of the same instant become one
row (``duplicate_timestamp``). Units as in ``docs/formats.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import ParseError
from runtwitch.io.formats import _suunto
from runtwitch.io.formats._common import (
    MAX_DECOMPRESSED_BYTES,
    Activity,
    Errors,
    Source,
    build_activity,
    floats,
    json_object,
    load,
    load_json,
    parse_times,
    sport_from_text,
)


def suunto_json_head(head: bytes) -> bool:
    """True if the first bytes look like a Suunto ``DeviceLog`` JSON document."""
    return b'"DeviceLog"' in head and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def read_suunto_json(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a Suunto ``DeviceLog`` JSON file into a canonical :class:`~runtwitch.Activity`.

    Parameters
    ----------
    source
        Path or binary file object (gzip content is decompressed up to ``max_bytes``).
    errors
        Accepted for a uniform importer interface; malformed JSON always raises.
    max_bytes
        Largest decompressed size accepted [bytes].

    Raises
    ------
    ParseError
        Not JSON, or not a Suunto ``DeviceLog`` with a ``Samples`` list.
    """
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    doc = load_json(loaded.data, name)
    log = doc.get("DeviceLog") if isinstance(doc, dict) else None
    samples = log.get("Samples") if isinstance(log, dict) else None
    if not isinstance(log, dict) or not isinstance(samples, list):
        raise ParseError(name, "expected a JSON object with DeviceLog.Samples (a Suunto device log)")
    header = json_object(log.get("Header"))
    entries = [s for s in samples if isinstance(s, dict)]
    events = [s for s in entries if "Events" in s]
    records = [s for s in entries if "Events" not in s]
    skipped = len(samples) - len(entries)

    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame({"TimeISO8601": []})
    times = parse_times(_strings(frame.get("TimeISO8601")), utc=True)
    order = np.argsort(times.to_numpy(dtype="datetime64[ns]"), kind="stable")  # NaT sorts first
    numeric = {
        c: floats(frame[c].to_numpy(dtype=object))
        for c in frame.columns
        if c not in _suunto.NOT_MEASUREMENTS and c != "UTC"
    }
    columns = _suunto.canonical(numeric)
    out = pd.DataFrame({c: v[order] for c, v in columns.items()})
    out.insert(0, "time", times.to_numpy()[order])

    zoned, offset = _suunto.text_offset_s(_string(header.get("DateTime")))
    sport, sub_sport = _suunto.sport_of(header.get("ActivityType")) or (
        sport_from_text(_string(header.get("Activity"))),
        None,
    )
    event_times = parse_times(
        _strings(pd.Series([e.get("TimeISO8601") for e in events], dtype=object)), utc=True
    )
    sessions = _sessions(events, event_times, sport, sub_sport)
    laps = _laps(log.get("Windows"))
    device = json_object(log.get("Device"))
    rr = log.get("R-R")
    rr_data = rr.get("Data") if isinstance(rr, dict) else None
    extra: dict[str, Any] = {
        "samples": len(samples),
        "events": len(events),
        "non_object_samples": skipped,
        "rr_intervals": len(rr_data) if isinstance(rr_data, list) else 0,
        "header_datetime": _string(header.get("DateTime")),
    }
    return build_activity(
        out,
        name=name,
        format="suunto_json",
        clock="utc",
        sport=sport,
        sub_sport=sub_sport,
        file_offset_s=offset if zoned else None,
        file_offset_source="suunto_json_header_datetime",
        sessions=sessions,
        laps=laps,
        manufacturer="suunto",
        product=_string(device.get("Name")),
        extra=extra,
    )


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(values: object) -> list[str | None]:
    if values is None:
        return []
    return [v if isinstance(v, str) else None for v in pd.Series(values, dtype=object)]


def _sessions(
    events: list[dict[str, Any]], times: pd.Series, sport: str, sub_sport: str | None
) -> pd.DataFrame | None:
    """One session per ``Activity`` event (a multisport leg), in event order."""
    legs = []
    for event, when in zip(events, times, strict=True):
        items = event.get("Events")
        for item in items if isinstance(items, list) else []:
            activity = item.get("Activity") if isinstance(item, dict) else None
            if isinstance(activity, dict) and not pd.isna(when):
                legs.append((when, _suunto.sport_of(activity.get("ActivityType"))))
    if len(legs) < 2:
        return None
    return pd.DataFrame(
        {
            "start": pd.to_datetime([w for w, _ in legs], utc=True),
            "sport": [known[0] if known else sport for _, known in legs],
            "sub_sport": [known[1] if known else sub_sport for _, known in legs],
        }
    )


def _laps(windows: object) -> pd.DataFrame | None:
    """Laps from the ``Lap``/``Autolap`` windows (each ends at its ``TimeISO8601`` and lasts ``Duration``)."""
    rows = []
    for w in windows if isinstance(windows, list) else []:
        win = w.get("Window") if isinstance(w, dict) else None
        if not isinstance(win, dict) or win.get("Type") not in ("Lap", "Autolap"):
            continue
        end = parse_times([_string(win.get("TimeISO8601"))], utc=True).iloc[0]
        duration = floats([_number_text(win.get("Duration"))])[0]
        if pd.isna(end) or not np.isfinite(duration) or not 0 <= duration <= 1e7:
            continue
        rows.append(
            {
                "start": end - pd.Timedelta(seconds=float(duration)),
                "end": end,
                "elapsed_s": duration,
                "distance_m": floats([_number_text(win.get("Distance"))])[0],
                "avg_heart_rate_bpm": _stat(win.get("HR"), "Avg") * 60.0,
                "max_heart_rate_bpm": _stat(win.get("HR"), "Max") * 60.0,
                "avg_speed_mps": _stat(win.get("Speed"), "Avg"),
                "trigger": "distance" if win.get("Type") == "Autolap" else "manual",
            }
        )
    return pd.DataFrame(rows) if rows else None


def _number_text(value: object) -> str | None:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _stat(value: object, key: str) -> float:
    """``Window.HR[0].Avg`` and the like: a list holding one summary object."""
    first = value[0] if isinstance(value, list) and value else value
    return float(floats([_number_text(first.get(key))])[0]) if isinstance(first, dict) else float("nan")
