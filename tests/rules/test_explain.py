"""explain's row lookups and patterns: the same rows and tables as pandas and the separate functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.rules import engine as en
from runtwitch.rules.base import cells
from runtwitch.rules.causes import RULES, with_current_medicines
from runtwitch.rules.explain import _Rows
from runtwitch.rules.patterns import pattern_counts, patterns, patterns_and_counts
from runtwitch.rules.score import usual_presence

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample() -> runtwitch.Analysis:
    return runtwitch.analyze([ROOT / "sample_data"], diary=ROOT / "sample_data" / "diary.csv",
                             athlete=ROOT / "sample_data" / "athlete.toml", cache=False)


def test_rows_are_the_rows_of_loc(sample: runtwitch.Analysis) -> None:
    for frame in (sample.runs, sample.days):
        # every row taken, or only some (the others come from frame.loc): the same rows either way
        for wanted in (None, [*frame.index[::3], None, pd.NA, "no such run", frame.index[0]]):
            rows = _Rows(frame, wanted)
            assert rows.cells is not None, "a frame of mixed dtypes takes the fast path"
            for key in frame.index:
                got, want = rows.get(key), frame.loc[key]
                assert got is not None
                pd.testing.assert_series_equal(got, want, check_exact=True)
                assert [type(v) for v in got.to_numpy()] == [type(v) for v in want.to_numpy()]
                assert type(got.name) is type(want.name)
            assert rows.get("no such run") is None and rows.get(None) is None and rows.get(pd.NA) is None
            for key in frame.index:  # the cells handed to the context are those the row gives
                read = rows.read(key)
                assert read is not None
                if read[1] is not None:
                    assert read[1].keys() == cells(frame.loc[key]).keys()
                    assert all(a is b for a, b in zip(read[1].values(), read[0].to_numpy(), strict=True))


def test_patterns_and_counts_equal_the_two_functions(sample: runtwitch.Analysis) -> None:
    runs = sample.runs
    followed = pd.Series(runs.index.isin(list(sample.explanation.episodes["activity_id"].dropna())),
                         index=runs.index)
    both = patterns_and_counts(runs, followed, sample.days)
    pd.testing.assert_frame_equal(both[0], patterns(runs, followed, sample.days))
    pd.testing.assert_frame_equal(both[1], pattern_counts(runs, followed, sample.days))
    pd.testing.assert_frame_equal(both[1], sample.explanation.pattern_counts)


def test_usual_sums_equal_usual_presence_factor_by_factor(sample: runtwitch.Analysis) -> None:
    """The usual presence of the exactly summed factors, taken for all of them at once, is what
    usual_presence gives each factor alone (every run, both ways of comparing)."""
    runs = sample.runs
    followed = pd.Series(runs.index.isin(list(sample.explanation.episodes["activity_id"].dropna())),
                         index=runs.index)
    season = en.Season(runs, sample.days, [with_current_medicines(r) for r in RULES], followed)
    assert season._exact, "flags are summed exactly"
    compared = 0
    for k in range(len(season.runs)):
        for fid, xs in season.xs.items():
            f = next(f for r in season.rules for f in r.factors if f.id == fid)
            if not np.isfinite(xs[k]):
                continue
            wf = season.weigh_factor(f, k, None, "twitch")
            assert wf is not None
            assert (wf.p, wf.n_usual) == usual_presence(xs[season.comparable(k, f.compare)[0]], f.p_pop)
            compared += fid in season._exact
    assert compared > 100


def test_exact_sums_are_those_of_multiples_of_the_step_within_0_and_1() -> None:
    assert en._exact_sums(np.array([0.0, 1.0, np.nan, 0.5, 0.25, 0.75]))
    assert not en._exact_sums(np.array([0.0, 0.1]))
    assert not en._exact_sums(np.array([0.0, 2.0]))
    assert not en._exact_sums(np.array([-0.5, 1.0]))
    # presences of 0, 1/2**24 ... 1 add up exactly in any order
    x = np.random.default_rng(3).integers(0, 2**24 + 1, 5000) / 2**24
    assert en._exact_sums(x) and float(x.sum()) == float(np.sort(x).sum()) == float(x[::-1].cumsum()[-1])


def test_what_to_log_counts_each_episode_once(sample: runtwitch.Analysis, tmp_path: Path) -> None:
    """A need asked for by several causes of one episode counts that episode once.

    Two episodes with no run to link to were once summed up as "no run linked to this episode
    (22x)": once per cause of each episode.
    """
    diary = tmp_path / "diary.csv"
    diary.write_text("date,time,muscles\n2026-05-01,19:00,left calf\n2026-05-03,20:00,right calf\n",
                     encoding="utf-8")
    empty = tmp_path / "runs"
    empty.mkdir()
    unlinked = runtwitch.analyze([empty], diary=diary, tz="UTC", progress=False, cache=False).explanation
    assert unlinked.missing_summary().to_dict() == {"no run linked to this episode": 2}
    counts = sample.explanation.missing_summary()
    assert counts.max() <= len(sample.explanation.episodes)
    for need, n in counts.items():
        asked = sample.explanation.causes.loc[[need in m for m in sample.explanation.causes["missing"]],
                                              "episode_id"]
        assert n == asked.nunique(), need


def _unlinked(tmp_path: Path, episode: dict[str, str],
              usual: dict[str, str] | None = None) -> runtwitch.Explanation:
    """Four runs with ``usual`` logged on each, and an episode on a day without a run."""
    import datetime as dt

    from tests.helpers.history import NEUTRAL, read_all, write_diary, write_run
    from tests.rules.test_causes import ATHLETE, START, TODAY

    runs = read_all([write_run(tmp_path, f"r{k}.fit", START + dt.timedelta(days=2 * k), 40, cooldown_min=6)
                     for k in range(4)])
    rows = [{"date": f"{(START + dt.timedelta(days=2 * k)).date()}", **NEUTRAL, **(usual or {})}
            for k in range(4)]
    rows.append({"date": f"{(START + dt.timedelta(days=9)).date()}", "time": "22:00", "muscles": "eyelid",
                 "notes": "no run today", **episode})
    diary = runtwitch.read_diary(write_diary(tmp_path / "d.csv", rows), tz="UTC", today=TODAY)
    season = runtwitch.Season.build(runs, diary=diary, athlete=ATHLETE)
    features = runtwitch.run_features(season)
    return runtwitch.explain(season.episodes, features, runtwitch.daily_features(season, runs=features))


def test_the_days_logged_triggers_are_weighed_without_a_linked_run(tmp_path: Path) -> None:
    """A trial diary's row (2024-07-20: eyelid twitch, 'no run today', sleep 4 h, 600 mg caffeine,
    4 units, stress 9) said 'Nothing stands out. Not assessed (no data): ... Much caffeine, ... Short
    sleep, Stress': diary values, assessed whether or not a run is linked."""
    logged = {"sleep_h": "4", "caffeine_mg": "600", "alcohol_units": "4", "stress": "9"}
    ex = _unlinked(tmp_path, logged, {"sleep_h": "7.5", "caffeine_mg": "100", "alcohol_units": "0",
                                      "stress": "2"})
    ep = ex.episodes.iloc[-1]
    assert pd.isna(ep["activity_id"])
    by_cause = ex.causes[ex.causes["episode_id"] == ep["episode_id"]].set_index("cause")
    for cause, words in (("short_sleep", "slept 4 h"), ("caffeine", "600 mg"), ("alcohol", "4 units"),
                         ("stress", "stress 9")):
        row = by_cause.loc[cause]
        assert row["status"] == "assessed" and row["score"] > 0, cause
        assert any(words in e for e in row["evidence"]), (cause, row["evidence"])
    assert (by_cause.loc[["fatigue_overuse", "dehydration"], "status"] == "not assessed").all()
    assert ep["background"] < 1
    # the same values on every run are the runner's usual: they weigh less than on a quiet week
    usual = _unlinked(tmp_path, logged, logged)
    same = usual.causes[usual.causes["episode_id"] == ep["episode_id"]].set_index("cause")
    assert same.loc["caffeine", "score"] < by_cause.loc["caffeine", "score"]


def test_an_unlinked_episode_without_the_days_values_is_not_assessed(tmp_path: Path) -> None:
    ex = _unlinked(tmp_path, {})
    ep = ex.episodes.iloc[-1]
    causes = ex.causes[ex.causes["episode_id"] == ep["episode_id"]]
    assert (causes["status"] == "not assessed").all() and ep["top_cause"] is None
    assert pd.isna(ep["background"])


def _fluid_loss(ex: runtwitch.Explanation) -> pd.Series:
    causes = ex.causes.set_index(["episode_id", "cause"])
    row: pd.Series = causes.loc[("E13", "dehydration")]
    return row


def test_a_null_history_lowers_fluid_loss_ablation(sample: runtwitch.Analysis, tmp_path: Path) -> None:
    """Sample episode of 23 May (3.2 % body-mass loss, thirst, dark urine): 'Heat and fluid loss' was
    'possible' (0.27) with the runner's null history of fluid losses, twice its score without that
    history (0.13); its body-mass line was printed twice, once beside the 2-3 % group."""
    diary = pd.read_csv(ROOT / "sample_data" / "diary.csv", dtype=str, keep_default_na=False)
    others = ~diary["date"].eq("2026-05-23")
    diary.loc[others, ["weight_before_kg", "weight_after_kg", "thirst", "dizziness", "urine_color"]] = ""
    diary.to_csv(tmp_path / "diary.csv", index=False)
    ablated = runtwitch.analyze([ROOT / "sample_data"], diary=tmp_path / "diary.csv",
                                athlete=ROOT / "sample_data" / "athlete.toml", cache=False)
    with_history, without = _fluid_loss(sample.explanation), _fluid_loss(ablated.explanation)
    assert with_history["score"] <= without["score"]
    assert with_history["verdict"] == "unlikely"
    lines = [e for e in with_history["evidence"] if "body mass fell" in e]
    assert lines == ["Your measured body mass fell 3.2 % during the run; you drank 0.2 L: a large fluid "
                     "loss (3 % or more)."]
    assert sum(with_history["points"]) == pytest.approx(with_history["score"], abs=1e-6)


def test_a_moderate_loss_is_named_by_its_band_once(sample: runtwitch.Analysis) -> None:
    causes = sample.explanation.causes.set_index(["episode_id", "cause"])
    lines = [e for e in causes.loc[("E82", "dehydration"), "evidence"] if "body mass fell" in e]
    assert len(lines) == 1 and "2.8 %" in lines[0] and "a moderate fluid loss (2-3 %)" in lines[0]
    assert "of 2-3 % of body mass" in lines[0]  # the history of its own band
    for evidence in sample.explanation.causes["evidence"]:
        assert len(evidence) == len(set(evidence))  # no sentence twice under one cause
