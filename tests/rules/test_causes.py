"""Each cause ranks first where its evidence is clear, and stays silent without it."""

from __future__ import annotations

import datetime as dt
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import runtwitch
from runtwitch.rules import RULES
from tests.helpers.history import NEUTRAL, read_all, write_diary, write_run

TODAY = dt.date(2026, 11, 25)
#: An unremarkable day for the triggers of twitching, too: usual sleep, coffee, no alcohol, low stress.
USUAL_DAY = {**NEUTRAL, "sleep_h": "7.5", "caffeine_mg": "100", "alcohol_units": "0", "stress": "3"}
START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
ATHLETE = runtwitch.Athlete(tz="UTC", sex="male", body_mass_kg=70, max_hr=190, resting_hr=55,
                            threshold_hr=168)


def history(tmp: Path, target: dict[str, Any], context: dict[str, str], *, base_min: float = 40,
            episode: dict[str, str] | None = None) -> runtwitch.Explanation:
    """Five easy runs every other day, then the target run on day 11 and an episode that evening."""
    return runtwitch.explain(*inputs(tmp, target, context, base_min=base_min, episode=episode))


def inputs(tmp: Path, target: dict[str, Any], context: dict[str, str], *, base_min: float = 40,
           episode: dict[str, str] | None = None, earlier: list[dict[str, str]] | None = None,
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Linked episodes, run features and daily features of the scenario history."""
    paths = [write_run(tmp, f"base{k}.fit", START + timedelta(days=2 * k), base_min, cooldown_min=8)
             for k in range(5)]
    run = {"minutes": base_min, "cooldown_min": 8.0, **target}
    paths.append(write_run(tmp, "target.fit", START + timedelta(days=11), **run))
    rows = [{"date": f"{(START + timedelta(days=2 * k)).date()}", **USUAL_DAY} for k in range(5)]
    day = f"{(START + timedelta(days=11)).date()}"
    rows.append({"date": day, **USUAL_DAY, **context})
    rows.append({"date": day, "time": "20:00", "muscles": "left calf", **(episode or {})})
    rows += earlier or []
    diary = runtwitch.read_diary(write_diary(tmp / "diary.csv", rows), tz="UTC", today=TODAY)
    assert diary.report.problems == []
    acts = read_all(paths)
    season = runtwitch.Season.build(acts, diary=diary, athlete=ATHLETE)
    runs = runtwitch.run_features(season)
    days = runtwitch.daily_features(season, runs=runs)
    eps = season.episodes
    assert eps.loc[0, "activity_id"] == "target.fit"
    return eps, runs, days


def test_earlier_cramps_are_an_evidence_line(tmp_path: Path) -> None:
    earlier = [{"date": f"{(START + timedelta(days=k)).date()}", "time": "21:00", "muscles": "right calf",
                "kind": "cramp"} for k in (2, 6)]
    eps, runs, days = inputs(tmp_path, {}, {}, episode={"kind": "cramp"}, earlier=earlier)
    ex = runtwitch.explain(eps, runs, days)
    changed = ex.episodes.loc[0, "changed"]
    assert any("You logged 2 cramps in the 90 days before" in line for line in changed), changed
    (tmp_path / "t").mkdir()
    twitch = runtwitch.explain(*inputs(tmp_path / "t", {}, {}))
    assert not any("cramps in the 90 days" in line for line in twitch.episodes.loc[0, "changed"])


SCENARIOS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "fatigue_overuse": ({"minutes": 95, "speed_mps": 3.4, "heart_rate": 162}, {"rpe": "8"}),
    "dehydration": ({"temperature_c": 36}, {
        "air_temp_c": "31", "humidity_pct": "60", "weight_before_kg": "70", "weight_after_kg": "67.6",
        "fluid_during_l": "0.1", "thirst": "yes", "urine_color": "7", "sodium_mg": "2500"}),
    # a heavy sweat loss (3 L, measured), mostly replaced with water, no salt
    "electrolyte_imbalance": ({}, {
        "weight_before_kg": "70", "weight_after_kg": "69.0", "fluid_during_l": "2.0",
        "electrolytes": "no", "sodium_mg": "0"}),
    "poor_circulation": ({"cooldown_min": 0.0, "sprint_min": 2.0}, {"stretched": "no"}),
    "low_blood_sugar": ({}, {"carbs_before_g": "0", "carbs_during_g": "0", "meal_hours_before": "12"}),
    "poor_fueling": ({}, {"spicy_meal": "yes", "meal_hours_before": "1"}),
    # a thiazide: the large study found a clear effect (a loop diuretic, 95 % CI from 1.00, weighs 0)
    "medication": ({}, {"medications": "hydrochlorothiazide; vitamin d"}),
}


@pytest.mark.parametrize("cause", list(SCENARIOS))
def test_cause_ranks_first_when_its_evidence_is_clear(tmp_path: Path, cause: str) -> None:
    target, context = SCENARIOS[cause]
    # salt loss is a cramp factor: the twitch literature does not name it
    episode = {"kind": "cramp"} if cause == "electrolyte_imbalance" else None
    if cause == "low_blood_sugar":  # fuel matters on long runs: make every run long, so no spike
        ex = history(tmp_path, target, context, base_min=75)
    else:
        ex = history(tmp_path, target, context, episode=episode)
    ranked = ex.for_episode("E" + str(ex.episodes.loc[0, "row"]))
    top = ranked.iloc[0]
    assert top["cause"] == cause, ranked[["cause", "score", "evidence"]].to_string()
    assert top["score"] > 0 and top["evidence"], top
    assert abs(sum(top["points"]) - top["score"]) < 1e-9  # every point traces to an evidence line
    # the cause is named the answer only from "possible" on; below it, nothing stands out
    expected = cause if top["score"] >= runtwitch.rules.POSSIBLE_SHARE else None
    assert ex.episodes.loc[0, "top_cause"] == expected
    assert top["verdict"] == runtwitch.rules.verdict(top["score"])


def test_neutral_history_fires_no_cause(tmp_path: Path) -> None:
    ex = history(tmp_path, {}, {})
    c = ex.causes
    assert c["status"].eq("assessed").all(), c[["cause", "status", "missing"]]
    fired = c[c["score"] > 0]
    assert fired.empty, fired[["cause", "score", "evidence"]].to_string()
    assert ex.episodes.loc[0, "top_cause"] is None
    assert len(ex.flags) == 0


def test_not_assessed_without_data(tmp_path: Path) -> None:
    acts = read_all([write_run(tmp_path, f"r{k}.fit", START + timedelta(days=k), 30, cooldown_min=6)
                     for k in range(3)])
    diary = runtwitch.read_diary(write_diary(tmp_path / "d.csv", [
        {"date": f"{(START + timedelta(days=2)).date()}", "time": "20:00", "muscles": "calf"}]), tz="UTC",
        today=TODAY)
    season = runtwitch.Season.build(acts, diary=diary, athlete=ATHLETE)
    runs = runtwitch.run_features(season)
    eps = season.episodes
    c = runtwitch.explain(eps, runs).causes.set_index("cause")
    for cause in ("low_blood_sugar", "poor_fueling", "medication"):
        assert c.loc[cause, "status"] == "not assessed" and pd.isna(c.loc[cause, "score"])
        assert pd.isna(c.loc[cause, "rank"]) and c.loc[cause, "missing"]


def test_thresholds_can_be_overridden_and_rules_extended(tmp_path: Path) -> None:
    eps, runs, days = inputs(tmp_path, {"minutes": 46}, {})  # 15 % longer than any earlier run
    default = runtwitch.explain(eps, runs, days).causes.set_index("cause")
    assert default.loc["fatigue_overuse", "score"] > 0
    stricter = runtwitch.explain(eps, runs, days, thresholds={"fatigue_overuse": {"spike_ratio": 1.2}})
    assert stricter.causes.set_index("cause").loc["fatigue_overuse", "score"] == 0
    assert RULES[0].thresholds["spike_ratio"].value == 1.1  # the default is untouched
    with pytest.raises(KeyError, match="no thresholds"):
        runtwitch.explain(eps, runs, days, thresholds={"fatigue_overuse": {"nonsense": 1.0}})

    def late_run(ctx: runtwitch.rules.Context, th: dict[str, float]) -> runtwitch.rules.Assessment:
        hour = pd.Timestamp(ctx.value("start_local")).hour
        ev = [runtwitch.rules.Evidence(f"The run started at {hour}:00.", 0.5)] if hour >= th["hour"] else []
        return runtwitch.rules.Assessment.from_evidence(ev, [], True)

    mine = runtwitch.Rule("late_run", "Running late in the day", "expert opinion", "My own idea.",
                          ("Run earlier.",), {"hour": runtwitch.rules.Threshold(6.0, "h", "start hour")},
                          late_run)
    ex = runtwitch.explain(eps, runs, days, rules=(*RULES, mine))
    row = ex.causes.set_index("cause").loc["late_run"]
    # its points are read as a log relative risk: 0.5 -> 1.65 times as likely, a share of 1 - e^-0.5
    assert row["log_rr"] == 0.5 and row["evidence"] == ["The run started at 7:00."]
    assert abs(row["score"] - (1 - math.exp(-0.5 - ex.episodes.loc[0, "log_rr"] + 0.5))
               * 0.5 / ex.episodes.loc[0, "log_rr"]) < 2e-3


def test_the_top_cause_is_the_first_cause_its_shown_verdict_calls_possible(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A share just under 0.20 is shown as 0.200, "possible": it is then the top cause too.

    ``top_cause`` compared the unrounded share with POSSIBLE_SHARE while the causes table shows the
    rounded score and its verdict, so a first cause reading "possible" could leave the episode with
    "no cause stands out" in the reports that name the top cause.
    """
    import importlib

    explain_module = importlib.import_module("runtwitch.rules.explain")  # the module, not the function

    eps, runs, days = inputs(tmp_path, {"minutes": 46}, {})  # a session spike: only fatigue weighs
    real = explain_module.shares

    def just_under(log_rr: dict[str, float]) -> tuple[dict[str, float], float, float]:
        share, background, total = real(log_rr)
        return {c: (0.19996 if c == "fatigue_overuse" else min(s, 0.1)) for c, s in share.items()}, \
            background, total

    monkeypatch.setattr(explain_module, "shares", just_under)
    ex = runtwitch.explain(eps, runs, days)
    first = ex.for_episode(ex.episodes.loc[0, "episode_id"]).iloc[0]
    assert (first["cause"], first["score"], first["verdict"]) == ("fatigue_overuse", 0.2, "possible")
    assert ex.episodes.loc[0, "top_cause"] == "fatigue_overuse"


@pytest.mark.parametrize(("final_pct", "says"), [(96.0, "at high effort, at 96 %"), (79.0, "ended fast"),
                                                 (None, "ended fast")])
def test_a_fast_finish_below_a_hard_heart_rate_is_not_called_high_effort(final_pct: float | None,
                                                                          says: str) -> None:
    """A run ends hard when its last minute is at >= 85 % of max heart rate, or quicker than its
    usual pace: the sentence names the one that holds. At 79 % (a moderate heart rate) it said
    "ended at high effort at 79 % of your max heart rate"."""
    from runtwitch.rules.base import Context
    from runtwitch.rules.factors.cooldown import _say_stop_dead

    run = pd.Series({"final_hr_pct_max": final_pct, "ended_hard": True}, name="r.fit")
    ctx = Context(pd.Series(dtype=object), run, None, pd.DataFrame(), run.to_frame().T)
    sentence = _say_stop_dead(ctx, {})
    assert says in sentence and "stopped dead" in sentence
    assert ("high effort" in sentence) == (final_pct is not None and final_pct >= 85)
