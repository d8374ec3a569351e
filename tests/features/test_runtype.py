"""Run types from the speed profile, and "faster than usual" against runs of the same type."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.features.profiles import BIN_S, run_readings
from runtwitch.features.runtype import (
    STRUCTURE,
    TYPE_WINDOW_DAYS,
    _classify,
    _references,
    _type_usuals,
    classify,
    run_types,
)
from runtwitch.features.window import Trailing, pool_medians
from tests.helpers.profiles import corpus_profiles, minutes

ROOT = Path(__file__).resolve().parents[2]


def kind(p: np.ndarray, notes: str | None = None, median_min: float = 45.0) -> str:
    return classify(p, len(p) * BIN_S, float(np.nansum(p) * BIN_S), notes, 3.0, 3.9, median_min)[0]


def test_the_types_of_typical_sessions() -> None:
    assert kind(minutes(3.0, 45)) == "easy"
    reps = np.concatenate([minutes(3.0, 12)] + [np.r_[minutes(4.2, 3), minutes(1.8, 2)] for _ in range(6)])
    assert kind(reps) == "intervals"
    assert kind(np.r_[minutes(3.0, 12), minutes(3.8, 20), minutes(3.0, 5)]) == "tempo"
    assert kind(minutes(3.0, 100)) == "long"
    assert kind(minutes(3.0, 45), notes="Parkrun, felt strong") == "race"
    # run/walk: the walk breaks are not recoveries between work bouts
    runwalk = np.concatenate([np.r_[minutes(3.0, 4), minutes(1.45, 1)] for _ in range(8)])
    assert kind(runwalk) == "easy"
    # strides at the end of an easy run are not an interval session (too little work)
    strides = np.r_[minutes(3.0, 40), np.tile([4.0, 1.5], 4)]
    assert kind(strides) == "easy"


def test_raw_and_grade_adjusted_readings_must_agree_on_a_structure() -> None:
    n = 8
    start = pd.date_range("2026-05-01 07:00", periods=n, freq="2D", tz="UTC")
    df = pd.DataFrame({"activity_id": [f"r{k}" for k in range(n)], "is_run": True, "start_utc": start,
                       "timer_s": 45 * 60.0, "distance_m": 8000.0, "diary_notes": None})
    steady = minutes(3.0, 45)
    # altitude noise makes the adjusted speed swing like intervals; the raw speed was steady
    swinging = np.concatenate([np.r_[minutes(4.2, 2), minutes(2.0, 2)] for _ in range(11)])
    profiles = {f"r{k}": (steady, swinging if k == n - 1 else steady) for k in range(n)}
    out = run_types(df, profiles)
    assert out["run_type"].iloc[-1] == "easy"
    assert out["type_comparable_runs"].iloc[-1] == n - 1
    assert abs(out["speed_vs_type_ratio"].iloc[-1] - 1) < 0.05


def test_the_sample_season_has_easy_long_and_tempo_runs() -> None:
    a = runtwitch.analyze([ROOT / "sample_data"], diary=ROOT / "sample_data" / "diary.csv",
                          athlete=ROOT / "sample_data" / "athlete.toml")
    runs = a.runs[a.runs["is_run"]]
    counts = runs["run_type"].value_counts()
    assert counts["easy"] > counts.get("tempo", 0) and counts.get("long", 0) >= 3, counts
    assert counts.get("intervals", 0) <= 2, counts
    assert runs["run_type_basis"].notna().all()


def _both_readings(df: pd.DataFrame, profiles: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[str | None]:
    """The loop ``run_types`` replaced (its reference): every run typed on both readings, the less
    structured one kept, the grade-adjusted one on a tie."""
    start = df["start_utc"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    runs = df["is_run"].to_numpy(dtype=bool)
    timer, dist = df["timer_s"].to_numpy(float), df["distance_m"].to_numpy(float)
    upto = Trailing(start, TYPE_WINDOW_DAYS * 86400.0, closed="both")
    med_min = upto.median(timer, runs) / 60.0
    readings = run_readings(list(df["activity_id"]), profiles)
    references = [_references(upto, runs, reading) for reading in readings]
    notes = df["diary_notes"].tolist()
    types: list[str | None] = [None] * len(df)
    for k in np.flatnonzero(runs).tolist():
        found = [_classify(reading[k], timer[k], dist[k], notes[k], easy[k], thr[k], med_min[k])
                 for reading, (easy, thr) in zip(readings, references, strict=True)]
        types[k] = min(reversed(found), key=lambda r: STRUCTURE[r[0]])[0]
    return types


@pytest.mark.corpus
def test_the_raw_reading_typed_only_when_it_could_win_gives_the_types_of_both() -> None:
    """Every corpus run's profiles as a season (one a day, in several orders so the references
    vary), plus runs long on the adjusted reading whose raw profile has no moving bins."""
    pairs = corpus_profiles()
    pairs = [(pairs[k], pairs[k + 1]) for k in range(0, len(pairs) - 1, 2)]
    pairs += [(np.full(len(adj), np.nan), adj) for adj in (minutes(3.0, 100), minutes(3.1, 120))]
    pairs += [(np.zeros(0), minutes(3.0, 110))]
    rng = np.random.default_rng(19)
    for order in (np.arange(len(pairs)), rng.permutation(len(pairs)), rng.permutation(len(pairs))):
        chosen = [pairs[k] for k in order]
        n = len(chosen)
        df = pd.DataFrame({
            "activity_id": [f"r{k}" for k in range(n)], "is_run": True,
            "start_utc": pd.date_range("2026-01-01 07:00", periods=n, freq="D", tz="UTC"),
            "timer_s": [len(adj) * BIN_S if k % 5 else np.nan for k, (_, adj) in enumerate(chosen)],
            "distance_m": [float(np.nansum(adj) * BIN_S) for _, adj in chosen],
            "diary_notes": None,
        })
        profiles = {f"r{k}": pair for k, pair in enumerate(chosen)}
        got = run_types(df, profiles)["run_type"].tolist()
        assert got == _both_readings(df, profiles)
        assert {"easy", "long"} <= set(got)


def test_usuals_of_the_type_for_every_run_at_once_equal_the_loop_over_the_runs() -> None:
    """``_type_usuals`` against the loop over the runs it replaced: random seasons of every type,
    runs without a work speed and other sports, several runs a day."""
    from runtwitch.features.runtype import HARD_TYPES, SPEED_SPREAD_FLOOR, TYPE_MIN_RUNS

    rng = np.random.default_rng(31)
    for trial in range(40):
        n = int(rng.integers(1, 200))
        start = np.sort(rng.uniform(0, (20 + 5 * trial) * 86400.0, n))
        runs = rng.random(n) < 0.9
        work = np.round(rng.normal(3.2, 0.4, n), 2)
        work[rng.random(n) < 0.1] = np.nan
        types = [str(rng.choice(list(STRUCTURE))) if r else None for r in runs]
        earlier = Trailing(start, TYPE_WINDOW_DAYS * 86400.0)
        kinds = np.array([t or "" for t in types], dtype=object)
        hard = np.isin(kinds, list(HARD_TYPES))
        count = np.zeros(n, dtype=np.int64)
        pools = [np.zeros(0, dtype=np.int64)] * n
        for k in np.flatnonzero(runs & np.isfinite(work)).tolist():
            w = earlier[k]
            before = w[runs[w] & np.isfinite(work[w])]
            same, group = before[kinds[before] == kinds[k]], before[hard[before] == hard[k]]
            comp = same if len(same) >= TYPE_MIN_RUNS else group
            if len(comp) < TYPE_MIN_RUNS and not hard[k]:
                comp = before
            count[k] = len(comp)
            if len(comp) >= TYPE_MIN_RUNS:
                pools[k] = comp
        med = pool_medians(work, pools)
        spread = np.maximum(1.4826 * pool_medians(work, pools, around=med), SPEED_SPREAD_FLOOR * med)
        got = _type_usuals(earlier, runs, work, types)
        assert np.array_equal(got[0], count)
        assert np.array_equal(got[1], med, equal_nan=True) and np.array_equal(got[2], spread, equal_nan=True)
