"""The linked season: episodes and context rows linked to runs (across time zones and DST), once."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from tests.helpers.history import read_all, write_run

TODAY = dt.date(2026, 11, 25)


def _diary(tmp_path: Path, text: str, tz: str) -> runtwitch.Diary:
    p = tmp_path / "diary.csv"
    p.write_text(text)
    return runtwitch.read_diary(p, tz=tz, today=TODAY)


def test_time_window_picks_latest_run_and_hours_after(tmp_path: Path) -> None:
    runs = read_all([
        write_run(tmp_path, "morning.fit", datetime(2026, 6, 7, 6, 0, tzinfo=UTC), 30, utc_offset_s=7200),
        write_run(tmp_path, "evening.fit", datetime(2026, 6, 7, 16, 0, tzinfo=UTC), 60, utc_offset_s=7200),
    ])
    d = _diary(tmp_path, "date,time,muscles\n2026-06-07,21:00,calf\n2026-06-07,17:30,calf\n",
               "Europe/Paris")
    linked = runtwitch.link_episodes(d.episodes, runs, tz="Europe/Paris")
    assert list(linked["activity_id"]) == ["evening.fit", "morning.fit"]
    assert linked.loc[0, "hours_after_run"] == 2.0  # 21:00 local = 19:00 UTC; run ended 17:00 UTC
    assert list(linked["link_rule"]) == ["time_window", "time_window"]


def test_linking_across_a_dst_change(tmp_path: Path) -> None:
    # Europe/Paris moves from UTC+1 to UTC+2 on 2026-03-29 at 02:00 local.
    runs = read_all([write_run(tmp_path, "sat.fit", datetime(2026, 3, 28, 17, 0, tzinfo=UTC), 60,
                               utc_offset_s=None)])
    # The file has no offset -> the diary zone is used, at the onset (already UTC+2).
    d = _diary(tmp_path, "date,time,muscles\n2026-03-29,08:00,calf\n", "Europe/Paris")
    linked = runtwitch.link_episodes(d.episodes, runs, tz="Europe/Paris")
    # 08:00 CEST = 06:00 UTC on the 29th; the run ended 18:00 UTC the 28th -> 12 h.
    assert linked.loc[0, "activity_id"] == "sat.fit"
    assert linked.loc[0, "hours_after_run"] == 12.0


def test_runner_who_travelled_links_with_the_file_offset(tmp_path: Path) -> None:
    # Home is Paris, but this run was recorded in New York (UTC-4), as its file says.
    runs = read_all([write_run(tmp_path, "nyc.fit", datetime(2026, 7, 1, 22, 0, tzinfo=UTC), 60,
                               utc_offset_s=-4 * 3600)])
    # 20:00 local New York = 00:00 UTC on 2 July; the run ended 23:00 UTC on 1 July.
    d = _diary(tmp_path, "date,time,muscles\n2026-07-01,20:00,calf\n", "Europe/Paris")
    linked = runtwitch.link_episodes(d.episodes, runs, tz="Europe/Paris")
    assert linked.loc[0, "activity_id"] == "nyc.fit"
    assert linked.loc[0, "hours_after_run"] == 1.0
    assert linked.loc[0, "onset_utc"] == pd.Timestamp("2026-07-02T00:00Z")


def test_no_link_before_any_run_or_days_after(tmp_path: Path) -> None:
    runs = read_all([write_run(tmp_path, "r.fit", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), 30)])
    d = _diary(tmp_path, "date,time,muscles\n2026-06-09,20:00,calf\n2026-06-14,20:00,calf\n"
               "2026-06-14,,calf\n", "UTC")
    linked = runtwitch.link_episodes(d.episodes, runs, tz="UTC")
    assert linked["activity_id"].isna().all()
    assert list(linked["link_rule"]) == ["none", "none", "none"]


def test_no_run_at_all_leaves_every_episode_unlinked(tmp_path: Path) -> None:
    """No activity, or none that is a run: no link (linking once raised a ValueError in zip)."""
    ride = read_all([write_run(tmp_path, "ride.fit", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), 30,
                               sport="cycling")])
    d = _diary(tmp_path, "date,time,muscles\n2026-06-10,20:00,calf\n2026-06-10,,calf\n", "UTC")
    for activities in ([], ride):
        linked = runtwitch.link_episodes(d.episodes, activities, tz="UTC")
        assert linked["activity_id"].isna().all()
        assert list(linked["link_rule"]) == ["none", "none"]


def test_date_only_episode_same_day_else_day_before(tmp_path: Path) -> None:
    runs = read_all([
        write_run(tmp_path, "a.fit", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), 30),
        write_run(tmp_path, "b.fit", datetime(2026, 6, 10, 17, 0, tzinfo=UTC), 30),
    ])
    d = _diary(tmp_path, "date,muscles\n2026-06-10,calf\n2026-06-11,calf\n", "UTC")
    linked = runtwitch.link_episodes(d.episodes, runs, tz="UTC")
    assert list(linked["activity_id"]) == ["b.fit", "b.fit"]
    assert list(linked["link_rule"]) == ["same_day", "day_before"]
    assert linked["hours_after_run"].isna().all()


def test_window_is_a_parameter(tmp_path: Path) -> None:
    runs = read_all([write_run(tmp_path, "r.fit", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), 30)])
    d = _diary(tmp_path, "date,time,muscles\n2026-06-11,20:00,calf\n", "UTC")
    assert runtwitch.link_episodes(d.episodes, runs, tz="UTC")["activity_id"].isna().all()
    assert runtwitch.link_episodes(d.episodes, runs, tz="UTC", window_h=48).loc[0, "activity_id"] == "r.fit"


def test_context_rows_attach_to_their_run(tmp_path: Path) -> None:
    runs = read_all([
        write_run(tmp_path, "short.fit", datetime(2026, 6, 10, 6, 0, tzinfo=UTC), 20),
        write_run(tmp_path, "long.fit", datetime(2026, 6, 10, 16, 0, tzinfo=UTC), 90),
        write_run(tmp_path, "ride.fit", datetime(2026, 6, 11, 16, 0, tzinfo=UTC), 90, sport="cycling"),
    ])
    d = _diary(tmp_path, "date,run,fluid_during_l\n2026-06-10,,0.5\n2026-06-10,06:05,0.2\n"
               "2026-06-10,short.fit,0.1\n2026-06-11,,1\n", "UTC")
    ctx = runtwitch.link_context(d.context, runs, tz="UTC")
    assert list(ctx["activity_id"].fillna("-")) == ["long.fit", "short.fit", "short.fit", "-"]
    assert list(ctx["link_rule"]) == ["longest_of_day", "run_time", "run_file", "none"]


def test_time_without_any_time_zone_falls_back_to_the_date(tmp_path: Path) -> None:
    runs = read_all([write_run(tmp_path, "r.fit", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), 30,
                               utc_offset_s=None)])
    p = tmp_path / "diary.csv"
    p.write_text("date,time,muscles\n2026-06-10,20:00,calf\n")
    d = runtwitch.read_diary(p, today=TODAY)  # no tz
    linked = runtwitch.link_episodes(d.episodes, runs)
    assert linked.loc[0, "activity_id"] == "r.fit"
    assert linked.loc[0, "link_rule"] == "same_day"


def test_a_season_links_once_and_resolves_the_athlete(tmp_path: Path) -> None:
    acts = read_all([
        write_run(tmp_path, f"r{k}.fit", datetime(2026, 6, 10 + k, 6, 0, tzinfo=UTC), 30, heart_rate=150 + k)
        for k in range(5)
    ] + [write_run(tmp_path, "ride.fit", datetime(2026, 6, 16, 6, 0, tzinfo=UTC), 60, sport="cycling")])
    d = _diary(tmp_path, "date,time,muscles,fluid_during_l\n2026-06-12,12:00,calf,\n2026-06-13,,,0.5\n",
               "UTC")
    season = runtwitch.Season.build(acts, diary=d, athlete=runtwitch.Athlete(tz="Europe/Paris"), tz="UTC")
    assert season.tz == "UTC" and season.athlete.tz == "UTC"  # tz overrides the profile's
    assert season.athlete.max_hr is not None and season.athlete.provenance["max_hr"].startswith("estimated")
    assert list(season.activities) == list(season.table["activity_id"]) == [
        "r0.fit", "r1.fit", "r2.fit", "r3.fit", "r4.fit", "ride.fit"]
    assert season.activity("r2.fit") is acts[2]
    assert list(season.episodes["activity_id"]) == ["r2.fit"]
    assert list(season.context.dropna(subset=["activity_id"])["activity_id"]) == ["r2.fit", "r3.fit"]
    with pytest.raises(TypeError, match=r"takes a Season.*Season\.build"):
        runtwitch.run_features(acts)  # type: ignore[arg-type]


def test_one_analyze_builds_the_table_once_and_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counters behind 'computed once': the activity table, and every file read, on a cold cached run."""
    import builtins
    import io

    import runtwitch.season
    from runtwitch.render import to_html

    folder = tmp_path / "runs"
    folder.mkdir()
    files = [write_run(folder, f"r{k}.fit", datetime(2026, 6, 1 + k, 6, 0, tzinfo=UTC), 20, cooldown_min=4)
             for k in range(6)]
    diary = tmp_path / "diary.csv"
    diary.write_text("date,time,muscles,fluid_during_l\n2026-06-03,12:00,calf,0.4\n2026-06-04,,,0.3\n")
    tables: list[int] = []
    real_table = runtwitch.season._table

    def counted_table(*args, **kwargs):  # type: ignore[no-untyped-def]
        tables.append(1)
        return real_table(*args, **kwargs)

    opened: list[str] = []
    real_open = builtins.open

    def counted_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(runtwitch.season, "_table", counted_table)
    monkeypatch.setattr(builtins, "open", counted_open)
    monkeypatch.setattr(io, "open", counted_open)
    cache = tmp_path / "cache"
    result = runtwitch.analyze([folder], diary=diary, tz="UTC", cache=cache, n_jobs=1, progress=False)
    assert len(result.activities) == 6 and result.episodes["activity_id"].notna().all()
    assert len(tables) == 1
    assert {str(f): opened.count(str(f)) for f in files} == {str(f): 1 for f in files}
    to_html(result)  # the report finds activities by id in the season: no second table
    assert len(tables) == 1
    opened.clear()
    runtwitch.analyze([folder], diary=diary, tz="UTC", cache=cache, n_jobs=1, progress=False)  # warm
    assert {str(f): opened.count(str(f)) for f in files} == {str(f): 1 for f in files}


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_an_untyped_gpx_run_is_linked_and_the_output_says_its_sport_was_inferred(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GPX without <type> (older Strava exports, phone apps) is a run when its data says so."""
    from runtwitch.cli import main

    gpx = (SAMPLE / "2026-06-02-0700-running.gpx").read_text(encoding="utf-8")
    assert "<type>running</type>" in gpx
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "phone-app.gpx").write_text(gpx.replace("<type>running</type>", ""), encoding="utf-8")
    ride = folder / "ride.fit"
    ride.write_bytes((SAMPLE / "2026-06-10-1730-cycling.fit").read_bytes())
    assert runtwitch.read_activity(folder / "phone-app.gpx").meta.sport == "generic"
    diary = tmp_path / "diary.csv"
    diary.write_text("date,time,muscles\n2026-06-02,19:00,left calf\n", encoding="utf-8")

    acts = [runtwitch.read_activity(p) for p in sorted(folder.iterdir())]
    season = runtwitch.Season.build(acts, diary=runtwitch.read_diary(diary, tz="America/Toronto"),
                                    tz="America/Toronto")
    table = season.table.set_index("activity_id")
    assert table.loc["phone-app.gpx", ["sport", "sport_source"]].tolist() == ["running", "inferred"]
    assert table.loc["ride.fit", ["sport", "sport_source"]].tolist() == ["cycling", "file"]
    assert season.episodes["activity_id"].tolist() == ["phone-app.gpx"]
    runs = runtwitch.run_features(season)
    assert runs.loc["phone-app.gpx", "is_run"] and runs.loc["phone-app.gpx", "sport_source"] == "inferred"

    assert main(["analyze", str(folder), "--diary", str(diary), "--tz", "America/Toronto", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "E2 Tue 02 Jun 2026 19:00, left calf; after phone-app.gpx (" in out
    assert "sport inferred from its data: running" in out


@pytest.mark.parametrize(
    ("speed_mps", "cadence", "heart_rate", "sport"),
    [
        (3.0, 85.0, 150.0, "running"),    # a runner's strides
        (3.0, None, 150.0, "running"),
        (1.4, None, 95.0, "walking"),
        (1.7, None, 150.0, "running"),    # near the walk-run transition, a runner's heart rate
        (1.8, 170.0, 140.0, "running"),   # a slow jog, counted in steps
        (1.3, 115.0, 100.0, "walking"),   # a walker's steps
        (8.0, 85.0, 140.0, "cycling"),
        (5.5, 85.0, 140.0, "unknown"),    # a fast runner's strides or a slow rider's pedalling
        (5.5, 180.0, 170.0, "running"),   # steps: nobody pedals at 180 rpm for long
        (3.0, 55.0, 120.0, "unknown"),    # slow pedalling at a jogging speed
    ],
)
def test_infer_sport_from_speed_cadence_and_heart_rate(
    tmp_path: Path, speed_mps: float, cadence: float | None, heart_rate: float, sport: str
) -> None:
    from runtwitch.season import infer_sport
    from runtwitch.testing import write_activity

    times = [datetime(2026, 6, 1, 7, 0, tzinfo=UTC) + dt.timedelta(seconds=5 * i) for i in range(400)]
    cols: dict[str, list[float | None]] = {
        "speed": [speed_mps] * 400, "distance": [speed_mps * 5 * i for i in range(400)],
        "heart_rate": [heart_rate] * 400,
    }
    if cadence is not None:
        cols["cadence"] = [cadence] * 400
    path = tmp_path / "generic.fit"
    path.write_bytes(write_activity(times, sport="generic", **cols))
    act = runtwitch.read_activity(path)
    assert act.meta.sport == "generic"
    assert infer_sport(act) == sport
