"""Cool-down detection on synthetic record streams."""

from __future__ import annotations

import numpy as np

from runtwitch.features.cooldown import detect_cooldown


def _run(minutes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.arange(minutes * 60, dtype=float)
    return t, np.full(len(t), 3.0), np.full(len(t), 150.0)


def test_sprint_to_a_stop_is_no_cooldown() -> None:
    t, v, hr = _run(40)
    v[-120:] = 4.5  # last 2 minutes sprinted, then the watch stopped
    hr[-120:] = np.linspace(160, 180, 120)
    cd = detect_cooldown(t, v, hr, max_hr=190)
    assert cd.minutes == 0.0
    assert cd.ended_hard
    assert cd.final_hr_pct_max > 85


def test_eight_minutes_of_walking_with_hr_falling_is_a_cooldown() -> None:
    t, v, hr = _run(48)
    v[-480:] = 1.4  # 8 min walk
    hr[-480:] = np.linspace(150, 105, 480)
    cd = detect_cooldown(t, v, hr, max_hr=190)
    assert 7.5 <= cd.minutes <= 8.0
    assert cd.hr_drop_bpm > 30
    assert not cd.ended_hard


def test_easy_stretch_with_hr_not_falling_is_not_a_cooldown() -> None:
    t, v, hr = _run(40)
    v[-300:] = 1.5
    cd = detect_cooldown(t, v, hr, max_hr=190)  # HR flat at 150
    assert cd.minutes == 0.0


def test_easy_run_stopping_at_its_usual_pace_did_not_end_hard() -> None:
    t, v, hr = _run(30)
    hr[:] = 130
    cd = detect_cooldown(t, v, hr, max_hr=190)
    assert cd.minutes == 0.0 and not cd.ended_hard


def test_without_speed_nothing_is_claimed() -> None:
    t, _, hr = _run(30)
    cd = detect_cooldown(t, np.full(len(t), np.nan), hr, max_hr=190)
    assert np.isnan(cd.minutes) and not cd.ended_hard
