"""Shared assembly of canonical frames from what a format reader decoded.

Every importer hands :func:`build` the samples it found, in file order, and the
sessions/laps the file declares. The cleaning rules live in the model once, so
that FIT, GPX, TCX and plugin importers treat time and values the same way:
the time rules and value repairs in :mod:`runtwitch.model.cleaning`, the
sessions and their three clocks in :mod:`runtwitch.model.clocks`, the laps in
:mod:`runtwitch.model.laps`, the coercion of columns to the schema's dtypes in
:mod:`runtwitch.model.coerce`. The rules are documented in ``docs/schema.md``
("Cleaning rules"); their constants are importable from here as before.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.cleaning import (
    CLOCK_JUMP_MAX_FRACTION,
    CLOCK_JUMP_S,
    RECORDING_GAP_S,
    _clean_columns,
    _repair_values,
    clean_times,
    recordings_of,
)
from runtwitch.model.clocks import (
    _FIRST_NS,
    CLOCK_TOLERANCE_S,
    ELAPSED_TOLERANCE_S,
    _assign_ns,
    _finish_sessions,
    _rows,
    _sorted_by_start,
    haversine_m,
    recording_numbers,
)
from runtwitch.model.coerce import _coerced_arrays, _to_utc
from runtwitch.model.frames import NAT_NS, frame_columns, frame_from_arrays
from runtwitch.model.laps import _finish_laps
from runtwitch.model.schema import RECORD_COLUMNS, RECORDS_INDEX, RUNNING_SPORTS, SESSION_COLUMNS

__all__ = [
    "CLOCK_JUMP_MAX_FRACTION",
    "CLOCK_JUMP_S",
    "CLOCK_TOLERANCE_S",
    "ELAPSED_TOLERANCE_S",
    "RECORDING_GAP_S",
    "Built",
    "activity_from_samples",
    "build",
    "clean_times",
    "haversine_m",
    "recording_numbers",
    "recordings_of",
    "split_recordings",
]


_CANONICAL = [c.name for c in RECORD_COLUMNS]


@dataclass
class Built:
    """Canonical frames produced by :func:`build`."""

    records: pd.DataFrame
    sessions: pd.DataFrame
    laps: pd.DataFrame


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

