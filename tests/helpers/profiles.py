"""Speed profiles for the tests of run typing: made-up minutes of running and the corpus runs' profiles."""

from __future__ import annotations

import numpy as np

import runtwitch
from runtwitch.features.profiles import BIN_S
from runtwitch.features.runs import record_features
from tests.conftest import MANIFEST, corpus_path, read_cached

RNG = np.random.default_rng(7)


def minutes(v: float, m: float) -> np.ndarray:
    """``m`` minutes of 30-s bins at ``v`` m/s with 2 % pace noise."""
    n = int(m * 60 / BIN_S)
    return v * (1 + RNG.normal(0, 0.02, n))


def corpus_profiles() -> list[np.ndarray]:
    """The raw and grade-adjusted speed profiles of every corpus activity read as a run."""
    ath = runtwitch.Athlete(max_hr=190)
    profiles: list[np.ndarray] = []
    for row in MANIFEST:
        if row["kind"] == "activity" and row["format"] in ("fit", "gpx", "tcx"):
            found = record_features(read_cached(str(corpus_path(row))), ath, is_run=True).profiles
            if found is not None:
                profiles += list(found)
    return profiles
