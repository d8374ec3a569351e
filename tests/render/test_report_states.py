"""Empty and partial seasons: the report says what is missing and what to do about it."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from pathlib import Path

import runtwitch
from runtwitch.render import to_html
from runtwitch.testing import write_activity
from tests.helpers.history import NEUTRAL, write_diary, write_run
from tests.rules.test_causes import START


def _runs(folder: Path) -> list[Path]:
    return [write_run(folder, f"r{k}.fit", START + timedelta(days=2 * k), 40, cooldown_min=5)
            for k in range(4)]


def _runs_without_heart_rate(folder: Path) -> list[Path]:
    """Runs recorded by a watch without a heart-rate sensor (speed and distance only)."""
    paths = []
    for k in range(4):
        times = [START + timedelta(days=2 * k, seconds=5 * i) for i in range(480)]
        path = folder / f"nohr{k}.fit"
        path.write_bytes(write_activity(times, sport="running", speed=[3.0] * 480,
                                        distance=[15.0 * i for i in range(480)]))
        paths.append(path)
    return paths


def _chart_text(page: str) -> str:
    uris = re.findall(r"data:image/svg\+xml;base64,([^']+)", page)
    return " ".join(re.sub(r"<[^>]+>", " ", base64.b64decode(u).decode()) for u in uris)


def test_without_a_diary_the_report_says_how_to_start_one(tmp_path: Path) -> None:
    page = to_html(runtwitch.analyze(_runs(tmp_path), tz="UTC", cache=False, progress=False))
    assert "Add a diary to link twitches to your runs" in page and "<code>date,time,muscles," in page
    assert "Start a diary" in page and "every cause could be assessed" not in page
    assert "<article class='episode'" not in page
    assert "Not enough episodes yet" in page


def test_a_diary_without_episodes_says_what_to_log(tmp_path: Path) -> None:
    runs = _runs(tmp_path)
    rows = [{"date": f"{(START + timedelta(days=2 * k)).date()}", **NEUTRAL} for k in range(4)]
    page = to_html(runtwitch.analyze(runs, diary=write_diary(tmp_path / "d.csv", rows), tz="UTC", cache=False,
                                     progress=False))
    assert "No twitch episodes in your diary" in page and "<table class='cards summary'>" not in page
    assert "Nothing yet: log episodes first." in page


def test_without_heart_rate_or_weather_the_report_says_so(tmp_path: Path) -> None:
    runs = _runs_without_heart_rate(tmp_path)
    day = f"{(START + timedelta(days=6)).date()}"
    diary = write_diary(tmp_path / "d.csv", [{"date": day, "time": "18:00", "muscles": "left calf"}])
    a = runtwitch.analyze(runs, diary=diary, tz="UTC", cache=False, progress=False)
    page = to_html(a)
    assert "No heart rate in your files" in page and "How hot each run was is unknown" in page
    assert "training load (minutes)" in _chart_text(page) and "no heart rate recorded" in _chart_text(page)
    assert page.count("<article class='episode'") == 1


def test_a_cool_down_logged_after_the_recording_is_said_beside_the_trace(tmp_path: Path) -> None:
    runs = [write_run(tmp_path, f"r{k}.fit", START + timedelta(days=2 * k), 40) for k in range(3)]
    day = f"{(START + timedelta(days=4)).date()}"
    diary = write_diary(tmp_path / "d.csv", [{"date": day, "cooldown_min": "10"},
                                             {"date": day, "time": "18:00", "muscles": "left calf"}])
    page = to_html(runtwitch.analyze(runs, diary=diary, tz="UTC", cache=False, progress=False))
    caption = "<figcaption>Your diary logs a 10-minute cool-down, after the recording ended.</figcaption>"
    assert caption in page
    assert "no cool-down" in _chart_text(page)
