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
    At least :data:`INTERVAL_MIN_BOUTS` work bouts of 30 s to
    :data:`INTERVAL_MAX_BOUT_MIN` minutes and :data:`INTERVAL_MIN_WORK_MIN`
    minutes of work in total; a work bout is a stretch at or above
    :data:`WORK_SPEED_OF_EASY` times the runner's easy running speed.
``long``
    Timer time at least :data:`LONG_MIN_MINUTES` and
    :data:`LONG_OF_MEDIAN` times the runner's median run duration.
``tempo``
    A continuous block of :data:`TEMPO_MIN_BLOCK_MIN` minutes at or above
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
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.features.window import Trailing

#: Width of the speed profile bins [s].
BIN_S = 30.0
#: Days of earlier runs that set the runner's easy and threshold speed, and the usual of a type.
TYPE_WINDOW_DAYS = 90
#: A work bout is at or above this multiple of the runner's easy running speed.
WORK_SPEED_OF_EASY = 1.12
#: Recoveries between work bouts average at most this fraction of the work speed (jogs between
#: repetitions run at about half to two thirds of it; pace noise and hills swing by 15-25 %).
RECOVERY_OF_WORK = 0.75
#: Intervals: at least this many work bouts ...
INTERVAL_MIN_BOUTS = 3
#: ... each at most this long [min] ...
INTERVAL_MAX_BOUT_MIN = 12.0
#: ... and this much work in total [min].
INTERVAL_MIN_WORK_MIN = 6.0
#: Tempo: a block this long [min] (its mean speed; short dips allowed) ...
TEMPO_MIN_BLOCK_MIN = 12.0
#: ... at or above this fraction of the threshold speed.
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
#: Work speed of a run that is not intervals: this percentile of its moving 30-s speeds.
WORK_PERCENTILE = 75
#: Moving bins: speed at least this [m/s] (a brisk walk is about 1.4 m/s).
MOVING_BIN_MPS = 0.5


def speed_profile(t: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Mean speed per :data:`BIN_S` seconds of the recording [m/s]; NaN for empty bins (pauses).

    Parameters
    ----------
    t
        Sample times [s].
    speed
        Speed per sample [m/s] (NaN where unknown).
    """
    ok = np.isfinite(t) & np.isfinite(speed)
    if ok.sum() < 2:
        return np.zeros(0)
    tt, vv = t[ok] - t[ok][0], speed[ok]
    bins = (tt // BIN_S).astype(np.int64)
    n = int(bins[-1]) + 1
    total = np.bincount(bins, weights=vv, minlength=n)
    count = np.bincount(bins, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: np.ndarray = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out


def _bouts(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) bin indices of the runs of True in ``mask`` (end exclusive)."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _separated(p: np.ndarray, bouts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The bouts next to a real recovery: the moving bins between two bouts average at most
    :data:`RECOVERY_OF_WORK` of the faster bout's speed (noise, hills and stops at traffic
    lights do not make intervals)."""
    keep: set[int] = set()
    for k in range(len(bouts) - 1):
        (a0, a1), (b0, b1) = bouts[k], bouts[k + 1]
        gap = np.nan_to_num(p[a1:b0], nan=0.0)
        moving = gap[gap >= MOVING_BIN_MPS]
        if len(moving) * 2 < len(gap):  # mostly standing: a stop (traffic light), not a recovery jog
            continue
        work = max(float(np.nanmean(p[a0:a1])), float(np.nanmean(p[b0:b1])))
        if len(gap) == 0 or float(moving.mean()) <= RECOVERY_OF_WORK * work:
            keep |= {k, k + 1}
    return [b for k, b in enumerate(bouts) if k in keep]


def _profile_stats(p: np.ndarray) -> tuple[float, float]:
    """(cruise speed: 60th percentile of the moving bins, best 20-minute mean speed) [m/s]."""
    moving = p[np.isfinite(p) & (p >= MOVING_BIN_MPS)]
    if len(moving) == 0:
        return np.nan, np.nan
    cruise = float(np.percentile(moving, 60))
    w = int(20 * 60 / BIN_S)
    if len(moving) < w:
        return cruise, np.nan
    best = float(np.max(np.convolve(moving, np.ones(w) / w, mode="valid")))
    return cruise, best


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
    :data:`WORK_PERCENTILE` th percentile of the moving 30-s speeds.
    """
    moving = p[np.isfinite(p) & (p >= MOVING_BIN_MPS)]
    # the speed the run was held at: a cool-down walk, a final sprint or stops do not move it
    mean_v = float(np.percentile(moving, WORK_PERCENTILE)) if len(moving) else np.nan
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
    # a work bout is fast against the runner's easy speed and against this run's own typical speed
    work = np.nan_to_num(p, nan=0.0) >= WORK_SPEED_OF_EASY * max(v_easy, float(np.median(moving)))
    short = [
        (a, b) for a, b in _separated(p, _bouts(work)) if (b - a) * BIN_S <= INTERVAL_MAX_BOUT_MIN * 60.0
    ]
    work_min = sum(b - a for a, b in short) * BIN_S / 60.0
    if len(short) >= INTERVAL_MIN_BOUTS and work_min >= INTERVAL_MIN_WORK_MIN:
        fast = np.concatenate([p[a:b] for a, b in short])
        return "intervals", f"{len(short)} work bouts, {work_min:.0f} min of work", float(np.nanmean(fast))
    minutes = timer_s / 60.0 if np.isfinite(timer_s) else len(p) * BIN_S / 60.0
    if minutes >= max(LONG_MIN_MINUTES, LONG_OF_MEDIAN * (median_min if np.isfinite(median_min) else 0.0)):
        return "long", f"{minutes:.0f} min, at least {LONG_OF_MEDIAN:g}x your median run", mean_v
    block = int(TEMPO_MIN_BLOCK_MIN * 60 / BIN_S)
    if len(p) >= block:
        rolling = np.convolve(np.nan_to_num(p, nan=0.0), np.ones(block) / block, mode="valid")
        if float(rolling.max()) >= TEMPO_SPEED_OF_THRESHOLD * v_thr:
            return "tempo", f"{TEMPO_MIN_BLOCK_MIN:g} min or more near threshold pace", mean_v
    return "easy", "steady running", mean_v


#: How structured a type is: when the raw and the grade-adjusted profile disagree, the less
#: structured reading wins (hills fake intervals on raw speed, altitude noise on adjusted speed).
STRUCTURE = {"easy": 0, "long": 1, "tempo": 2, "intervals": 3, "race": 4}


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
        (raw, grade-adjusted) :func:`speed_profile` of each run, by ``activity_id``.

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
    empty = (np.zeros(0), np.zeros(0))
    readings = []
    for which in (0, 1):
        stats = [_profile_stats(profiles.get(a, empty)[which]) for a in ids]
        readings.append((which, np.array([s[0] for s in stats]), np.array([s[1] for s in stats])))
    types: list[str | None] = [None] * n
    basis: list[str | None] = [None] * n
    work = np.full(n, np.nan)
    window = TYPE_WINDOW_DAYS * 86400.0
    upto = Trailing(start, window, closed="both")  # the run itself and the runs before it
    for k in range(n):
        if not runs[k]:
            continue
        w = upto[k]
        pool = w[runs[w]]
        med_min = float(np.nanmedian(timer[pool])) / 60.0 if np.isfinite(timer[pool]).any() else np.nan
        found = []
        for which, cruise, best20 in readings:
            v_easy = float(np.nanmedian(cruise[pool])) if np.isfinite(cruise[pool]).any() else np.nan
            p90 = float(np.nanpercentile(best20[pool], 90)) if np.isfinite(best20[pool]).any() else np.nan
            v_thr = np.nanmax([p90, THRESHOLD_FLOOR_OF_EASY * v_easy]) if np.isfinite(v_easy) else np.nan
            profile = profiles.get(ids[k], empty)[which]
            found.append(classify(profile, timer[k], dist[k], notes[k], v_easy, v_thr, med_min))
        # the less structured reading wins; on a tie, the grade-adjusted one
        types[k], basis[k], work[k] = min(reversed(found), key=lambda r: STRUCTURE[r[0]])
    ratio, z, count = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    kinds = np.array([t or "" for t in types], dtype=object)
    hard = np.isin(kinds, list(HARD_TYPES))
    earlier = Trailing(start, window)
    for k in range(n):
        if not runs[k] or not np.isfinite(work[k]):
            continue
        w = earlier[k]
        before = w[runs[w] & np.isfinite(work[w])]
        same = before[kinds[before] == kinds[k]]
        group = before[hard[before] == hard[k]]
        comp = same if len(same) >= TYPE_MIN_RUNS else group
        if len(comp) < TYPE_MIN_RUNS and not hard[k]:
            comp = before
        count[k] = len(comp)
        if len(comp) < TYPE_MIN_RUNS:
            continue
        med = float(np.median(work[comp]))
        spread = max(1.4826 * float(np.median(np.abs(work[comp] - med))), SPEED_SPREAD_FLOOR * med)
        ratio[k] = work[k] / med
        z[k] = (work[k] - med) / spread
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
