"""Red flags: each fires when it must, stays quiet when it must, and is never hidden."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runtwitch.rules.flags import (
    PERSISTENT_LOOKBACK_DAYS,
    PERSISTENT_MIN_EPISODES,
    PERSISTENT_SPAN_DAYS,
    muscle_groups,
    persistence,
)
from tests.rules.test_causes import SCENARIOS, history


@pytest.mark.parametrize(
    ("flag", "episode", "context", "fires"),
    [
        ("weakness", {"weakness": "yes"}, {}, True),
        ("weakness", {"weakness": "no"}, {}, False),
        ("sleep_disruption", {"sleep_disrupted": "y"}, {}, True),
        ("sleep_disruption", {}, {}, False),
        ("weakness", {"symptoms": "muscle weakness"}, {}, True),
        ("widespread", {"muscles": "left calf; right forearm; neck"}, {}, True),
        ("widespread", {"muscles": "left calf; right calf"}, {}, False),
        ("widespread", {"muscles": "left side of calf; left calf"}, {}, False),  # one place
        ("widespread", {"muscles": "Wade links; mollet droit; pantorrilla"}, {}, False),
        ("widespread", {"muscles": "calfs; hamstirng; quadracep"}, {}, True),  # three groups, typos read
        ("bulbar", {"muscles": "tongue"}, {}, True),  # a tongue-only episode
        ("bulbar", {"muscles": "left calf", "symptoms": "slurred speech"}, {}, True),
        ("bulbar", {"muscles": "left calf", "notes": "trouble swallowing since yesterday"}, {}, True),
        ("bulbar", {"muscles": "left calf", "symptoms": "tingling"}, {}, False),
        ("numbness", {"symptoms": "numbness"}, {}, True),
        ("numbness", {"symptoms": "pins and needles"}, {}, False),  # tingling is common with twitches
        ("numbness", {"notes": "no numbness"}, {}, False),
        ("wasting", {"symptoms": "muscle looks smaller"}, {}, True),
        ("wasting", {"symptoms": "stiff"}, {}, False),
        (
            "overdrinking",
            {},
            {"weight_before_kg": "70", "weight_after_kg": "70.8", "fluid_during_l": "2"},
            True,
        ),
        # a 0.1 kg gain is bathroom-scale noise
        ("overdrinking", {}, {"weight_before_kg": "70", "weight_after_kg": "70.1"}, False),
        ("overdrinking", {}, {}, False),
    ],
)
def test_episode_flags(
    tmp_path: Path, flag: str, episode: dict[str, str], context: dict[str, str], fires: bool
) -> None:
    ex = history(tmp_path, {}, context, episode=episode)
    assert (flag in ex.episodes.loc[0, "flags"]) is fires
    assert (flag in list(ex.flags["flag"])) is fires
    if fires:
        msg = ex.flags.set_index("flag").loc[flag, "message"]
        assert "doctor" in msg or "care" in msg


def test_red_flags_are_never_hidden_by_a_strong_cause(tmp_path: Path) -> None:
    target, context = SCENARIOS["dehydration"]
    ex = history(tmp_path, target, context,
                 episode={"weakness": "yes", "sleep_disrupted": "yes", "kind": "cramp"})
    assert ex.episodes.loc[0, "top_cause"] == "dehydration"
    assert {"weakness", "sleep_disruption"} <= set(ex.episodes.loc[0, "flags"])


def test_overdrinking_is_never_answered_with_drink_more(tmp_path: Path) -> None:
    ex = history(tmp_path, {}, {"weight_before_kg": "70", "weight_after_kg": "71", "fluid_during_l": "2.5"})
    msg = ex.flags.set_index("flag").loc["overdrinking", "message"]
    assert "hyponatraemia" in msg and "Do not answer cramps by drinking more" in msg


def test_persistent_needs_episodes_over_more_than_two_weeks(tmp_path: Path) -> None:
    import datetime as dt

    import runtwitch
    from tests.helpers.history import read_all, write_diary, write_run
    from tests.rules.test_causes import ATHLETE, START, TODAY

    runs = read_all(
        [
            write_run(tmp_path, f"r{k}.fit", START + dt.timedelta(days=k), 30, cooldown_min=6)
            for k in range(0, 30, 3)
        ]
    )

    def explain(days: list[int], recovery: str = "foam rolling") -> runtwitch.Explanation:
        rows = [
            {
                "date": f"{(START + dt.timedelta(days=d)).date()}",
                "time": "20:00",
                "muscles": "calf",
                "recovery": recovery,
            }
            for d in days
        ]
        diary = runtwitch.read_diary(write_diary(tmp_path / "d.csv", rows), tz="UTC", today=TODAY)
        season = runtwitch.Season.build(runs, diary=diary, athlete=ATHLETE)
        return runtwitch.explain(season.episodes, runtwitch.run_features(season))

    ex = explain([0, 9, 18])
    assert [("persistent" in f) for f in ex.episodes["flags"]] == [False, False, True]
    assert "although you logged recovery measures" in ex.flags.set_index("flag").loc["persistent", "message"]
    ex = explain([0, 3, 6])  # three episodes within a week: not (yet) persistent
    assert not any("persistent" in f for f in ex.episodes["flags"])
    # persistence without any logged recovery: the calendar alone raises the flag
    ex = explain([0, 9, 18], recovery="")
    assert [("persistent" in f) for f in ex.episodes["flags"]] == [False, False, True]
    assert "although" not in ex.flags.set_index("flag").loc["persistent", "message"]


def test_muscle_groups_and_regions() -> None:
    groups, regions = muscle_groups(["left calf", "right calf", "left hamstring"])
    assert groups == {"calf", "hamstring"} and regions == {"legs"}
    assert muscle_groups(["eyelid", "right calf"])[1] == {"face", "legs"}


def _naive_persistent(dates: list[pd.Timestamp]) -> list[bool]:
    """The rule as written, episode by episode over the whole history (quadratic)."""
    out = []
    for d in dates:
        inside = sorted({x for x in dates if d - pd.Timedelta(days=PERSISTENT_LOOKBACK_DAYS) < x <= d})
        out.append(len(inside) >= PERSISTENT_MIN_EPISODES and (d - inside[0]).days > PERSISTENT_SPAN_DAYS)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_persistence_in_one_pass_equals_the_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dates = [pd.Timestamp("2026-01-01") + pd.Timedelta(days=int(d)) for d in rng.integers(0, 200, 60)]
    history = pd.DataFrame({"date": dates}).sample(frac=1.0, random_state=seed)  # any order
    got = persistence(history)
    assert list(got.loc[history.index, "persistent"]) == _naive_persistent(list(history["date"]))


def test_unknown_muscle_names_are_reported_not_guessed(tmp_path: Path) -> None:
    ex = history(tmp_path, {}, {}, episode={"muscles": "left calf; blorp muscle; hamstirng"})
    assert "widespread" not in ex.episodes.loc[0, "flags"]
    assert any("'blorp muscle' not read as a muscle" in w for w in ex.warnings)
    assert any("read 'hamstirng' as hamstring" in w for w in ex.warnings)
