"""The synthetic cohort comes from the sample-season generator, which still writes sample_data/ unchanged."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cohort import ROOT, generator


def test_the_default_runner_writes_the_sample_season_byte_for_byte(tmp_path: Path) -> None:
    gen = generator()
    gen.write_season(tmp_path, gen.Runner())
    sample = ROOT / "sample_data"
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in sample.iterdir() if p.name != "diary_template.csv")
    for name in written:
        assert (tmp_path / name).read_bytes() == (sample / name).read_bytes(), name


def test_cohort_runners_differ_and_live_where_they_say() -> None:
    gen = generator()
    runners = [gen.cohort_runner(k, weeks=3) for k in range(12)]
    assert len({r.seed for r in runners}) == 12
    assert len({r.timezone for r in runners}) > 1 and len({r.stories for r in runners}) > 6
    assert all(r.weeks == 3 and r.step_s == 5 for r in runners)
    for r in runners:  # every story fits in the season
        assert all(week + gen.STORIES[name][1] <= r.weeks for name, week in r.stories)
