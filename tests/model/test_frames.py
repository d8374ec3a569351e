"""Taking frames apart and building them from arrays (model/frames.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import runtwitch
from runtwitch.model.frames import Columns, frame_columns, frame_from_arrays, string_array
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


@pytest.mark.corpus
def test_frames_built_from_blocks_equal_the_constructors(monkeypatch: pytest.MonkeyPatch) -> None:
    from runtwitch.model import frames

    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    for df in (act.records, act.sessions, act.laps):
        arrays = frame_columns(df)
        fast = frame_from_arrays(list(arrays.values()), list(arrays), df.index)
        with monkeypatch.context() as m:
            m.setattr(frames, "_new_block_2d", None)
            slow = frame_from_arrays(list(arrays.values()), list(arrays), df.index)
        public = pd.DataFrame(dict(arrays), index=df.index, copy=True)
        for other in (slow, public):
            pd.testing.assert_frame_equal(fast, other, check_exact=True)
        # the same blocks (one per numpy dtype, one per other column), whatever their order
        blocks = [sorted(str(b.dtype) for b in f._mgr.blocks) for f in (fast, slow)]
        assert blocks[0] == blocks[1]


@pytest.mark.corpus
def test_laps_made_from_sessions_share_no_data_with_them() -> None:
    # A file without lap messages: its one lap is its session; the two frames used to hold the same
    # time arrays, so that writing a lap's start changed the session's start.
    act = runtwitch.read_activity(CORPUS / "fit/fit-python-sdk__WithGearChangeData.fit")
    start = act.sessions["start"].iloc[0]
    assert act.laps["start"].iloc[0] == start
    act.laps.loc[0, "start"] = pd.Timestamp("2000-01-01", tz="UTC")
    act.laps.loc[0, "trigger"] = "changed"
    assert act.sessions["start"].iloc[0] == start


def test_a_frame_from_arrays_copies_extension_arrays() -> None:
    times = pd.array(pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True).as_unit("ns"))
    text = pd.array(["a", None], dtype="string")
    df = frame_from_arrays([times, text, np.array([1, 2])], ["t", "s", "i"], pd.RangeIndex(2))
    df.loc[0, "t"] = pd.Timestamp("2000-01-01", tz="UTC")
    df.loc[0, "s"] = "b"
    assert times[0] == pd.Timestamp("2026-01-01", tz="UTC") and text[0] == "a"
    assert list(df.dtypes.astype(str)) == ["datetime64[ns, UTC]", "string", "int64"]


def test_other_extension_arrays_are_built_by_pandas() -> None:
    columns = {"d": pd.array(pd.to_timedelta([1, 2], unit="s")),
               "p": pd.period_range("2026-01", periods=2, freq="M").array,
               "c": pd.Categorical(["a", "b"]), "n": pd.array([1, None], dtype="Int64"),
               "o": np.array(["x", 1], dtype=object)}
    df = frame_from_arrays(list(columns.values()), list(columns), pd.RangeIndex(2))
    pd.testing.assert_frame_equal(df, pd.DataFrame(columns, index=pd.RangeIndex(2), copy=True))


@pytest.mark.parametrize("bad", [np.array([1.0]), np.array([1.0, 2.0]), string_array(["x"])])
def test_a_column_of_another_length_is_refused_not_broadcast(bad: object) -> None:
    """Found in review: the blocks built directly broadcast a one-value column down the frame."""
    with pytest.raises(ValueError, match="3 rows"):
        frame_from_arrays([np.zeros(3), bad], ["a", "b"], pd.RangeIndex(3))


def test_columns_build_their_frame_and_give_read_only_arrays() -> None:
    arrays = {"a": np.arange(3.0), "s": string_array(["x", None, "z"])}
    columns = Columns(arrays, pd.RangeIndex(3))
    expected = frame_from_arrays(list(arrays.values()), ["a", "s"], pd.RangeIndex(3))
    pd.testing.assert_frame_equal(columns(), expected)
    got = columns.arrays()
    assert not got["a"].flags.writeable and arrays["a"].flags.writeable  # the caller's array unchanged
    assert not np.shares_memory(columns()["a"].to_numpy(), arrays["a"])  # the frame owns copies
    with pytest.raises(ValueError, match="3 rows"):
        Columns({"a": np.zeros(2)}, pd.RangeIndex(3))


def test_columns_of_a_frame_are_its_columns() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2]}, index=pd.Index([5, 6], name="i"))
    columns = Columns.of(df)
    assert columns.names == ["a", "b"] and columns.index.equals(df.index)
    pd.testing.assert_frame_equal(columns(), df)
