"""Speed profiles, and the speeds of every profile read at once."""

from __future__ import annotations

import numpy as np
import pytest

from runtwitch.features.profiles import BIN_S, MOVING_BIN_MPS, WORK_PERCENTILE, read_profiles
from tests.helpers.profiles import corpus_profiles


@pytest.mark.corpus
def test_profiles_read_at_once_equal_numpy_profile_by_profile() -> None:
    profiles = corpus_profiles()
    assert len(profiles) > 100
    w = int(20 * 60 / BIN_S)
    # and random profiles with pauses, ties and every length up to an hour
    rng = np.random.default_rng(18)
    for n in range(120):
        p = np.round(rng.normal(3.0, 1.0, n), 1)
        p[rng.random(n) < 0.1] = np.nan
        profiles.append(p)
    for p, read in zip(profiles, read_profiles(profiles), strict=True):
        moving = p[np.isfinite(p) & (p >= MOVING_BIN_MPS)]
        assert np.array_equal(read.moving, moving) and np.array_equal(read.filled, np.nan_to_num(p, nan=0.0))
        if len(moving) == 0:
            assert np.isnan([read.cruise, read.work, read.typical]).all()
            continue
        assert read.cruise == np.percentile(moving, 60)
        assert read.work == np.percentile(moving, WORK_PERCENTILE)
        assert read.typical == np.median(moving)
        best = np.max(np.convolve(moving, np.ones(w) / w, mode="valid")) if len(moving) >= w else np.nan
        assert np.array_equal([read.best20], [best], equal_nan=True)
