"""run_features and daily_features on real files and on small written histories."""

from __future__ import annotations

import datetime as dt
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.features.columns import DAILY_COLUMNS, RUN_COLUMNS, markdown_table
from tests.conftest import CORPUS, MANIFEST, corpus_path, read_cached
from tests.helpers.history import read_all, write_run

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def corpus_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    acts = []
    for row in MANIFEST:
        if row["kind"] in ("activity",) and row["format"] in ("fit", "fit.gz", "gpx", "tcx"):
            acts.append(read_cached(str(corpus_path(row))))
    ath = runtwitch.Athlete(
        tz="Europe/Paris", max_hr=190, resting_hr=55, threshold_hr=170, sex="male", body_mass_kg=70
    )
    # every file its row: the corpus holds some runs in several formats, which a season would
    # count once (tests/test_duplicates.py)
    season = runtwitch.Season.build(acts, athlete=ath, duplicate_overlap=None)
    runs = runtwitch.run_features(season)
    days = runtwitch.daily_features(season, runs=runs)
    return runs, days


@pytest.mark.corpus
def test_every_corpus_activity_gets_a_row(corpus_tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    runs, days = corpus_tables
    with_start = sum(
        1 for r in MANIFEST if r["kind"] == "activity" and read_cached(str(corpus_path(r))).start is not None
    )
    assert len(runs) == with_start
    assert list(runs.columns) == [c.name for c in RUN_COLUMNS if c.name != "activity_id"]
    assert runs.index.is_unique
    assert list(days.columns) == [c.name for c in DAILY_COLUMNS if c.name != "date"]
    assert (
        days.index.is_monotonic_increasing
        and (days.index.to_series().diff().dropna() == pd.Timedelta(days=1)).all()
    )


@pytest.mark.corpus
def test_missing_data_gives_nan_with_a_reason(corpus_tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    runs, _ = corpus_tables
    no_hr = runs.loc["goldencheetah__10kUNLP2014-Garmin15.fit"]  # no heart-rate sensor
    assert np.isnan(no_hr["trimp"]) and no_hr["hr_coverage"] == 0.0
    indoor = runs.loc["python-fitparse__sample-activity-indoor-trainer.fit"]  # a trainer ride, no speed
    assert np.isnan(indoor["mean_speed_mps"]) and indoor["sweat_source"] == "none: predicted for runs only"
    swim = runs.loc["sports-lib__7617306288.fit"]  # records without timestamps
    assert np.isnan(swim["mean_hr_bpm"]) and not swim["is_run"]
    assert swim["heat_source"] == "none" and pd.isna(swim["heat_risk"])
    tri = runs.loc["runalyze__multisport-triathlon-fenix3.fit"]
    assert tri["sport"] == "multisport" and tri["hr_coverage"] > 0.5


def _streak(tmp_path: Path, days: int, *, start: datetime = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)) -> list:
    return read_all(
        [
            write_run(tmp_path, f"d{k:02d}.fit", start + timedelta(days=k), 40, heart_rate=150)
            for k in range(days)
        ]
    )


def test_ten_day_streak(tmp_path: Path) -> None:
    acts = _streak(tmp_path, 10)
    days = runtwitch.daily_features(runtwitch.Season.build(acts, tz="UTC"))
    assert list(days["consecutive_run_days"]) == list(range(1, 11))
    assert list(days["days_since_rest"]) == list(range(1, 11))
    assert days["rest_days_7d"].eq(0).all() and days["rest_days_28d"].eq(0).all()
    assert not days["rest_day"].any()


def test_rest_days_break_the_streak_and_count(tmp_path: Path) -> None:
    start = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    acts = read_all(
        [write_run(tmp_path, f"d{k}.fit", start + timedelta(days=k), 30) for k in (0, 1, 3, 4, 5)]
    )
    days = runtwitch.daily_features(runtwitch.Season.build(acts, tz="UTC"))
    assert list(days["consecutive_run_days"]) == [1, 2, 0, 1, 2, 3]
    assert list(days["rest_day"]) == [False, False, True, False, False, False]
    assert list(days["rest_days_7d"]) == [0, 0, 1, 1, 1, 1]
    # five runs with heart rate: max HR is estimated, so the load is TRIMP
    assert list(days["load_method"]) == ["trimp", "trimp", "none", "trimp", "trimp", "trimp"]


def test_session_spike_and_effort_vs_usual(tmp_path: Path) -> None:
    start = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    paths = [
        write_run(tmp_path, f"r{k}.fit", start + timedelta(days=2 * k), 40, speed_mps=3.0, heart_rate=145)
        for k in range(5)
    ]
    paths.append(
        write_run(tmp_path, "long.fit", start + timedelta(days=11), 100, speed_mps=3.0, heart_rate=150)
    )
    paths.append(
        write_run(tmp_path, "fast.fit", start + timedelta(days=13), 40, speed_mps=3.6, heart_rate=165)
    )
    season = runtwitch.Season.build(read_all(paths), athlete=runtwitch.Athlete(tz="UTC", max_hr=190))
    runs = runtwitch.run_features(season)
    assert runs.loc["long.fit", "spike_distance_ratio"] == pytest.approx(2.5, rel=0.01)
    assert runs.loc["fast.fit", "speed_vs_usual_ratio"] == pytest.approx(1.2, rel=0.01)
    assert runs.loc["fast.fit", "hr_vs_usual_bpm"] == pytest.approx(20, abs=0.5)
    assert runs.loc["r0.fit", "usual_comparable_runs"] == 0 and np.isnan(
        runs.loc["r0.fit", "speed_vs_usual_ratio"]
    )


def test_diary_drives_hydration_heat_and_fueling(tmp_path: Path) -> None:
    acts = read_all(
        [
            write_run(
                tmp_path,
                "hot.fit",
                datetime(2026, 7, 4, 14, 0, tzinfo=UTC),
                120,
                utc_offset_s=-4 * 3600,
                temperature_c=36,
            )
        ]
    )
    (tmp_path / "d.csv").write_text(
        "date,weight_before_kg,weight_after_kg,fluid_during_l,air_temp_c,humidity_pct,carbs_before_g,"
        "carbs_during_g,thirst,urine_color,rpe\n2026-07-04,70.0,68.2,0.5,31,60,0,0,yes,7,8\n"
    )
    diary = runtwitch.read_diary(tmp_path / "d.csv", tz="America/New_York", today=TODAY)
    season = runtwitch.Season.build(acts, diary=diary, athlete=runtwitch.Athlete(tz="America/New_York"))
    r = runtwitch.run_features(season).iloc[0]
    assert r["sweat_source"].startswith("measured") and r["sweat_loss_l"] == pytest.approx(2.3)
    assert r["body_mass_change_pct"] == pytest.approx(-1.8 / 70 * 100)
    assert r["fluid_replaced_pct"] == pytest.approx(0.5 / 2.3 * 100)
    assert r["heat_source"] == "diary" and r["air_temp_c"] == 31
    assert r["heat_index_c"] == pytest.approx(float(runtwitch.features.formulas.heat_index_c(31, 60)))
    assert r["dehydration_signs"] == 2 and r["dehydration_signs_list"] == "thirst, dark urine"
    assert r["srpe_load"] == pytest.approx(8 * 120)
    assert r["carbs_per_hour_g"] == 0


def test_without_diary_weather_the_wrist_sensor_is_labelled(tmp_path: Path) -> None:
    acts = read_all(
        [write_run(tmp_path, "r.fit", datetime(2026, 7, 4, 14, 0, tzinfo=UTC), 60, temperature_c=33)]
    )
    season = runtwitch.Season.build(acts, athlete=runtwitch.Athlete(tz="UTC", body_mass_kg=70))
    r = runtwitch.run_features(season).iloc[0]
    assert r["air_temp_c"] == 33 - 5 and "low confidence" in r["heat_source"]
    assert np.isnan(r["heat_index_c"])  # humidity unknown
    assert "humidity assumed" in r["heat_basis"]
    assert r["sweat_source"] == "predicted (heat balance)" and r["sweat_loss_sd_l"] > 0


def test_docs_list_every_feature_column() -> None:
    doc = (ROOT / "docs" / "features.md").read_text(encoding="utf-8")
    assert markdown_table(RUN_COLUMNS) in doc and markdown_table(DAILY_COLUMNS) in doc


def test_run_features_let_cached_records_go(tmp_path: Path) -> None:
    """Records read from the import cache are released after their run's features (issue 18)."""
    paths = [corpus_path(r) for r in MANIFEST if r["format"] == "fit" and r["kind"] == "activity"][:4]
    ath = runtwitch.Athlete(tz="UTC", max_hr=190)
    fresh = runtwitch.run_features(runtwitch.Season.build(read_all(paths), athlete=ath))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        acts = [r.activity for r in runtwitch.read_activities(paths, cache=tmp_path / "cache")
                if r.activity is not None]
    season = runtwitch.Season.build(acts, athlete=ath)
    for i in season.table["activity_id"]:
        season.activity(i).release()
    lazy = runtwitch.run_features(season)
    assert not any(season.activity(i).loaded("records") for i in season.table["activity_id"])
    pd.testing.assert_frame_equal(lazy, fresh)


def _from_cache(paths: list[Path], cache: Path) -> list[runtwitch.Activity]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        return [r.activity for r in runtwitch.read_activities(paths, cache=cache, n_jobs=1)
                if r.activity is not None]


def test_a_warm_analysis_reads_no_records_and_gives_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record features, the max-HR estimate and inferred sports are kept beside the import cache
    (issue 18): the second analysis of unchanged files reads no records and changes nothing."""
    rels = ["fit/runpandas__run.fit", "fit/sports-lib__6782987395.fit", "fit/runalyze__garmin-runPower-2.fit",
            "fit/goldencheetah__Garmin920_withFirstbeat.fit", "fit/sweatpy__4801048867.fit",
            "gpx/sports-lib__2067489619.gpx", "tcx/sports-lib__movescount.tcx"]
    rels += [r["file"] for r in MANIFEST if r["format"] == "gpx" and r["kind"] == "activity"][:6]
    paths = [CORPUS / r for r in dict.fromkeys(rels)]
    profile = runtwitch.Athlete(tz="Europe/Paris")  # no max_hr: estimated from the records

    def tables(acts: list[runtwitch.Activity]) -> tuple[pd.DataFrame, pd.DataFrame, runtwitch.Athlete]:
        season = runtwitch.Season.build(acts, athlete=profile)
        return season.table, runtwitch.run_features(season), season.athlete

    fresh = tables(read_all(paths))
    assert fresh[2].max_hr is not None and (fresh[0]["sport_source"] == "inferred").any()
    first = tables(_from_cache(paths, tmp_path / "cache"))

    def no_records(self: object) -> pd.DataFrame:
        raise AssertionError("a warm analysis read records")

    monkeypatch.setattr(runtwitch.io.cache.CachedRecords, "__call__", no_records)
    warm = tables(_from_cache(paths, tmp_path / "cache"))
    for got in (first, warm):
        pd.testing.assert_frame_equal(got[0], fresh[0])
        pd.testing.assert_frame_equal(got[1], fresh[1])
        assert got[2] == fresh[2]
    changed = runtwitch.Athlete(tz="Europe/Paris", max_hr=200)  # another profile: computed again
    monkeypatch.undo()
    season = runtwitch.Season.build(_from_cache(paths, tmp_path / "cache"), athlete=changed)
    again = runtwitch.Season.build(read_all(paths), athlete=changed)
    pd.testing.assert_frame_equal(runtwitch.run_features(season), runtwitch.run_features(again))


def _usual_by_loop(df: pd.DataFrame) -> pd.DataFrame:
    """The loop over the runs that ``_history_features`` replaced (its reference): each run's
    comparable runs from its window, their known values' median per run."""
    from runtwitch.features.runs import NORM_DURATION_FACTOR, NORM_MIN_RUNS, NORM_WINDOW_DAYS
    from runtwitch.features.window import Trailing

    df = df.sort_values("start_utc", kind="stable").reset_index(drop=True)
    start = df["start_utc"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    runs, dur = df["is_run"].to_numpy(dtype=bool), df["timer_s"].to_numpy(float)
    window = Trailing(start, NORM_WINDOW_DAYS * 86400)
    out = {"usual_comparable_runs": np.zeros(len(df), dtype=np.int64),
           "speed_vs_usual_ratio": np.full(len(df), np.nan), "hr_vs_usual_bpm": np.full(len(df), np.nan)}
    for k in np.flatnonzero(runs).tolist():
        w = window[k]
        similar = (dur[w] <= dur[k] * NORM_DURATION_FACTOR) & (dur[w] >= dur[k] / NORM_DURATION_FACTOR)
        comp = w[runs[w] & similar]
        out["usual_comparable_runs"][k] = len(comp)
        for col, name, relate in (("mean_speed_mps", "speed_vs_usual_ratio", np.divide),
                                  ("mean_hr_bpm", "hr_vs_usual_bpm", np.subtract)):
            v = df[col].to_numpy(float)[comp]
            if len(comp) >= NORM_MIN_RUNS and np.isfinite(v).sum() >= NORM_MIN_RUNS:
                out[name][k] = relate(df[col].iloc[k], np.median(v[~np.isnan(v)]))
    return pd.DataFrame(out)


def test_usual_effort_of_every_run_at_once_equals_the_loop_over_the_runs() -> None:
    """Random histories: runs and other sports, several a day or weeks apart, starts at the same
    time, missing and infinite speeds and heart rates, timer times around the factor of 2."""
    from runtwitch.features.runs import _history_features

    rng = np.random.default_rng(30)
    for trial in range(40):
        n = int(rng.integers(1, 160))
        start = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
            np.round(rng.uniform(0, 30 + 10 * trial, n), 2 * (trial % 2)), unit="D")
        df = pd.DataFrame({
            "start_utc": start, "is_run": rng.random(n) < 0.85,
            "timer_s": rng.choice([1800.0, 3600.0, 900.0, 7200.0, 3600.5, np.nan], n),
            "distance_m": rng.uniform(1000, 20000, n),
            "mean_speed_mps": np.round(rng.normal(3.0, 0.3, n), 2),
            "mean_hr_bpm": np.round(rng.normal(150, 8, n), 0),
        })
        df.loc[rng.random(n) < 0.2, "mean_speed_mps"] = np.nan
        df.loc[rng.random(n) < 0.3, "mean_hr_bpm"] = np.nan
        df.loc[rng.random(n) < 0.02, "mean_speed_mps"] = np.inf
        got = _history_features(df)
        expected = _usual_by_loop(df)
        for name in expected:
            assert np.array_equal(got[name].to_numpy(), expected[name].to_numpy(), equal_nan=True), name
