"""FIT importer: ``read_fit``.

Decoding is done by fitdecode (streaming, tolerant of real-device quirks such
as COROS field sizes, chained files and compressed timestamps). This module
turns its messages into the canonical frames and maps every decoder failure to
a runtwitch error carrying the file name and byte offset.
"""

from __future__ import annotations

import bisect
import re
import warnings
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any, Literal, cast

import fitdecode
import numpy as np
import pandas as pd

from runtwitch.activity import Activity, ActivityMeta, Damage, ImportReport, emit_partial_warning
from runtwitch.errors import (
    ChecksumError,
    CorruptFileError,
    FileError,
    LimitExceededError,
    NotAnActivityError,
    ParseError,
    TruncatedFileError,
)
from runtwitch.io import _fitnumpy
from runtwitch.io._build import build
from runtwitch.io._source import MAX_DECOMPRESSED_BYTES, Source, load

Errors = Literal["raise", "warn", "salvage"]
Engine = Literal["numpy", "fitdecode"]
#: The FIT SDK version of the profile both engines decode with.
PROFILE_SDK_VERSION = _fitnumpy.PROFILE_SDK_VERSION

#: FIT epoch (1989-12-31T00:00:00Z) and the threshold below which a FIT
#: ``date_time`` is a relative "system time" (seconds since device power-on).
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
FIT_RELATIVE_LIMIT = 0x10000000
SEMICIRCLE_TO_DEG = 180.0 / 2**31

#: FIT record field -> canonical column. Enhanced fields win over plain ones.
RECORD_FIELDS: dict[str, str] = {
    "position_lat": "lat_deg",
    "position_long": "lon_deg",
    "enhanced_altitude": "altitude_m",
    "altitude": "altitude_m",
    "distance": "distance_m",
    "enhanced_speed": "speed_mps",
    "speed": "speed_mps",
    "heart_rate": "heart_rate_bpm",
    "cadence": "cadence",
    "fractional_cadence": "_fractional_cadence",
    "power": "power_w",
    "temperature": "temperature_c",
}
_PLAIN_FALLBACK = {"altitude", "speed"}
_ACTIVITY_TYPES = {"activity", 4}
_COURSE_TYPES = {"course", 6}

_UNIT_SUFFIX = {
    "m": "m", "mm": "mm", "cm": "cm", "km": "km", "s": "s", "ms": "ms", "m/s": "mps",
    "%": "pct", "percent": "pct", "bpm": "bpm", "rpm": "rpm", "watts": "w", "w": "w",
    "c": "c", "kcal": "kcal", "degrees": "deg", "kg": "kg", "v": "v", "spm": "spm",
}


def _snake(text: str) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return s or "field"


def _unit_suffix(units: object) -> str:
    if not isinstance(units, str) or not units.strip():
        return ""
    key = units.strip().lower()
    return "_" + _UNIT_SUFFIX.get(key, _snake(key))


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


class _Collector:
    """Gathers the messages runtwitch uses while fitdecode streams the file."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.laps: list[dict[str, Any]] = []
        self.timer_events: list[tuple[Any, str]] = []
        self.file_ids: list[dict[str, Any]] = []
        self.activity: dict[str, Any] | None = None
        self.correlation: tuple[Any, Any] | None = None
        self.sports: list[tuple[Any, Any]] = []
        self.hr: list[dict[str, Any]] = []
        self.headers = 0
        self.not_kept: set[str] = set()
        #: Records decoded in bulk by the numpy engine (instead of ``records``).
        self.record_groups: list[_fitnumpy.Group] | None = None
        self.compressed_ts: dict[int, int] = {}
        #: Record times [FIT s] and values, assembled once (see _record_seconds).
        self.table: tuple[np.ndarray, pd.DataFrame] | None = None

    @property
    def n_records(self) -> int:
        if self.record_groups is not None:
            return sum(len(g.seqs) for g in self.record_groups)
        return len(self.records)

    def add(self, frame: Any) -> None:
        name = frame.name
        if name == "record":
            self.records.append(self._record(frame))
        elif name == "session":
            self.sessions.append(self._values(frame))
        elif name == "lap":
            self.laps.append(self._values(frame))
        elif name == "event":
            v = self._values(frame)
            if v.get("event") == "timer" and v.get("timestamp") is not None:
                self.timer_events.append((v["timestamp"], str(v.get("event_type"))))
        elif name == "file_id":
            self.file_ids.append(self._values(frame))
        elif name == "activity" and self.activity is None:
            self.activity = self._values(frame)
        elif name == "timestamp_correlation" and self.correlation is None:
            v = self._values(frame)
            if v.get("timestamp") is not None and v.get("system_timestamp") is not None:
                self.correlation = (v["timestamp"], v["system_timestamp"])
        elif name == "hr":
            self.hr.append({f.name: (f.raw_value if f.name == "event_timestamp_12" else f.value)
                            for f in frame.fields})
        elif name == "sport":
            v = self._values(frame)
            self.sports.append((v.get("sport"), v.get("sub_sport")))

    @staticmethod
    def _values(frame: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in frame.fields:
            if f.value is not None and f.name not in out:
                out[f.name] = f.value
        return out

    def _record(self, frame: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"time": None}
        for f in frame.fields:
            v = f.value
            fname = f.name
            if fname == "timestamp":
                row["time"] = v
                continue
            if v is None:
                continue
            fdef = f.field_def
            if fdef is not None and getattr(fdef, "is_dev", False):
                col = f"dev_{fdef.dev_data_index}_{_snake(str(fname))}{_unit_suffix(f.units)}"
            elif fname in RECORD_FIELDS:
                col = RECORD_FIELDS[fname]
                if fname in _PLAIN_FALLBACK and row.get(col) is not None:
                    continue
                if col in ("lat_deg", "lon_deg") and _is_number(v):
                    v = v * SEMICIRCLE_TO_DEG
            else:
                col = f"fit_{_snake(str(fname))}{_unit_suffix(f.units)}"
            if _is_number(v):
                row[col] = v
            elif isinstance(v, bool):
                row[col] = float(v)
            else:
                self.not_kept.add(col)
        return row


_CRC_RE = re.compile(r"(?:footer|header) offset: (\d+)")


def _offset_of(exc: BaseException, reader: Any) -> int | None:
    off = getattr(exc, "offset", None)
    if isinstance(off, int):
        return off
    m = _CRC_RE.search(str(exc))
    if m:
        return int(m.group(1))
    off = getattr(reader, "_chunk_offset", None)  # fitdecode's current chunk start
    return off if isinstance(off, int) else None


def _classify(exc: BaseException, name: str, offset: int | None) -> FileError:
    msg = str(exc)
    if isinstance(exc, fitdecode.FitEOFError):
        return TruncatedFileError(name, f"file ends early: {msg}", offset=offset)
    if isinstance(exc, fitdecode.FitCRCError):
        return ChecksumError(name, f"CRC mismatch: {msg}", offset=offset)
    if isinstance(exc, fitdecode.FitHeaderError):
        if offset in (0, None):
            return ParseError(name, f"not a FIT file: {msg}", offset=offset)
        return CorruptFileError(name, f"invalid FIT header of a chained file: {msg}", offset=offset)
    return CorruptFileError(name, f"undecodable FIT data ({type(exc).__name__}: {msg})", offset=offset)


def _check_signature(data: bytes, name: str) -> None:
    if len(data) < 12:
        raise ParseError(name, f"too short for a FIT header ({len(data)} bytes, expected >= 12)", offset=0)
    if data[8:12] != b".FIT":
        raise ParseError(
            name, f"not a FIT file: expected '.FIT' at bytes 8-11, found {data[8:12]!r}", offset=8
        )
    if data[0] not in (12, 14):
        raise ParseError(name, f"FIT header size {data[0]}, expected 12 or 14", offset=0)


def _decode(
    data: bytes, name: str, errors: Errors, report: ImportReport
) -> tuple[_Collector, FileError | None]:
    col = _Collector()
    crc = fitdecode.CrcCheck.RAISE if errors == "raise" else fitdecode.CrcCheck.WARN
    failure: FileError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = fitdecode.FitReader(
            BytesIO(data), check_crc=crc, error_handling=fitdecode.ErrorHandling.WARN
        )
        try:
            for count, frame in enumerate(reader):
                if count >= _fitnumpy.MAX_FIT_MESSAGES:
                    raise _fitnumpy.FitFailure(
                        "limit", getattr(reader, "_chunk_offset", None),  # fitdecode's current chunk
                        f"more than {_fitnumpy.MAX_FIT_MESSAGES:,} messages "
                        "(runtwitch.io._fitnumpy.MAX_FIT_MESSAGES)")
                if isinstance(frame, fitdecode.FitDataMessage):
                    col.add(frame)
                elif isinstance(frame, fitdecode.FitHeader):
                    col.headers += 1
        except _fitnumpy.FitFailure as exc:
            failure = _failure_error(exc, name)
            failure.__cause__ = exc
        except Exception as exc:
            failure = _classify(exc, name, _offset_of(exc, reader))
            failure.__cause__ = exc
    for w in caught:
        msg = str(w.message)
        if "CRC" in msg and report.damage is None:
            off = _offset_of(Exception(msg), None)
            report.damage = Damage(off, ChecksumError.__name__, f"CRC mismatch: {msg}")
        else:
            report.warn(f"{name}: FIT decoder: {msg}")
    return col, failure


def _failure_error(exc: _fitnumpy.FitFailure, name: str) -> FileError:
    """The runtwitch error for where and why the numpy engine stopped."""
    msg, off = str(exc), exc.offset
    if exc.kind == "limit":
        return LimitExceededError(name, msg, offset=off)
    if exc.kind == "eof":
        return TruncatedFileError(name, f"file ends early: {msg}", offset=off)
    if exc.kind == "crc":
        return ChecksumError(name, f"CRC mismatch: {msg}", offset=off)
    if exc.kind == "header":
        if off in (0, None):
            return ParseError(name, f"not a FIT file: {msg}", offset=off)
        return CorruptFileError(name, f"invalid FIT header of a chained file: {msg}", offset=off)
    return CorruptFileError(name, f"undecodable FIT data ({msg})", offset=off)


def _decode_numpy(
    data: bytes, name: str, errors: Errors, report: ImportReport
) -> tuple[_Collector, FileError | None]:
    """Frame the file, decode records in bulk and the other messages one by one."""
    framed = _fitnumpy.frame(data)
    col = _Collector()
    col.headers = framed.headers
    # Message timestamps are needed only to expand compressed headers and to anchor
    # hr messages (the last timestamp before them); most files have neither.
    needs_stamps = bool(framed.compressed) or any(
        d.global_num == _fitnumpy.HR_MESG for d in framed.definitions)
    stamps = _fitnumpy.timestamp_index(data, framed) if needs_stamps else {}
    compressed = _fitnumpy.compressed_times(framed, stamps)
    records_by_row = any(d.global_num == _fitnumpy.RECORD_MESG and d.offsets and _fitnumpy.needs_rows(d)
                         for d in framed.definitions)
    kinds = _fitnumpy.ROW_MESSAGES | ({_fitnumpy.RECORD_MESG} if records_by_row else set())
    # Messages to decode one by one, and the definitions that reset accumulators, in file order.
    events: list[tuple[int, int, int, Any]] = [
        (seq, 0, file_index, (g, targets)) for seq, file_index, g, targets in framed.resets if g in kinds]
    for d in framed.definitions:
        if d.global_num in kinds:
            events.extend((s, 1, d.file_index, (d, off)) for s, off in zip(d.seqs, d.offsets, strict=True))
    events.sort(key=lambda e: (e[0], e[1]))
    ts_seqs = sorted(stamps)
    failure: _fitnumpy.FitFailure | None = framed.failure
    cut = framed.n_messages
    state = _fitnumpy.RowState()
    current_file = -1
    for seq, kind, file_index, what in events:
        if file_index != current_file:
            state, current_file = _fitnumpy.RowState(), file_index
        if kind == 0:
            state.reset(*what)
            continue
        d, off = what
        i = bisect.bisect_left(ts_seqs, seq) - 1
        file_start = framed.file_starts[file_index]
        state.last_ts = stamps[ts_seqs[i]] if i >= 0 and ts_seqs[i] >= file_start else 0
        try:
            msg = _fitnumpy.decode_row(data, d, off, state, compressed.get(seq))
        except Exception as exc:  # fitdecode stops at the same message
            failure = _fitnumpy.FitFailure("undecodable", off - 1, f"{type(exc).__name__}: {exc}")
            cut = seq
            col.headers = sum(1 for start in framed.file_starts if start <= cut)  # headers read so far
            break
        col.add(msg)
    if not records_by_row:
        col.record_groups = _fitnumpy.decode_record_groups(data, framed, cut)
        col.compressed_ts = compressed
    for w in framed.warnings:
        report.warn(f"{name}: FIT decoder: {w}")
    error = None if failure is None else _failure_error(failure, name)
    if framed.crc_problem is not None:
        off, why = framed.crc_problem
        if errors == "raise":
            if error is None or (error.offset is not None and off < error.offset):
                error = ChecksumError(name, f"CRC mismatch: {why}", offset=off)
                error.__cause__ = _fitnumpy.FitFailure("crc", off, why)
        else:
            report.damage = Damage(off, ChecksumError.__name__, f"CRC mismatch: {why}")
    if error is not None and failure is not None and error.__cause__ is None:
        error.__cause__ = failure
    return col, error


def _to_time(v: Any, anchor: timedelta | None) -> Any:
    """FIT date_time value -> aware datetime; relative system time via ``anchor``."""
    if isinstance(v, datetime):
        return v
    if _is_number(v):
        if v >= FIT_RELATIVE_LIMIT:
            return FIT_EPOCH + timedelta(seconds=float(v))
        if anchor is not None:
            return FIT_EPOCH + anchor + timedelta(seconds=float(v))
    return None


def _relative_anchor(col: _Collector, report: ImportReport, name: str) -> timedelta | None:
    """Offset that turns relative system times into absolute FIT times, if the file has one."""
    if not bool((_record_seconds(col)[0] < FIT_RELATIVE_LIMIT).any()):
        return None
    if col.correlation is not None:
        utc, system = col.correlation
        if isinstance(utc, datetime) and _is_number(system):
            report.warn(f"{name}: relative device timestamps anchored with timestamp_correlation")
            return (utc - FIT_EPOCH) - timedelta(seconds=float(system))
    act = col.activity or {}
    local, rel = act.get("local_timestamp"), act.get("timestamp")
    if isinstance(local, datetime) and _is_number(rel):
        report.warn(
            f"{name}: records carry relative device time (seconds since power-on); anchored to "
            "the activity's local clock because the file has no UTC anchor. Times may be off by "
            "the unknown UTC offset."
        )
        report.repair("relative_timestamp_anchored_to_local_clock", col.n_records)
        return (local.replace(tzinfo=UTC) - FIT_EPOCH) - timedelta(seconds=float(cast(float, rel)))
    return None


def _utc_offset(col: _Collector) -> tuple[int | None, str]:
    act = col.activity or {}
    local, ts = act.get("local_timestamp"), act.get("timestamp")
    if isinstance(local, datetime) and isinstance(ts, datetime):
        off = (local.replace(tzinfo=UTC) - ts).total_seconds()
        if abs(off) <= 14 * 3600:
            return int(round(off / 900.0) * 900), "fit_activity_local_timestamp"
    return None, "unknown"


#: Largest distance between a record and a stored heart-rate sample used to fill it [s].
HR_MESSAGE_TOLERANCE_S = 2.0


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return list(v) if isinstance(v, (tuple, list)) else [v]


def _unpack_12bit(raw: Any) -> list[int]:
    """Unpack little-endian 12-bit values (FIT ``hr.event_timestamp_12``)."""
    data = bytes(b for b in _as_list(raw) if isinstance(b, int) and 0 <= b <= 255)
    out = []
    for i in range(0, len(data) - 2, 3):
        out.append(data[i] | ((data[i + 1] & 0x0F) << 8))
        out.append((data[i + 1] >> 4) | (data[i + 2] << 4))
    return out


def hr_message_series(messages: list[dict[str, Any]]) -> pd.Series:
    """Heart rate stored by a chest strap (FIT ``hr`` messages) as a UTC-indexed series [bpm].

    HRM-Swim/Tri straps store beats while the watch cannot receive them and the
    watch appends them as ``hr`` messages. The first message anchors the strap's
    clock (``timestamp`` + ``fractional_timestamp`` at ``event_timestamp``);
    later messages carry 12-bit rolling event times in 1/1024 s
    (``event_timestamp_12``), accumulated as in the FIT SDK's HR-to-record plugin.
    """
    times: list[float] = []
    bpms: list[float] = []
    anchor_utc: float | None = None
    anchor_evt = 0.0
    last: int | None = None
    for m in messages:
        bpm = [float(b) for b in _as_list(m.get("filtered_bpm")) if _is_number(b)]
        ts, evt = m.get("timestamp"), _as_list(m.get("event_timestamp"))
        if isinstance(ts, datetime) and evt and all(_is_number(e) for e in evt):
            anchor_utc = ts.timestamp() + float(m.get("fractional_timestamp") or 0.0)
            anchor_evt = float(evt[0])
            events = [float(e) for e in evt]
            last = round(events[-1] * 1024)
        elif m.get("event_timestamp_12") is not None and last is not None:
            events = []
            for v in _unpack_12bit(m["event_timestamp_12"])[: len(bpm)]:
                last = last + ((v - last) & 0xFFF)
                events.append(last / 1024.0)
        else:
            continue
        if anchor_utc is None:
            continue
        for b, e in zip(bpm, events, strict=False):
            times.append(anchor_utc + (e - anchor_evt))
            bpms.append(b)
    if not times:
        return pd.Series(dtype=float)
    idx = pd.to_datetime(np.array(times) * 1e9, utc=True)
    s = pd.Series(bpms, index=idx).sort_index()
    s = s[(s > 0) & (s < 255)]
    return s[~s.index.duplicated()]


def _fill_hr_from_messages(records: pd.DataFrame, col: _Collector, report: ImportReport) -> pd.DataFrame:
    """Fill missing record heart rate from stored ``hr`` messages (nearest sample)."""
    if not col.hr or not len(records):
        return records
    series = hr_message_series(col.hr)
    if series.empty:
        return records
    near = series.reindex(records.index, method="nearest",
                          tolerance=pd.Timedelta(seconds=HR_MESSAGE_TOLERANCE_S)).to_numpy(float)
    current = (records["heart_rate_bpm"].to_numpy(float) if "heart_rate_bpm" in records
               else np.full(len(records), np.nan))
    fill = np.isnan(current) & ~np.isnan(near)
    if not fill.any():
        return records
    records = records.copy()
    records["heart_rate_bpm"] = np.where(fill, near, current)
    report.repair("heart_rate_from_hr_messages", int(fill.sum()))
    ordered = [c for c in records.columns if c != "heart_rate_bpm"]
    pos = next((i for i, c in enumerate(ordered)
                if c in ("cadence_spm", "cadence_rpm", "power_w", "temperature_c")
                or c.startswith(("dev_", "fit_"))), len(ordered))
    return records[[*ordered[:pos], "heart_rate_bpm", *ordered[pos:]]]


def _str_or_none(v: Any) -> str | None:
    return None if v is None else str(v)


def _sessions_frame(col: _Collector, anchor: timedelta | None) -> pd.DataFrame:
    rows = []
    for s in col.sessions:
        rows.append({
            "start": _to_time(s.get("start_time"), anchor),
            "sport": _str_or_none(s.get("sport")),
            "sub_sport": _str_or_none(s.get("sub_sport")),
            "elapsed_s": s.get("total_elapsed_time"),
            "timer_s": s.get("total_timer_time"),
            "distance_m": s.get("total_distance"),
            "avg_heart_rate_bpm": s.get("avg_heart_rate"),
            "max_heart_rate_bpm": s.get("max_heart_rate"),
            "total_ascent_m": s.get("total_ascent"),
            "calories_kcal": s.get("total_calories"),
            "training_effect": s.get("total_training_effect"),
            "workout_rpe": s.get("workout_rpe"),
            "workout_feel": s.get("workout_feel"),
        })
    df = pd.DataFrame(rows)
    if len(df):
        for c in ("elapsed_s", "timer_s", "distance_m", "avg_heart_rate_bpm", "max_heart_rate_bpm",
                  "total_ascent_m", "calories_kcal", "training_effect", "workout_rpe", "workout_feel"):
            df[c] = pd.to_numeric(df[c], errors="coerce")
        df = _fill_timer_from_events(df, col, anchor)
    return df


def _fill_timer_from_events(
    df: pd.DataFrame, col: _Collector, anchor: timedelta | None
) -> pd.DataFrame:
    """Sessions without total_timer_time: sum the timer start/stop intervals."""
    missing = df["timer_s"].isna() & df["start"].notna()
    if not missing.any() or not col.timer_events:
        return df
    intervals = []
    on: datetime | None = None
    for ts, kind in col.timer_events:
        t = _to_time(ts, anchor)
        if t is None:
            continue
        if kind == "start" and on is None:
            on = t
        elif kind.startswith("stop") and on is not None:
            intervals.append((on, t))
            on = None
    df = df.copy()
    df["timer_source"] = pd.Series([None] * len(df), dtype=object)
    starts = pd.to_datetime(df["start"], utc=True)
    for i in df.index[missing]:
        s = starts[i]
        elapsed = float(cast(float, df.at[i, "elapsed_s"]))
        e = s + pd.Timedelta(seconds=0.0 if np.isnan(elapsed) else elapsed)
        total = sum(
            max(0.0, (min(pd.Timestamp(b), e) - max(pd.Timestamp(a), s)).total_seconds())
            for a, b in intervals
        )
        if total > 0:
            df.at[i, "timer_s"] = total
            df.at[i, "timer_source"] = "events"
    return df


def _laps_frame(col: _Collector, anchor: timedelta | None) -> pd.DataFrame:
    rows = []
    for lap in col.laps:
        rows.append({
            "start": _to_time(lap.get("start_time"), anchor),
            "end": _to_time(lap.get("timestamp"), anchor),
            "elapsed_s": lap.get("total_elapsed_time"),
            "timer_s": lap.get("total_timer_time"),
            "distance_m": lap.get("total_distance"),
            "avg_heart_rate_bpm": lap.get("avg_heart_rate"),
            "max_heart_rate_bpm": lap.get("max_heart_rate"),
            "avg_speed_mps": lap.get("enhanced_avg_speed", lap.get("avg_speed")),
            "intensity": _str_or_none(lap.get("intensity")),
            "trigger": _str_or_none(lap.get("lap_trigger")),
        })
    return pd.DataFrame(rows)


def _fit_seconds(v: Any) -> float:
    """A decoded FIT time (aware datetime or number of seconds) as FIT seconds."""
    if isinstance(v, datetime):
        return (v - FIT_EPOCH).total_seconds()
    if _is_number(v):
        return float(v)
    return np.nan


def _record_seconds(col: _Collector) -> tuple[np.ndarray, pd.DataFrame]:
    """Record times as FIT seconds (NaN when missing) and the record values, in file order."""
    if col.table is not None:
        return col.table
    if col.record_groups is not None:
        table = _groups_table(col)
    else:
        raw = pd.DataFrame.from_records(col.records) if col.records else pd.DataFrame({"time": []})
        seconds = np.array([_fit_seconds(v) for v in raw.pop("time")], dtype=float) if "time" in raw \
            else np.full(len(raw), np.nan)
        table = (seconds, raw)
    col.table = table
    return table


def _column_name(c: _fitnumpy.Column, units: Any) -> str:
    if c.is_dev:
        return f"dev_{c.dev_data_index}_{_snake(str(c.name))}{_unit_suffix(units)}"
    if c.name in RECORD_FIELDS:
        return RECORD_FIELDS[c.name]
    return f"fit_{_snake(str(c.name))}{_unit_suffix(units)}"


def _groups_table(col: _Collector) -> tuple[np.ndarray, pd.DataFrame]:
    """Assemble bulk-decoded record groups with the same rules as :meth:`_Collector._record`."""
    groups = col.record_groups or []
    total = sum(len(g.seqs) for g in groups)
    seqs = np.concatenate([g.seqs for g in groups]) if groups else np.zeros(0, np.int64)
    time = np.full(total, np.nan)
    values: dict[str, np.ndarray] = {}
    present: dict[str, np.ndarray] = {}
    start = 0
    for g in groups:
        n = len(g.seqs)
        sl = slice(start, start + n)
        t = g.time.copy()
        if col.compressed_ts:
            for i, s in enumerate(g.seqs.tolist()):
                ts = col.compressed_ts.get(s)
                if ts is not None:
                    t[i] = ts
        time[sl] = t
        local: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for c in g.columns:
            if c.other.any():
                col.not_kept.add(_column_name(c, c.other_units))
            if not c.valid.any():
                continue
            key = _column_name(c, c.units)
            v = c.values * SEMICIRCLE_TO_DEG if key in ("lat_deg", "lon_deg") and not c.is_dev else c.values
            cur, isset = local.get(key, (np.full(n, np.nan), np.zeros(n, dtype=bool)))
            mask = c.valid & ~isset if (not c.is_dev and c.name in _PLAIN_FALLBACK) else c.valid
            local[key] = (np.where(mask, v, cur), isset | mask)
        for key, (v, isset) in local.items():
            if key not in values:
                values[key] = np.full(total, np.nan)
                present[key] = np.zeros(total, dtype=bool)
            values[key][sl] = v
            present[key][sl] = isset
        start += n
    order = np.argsort(seqs, kind="stable")
    frame = pd.DataFrame({k: v[order] for k, v in values.items() if present[k].any()},
                         index=pd.RangeIndex(total))
    return time[order], frame


def _records_frame(col: _Collector, anchor: timedelta | None) -> pd.DataFrame:
    seconds, values = _record_seconds(col)
    raw = values.copy()
    absolute = seconds >= FIT_RELATIVE_LIMIT
    relative = seconds < FIT_RELATIVE_LIMIT
    shift = np.where(absolute, 0.0, np.nan)
    if anchor is not None:
        shift = np.where(relative, anchor.total_seconds(), shift)
    total = seconds + shift
    total = np.where(np.abs(total) < 2.0**33, total, np.nan)  # beyond year 2261: not a time
    whole = np.floor(total)
    ns = np.where(np.isfinite(total), whole, 0).astype(np.int64) * 1_000_000_000 + np.round(
        np.where(np.isfinite(total), total - whole, 0) * 1e9).astype(np.int64)
    epoch_ns = int(pd.Timestamp(FIT_EPOCH).value)
    stamps = pd.to_datetime(ns + epoch_ns, utc=True)
    raw.insert(0, "time", stamps.where(np.isfinite(total)))
    if "_fractional_cadence" in raw:
        frac = pd.to_numeric(raw.pop("_fractional_cadence"), errors="coerce")
        if "cadence" in raw:
            raw["cadence"] = pd.to_numeric(raw["cadence"], errors="coerce") + frac.fillna(0.0)
    return raw


def _file_type(col: _Collector, name: str) -> str | None:
    types = [fid.get("type") for fid in col.file_ids]
    if any(t in _ACTIVITY_TYPES for t in types):
        return "activity"
    if any(t in _COURSE_TYPES for t in types):
        return "course"
    if types and types[0] is not None:
        return str(types[0])
    return None


def read_fit(
    source: Source,
    *,
    errors: Errors = "salvage",
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
    engine: Engine = "numpy",
) -> Activity:
    """Read a FIT activity (or course) file into a canonical :class:`Activity`.

    Parameters
    ----------
    source
        Path or binary file object. Gzip-compressed content (``.fit.gz``) is
        decompressed transparently, up to ``max_bytes``.
    errors
        What to do with a damaged file:

        - ``"raise"``: any damage, including a checksum mismatch, raises.
        - ``"warn"``: a checksum mismatch is a warning (the data decoded
          cleanly); a truncated or undecodable file raises.
        - ``"salvage"`` (default): like ``"warn"``, but a truncated or
          undecodable file returns every record decoded before the damage; the
          report's ``damage`` gives the byte offset and ``status`` is
          ``"partial"``. A :class:`~runtwitch.errors.PartialImportWarning` is
          emitted.
    max_bytes
        Largest decompressed size accepted for gzip input [bytes].
    engine
        ``"numpy"`` (default): frames messages in one pass and decodes records
        in bulk, about 40 times faster than fitparse (20-60x per file;
        ``benchmarks/import_bench.py``).
        ``"fitdecode"``: the reference decoder, message by message. Both give
        the same activity for every file of the shared corpus (a test).

    Returns
    -------
    Activity
        Records, laps, sessions, metadata and import report.

    Raises
    ------
    EmptyFileError
        The file is empty.
    ParseError
        The file is not a FIT file.
    TruncatedFileError, ChecksumError, CorruptFileError
        The file is damaged (see ``errors``).
    NotAnActivityError
        A valid FIT file of another type (settings, workout, monitoring...).
    """
    if errors not in ("raise", "warn", "salvage"):
        raise ValueError(f"errors must be 'raise', 'warn' or 'salvage', not {errors!r}")
    if engine not in ("numpy", "fitdecode"):
        raise ValueError(f"engine must be 'numpy' or 'fitdecode', not {engine!r}")
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    _check_signature(loaded.data, name)
    report = ImportReport()
    decode = _decode_numpy if engine == "numpy" else _decode
    col, failure = decode(loaded.data, name, errors, report)
    if failure is not None:
        salvageable = (errors == "salvage" and (col.n_records or col.sessions)
                       and not isinstance(failure, LimitExceededError))  # a bomb is refused whole
        if not salvageable:
            raise failure
        report.damage = Damage(failure.offset, type(failure).__name__, failure.reason)
    if report.damage is not None and errors == "raise":  # pragma: no cover - CRC raises in decoder
        raise ChecksumError(name, report.damage.reason, offset=report.damage.offset)

    file_type = _file_type(col, name)
    if file_type not in ("activity", "course") and not col.n_records:
        raise NotAnActivityError(name, file_type or "unknown")
    if file_type is None:
        report.warn(f"{name}: no file_id message; read as an activity")

    anchor = _relative_anchor(col, report, name)
    raw = _records_frame(col, anchor)
    sessions = _sessions_frame(col, anchor)
    default_sport = "generic"
    if col.sports and col.sports[0][0] is not None:
        default_sport = str(col.sports[0][0])
    built = build(
        raw, report, sessions=sessions, laps=_laps_frame(col, anchor), default_sport=default_sport
    )
    records = _fill_hr_from_messages(built.records, col, report)
    if col.not_kept:
        report.warn(
            f"{name}: record fields that are not single numbers were not kept: "
            + ", ".join(sorted(col.not_kept))
        )
    report.warn_dropped(name, "records")
    emit_partial_warning(report, name)

    fid = next((f for f in col.file_ids if f.get("type") in _ACTIVITY_TYPES | _COURSE_TYPES),
               col.file_ids[0] if col.file_ids else {})
    sports = [s for s in built.sessions["sport"].dropna().unique() if s != "transition"]
    offset, offset_source = _utc_offset(col)
    first = built.sessions.iloc[0] if len(built.sessions) else None
    meta = ActivityMeta(
        source=name,
        format="fit",
        kind="course" if file_type == "course" else "activity",
        sport="multisport" if len(sports) > 1 else (str(sports[0]) if sports else default_sport),
        sub_sport=None if first is None or pd.isna(first["sub_sport"]) else str(first["sub_sport"]),
        manufacturer=_str_or_none(fid.get("manufacturer")),
        product=_str_or_none(
            fid.get("product_name") or fid.get("garmin_product") or fid.get("product")
        ),
        file_type=file_type,
        utc_offset_s=offset,
        utc_offset_source=offset_source,
        extra={"fit_headers": col.headers, "gzipped": loaded.gzipped},
    )
    return Activity(records, built.laps, built.sessions, meta, report)
