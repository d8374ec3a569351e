"""Activity frames given as loaders: read once when asked for, released, copied, pickled."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pandas as pd
import pytest

import runtwitch
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus


class _Counting:
    """A loader that counts its calls (a module-level class, so that it pickles)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.calls = frame, 0

    def __call__(self) -> pd.DataFrame:
        self.calls += 1
        return self.frame.copy()


def _activity() -> tuple[Activity, runtwitch.Activity, _Counting]:
    fresh = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    loader = _Counting(fresh.records)
    act = Activity(loader, fresh.laps, fresh.sessions, fresh.meta, fresh.report)
    return act, fresh, loader


def test_a_loader_is_called_once_when_the_frame_is_first_read() -> None:
    act, fresh, loader = _activity()
    assert loader.calls == 0 and not act.loaded("records") and act.loaded("laps")
    assert act.start == fresh.start and "rows=" in repr(act)
    pd.testing.assert_frame_equal(act.records, fresh.records)
    pd.testing.assert_frame_equal(act.records, fresh.records)
    assert loader.calls == 1
    act.release()
    pd.testing.assert_frame_equal(act.records, fresh.records)
    assert loader.calls == 2


def test_route_defaults_to_an_empty_frame_of_its_own() -> None:
    a = Activity(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), ActivityMeta("x", "fit"), ImportReport())
    b = Activity(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), ActivityMeta("y", "fit"), ImportReport())
    assert a.route.empty and a.route.index.name == "point" and a.route is not b.route


def test_copies_and_replacements_keep_their_own_frames() -> None:
    act, fresh, _ = _activity()
    twin = copy.copy(act)
    twin.records = fresh.records.iloc[:5]
    assert not act.loaded("records") and len(act.records) == len(fresh.records)
    other = dataclasses.replace(act, meta=dataclasses.replace(act.meta, sport="walking"))
    assert other.meta.sport == "walking" and len(other.records) == len(fresh.records)


def test_an_activity_with_a_loader_pickles() -> None:
    act, fresh, _ = _activity()
    back = pickle.loads(pickle.dumps(act))
    assert not back.loaded("records")
    pd.testing.assert_frame_equal(back.records, fresh.records)
    assert back.meta == fresh.meta and back.report == fresh.report


def test_the_summary_reads_sessions_of_other_dtypes_as_the_schema_ones() -> None:
    """A sessions frame a user assigned with other dtypes (nullable numbers, naive or
    second-unit times, object columns) summarises as its schema-typed copy does."""
    fresh = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    s = fresh.sessions
    other = s.copy()
    other["start"] = s["start"].dt.tz_convert(None).astype("datetime64[s]")
    other["end"] = s["end"].astype(object)
    other["elapsed_s"] = s["elapsed_s"].round().astype("Int64")
    other["timer_s"] = s["timer_s"].astype(object)
    other["recording"] = s["recording"].astype("int32")
    again = Activity(fresh.records, fresh.laps, other, fresh.meta, fresh.report)
    want = fresh.summary()
    got = again.summary()
    assert got["start"] == want["start"] and got["end"] == want["end"]
    assert got["recordings"] == want["recordings"] == 1
    assert got["totals"]["timer_s"] == want["totals"]["timer_s"]
    assert got["totals"]["elapsed_s"] == round(want["totals"]["elapsed_s"])
    assert got["totals"]["distance_m"] == want["totals"]["distance_m"]


def test_the_summary_falls_back_to_the_records_without_session_bounds() -> None:
    fresh = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    bare = fresh.sessions.drop(columns=["start", "end"])
    act = Activity(fresh.records, fresh.laps, bare, fresh.meta, fresh.report)
    assert act.start == fresh.records.index[0] and act.end == fresh.records.index[-1]


# --- frames given as their columns (what the readers give) ---

def test_a_read_file_holds_its_frames_as_columns_until_read() -> None:
    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    assert all(act.loaded(f) for f in ("records", "laps", "sessions", "route"))
    assert not any(f in act.__dict__ for f in ("records", "laps", "sessions"))  # no DataFrame yet
    held = act.held("records")
    assert held is act.held("records") and len(held) == 1202 and held.index.name == "time"
    assert act.start is not None and "sessions" not in act.__dict__  # the summary reads columns
    records = act.records
    assert act.records is records and "records" not in act.__dict__["_columns"]  # built once, kept
    for name, values in act.held("records").arrays().items():  # the frame's own data now
        assert not values.flags.writeable
        assert (pd.isna(values) | (values == records[name].to_numpy())).all()
    act.release()
    assert act.records is records  # nothing to load again: the frame stays


def test_columns_of_a_frame_are_what_the_frame_would_be() -> None:
    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    held = {name: act.held(name) for name in ("records", "laps", "sessions", "route")}
    for name, columns in held.items():
        frame = getattr(act, name)
        pd.testing.assert_frame_equal(columns(), frame)
        assert columns() is not columns()  # a new frame at each call
        assert list(columns.arrays()) == list(frame.columns) == columns.names


def test_an_activity_given_columns_pickles_and_copies_them_unbuilt() -> None:
    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    back = pickle.loads(pickle.dumps(act))
    assert "records" not in back.__dict__ and back.loaded("records")
    pd.testing.assert_frame_equal(back.records, act.records)
    fresh = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    twin = copy.copy(fresh)
    twin.records = fresh.records.iloc[:5]  # the twin's own frame; the original's columns stay
    assert len(twin.records) == 5 and len(fresh.held("records")) == 1202 and len(fresh.records) == 1202


def test_assigning_a_frame_replaces_the_columns() -> None:
    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    act.sessions = act.held("sessions")().iloc[:0]
    assert len(act.sessions) == 0 and len(act.held("sessions")) == 0 and act.start is not None
    with pytest.raises(ValueError, match="unknown frame"):
        act.held("record")


def test_an_activity_shares_no_data_with_the_callers_samples() -> None:
    """Found in review: columns kept until read held the caller's own arrays (records, laps)."""
    import numpy as np

    samples = pd.DataFrame({"time": pd.date_range("2026-01-01", periods=4, freq="1s", tz="UTC"),
                            "heart_rate_bpm": [100.0, 101.0, 102.0, 103.0]})
    laps = pd.DataFrame({"start": pd.to_datetime(["2026-01-01 00:00:00", "2026-01-01 00:00:02"], utc=True),
                         "distance_m": [100.0, 200.0]})
    act = runtwitch.activity_from_samples(samples, source="x", format="csv", laps=laps)
    samples.loc[0, "heart_rate_bpm"] = 999.0
    laps.loc[0, "distance_m"] = -1.0
    assert act.records["heart_rate_bpm"].iloc[0] == 100.0
    assert act.laps["distance_m"].tolist() == [100.0, 200.0]
    from runtwitch.model.assembly import build_arrays

    hr = np.array([100.0, 101.0])
    built = build_arrays(np.array([0, 10**9]), {"heart_rate_bpm": hr}, ImportReport())
    act = built.activity(ActivityMeta("x", "fit"), ImportReport())
    hr[0] = 999.0
    assert act.records["heart_rate_bpm"].iloc[0] == 100.0


def test_frames_built_from_columns_have_indexes_of_their_own() -> None:
    """Found in review: the empty route's index was one object shared by every activity."""
    a = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    a.route.index.name = "renamed"
    b = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    assert b.route.index.name == "point"
    twin = copy.copy(b)
    twin.records.index.name = "renamed"
    assert b.records.index.name == "time"


def test_held_columns_follow_a_frame_changed_in_place() -> None:
    act = runtwitch.read_activity(CORPUS / "fit/runpandas__run.fit")
    act.sessions.loc[0, "distance_m"] = 1.0
    assert act.held("sessions").arrays()["distance_m"][0] == 1.0
