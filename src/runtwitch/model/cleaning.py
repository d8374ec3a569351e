"""The cleaning rules of the records: time rules and value repairs.

Applied by :func:`runtwitch.model.assembly.build` to every format the same way;
documented in ``docs/schema.md`` ("Cleaning rules"). Each dropped or repaired
value is counted in the import report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.model.activity import ImportReport
from runtwitch.model.coerce import _to_utc
from runtwitch.model.frames import NAT_NS, frame_columns
from runtwitch.model.schema import RECORDS_INDEX, VALID_RANGES

#: A gap between consecutive samples longer than this splits the recording
#: into segments when looking for clock jumps [s].
CLOCK_JUMP_S = 6 * 3600.0


#: A segment cut off by clock jumps and holding at most this fraction of the
#: samples is a clock error (dropped as ``clock_jump``), not a long pause.
CLOCK_JUMP_MAX_FRACTION = 0.05


#: File segments (GPX tracks and track segments, TCX activities) that start more
#: than this after everything before them are separate recordings: separate
#: sessions, each its own run for the analysis, and the clock-jump rule applies
#: within each one only [s].
RECORDING_GAP_S = 2 * 3600.0


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
    #: Every source row kept, in one recording, at increasing times (the common case, decided with
    #: one pass): nothing to take, merge or renumber.
    plain: bool = False


def _keep_rows(t_all: np.ndarray, segment_all: np.ndarray | None, report: ImportReport,
               recording_gap_s: float) -> _Kept:
    """Rules 1-3 of :func:`clean_times` on arrays: the rows kept, their times and recordings.

    ``t_all``: every source row's time [ns since the epoch, NaT as the int64
    minimum]; ``segment_all``: every row's file segment, or None.
    """
    plain = _plain_rows(t_all, segment_all)
    if plain is not None:
        report.source_records = len(t_all)
        report.source_first_time = pd.Timestamp(int(t_all[0]), tz="UTC")
        report.source_last_time = pd.Timestamp(int(t_all[-1]), tz="UTC")
        return plain
    return _keep_rows_general(t_all, segment_all, report, recording_gap_s)


def _plain_rows(t_all: np.ndarray, segment_all: np.ndarray | None) -> _Kept | None:
    """:func:`_keep_rows` of the common case, decided in one pass; None when it is not that case.

    The common case: at least two rows, every time valid and increasing, no
    step longer than :data:`CLOCK_JUMP_S`, one file segment. Rules 1-4 of
    :func:`clean_times` then keep every row as it is, in one recording, and
    drop nothing (what :func:`_keep_rows_general` finds, the reference: a
    test compares them on the corpus).
    """
    n_rows = len(t_all)
    if n_rows < 2 or not bool((t_all != NAT_NS).all()):
        return None
    if segment_all is not None and not bool((segment_all == segment_all[0]).all()):
        return None
    steps = np.diff(t_all)
    if not bool((steps > 0).all()) or bool((steps > CLOCK_JUMP_S * 1e9).any()):
        return None
    # the times copied, as the general rules' selection copies them: never the caller's array
    return _Kept(np.arange(n_rows), t_all.copy(), np.zeros(n_rows, dtype=np.int64), plain=True)


def _keep_rows_general(t_all: np.ndarray, segment_all: np.ndarray | None, report: ImportReport,
                       recording_gap_s: float) -> _Kept:
    """:func:`_keep_rows` of any rows: the rules one by one."""
    n_rows = len(t_all)
    report.source_records = n_rows
    valid = t_all != NAT_NS
    rows = np.flatnonzero(valid)
    if len(rows):
        report.source_first_time = pd.Timestamp(int(t_all[rows[0]]), tz="UTC")
        report.source_last_time = pd.Timestamp(int(t_all[rows[-1]]), tz="UTC")
    report.drop("no_timestamp", n_rows - len(rows))
    t = t_all[valid] if len(rows) < n_rows else t_all
    n = len(t)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Kept(empty, empty, empty)
    segment = np.zeros(n, dtype=np.int64) if segment_all is None else segment_all[valid]
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


def _segments(raw: dict[Any, Any]) -> np.ndarray | None:
    """The ``segment`` column of a frame's columns as int64, or None when it has none."""
    segment = raw.get("segment")
    return None if segment is None else pd.Series(segment, copy=False).to_numpy(dtype=np.int64)


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
    by_name = frame_columns(raw)
    kept = _keep_rows(_to_utc(by_name["time"]).asi8, _segments(by_name), report, recording_gap_s)
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


def _clean_columns(t_all: np.ndarray, segment: np.ndarray | None, columns: Mapping[str, Any],
                   report: ImportReport, recording_gap_s: float,
                   ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The time rules of :func:`clean_times`, as arrays: kept times [ns], recordings, float64 columns.

    ``t_all``: every source row's time [ns since the epoch, NaT as the int64
    minimum]; ``segment``: every row's file segment or None; ``columns``: the
    values by name, one array per column (float64 arrays are only read).
    Each column is taken once at the kept rows and no frame is built; a
    value that is not a number is missing (NaN) before duplicates are merged.
    """
    kept = _keep_rows(t_all, segment, report, recording_gap_s)
    t = kept.t
    every = len(kept.rows) == len(t_all)  # nothing dropped: the columns are taken whole
    out: dict[str, np.ndarray] = {}
    for c, s in columns.items():  # never written in place: the frame at the end copies them
        v = np.asarray(s) if getattr(s, "dtype", None) == np.float64 else _float_column(s)
        out[str(c)] = v if every else v[kept.rows]
    if kept.plain:  # increasing times, one recording: numbered 0 already
        return t, kept.recording, out
    if len(t) < 2 or bool((np.diff(t) > 0).all()):  # increasing: no duplicates
        recording = (np.unique(kept.recording, return_inverse=True)[1].astype(np.int64)
                     if len(t) else kept.recording)
        return t, recording, out
    return _first_per_time(t, kept.recording, out, report)


def _first_per_time(t: np.ndarray, recording: np.ndarray, columns: dict[str, np.ndarray],
                    report: ImportReport) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Rule 4 of :func:`clean_times` on arrays: one row per time, in time order.

    Each column keeps the first value that is not NaN among the rows sharing
    a time (in file order), each time the recording of its first row; the
    recordings are then numbered from 0 in time order.
    """
    order = np.argsort(t, kind="stable")
    ts = t[order]
    firsts = np.flatnonzero(np.concatenate([[True], ts[1:] != ts[:-1]]))
    report.drop("duplicate_timestamp", len(t) - len(firsts))
    n = len(t)
    position = np.arange(n)
    merged: dict[str, np.ndarray] = {}
    for c, v in columns.items():
        v = v[order]
        first = np.minimum.reduceat(np.where(np.isnan(v), n, position), firsts)
        merged[c] = np.where(first < n, v[np.minimum(first, n - 1)], np.nan)
    rec = recording[order][firsts]
    rec = np.unique(rec, return_inverse=True)[1].astype(np.int64)
    return ts[firsts], rec, merged


#: A running or walking cadence whose median over its moving samples is above this [steps per
#: minute] counts each step twice: the device wrote steps where its format holds strides (one
#: foot), and the reader doubled them. Runners hold about 150-200 steps per minute (Heiderscheit
#: et al. 2011, Med Sci Sports Exerc 43:296; elite distance runners near 180-200); only sprints
#: reach 250-280, for seconds. runtwitch's choice of threshold.
DOUBLED_CADENCE_SPM = 230.0
#: Least moving cadence samples before a whole activity's cadence is judged counted twice.
DOUBLED_CADENCE_MIN_SAMPLES = 30


def steps_counted_once(spm: np.ndarray, report: ImportReport, *,
                       doubled_above: float = DOUBLED_CADENCE_SPM) -> np.ndarray:
    """``cadence_spm`` [steps/min] halved when it counts each step twice (its moving median is
    above ``doubled_above``, :data:`DOUBLED_CADENCE_SPM`), the samples halved counted in the report
    (``cadence_counted_twice_halved``); else ``spm`` itself."""
    if not len(spm) or not np.fmax.reduce(spm) > doubled_above:  # nothing above it: nor its median
        return spm
    moving = spm[spm > 0]  # stops (0) and gaps (NaN) left out
    if len(moving) < DOUBLED_CADENCE_MIN_SAMPLES or float(np.median(moving)) <= doubled_above:
        return spm
    report.repair("cadence_counted_twice_halved", len(moving))
    return spm / 2.0


def _repair_values(values: dict[str, np.ndarray], report: ImportReport) -> None:
    """Blank impossible values in place of the float64 columns (counted per reason)."""
    if "heart_rate_bpm" in values:
        v = values["heart_rate_bpm"]
        zero = v == 0
        n_zero = int(np.count_nonzero(zero))
        report.repair("heart_rate_zero", n_zero)
        if n_zero:
            values["heart_rate_bpm"] = np.where(zero, np.nan, v)
    with np.errstate(invalid="ignore"):
        for col, (lo, hi) in VALID_RANGES.items():
            if col not in values:
                continue
            v = values[col]
            # smallest and largest value, NaN ignored: within the range, nothing to look for
            # (a column without values, or with an infinity, goes on to the test below)
            if len(v) and lo <= np.fmin.reduce(v) and np.fmax.reduce(v) <= hi:
                continue
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

