"""Did a run end with a cool-down, or stop dead at high effort?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtwitch.features.formulas import FloatArray
from runtwitch.model.schema import MOVING_SPEED_MPS

#: A sample is "easy" when its (30-s smoothed) speed is below this fraction of
#: the run's median moving speed, or below walking speed.
COOLDOWN_SPEED_FRACTION = 0.8
#: Speeds below this are walking (or standing) whatever the run's pace [m/s].
WALKING_SPEED_MPS = 2.0
#: Smoothing window for speed and heart rate [s].
SMOOTHING_S = 30.0
#: Shortest easy stretch that counts as a cool-down [min].
MIN_COOLDOWN_MIN = 2.0
#: Only the last this-many minutes are searched for the cool-down; a longer
#: easy stretch is reported as this long [min].
MAX_COOLDOWN_SEARCH_MIN = 30.0
#: Heart rate must fall by at least this much over the cool-down [bpm] (when recorded).
COOLDOWN_HR_DROP_BPM = 5.0
#: The last minute counts as "hard" at or above this fraction of max HR ...
HARD_FINISH_HR_FRACTION = 0.85
#: ... or at or above this multiple of the run's median moving speed (a sprint to the finish).
HARD_FINISH_SPEED_FACTOR = 1.1


@dataclass(frozen=True)
class Cooldown:
    """Result of :func:`detect_cooldown`.

    Attributes
    ----------
    minutes
        Length of the easy stretch at the end of the run [min] (0 if none).
    hr_drop_bpm
        Heart-rate fall over that stretch [bpm], NaN without heart rate.
    ended_hard
        True when the last minute was at high effort (a stop dead).
    final_hr_pct_max
        Mean heart rate of the last minute as a percentage of max HR.
    """

    minutes: float
    hr_drop_bpm: float
    ended_hard: bool
    final_hr_pct_max: float


def _smooth(t: FloatArray, x: FloatArray) -> FloatArray:
    """Trailing time-window mean (NaN-aware) over :data:`SMOOTHING_S`."""
    ok = np.isfinite(x)
    csum = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    cnt = np.concatenate([[0], np.cumsum(ok)])
    start = np.searchsorted(t, t - SMOOTHING_S, side="left")
    n = cnt[1:] - cnt[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (csum[1:] - csum[start]) / n, np.nan)


def detect_cooldown(t_s: FloatArray, speed: FloatArray, hr: FloatArray, max_hr: float | None) -> Cooldown:
    """Find the cool-down at the end of a run from its record stream.

    The cool-down is the final stretch whose 30-s smoothed speed stays below
    80 % of the run's median moving speed (or below walking speed), lasting
    at least 2 min, with heart rate falling at least 5 bpm over it when heart
    rate is recorded. The run "ended hard" when the last minute's heart rate
    was at least 85 % of max HR, or its speed at least 1.1 times the run's
    median, and there was no cool-down.

    Parameters
    ----------
    t_s
        Sample times [s], increasing.
    speed
        Speed [m/s] (NaN where unknown).
    hr
        Heart rate [bpm] (NaN where unknown).
    max_hr
        The runner's maximum heart rate [bpm], or None.
    """
    nan = float("nan")
    if len(t_s) < 10 or not np.isfinite(speed).any():
        return Cooldown(nan, nan, False, nan)
    moving = speed > MOVING_SPEED_MPS  # strictly above it, as the cool-down rule was set
    median = float(np.nanmedian(speed[moving])) if moving.any() else nan
    # Only the end of the run matters (plus a smoothing window before it).
    tail = int(np.searchsorted(t_s, t_s[-1] - MAX_COOLDOWN_SEARCH_MIN * 60.0 - SMOOTHING_S))
    t_s, speed, hr = t_s[tail:], speed[tail:], hr[tail:]
    v = _smooth(t_s, speed)
    h = _smooth(t_s, hr) if np.isfinite(hr).any() else np.full(len(t_s), np.nan)
    easy = (v < COOLDOWN_SPEED_FRACTION * median) | (v < WALKING_SPEED_MPS)
    # The last "not easy" sample marks the end of the effort.
    hard_idx = np.flatnonzero(~easy & np.isfinite(v))
    first = int(np.searchsorted(t_s, t_s[-1] - MAX_COOLDOWN_SEARCH_MIN * 60.0))
    start = hard_idx[-1] + 1 if len(hard_idx) else first
    start = max(start, first)
    minutes = (t_s[-1] - t_s[start]) / 60.0 if start < len(t_s) else 0.0
    drop = nan
    if start < len(t_s) and np.isfinite(h[start]) and np.isfinite(h[-1]):
        drop = float(h[start] - h[-1])  # smoothed HR where the effort ended, minus at the end
    if minutes < MIN_COOLDOWN_MIN or (np.isfinite(drop) and drop < COOLDOWN_HR_DROP_BPM):
        minutes = 0.0
    last = t_s >= t_s[-1] - 60.0
    final_hr = float(np.nanmean(hr[last])) if np.isfinite(hr[last]).any() else nan
    final_pct = final_hr / max_hr * 100.0 if max_hr and np.isfinite(final_hr) else nan
    final_speed = float(np.nanmean(speed[last])) if np.isfinite(speed[last]).any() else nan
    ended_hard = bool(
        (np.isfinite(final_pct) and final_pct >= HARD_FINISH_HR_FRACTION * 100)
        or (np.isfinite(final_speed) and final_speed >= HARD_FINISH_SPEED_FACTOR * median)
    )
    return Cooldown(round(float(minutes), 2), drop, ended_hard and minutes == 0.0, final_pct)
