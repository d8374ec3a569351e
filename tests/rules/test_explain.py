"""explain's row lookups and patterns: the same rows and tables as pandas and the separate functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.rules import engine as en
from runtwitch.rules.base import cells
from runtwitch.rules.causes import RULES, with_current_medicines
from runtwitch.rules.explain import _Rows
from runtwitch.rules.patterns import pattern_counts, patterns, patterns_and_counts
from runtwitch.rules.score import usual_presence

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample() -> runtwitch.Analysis:
    return runtwitch.analyze([ROOT / "sample_data"], diary=ROOT / "sample_data" / "diary.csv",
                             athlete=ROOT / "sample_data" / "athlete.toml", cache=False)


def test_rows_are_the_rows_of_loc(sample: runtwitch.Analysis) -> None:
    for frame in (sample.runs, sample.days):
        # every row taken, or only some (the others come from frame.loc): the same rows either way
        for wanted in (None, [*frame.index[::3], None, pd.NA, "no such run", frame.index[0]]):
            rows = _Rows(frame, wanted)
            assert rows.cells is not None, "a frame of mixed dtypes takes the fast path"
            for key in frame.index:
                got, want = rows.get(key), frame.loc[key]
                assert got is not None
                pd.testing.assert_series_equal(got, want, check_exact=True)
                assert [type(v) for v in got.to_numpy()] == [type(v) for v in want.to_numpy()]
                assert type(got.name) is type(want.name)
            assert rows.get("no such run") is None and rows.get(None) is None and rows.get(pd.NA) is None
            for key in frame.index:  # the cells handed to the context are those the row gives
                read = rows.read(key)
                assert read is not None
                if read[1] is not None:
                    assert read[1].keys() == cells(frame.loc[key]).keys()
                    assert all(a is b for a, b in zip(read[1].values(), read[0].to_numpy(), strict=True))


def test_patterns_and_counts_equal_the_two_functions(sample: runtwitch.Analysis) -> None:
    runs = sample.runs
    followed = pd.Series(runs.index.isin(list(sample.explanation.episodes["activity_id"].dropna())),
                         index=runs.index)
    both = patterns_and_counts(runs, followed, sample.days)
    pd.testing.assert_frame_equal(both[0], patterns(runs, followed, sample.days))
    pd.testing.assert_frame_equal(both[1], pattern_counts(runs, followed, sample.days))
    pd.testing.assert_frame_equal(both[1], sample.explanation.pattern_counts)


def test_usual_sums_equal_usual_presence_factor_by_factor(sample: runtwitch.Analysis) -> None:
    """The usual presence of the exactly summed factors, taken for all of them at once, is what
    usual_presence gives each factor alone (every run, both ways of comparing)."""
    runs = sample.runs
    followed = pd.Series(runs.index.isin(list(sample.explanation.episodes["activity_id"].dropna())),
                         index=runs.index)
    season = en.Season(runs, sample.days, [with_current_medicines(r) for r in RULES], followed)
    assert season._exact, "flags are summed exactly"
    compared = 0
    for k in range(len(season.runs)):
        for fid, xs in season.xs.items():
            f = next(f for r in season.rules for f in r.factors if f.id == fid)
            if not np.isfinite(xs[k]):
                continue
            wf = season.weigh_factor(f, k, None, "twitch")
            assert wf is not None
            assert (wf.p, wf.n_usual) == usual_presence(xs[season.comparable(k, f.compare)[0]], f.p_pop)
            compared += fid in season._exact
    assert compared > 100


def test_exact_sums_are_those_of_multiples_of_the_step_within_0_and_1() -> None:
    assert en._exact_sums(np.array([0.0, 1.0, np.nan, 0.5, 0.25, 0.75]))
    assert not en._exact_sums(np.array([0.0, 0.1]))
    assert not en._exact_sums(np.array([0.0, 2.0]))
    assert not en._exact_sums(np.array([-0.5, 1.0]))
    # presences of 0, 1/2**24 ... 1 add up exactly in any order
    x = np.random.default_rng(3).integers(0, 2**24 + 1, 5000) / 2**24
    assert en._exact_sums(x) and float(x.sum()) == float(np.sort(x).sum()) == float(x[::-1].cumsum()[-1])


def test_what_to_log_counts_each_episode_once(sample: runtwitch.Analysis, tmp_path: Path) -> None:
    """A need asked for by several causes of one episode counts that episode once.

    Two episodes with no run to link to were once summed up as "no run linked to this episode
    (22x)": once per cause of each episode.
    """
    diary = tmp_path / "diary.csv"
    diary.write_text("date,time,muscles\n2026-05-01,19:00,left calf\n2026-05-03,20:00,right calf\n",
                     encoding="utf-8")
    empty = tmp_path / "runs"
    empty.mkdir()
    unlinked = runtwitch.analyze([empty], diary=diary, tz="UTC", progress=False, cache=False).explanation
    assert unlinked.missing_summary().to_dict() == {"no run linked to this episode": 2}
    counts = sample.explanation.missing_summary()
    assert counts.max() <= len(sample.explanation.episodes)
    for need, n in counts.items():
        asked = sample.explanation.causes.loc[[need in m for m in sample.explanation.causes["missing"]],
                                              "episode_id"]
        assert n == asked.nunique(), need
