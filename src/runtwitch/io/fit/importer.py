"""FIT importer: ``read_fit``.

One of two decoding engines (``runtwitch.io.fit.engines``: a numpy engine by
default, fitdecode as the reference) fills a collector with the messages the
importer uses; this module turns them into the canonical frames (records,
sessions, laps), the metadata and the import report, and decides what a
damaged file gives under ``errors=``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from runtwitch.errors import (
    ChecksumError,
    LimitExceededError,
    NotAnActivityError,
    ParseError,
)
from runtwitch.io.fit import adapter, engines, hr
from runtwitch.io.fit.collect import LAP_NUMBERS, SESSION_FIELDS, Collector, is_number, record_table
from runtwitch.io.fit.types import FIT_DATETIME_MIN, FIT_EPOCH
from runtwitch.io.source import MAX_DECOMPRESSED_BYTES, Errors, Source, check_errors, load
from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, Damage, ImportReport, emit_partial_warning
from runtwitch.model.assembly import build_arrays
from runtwitch.model.frames import NAT_NS, Columns, float_array, object_array

Engine = Literal["numpy", "fitdecode", "fitparse"]
#: The FIT decoding engines by name (``read_fit(..., engine=)``), the default first.
ENGINES = {"numpy": engines.decode_numpy, "fitdecode": engines.decode_fitdecode,
           "fitparse": engines.decode_fitparse}
#: The FIT SDK version of the profile both engines decode with.
PROFILE_SDK_VERSION = adapter.PROFILE_SDK_VERSION
_ACTIVITY_TYPES = {"activity", 4}
_COURSE_TYPES = {"course", 6}


def _check_signature(data: bytes, name: str) -> None:
    if len(data) < 12:
        raise ParseError(name, f"too short for a FIT header ({len(data)} bytes, expected >= 12)", offset=0)
    if data[8:12] != b".FIT":
        raise ParseError(
            name, f"not a FIT file: expected '.FIT' at bytes 8-11, found {data[8:12]!r}", offset=8
        )
    if data[0] not in (12, 14):
        raise ParseError(name, f"FIT header size {data[0]}, expected 12 or 14", offset=0)


def _to_time(v: Any, anchor: timedelta | None) -> Any:
    """FIT date_time value -> aware datetime; relative system time via ``anchor``."""
    if isinstance(v, datetime):
        return v
    if is_number(v):
        if v >= FIT_DATETIME_MIN:
            return FIT_EPOCH + timedelta(seconds=float(v))
        if anchor is not None:
            return FIT_EPOCH + anchor + timedelta(seconds=float(v))
    return None


def _relative_anchor(col: Collector, report: ImportReport, name: str) -> timedelta | None:
    """Offset that turns relative system times into absolute FIT times, if the file has one."""
    if not bool((record_table(col)[0] < FIT_DATETIME_MIN).any()):
        return None
    if col.correlation is not None:
        utc, system = col.correlation
        if isinstance(utc, datetime) and is_number(system):
            report.warn(f"{name}: relative device timestamps anchored with timestamp_correlation")
            return (utc - FIT_EPOCH) - timedelta(seconds=float(system))
    act = col.activity or {}
    local, rel = act.get("local_timestamp"), act.get("timestamp")
    if isinstance(local, datetime) and is_number(rel):
        report.warn(
            f"{name}: records carry relative device time (seconds since power-on); anchored to "
            "the activity's local clock because the file has no UTC anchor. Times may be off by "
            "the unknown UTC offset."
        )
        report.repair("relative_timestamp_anchored_to_local_clock", col.n_records)
        return (local.replace(tzinfo=UTC) - FIT_EPOCH) - timedelta(seconds=float(cast(float, rel)))
    return None


def _utc_offset(col: Collector) -> tuple[int | None, str]:
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
    return [int(v) for v in hr.unpack_12bit(np.frombuffer(data, np.uint8).reshape(1, -1))[0]]


def hr_message_series(messages: list[dict[str, Any]]) -> pd.Series:
    """Heart rate stored by a chest strap (FIT ``hr`` messages) as a UTC-indexed series [bpm].

    HRM-Swim/Tri straps store beats while the watch cannot receive them and the
    watch appends them as ``hr`` messages. The first message anchors the strap's
    clock (``timestamp`` + ``fractional_timestamp`` at ``event_timestamp``);
    later messages carry 12-bit rolling event times in 1/1024 s
    (``event_timestamp_12``), accumulated as in the FIT SDK's HR-to-record plugin
    (``runtwitch.io.fit.hr.beats_series``). ``messages`` are the field values of
    each message as decoded one by one, with the raw bytes of
    ``event_timestamp_12``; the numpy engine reads the same beats in bulk
    (``runtwitch.io.fit.hr.decode_hr``).
    """
    seq: list[int] = []
    bpms: list[float] = []
    events: list[float] = []
    twelve: list[bool] = []
    anchors: list[tuple[int, float, float, int]] = []
    for n, m in enumerate(messages):
        bpm = [float(b) for b in _as_list(m.get("filtered_bpm")) if is_number(b)]
        ts, evt = m.get("timestamp"), _as_list(m.get("event_timestamp"))
        if isinstance(ts, datetime) and evt and all(is_number(e) for e in evt):
            found = [float(e) for e in evt]
            utc = ts.timestamp() + float(m.get("fractional_timestamp") or 0.0)
            anchors.append((n, utc, found[0], round(found[-1] * hr.EVENT_UNITS_PER_S)))
            is_twelve = False
        elif m.get("event_timestamp_12") is not None and anchors:
            found = [float(v) for v in _unpack_12bit(m["event_timestamp_12"])]
            is_twelve = True
        else:
            continue
        for b, e in zip(bpm, found, strict=False):
            seq.append(n)
            bpms.append(b)
            events.append(e)
            twelve.append(is_twelve)
    beats = hr.gather([np.array(seq, dtype=np.int64)], [np.array(bpms, dtype=np.float64)],
                      [np.array(events, dtype=np.float64)], [np.array(twelve, dtype=bool)], anchors,
                      np.arange(len(messages), dtype=np.int64))
    return hr.beats_series(beats)


def _stored_hr(col: Collector) -> pd.Series | None:
    """The heart rate stored in the file's ``hr`` messages, None when it has none."""
    if col.hr_beats is not None:
        return hr.beats_series(col.hr_beats) if len(col.hr_beats.message_seqs) else None
    return hr_message_series(col.hr) if col.hr else None


def _fill_hr_from_messages(records: Columns, series: pd.Series, report: ImportReport) -> Columns:
    """Fill missing record heart rate from stored ``hr`` messages (``series``, :func:`_stored_hr`;
    nearest sample). The records are read and given back as their columns: a file whose records
    already hold every heart rate the messages could give builds no frame here."""
    near = series.reindex(records.index, method="nearest",
                          tolerance=pd.Timedelta(seconds=HR_MESSAGE_TOLERANCE_S)).to_numpy(float)
    columns = records.arrays()
    current = (np.asarray(columns["heart_rate_bpm"], dtype=float) if "heart_rate_bpm" in columns
               else np.full(len(records), np.nan))
    fill = np.isnan(current) & ~np.isnan(near)
    if not fill.any():
        return records
    report.repair("heart_rate_from_hr_messages", int(fill.sum()))
    columns["heart_rate_bpm"] = np.where(fill, near, current)
    ordered = [c for c in columns if c != "heart_rate_bpm"]
    pos = next((i for i, c in enumerate(ordered)
                if c in ("cadence_spm", "cadence_rpm", "power_w", "temperature_c")
                or c.startswith(("dev_", "fit_"))), len(ordered))
    return Columns({c: columns[c] for c in (*ordered[:pos], "heart_rate_bpm", *ordered[pos:])}, records.index)


def _str_or_none(v: Any) -> str | None:
    return None if v is None else str(v)


#: Session values that are numbers (anything else in them becomes NaN).
_SESSION_NUMBERS = ("elapsed_s", "timer_s", "distance_m", "avg_heart_rate_bpm", "max_heart_rate_bpm",
                    "total_ascent_m", "calories_kcal", "training_effect", "workout_rpe", "workout_feel")


def _session_columns(col: Collector, anchor: timedelta | None) -> dict[str, Any]:
    """The declared sessions as columns (the assembly's way in: no frame); empty without sessions."""
    if not col.sessions:
        return {}
    starts = [_to_time(s.get("start_time"), anchor) for s in col.sessions]
    columns: dict[str, Any] = {"start": object_array(starts)}
    for name, field in SESSION_FIELDS.items():
        values = [s.get(field) for s in col.sessions]
        columns[name] = (float_array(values) if name in _SESSION_NUMBERS
                         else object_array([_str_or_none(v) for v in values]))
    no_timer = np.isnan(columns["timer_s"]) & np.array([t is not None for t in starts])
    if no_timer.any() and col.timer_events:
        _fill_timer_from_events(columns, no_timer, col, anchor)
    return columns


def _fill_timer_from_events(
    columns: dict[str, Any], missing: np.ndarray, col: Collector, anchor: timedelta | None
) -> None:
    """Sessions without total_timer_time: sum the timer start/stop intervals (``columns`` in place)."""
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
    timer = columns["timer_s"].copy()
    source = object_array([None] * len(timer))
    starts = pd.to_datetime(pd.Series(columns["start"]), utc=True)
    for i in np.flatnonzero(missing):
        s = starts[i]
        elapsed = float(columns["elapsed_s"][i])
        e = s + pd.Timedelta(seconds=0.0 if np.isnan(elapsed) else elapsed)
        total = sum(
            max(0.0, (min(pd.Timestamp(b), e) - max(pd.Timestamp(a), s)).total_seconds())
            for a, b in intervals
        )
        if total > 0:
            timer[i] = total
            source[i] = "events"
    columns["timer_s"], columns["timer_source"] = timer, source


def _lap_columns(col: Collector, anchor: timedelta | None) -> dict[str, Any]:
    """The declared laps as columns (the assembly's way in: no frame); empty without laps."""
    laps = col.laps
    if not laps:
        return {}
    columns: dict[str, Any] = {
        "start": object_array([_to_time(lap.get("start_time"), anchor) for lap in laps]),
        "end": object_array([_to_time(lap.get("timestamp"), anchor) for lap in laps]),
    }
    for name, field in LAP_NUMBERS.items():
        columns[name] = float_array([lap.get(field) for lap in laps])
    speeds = [lap.get("enhanced_avg_speed", lap.get("avg_speed")) for lap in laps]
    columns["avg_speed_mps"] = float_array(speeds)
    columns["intensity"] = object_array([_str_or_none(lap.get("intensity")) for lap in laps])
    columns["trigger"] = object_array([_str_or_none(lap.get("lap_trigger")) for lap in laps])
    return columns


def _record_columns(col: Collector, anchor: timedelta | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Record times [ns since the epoch, UTC; NaT as the int64 minimum] and value columns (float64)."""
    seconds, values = record_table(col)
    if bool(((seconds >= FIT_DATETIME_MIN) & (seconds < 2.0**33)).all()):
        # every time absolute and within range (nearly every file): the general rules below with
        # nothing shifted or missing
        whole = np.floor(seconds)
        ns = (whole.astype(np.int64) * 1_000_000_000 + np.round((seconds - whole) * 1e9).astype(np.int64)
              + _FIT_EPOCH_NS)
    else:
        ns = _general_ns(seconds, anchor)
    columns = dict(values)  # the collector's arrays are not changed
    frac = columns.pop("_fractional_cadence", None)
    if frac is not None and "cadence" in columns:
        columns["cadence"] = columns["cadence"] + np.nan_to_num(frac, nan=0.0)
    return ns, columns


def _general_ns(seconds: np.ndarray, anchor: timedelta | None) -> np.ndarray:
    """Record times [FIT s, NaN missing] as UTC nanoseconds, relative ones shifted by ``anchor``."""
    absolute = seconds >= FIT_DATETIME_MIN
    relative = seconds < FIT_DATETIME_MIN
    shift = np.where(absolute, 0.0, np.nan)
    if anchor is not None:
        shift = np.where(relative, anchor.total_seconds(), shift)
    total = seconds + shift
    total = np.where(np.abs(total) < 2.0**33, total, np.nan)  # beyond year 2261: not a time
    whole = np.floor(total)
    ns = np.where(np.isfinite(total), whole, 0).astype(np.int64) * 1_000_000_000 + np.round(
        np.where(np.isfinite(total), total - whole, 0) * 1e9).astype(np.int64)
    # UTC nanoseconds (within the datetime64[ns] range: |total| < 2**33 s), NaT where not a time
    return np.where(np.isfinite(total), ns + _FIT_EPOCH_NS, NAT_NS)


_FIT_EPOCH_NS = int(pd.Timestamp(FIT_EPOCH).value)


def _file_type(col: Collector) -> str | None:
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
        and stored heart rate (``hr`` messages) in bulk, one group per field
        layout; end to end (frames included) about 180 times faster than
        fitparse reading every message on the largest corpus files (geometric
        mean, ``benchmarks/import_bench.py --fit-only``).
        ``"fitdecode"``: the reference decoder, message by message. Both give
        the same activity for every file of the shared corpus (a test).
        ``"fitparse"``: fitparse 1.2 (optional extra, ``pip install
        'runtwitch[fitparse]'``), through the same assembly; where it differs
        from the default is listed in ``docs/formats.md`` ("Engines").

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
    EngineUnavailableError
        ``engine="fitparse"`` without fitparse installed.
    """
    errors = check_errors(errors)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    _check_signature(loaded.data, name)
    report = ImportReport()
    decode = ENGINES[engine]
    col, failure = decode(loaded.data, name, errors, report)
    if failure is not None:
        salvageable = (errors == "salvage" and (col.n_records or col.sessions)
                       and not isinstance(failure, LimitExceededError))  # a bomb is refused whole
        if not salvageable:
            raise failure
        report.damage = Damage(failure.offset, type(failure).__name__, failure.reason)
    if report.damage is not None and errors == "raise":  # pragma: no cover - CRC raises in decoder
        raise ChecksumError(name, report.damage.reason, offset=report.damage.offset)

    file_type = _file_type(col)
    if file_type not in ("activity", "course") and not col.n_records:
        raise NotAnActivityError(name, file_type or "unknown")
    if file_type is None:
        report.warn(f"{name}: no file_id message; read as an activity")

    anchor = _relative_anchor(col, report, name)
    time_ns, values = _record_columns(col, anchor)
    default_sport = "generic"
    if col.sports and col.sports[0][0] is not None:
        default_sport = str(col.sports[0][0])
    built = build_arrays(time_ns, values, report, sessions=_session_columns(col, anchor),
                         laps=_lap_columns(col, anchor), default_sport=default_sport, name=name)
    stored_hr = _stored_hr(col) if len(built.held["records"]) else None
    if stored_hr is not None and not stored_hr.empty:  # else the records stay columns until read
        built.hold("records", _fill_hr_from_messages(built.held["records"], stored_hr, report))
    if col.not_kept:
        report.warn(
            f"{name}: record fields that are not single numbers were not kept: "
            + ", ".join(sorted(col.not_kept))
        )
    report.warn_dropped(name, "records")
    emit_partial_warning(report, name)

    fid = next((f for f in col.file_ids if f.get("type") in _ACTIVITY_TYPES | _COURSE_TYPES),
               col.file_ids[0] if col.file_ids else {})
    sessions = built.session_columns  # the arrays as built: no Series per read
    sports = [s for s in dict.fromkeys(v for v in sessions["sport"] if v is not pd.NA) if s != "transition"]
    offset, offset_source = _utc_offset(col)
    sub_sport = sessions["sub_sport"][0] if len(built.held["sessions"]) else None  # not a whole row
    meta = ActivityMeta(
        source=name,
        format="fit",
        kind="course" if file_type == "course" else "activity",
        sport="multisport" if len(sports) > 1 else (str(sports[0]) if sports else default_sport),
        sub_sport=None if sub_sport is None or pd.isna(sub_sport) else str(sub_sport),
        manufacturer=_str_or_none(fid.get("manufacturer")),
        product=_str_or_none(
            fid.get("product_name") or fid.get("garmin_product") or fid.get("product")
        ),
        file_type=file_type,
        utc_offset_s=offset,
        utc_offset_source=offset_source,
        extra={"fit_headers": col.headers, "gzipped": loaded.gzipped},
    )
    return timezone.locate(built.activity(meta, report))
