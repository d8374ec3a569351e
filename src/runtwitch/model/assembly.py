"""Shared assembly of canonical frames from what a format reader decoded.

Every importer hands :func:`build` the samples it found, in file order, and the
sessions/laps the file declares. The cleaning rules live here once, so that FIT,
GPX, TCX and plugin importers treat time and values the same way. The rules are
documented in ``docs/schema.md`` ("Cleaning rules").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.frames import NAT_NS, float_array, frame_columns, frame_from_arrays
from runtwitch.model.schema import (
    LAP_COLUMNS,
    MOVING_SPEED_MPS,
    PAUSE_GAP_S,
    RECORD_COLUMNS,
    RECORDS_INDEX,
    RUNNING_SPORTS,
    SESSION_COLUMNS,
    VALID_RANGES,
    Column,
)

#: A gap between consecutive samples longer than this splits the recording
#: into segments when looking for clock jumps [s].
CLOCK_JUMP_S = 6 * 3600.0
#: A segment cut off by clock jumps and holding at most this fraction of the
#: samples is a clock error (dropped as ``clock_jump``), not a long pause.
CLOCK_JUMP_MAX_FRACTION = 0.05
#: A device elapsed time shorter than the recorded span by more than this is
#: not trusted; elapsed is then taken from the records [s].
ELAPSED_TOLERANCE_S = 60.0
#: A session's timer time may exceed its elapsed time by this much (rounding of
#: device totals) before the timer counts as wrong and is taken from the records [s].
CLOCK_TOLERANCE_S = 1.0
#: File segments (GPX tracks and track segments, TCX activities) that start more
#: than this after everything before them are separate recordings: separate
#: sessions, each its own run for the analysis, and the clock-jump rule applies
#: within each one only [s].
RECORDING_GAP_S = 2 * 3600.0

_CANONICAL = [c.name for c in RECORD_COLUMNS]
_EARTH_RADIUS_M = 6_371_008.8


@dataclass
class Built:
    """Canonical frames produced by :func:`build`."""

    records: pd.DataFrame
    sessions: pd.DataFrame
    laps: pd.DataFrame


def _to_utc(values: Any) -> pd.DatetimeIndex:
    """UTC nanosecond times; unparsable times and times outside 1677-2262 become NaT."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC":
        try:  # already UTC times: only the unit may need changing
            return pd.DatetimeIndex(values).as_unit("ns")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            pass  # outside 1677-2262: the general path below makes them NaT
    idx = pd.DatetimeIndex(pd.to_datetime(values, utc=True, errors="coerce"))
    if idx.unit != "ns":
        try:  # all within 1677-2262 (nearly always): only the unit changes
            return idx.as_unit("ns")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
        lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
        idx = pd.DatetimeIndex(idx.where((idx >= lo) & (idx <= hi)))
    return idx.as_unit("ns")


def recordings_of(t: np.ndarray, segment: np.ndarray, gap_s: float = RECORDING_GAP_S) -> np.ndarray:
    """Recording number of each timed sample, from the file segment it came from.

    A segment starts a new recording when its first time is more than
    ``gap_s`` after the latest time before it; otherwise it continues the
    recording before it (a pause, or a writer that repeats a track).

    Parameters
    ----------
    t
        Sample times in file order [ns since the epoch], all valid.
    segment
        File segment of each sample (non-decreasing integers, file order).
    gap_s
        Smallest gap that separates two recordings [s].
    """
    n = len(t)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    first_of_segment = np.concatenate([[False], segment[1:] != segment[:-1]])
    latest_before = np.maximum.accumulate(np.concatenate([[t[0]], t[:-1]]))
    starts = first_of_segment & (t - latest_before > gap_s * 1e9)
    return np.cumsum(starts).astype(np.int64)


def _clock_jumps(t: np.ndarray, recording: np.ndarray) -> np.ndarray:
    """True for samples in a clock-jump piece of their recording (rule 2 of :func:`clean_times`)."""
    n = len(t)
    breaks = (np.abs(np.diff(t)) > CLOCK_JUMP_S * 1e9) | (np.diff(recording) != 0)
    if not breaks.any():
        return np.zeros(n, dtype=bool)
    piece = np.concatenate([[0], np.cumsum(breaks)])
    sizes = np.bincount(piece)
    piece_recording = recording[np.concatenate([[0], np.flatnonzero(breaks) + 1])]
    per_recording = np.bincount(recording)  # samples of each recording
    biggest = np.zeros(len(per_recording), dtype=sizes.dtype)
    np.maximum.at(biggest, piece_recording, sizes)
    bogus = ((sizes <= CLOCK_JUMP_MAX_FRACTION * per_recording[piece_recording])
             & (sizes < biggest[piece_recording]))
    return np.asarray(bogus[piece], dtype=bool)


@dataclass
class _Kept:
    """Which source rows the time rules keep, in output order (see :func:`clean_times`)."""

    rows: np.ndarray  # positions in the source frame of the kept rows, in file order
    t: np.ndarray  # their times [ns since the epoch]
    recording: np.ndarray  # their recording numbers (before renumbering)


def _keep_rows(raw: dict[Any, Any], n_rows: int, report: ImportReport, recording_gap_s: float) -> _Kept:
    """Rules 1-3 of :func:`clean_times` on arrays: the rows kept, their times and recordings.

    ``raw``: the source frame's columns (:func:`~runtwitch.model.frames.frame_columns`).
    """
    times = _to_utc(raw["time"])
    report.source_records = n_rows
    t_all = times.asi8
    valid = t_all != NAT_NS
    rows = np.flatnonzero(valid)
    if len(rows):
        report.source_first_time = pd.Timestamp(times[rows[0]])
        report.source_last_time = pd.Timestamp(times[rows[-1]])
    report.drop("no_timestamp", n_rows - len(rows))
    t = t_all[valid]
    n = len(t)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Kept(empty, empty, empty)
    segment_col = raw.get("segment")
    segment = (np.zeros(n, dtype=np.int64) if segment_col is None
               else pd.Series(segment_col, copy=False).to_numpy(dtype=np.int64)[valid])
    recording = recordings_of(t, segment, recording_gap_s)
    keep = ~_clock_jumps(t, recording)
    report.drop("clock_jump", int((~keep).sum()))

    tk = np.where(keep, t, NAT_NS)  # the smallest int64: below any kept time
    prev_max = np.maximum.accumulate(np.concatenate([[NAT_NS], tk[:-1]]))
    backwards = keep & (t < prev_max)
    # A repeat of a time already kept (a writer that emits the track twice) is a
    # duplicate, merged below, not a step back.
    if backwards.any():
        backwards &= ~np.isin(t, t[keep & ~backwards])
    report.drop("time_backwards", int(backwards.sum()))
    keep &= ~backwards
    return _Kept(rows[keep], t[keep], recording[keep])


def clean_times(raw: pd.DataFrame, report: ImportReport, *,
                recording_gap_s: float = RECORDING_GAP_S) -> pd.DataFrame:
    """Apply the time rules to samples in file order and return them indexed by time.

    Rules, in order (each dropped row counted in ``report.dropped``):

    1. a sample without a timestamp is dropped (``no_timestamp``);
    2. when ``raw`` has a ``segment`` column (the file's own tracks/segments),
       segments are grouped into recordings (:func:`recordings_of`); within
       each recording, samples are split into pieces at gaps longer than
       :data:`CLOCK_JUMP_S`; a piece holding at most
       :data:`CLOCK_JUMP_MAX_FRACTION` of its recording's samples is a clock
       error and dropped (``clock_jump``); larger pieces are kept (a long pause);
    3. a sample earlier than one already kept is dropped (``time_backwards``),
       unless its time equals one already kept; samples are never re-sorted, so
       a clock step cannot stretch a duration;
    4. samples sharing a timestamp are merged into one row, the first non-missing
       value of each column in file order winning (``duplicate_timestamp``).

    The result has a ``recording`` column (0 when the file has no segments).
    """
    kept = _keep_rows(frame_columns(raw), len(raw), report, recording_gap_s)
    values = raw.drop(columns=[c for c in ("time", "segment") if c in raw])
    return _merge_duplicates(values.take(kept.rows), kept, report)


def _merge_duplicates(df: pd.DataFrame, kept: _Kept, report: ImportReport) -> pd.DataFrame:
    """Rule 4 of :func:`clean_times` on the kept rows; adds the renumbered ``recording``."""
    df = df.assign(recording=kept.recording)
    idx = pd.DatetimeIndex(kept.t, tz="UTC", name=RECORDS_INDEX.name).as_unit("ns")
    df.index = idx
    if not idx.is_unique:
        before = len(df)
        df = df.groupby(level=0, sort=True).first()
        report.drop("duplicate_timestamp", before - len(df))
        df.index.name = RECORDS_INDEX.name
    # Recordings are numbered in time order from 0, whatever was dropped.
    df["recording"] = np.unique(df["recording"].to_numpy(np.int64), return_inverse=True)[1].astype(np.int64)
    return df


def _float_column(s: pd.Series | np.ndarray) -> np.ndarray:
    """A value column as float64 (anything that is not a number becomes NaN)."""
    if isinstance(s, np.ndarray) and s.dtype == np.float64:
        return s
    series = s if isinstance(s, pd.Series) else pd.Series(s)
    if series.dtype == np.float64:
        return series.to_numpy()
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def _clean_columns(raw: pd.DataFrame, report: ImportReport,
                   recording_gap_s: float) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The time rules of :func:`clean_times`, as arrays: kept times [ns], recordings, float64 columns.

    Without duplicate timestamps (the common case) each column is taken once
    from ``raw`` and no intermediate frame is built.
    """
    by_name = frame_columns(raw)  # every column at once: a lookup by name costs more than the copy
    kept = _keep_rows(by_name, len(raw), report, recording_gap_s)
    names = [c for c in by_name if c not in ("time", "segment")]
    t = kept.t
    if len(t) < 2 or bool((np.diff(t) > 0).all()):  # increasing: no duplicates
        recording = (np.unique(kept.recording, return_inverse=True)[1].astype(np.int64)
                     if len(t) else kept.recording)
        columns = {}
        for c in names:
            s = by_name[c]
            if s.dtype == np.float64:
                columns[str(c)] = np.asarray(s)[kept.rows]
            else:
                columns[str(c)] = _float_column(pd.Series(s.take(kept.rows)))
        return t, recording, columns
    df = _merge_duplicates(raw[names].take(kept.rows), kept, report)
    recording = df.pop("recording").to_numpy(np.int64)
    return (pd.DatetimeIndex(df.index).asi8, recording,
            {str(c): _float_column(df[c]) for c in df.columns})


def _repair_values(values: dict[str, np.ndarray], report: ImportReport) -> None:
    """Blank impossible values in place of the float64 columns (counted per reason)."""
    if "heart_rate_bpm" in values:
        v = values["heart_rate_bpm"]
        zero = v == 0
        report.repair("heart_rate_zero", int(zero.sum()))
        if zero.any():
            values["heart_rate_bpm"] = np.where(zero, np.nan, v)
    with np.errstate(invalid="ignore"):
        for col, (lo, hi) in VALID_RANGES.items():
            if col not in values:
                continue
            v = values[col]
            bad = (v < lo) | (v > hi) | np.isinf(v)
            if bad.any():
                report.repair(f"{col}_out_of_range", int(bad.sum()))
                values[col] = np.where(bad, np.nan, v)
    if "lat_deg" in values and "lon_deg" in values:
        # One of the pair missing, or the (0, 0) "null island" placeholder.
        lat, lon = values["lat_deg"], values["lon_deg"]
        bad = (np.isnan(lat) ^ np.isnan(lon)) | ((lat == 0) & (lon == 0))
        if bad.any():
            report.repair("position_incomplete_or_zero", int(bad.sum()))
            values["lat_deg"], values["lon_deg"] = np.where(bad, np.nan, lat), np.where(bad, np.nan, lon)


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
    pos = np.searchsorted(s, t_ns, side="right") - 1
    return np.clip(pos, 0, max(len(s) - 1, 0))


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
    dt = np.diff(t, prepend=t[0])
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
    moving = live & (np.nan_to_num(speed, nan=0.0) >= MOVING_SPEED_MPS)
    return span, timer, float(dt[moving].sum()), source


def _distance_from_records(rec: dict[str, np.ndarray]) -> float:
    if "distance_m" in rec and not np.isnan(rec["distance_m"]).all():
        d = rec["distance_m"]
        return float(np.nanmax(d) - np.nanmin(d))
    if _has_positions(rec):
        both = ~np.isnan(rec["lat_deg"]) & ~np.isnan(rec["lon_deg"])
        return float(np.nansum(haversine_m(rec["lat_deg"][both], rec["lon_deg"][both])))
    return np.nan


def _rows(columns: dict[Any, Any]) -> list[dict[str, Any]]:
    """The sessions' schema columns (from :func:`_coerced_arrays`) as one dict of Python values a row.

    The values ``to_dict("records")`` gives on the same frame (a missing
    string None), without building the frame.
    """
    values: dict[str, list[Any]] = {}
    for c in SESSION_COLUMNS:
        arr = columns[c.name]
        values[c.name] = (arr.tolist() if isinstance(arr, np.ndarray)
                          else [None if v is pd.NA else v for v in arr])
    return [dict(zip(values, row, strict=True)) for row in zip(*values.values(), strict=True)]


def _finish_sessions(
    given: list[dict[str, Any]], t_ns: np.ndarray, session: np.ndarray, records: dict[str, np.ndarray],
    default_sport: str, report: ImportReport, name: str = "",
) -> pd.DataFrame:
    """Fill the session table: bounds, the three clocks and their sources, sport and recording.

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
    columns = {c.name: [r[c.name] for r in rows] for c in SESSION_COLUMNS if c.name != "recording"}
    starts, ends = _utc_times(columns["start"]).asi8, _utc_times(columns["end"]).asi8
    columns["recording"] = _recordings(starts, ends).tolist()
    return _coerce_lists(columns, SESSION_COLUMNS)


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
    if len(s) == 0:
        return np.zeros(0, dtype=np.int64)
    e = np.where(e == NAT_NS, s, e)
    latest = np.maximum.accumulate(np.concatenate([[e[0]], e[:-1]]))
    new = np.concatenate([[False], (s[1:] != NAT_NS) & (s[1:] - latest[1:] > gap_s * 1e9)])
    return np.cumsum(new).astype(np.int64)


def _coerced_arrays(df: pd.DataFrame, columns: tuple[Column, ...]) -> dict[Any, Any]:
    """The schema's columns in their dtypes (missing ones empty), then any others, as arrays by name.

    No frame is built: the callers take the columns apart (a few rows, where
    pandas' fixed cost per column is the cost). See :func:`_coerce_columns`.
    """
    return _coerce_columns(frame_columns(df), len(df), columns)


#: The dtype of the schema's time columns, given as it is: only the unit and zone are checked.
_UTC_NS = pd.DatetimeTZDtype("ns", "UTC")


def _coerce_columns(given: dict[Any, Any], n: int, columns: tuple[Column, ...]) -> dict[Any, Any]:
    """:func:`_coerced_arrays` of a frame's columns (:func:`~runtwitch.model.frames.frame_columns`).

    With shortcuts for columns that already have their dtype: those arrays
    are the frame's own, to be read or copied (``take``), never written.
    """
    arrays: list[Any] = []
    for c in columns:
        if c.name not in given:
            arrays.append(_empty(c.dtype, n))
            continue
        s = given[c.name]
        if c.dtype.startswith("datetime64"):
            if s.dtype == _UTC_NS:
                arrays.append(s)
            else:
                arrays.append(_utc_times(s) if s.dtype == object else _to_utc(s).array)
        elif c.dtype == "string":
            if isinstance(s.dtype, pd.StringDtype) and s.dtype.na_value is pd.NA:
                arrays.append(s)
            elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):  # objects, or "str" (NaN missing)
                arrays.append(_strings(np.asarray(s, dtype=object)))
            else:
                arrays.append(pd.Series(s).astype("string").array)
        elif c.dtype == "int64":  # indexes, assigned by the caller; -1 until then
            arrays.append(s if s.dtype == np.int64
                          else pd.to_numeric(pd.Series(s), errors="coerce").fillna(-1).to_numpy("int64"))
        elif s.dtype == c.dtype:
            arrays.append(s)
        elif isinstance(s, np.ndarray) and s.dtype.kind in "biuf":  # numbers already: what to_numeric keeps
            arrays.append(s.astype(c.dtype))
        else:
            arrays.append(pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(c.dtype))
    names = [c.name for c in columns]
    extra = [name for name in given if name not in set(names)]
    return dict(zip(names + extra, arrays + [given[name] for name in extra], strict=True))


def _coerce_lists(columns: dict[str, list[Any]], schema: tuple[Column, ...]) -> pd.DataFrame:
    """Like :func:`_coerced_arrays`, from one list of values per schema column, as a frame."""
    arrays: list[Any] = []
    for c in schema:
        values = columns[c.name]
        if c.dtype.startswith("datetime64"):
            arrays.append(_utc_times(values))
        elif c.dtype == "string":
            arrays.append(_strings(values))
        elif c.dtype == "int64":
            arrays.append(np.asarray(values, dtype=np.int64))
        else:
            arrays.append(float_array(values).astype(c.dtype, copy=False))
    n = len(next(iter(columns.values()))) if columns else 0
    return frame_from_arrays(arrays, [c.name for c in schema], pd.RangeIndex(n))


_STRING: Any = pd.StringDtype()  # its array type's constructor is not in pandas-stubs


def _strings(values: Any) -> Any:
    """Values as the schema's ``string`` array (what ``pd.array(values, dtype="string")`` gives).

    The array type's constructor directly: ``pd.array`` and ``astype`` reach
    the same one after checks that cost more than the conversion on a few rows.
    """
    return _STRING.construct_array_type()._from_sequence(values, dtype=_STRING)


def _utc_times(values: Any) -> Any:
    """A few times as a UTC nanosecond array (what :func:`_to_utc` gives for the same values).

    Aware Timestamps and datetimes within 1677-2262, NaT and None (what the
    readers and the session and lap rules produce) are converted directly to
    nanoseconds since the epoch; anything else goes through :func:`_to_utc`.
    """
    ns = []
    for v in values:
        if v is None or v is pd.NaT:
            ns.append(NAT_NS)
            continue
        if isinstance(v, datetime) and v.utcoffset() is not None:
            n = v.value if isinstance(v, pd.Timestamp) else (v - _EPOCH) // _ONE_US * 1000
            if _MIN_NS <= n <= _MAX_NS:
                ns.append(n)
                continue
        return _to_utc(values).array
    return pd.DatetimeIndex(np.array(ns, dtype=np.int64).view("datetime64[ns]"), tz="UTC").array


_EPOCH, _ONE_US = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)
#: The nanoseconds of the first and last valid datetime64[ns] (NaT is the int64 minimum).
_MIN_NS, _MAX_NS = NAT_NS + 1, np.iinfo(np.int64).max


def _empty(dtype: str, n: int) -> Any:
    """A column of ``n`` missing values of a schema dtype (-1 for the integer indexes)."""
    if dtype.startswith("datetime64"):
        return pd.DatetimeIndex(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), tz="UTC").array
    if dtype == "string":
        return _strings([pd.NA] * n)
    if dtype == "int64":
        return np.full(n, -1, dtype=np.int64)
    return np.full(n, np.nan, dtype=dtype)


#: The session columns that make the lap of a session declared without laps.
_SESSION_AS_LAP = ("start", "end", "elapsed_s", "timer_s", "distance_m",
                   "avg_heart_rate_bpm", "max_heart_rate_bpm")


def _finish_laps(laps_in: pd.DataFrame, sessions: pd.DataFrame,
                 session_columns: dict[Any, Any] | None = None) -> pd.DataFrame:
    """Laps with a start, in start order (stable), with ends filled from durations and indexes.

    ``session_columns``: ``sessions``' columns when the caller has them
    (:func:`~runtwitch.model.frames.frame_columns`).
    """
    sess = frame_columns(sessions) if session_columns is None else session_columns
    laps = frame_columns(laps_in) if len(laps_in) else {}
    n = len(laps_in)
    if "start" not in laps or bool(pd.isna(laps["start"]).all()):
        laps, n = {c: sess[c] for c in _SESSION_AS_LAP}, len(sessions)
    given = _coerce_columns(laps, n, LAP_COLUMNS)  # no frame in between: it would be taken apart at once
    start = given["start"].asi8
    valid = np.flatnonzero(start != NAT_NS)
    order = valid[np.argsort(start[valid], kind="stable")]
    arrays = {c.name: given[c.name].take(order) for c in LAP_COLUMNS}
    elapsed = np.asarray(arrays["elapsed_s"], dtype=np.float64)
    missing_end = (arrays["end"].asi8 == NAT_NS) & ~np.isnan(elapsed)
    if missing_end.any():
        end = pd.Series(arrays["end"])
        seconds = pd.Series(elapsed)[missing_end]
        filled = pd.Series(arrays["start"])[missing_end] + pd.to_timedelta(seconds, unit="s")
        end[missing_end] = filled
        arrays["end"] = end.array
    arrays["lap"] = np.arange(len(order), dtype="int64")
    arrays["session"] = (_assign_ns(arrays["start"].asi8, sess["start"].asi8).astype("int64") if len(sessions)
                         else np.zeros(len(order), dtype="int64"))
    names = [c.name for c in LAP_COLUMNS]
    return frame_from_arrays([arrays[n] for n in names], names, pd.RangeIndex(len(order)))


def _sorted_by_start(columns: dict[Any, Any]) -> dict[Any, Any]:
    """Declared sessions (coerced columns) with a start, or the only one, in start order (stable).

    The columns are taken only when that changes something (rarely: one
    session, or sessions in order, is the rule).
    """
    start = columns["start"].asi8
    rows = np.arange(len(start))
    if len(start) > 1:
        rows = rows[start != NAT_NS]
    order = rows[np.argsort(start[rows], kind="stable")]
    if len(order) == len(start) and bool((order == np.arange(len(start))).all()):
        return columns
    return {name: arr.take(order) for name, arr in columns.items()}


def build(
    raw: pd.DataFrame,
    report: ImportReport,
    *,
    sessions: pd.DataFrame | None = None,
    laps: pd.DataFrame | None = None,
    default_sport: str = "generic",
    cadence_in_steps: bool = False,
    name: str = "",
    recording_gap_s: float = RECORDING_GAP_S,
) -> Built:
    """Clean samples and assemble the canonical records, sessions and laps.

    Parameters
    ----------
    raw
        One row per source sample in file order: a ``time`` column (UTC or NaT),
        canonical record columns, ``cadence`` (cycles per minute as recorded,
        before the steps/strides decision), extra (``dev_``/``fit_``/``ext_``)
        columns and, optionally, ``segment``: the file's own track/segment of
        each sample (non-decreasing integers), which separates recordings
        (:func:`recordings_of`).
    report
        Report to fill (source counts, drops, repairs).
    sessions
        Sessions declared by the file (any subset of the session columns, with
        ``start``), or None / empty to derive one session from the samples.
    laps
        Laps declared by the file, or None / empty for one lap per session.
    default_sport
        Sport of a derived session.
    cadence_in_steps
        True when the source's running cadence already counts both feet.
    name
        File name, for warnings.
    recording_gap_s
        Smallest gap between file segments that makes them separate
        recordings (sessions) [s].
    """
    # The records stay plain float64 arrays (one per column) until the one frame at the end.
    t_ns, recording, cols = _clean_columns(raw, report, recording_gap_s)
    n = len(t_ns)
    _repair_values(cols, report)

    # The declared sessions as coerced columns, then rows: a frame per step cost milliseconds per file.
    sess_in: dict[Any, Any] = {}
    if sessions is not None and len(sessions):
        sess_in = _sorted_by_start(_coerced_arrays(sessions, SESSION_COLUMNS))
    elif n and recording[-1] > 0:
        # No declared sessions and several recordings: one session per recording.
        firsts = np.flatnonzero(np.concatenate([[True], np.diff(recording) != 0]))
        starts = pd.DatetimeIndex(t_ns[firsts], tz="UTC").as_unit("ns")
        sess_in = _coerced_arrays(pd.DataFrame({"start": starts, "sport": default_sport}), SESSION_COLUMNS)
    n_sessions = len(sess_in["start"]) if sess_in else 0
    if n_sessions > 1:
        start_ns = sess_in["start"].asi8
        session_idx = _assign_ns(t_ns, np.where(start_ns == NAT_NS, _FIRST_NS, start_ns)).astype("int64")
    else:
        session_idx = np.zeros(n, dtype=np.int64)

    if "cadence" in cols:
        sports = (
            np.array([default_sport if v is pd.NA else v for v in sess_in["sport"]], dtype=str)
            if n_sessions
            else np.array([default_sport])
        )
        running = np.isin(sports[session_idx], list(RUNNING_SPORTS)) if n else np.zeros(0, bool)
        cad = cols.pop("cadence")
        cols["cadence_spm"] = np.where(running, cad, np.nan) * (1.0 if cadence_in_steps else 2.0)
        cols["cadence_rpm"] = np.where(running, np.nan, cad)

    sessions_out = _finish_sessions(_rows(sess_in) if n_sessions else [], t_ns, session_idx, cols,
                                    default_sport, report, name)
    laps_out = _finish_laps(laps if laps is not None else pd.DataFrame(), sessions_out,
                            frame_columns(sessions_out))
    lap_idx = (_assign_ns(t_ns, frame_columns(laps_out)["start"].asi8).astype("int64") if len(laps_out)
               else np.zeros(n, dtype=np.int64))
    cols["session"], cols["lap"] = session_idx, lap_idx

    ordered = [c for c in _CANONICAL if c in cols]
    extras = sorted(c for c in cols if c not in _CANONICAL)
    optional = {c.name for c in RECORD_COLUMNS if not c.always} | set(extras)
    keep: list[str] = []
    for c in ordered + extras:
        if c in optional and bool(np.isnan(cols[c]).all()):  # a column without any value is left out
            if c == "heart_rate_bpm" and report.repaired.get("heart_rate_zero"):
                report.warn(
                    f"heart_rate_bpm: all {report.repaired['heart_rate_zero']} heart-rate values "
                    "were 0 (no sensor signal); treated as missing and the column omitted"
                )
            continue
        keep.append(c)
    dtypes = {c.name: c.dtype for c in RECORD_COLUMNS}
    index = pd.DatetimeIndex(t_ns, tz="UTC", name=RECORDS_INDEX.name).as_unit("ns")
    # One frame, built once: one consolidated block per dtype, so later column reads are cheap.
    df = frame_from_arrays([cols[c].astype(dtypes.get(c, "float64"), copy=False) for c in keep], keep, index)
    report.rows = len(df)
    report.check()
    return Built(df, sessions_out, laps_out)


def activity_from_samples(
    samples: pd.DataFrame,
    *,
    source: str,
    format: str,
    sport: str = "generic",
    sessions: pd.DataFrame | None = None,
    laps: pd.DataFrame | None = None,
    cadence_in_steps: bool = False,
    utc_offset_s: int | None = None,
    utc_offset_source: str = "unknown",
) -> Activity:
    """Build a canonical :class:`Activity` from decoded samples (for importer authors).

    The samples go through the same cleaning rules as the built-in importers,
    and the import report is filled in (see ``docs/extending.md``).

    Parameters
    ----------
    samples
        One row per sample in file order: a ``time`` column (anything
        :func:`pandas.to_datetime` reads; naive times are taken as UTC), any
        canonical record columns (``lat_deg``, ``heart_rate_bpm``...),
        ``cadence`` as recorded (cycles per minute) and ``ext_`` extra columns.
    source, format
        File name and format name for ``Activity.meta``.
    sport
        Sport of the activity (FIT vocabulary: running, cycling, ...).
    sessions, laps
        Optional declared sessions/laps (see :func:`build`).
    cadence_in_steps
        True when a running cadence already counts both feet.
    utc_offset_s, utc_offset_source
        Local time minus UTC, if the format records it, and where it came from.
    """
    report = ImportReport()
    raw = samples.copy()
    raw["time"] = _to_utc(raw["time"]) if "time" in raw else pd.NaT
    built = build(raw, report, sessions=sessions, laps=laps, default_sport=sport, name=source,
                  cadence_in_steps=cadence_in_steps)
    report.warn_dropped(source, "samples")
    meta = ActivityMeta(source=source, format=format, sport=sport, utc_offset_s=utc_offset_s,
                        utc_offset_source=utc_offset_source)
    return Activity(built.records, built.laps, built.sessions, meta, report)


def split_recordings(activity: Activity) -> list[Activity]:
    """One activity per recording of a file (sessions' ``recording`` column).

    A file may hold several recordings: a GPS logger's memory dump with tracks
    days apart, tracks of a morning and an evening run (see
    :data:`RECORDING_GAP_S`). Each becomes an activity of its own, with its
    sessions (numbered from 0), laps and records, so that the analysis treats
    each as its own run. An activity of one recording is returned as it is
    (the same object).

    Each part shares the file's ``meta`` (a copy, with ``extra["recording"]``
    and ``extra["recordings"]``) and its import report (the report of the
    whole file: its counts do not add up to one part's rows).

    Parameters
    ----------
    activity
        An imported activity.

    Returns
    -------
    list of Activity
        The recordings in time order.
    """
    if activity.recordings <= 1:  # from the activity's summary: no frame read on a cache hit
        return [activity]
    sessions = activity.sessions
    if "recording" not in sessions or len(sessions) == 0:
        return [activity]
    numbers = sessions["recording"].to_numpy(np.int64)
    if len(np.unique(numbers)) <= 1:
        return [activity]
    parts: list[Activity] = []
    total = len(np.unique(numbers))
    for k, number in enumerate(np.unique(numbers)):
        chosen = np.flatnonzero(numbers == number)
        renumber = {int(old): new for new, old in enumerate(sessions["session"].to_numpy(np.int64)[chosen])}
        sess = sessions.iloc[chosen].reset_index(drop=True)
        sess["session"] = np.arange(len(sess), dtype=np.int64)
        sess["recording"] = np.zeros(len(sess), dtype=np.int64)
        rec = activity.records[activity.records["session"].isin(list(renumber))].copy()
        rec["session"] = rec["session"].map(renumber).astype("int64")
        laps = activity.laps[activity.laps["session"].isin(list(renumber))].reset_index(drop=True)
        laps["session"] = laps["session"].map(renumber).astype("int64")
        first_lap = int(laps["lap"].min()) if len(laps) else 0
        laps["lap"] = np.arange(len(laps), dtype=np.int64)
        if "lap" in rec:
            rec["lap"] = (rec["lap"] - first_lap).clip(lower=0).astype("int64")
        meta = dataclasses.replace(activity.meta, extra={**activity.meta.extra, "recording": k,
                                                         "recordings": total})
        part = Activity(rec, laps, sess, meta, activity.report, route=activity.route)
        if meta.timezone_source == "position":  # each recording in the zone where it was made
            part.meta = dataclasses.replace(meta, utc_offset_s=None, utc_offset_source="unknown",
                                            timezone=None, timezone_source="none")
            part = timezone.locate(part)
        parts.append(part)
    return parts
