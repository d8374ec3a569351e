"""One run in two files counts once: the same recording exported twice, or two devices at once."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import runtwitch
from runtwitch.duplicates import find_duplicates
from runtwitch.render import summary_text
from tests.conftest import CORPUS
from tests.helpers.history import write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
SAME_RUN = ["fit/sports-lib__6782987395.fit", "gpx/sports-lib__6782987395.gpx",
            "tcx/sports-lib__6782987395.tcx"]


def test_one_run_exported_as_fit_gpx_and_tcx_is_one_activity(tmp_path: Path) -> None:
    """A platform's GPX and TCX of the watch's run: the FIT file is kept (it carries the most),
    the two others are left out, named, and the day's load counts the run once."""
    for rel in SAME_RUN:
        shutil.copy(CORPUS / rel, tmp_path)
    result = runtwitch.analyze([tmp_path], tz="UTC", cache=False)
    assert [Path(a.meta.source).suffix for a in result.activities] == [".fit"]
    assert len(result.runs) == 1
    skipped = {Path(r.path).suffix: r for r in result.imports if r.status == "skipped"}
    assert sorted(skipped) == [".gpx", ".tcx"]
    assert all(r.error_type == "Duplicate" and "sports-lib__6782987395.fit" in (r.error or "")
               for r in skipped.values())
    assert result.season.duplicates["overlap"].min() > 0.95
    text = summary_text(result)
    assert "Imported 1 activity" in text and "2 skipped" in text and "the same run as" in text


def test_every_copy_is_kept_when_asked(tmp_path: Path) -> None:
    acts = [runtwitch.read_activity(CORPUS / rel) for rel in SAME_RUN]
    assert len(runtwitch.Season.build(acts, tz="UTC", duplicate_overlap=None).activities) == 3
    assert len(runtwitch.Season.build(acts, tz="UTC").activities) == 1


def _runs(tmp_path: Path, *spans: tuple[float, float]) -> list[runtwitch.Activity]:
    """Runs starting ``offset`` minutes after START and lasting ``minutes``."""
    for k, (offset, minutes) in enumerate(spans):
        write_run(tmp_path, f"r{k}.fit", START + timedelta(minutes=offset), minutes)
    return [runtwitch.read_activity(tmp_path / f"r{k}.fit") for k in range(len(spans))]


def test_separate_runs_of_one_day_are_all_kept(tmp_path: Path) -> None:
    """A warm-up, the session and a cool-down recorded one after another, and a second run in
    the evening, overlap in nothing: none is a duplicate."""
    acts = _runs(tmp_path, (0, 10), (11, 40), (52, 10), (600, 30))
    assert find_duplicates(acts).empty


def test_two_devices_a_minute_apart_are_one_run(tmp_path: Path) -> None:
    """A watch and a phone started a minute apart and stopped together overlap for 30 of the
    watch's 31 minutes: one run. Both FIT files tie on format: the one with more records is kept."""
    acts = _runs(tmp_path, (0, 31), (1, 30))
    found = find_duplicates(acts)
    assert found[["position", "kept_position"]].values.tolist() == [[1, 0]]
    assert found["overlap"].iloc[0] == pytest.approx(30 / 31, abs=0.01)


def test_half_overlapping_recordings_are_two_runs_unless_the_threshold_says_so(tmp_path: Path) -> None:
    acts = _runs(tmp_path, (0, 40), (20, 40))
    assert find_duplicates(acts).empty
    assert len(find_duplicates(acts, overlap=0.4)) == 1


@pytest.mark.parametrize("overlap", [0, -0.5, 1.5])
def test_the_threshold_is_a_share_of_time(overlap: float) -> None:
    with pytest.raises(ValueError, match="share of time"):
        find_duplicates([], overlap=overlap)


@pytest.mark.corpus
def test_the_corpus_runs_held_in_several_formats_are_found_and_nothing_else() -> None:
    """Over every corpus activity, the copies found are the same run under the same name in
    another format, or one of the two pairs known to be one recording (a FIT file of settings
    holding the same session as Activity.fit, and one run exported by two platforms)."""
    from tests.conftest import MANIFEST, corpus_path

    acts = []
    for row in MANIFEST:
        if row["kind"] == "activity":
            try:
                acts.append(runtwitch.read_activity(corpus_path(row)))
            except runtwitch.RuntwitchError:
                continue
    found = find_duplicates(acts)
    known = {("python-fitparse__activity-settings", "python-fitparse__Activity"),
             ("sports-lib__movescount", "sports-lib__sports-tracker")}
    for source, kept in zip(found["source"], found["kept_source"], strict=True):
        a, b = Path(source).name.split(".")[0], Path(kept).name.split(".")[0]
        same_id = set(re.findall(r"\d{6,}", a)) & set(re.findall(r"\d{6,}", b))  # a platform's activity id
        assert a == b or same_id or (a, b) in known, (source, kept)
    assert len(found) >= 10


def test_a_run_and_a_ride_at_the_same_time_are_two_activities(tmp_path: Path) -> None:
    """Overlapping in time is not enough: a run and a ride recorded over the same hour (a ride
    copied from a run's track kept the ride and dropped the run, by file name) are both kept; a
    run whose file names no sport still meets its own FIT copy."""
    write_run(tmp_path, "run.fit", START, 40)
    write_run(tmp_path, "ride.fit", START + timedelta(minutes=3), 40, sport="cycling", speed_mps=8.0)
    acts = [runtwitch.read_activity(tmp_path / n) for n in ("run.fit", "ride.fit")]
    assert find_duplicates(acts).empty
    assert len(runtwitch.Season.build(acts, tz="UTC").activities) == 2
    write_run(tmp_path, "untyped.fit", START, 40, sport="generic")
    untyped = runtwitch.read_activity(tmp_path / "untyped.fit")
    season = runtwitch.Season.build([*acts, untyped], tz="UTC")
    assert sorted(season.activities) == ["ride.fit", "run.fit"]
    assert season.duplicates["source"].map(lambda s: Path(s).name).tolist() == ["untyped.fit"]
