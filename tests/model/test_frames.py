"""Taking frames apart and building them from arrays (model/frames.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.model.frames import frame_columns, frame_from_arrays
from tests.conftest import CORPUS


@pytest.mark.corpus
def test_frame_columns_are_the_columns_items_gives() -> None:
    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    for df in (act.records, act.sessions, act.laps, act.route):
        got = frame_columns(df)
        assert list(got) == list(df.columns)
        for name, series in df.items():
            pd.testing.assert_series_equal(pd.Series(got[name], index=df.index, name=name), series)


def test_frame_columns_cannot_change_the_frame() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2]})
    arrays = frame_columns(df)
    with pytest.raises(ValueError, match="read-only"):
        arrays["a"][0] = 5.0
    assert df["a"].tolist() == [1.0, 2.0]


def test_frame_columns_without_the_pandas_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    df = pd.DataFrame({"t": pd.to_datetime(["2026-01-01"], utc=True), "s": pd.array(["x"], dtype="string"),
                       "v": [1.5]})
    fast = frame_columns(df)
    monkeypatch.delattr(pd.DataFrame, "_iter_column_arrays")
    slow = frame_columns(df)
    assert list(slow) == list(fast)
    for name in fast:
        pd.testing.assert_series_equal(pd.Series(slow[name]), pd.Series(fast[name]))


def test_a_frame_from_arrays_owns_its_data() -> None:
    values = np.array([1.0, 2.0])
    df = frame_from_arrays([values], ["v"], pd.RangeIndex(2))
    values[0] = 9.0
    assert df["v"].tolist() == [1.0, 2.0]


def test_frames_with_the_same_columns_do_not_share_their_labels_object() -> None:
    one = frame_from_arrays([np.zeros(1)], ["v"], pd.RangeIndex(1))
    two = frame_from_arrays([np.zeros(1)], ["v"], pd.RangeIndex(1))
    one.columns.name = "mine"
    assert two.columns.name is None and list(two.columns) == ["v"]
