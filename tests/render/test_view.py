"""The episode view-model the three reports share, and charts that leave matplotlib's state alone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import runtwitch
from runtwitch.render import episode_views, summary_text, to_json
from runtwitch.render.view import episode_refs, summary_rows, verdict
from runtwitch.rules import LIKELY_SHARE, POSSIBLE_SHARE
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def analysis() -> runtwitch.Analysis:
    s = ROOT / "sample_data"
    return runtwitch.analyze([s], diary=s / "diary.csv", athlete=s / "athlete.toml", progress=False)


def test_text_and_json_show_each_episode_as_the_view_model_has_it(analysis: runtwitch.Analysis) -> None:
    views = episode_views(analysis.explanation)
    doc = to_json(analysis)
    text = summary_text(analysis)
    ids = list(analysis.episodes["episode_id"])
    assert [v.id for v in views] == [e["id"] for e in doc["episodes"]] == ids
    for view, ep in zip(views, doc["episodes"], strict=True):
        assert ep["activity_id"] == view.activity_id and ep["flags"] == [f for f, _ in view.flags]
        assert [c["cause"] for c in ep["causes"]] == [c.cause for c in view.causes]
        assert f"{view.id}: {view.when}" in text
        for k, cause in enumerate(view.shown, start=1):
            assert f"  {k}. {cause.title} (score {cause.score:.2f};" in text
        assert len(view.shown) <= 3 and all(c.status == "assessed" and c.score > 0 for c in view.shown)
    json.dumps(doc, allow_nan=False, default=str)


def test_rendering_never_touches_pyplot_or_the_backend() -> None:
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        "import runtwitch.render\n"
        "from runtwitch.render.charts import patterns_figure, svg_uri\n"
        "import pandas as pd\n"
        "before = dict(matplotlib.rcParams)\n"
        "p = pd.DataFrame({'label': ['a'], 'relative_risk': [2.0], 'ci_low': [1.0], 'ci_high': [4.0]})\n"
        "assert svg_uri(patterns_figure(p)).startswith('data:image/svg+xml;base64,')\n"
        "assert dict(matplotlib.rcParams) == before\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["svg", "False"]


def test_importing_the_reports_does_not_load_matplotlib() -> None:
    code = "import sys, runtwitch, runtwitch.render, runtwitch.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_verdict_words_follow_the_documented_levels() -> None:
    assert (LIKELY_SHARE, POSSIBLE_SHARE) == (0.50, 0.20)
    assert [verdict(x) for x in (0.95, 0.5, 0.49, 0.2, 0.19, 0.0, None, float("nan"))] == [
        "likely", "likely", "possible", "possible", "unlikely", "unlikely", "not assessed", "not assessed"]
    assert verdict(0.0, -0.4) == "evidence against"  # the engine's own words, not a second copy


def test_episode_refs_are_dates_that_survive_other_rows_changing() -> None:
    import pandas as pd

    dates = pd.to_datetime(["2026-05-23", "2026-05-23", "2026-05-23", "2026-06-01"])
    eps = pd.DataFrame({"row": [4, 9, 12, 15], "date": dates, "time": ["19:00", "19:00", None, None]})
    assert episode_refs(eps) == ["2026-05-23-1900", "2026-05-23-1900-2", "2026-05-23", "2026-06-01"]
    assert episode_refs(eps.iloc[[3, 0]]) == ["2026-06-01", "2026-05-23-1900"]  # rows removed or re-sorted


def test_summary_rows_say_when_what_changed_the_cause_in_words_and_the_first_step(
        analysis: runtwitch.Analysis) -> None:
    rows = summary_rows(analysis.explanation, analysis.runs, analysis.days)
    views = episode_views(analysis.explanation)
    assert [r.episode_id for r in rows] == [v.id for v in views]
    first = rows[0]  # the sample's first episode: Sat 23 May 2026, 19:00, after a hot 12:30 run
    assert (first.when, first.ref, first.row) == ("Sat 23 May, evening", "2026-05-23-1900", 13)
    assert first.run.startswith("14.4 km run of 1 h 26 min, that day at 12:30")
    assert "hot (heat risk" in first.changed
    for r, v in zip(rows, views, strict=True):
        assert r.verdict in ("likely", "possible", "no cause stands out")
        assert (r.cause is None) == (r.verdict == "no cause stands out")
        # plain words; a diary column to fill in may be named in brackets, e.g. "(alcohol_units)"
        assert r.first_step and r.changed and "_" not in re.sub(r"\([a-z_]+\)", "", r.first_step)
        if "weakness" in [f for f, _ in v.flags]:
            assert "doctor" in r.first_step and "Red flag: weakness" in r.warnings
    bare = summary_rows(analysis.explanation)  # an Explanation alone: no run table
    assert bare[0].run == "a run; ended 5 h before" and bare[0].changed == ""


def test_the_first_step_of_an_episode_with_a_red_flag_is_the_flags_advice(tmp_path: Path) -> None:
    """Red flags come first (docs/cli.md), ``persistent`` too: its first step was the top cause's
    remedy ("Do not stop dead ...")."""
    from datetime import timedelta

    from tests.helpers.history import read_all, write_diary, write_run
    from tests.rules.test_causes import ATHLETE, START, TODAY

    runs = read_all([write_run(tmp_path, f"r{k}.fit", START + timedelta(days=k), 30, sprint_min=2)
                     for k in range(17)])
    rows = [{"date": f"{(START + timedelta(days=d)).date()}", "time": "20:00", "muscles": "calf"}
            for d in range(17)]  # twitching every day for 17 days
    diary = runtwitch.read_diary(write_diary(tmp_path / "d.csv", rows), tz="UTC", today=TODAY)
    season = runtwitch.Season.build(runs, diary=diary, athlete=ATHLETE)
    ex = runtwitch.explain(season.episodes, runtwitch.run_features(season))
    rows_ = summary_rows(ex)
    flagged = [r for r, f in zip(rows_, ex.episodes["flags"], strict=True) if "persistent" in f]
    advice = "Twitching that lasts more than two weeks"
    assert flagged and all(r.first_step.startswith(advice) for r in flagged)
    assert all("Red flag: persistent" in r.warnings for r in flagged)


def test_the_summary_never_says_nothing_changed_where_the_explanation_found_something(
        analysis: runtwitch.Analysis) -> None:
    """The summary's 'what changed' and the explanation's 'changed' were two calculations: the
    summary said 'nothing unusual in the data' beside a fast before a long run (E40) or a diuretic
    (E59), and 'no cool-down' for a runner who seldom cools down. The summary now takes what the
    explanation found far above usual when its own comparisons say nothing, and says 'no cool-down'
    only when the explanation found it unusual."""
    rows = {r.episode_id: r for r in summary_rows(analysis.explanation, analysis.runs, analysis.days)}
    eps = analysis.explanation.episodes.set_index("episode_id")
    for eid, r in rows.items():
        unusual = list(eps.loc[eid, "unusual"])
        if unusual:
            assert r.changed != "nothing unusual in the data", eid
        if "no cool-down" in r.changed:
            assert {"no_cooldown", "stop_dead"} & set(unusual), eid
    assert "carbohydrate" in rows["E40"].changed and "diuretic" in rows["E59"].changed
