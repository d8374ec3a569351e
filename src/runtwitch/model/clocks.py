"""Sessions and their three clocks (elapsed, timer, moving), from the kept records.

Documented in ``docs/schema.md`` ("The three clocks"); used by
:func:`runtwitch.model.assembly.build`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runtwitch.model.activity import ImportReport
from runtwitch.model.cleaning import CLOCK_JUMP_S, RECORDING_GAP_S
from runtwitch.model.coerce import _coerce_lists, _column_values, _utc_times
from runtwitch.model.frames import NAT_NS, Columns
from runtwitch.model.schema import MOVING_SPEED_MPS, PAUSE_GAP_S, SESSION_COLUMNS

#: A device elapsed time shorter than the recorded span by more than this is
#: not trusted; elapsed is then taken from the records [s].
ELAPSED_TOLERANCE_S = 60.0


#: A session's timer time may exceed its elapsed time by this much (rounding of
#: device totals) before the timer counts as wrong and is taken from the records [s].
CLOCK_TOLERANCE_S = 1.0


_EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance between consecutive points [m] (first element NaN)."""
    la, lo = np.radians(lat), np.radians(lon)
    dla, dlo = np.diff(la), np.diff(lo)
    a = np.sin(dla / 2) ** 2 + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(dlo / 2) ** 2
    d = 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.concatenate([[np.nan], d])


#: The earliest time of datetime64[ns] [ns]: where a session without a start is placed.
_FIRST_NS = pd.Timestamp.min.tz_localize("UTC").value


def _assign_ns(t_ns: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Index of the last start at or before each time (0 before the first start).

    ``t_ns`` and the starts ``s`` in nanoseconds since the epoch (NaT as the int64 minimum).
    """
    if len(s) <= 1:  # one start (or none): everything is in the first
        return np.zeros(len(t_ns), dtype=np.intp)
    pos = np.searchsorted(s, t_ns, side="right") - 1
    return np.minimum(np.maximum(pos, 0), len(s) - 1)  # np.clip's result, without its dispatch


def _ffill(v: np.ndarray) -> np.ndarray:
    """Forward-fill NaN with the last value before it (leading NaN stay)."""
    ok = ~np.isnan(v)
    if ok.all():
        return v
    last = np.maximum.accumulate(np.where(ok, np.arange(len(v)), 0))
    out = v[last]
    out[~ok & (np.cumsum(ok) == 0)] = np.nan
    return out


def _has_positions(rec: dict[str, np.ndarray]) -> bool:
    """At least two samples with both latitude and longitude (a file may carry only one of them)."""
    if "lat_deg" not in rec or "lon_deg" not in rec:
        return False
    return int((~np.isnan(rec["lat_deg"]) & ~np.isnan(rec["lon_deg"])).sum()) > 1


def _clock_stats(t_ns: np.ndarray, rec: dict[str, np.ndarray]) -> tuple[float, float, float, str]:
    """Return (span, timer from records, moving, moving source) of one session's samples."""
    if len(t_ns) == 0:
        return np.nan, np.nan, np.nan, "none"
    t = t_ns / 1e9
    span = float(t[-1] - t[0])
    dt = np.empty(len(t))  # np.diff(t, prepend=t[0]) without its concatenation: 0 first
    dt[0] = 0.0
    np.subtract(t[1:], t[:-1], out=dt[1:])
    live = dt <= PAUSE_GAP_S
    timer = float(dt[live].sum())
    speed: np.ndarray | None = None
    source = "none"
    if "speed_mps" in rec and not np.isnan(rec["speed_mps"]).all():
        speed, source = rec["speed_mps"], "speed"
    elif "distance_m" in rec and int((~np.isnan(rec["distance_m"])).sum()) > 1:
        d = _ffill(rec["distance_m"])
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = np.diff(d, prepend=np.nan) / dt
        source = "distance"
    elif _has_positions(rec):
        lat, lon = _ffill(rec["lat_deg"]), _ffill(rec["lon_deg"])
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = haversine_m(lat, lon) / dt
        source = "position"
    if speed is None:
        return span, timer, np.nan, source
    # a missing speed counts as 0 (what nan_to_num gives; its infinities compare as the infinities do)
    moving = live & (np.where(np.isnan(speed), 0.0, speed) >= MOVING_SPEED_MPS)
    return span, timer, float(dt[moving].sum()), source


def _distance_from_records(rec: dict[str, np.ndarray]) -> float:
    if "distance_m" in rec and not np.isnan(rec["distance_m"]).all():
        d = rec["distance_m"]
        return float(np.nanmax(d) - np.nanmin(d))
    if _has_positions(rec):
        both = ~np.isnan(rec["lat_deg"]) & ~np.isnan(rec["lon_deg"])
        return float(np.nansum(haversine_m(rec["lat_deg"][both], rec["lon_deg"][both])))
    return np.nan


def _start_ns(rows: list[dict[str, Any]]) -> np.ndarray:
    """The sessions' starts (Timestamps or NaT) as nanoseconds since the epoch (NaT as the int64 minimum)."""
    return np.array([NAT_NS if r["start"] is pd.NaT else r["start"].value for r in rows], dtype=np.int64)


def _declared_rows(given: dict[Any, Any], n: int) -> list[dict[str, Any]]:
    """Declared sessions as one dict of Python values a row, in start order (stable).

    ``given``: the sessions' columns by name (``n`` values each). The values
    are those of the columns coerced to the schema's dtypes
    (:func:`~runtwitch.model.coerce._column_values`: a missing string None, a
    missing time NaT); sessions without a start are left out when there are
    several. No array is built for a column that holds its values already.
    """
    values = {c.name: _column_values(given, n, c) for c in SESSION_COLUMNS}
    rows = [dict(zip(values, row, strict=True)) for row in zip(*values.values(), strict=True)]
    if n == 1:  # one session: kept with or without a start, in order
        return rows
    start = _start_ns(rows)
    order = np.arange(n)
    if n > 1:
        order = order[start != NAT_NS]
    order = order[np.argsort(start[order], kind="stable")]
    if len(order) == n and bool((order == np.arange(n)).all()):
        return rows
    return [rows[i] for i in order]


def _finish_sessions(
    given: list[dict[str, Any]], t_ns: np.ndarray, session: np.ndarray, records: dict[str, np.ndarray],
    default_sport: str, report: ImportReport, name: str = "",
) -> Columns:
    """Fill the session table: bounds, the three clocks and their sources, sport and recording.

    Returns the table's columns (its frame is built when read).

    Coherence, per session (docs/schema.md, "The three clocks"):

    - ``start``/``end`` enclose the session's kept records: a device start after
      the first record, or a device end before the last one, is widened to it
      (``report.repaired["session_bounds_widened"]``), and ``elapsed_s`` is
      ``end - start``;
    - ``timer_s`` never exceeds ``elapsed_s`` by more than
      :data:`CLOCK_TOLERANCE_S`: a larger device timer is wrong (a lap counted
      twice, a lap start far before the first point); it is replaced by the
      timer of the records, counted (``timer_above_elapsed``) and warned about;
    - ``moving_s`` comes from intervals between the session's records, so it
      never exceeds ``elapsed_s``;
    - ``sport`` is always a name (``default_sport``, normally ``generic``, when
      the file has none); ``sub_sport`` is kept as the file names it.
    """
    # plain dicts, one per session (a few rows): a DataFrame per step cost milliseconds per file
    given = given or [{"sport": default_sport}]
    rows: list[dict[str, Any]] = []
    widened = 0
    for i, row in enumerate(given):
        if len(given) == 1:
            t, rec = t_ns, records
        else:
            mine = session == i
            t, rec = t_ns[mine], {c: v[mine] for c, v in records.items()}
        span, rec_timer, moving, moving_src = _clock_stats(t, rec)
        r: dict[Any, Any] = {c.name: pd.NA for c in SESSION_COLUMNS} | row
        if pd.isna(r["sport"]) or not str(r["sport"]).strip():
            r["sport"] = default_sport or "generic"
        first: Any = pd.Timestamp(t[0], tz="UTC") if len(t) else pd.NaT
        last: Any = pd.Timestamp(t[-1], tz="UTC") if len(t) else pd.NaT
        start = r["start"]
        if pd.isna(start) or (
            len(t) and abs((pd.Timestamp(start) - first).total_seconds()) > CLOCK_JUMP_S
        ):
            start = first
        elapsed = r["elapsed_s"]
        if not pd.isna(elapsed) and (
            np.isnan(span) or span - ELAPSED_TOLERANCE_S <= float(elapsed) <= span + max(3600.0, span)
        ):
            r["elapsed_source"] = "session"
        elif not np.isnan(span):
            elapsed = (last - pd.Timestamp(start)).total_seconds() if not pd.isna(start) else span
            r["elapsed_source"] = "records"
        else:
            r["elapsed_source"] = "none"
        end: Any = (
            pd.Timestamp(start) + pd.to_timedelta(float(elapsed), unit="s")
            if not pd.isna(start) and not pd.isna(elapsed)
            else last
        )
        if len(t) and not pd.isna(start) and not pd.isna(end):
            lo, hi = min(pd.Timestamp(start), first), max(pd.Timestamp(end), last)
            if lo < start or hi > end:  # the bounds enclose the kept records
                widened += 1
                grown = (hi - lo).total_seconds() - float(elapsed)
                start, end, elapsed = lo, hi, (hi - lo).total_seconds()
                if grown > CLOCK_TOLERANCE_S:
                    r["elapsed_source"] = "records"
        r["start"], r["end"], r["elapsed_s"] = start, end, elapsed
        if pd.isna(r["timer_s"]):
            r["timer_s"], r["timer_source"] = rec_timer, ("records" if len(t) else "none")
        elif pd.isna(r["timer_source"]):
            r["timer_source"] = "session"
        if not pd.isna(elapsed) and float(r["timer_s"]) > float(elapsed) + CLOCK_TOLERANCE_S:
            report.repair("timer_above_elapsed", 1)
            replacement = min(rec_timer, float(elapsed)) if len(t) else np.nan
            report.warn(
                f"{name or 'activity'}: session {i}: the file's timer time ({float(r['timer_s']):.0f} s) "
                f"exceeds the session's elapsed time ({float(elapsed):.0f} s); timer_s is taken from the "
                f"records ({replacement:.0f} s) instead"
            )
            r["timer_s"], r["timer_source"] = replacement, ("records" if len(t) else "none")
        r["moving_s"], r["moving_source"] = moving, moving_src
        if pd.isna(r["distance_m"]):
            r["distance_m"] = _distance_from_records(rec)
        r["session"] = i
        rows.append(r)
    report.repair("session_bounds_widened", widened)
    columns: dict[str, Any] = {c.name: [r[c.name] for r in rows] for c in SESSION_COLUMNS
                               if c.name != "recording"}
    columns["start"], columns["end"] = _utc_times(columns["start"]), _utc_times(columns["end"])
    columns["recording"] = _recordings(columns["start"].asi8, columns["end"].asi8)
    arrays = _coerce_lists(columns, SESSION_COLUMNS)
    return Columns({c.name: arrays[c.name] for c in SESSION_COLUMNS}, pd.RangeIndex(len(rows)))


def recording_numbers(start: pd.Series, end: pd.Series, gap_s: float = RECORDING_GAP_S) -> np.ndarray:
    """Recording of each session (in start order): a new one after a gap longer than ``gap_s``.

    Legs of a multisport file, minutes apart, share a recording; sessions of a
    file that holds several recordings (a logger's tracks, days apart) do not.
    """
    s = pd.to_datetime(start, utc=True).to_numpy("datetime64[ns]").astype("int64")
    e = pd.to_datetime(end, utc=True).to_numpy("datetime64[ns]").astype("int64")
    return _recordings(s, e, gap_s)


def _recordings(s: np.ndarray, e: np.ndarray, gap_s: float = RECORDING_GAP_S) -> np.ndarray:
    """:func:`recording_numbers` of session starts and ends [ns since the epoch, NaT as int64 min]."""
    if len(s) <= 1:  # none, or one session: recording 0
        return np.zeros(len(s), dtype=np.int64)
    e = np.where(e == NAT_NS, s, e)
    latest = np.maximum.accumulate(np.concatenate([[e[0]], e[:-1]]))
    new = np.concatenate([[False], (s[1:] != NAT_NS) & (s[1:] - latest[1:] > gap_s * 1e9)])
    return np.cumsum(new).astype(np.int64)
