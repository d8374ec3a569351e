"""explain's row lookups and patterns: the same rows and tables as pandas and the separate functions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.rules.explain import _Rows
from runtwitch.rules.patterns import pattern_counts, patterns, patterns_and_counts

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


def test_patterns_and_counts_equal_the_two_functions(sample: runtwitch.Analysis) -> None:
    runs = sample.runs
    followed = pd.Series(runs.index.isin(list(sample.explanation.episodes["activity_id"].dropna())),
                         index=runs.index)
    both = patterns_and_counts(runs, followed, sample.days)
    pd.testing.assert_frame_equal(both[0], patterns(runs, followed, sample.days))
    pd.testing.assert_frame_equal(both[1], pattern_counts(runs, followed, sample.days))
    pd.testing.assert_frame_equal(both[1], sample.explanation.pattern_counts)
