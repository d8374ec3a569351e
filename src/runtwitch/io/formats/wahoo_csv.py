"""Wahoo Fitness app CSV export (``.csv``; recognised by its content, never by the suffix alone).

The file is a stack of comma-separated sections separated by blank lines: a
device line, the local start (``Year,2016,Month,10,Day,7,Hour,...`` without
offset), comments, the sensors table (``sensor,present,...``), workout and
interval summaries, and last the samples, one per second, whose ``time``
column counts seconds from the start. Columns are prefixed by sensor:
``hr_`` heart rate [bpm], ``gps_`` position [degree], altitude [m], distance
[m] and speed [m/s], ``spd_``/``cad_``/``pwr_`` bike sensors (m/s, rpm, W),
``fp_`` a foot pod, ``ma_`` the TICKR X's motion analysis (``ma_cadence`` in
steps per minute), ``disp_`` the phone's barometer and thermometer.

Wahoo writes 0 where a sensor has no value: columns of sensors the sensors
table lists as absent, and columns that are 0 throughout, are not read.
Sport: running when a foot pod or motion analysis is present, cycling when a
bike sensor is, else generic.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import ParseError
from runtwitch.io.formats._common import (
    MAX_DECOMPRESSED_BYTES,
    Activity,
    Errors,
    Source,
    build_activity,
    load,
    snake,
)

#: Sample column -> canonical column (units are canonical already).
COLUMNS = {
    "hr_heartrate": "heart_rate_bpm",
    "gps_lat": "lat_deg",
    "gps_lon": "lon_deg",
    "gps_altitude": "altitude_m",
    "gps_dist": "distance_m",
    "gps_speed": "speed_mps",
    "pwr_instpwr": "power_w",
    "disp_temperature": "temperature_c",
}
#: Used when their canonical column has no data from the columns above (no GPS, no HR strap...).
FALLBACK_COLUMNS = {
    "spd_instspeed": "speed_mps",
    "spd_accdist": "distance_m",
    "fp_speed": "speed_mps",
    "fp_accdist": "distance_m",
    "disp_altitude": "altitude_m",
}
#: Column prefix -> sensor name in the sensors table.
SENSOR_OF = {"pwr_": "pwr", "spd_": "spd", "cad_": "cad", "hr_": "hr", "fp_": "footpod", "gps_": "gps"}
_START = re.compile(r"Year,(\d+),Month,(\d+),Day,(\d+),Hour,(\d+),Minute,(\d+),Second,(\d+)")
#: Largest ``time`` taken as a time [s]: ten years.
MAX_TIME_S = 10 * 365.25 * 86400


def wahoo_head(head: bytes) -> bool:
    """True if the first bytes look like a Wahoo Fitness CSV export."""
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"Device,") and b"Year," in head[:400]


def read_wahoo_csv(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a Wahoo Fitness CSV export into a canonical :class:`~runtwitch.Activity`.

    Parameters
    ----------
    source
        Path or binary file object (gzip content is decompressed up to ``max_bytes``).
    errors
        Accepted for a uniform importer interface; a file without a start time
        or sample table always raises.
    max_bytes
        Largest decompressed size accepted [bytes].

    Raises
    ------
    ParseError
        No ``Year,...`` start line or no sample table starting with ``time,``.
    """
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    text = loaded.data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    m = _START.search(text[:2000])
    if m is None:
        raise ParseError(name, "no 'Year,...,Second,...' start line: not a Wahoo Fitness CSV export", line=2)
    try:
        year, month, day, hour, minute, second = (int(g) for g in m.groups())
        start = pd.Timestamp(year=year, month=month, day=day, hour=hour, minute=minute, second=second)
    except (ValueError, OverflowError) as exc:
        raise ParseError(name, f"start {m.group(0)!r} is not a date and time", line=2) from exc
    header_at = _sample_header(text)
    if header_at is None:
        raise ParseError(
            name, "no sample table (a line starting with 'time,'): not a Wahoo Fitness CSV export"
        )
    line_no = text.count("\n", 0, header_at) + 1
    try:
        table = pd.read_csv(io.StringIO(text[header_at:]), skip_blank_lines=True, low_memory=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ParseError(name, f"sample table is not valid CSV: {exc}", line=line_no) from exc
    present = _sensors(text)
    columns = {str(c): _numbers(table[c]) for c in table.columns if c != "time"}
    columns = {c: v for c, v in columns.items() if _wanted(c, v, present)}
    samples: dict[str, np.ndarray] = {}
    for c, v in columns.items():
        if c in COLUMNS:
            samples[COLUMNS[c]] = v
    for c, col in FALLBACK_COLUMNS.items():
        if c in columns and col not in samples:
            samples[col] = columns[c]
    running = present.get("footpod", False) or "ma_cadence" in columns
    cycling = any(present.get(s, False) for s in ("spd", "cad", "pwr"))
    sport = "running" if running and not cycling else "cycling" if cycling else "generic"
    steps = False
    if "cad_cadence" in columns:
        samples["cadence"] = columns["cad_cadence"]
    elif "ma_cadence" in columns:
        samples["cadence"], steps = columns["ma_cadence"], True  # motion analysis counts steps
    used = set(COLUMNS) | set(FALLBACK_COLUMNS) | {"cad_cadence", "ma_cadence", "interval"}
    for c, v in columns.items():
        if c not in used and f"ext_{snake(c)}" not in samples:
            samples[f"ext_{snake(c)}"] = v
    offsets = _numbers(table["time"]) if "time" in table else np.full(len(table), np.nan)
    offsets = np.where(np.abs(offsets) <= MAX_TIME_S, offsets, np.nan)
    frame = pd.DataFrame(samples, index=pd.RangeIndex(len(table)))
    frame.insert(0, "time", start + pd.to_timedelta(offsets, unit="s"))
    laps = _laps(frame["time"], columns.get("interval"))
    device = text.split("\n", 1)[0].split(",")
    extra: dict[str, Any] = {
        "sensors": sorted(s for s, on in present.items() if on),
        "app_version": device[device.index("AppVersion") + 1] if "AppVersion" in device[:-1] else None,
    }
    return build_activity(
        frame,
        name=name,
        format="wahoo_csv",
        clock="local",
        sport=sport,
        laps=laps,
        cadence_in_steps=steps,
        manufacturer="wahoo",
        product="Wahoo Fitness app",
        extra=extra,
    )


def _numbers(column: pd.Series) -> np.ndarray:
    """A CSV column as floats (the C parser has already converted clean numeric columns)."""
    if column.dtype.kind in "fiub":
        return column.to_numpy(dtype=float)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _sample_header(text: str) -> int | None:
    m = re.search(r"(?m)^time,", text)
    return None if m is None else m.start()


def _sensors(text: str) -> dict[str, bool]:
    """The sensors table: sensor name -> present."""
    m = re.search(r"(?m)^sensor,present[^\n]*\n((?:[^\n]+\n)*)", text)
    out: dict[str, bool] = {}
    for line in m.group(1).splitlines() if m else []:
        cells = line.split(",")
        if len(cells) >= 2 and cells[1].strip() in ("yes", "no"):
            out[cells[0].strip()] = cells[1].strip() == "yes"
        else:
            break
    return out


def _wanted(column: str, values: np.ndarray, present: dict[str, bool]) -> bool:
    """Whether a sample column holds data: its sensor is present and it is not 0 throughout."""
    sensor = next((s for p, s in SENSOR_OF.items() if column.startswith(p)), None)
    if sensor is not None and present.get(sensor) is False:
        return False
    if column in ("interval", "paused"):
        return True
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool((finite != 0).any())


def _laps(times: pd.Series, interval: np.ndarray | None) -> pd.DataFrame | None:
    """A lap starts where the ``interval`` number changes."""
    if interval is None or not np.isfinite(interval).any():
        return None
    change = np.concatenate([[True], interval[1:] != interval[:-1]]) & np.isfinite(interval)
    starts = times[change].dropna()
    return pd.DataFrame({"start": starts.to_numpy()}) if len(starts) else None
