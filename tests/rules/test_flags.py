"""Red flags: each fires when it must, stays quiet when it must, and is never hidden."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runtwitch.rules.flags import (
    PERSISTENT_MAX_GAP_DAYS,
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


def _persistent_flags(tmp_path: Path, days: list[int], recovery: str = "foam rolling",
                      every: int = 1) -> list[bool]:
    """The ``persistent`` flag of episodes logged on ``days`` (after runs every ``every`` days)."""
    import datetime as dt

    import runtwitch
    from tests.helpers.history import read_all, write_diary, write_run
    from tests.rules.test_causes import ATHLETE, START, TODAY

    last = max(days) + 1
    runs = read_all(
        [
            write_run(tmp_path, f"r{k}.fit", START + dt.timedelta(days=k), 30, cooldown_min=6)
            for k in range(0, last, every)
        ]
    )
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
    ex = runtwitch.explain(season.episodes, runtwitch.run_features(season))
    if any("persistent" in f for f in ex.episodes["flags"]):
        message = ex.flags.set_index("flag").loc["persistent", "message"]
        assert ("although you logged recovery measures" in message) is bool(recovery)
    return [("persistent" in f) for f in ex.episodes["flags"]]


def test_persistent_needs_twitching_on_most_days_for_more_than_two_weeks(tmp_path: Path) -> None:
    every_day = list(range(16))  # twitching every day for 16 days (days 0-15)
    assert _persistent_flags(tmp_path, every_day) == [d > PERSISTENT_SPAN_DAYS for d in every_day]
    # every other day is still most days; the calendar alone raises the flag
    other_day = list(range(0, 18, 2))
    assert _persistent_flags(tmp_path, other_day, recovery="") == [d > 14 for d in other_day]
    # three days without twitching end the stretch: days 0-8, then 12-20, never over two weeks
    assert not any(_persistent_flags(tmp_path, [*range(0, 9), *range(12, 21)]))


def test_separate_post_run_episodes_are_not_persistent_twitching(tmp_path: Path) -> None:
    """The sample season's weekly post-run episodes (E34 on) raised 'persistent' on 12 of 14.

    Three or more post-run episodes within 28 days, each settled within hours, were
    read as "twitching that lasts more than two weeks". Base rate of the flag, before
    and after: sample season 12 of 14 episodes -> 0 of 14; an ordinary runner with a
    post-run twitch every week for 12 weeks: 9 of 12 -> 0 of 12; every third day for
    five weeks, 7 of 12 -> 0 of 12.
    """
    weekly = list(range(0, 84, 7))
    assert not any(_persistent_flags(tmp_path, weekly, every=7))
    assert not any(_persistent_flags(tmp_path, list(range(0, 36, 3)), every=3))
    assert not any(_persistent_flags(tmp_path, [0, 9, 18]))  # the old rule's 3 days over 18


def _naive_persistent(dates: list[pd.Timestamp]) -> list[bool]:
    """The rule as written, episode by episode over the whole history (quadratic): walk back
    from the episode's day while the previous episode day is at most the gap away."""
    days = sorted(set(dates))
    out = []
    for d in dates:
        k = days.index(d)
        while k and (days[k] - days[k - 1]).days <= PERSISTENT_MAX_GAP_DAYS:
            k -= 1
        out.append((d - days[k]).days > PERSISTENT_SPAN_DAYS)
    return out


def test_muscle_groups_and_regions() -> None:
    groups, regions = muscle_groups(["left calf", "right calf", "left hamstring"])
    assert groups == {"calf", "hamstring"} and regions == {"legs"}
    assert muscle_groups(["eyelid", "right calf"])[1] == {"face", "legs"}


@pytest.mark.parametrize("seed", range(5))
def test_persistence_in_one_pass_equals_the_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dates = [pd.Timestamp("2026-01-01") + pd.Timedelta(days=int(d)) for d in rng.integers(0, 120, 60)]
    history = pd.DataFrame({"date": dates}).sample(frac=1.0, random_state=seed)  # any order
    got = persistence(history)
    assert list(got.loc[history.index, "persistent"]) == _naive_persistent(list(history["date"]))


def test_unknown_muscle_names_are_reported_not_guessed(tmp_path: Path) -> None:
    ex = history(tmp_path, {}, {}, episode={"muscles": "left calf; blorp muscle; hamstirng"})
    assert "widespread" not in ex.episodes.loc[0, "flags"]
    assert any("'blorp muscle' not read as a muscle" in w for w in ex.warnings)
    assert any("read 'hamstirng' as hamstring" in w for w in ex.warnings)
