"""One assembly, two ways in: ``build`` (a frame of samples) and ``build_arrays`` (arrays) agree."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from runtwitch.io.fit import engines
from runtwitch.io.fit.collect import record_table
from runtwitch.model.activity import ImportReport
from runtwitch.model.assembly import build, build_arrays, clean_times
from runtwitch.model.cleaning import RECORDING_GAP_S, _clean_columns
from runtwitch.model.frames import NAT_NS
from tests.conftest import CORPUS

#: Files with duplicate timestamps, several sessions, relative times, or almost no records.
FILES = [
    "fit/python-fitparse__strava-android-app-201.10-b1218918.fit",
    "fit/python-fitparse__activity-activity-filecrc.fit",
    "fit/python-fitparse__Activity.fit",
    "fit/sports-lib__7617306288.fit",
    "fit/runpandas__run.fit",
]


def _samples(rel: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A corpus file's record times [ns, NaT as the int64 minimum] and value columns, as decoded."""
    data = (CORPUS / rel).read_bytes()
    col, _ = engines.decode_numpy(data, rel, "salvage", ImportReport())
    seconds, values = record_table(col)
    ns = np.where(np.isfinite(seconds), np.nan_to_num(seconds) * 1e9, 0).astype(np.int64) + int(
        pd.Timestamp("1989-12-31", tz="UTC").value)
    return np.where(np.isfinite(seconds), ns, NAT_NS), values


def _frame(ns: np.ndarray, values: dict[str, np.ndarray]) -> pd.DataFrame:
    times = pd.DatetimeIndex(ns.view("datetime64[ns]"), tz="UTC")
    return pd.DataFrame({"time": times, **values})


@pytest.mark.corpus
@pytest.mark.parametrize("rel", FILES)
def test_the_frame_and_the_arrays_give_the_same_activity(rel: str) -> None:
    ns, values = _samples(rel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_frame, by_arrays = ImportReport(), ImportReport()
        a = build(_frame(ns, values), by_frame, default_sport="running")
        b = build_arrays(ns, values, by_arrays, default_sport="running")
    for x, y in ((a.records, b.records), (a.sessions, b.sessions), (a.laps, b.laps)):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    assert by_frame == by_arrays


@pytest.mark.corpus
@pytest.mark.parametrize("rel", FILES[:2])
def test_duplicate_times_merge_as_groupby_first(rel: str) -> None:
    """The numpy merge of samples sharing a time keeps what the frame rule (``clean_times``) keeps."""
    ns, values = _samples(rel)
    expected = clean_times(_frame(ns, values), ImportReport())
    report = ImportReport()
    t, recording, got = _clean_columns(ns, None, values, report, RECORDING_GAP_S)
    assert report.dropped.get("duplicate_timestamp", 0) > 0
    np.testing.assert_array_equal(t, expected.index.asi8)
    np.testing.assert_array_equal(recording, expected["recording"].to_numpy())
    for name, column in got.items():
        np.testing.assert_array_equal(column, expected[name].to_numpy(np.float64), err_msg=name)


def test_duplicates_out_of_file_order_take_the_first_value_of_each_column() -> None:
    """A time repeated after later ones (a writer that emits the track twice) merges into its first row."""
    s = 1_000_000_000
    ns = np.array([1 * s, 2 * s, 3 * s, 2 * s, 3 * s], dtype=np.int64)
    values = {"heart_rate_bpm": np.array([100.0, np.nan, 120.0, 111.0, 130.0]),
              "power_w": np.array([np.nan, 200.0, np.nan, 210.0, 250.0])}
    report = ImportReport()
    t, _, got = _clean_columns(ns, None, values, report, RECORDING_GAP_S)
    np.testing.assert_array_equal(t, [1 * s, 2 * s, 3 * s])
    np.testing.assert_array_equal(got["heart_rate_bpm"], [100.0, 111.0, 120.0])
    np.testing.assert_array_equal(got["power_w"], [np.nan, 200.0, 250.0])
    assert report.dropped == {"duplicate_timestamp": 2}


def test_declared_sessions_as_columns_or_as_a_frame() -> None:
    s = 1_000_000_000
    ns = np.arange(0, 600 * s, s, dtype=np.int64) + 1_700_000_000 * s
    values = {"speed_mps": np.full(600, 3.0), "cadence": np.full(600, 85.0)}
    start = pd.Timestamp(int(ns[0]), tz="UTC").to_pydatetime()
    columns = {"start": [start], "sport": ["running"], "sub_sport": [None], "timer_s": [590.0]}
    a = build_arrays(ns, values, ImportReport(), sessions=columns)
    b = build_arrays(ns, values, ImportReport(), sessions=pd.DataFrame(columns))
    pd.testing.assert_frame_equal(a.sessions, b.sessions, check_exact=True)
    pd.testing.assert_frame_equal(a.records, b.records, check_exact=True)
    assert a.sessions["timer_s"].iloc[0] == 590.0 and a.sessions["sport"].iloc[0] == "running"
    assert "cadence_spm" in a.records
    with pytest.raises(ValueError, match="different lengths"):
        build_arrays(ns, values, ImportReport(), sessions={"start": [start], "sport": ["a", "b"]})



def test_columns_held_anew_drop_the_frame_built_from_the_old() -> None:
    """``Built.hold`` replaces a frame's columns: a DataFrame read before is not given again,
    by ``Built`` or by the activity it makes."""
    import numpy as np

    from runtwitch.model.activity import ActivityMeta
    from runtwitch.model.frames import Columns

    times = np.array([0, 10**9, 2 * 10**9], dtype=np.int64) + 1_700_000_000 * 10**9
    built = build_arrays(times, {"heart_rate_bpm": np.array([120.0, 121.0, 122.0])}, ImportReport())
    old = built.records
    held = built.held["records"]
    built.hold("records", Columns({**held.arrays(), "heart_rate_bpm": np.array([1.0, 2.0, 3.0])}, held.index))
    assert list(old["heart_rate_bpm"]) == [120.0, 121.0, 122.0]
    assert list(built.records["heart_rate_bpm"]) == [1.0, 2.0, 3.0]
    act = built.activity(ActivityMeta(source="<buffer>", format="fit"), ImportReport())
    assert list(act.records["heart_rate_bpm"]) == [1.0, 2.0, 3.0]
