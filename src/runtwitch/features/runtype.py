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

from runtwitch.features.profiles import (
    BIN_S,
    MOVING_BIN_MPS,
    TEMPO_MIN_BLOCK_MIN,
    Profile,
    read_profiles,
    run_readings,
)
from runtwitch.features.window import Trailing, masked_medians

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


def _bouts(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) bin indices of the runs of True in ``mask`` (end exclusive)."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


#: Relative margin within which :func:`_separated` leaves a recovery to numpy's own means: its screen
#: takes means from prefix sums, which differ from numpy's pairwise sums in the last bits (about
#: 1e-12 of a mean over a day-long profile), so only a recovery this close to its limit is
#: computed again exactly.
SCREEN_MARGIN = 1e-6


def _separated(
    p: np.ndarray,
    bouts: list[tuple[int, int]],
    filled: np.ndarray | None = None,
    wanted: set[int] | None = None,
) -> list[tuple[int, int]]:
    """The bouts next to a real recovery: the moving bins between two bouts average at most
    :data:`RECOVERY_OF_WORK` of the faster bout's speed (noise, hills and stops at traffic
    lights do not make intervals).

    ``filled`` is ``p`` with NaN as 0, when already at hand. ``wanted``: the positions of the
    bouts whose answer is needed (None: all); a gap between two others is not looked at.

    Every gap is screened at once with means from prefix sums; a gap whose recovery lies within
    :data:`SCREEN_MARGIN` of its limit is decided with ``ndarray.mean`` of its bins and of the
    bouts' (the numbers a loop over the gaps takes), so the answer is exactly that loop's.
    """
    if len(bouts) < 2:
        return []
    filled = np.nan_to_num(p, nan=0.0) if filled is None else filled
    edges = np.asarray(bouts, dtype=np.intp)
    a, b = edges[:-1, 1], edges[1:, 0]  # the gap after each bout but the last
    if wanted is None:
        look = np.ones(len(a), dtype=bool)
    else:
        asked = np.zeros(len(bouts), dtype=bool)
        asked[[k for k in wanted if 0 <= k < len(bouts)]] = True
        look = asked[:-1] | asked[1:]  # a gap next to a wanted bout
    moving_bin = filled >= MOVING_BIN_MPS
    moving_before = np.concatenate([[0], np.cumsum(moving_bin)])
    n_moving = moving_before[b] - moving_before[a]
    standing = n_moving * 2 < b - a  # mostly standing: a stop (traffic light), not a recovery jog
    empty = b == a
    moving_sum = np.concatenate([[0.0], np.cumsum(np.where(moving_bin, filled, 0.0))])
    # a bout holds no NaN (all its bins are fast) unless its speed limit is not positive: those
    # bouts' means are NaN, as ndarray.mean of their bins gives
    sums = np.concatenate([[0.0], np.cumsum(filled)])
    nan_before = np.concatenate([[0], np.cumsum(np.isnan(p))])
    with np.errstate(invalid="ignore", divide="ignore"):
        recovery = (moving_sum[b] - moving_sum[a]) / n_moving
        mean = (sums[edges[:, 1]] - sums[edges[:, 0]]) / (edges[:, 1] - edges[:, 0])
    mean[nan_before[edges[:, 1]] > nan_before[edges[:, 0]]] = np.nan
    # "at most RECOVERY_OF_WORK of either bout" is "of the faster one" (rounding is monotonic)
    limit = RECOVERY_OF_WORK * np.fmax(mean[:-1], mean[1:])
    passes = recovery <= limit
    open_ = look & ~standing & ~empty
    close = open_ & (np.abs(recovery - limit) <= SCREEN_MARGIN * np.fmax(np.abs(recovery), np.abs(limit)))
    if not np.isfinite(filled).all():
        close = open_  # an infinite speed spoils the prefix sums after it: every gap exactly
    for k in np.flatnonzero(close).tolist():
        gap = filled[a[k]:b[k]]
        exact = float(gap[gap >= MOVING_BIN_MPS].mean())
        first, second = (float(p[s:e].mean()) for s, e in bouts[k:k + 2])
        passes[k] = exact <= RECOVERY_OF_WORK * first or exact <= RECOVERY_OF_WORK * second
    kept = look & ~standing & (empty | passes)
    keep = np.zeros(len(bouts), dtype=bool)
    keep[:-1] |= kept
    keep[1:] |= kept
    return [bout for bout, k in zip(bouts, keep.tolist(), strict=True) if k]


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


#: What :func:`_intervals` answers: the short, separated work bouts and their minutes of work, or None.
Sessions = tuple[list[tuple[int, int]], float] | None
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
    intervals: Sessions | object = _ASK,
) -> tuple[str, str, float]:
    """:func:`classify` of a profile whose own values are computed (:class:`Profile`).

    ``intervals``: :func:`_intervals` of the profile against ``v_easy`` when already found (for
    every run at once, :func:`_interval_sessions`); by default it is found here when needed.
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
    sessions = _intervals(prof, v_easy) if intervals is _ASK else cast(Sessions, intervals)
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


def _intervals(prof: Profile, v_easy: float) -> tuple[list[tuple[int, int]], float] | None:
    """The short, separated work bouts of an interval session and their minutes of work, or None.

    A work bout is fast against the runner's easy speed and against this run's own typical
    speed. The bouts are checked for recoveries between them only when the short ones could
    make an interval session at all (enough of them, enough work).
    """
    work = prof.filled >= WORK_SPEED_OF_EASY * max(v_easy, prof.typical)
    if np.count_nonzero(work) * BIN_S / 60.0 < INTERVAL_MIN_WORK_MIN:
        return None  # not enough work in the whole run
    bouts = _bouts(work)
    candidates = [k for k, (a, b) in enumerate(bouts) if (b - a) * BIN_S <= INTERVAL_MAX_BOUT_MIN * 60.0]
    if (len(candidates) < INTERVAL_MIN_BOUTS
            or sum(bouts[k][1] - bouts[k][0] for k in candidates) * BIN_S / 60.0 < INTERVAL_MIN_WORK_MIN):
        return None  # the separated short bouts are some of these: too few, or too little work
    separated = set(_separated(prof.p, bouts, prof.filled, wanted=set(candidates)))
    short = [bouts[k] for k in candidates if bouts[k] in separated]
    work_min = sum(b - a for a, b in short) * BIN_S / 60.0
    if len(short) >= INTERVAL_MIN_BOUTS and work_min >= INTERVAL_MIN_WORK_MIN:
        return short, work_min
    return None


def _interval_sessions(profs: Sequence[Profile], v_easy: np.ndarray) -> list[Sessions]:
    """:func:`_intervals` of every profile against its easy speed (``profs[k]``, ``v_easy[k]``) at
    once: the same answers, without a numpy call per profile.

    Only a profile :func:`_classify` would look for intervals in is answered (moving bins and a
    finite easy speed); the others get None. Every profile's work bins, bouts and short bouts are
    found in one array of all the profiles, and the recoveries between the bouts of the profiles
    that could make an interval session are screened together (:func:`_screen_recoveries`).
    """
    out: list[Sessions] = [None] * len(profs)
    easy = np.asarray(v_easy, dtype=float)
    asked = [k for k, prof in enumerate(profs) if len(prof.moving) and np.isfinite(easy[k])]
    if not asked:
        return out
    chosen = [profs[k] for k in asked]
    sizes = np.array([len(prof.p) for prof in chosen], dtype=np.intp)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    filled = np.concatenate([prof.filled for prof in chosen])
    typical = np.array([prof.typical for prof in chosen], dtype=float)
    # a work bin: fast against the easy speed and the run's own typical speed (both finite here)
    work = filled >= np.repeat(WORK_SPEED_OF_EASY * np.maximum(easy[asked], typical), sizes)
    work_before = np.concatenate([[0], np.cumsum(work)])
    enough = ~((work_before[ends] - work_before[starts]) * BIN_S / 60.0 < INTERVAL_MIN_WORK_MIN)
    # the bouts (runs of work bins) of every profile, none across two profiles
    inside = np.ones(len(filled), dtype=bool)
    inside[starts[sizes > 0]] = False  # a profile's first bin has no bin before it
    before = np.zeros(len(filled), dtype=bool)
    before[1:] = work[:-1]
    after = np.zeros(len(filled), dtype=bool)
    after[:-1] = work[1:]
    last = np.zeros(len(filled), dtype=bool)
    last[ends[sizes > 0] - 1] = True
    first_bins = np.flatnonzero(work & ~(before & inside))
    end_bins = np.flatnonzero(work & ~(after & ~last)) + 1
    owner = np.searchsorted(ends, first_bins, "right")  # the profile of each bout
    short = (end_bins - first_bins) * BIN_S <= INTERVAL_MAX_BOUT_MIN * 60.0
    n_short = np.bincount(owner[short], minlength=len(chosen))
    short_bins = np.bincount(owner[short], weights=(end_bins - first_bins)[short], minlength=len(chosen))
    # the separated short bouts are some of the short ones: too few, or too little work, is no session
    could = enough & (n_short >= INTERVAL_MIN_BOUTS) & ~(short_bins * BIN_S / 60.0 < INTERVAL_MIN_WORK_MIN)
    if not could.any():
        return out
    # an infinite speed (filled holds the largest float for it): that profile the way _intervals goes
    infinite = np.concatenate([[0], np.cumsum(np.isinf(np.concatenate([prof.p for prof in chosen])))])
    spoiled = infinite[ends] > infinite[starts]
    for j in np.flatnonzero(could & spoiled).tolist():
        out[asked[j]] = _intervals(chosen[j], float(easy[asked[j]]))
    screened = could & ~spoiled
    mine = screened[owner]
    kept = _screen_recoveries(chosen, filled, first_bins[mine], end_bins[mine], owner[mine], short[mine],
                              starts)
    taken = short[mine] & kept
    owners = owner[mine][taken]
    base = starts[owners]  # each bout in its own profile's bins
    found: dict[int, list[tuple[int, int]]] = {}
    for j, a, b in zip(owners.tolist(), (first_bins[mine][taken] - base).tolist(),
                       (end_bins[mine][taken] - base).tolist(), strict=True):
        found.setdefault(j, []).append((a, b))
    for j, bouts in found.items():
        work_min = sum(b - a for a, b in bouts) * BIN_S / 60.0
        if len(bouts) >= INTERVAL_MIN_BOUTS and work_min >= INTERVAL_MIN_WORK_MIN:
            out[asked[j]] = bouts, work_min
    return out


def _screen_recoveries(
    chosen: Sequence[Profile],
    filled: np.ndarray,
    first: np.ndarray,
    end: np.ndarray,
    owner: np.ndarray,
    wanted: np.ndarray,
    starts: np.ndarray,
) -> np.ndarray:
    """Which bouts :func:`_separated` keeps, for the bouts of several profiles at once.

    ``filled`` holds the profiles one after another (NaN as 0, starting at ``starts``); the bouts
    are ``filled[first:end]`` in order, of profile ``owner``, and ``wanted`` marks those whose
    answer is needed. The sums over each bout and each gap are taken by ``np.add.reduceat``,
    each over its own bins (no prefix sums over all the profiles: the rounding of a sum stays
    that of its own bins), and a recovery within :data:`SCREEN_MARGIN` of its limit is decided with
    ``ndarray.mean`` as :func:`_separated` decides it, so the answers are exactly its answers.
    """
    n = len(first)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # the bouts and the gaps between them, one after another: [first0, end0, first1, end1, ...];
    # one bin more at the end, so that a bout ending with the last bin has a place for its gap
    edges = np.empty(2 * n, dtype=np.intp)
    edges[0::2], edges[1::2] = first, end
    padded = np.append(filled, 0.0)
    moving_bin = padded >= MOVING_BIN_MPS
    # a bout's bins are all at least its work speed, which is above MOVING_BIN_MPS: no pause (NaN)
    # is in a bout, so its mean is the mean of its filled bins
    sums = np.add.reduceat(padded, edges)
    moving_sums = np.add.reduceat(np.where(moving_bin, padded, 0.0), edges)
    moving_counts = np.add.reduceat(moving_bin.astype(np.intp), edges)
    length = end - first
    same = owner[:-1] == owner[1:]  # a gap between two bouts of one profile
    a, b = end[:-1], first[1:]
    gap = b - a
    n_moving = moving_counts[1::2][:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        recovery = moving_sums[1::2][:-1] / n_moving
        mean = sums[0::2] / length
    look = same & (wanted[:-1] | wanted[1:])
    standing = n_moving * 2 < gap
    empty = gap == 0
    # "at most RECOVERY_OF_WORK of either bout" is "of the faster one" (rounding is monotonic)
    limit = RECOVERY_OF_WORK * np.fmax(mean[:-1], mean[1:])
    passes = recovery <= limit
    open_ = look & ~standing & ~empty
    close = open_ & (np.abs(recovery - limit) <= SCREEN_MARGIN * np.fmax(np.abs(recovery), np.abs(limit)))
    for k in np.flatnonzero(close).tolist():
        prof, base = chosen[owner[k]], starts[owner[k]]
        bins = prof.filled[a[k] - base:b[k] - base]
        exact = float(bins[bins >= MOVING_BIN_MPS].mean())
        first_mean, second_mean = (float(prof.p[s - base:e - base].mean())
                                   for s, e in ((first[k], end[k]), (first[k + 1], end[k + 1])))
        passes[k] = exact <= RECOVERY_OF_WORK * first_mean or exact <= RECOVERY_OF_WORK * second_mean
    kept = look & ~standing & (empty | passes)
    keep = np.zeros(n, dtype=bool)
    keep[:-1] |= kept
    keep[1:] |= kept
    return keep


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
    sessions = _interval_sessions([adjusted[k] for k in typed], easy_adj[typed])
    again: list[int] = []
    for k, found_bouts in zip(typed, sessions, strict=True):
        found = _classify(adjusted[k], timer[k], dist[k], notes[k], easy_adj[k], thr_adj[k], med_min[k],
                          found_bouts)
        if _raw_could_win(found[0], raw[k], timer[k], easy_raw[k]):
            again.append(k)
        types[k], basis[k], work[k] = found
    sessions = _interval_sessions([raw[k] for k in again], easy_raw[again])
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
