"""Run types from the data (easy, long, tempo, intervals, race) and effort against the usual of the type.

"Faster than usual" means something only against runs of the same kind: a
tempo run is fast against the runner's easy runs by design. Each run is typed
from its speed profile (30-s means) against the runner's own recent runs, and
its speed is then compared with their earlier runs of the same type.

The rules, first match wins (see ``docs/features.md``):

``race``
    The diary notes say race (or parkrun, time trial), or the distance is
    within :data:`RACE_DISTANCE_TOLERANCE` of 5, 10, 21.1 or 42.2 km and at
    least :data:`RACE_HARD_SHARE` of the run was at or above
    :data:`RACE_SPEED_OF_THRESHOLD` of the runner's threshold speed.
``intervals``
    At least :data:`~runtwitch.features.intervals.INTERVAL_MIN_BOUTS` work
    bouts of 30 s to :data:`~runtwitch.features.intervals.INTERVAL_MAX_BOUT_MIN`
    minutes and :data:`~runtwitch.features.intervals.INTERVAL_MIN_WORK_MIN`
    minutes of work in total; a work bout is a stretch at or above
    :data:`~runtwitch.features.intervals.WORK_SPEED_OF_EASY` times the runner's
    easy running speed (:mod:`runtwitch.features.intervals`).
``long``
    Timer time at least :data:`LONG_MIN_MINUTES` and
    :data:`LONG_OF_MEDIAN` times the runner's median run duration.
``tempo``
    A continuous block of
    :data:`~runtwitch.features.profiles.TEMPO_MIN_BLOCK_MIN` minutes at or above
    :data:`TEMPO_SPEED_OF_THRESHOLD` of the threshold speed.
``easy``
    Everything else (recovery and run/walk included).

The runner's easy running speed is the median over the runs of the last
:data:`TYPE_WINDOW_DAYS` days of each run's 60th-percentile 30-s speed (walk
breaks do not lower it); their threshold speed is the 90th percentile of the
runs' best 20-minute speeds, at least :data:`THRESHOLD_FLOOR_OF_EASY` times
the easy speed (a runner who never runs hard has no measured threshold; Daniels'
threshold pace is about 1.25-1.3 times his easy pace). The
type names follow common coaching use (Daniels, *Daniels' Running Formula*,
2014); the cut-offs are runtwitch's choices, documented so a user can check them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from runtwitch.features.intervals import Session, interval_session, interval_sessions
from runtwitch.features.profiles import BIN_S, TEMPO_MIN_BLOCK_MIN, Profile, read_profiles, run_readings
from runtwitch.features.window import Trailing, masked_medians

#: Days of earlier runs that set the runner's easy and threshold speed, and the usual of a type.
TYPE_WINDOW_DAYS = 90
#: Tempo: a block of :data:`~runtwitch.features.profiles.TEMPO_MIN_BLOCK_MIN` minutes at or above this
#: fraction of the threshold speed.
TEMPO_SPEED_OF_THRESHOLD = 0.90
#: Threshold speed at least this multiple of the easy speed.
THRESHOLD_FLOOR_OF_EASY = 1.25
#: Long: at least this many minutes ...
LONG_MIN_MINUTES = 75.0
#: ... and this multiple of the runner's median run duration.
LONG_OF_MEDIAN = 1.5
#: Race distances [m] and how close a run's distance must be (fraction).
RACE_DISTANCES_M = (5000.0, 10000.0, 21097.5, 42195.0)
RACE_DISTANCE_TOLERANCE = 0.03
#: A race by the data: this share of the moving bins ...
RACE_HARD_SHARE = 0.85
#: ... at or above this fraction of the threshold speed.
RACE_SPEED_OF_THRESHOLD = 0.93
#: Words in the diary notes that make a run a race.
RACE_WORDS = re.compile(r"\b(race|racing|parkrun|time trial|wettkampf|course|carrera)\b", re.IGNORECASE)
#: Runs of the same type needed for a usual; fewer: the group (steady or hard) of the type.
TYPE_MIN_RUNS = 3
#: The two groups of types: steady running and hard sessions.
HARD_TYPES = frozenset({"tempo", "intervals", "race"})
#: Floor of the spread of usual speeds, as a fraction of the median (a runner who always
#: runs the same pace still varies by about this much).
SPEED_SPREAD_FLOOR = 0.02


def classify(
    p: np.ndarray,
    timer_s: float,
    distance_m: float,
    notes: Any,
    v_easy: float,
    v_thr: float,
    median_min: float,
) -> tuple[str, str, float]:
    """The type of one run, the rule that fired, and its work speed [m/s].

    The work speed is the mean over the work bouts for intervals, else the
    :data:`~runtwitch.features.profiles.WORK_PERCENTILE` th percentile of the moving 30-s speeds.
    """
    return _classify(read_profiles([p])[0], timer_s, distance_m, notes, v_easy, v_thr, median_min)


#: Stands for "not found yet" where :func:`_classify` is given no interval answer.
_ASK = object()


def _classify(
    prof: Profile,
    timer_s: float,
    distance_m: float,
    notes: Any,
    v_easy: float,
    v_thr: float,
    median_min: float,
    intervals: Session | object = _ASK,
) -> tuple[str, str, float]:
    """:func:`classify` of a profile whose own values are computed (:class:`Profile`).

    ``intervals``: :func:`interval_session` of the profile against ``v_easy`` when already found (for
    every run at once, :func:`interval_sessions`); by default it is found here when needed.
    """
    p, moving = prof.p, prof.moving
    # the speed the run was held at: a cool-down walk, a final sprint or stops do not move it
    mean_v = prof.work
    if isinstance(notes, str) and RACE_WORDS.search(notes):
        return "race", "the diary notes say race", mean_v
    if len(moving) == 0 or not np.isfinite(v_easy):
        return "easy", "no speed profile: easy by default", mean_v
    for d in RACE_DISTANCES_M:
        if np.isfinite(distance_m) and abs(distance_m - d) <= RACE_DISTANCE_TOLERANCE * d:
            hard = float(np.mean(moving >= RACE_SPEED_OF_THRESHOLD * v_thr))
            if hard >= RACE_HARD_SHARE:
                return (
                    "race",
                    f"{d / 1000:g} km at race effort ({hard:.0%} at threshold pace or faster)",
                    mean_v,
                )
    sessions = interval_session(prof, v_easy) if intervals is _ASK else cast(Session, intervals)
    if sessions is not None:
        short, work_min = sessions
        fast = np.concatenate([p[a:b] for a, b in short])
        return "intervals", f"{len(short)} work bouts, {work_min:.0f} min of work", float(np.nanmean(fast))
    minutes = timer_s / 60.0 if np.isfinite(timer_s) else len(p) * BIN_S / 60.0
    if minutes >= max(LONG_MIN_MINUTES, LONG_OF_MEDIAN * (median_min if np.isfinite(median_min) else 0.0)):
        return "long", f"{minutes:.0f} min, at least {LONG_OF_MEDIAN:g}x your median run", mean_v
    if prof.tempo >= TEMPO_SPEED_OF_THRESHOLD * v_thr:
        return "tempo", f"{TEMPO_MIN_BLOCK_MIN:g} min or more near threshold pace", mean_v
    return "easy", "steady running", mean_v


def _references(upto: Trailing, runs: np.ndarray, reading: list[Profile]) -> tuple[np.ndarray, np.ndarray]:
    """The runner's easy and threshold speed at every run, from the runs of its window [m/s].

    Easy: the median of the runs' cruise speeds; threshold: the 90th percentile of their best
    20-minute speeds, at least :data:`THRESHOLD_FLOOR_OF_EASY` times the easy speed. NaN
    without an easy speed.
    """
    cruise = np.array([r.cruise for r in reading], dtype=float)
    best20 = np.array([r.best20 for r in reading], dtype=float)
    v_easy = upto.median(cruise, runs)
    p90 = upto.percentile(best20, 90, runs)
    v_thr = np.where(np.isfinite(v_easy), np.fmax(p90, THRESHOLD_FLOOR_OF_EASY * v_easy), np.nan)
    return v_easy, v_thr


#: How structured a type is: when the raw and the grade-adjusted profile disagree, the less
#: structured reading wins (hills fake intervals on raw speed, altitude noise on adjusted speed).
STRUCTURE = {"easy": 0, "long": 1, "tempo": 2, "intervals": 3, "race": 4}


def _raw_could_win(adjusted: str, raw: Profile, timer_s: float, v_easy: float) -> bool:
    """Whether the raw reading of a run can be less structured than its grade-adjusted reading
    ``adjusted`` (:func:`_classify` of both would otherwise be needed).

    Nothing is less structured than easy. A run long on its adjusted reading with a known timer
    time is long on the raw one too unless the raw profile is unusable (no moving bins or no
    easy speed: easy by default): both readings share the notes, the timer time and the median
    run, and every test :func:`_classify` makes before the long one gives a more structured type.
    """
    if adjusted == "easy":
        return False
    if adjusted == "long" and np.isfinite(timer_s):
        return len(raw.moving) == 0 or not np.isfinite(v_easy)
    return True


def _type_usuals(
    earlier: Trailing, runs: np.ndarray, work: np.ndarray, types: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each typed run's usual of its type: how many earlier runs it is compared with, their median
    work speed and its spread (scaled MAD, at least :data:`SPEED_SPREAD_FLOOR` of the median) [m/s].

    The earlier runs with a work speed in the run's window (``earlier``) of the same type, else of
    its group (steady or hard), else, for a steady run, all of them; a usual needs
    :data:`TYPE_MIN_RUNS` runs. Every run's window is a row of a matrix
    (:meth:`Trailing.stacked`): the same pools, in the same order, as a loop over the runs chooses.
    """
    n = len(work)
    count = np.zeros(n, dtype=np.int64)
    med, mad = np.full(n, np.nan), np.full(n, np.nan)
    codes = pd.factorize(np.array([t or "" for t in types], dtype=object))[0]
    hard = np.isin(np.array([t or "" for t in types], dtype=object), list(HARD_TYPES))
    known = runs & np.isfinite(work)
    for rows, at, inside in earlier.stacked(np.flatnonzero(known)):
        before = inside & known[at]
        same = before & (codes[at] == codes[rows, None])
        group = before & (hard[at] == hard[rows, None])
        n_same, n_group = same.sum(axis=1), group.sum(axis=1)
        by_type = n_same >= TYPE_MIN_RUNS
        comp = np.where(by_type[:, None], same, group)
        size = np.where(by_type, n_same, n_group)
        every = (size < TYPE_MIN_RUNS) & ~hard[rows]
        comp[every] = before[every]
        size[every] = before[every].sum(axis=1)
        count[rows] = size
        pool = comp & (size >= TYPE_MIN_RUNS)[:, None]
        values = work[at]
        med[rows] = masked_medians(values, pool)
        mad[rows] = masked_medians(np.abs(values - med[rows, None]), pool)
    return count, med, np.maximum(1.4826 * mad, SPEED_SPREAD_FLOOR * med)


def run_types(df: pd.DataFrame, profiles: dict[Any, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Type every run and compare its work speed with the runner's earlier runs of the type.

    Each run is typed twice, on its raw and on its grade-adjusted speed
    profile, each against the runner's own references from the same kind of
    profile; a structure (intervals, tempo, race by the data) counts only
    when both readings show it.

    Parameters
    ----------
    df
        The run table being built: ``activity_id``, ``is_run``, ``start_utc``,
        ``timer_s``, ``distance_m``, ``diary_notes``, sorted by start.
    profiles
        (raw, grade-adjusted) :func:`~runtwitch.features.profiles.speed_profile` of each run,
        by ``activity_id``.

    Returns
    -------
    pandas.DataFrame
        Same index as ``df``: ``run_type``, ``run_type_basis``,
        ``work_speed_mps``, ``speed_vs_type_ratio``, ``speed_vs_type_z`` and
        ``type_comparable_runs`` (NaN/None for non-running activities).
    """
    n = len(df)
    start = df["start_utc"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    runs = df["is_run"].to_numpy(dtype=bool)
    timer = df["timer_s"].to_numpy(float)
    dist = df["distance_m"].to_numpy(float)
    notes = df["diary_notes"].to_numpy(dtype=object)
    ids = list(df["activity_id"])
    readings = run_readings(ids, profiles)
    types: list[str | None] = [None] * n
    basis: list[str | None] = [None] * n
    work = np.full(n, np.nan)
    window = TYPE_WINDOW_DAYS * 86400.0
    upto = Trailing(start, window, closed="both")  # the run itself and the runs before it
    med_min = upto.median(timer, runs) / 60.0
    (raw, adjusted), ((easy_raw, thr_raw), (easy_adj, thr_adj)) = readings, [
        _references(upto, runs, reading) for reading in readings
    ]
    # the less structured reading wins; on a tie, the grade-adjusted one: the raw reading is typed
    # only when it could win (_raw_could_win). The interval bouts of each reading are found for all
    # the runs typed on it at once.
    typed = np.flatnonzero(runs).tolist()
    sessions = interval_sessions([adjusted[k] for k in typed], easy_adj[typed])
    again: list[int] = []
    for k, found_bouts in zip(typed, sessions, strict=True):
        found = _classify(adjusted[k], timer[k], dist[k], notes[k], easy_adj[k], thr_adj[k], med_min[k],
                          found_bouts)
        if _raw_could_win(found[0], raw[k], timer[k], easy_raw[k]):
            again.append(k)
        types[k], basis[k], work[k] = found
    sessions = interval_sessions([raw[k] for k in again], easy_raw[again])
    for k, found_bouts in zip(again, sessions, strict=True):
        other = _classify(raw[k], timer[k], dist[k], notes[k], easy_raw[k], thr_raw[k], med_min[k],
                          found_bouts)
        if STRUCTURE[other[0]] < STRUCTURE[cast(str, types[k])]:
            types[k], basis[k], work[k] = other
    count, med, spread = _type_usuals(Trailing(start, window), runs, work, types)
    ratio = work / med
    z = (work - med) / spread
    return pd.DataFrame(
        {
            "run_type": types,
            "run_type_basis": basis,
            "work_speed_mps": work,
            "speed_vs_type_ratio": ratio,
            "speed_vs_type_z": z,
            "type_comparable_runs": count,
        },
        index=df.index,
    )
