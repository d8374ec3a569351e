"""Interval sessions in a speed profile: short work bouts separated by real recoveries.

The ``intervals`` rule of run typing (:mod:`runtwitch.features.runtype`). A
work bin is at or above :data:`WORK_SPEED_OF_EASY` times the runner's easy
speed or this run's own typical speed, whichever is higher; a work bout is a
run of work bins. A session is at least :data:`INTERVAL_MIN_BOUTS` bouts of at
most :data:`INTERVAL_MAX_BOUT_MIN` minutes, :data:`INTERVAL_MIN_WORK_MIN`
minutes of work in all, each next to a recovery of at most
:data:`RECOVERY_OF_WORK` of the work speed (stops at traffic lights are not
recoveries). :func:`interval_session` finds the session of one profile;
:func:`interval_sessions` those of many profiles at once, with the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from runtwitch.features.profiles import BIN_S, MOVING_BIN_MPS, Profile

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


def work_bouts(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) bin indices of the runs of True in ``mask`` (end exclusive).

    Parameters
    ----------
    mask
        The work bins of a profile (any boolean array).

    Returns
    -------
    list of (int, int)
        The bouts, in order.
    """
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


#: Relative margin within which :func:`separated` leaves a recovery to numpy's own means: its screen
#: takes means from prefix sums, which differ from numpy's pairwise sums in the last bits (about
#: 1e-12 of a mean over a day-long profile), so only a recovery this close to its limit is
#: computed again exactly.
SCREEN_MARGIN = 1e-6


def mostly_standing(n_moving: np.ndarray, n_bins: np.ndarray) -> np.ndarray:
    """Whether a gap between two bouts is mostly standing (fewer than half of its ``n_bins``
    30-s bins moving, ``n_moving``): a stop at a traffic light, not a recovery jog."""
    return np.asarray(n_moving * 2 < n_bins)


def separated(
    p: np.ndarray,
    bouts: list[tuple[int, int]],
    filled: np.ndarray | None = None,
    wanted: set[int] | None = None,
) -> list[tuple[int, int]]:
    """The bouts next to a real recovery: the moving bins between two bouts average at most
    :data:`RECOVERY_OF_WORK` of the faster bout's speed (noise, hills and stops at traffic
    lights do not make intervals).

    Parameters
    ----------
    p
        The speed profile [m/s], NaN for pauses.
    bouts
        Its work bouts (:func:`work_bouts`), in order.
    filled
        ``p`` with NaN as 0, when already at hand.
    wanted
        The positions of the bouts whose answer is needed (None: all); a gap between two
        others is not looked at.

    Returns
    -------
    list of (int, int)
        The bouts of ``bouts`` next to a real recovery, in order.

    Notes
    -----
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
    standing = mostly_standing(n_moving, b - a)
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


#: What :func:`interval_session` answers: the short, separated work bouts and their minutes of work, or None.
Session = tuple[list[tuple[int, int]], float] | None


def interval_session(prof: Profile, v_easy: float) -> Session:
    """The short, separated work bouts of an interval session and their minutes of work, or None.

    A work bout is fast against the runner's easy speed and against this run's own typical
    speed. The bouts are checked for recoveries between them only when the short ones could
    make an interval session at all (enough of them, enough work).

    Parameters
    ----------
    prof
        The run's profile, read (:func:`~runtwitch.features.profiles.read_profiles`).
    v_easy
        The runner's easy speed [m/s].

    Returns
    -------
    Session
        The (start, end) bins of the work bouts and their minutes of work [min]; None when the
        run is no interval session.
    """
    work = prof.filled >= WORK_SPEED_OF_EASY * max(v_easy, prof.typical)
    if np.count_nonzero(work) * BIN_S / 60.0 < INTERVAL_MIN_WORK_MIN:
        return None  # not enough work in the whole run
    bouts = work_bouts(work)
    candidates = [k for k, (a, b) in enumerate(bouts) if (b - a) * BIN_S <= INTERVAL_MAX_BOUT_MIN * 60.0]
    if (len(candidates) < INTERVAL_MIN_BOUTS
            or sum(bouts[k][1] - bouts[k][0] for k in candidates) * BIN_S / 60.0 < INTERVAL_MIN_WORK_MIN):
        return None  # the separated short bouts are some of these: too few, or too little work
    apart = set(separated(prof.p, bouts, prof.filled, wanted=set(candidates)))
    short = [bouts[k] for k in candidates if bouts[k] in apart]
    work_min = sum(b - a for a, b in short) * BIN_S / 60.0
    if len(short) >= INTERVAL_MIN_BOUTS and work_min >= INTERVAL_MIN_WORK_MIN:
        return short, work_min
    return None


def interval_sessions(profs: Sequence[Profile], v_easy: np.ndarray) -> list[Session]:
    """:func:`interval_session` of every profile against its easy speed (``profs[k]``, ``v_easy[k]``) at
    once: the same answers, without a numpy call per profile.

    Parameters
    ----------
    profs
        The runs' profiles, read (:func:`~runtwitch.features.profiles.read_profiles`).
    v_easy
        The runner's easy speed at each run [m/s].

    Returns
    -------
    list of Session
        One per profile, in order. Only a profile with moving bins and a finite easy speed is
        answered (the runs typing looks for intervals in); the others get None.

    Notes
    -----
    Every profile's work bins, bouts and short bouts are found in one array of all the profiles,
    and the recoveries between the bouts of the profiles that could make an interval session are
    screened together (:func:`_screen_recoveries`).
    """
    out: list[Session] = [None] * len(profs)
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
    # an infinite speed (filled holds the largest float for it): that profile the way interval_session goes
    infinite = np.concatenate([[0], np.cumsum(np.isinf(np.concatenate([prof.p for prof in chosen])))])
    spoiled = infinite[ends] > infinite[starts]
    for j in np.flatnonzero(could & spoiled).tolist():
        out[asked[j]] = interval_session(chosen[j], float(easy[asked[j]]))
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
    """Which bouts :func:`separated` keeps, for the bouts of several profiles at once.

    ``filled`` holds the profiles one after another (NaN as 0, starting at ``starts``); the bouts
    are ``filled[first:end]`` in order, of profile ``owner``, and ``wanted`` marks those whose
    answer is needed. The sums over each bout and each gap are taken by ``np.add.reduceat``,
    each over its own bins (no prefix sums over all the profiles: the rounding of a sum stays
    that of its own bins), and a recovery within :data:`SCREEN_MARGIN` of its limit is decided with
    ``ndarray.mean`` as :func:`separated` decides it, so the answers are exactly its answers.
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
    standing = mostly_standing(n_moving, gap)
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
