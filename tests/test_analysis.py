"""analyze(): the whole pipeline in one call."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import runtwitch
from tests.helpers.history import write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)


def test_analyze_still_runs_on_the_good_files(tmp_path: Path) -> None:
    for k in range(2):
        write_run(tmp_path, f"r{k}.fit", START + timedelta(days=k), 20, cooldown_min=5)
    (tmp_path / "bad.fit").write_bytes(b"\x0e\x10garbage")
    result = runtwitch.analyze([tmp_path], tz="UTC")
    assert len(result.activities) == 2
    assert [r.status for r in result.imports if r.path.endswith("bad.fit")] == ["error"]


def test_analyze_gives_the_collector_back_as_it_found_it(tmp_path: Path) -> None:
    """The analysis pauses the cyclic garbage collector; after it, it is on again, or still off."""
    write_run(tmp_path, "r0.fit", START, 20, cooldown_min=5)
    runtwitch.analyze([tmp_path], tz="UTC", cache=False)
    assert gc.isenabled()
    gc.disable()
    try:
        runtwitch.analyze([tmp_path], tz="UTC", cache=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_a_diary_with_no_run_to_link_to_is_analysed_unlinked(tmp_path: Path) -> None:
    """An empty folder, or one holding only a ride: the episodes stay unlinked, red flags still checked.

    Linking once raised ``ValueError: zip() argument 2 is longer than argument 1`` when the
    season held no run at all.
    """
    diary = tmp_path / "diary.csv"
    diary.write_text("date,time,muscles,urine_color,symptoms\n"
                     "2026-05-01,19:00,left calf,,\n"
                     "2026-05-03,20:00,left quadriceps,8,muscle pain\n", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    ride = tmp_path / "ride"
    ride.mkdir()
    write_run(ride, "ride.fit", START, 40, sport="cycling")
    for folder, imported in ((empty, 0), (ride, 1)):
        result = runtwitch.analyze([folder], diary=diary, tz="UTC", progress=False, cache=False)
        assert len(result.activities) == imported
        assert list(result.season.episodes["link_rule"]) == ["none", "none"]
        assert result.season.episodes["activity_id"].isna().all()
        assert result.explanation.episodes["top_cause"].isna().all()
        assert set(result.explanation.causes["status"]) == {"not assessed"}
        assert "muscle_breakdown" in set(result.explanation.safety["gate"])


def test_the_sample_season_does_not_depend_on_the_clock() -> None:
    """The Quickstart on a computer whose clock is set before the season: the same answer.

    ``today=`` is the demo clock (``--today``); runs that were recorded prove their days
    have happened, so diary dates up to the day after the last run are never "in the future".
    """
    def run(today: date | None) -> runtwitch.Analysis:
        return runtwitch.analyze([SAMPLE], diary=SAMPLE / "diary.csv", athlete=SAMPLE / "athlete.toml",
                                 progress=False, today=today)

    now, before = run(None), run(date(2026, 1, 1))
    assert before.diary is not None and before.diary.report.problems == []
    cols = ["episode_id", "date", "time", "activity_id", "top_cause"]
    assert before.explanation.episodes[cols].equals(now.explanation.episodes[cols])
    assert len(before.episodes) == 14 and before.episodes["activity_id"].notna().all()
    # a diary date after the last run and after the demo clock is still caught
    late = runtwitch.analyze([SAMPLE / "2026-06-07-0900-running.fit"], diary=SAMPLE / "diary.csv",
                             tz="UTC", progress=False, today=date(2026, 6, 1))
    assert late.diary is not None
    assert {p.value for p in late.diary.report.problems} >= {"2026-08-22"}
    assert "not after 2026-06-08" in late.diary.report.problems[-1].expected


def test_an_analysis_shows_one_line_in_a_plain_python_session(tmp_path: Path) -> None:
    """In a terminal or a script, ``result`` (and its season and explanation) print one short line
    saying what is there, not every import result and frame (a notebook draws the rich view)."""
    for k in range(3):
        write_run(tmp_path, f"r{k}.fit", START + timedelta(days=k), 20, cooldown_min=5)
    (tmp_path / "bad.fit").write_bytes(b"\x0e\x10garbage")
    result = runtwitch.analyze([tmp_path], tz="UTC", cache=False)
    for obj, starts in ((result, "<Analysis: 4 inputs (1 error, 3 ok); 3 activities"),
                        (result.season, "<Season: 3 activities from 2026-05-01 to 2026-05-03, no diary"),
                        (result.explanation, "<Explanation of 0 episodes")):
        text = repr(obj)
        assert text.startswith(starts), text
        assert "\n" not in text and len(text) < 400, text
