"""Speed profiles of runs: 30-s mean speeds, and the speeds of a run read from them.

A run is typed (:mod:`runtwitch.features.runtype`) from its speed profile, the
mean speed of every :data:`BIN_S` seconds of the recording. This module makes
the profiles and reads from each what typing needs that does not depend on the
runner's other runs (:class:`Profile`): its moving bins, its cruise speed (the
run's part of the runner's easy speed), its best 20 minutes (its part of the
threshold speed), its work speed, its typical speed and its best
:data:`TEMPO_MIN_BLOCK_MIN` minutes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Width of the speed profile bins [s].
BIN_S = 30.0
#: Moving bins: speed at least this [m/s] (a brisk walk is about 1.4 m/s).
MOVING_BIN_MPS = 0.5
#: Work speed of a run that is not intervals: this percentile of its moving 30-s speeds.
WORK_PERCENTILE = 75
#: Tempo: a block this long [min] (its mean speed; short dips allowed) at or above
#: :data:`~runtwitch.features.runtype.TEMPO_SPEED_OF_THRESHOLD` of the threshold speed.
TEMPO_MIN_BLOCK_MIN = 12.0


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


#: The moving means of :attr:`Profile.tempo` and of the best 20 minutes, made once.
_TEMPO_KERNEL = np.ones(int(TEMPO_MIN_BLOCK_MIN * 60 / BIN_S)) / int(TEMPO_MIN_BLOCK_MIN * 60 / BIN_S)
_BEST20_KERNEL = np.ones(int(20 * 60 / BIN_S)) / int(20 * 60 / BIN_S)


class Profile:
    """What typing a speed profile needs that does not depend on the runner's references.

    Made by :func:`read_profiles`, which reads many profiles at once.

    Parameters
    ----------
    p, filled, moving
        As the attributes of the same names.
    speeds
        (cruise, best20, work, typical) [m/s], as the attributes of these names.

    Attributes
    ----------
    p
        The profile [m/s], NaN for pauses.
    filled
        ``p`` with NaN as 0 (``np.nan_to_num``).
    moving
        The moving bins (finite, at least :data:`MOVING_BIN_MPS`), in order [m/s].
    cruise, best20
        The 60th percentile of the moving bins, and the best 20-minute mean of the moving bins
        (NaN when shorter) [m/s]: the run's part of the runner's easy and threshold speed.
    work
        The :data:`WORK_PERCENTILE` th percentile of the moving bins [m/s].
    typical
        The median of the moving bins [m/s].
    """

    __slots__ = ("_tempo", "best20", "cruise", "filled", "moving", "p", "typical", "work")

    def __init__(
        self, p: np.ndarray, filled: np.ndarray, moving: np.ndarray, speeds: tuple[float, ...]
    ) -> None:
        self.p, self.filled, self.moving = p, filled, moving
        self.cruise, self.best20, self.work, self.typical = speeds
        self._tempo: float | None = None

    @property
    def tempo(self) -> float:
        """Best mean speed over :data:`TEMPO_MIN_BLOCK_MIN` minutes, pauses as 0 [m/s]; NaN when
        the profile is shorter."""
        if self._tempo is None:
            self._tempo = (float(np.convolve(self.filled, _TEMPO_KERNEL, mode="valid").max())
                           if len(self.p) >= len(_TEMPO_KERNEL) else np.nan)
        return self._tempo


def read_profiles(profiles: list[np.ndarray]) -> list[Profile]:
    """:class:`Profile` of every profile, the percentiles and medians of all of them at once.

    Parameters
    ----------
    profiles
        Speed profiles (:func:`speed_profile`) [m/s], NaN for pauses.

    Returns
    -------
    list of Profile
        One per profile, in order.

    Notes
    -----
    The moving bins of every profile are sorted in their own part of one array, and each
    profile's order statistics are read from its part: the same numbers as ``np.percentile``
    and ``np.median`` profile by profile (:func:`_segment_percentile`, :func:`_segment_median`),
    without a numpy call per profile.
    """
    if not profiles:
        return []
    sizes = np.array([len(p) for p in profiles])
    flat = np.concatenate([np.asarray(p, dtype=float) for p in profiles])
    filled = np.nan_to_num(flat, nan=0.0)
    is_moving = np.isfinite(flat) & (flat >= MOVING_BIN_MPS)
    moving = flat[is_moving]
    ends = np.cumsum(sizes)
    moving_ends = np.concatenate([[0], np.cumsum(is_moving)])[ends]
    counts = np.diff(np.concatenate([[0], moving_ends]))
    first = moving_ends - counts
    # each profile's moving bins sorted in its own part (what sorting by (profile, speed) gives:
    # the parts do not mix); a sort per part is cheaper than one lexsort over all parts
    ordered = np.empty_like(moving)
    for a, b in zip((moving_ends - counts).tolist(), moving_ends.tolist(), strict=True):
        ordered[a:b] = np.sort(moving[a:b])
    some = counts > 0
    speeds = np.full((len(profiles), 4), np.nan)
    speeds[some, 0] = _segment_percentile(ordered, first[some], counts[some], 60)
    speeds[some, 2] = _segment_percentile(ordered, first[some], counts[some], WORK_PERCENTILE)
    speeds[some, 3] = _segment_median(ordered, first[some], counts[some])
    w = len(_BEST20_KERNEL)
    out = []
    for k, p in enumerate(profiles):
        own = moving[first[k]:moving_ends[k]]
        if len(own) >= w:
            speeds[k, 1] = float(np.convolve(own, _BEST20_KERNEL, mode="valid").max())
        out.append(Profile(p, filled[ends[k] - sizes[k]:ends[k]], own, tuple(speeds[k].tolist())))
    return out


def _segment_percentile(ordered: np.ndarray, first: np.ndarray, size: np.ndarray, q: float) -> np.ndarray:
    """``np.percentile(segment, q)`` of segments of sorted values, each ``ordered[first:first + size]``
    (size at least 1): numpy's default "linear" method, interpolated as numpy does it (from below
    when the fraction is under a half, else from above), so that the numbers are the same."""
    virtual = (size - 1) * np.true_divide(q, 100)
    below = np.floor(virtual)
    last = virtual >= size - 1
    lo = np.where(last, size - 1, below).astype(np.intp)
    hi = np.where(last, size - 1, below + 1).astype(np.intp)
    t = np.where(last, 0.0, virtual - below)
    a, b = ordered[first + lo], ordered[first + hi]
    diff = b - a
    out: np.ndarray = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    return out


def _segment_median(ordered: np.ndarray, first: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``np.median(segment)`` of segments of sorted values, as :func:`_segment_percentile`: the
    middle value, or the mean of the two middle values."""
    half = size // 2
    even = size % 2 == 0
    a, b = ordered[first + np.where(even, half - 1, half)], ordered[first + half]
    out: np.ndarray = np.where(even, (a + b) / 2, b)
    return out



def run_readings(ids: list[Any], profiles: dict[Any, tuple[np.ndarray, np.ndarray]]) -> list[list[Profile]]:
    """The (raw, grade-adjusted) readings of every run's profile, each profile read once (a run
    without a grade has one profile for both readings).

    Parameters
    ----------
    ids
        The runs' ``activity_id``, in order.
    profiles
        (raw, grade-adjusted) :func:`speed_profile` of each run, by ``activity_id``; a run
        without profiles reads as empty profiles.

    Returns
    -------
    list of list of Profile
        The raw readings of the runs, then the grade-adjusted readings, each in the order of ``ids``.
    """
    empty = np.zeros(0)
    distinct: dict[int, int] = {}
    arrays: list[np.ndarray] = []
    slots: list[list[int]] = [[], []]
    for a in ids:
        for which, p in enumerate(profiles.get(a, (empty, empty))):
            slot = distinct.setdefault(id(p), len(arrays))
            if slot == len(arrays):
                arrays.append(p)
            slots[which].append(slot)
    read = read_profiles(arrays)
    return [[read[k] for k in slots[0]], [read[k] for k in slots[1]]]
