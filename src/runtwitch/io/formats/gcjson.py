"""GoldenCheetah's native ride JSON (``.json``, also gzipped as ``.json.gz``).

``{"RIDE": {...}}`` holds ``STARTTIME`` (``YYYY/MM/DD hh:mm:ss UTC``), the
recording interval, ``TAGS`` (sport, device...), ``INTERVALS`` (laps:
``START``/``STOP`` seconds) and ``SAMPLES``, one object per sample with
``SECS`` since the start and GoldenCheetah's series: ``KM`` [km], ``KPH``
[km/h], ``HR`` [bpm], ``CAD`` [rpm], ``WATTS`` [W], ``ALT`` [m], ``LAT``/``LON``
[degree], ``TEMP`` [degree C], ``NM`` [N m], ``SLOPE`` [%], ``LRBALANCE`` [%]
and others (kept as ``ext_<name>``). ``XDATA`` series are not read.
"""

from __future__ import annotations

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
    cadence_counts_steps,
    floats,
    json_object,
    load,
    load_json,
    snake,
    sport_from_text,
)

#: GoldenCheetah series -> (canonical column, factor).
SERIES = {
    "KM": ("distance_m", 1000.0),
    "KPH": ("speed_mps", 1.0 / 3.6),
    "HR": ("heart_rate_bpm", 1.0),
    "CAD": ("cadence", 1.0),
    "WATTS": ("power_w", 1.0),
    "ALT": ("altitude_m", 1.0),
    "LAT": ("lat_deg", 1.0),
    "LON": ("lon_deg", 1.0),
    "TEMP": ("temperature_c", 1.0),
    "NM": ("ext_torque_nm", 1.0),
    "SLOPE": ("ext_slope_pct", 1.0),
    "LRBALANCE": ("ext_left_right_balance_pct", 1.0),
    "HEADWIND": ("ext_headwind_kph", 1.0),
}
#: GoldenCheetah writes -255 (and sometimes -1) for a temperature it does not have [degree C].
NO_TEMPERATURE = -255.0
#: Largest ``SECS`` taken as a time [s]: ten years.
MAX_SECS = 10 * 365.25 * 86400


def gcjson_head(head: bytes) -> bool:
    """True if the first bytes look like a GoldenCheetah ride (``{"RIDE": ...``)."""
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return body.startswith(b"{") and b'"RIDE"' in body[:64]


def read_gcjson(
    source: Source, *, errors: Errors = "salvage", max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Activity:
    """Read a GoldenCheetah JSON ride into a canonical :class:`~runtwitch.Activity`.

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
        Not JSON, no ``RIDE`` object, or no readable ``STARTTIME``.
    """
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    doc = load_json(loaded.data, name)
    ride = doc.get("RIDE") if isinstance(doc, dict) else None
    if not isinstance(ride, dict):
        raise ParseError(name, 'expected a JSON object {"RIDE": {...}} (a GoldenCheetah ride)')
    start_text = ride.get("STARTTIME")
    start = (
        pd.to_datetime(
            start_text.replace("UTC", "").strip(), format="%Y/%m/%d %H:%M:%S", errors="coerce", utc=True
        )
        if isinstance(start_text, str)
        else pd.NaT
    )
    if pd.isna(start):
        raise ParseError(name, f"RIDE.STARTTIME {start_text!r} is not 'YYYY/MM/DD hh:mm:ss UTC'")
    samples = ride.get("SAMPLES")
    rows = [s for s in samples if isinstance(s, dict)] if isinstance(samples, list) else []
    table = pd.DataFrame.from_records(rows) if rows else pd.DataFrame({"SECS": []})
    secs = (
        floats(table.pop("SECS").to_numpy(dtype=object)) if "SECS" in table else np.full(len(table), np.nan)
    )
    secs = np.where(np.abs(secs) <= MAX_SECS, secs, np.nan)
    out: dict[str, np.ndarray] = {}
    for key in table.columns:
        col, factor = SERIES.get(str(key).upper(), (f"ext_{snake(str(key))}", 1.0))
        out[col] = floats(table[key].to_numpy(dtype=object)) * factor
    if "temperature_c" in out:
        out["temperature_c"] = np.where(out["temperature_c"] <= NO_TEMPERATURE, np.nan, out["temperature_c"])
    frame = pd.DataFrame(out)
    frame.insert(0, "time", start + pd.to_timedelta(secs, unit="s"))
    tags = json_object(ride.get("TAGS"))
    sport = sport_from_text(_clean(tags.get("Sport")))
    device = _clean(ride.get("DEVICETYPE")) or _clean(tags.get("Device"))
    extra: dict[str, Any] = {
        "recording_interval_s": ride.get("RECINTSECS"),
        "xdata": isinstance(ride.get("XDATA"), list),
        "samples_not_objects": (len(samples) - len(rows)) if isinstance(samples, list) else 0,
    }
    return build_activity(
        frame,
        name=name,
        format="gcjson",
        clock="utc",
        sport=sport,
        laps=_laps(ride.get("INTERVALS"), start),
        cadence_in_steps=cadence_counts_steps(frame, sport),
        product=device,
        extra=extra,
    )


def _clean(value: object) -> str | None:
    """GoldenCheetah pads tag values with a space."""
    return value.strip() or None if isinstance(value, str) else None


def _laps(intervals: object, start: pd.Timestamp) -> pd.DataFrame | None:
    rows = []
    for iv in intervals if isinstance(intervals, list) else []:
        if not isinstance(iv, dict):
            continue
        begin, stop = floats([_num(iv.get("START")), _num(iv.get("STOP"))])
        if np.isfinite(begin) and abs(begin) <= MAX_SECS:
            elapsed = stop - begin if np.isfinite(stop) and 0 <= stop - begin <= MAX_SECS else np.nan
            rows.append(
                {
                    "start": start + pd.Timedelta(seconds=float(begin)),
                    "elapsed_s": elapsed,
                    "begin": begin,
                    "stop": stop,
                }
            )
    if not rows:
        return None
    laps = pd.DataFrame(rows).sort_values("begin", kind="stable")
    # User-selected intervals may overlap; only a sequence of intervals that do not is a lap list.
    if (laps["begin"].to_numpy()[1:] < laps["stop"].to_numpy()[:-1] - 1.0).any():
        return None
    return laps.drop(columns=["begin", "stop"])


def _num(value: object) -> str | None:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
