"""The engine's comparisons with the runner's usual: none without the history they compare with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

import runtwitch
from tests.helpers.history import write_run

RACE_DAY = datetime(2026, 6, 7, 7, 0, tzinfo=UTC)
#: The episode after the run; its notes make the run a race (a hard session).
DIARY = "date,time,muscles,notes\n2026-06-07,19:00,left calf,race\n"


def _fatigue(tmp_path: Path, earlier_days: int) -> pd.Series:
    """The 'Unusually hard or long' row of the race's episode, with ``earlier_days`` of easy runs before."""
    runs = tmp_path / "runs"
    runs.mkdir()
    write_run(runs, "race.fit", RACE_DAY, 60, speed_mps=3.6, heart_rate=170)
    for d in range(1, earlier_days + 1):
        write_run(runs, f"easy-{d:02d}.fit", RACE_DAY - timedelta(days=d), 40, speed_mps=2.8, heart_rate=135)
    diary = tmp_path / "diary.csv"
    diary.write_text(DIARY, encoding="utf-8")
    a = runtwitch.analyze([runs], diary=diary, tz="UTC", progress=False, cache=False)
    causes = a.explanation.causes
    row: pd.Series = causes[causes["cause"] == "fatigue_overuse"].iloc[0]
    return row


def test_one_run_makes_no_claim_about_the_days_and_sessions_before_it(tmp_path: Path) -> None:
    """A single run and its episode: no earlier day is in the data.

    It once read "No rest day in the last 7 days." and "with only 0 hard sessions in the 90 days
    before: more strenuous than you are used to", evidence for a cause drawn from days nobody
    recorded. Those comparisons are now not assessed (too little history) and asked for as files.
    """
    row = _fatigue(tmp_path, 0)
    said = " ".join(row["evidence"])
    assert "rest day" not in said and "hard session" not in said
    assert "A race or race-pace effort" in said  # what the run itself shows still speaks
    assert ("at least 3 earlier runs in the 90 days before, to know the sessions you are used to"
            in row["missing"])
    assert "your runs of the week before, to count rest days" in row["missing"]
    assert "a month of earlier runs, to compare this run's length with" in row["missing"]


def test_a_month_of_easy_runs_before_lets_the_comparisons_speak(tmp_path: Path) -> None:
    """The ablation: the same race with 30 days of easy runs before it, one a day."""
    row = _fatigue(tmp_path, 30)
    said = " ".join(row["evidence"])
    assert "with no hard session among your runs of the 90 days before" in said
    assert "Day 31 of running in a row." in said
    assert "session spike" in said
    assert row["missing"] == ["at least 3 earlier runs of the same type (for 'faster than usual')"]  # races
