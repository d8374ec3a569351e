"""Interval sessions: work bouts, the recoveries that separate them, and every profile's session at once."""

from __future__ import annotations

import numpy as np
import pytest

from runtwitch.features.intervals import (
    RECOVERY_OF_WORK,
    interval_session,
    interval_sessions,
    separated,
    work_bouts,
)
from runtwitch.features.profiles import MOVING_BIN_MPS, read_profiles
from tests.helpers.profiles import corpus_profiles, minutes


def _separated_loop(
    p: np.ndarray, bouts: list[tuple[int, int]], wanted: set[int] | None
) -> list[tuple[int, int]]:
    """The loop over the gaps that ``separated`` replaced (its reference): each gap's moving bins
    and each bout's bins averaged by ``ndarray.mean``."""
    filled = np.nan_to_num(p, nan=0.0)
    keep: set[int] = set()
    for k in range(len(bouts) - 1):
        if wanted is not None and k not in wanted and k + 1 not in wanted:
            continue
        a, b = bouts[k][1], bouts[k + 1][0]
        gap = filled[a:b]
        moving = gap[gap >= MOVING_BIN_MPS]
        if len(moving) * 2 < b - a:
            continue
        if len(gap) == 0:
            keep |= {k, k + 1}
            continue
        recovery = float(moving.mean())
        if any(recovery <= RECOVERY_OF_WORK * float(p[s:e].mean()) for s, e in bouts[k:k + 2]):
            keep |= {k, k + 1}
    return [b for k, b in enumerate(bouts) if k in keep]


@pytest.mark.corpus
def test_separated_bouts_equal_the_loop_over_the_gaps() -> None:
    """The screened recoveries decide exactly as the loop does: on every corpus run's profiles at
    several work thresholds, and on profiles made of exact ties (a recovery of exactly 0.75 of its
    bout), pauses, infinite speeds and adjacent bouts."""
    profiles = corpus_profiles()
    rng = np.random.default_rng(26)
    for n in range(2, 160):
        p = rng.choice([0.0, 0.4, 1.5, 2.25, 3.0, 3.75, 4.0, 5.0, np.nan], n)
        if n % 17 == 0:
            p[rng.integers(n)] = np.inf
        profiles.append(p)
    compared = 0
    for p in profiles:
        filled = np.nan_to_num(p, nan=0.0)
        for limit in (2.0, 2.9, 3.5, 4.0, 0.0):
            bouts = work_bouts(filled >= limit) if limit > 0 else [(k, k + 1) for k in range(len(p))]
            for wanted in (None, set(range(0, len(bouts), 3))):
                assert separated(p, bouts, filled, wanted) == _separated_loop(p, bouts, wanted)
                compared += len(bouts)
    assert compared > 10_000


@pytest.mark.corpus
def test_interval_bouts_found_at_once_equal_the_profile_by_profile_answer() -> None:
    """``interval_sessions`` answers every profile as ``interval_session`` does: every corpus run's
    profiles at easy speeds that make many, some and no work bouts, and made-up interval sessions
    with recoveries at exactly 0.75 of their bouts, pauses, infinite speeds and unknown easy speeds."""
    profiles = corpus_profiles()
    rng = np.random.default_rng(27)
    for n in range(2, 200, 3):
        reps = [np.full(int(rng.integers(1, 25)), rng.choice([4.0, 5.0, 4.4])) for _ in range(n % 9)]
        parts = [x for rep in reps for x in (rep, rng.choice([0.75 * rep[0], 3.0, np.nan, 0.3], 2 + n % 3))]
        p = np.concatenate([minutes(2.9, n % 20 + 1), *parts, minutes(2.8, 3)])
        if n % 23 == 0:
            p[rng.integers(len(p))] = np.inf
        profiles.append(p)
    profiles += [np.zeros(0), np.full(40, np.nan)]
    read = read_profiles(profiles)
    compared = found = 0
    for easy in (2.0, 2.6, 3.0, 3.4, 4.0, np.nan):
        v_easy = np.full(len(read), easy)
        v_easy[::7] = np.nan
        got = interval_sessions(read, v_easy)
        for prof, v, answer in zip(read, v_easy.tolist(), got, strict=True):
            if len(prof.moving) == 0 or not np.isfinite(v):
                assert answer is None
                continue
            assert answer == interval_session(prof, v)
            compared += 1
            found += answer is not None
    assert compared > 500 and found > 100
