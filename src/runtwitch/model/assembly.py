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
import functools
from collections.abc import Mapping
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
    _segments,
    clean_times,
    recordings_of,
    steps_counted_once,
)
from runtwitch.model.clocks import (
    _FIRST_NS,
    CLOCK_TOLERANCE_S,
    ELAPSED_TOLERANCE_S,
    _assign_ns,
    _declared_rows,
    _finish_sessions,
    _start_ns,
    haversine_m,
    recording_numbers,
)
from runtwitch.model.coerce import _to_utc
from runtwitch.model.frames import (
    NAT_NS,
    Columns,
    frame_columns,
    object_array,
    utc_array,
    utc_index,
)
from runtwitch.model.laps import _finish_laps
from runtwitch.model.schema import RECORD_COLUMNS, RECORDS_INDEX, RUNNING_SPORTS

__all__ = [
    "CLOCK_JUMP_MAX_FRACTION",
    "CLOCK_JUMP_S",
    "CLOCK_TOLERANCE_S",
    "ELAPSED_TOLERANCE_S",
    "RECORDING_GAP_S",
    "Built",
    "activity_from_samples",
    "build",
    "build_arrays",
    "clean_times",
    "haversine_m",
    "recording_numbers",
    "recordings_of",
    "split_recordings",
]


_CANONICAL = [c.name for c in RECORD_COLUMNS]


@dataclass
class Built:
    """Canonical frames produced by :func:`build`, each held as its columns until read.

    ``records``, ``sessions`` and ``laps`` are the DataFrames, each built the
    first time it is read; :meth:`activity` hands the columns on to an
    :class:`Activity` without building any frame (its frames are then built
    when first read there).
    """

    #: The frames' columns by name (``"records"``, ``"sessions"``, ``"laps"``).
    held: dict[str, Columns] = dataclasses.field(repr=False)

    @functools.cached_property
    def records(self) -> pd.DataFrame:
        return self.held["records"]()

    @functools.cached_property
    def sessions(self) -> pd.DataFrame:
        return self.held["sessions"]()

    @functools.cached_property
    def laps(self) -> pd.DataFrame:
        return self.held["laps"]()

    def hold(self, name: str, columns: Columns) -> None:
        """Hold ``columns`` as frame ``name`` from now on (a DataFrame built from the old ones is
        dropped, so that no read gives it again)."""
        self.held[name] = columns
        self.__dict__.pop(name, None)

    @property
    def session_columns(self) -> dict[str, Any]:
        """The sessions' columns by name, to read a session value without any frame."""
        return self.held["sessions"].arrays()

    def activity(self, meta: ActivityMeta, report: ImportReport) -> Activity:
        """An activity of these frames: the DataFrames already read, the columns of the others."""
        def frame(name: str) -> pd.DataFrame | Columns:
            read: pd.DataFrame | None = self.__dict__.get(name)
            return self.held[name] if read is None else read

        return Activity(frame("records"), frame("laps"), frame("sessions"), meta, report)


def build(
    raw: pd.DataFrame,
    report: ImportReport,
    *,
    sessions: pd.DataFrame | Mapping[str, Any] | None = None,
    laps: pd.DataFrame | Mapping[str, Any] | None = None,
    default_sport: str = "generic",
    cadence_in_steps: bool = False,
    name: str = "",
    recording_gap_s: float = RECORDING_GAP_S,
) -> Built:
    """Clean samples and assemble the canonical records, sessions and laps.

    The frame way into the assembly; :func:`build_arrays` is the same
    assembly for a reader that holds its samples as arrays.

    Parameters
    ----------
    raw
        One row per source sample in file order: a ``time`` column (UTC or NaT),
        canonical record columns, ``cadence`` (cycles per minute as recorded,
        before the steps/strides decision), extra (``dev_``/``fit_``/``ext_``)
        columns and, optionally, ``segment``: the file's own track/segment of
        each sample (non-decreasing integers), which separates recordings
        (:func:`recordings_of`). A value that is not a number is missing.
    report
        Report to fill (source counts, drops, repairs).
    sessions
        Sessions declared by the file (any subset of the session columns, with
        ``start``), as a frame or as columns by name (see :func:`build_arrays`),
        or None / empty to derive one session from the samples.
    laps
        Laps declared by the file (a frame or columns by name), or None / empty
        for one lap per session.
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
    by_name = frame_columns(raw)  # every column at once: a lookup by name costs more than the copy
    return build_arrays(
        _to_utc(by_name["time"]).asi8,
        {str(c): v for c, v in by_name.items() if c not in ("time", "segment")},
        report,
        segment=_segments(by_name),
        sessions=sessions, laps=laps, default_sport=default_sport, cadence_in_steps=cadence_in_steps,
        name=name, recording_gap_s=recording_gap_s,
    )


def build_arrays(
    time_ns: np.ndarray,
    columns: Mapping[str, Any],
    report: ImportReport,
    *,
    segment: np.ndarray | None = None,
    sessions: pd.DataFrame | Mapping[str, Any] | None = None,
    laps: pd.DataFrame | Mapping[str, Any] | None = None,
    default_sport: str = "generic",
    cadence_in_steps: bool = False,
    name: str = "",
    recording_gap_s: float = RECORDING_GAP_S,
) -> Built:
    """:func:`build` of samples held as arrays: no frame is built before the canonical ones.

    The same assembly as :func:`build` (which hands its frame's columns on
    to this function); the FIT reader comes in this way, with the arrays it
    decoded, so that no intermediate frame is built and taken apart again.

    Parameters
    ----------
    time_ns
        Time of each source sample in file order [ns since 1970-01-01 UTC,
        int64], the int64 minimum (NaT) where a sample has no time.
    columns
        The samples' values by column name (as ``raw``'s columns in
        :func:`build`, without ``time`` and ``segment``), one array per
        column, as long as ``time_ns``. float64 arrays are taken as they
        are (never written); anything else is converted to float64, a value
        that is not a number becoming NaN.
    report
        Report to fill (source counts, drops, repairs).
    segment
        The file's own track/segment of each sample (non-decreasing integers),
        or None when the file has none (see :func:`build`).
    sessions, laps
        As in :func:`build`; as columns, a mapping of column name to array
        (one value per session or lap: numbers, strings or None, times as
        aware datetimes or a UTC datetime array), all of the same length.
    default_sport, cadence_in_steps, name, recording_gap_s
        As in :func:`build`.
    """
    # The records stay plain float64 arrays (one per column) until the one frame at the end.
    t_ns, recording, cols = _clean_columns(np.asarray(time_ns, dtype=np.int64), segment, columns, report,
                                           recording_gap_s)
    n = len(t_ns)
    _repair_values(cols, report)

    # The declared sessions as rows of Python values: a frame (or array) per step cost milliseconds per file.
    sess_in: list[dict[str, Any]] = []
    given_sessions, n_given = _given(sessions)
    if n_given:
        sess_in = _declared_rows(given_sessions, n_given)
    elif n and recording[-1] > 0:
        # No declared sessions and several recordings: one session per recording.
        firsts = np.flatnonzero(np.concatenate([[True], np.diff(recording) != 0]))
        sport = np.full(len(firsts), default_sport, dtype=object)
        sess_in = _declared_rows({"start": utc_array(t_ns[firsts]), "sport": sport}, len(firsts))
    n_sessions = len(sess_in)
    if n_sessions > 1:
        start_ns = _start_ns(sess_in)
        session_idx = _assign_ns(t_ns, np.where(start_ns == NAT_NS, _FIRST_NS, start_ns)).astype("int64")
    else:
        session_idx = np.zeros(n, dtype=np.int64)

    if "cadence" in cols:
        sports = (
            np.array([default_sport if r["sport"] is None else r["sport"] for r in sess_in], dtype=str)
            if n_sessions
            else np.array([default_sport])
        )
        running = np.array([v in RUNNING_SPORTS for v in sports], dtype=bool)[session_idx]
        cad = cols.pop("cadence")
        steps = np.where(running, cad, np.nan) * (1.0 if cadence_in_steps else 2.0)
        cols["cadence_spm"] = steps_counted_once(steps, report)
        cols["cadence_rpm"] = np.where(running, np.nan, cad)

    sessions_out = _finish_sessions(sess_in, t_ns, session_idx, cols, default_sport, report, name)
    laps_out = _finish_laps(*_given(laps), sessions_out.arrays())
    lap_idx = (_assign_ns(t_ns, laps_out.arrays()["start"].asi8).astype("int64") if len(laps_out)
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
    index = utc_index(t_ns, RECORDS_INDEX.name)
    # One frame, built once when read: one consolidated block per dtype, so later column reads are cheap.
    given = {id(v) for v in columns.values()}
    records = Columns({c: _owned(cols[c].astype(dtypes.get(c, "float64"), copy=False), given)
                       for c in keep}, index)
    report.rows = len(records)
    report.check()
    return Built({"records": records, "sessions": sessions_out, "laps": laps_out})


def _owned(values: np.ndarray, given: set[int]) -> np.ndarray:
    """``values``, or a copy when they are one of the caller's arrays (``given``: their ids) or a
    view of another array: the caller may write into its samples after :func:`build_arrays`
    returned, and the records' columns are kept until their frame is built."""
    return values if values.base is None and id(values) not in given else values.copy()


def _given(table: pd.DataFrame | Mapping[str, Any] | None) -> tuple[dict[Any, Any], int]:
    """Declared sessions or laps as columns by name and their number of rows (0: none declared).

    A frame's columns as stored; a mapping's values as arrays (a list becomes
    an object array, one value a cell).
    """
    if table is None:
        return {}, 0
    if isinstance(table, pd.DataFrame):
        return (frame_columns(table), len(table)) if len(table) else ({}, 0)
    columns: dict[Any, Any] = {}
    for key, values in table.items():
        columns[key] = values if hasattr(values, "dtype") else object_array(values)
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"declared columns of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    return (columns, n) if n else ({}, 0)


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
    return built.activity(meta, report)


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

