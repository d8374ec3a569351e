"""A linked season: the runner's activities, the diary linked to them, and the resolved athlete.

:class:`Season` is the hand-off between importing and everything after it:
features, explanations and reports receive it instead of re-deriving its
parts. It is built once (:meth:`Season.build`) from imported activities, a
diary and an athlete profile:

- the activity table (:func:`activity_table`: one row per activity, with its
  id, UTC and local start), built once, and the activities by id;
- the diary's episodes and context rows linked to the runs they follow
  (:func:`link_episodes`, :func:`link_context`), each linked once;
- the athlete, with what the profile leaves out estimated from the data
  (:meth:`runtwitch.Athlete.resolved`).

Time zones: diary times are local to wherever the runner was. For each
candidate run, an episode's local onset is turned into UTC with *that run's*
UTC offset when it has its own (recorded in its file, or the zone at its
first position fix: so a runner who travelled links correctly), else with the
time zone ``tz`` (the athlete's). Without either, a timed episode is linked
by its date. The computer's own time zone is never used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from runtwitch.duplicates import DUPLICATE_OVERLAP, find_duplicates
from runtwitch.io.diary import Diary
from runtwitch.model.activity import SESSION_TOTALS, Activity, code_digest
from runtwitch.model.assembly import split_recordings
from runtwitch.model.athlete import Athlete
from runtwitch.model.frames import column_cells
from runtwitch.model.schema import RUN_SPORTS, UNTYPED_SPORTS
from runtwitch.model.timezone import resolve_local_time, resolve_tz

#: Default linking window: an episode follows a run that ended 0-24 h before it [h].
LINK_WINDOW_H = 24.0
#: Sports whose activities count as runs when linking (:data:`runtwitch.model.schema.RUN_SPORTS`).
LINK_SPORTS: tuple[str, ...] = tuple(sorted(RUN_SPORTS))
#: Sources of a run's own local time, which place the diary's local times for that run.
OWN_OFFSET_SOURCES: tuple[str, ...] = ("file", "position")
#: Columns of the episodes of a season without a diary or without episodes.
_NO_EPISODES = ["episode_id", "date", "time", "muscles"]


_TOTALS = list(SESSION_TOTALS)

#: Below this average moving speed people walk, above it they run [m/s]: the preferred
#: walk-to-run transition speed of adults, about 2.0 m/s (Hreljac 1993, J Biomech 26:
#: 1099-1104; Kung et al. 2018, Gait Posture 64: 138-143 find 1.9-2.2 m/s).
WALK_RUN_MPS = 2.0
#: An average moving speed at or above this is cycling [m/s] (23 km/h; a runner averaging it
#: would run a 10 km in 7 min 15 s, faster than the world record of 26:11).
CYCLING_MPS = 6.4
#: Between this and :data:`CYCLING_MPS` a fast runner and a slow rider overlap [m/s]
#: (recreational riders average 15-25 km/h); only a step cadence tells them apart there.
FAST_RUN_MPS = 4.5
#: A cadence at or above this counts steps of both feet [per minute]: runners take 150-190
#: steps a minute, walkers 100-130 (Tudor-Locke et al. 2018, Br J Sports Med 52: 776-788),
#: and nobody pedals this fast for long.
STEP_CADENCE = 140.0
#: A cadence from this up to :data:`STEP_CADENCE` is a running stride (one foot) or a pedal
#: revolution [per minute]; below it, slow pedalling (or a walker's strides).
STRIDE_CADENCE = 70.0
#: A cadence from this up to :data:`STEP_CADENCE` is a walker's steps [per minute] (walking
#: 100-130 steps a minute, Tudor-Locke et al. 2018); from :data:`STRIDE_CADENCE` up to it, a
#: runner's strides (one foot: 75-95 a minute).
WALK_STEP_CADENCE = 100.0
#: Without cadence, near :data:`WALK_RUN_MPS` (within :data:`WALK_RUN_BAND_MPS`), a median
#: heart rate at or above this says running rather than brisk walking [bpm] (a rough
#: rule: brisk walking keeps most adults below 130 bpm).
RUN_HR_BPM = 130.0
#: Half-width of the speed band around :data:`WALK_RUN_MPS` where heart rate decides [m/s].
WALK_RUN_BAND_MPS = 0.5


def _median(records: pd.DataFrame, columns: Sequence[str], low: float) -> float:
    """Median of the values above ``low`` of the first of ``columns`` that holds any, else NaN."""
    for c in columns:
        if c in records:
            v = records[c].to_numpy(dtype=float)
            v = v[np.isfinite(v) & (v > low)]
            if len(v):
                return float(np.median(v))
    return float("nan")


def _record_medians(activity: Activity) -> dict[str, float]:
    """The medians :func:`infer_sport` reads from the records: cadence and heart rate."""
    return {"cadence": _median(activity.records, ("cadence_spm", "cadence_rpm"), 0.0),
            "heart_rate": _median(activity.records, ("heart_rate_bpm",), 0.0)}


def _sport_shown(activity: Activity) -> str:
    """The sport the file names, else the one its data shows (:func:`infer_sport`)."""
    named = activity.meta.sport
    return infer_sport(activity) if named is None or named in UNTYPED_SPORTS else named


def infer_sport(
    activity: Activity,
    *,
    walk_run_mps: float = WALK_RUN_MPS,
    fast_run_mps: float = FAST_RUN_MPS,
    cycling_mps: float = CYCLING_MPS,
    step_cadence: float = STEP_CADENCE,
    stride_cadence: float = STRIDE_CADENCE,
    walk_step_cadence: float = WALK_STEP_CADENCE,
    run_hr_bpm: float = RUN_HR_BPM,
    walk_run_band_mps: float = WALK_RUN_BAND_MPS,
) -> str:
    """The sport an activity's data shows: ``running``, ``walking``, ``cycling`` or ``unknown``.

    For activities whose file names no sport (:data:`UNTYPED_SPORTS`). From
    the average moving speed (session distance over moving time [m/s]), the
    median cadence (steps, strides or pedal revolutions per minute, whichever
    the file recorded) and the median heart rate:

    - no distance or moving time: ``unknown``;
    - at or above ``cycling_mps``: ``cycling``;
    - from ``fast_run_mps`` up: ``running`` only with a step cadence
      (``step_cadence`` or more), else ``unknown`` (a fast runner or a slow
      rider);
    - from ``walk_run_mps`` up: ``running``, unless a cadence below
      ``stride_cadence`` says slow pedalling (``unknown``);
    - below it: ``running`` with a runner's cadence (steps from
      ``step_cadence``, or strides from ``stride_cadence`` up to
      ``walk_step_cadence``), ``walking`` with any other; without cadence,
      ``running`` within ``walk_run_band_mps`` of the transition when the
      median heart rate reaches ``run_hr_bpm``, else ``walking``.

    The thresholds and their sources are the module's constants; the rule is
    a plain heuristic, documented in docs/diary.md ("Runs without a sport").
    """
    totals = activity.totals
    distance, moving = totals["distance_m"], totals["moving_s"]
    if not (distance > 0 and moving > 0):
        return "unknown"
    speed = distance / moving
    # the records' medians are kept beside a cache entry: a warm analysis reads no records
    medians = activity.derived(f"sport-medians-{code_digest(__name__)}", _record_medians)
    cadence = medians["cadence"]
    steps = cadence >= step_cadence
    if speed >= cycling_mps:
        return "cycling"
    if speed >= fast_run_mps:
        return "running" if steps else "unknown"
    if speed >= walk_run_mps:
        return "unknown" if cadence < stride_cadence else "running"
    if np.isfinite(cadence):  # runner's steps, or a runner's strides; else a walker's steps or strides
        strides = stride_cadence <= cadence < walk_step_cadence
        return "running" if steps or strides else "walking"
    hr = medians["heart_rate"]
    near = speed >= walk_run_mps - walk_run_band_mps
    return "running" if near and hr >= run_hr_bpm else "walking"


def activity_table(activities: Sequence[Activity], *, tz: str | None = None) -> pd.DataFrame:
    """One row per activity: id, source, sport, start/end in UTC and local time.

    Parameters
    ----------
    activities
        Imported activities (course files are left out).
    tz
        IANA time zone used for local times when a file has no UTC offset.

    Returns
    -------
    pandas.DataFrame
        Columns ``activity_id`` (file name, made unique), ``source``, ``sport``
        (the file's, or :func:`infer_sport` of the data when the file names
        none), ``sport_source`` (``file`` or ``inferred``),
        ``start_utc``, ``end_utc``, ``utc_offset_s`` (the activity's own, else
        ``tz``'s at the start, else NaN), ``offset_source`` (where the
        activity's local time comes from, docs/schema.md "Local time":
        ``file``, ``position`` (the zone at its first position fix),
        ``athlete`` (``tz``, or the zone an unresolved local-time file was
        placed in) or ``none``), ``timezone`` (IANA name when known),
        ``start_local`` (naive local wall-clock time; the UTC clock
        when the offset source is ``none``), ``local_date``,
        ``elapsed_s``, ``timer_s``, ``moving_s``, ``distance_m``. Sorted by start.
    """
    return _table(activities, tz)[0]


def _table(activities: Sequence[Activity], tz: str | None) -> tuple[pd.DataFrame, list[int]]:
    """:func:`activity_table` plus the positions in ``activities`` of its rows, in row order.

    The one place the activity table is built; a season builds it once.
    """
    zone = resolve_tz(tz)
    rows = []
    seen: dict[str, int] = {}
    for pos, act in enumerate(activities):
        act_start = act.start
        if act.meta.kind != "activity" or act_start is None:
            continue
        base = os.path.basename(act.meta.source) if act.meta.source != "<buffer>" else ""
        base = base or act_start.strftime("%Y-%m-%dT%H:%M:%SZ")
        seen[base] = seen.get(base, 0) + 1
        aid = base if seen[base] == 1 else f"{base}#{seen[base]}"
        start = act_start
        act_end = act.end
        end = act_end if act_end is not None else start
        # The run's own local time (file, position) first, then the athlete's zone.
        source: str
        if act.meta.utc_offset_s is not None:
            offset = float(act.meta.utc_offset_s)
            source = act.meta.timezone_source if act.meta.timezone_source != "none" else "file"
            place = act.meta.timezone
        elif zone is not None:
            off = start.tz_convert(zone).utcoffset()
            offset, source, place = (off.total_seconds() if off is not None else np.nan), "athlete", tz
        else:
            offset, source, place = np.nan, "none", None
        totals = act.totals  # summed over the sessions; kept beside a cache entry
        sport = _sport_shown(act)
        sport_source = "file" if sport == act.meta.sport else "inferred"
        rows.append({
            "_pos": pos,
            "activity_id": aid,
            "source": act.meta.source,
            "sport": sport,
            "sport_source": sport_source,
            "start_utc": start,
            "end_utc": end,
            "utc_offset_s": offset,
            "offset_source": source,
            "timezone": place,
            **totals,
        })
    table = pd.DataFrame(rows, columns=["_pos", "activity_id", "source", "sport", "sport_source",
                                        "start_utc", "end_utc", "utc_offset_s", "offset_source", "timezone",
                                        *_TOTALS])
    table["start_utc"] = pd.to_datetime(table["start_utc"], utc=True)
    table["end_utc"] = pd.to_datetime(table["end_utc"], utc=True)
    # Without any offset the UTC wall clock stands in for local time (offset_source "none").
    table["start_local"] = table["start_utc"].dt.tz_localize(None) + pd.to_timedelta(
        table["utc_offset_s"].fillna(0.0), unit="s")
    table["local_date"] = table["start_local"].dt.normalize()
    cols = ["activity_id", "source", "sport", "sport_source", "start_utc", "end_utc", "start_local",
            "local_date", "utc_offset_s", "offset_source", "timezone", *_TOTALS]
    table = table.sort_values("start_utc", kind="stable").reset_index(drop=True)
    return table[cols], [int(p) for p in table["_pos"]]


_HOUR_NS = 3_600_000_000_000
#: A context row's ``run`` time picks the run of that date starting within this of it [ns] (30 min).
_RUN_TIME_TOLERANCE_NS = 30 * 60 * 10**9


def _ns(times: pd.Series) -> np.ndarray:
    """Datetimes (naive or UTC) as int64 nanoseconds since the epoch (NaT: the int64 minimum)."""
    return pd.DatetimeIndex(times).as_unit("ns").asi8


def _positions_by(keys: np.ndarray) -> dict[int, np.ndarray]:
    """The positions of each key, in order: a table to look values up in, built once."""
    if not len(keys):  # np.split of nothing still gives one (empty) part: no keys, no table
        return {}
    order = np.argsort(keys, kind="stable")
    values, first = np.unique(keys[order], return_index=True)
    return {int(v): np.sort(part) for v, part in zip(values, np.split(order, first[1:]), strict=True)}


def _runs(activities: Sequence[Activity] | pd.DataFrame, tz: str | None,
          sports: Sequence[str]) -> pd.DataFrame:
    table = activities if isinstance(activities, pd.DataFrame) else activity_table(activities, tz=tz)
    return table[table["sport"].isin(list(sports))].reset_index(drop=True)


def link_episodes(
    episodes: pd.DataFrame,
    activities: Sequence[Activity] | pd.DataFrame,
    *,
    tz: str | None = None,
    window_h: float = LINK_WINDOW_H,
    sports: Sequence[str] = LINK_SPORTS,
) -> pd.DataFrame:
    """Attach to each episode the run it most likely followed.

    Rule: the latest run that ended 0 to ``window_h`` hours before the onset.
    An episode with only a date (or a time that cannot be placed in UTC: no
    ``tz`` and no file offset) follows the last run of that local date, else
    the last run of the day before. No link when nothing fits.

    Parameters
    ----------
    episodes
        ``Diary.episodes``.
    activities
        Imported activities, or an :func:`activity_table`.
    tz
        The diary's IANA time zone, for runs whose file has no UTC offset.
    window_h
        Longest time between the end of a run and the onset [h].
    sports
        Sports that count as runs.

    Returns
    -------
    pandas.DataFrame
        The episodes plus ``activity_id`` (or <NA>), ``run_end_utc``,
        ``hours_after_run`` (NaN for date-only episodes) and ``link_rule``
        (``time_window``, ``same_day``, ``day_before`` or ``none``). When a
        run's file offset was used, ``onset_utc`` is recomputed with it.
    """
    runs = _runs(activities, tz, sports)
    out = episodes.copy()
    ids: list[object] = []
    ends: list[object] = []
    hours: list[float] = []
    rules: list[str] = []
    onsets = list(out["onset_utc"]) if "onset_utc" in out else [pd.NaT] * len(out)
    # Plain int64 nanoseconds, computed once: each episode then looks only at the runs that
    # ended near it (a window of the runs sorted by end), so linking stays linear in the diary.
    end_ns = _ns(runs["end_utc"])
    by_end = np.argsort(end_ns, kind="stable")
    sorted_end = end_ns[by_end]
    # A run's own offset (recorded in its file, or of the zone where it was recorded)
    # places a traveller's diary time; other runs use the diary's zone at the onset.
    file_offset = runs["utc_offset_s"].where(runs["offset_source"].isin(OWN_OFFSET_SOURCES))
    offset_delta = pd.to_timedelta(file_offset, unit="s")
    offset_ns = offset_delta.to_numpy(dtype="timedelta64[ns]").astype(np.int64)
    units: dict[str, Literal["s", "ms", "us", "ns"]] = {}
    has_offset = file_offset.notna().to_numpy()
    offsets = offset_ns[has_offset]
    span = (int(offsets.min()), int(offsets.max())) if len(offsets) else (0, 0)
    # a margin over the float comparison below; an unbounded window looks at every run
    window_ns = int(window_h * 3600e9) + _HOUR_NS if np.isfinite(window_h) else None
    by_date = _positions_by(_ns(runs["local_date"]))
    dates: list[Any] = list(pd.to_datetime(out["date"]))
    times: list[Any] = column_cells(out["time"]) if "time" in out else [None] * len(out)
    run_ids, run_ends = column_cells(runs["activity_id"]), list(runs["end_utc"])  # a cell each, taken once
    for i, (day, clock) in enumerate(zip(dates, times, strict=True)):
        found: tuple[int, float, str] | None = None
        timed = isinstance(clock, str) and not pd.isna(day)
        if timed:
            local_time = day + pd.Timedelta(hours=int(clock[:2]), minutes=int(clock[3:5]))
            local = local_time.value
            # The onset in UTC as each run's own local clock has it (file offset),
            # else as the diary's time zone has it at the onset (DST-correct).
            diary_utc = onsets[i]
            by_diary = not pd.isna(diary_utc)
            lows = [local - span[1]] + ([diary_utc.value] if by_diary else [])
            highs = [local - span[0]] + ([diary_utc.value] if by_diary else [])
            first = 0 if window_ns is None else np.searchsorted(sorted_end, min(lows) - window_ns, "left")
            near = np.sort(by_end[first:np.searchsorted(sorted_end, max(highs) + _HOUR_NS, "right")])
            known = has_offset[near] | by_diary
            onset = np.where(has_offset[near], local - offset_ns[near], diary_utc.value if by_diary else 0)
            gap_h = (onset - end_ns[near]) / 10**9 / 3600.0
            ok = known & (gap_h >= 0) & (gap_h <= window_h)
            if ok.any():
                c = int(np.argmax(np.where(ok, end_ns[near], np.iinfo(np.int64).min)))
                found = (int(near[c]), float(gap_h[c]), "time_window")
                # in the resolution of the local time less the file offsets, as a column of them has
                unit = units.get(local_time.unit)
                if unit is None:
                    unit = units[local_time.unit] = (local_time - offset_delta.iloc[:1]).dt.unit
                onsets[i] = pd.Timestamp(int(onset[c]), unit="ns", tz="UTC").as_unit(unit)
            timed = len(runs) > 0 and (by_diary or bool(has_offset.any()))
        if not timed and not pd.isna(day):
            # Date-only episode, or a time that cannot be placed in UTC (no time
            # zone and no file offset): fall back to the calendar rule.
            for rule, d in (("same_day", day), ("day_before", day - pd.Timedelta(days=1))):
                same = by_date.get(d.value)
                if same is not None:
                    found = (int(same[np.argmax(end_ns[same])]), np.nan, rule)
                    break
        if found is None:
            ids.append(pd.NA)
            ends.append(pd.NaT)
            hours.append(np.nan)
            rules.append("none")
        else:
            j, h, rule = found
            ids.append(run_ids[j])
            ends.append(run_ends[j])
            hours.append(h)
            rules.append(rule)
    out["onset_utc"] = pd.to_datetime(pd.Series(onsets, index=out.index, dtype=object), utc=True)
    out["activity_id"] = pd.Series(ids, index=out.index, dtype="string")
    out["run_end_utc"] = pd.to_datetime(pd.Series(ends, index=out.index, dtype=object), utc=True)
    out["hours_after_run"] = pd.Series(hours, index=out.index, dtype="float64")
    out["link_rule"] = pd.Series(rules, index=out.index, dtype="string")
    return out


def link_context(
    context: pd.DataFrame,
    activities: Sequence[Activity] | pd.DataFrame,
    *,
    tz: str | None = None,
    sports: Sequence[str] = LINK_SPORTS,
) -> pd.DataFrame:
    """Attach each diary context row to its run.

    The ``run`` cell picks the run: a local start time ``HH:MM`` (the run of
    that date starting within 30 minutes of it) or a file name. Empty: the
    day's longest run (by timer time). No run that day: no link.

    Returns
    -------
    pandas.DataFrame
        The context plus ``activity_id`` (or <NA>) and ``link_rule``
        (``run_time``, ``run_file``, ``longest_of_day`` or ``none``).
    """
    runs = _runs(activities, tz, sports)
    out = context.copy()
    ids: list[object] = []
    rules: list[str] = []
    # Looked up per row, built once: the runs of each local date and the first run of each name.
    by_date = _positions_by(_ns(runs["local_date"]))
    start_local = _ns(runs["start_local"])
    length = runs["timer_s"].fillna(runs["elapsed_s"]).to_numpy(dtype=float)
    by_name: dict[str, int] = {}
    for pos, aid in enumerate(column_cells(runs["activity_id"].str.lower())):
        by_name.setdefault(aid, pos)
    run_ids = column_cells(runs["activity_id"])
    dates: list[Any] = list(pd.to_datetime(out["date"]))
    refs: list[Any] = column_cells(out["run"]) if "run" in out else [None] * len(out)
    none = np.zeros(0, dtype=np.int64)
    for day, run_ref in zip(dates, refs, strict=True):
        same = by_date.get(day.value, none) if not pd.isna(day) else none
        choice: int | None = None
        rule = "none"
        ref = run_ref if isinstance(run_ref, str) else None
        if ref and len(ref) <= 5 and ":" in ref and len(same):
            target = day + pd.Timedelta(hours=int(ref.split(":")[0]), minutes=int(ref.split(":")[1][:2]))
            gap = np.abs(start_local[same] - target.value)
            if gap.min() <= _RUN_TIME_TOLERANCE_NS:
                choice, rule = int(same[np.argmin(gap)]), "run_time"
        elif ref:
            named = by_name.get(os.path.basename(ref).lower())
            if named is not None:
                choice, rule = named, "run_file"
        elif len(same) == 1:  # the day's only run
            choice = int(same[0])
            rule = "longest_of_day"
        elif len(same):
            longest = length[same]
            # the day's longest run; without any timer or elapsed time, its first
            # np.nanargmax(longest) as numpy computes it (NaN read as -inf), without its checks per row
            choice = int(same[np.argmax(np.where(np.isnan(longest), -np.inf, longest))]
                         if np.isfinite(longest).any() else same[0])
            rule = "longest_of_day"
        ids.append(run_ids[choice] if choice is not None else pd.NA)
        rules.append(rule)
    out["activity_id"] = pd.Series(ids, index=out.index, dtype="string")
    out["link_rule"] = pd.Series(rules, index=out.index, dtype="string")
    return out


@dataclass(frozen=True, eq=False)
class Season:
    """A runner's season, linked once: what features, explanations and reports work from.

    Build it with :meth:`build`.

    Attributes
    ----------
    activities
        The activities by ``activity_id`` (the file name, made unique), in
        start order; courses and activities without a start are left out.
    table
        :func:`activity_table` of those activities, one row each, same order.
    diary
        The diary, or None.
    episodes
        The diary's episodes linked to their runs (:func:`link_episodes`);
        empty without a diary.
    context
        The diary's context rows linked to their runs (:func:`link_context`);
        empty without a diary or context rows.
    athlete
        The profile, resolved: what it leaves out estimated from the data,
        each estimate recorded in ``athlete.provenance``.
    duplicates
        The activities left out as another file's recording of the same run
        (:func:`runtwitch.duplicates.find_duplicates`): ``source``,
        ``kept_source`` (the copy kept) and ``overlap`` (share of time).
    """

    activities: Mapping[str, Activity]
    table: pd.DataFrame
    diary: Diary | None
    episodes: pd.DataFrame
    context: pd.DataFrame
    athlete: Athlete
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source", "kept_source",
                                                                                    "overlap"]))

    @property
    def tz(self) -> str | None:
        """The season's IANA time zone (the athlete's), or None when unknown."""
        return self.athlete.tz

    @classmethod
    def build(
        cls,
        activities: Sequence[Activity],
        *,
        diary: Diary | None = None,
        athlete: Athlete | None = None,
        tz: str | None = None,
        window_h: float = LINK_WINDOW_H,
        duplicate_overlap: float | None = DUPLICATE_OVERLAP,
    ) -> Season:
        """Link imported activities, a diary and a profile into a season.

        Parameters
        ----------
        activities
            Imported activities (courses are left out); a file holding several
            recordings gives one activity per recording
            (:func:`runtwitch.model.assembly.split_recordings`).
        diary
            The runner's diary, read with :func:`runtwitch.read_diary`.
        athlete
            The profile; without one, only ``tz`` is known and the rest is
            estimated from the data (see :meth:`runtwitch.Athlete.resolved`).
        tz
            IANA time zone of the diary and of activities whose file records no
            UTC offset; overrides the athlete's. None: the athlete's, else unknown.
            Activities whose files hold only local wall-clock time (no offset,
            no position) are placed in this zone
            (:func:`runtwitch.resolve_local_time`).
        window_h
            Longest time between the end of a run and an episode's onset [h].
        duplicate_overlap
            Recordings that overlap for at least this share of the longer
            one's time are one run recorded twice (two formats, two devices):
            one copy is kept, the others are left out and listed in
            :attr:`duplicates` (:func:`runtwitch.duplicates.find_duplicates`).
            None keeps every activity.
        """
        profile = athlete if athlete is not None else Athlete(tz=tz)
        if tz is not None and tz != profile.tz:
            profile = replace(profile, tz=tz)
        # Files holding only local wall-clock time, with no offset or position, are
        # placed in the season's zone (docs/schema.md, "Local time"); never in an assumed UTC.
        activities = [resolve_local_time(act, profile.tz) for act in activities]
        # A file holding several recordings (tracks hours or days apart) gives one run each.
        activities = [part for act in activities for part in split_recordings(act)]
        # One run in two files counts once (its load, its day); the copies left out are listed.
        found = (find_duplicates(activities, overlap=duplicate_overlap, sport=_sport_shown)
                 if duplicate_overlap is not None else find_duplicates([]))
        left_out = set(found["position"].tolist())
        activities = [act for pos, act in enumerate(activities) if pos not in left_out]
        resolved = profile.resolved(activities, diary.context if diary is not None else None)
        table, positions = _table(activities, resolved.tz)
        ids = column_cells(table["activity_id"])
        by_id = {aid: activities[p] for aid, p in zip(ids, positions, strict=True)}
        if diary is not None and len(diary.episodes):
            episodes = link_episodes(diary.episodes, table, tz=resolved.tz, window_h=window_h)
        else:
            base = diary.episodes if diary is not None else pd.DataFrame(columns=_NO_EPISODES)
            episodes = base.assign(activity_id=pd.Series(dtype="string"),
                                   hours_after_run=pd.Series(dtype=float))
        if diary is not None and len(diary.context):
            context = link_context(diary.context, table, tz=resolved.tz)
        else:
            context = pd.DataFrame()
        return cls(by_id, table, diary, episodes, context, resolved,
                   found[["source", "kept_source", "overlap"]].reset_index(drop=True))

    def __repr__(self) -> str:
        """One line: how many activities over which days, episodes and the athlete's time zone."""
        days = self.table["local_date"].dropna() if "local_date" in self.table else ()
        span = (f" from {pd.Timestamp(min(days)):%Y-%m-%d} to {pd.Timestamp(max(days)):%Y-%m-%d}"
                if len(days) else "")
        diary = "no diary" if self.diary is None else f"{len(self.episodes)} diary episodes"
        twice = f" ({len(self.duplicates)} left out as duplicates)" if len(self.duplicates) else ""
        return (f"<Season: {len(self.activities)} activities{span}{twice}, {diary}, "
                f"time zone {self.athlete.tz or 'unknown'}>")

    def activity(self, activity_id: str) -> Activity:
        """The activity of an ``activity_id`` (a row of :attr:`table`)."""
        return self.activities[activity_id]
