"""Red flags: each fires when it must, stays quiet when it must, and is never hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtwitch.rules.flags import muscle_groups
from tests.rules.test_causes import SCENARIOS, history


@pytest.mark.parametrize(
    ("flag", "episode", "context", "fires"),
    [
        ("weakness", {"weakness": "yes"}, {}, True),
        ("weakness", {"weakness": "no"}, {}, False),
        ("sleep_disruption", {"sleep_disrupted": "y"}, {}, True),
        ("sleep_disruption", {}, {}, False),
        ("widespread", {"muscles": "left calf; right forearm; neck"}, {}, True),
        ("widespread", {"muscles": "left calf; right calf"}, {}, False),
        (
            "overdrinking",
            {},
            {"weight_before_kg": "70", "weight_after_kg": "70.8", "fluid_during_l": "2"},
            True,
        ),
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
    ex = history(tmp_path, target, context, episode={"weakness": "yes", "sleep_disrupted": "yes"})
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

    def explain(days: list[int]) -> runtwitch.Explanation:
        rows = [
            {
                "date": f"{(START + dt.timedelta(days=d)).date()}",
                "time": "20:00",
                "muscles": "calf",
                "recovery": "foam rolling",
            }
            for d in days
        ]
        diary = runtwitch.read_diary(write_diary(tmp_path / "d.csv", rows), tz="UTC", today=TODAY)
        season = runtwitch.Season.build(runs, diary=diary, athlete=ATHLETE)
        return runtwitch.explain(season.episodes, runtwitch.run_features(season))

    ex = explain([0, 9, 18])
    assert [("persistent" in f) for f in ex.episodes["flags"]] == [False, False, True]
    ex = explain([0, 3, 6])  # three episodes within a week: not (yet) persistent
    assert not any("persistent" in f for f in ex.episodes["flags"])


def test_muscle_groups_and_regions() -> None:
    groups, regions = muscle_groups(["left calf", "right calf", "left hamstring"])
    assert groups == {"calf", "hamstring"} and regions == {"legs"}
    assert muscle_groups(["eyelid", "right calf"])[1] == {"face", "legs"}
