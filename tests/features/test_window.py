"""Trailing windows reduced at once equal the loop over each row's window they replaced."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.features.window import Trailing, masked_medians, pool_medians
from runtwitch.model.schema import is_run
from tests.conftest import MANIFEST, corpus_path, read_cached

DAY = 86400.0


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the last bit, NaN where NaN."""
    return bool(np.array_equal(a, b, equal_nan=True))


def _by_loop(tr: Trailing, values: np.ndarray, among: np.ndarray, reduce) -> np.ndarray:
    out = np.full(len(values), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in range(len(values)):
            w = tr[k]
            x = values[w[among[w]]]
            if np.isfinite(x).any():
                out[k] = reduce(x)
    return out


def _check(start: np.ndarray, values: np.ndarray, among: np.ndarray) -> None:
    for closed in ("left", "both"):
        for days in (30, 90):
            tr = Trailing(start, days * DAY, closed=closed)
            assert _same(tr.median(values, among), _by_loop(tr, values, among, np.nanmedian))
            assert _same(tr.percentile(values, 90, among),
                         _by_loop(tr, values, among, lambda x: np.nanpercentile(x, 90)))
            assert _same(tr.max(values, among), _by_loop(tr, values, among, np.nanmax))


@pytest.fixture(scope="module")
def corpus_runs() -> pd.DataFrame:
    """Every corpus activity: its start, timer time, distance, run or not (the real spacing of files)."""
    acts = [read_cached(str(corpus_path(r))) for r in MANIFEST
            if r["kind"] == "activity" and r["format"] in ("fit", "gpx", "tcx")]
    season = runtwitch.Season.build([a for a in acts if a.start is not None])
    return season.table.assign(is_run=season.table["sport"].map(is_run))


@pytest.mark.corpus
def test_window_reductions_equal_the_loop_on_corpus_activities(corpus_runs: pd.DataFrame) -> None:
    start = corpus_runs["start_utc"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    among = corpus_runs["is_run"].to_numpy(dtype=bool)
    for col in ("timer_s", "distance_m", "elapsed_s"):
        _check(start, corpus_runs[col].to_numpy(float), among)


def test_window_reductions_equal_the_loop_with_ties_gaps_and_missing_values() -> None:
    rng = np.random.default_rng(18)
    for trial in range(60):
        n = int(rng.integers(0, 120))
        start = rng.uniform(0, 400 * DAY, n)
        start[rng.random(n) < 0.1] = 50 * DAY  # runs starting together
        if trial % 3 == 0:
            start = np.sort(start)
        start[rng.random(n) < 0.03] = np.nan  # no start: no window
        values = np.round(rng.normal(3.0, 0.5, n), 1 + trial % 3)  # ties
        values[rng.random(n) < 0.2] = np.nan
        _check(start, values, rng.random(n) < 0.8)


def test_pool_medians_equal_one_median_per_pool() -> None:
    rng = np.random.default_rng(3)
    values = np.round(rng.normal(3.0, 0.4, 500), 2)
    pools = [rng.choice(500, size=int(rng.integers(0, 12)), replace=False) for _ in range(300)]
    medians = pool_medians(values, pools)
    expected = np.array([np.median(values[p]) if len(p) else np.nan for p in pools])
    assert _same(medians, expected)
    mad = pool_medians(values, pools, around=medians)
    expected_mad = np.array([np.median(np.abs(values[p] - m)) if len(p) else np.nan
                             for p, m in zip(pools, medians, strict=True)])
    assert _same(mad, expected_mad)


def test_stacked_windows_are_the_windows_and_their_masked_medians_the_pool_medians() -> None:
    """Every row's window as a row of a matrix, in chunks as small as one row; medians over a mask of
    it equal the medians of the same pools."""
    rng = np.random.default_rng(21)
    for trial in range(40):
        n = int(rng.integers(0, 150))
        start = rng.uniform(0, 200 * DAY, n)
        start[rng.random(n) < 0.1] = 40 * DAY
        start[rng.random(n) < 0.03] = np.nan
        values = np.round(rng.normal(3.0, 0.5, n), 1)
        values[rng.random(n) < 0.2] = np.nan
        tr = Trailing(start, 30 * DAY, closed="left" if trial % 2 else "both")
        rows = np.flatnonzero(rng.random(n) < 0.7)
        seen = []
        for cells in (1, 50, 1 << 20):
            seen.clear()
            for chunk, at, inside in tr.stacked(rows, cells=cells):
                for r, k in enumerate(chunk.tolist()):
                    assert np.array_equal(at[r][inside[r]], tr[k])
                    seen.append(k)
                keep = inside & (values[at] > 3.0)
                pools = [at[r][keep[r]] for r in range(len(chunk))]
                assert _same(masked_medians(values[at], keep), pool_medians(values, pools))
            assert seen == rows.tolist()
