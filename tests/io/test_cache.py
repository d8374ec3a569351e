"""The cache's lazy activities: records read when asked for, equal to a fresh import, pickling."""

from __future__ import annotations

import pickle
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.io import cache as cache_mod
from runtwitch.io.batch import read_one
from runtwitch.testing import FitWriter
from tests.conftest import CORPUS, assert_same_frames

pytestmark = pytest.mark.corpus

#: Real files of each kind a cache entry must rebuild exactly: a run, a multisport
#: FIT, a damaged FIT (imported up to the damage), GPX and TCX, a route (a course).
FILES = [
    "fit/runpandas__run.fit",
    "fit/runalyze__multisport-triathlon-fenix3.fit",
    "fit/python-fitparse__activity-unexpected-eof.fit",
    "gpx/runalyze__hr-not-always-there.gpx",
    "tcx/runalyze__Multisport.tcx",
    "gpx/runalyze__Route-only.gpx",
]


def _fresh(path: Path) -> runtwitch.Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runtwitch.read_activity(path)


def _same(a: runtwitch.Activity, b: runtwitch.Activity) -> None:
    assert_same_frames(a, b, ("records", "laps", "sessions", "route"))
    assert a.report == b.report


def _cached(path: Path, cdir: Path) -> runtwitch.Activity:
    """The activity as a cache hit gives it (the first read fills the cache)."""
    first, _, _ = read_one(str(path), cdir)
    assert first is not None
    hit, error_type, error = read_one(str(path), cdir)
    assert hit is not None, (error_type, error)
    return hit


@pytest.mark.parametrize("rel", FILES)
def test_storing_a_fresh_import_builds_none_of_its_frames(rel: str, tmp_path: Path) -> None:
    act = _fresh(CORPUS / rel)
    built = [f for f in ("records", "laps", "sessions", "route") if f in act.__dict__]
    assert cache_mod.store(tmp_path, "k", act)
    assert [f for f in ("records", "laps", "sessions", "route") if f in act.__dict__] == built
    hit = cache_mod.load(tmp_path, "k", act.meta.source)
    assert hit is not None
    _same(hit, act)


@pytest.mark.parametrize("rel", FILES)
def test_cached_activity_equals_a_fresh_import(rel: str, tmp_path: Path) -> None:
    path = CORPUS / rel
    fresh = _fresh(path)
    cold, _, _ = read_one(str(path), tmp_path)
    assert cold is not None and not cold.loaded("records")  # read back from the entry just stored
    hit = _cached(path, tmp_path)
    assert not any(hit.loaded(name) for name in ("records", "laps", "sessions", "route"))
    _same(hit, fresh)
    _same(cold, fresh)
    assert hit.loaded("records") and hit.loaded("sessions")


def test_records_are_read_once_then_released_and_read_again(tmp_path: Path) -> None:
    path = CORPUS / FILES[0]
    act = _cached(path, tmp_path)
    first = act.records
    assert act.records is first  # kept once read
    act.release()
    assert not act.loaded("records")
    pd.testing.assert_frame_equal(act.records, first)
    with pytest.raises(ValueError, match="unknown frame"):
        act.loaded("record")


def test_a_fresh_activity_keeps_its_frames_on_release() -> None:
    act = _fresh(CORPUS / FILES[0])
    act.release()
    assert act.loaded("records") and act.loaded("laps")


def test_an_assigned_frame_is_the_callers(tmp_path: Path) -> None:
    act = _cached(CORPUS / FILES[0], tmp_path)
    act.records = act.records.iloc[:10]
    act.release()
    assert len(act.records) == 10


def test_pickling_keeps_unloaded_records_unloaded(tmp_path: Path) -> None:
    path = CORPUS / FILES[1]
    act = _cached(path, tmp_path)
    data = pickle.dumps(act)
    assert len(data) < 20_000  # the loader, not the records
    back = pickle.loads(data)
    assert not back.loaded("records")
    _same(back, _fresh(path))
    loaded = pickle.loads(pickle.dumps(back))  # once loaded, the records travel with it
    assert loaded.loaded("records")
    _same(loaded, back)


def test_a_damaged_records_file_is_imported_again_from_the_source(tmp_path: Path) -> None:
    src = tmp_path / "run.fit"
    shutil.copyfile(CORPUS / FILES[0], src)
    cdir = tmp_path / "cache"
    act = _cached(src, cdir)
    (entry,) = cdir.iterdir()
    rec = entry / cache_mod.RECORDS_FILE
    data = bytearray(rec.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size: only the checksum read with the records sees it
    rec.write_bytes(bytes(data))
    pd.testing.assert_frame_equal(act.records, _fresh(src).records)
    assert cache_mod.load(cdir, entry.name, str(src)) is not None  # the entry was rebuilt


def test_records_of_a_changed_file_with_its_entry_gone_raise_one_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "run.fit"
    shutil.copyfile(CORPUS / FILES[0], src)
    cdir = tmp_path / "cache"
    act = _cached(src, cdir)
    shutil.rmtree(cdir)
    src.write_bytes(src.read_bytes()[:-10])  # changed since the import
    with pytest.raises(runtwitch.MissingFileError, match="has changed since") as err:
        act.records  # noqa: B018
    assert isinstance(err.value, FileNotFoundError) and str(src) in str(err.value)


def test_a_loader_without_fallback_raises_a_typed_error(tmp_path: Path) -> None:
    src = CORPUS / FILES[0]
    read_one(str(src), tmp_path)
    (entry,) = tmp_path.iterdir()
    act = cache_mod.load(tmp_path, entry.name, str(src))
    assert act is not None
    shutil.rmtree(entry)
    with pytest.raises(runtwitch.MissingFileError, match="deleted or damaged after the import"):
        act.records  # noqa: B018


@pytest.mark.parametrize("cut", [0, 9, 200])
def test_a_truncated_entry_is_a_miss_not_an_error(cut: int, tmp_path: Path) -> None:
    src = CORPUS / FILES[0]
    read_one(str(src), tmp_path)
    (entry,) = tmp_path.iterdir()
    doc = entry / cache_mod.ENTRY_FILE
    doc.write_bytes(doc.read_bytes()[:cut])
    assert cache_mod.load(tmp_path, entry.name, str(src)) is None
    assert not entry.exists()  # deleted, so the next import stores it again
    act, _, _ = read_one(str(src), tmp_path)
    assert act is not None
    _same(act, _fresh(src))


def test_workers_send_back_cache_keys_and_the_activities_read_lazily(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    for k in range(8):  # enough files for worker processes, each with its own bytes (and entry)
        tail = FitWriter()
        tail.add("file_id", type=4, manufacturer=255, product=1, serial_number=k + 1)
        (folder / f"{k}.fit").write_bytes((CORPUS / FILES[k % 2]).read_bytes() + tail.to_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = runtwitch.read_activities([folder], n_jobs=2, cache=tmp_path / "cache")
    assert len(results) == 8
    for r in results:
        assert r.activity is not None and not r.activity.loaded("records")
        _same(r.activity, _fresh(Path(r.path)))


# --- values derived from an entry (Activity.derived, CachedRecords as a DerivedStore) ---------------


def _count(act: runtwitch.Activity) -> dict[str, float]:
    """A derived value that needs the records."""
    return {"rows": float(len(act.records))}


@pytest.mark.parametrize("rel", FILES)
def test_start_end_and_totals_of_a_hit_need_no_frame(rel: str, tmp_path: Path) -> None:
    """The summary is stored in the entry: a hit answers start, end and totals without a frame."""
    fresh = _fresh(CORPUS / rel)
    hit = _cached(CORPUS / rel, tmp_path)
    assert (hit.start, hit.end, hit.recordings) == (fresh.start, fresh.end, fresh.recordings)
    assert hit.totals == pytest.approx(fresh.totals, nan_ok=True)
    assert not any(hit.loaded(name) for name in ("records", "laps", "sessions", "route"))
    sessions = fresh.sessions
    if len(sessions):  # the definitions they replace: the sessions' first start and last end
        assert fresh.start == sessions["start"].min() and fresh.end == sessions["end"].max()


def test_a_derived_value_is_computed_once_per_entry(tmp_path: Path) -> None:
    path = CORPUS / FILES[0]
    first = _cached(path, tmp_path)
    assert first.derived("rows-v1", _count) == {"rows": float(len(_fresh(path).records))}
    first.release()
    again = _cached(path, tmp_path)
    assert again.derived("rows-v1", _count) == first.derived("rows-v1", _count)
    assert not again.loaded("records")  # read back from the entry's derived folder


def test_a_damaged_derived_value_is_computed_again(tmp_path: Path) -> None:
    path = CORPUS / FILES[0]
    act = _cached(path, tmp_path)
    want = act.derived("rows-v1", _count)
    [kept] = list(tmp_path.glob(f"*/{cache_mod.DERIVED_DIR}/rows-v1.json"))
    kept.write_bytes(kept.read_bytes().replace(b"rows", b"rowz"))  # CRC no longer matches
    again = _cached(path, tmp_path)
    assert again.derived("rows-v1", _count) == want
    assert b"rows" in kept.read_bytes()  # computed from the records and kept again
    kept.write_bytes(b"garbage")
    assert _cached(path, tmp_path).derived("rows-v1", _count) == want


def test_a_read_only_cache_computes_derived_values_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = CORPUS / FILES[0]
    act = _cached(path, tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")  # what a read-only folder gives (root ignores chmod)

    monkeypatch.setattr(cache_mod.tempfile, "mkstemp", refuse)
    assert act.derived("rows-v1", _count) == {"rows": float(len(_fresh(path).records))}
    assert not list(tmp_path.glob(f"*/{cache_mod.DERIVED_DIR}/*.json"))


def test_an_assigned_frame_is_never_answered_from_the_entry(tmp_path: Path) -> None:
    """Values derived from the cached frames are not those of frames the caller put in."""
    act = _cached(CORPUS / FILES[0], tmp_path)
    act.derived("rows-v1", _count)
    start = act.start
    act.records = act.records.iloc[:10]
    assert act.derived("rows-v1", _count) == {"rows": 10.0}
    sessions = act.sessions.copy()
    sessions["start"] = sessions["start"] + pd.Timedelta(hours=1)
    act.sessions = sessions
    assert start is not None and act.start == start + pd.Timedelta(hours=1)


def test_a_derived_name_must_be_a_plain_file_name(tmp_path: Path) -> None:
    act = _cached(CORPUS / FILES[0], tmp_path)
    with pytest.raises(ValueError, match="letters, digits"):
        act.derived("../escape", _count)


def test_frames_loaded_for_a_derived_value_are_let_go(tmp_path: Path) -> None:
    """Computing a value over a whole history holds one activity's records at a time."""
    act = _cached(CORPUS / FILES[0], tmp_path)
    act.derived("rows-v1", _count)
    assert not act.loaded("records")
    len(act.records)  # records the caller asked for stay
    act.derived("rows-v2", _count)
    assert act.loaded("records")
