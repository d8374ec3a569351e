"""The index of files already read: a warm import reads no file whose size and times are unchanged."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from runtwitch.io import batch, fileindex, read_activities
from runtwitch.io.cache import content_digest
from runtwitch.io.fileindex import INDEX_FILE, FileIndex
from tests.conftest import CORPUS, CORPUS_FORMATS

pytestmark = pytest.mark.corpus

FILES = [CORPUS / "fit/runalyze__FR70-intervals.fit", CORPUS / "gpx/gpxpy__korita-zbevnica.gpx"]
OTHER = CORPUS / "fit/runpandas__run.fit"


def _records(results: list[batch.ImportResult]) -> list[pd.DataFrame]:
    return [r.activity.records for r in results if r.activity is not None]


def _unread(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every read of a file's bytes by the batch import fail loudly; returns the paths asked for."""
    asked: list[str] = []

    def refuse(path: str) -> bytes:
        asked.append(path)
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(batch, "_read_bytes", refuse)
    return asked


def test_a_known_unchanged_file_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cold = read_activities([str(f) for f in FILES], n_jobs=1, cache=cache)
    index = FileIndex.open(cache)
    assert sorted(index.known) == sorted(os.path.abspath(f) for f in FILES)
    assert index.digest(str(FILES[0]), os.stat(FILES[0])) == content_digest(FILES[0].read_bytes())
    asked = _unread(monkeypatch)
    warm = read_activities([str(f) for f in FILES], n_jobs=1, cache=cache)
    assert asked == [] and [r.status for r in warm] == ["ok", "ok"]
    for a, b in zip(_records(cold), _records(warm), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_file_changed_with_its_old_modification_time_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``touch -r`` restores the modification time, never the change time: the new bytes are read."""
    monkeypatch.setattr(fileindex, "RACY_S", 0.0)  # the copy is fresh: remember it all the same
    run, cache = tmp_path / "run.fit", tmp_path / "cache"
    shutil.copyfile(FILES[0], run)
    first = read_activities([str(run)], n_jobs=1, cache=cache)
    assert str(run.resolve()) in FileIndex.open(cache).known
    before = os.stat(run)
    time.sleep(0.05)  # past the file system's clock tick
    shutil.copyfile(OTHER, run)
    os.utime(run, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = read_activities([str(run)], n_jobs=1, cache=cache)
    fresh = read_activities([str(OTHER)], n_jobs=1, cache=False)
    pd.testing.assert_frame_equal(_records(again)[0], _records(fresh)[0])
    assert len(_records(first)[0]) != len(_records(again)[0])


def test_a_file_changed_just_before_it_was_read_is_not_remembered(tmp_path: Path) -> None:
    st = os.stat(FILES[0])
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    index = FileIndex(None)
    index.remember(str(FILES[0]), st, "ab" * 32, st.st_size, now_ns=newest + int(1e9))
    assert not index.known and not index.changed  # within RACY_S: the same clock tick may hide a write
    index.remember(str(FILES[0]), st, "ab" * 32, st.st_size - 1, now_ns=newest + int(10e9))
    assert not index.known  # bytes read are not the file's size: written meanwhile
    index.remember(str(FILES[0]), st, "ab" * 32, st.st_size, now_ns=newest + int(10e9))
    assert index.digest(str(FILES[0]), st) == "ab" * 32
    moved = os.stat_result((st.st_mode, st.st_ino + 1, *tuple(st)[2:]))
    assert index.digest(str(FILES[0]), moved) is None  # another file now at that path


def test_the_index_round_trips_is_cut_and_a_damaged_one_counts_as_empty(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = FileIndex.open(tmp_path)
    for k, f in enumerate([*FILES, OTHER]):
        index.remember(str(f), os.stat(f), f"{k:064x}", os.stat(f).st_size)
    monkeypatch.setattr(fileindex, "MAX_FILES", 2)
    index.save()
    back = FileIndex.open(tmp_path)
    assert list(back.known) == [os.path.abspath(f) for f in (FILES[1], OTHER)]  # the most recent kept
    assert back.digest(str(OTHER), os.stat(OTHER)) == f"{2:064x}"
    raw = (tmp_path / INDEX_FILE).read_bytes()
    (tmp_path / INDEX_FILE).write_bytes(raw[:-5] + b"xxxxx")
    assert FileIndex.open(tmp_path).known == {}


def test_archive_members_and_fresh_files_are_not_indexed(tmp_path: Path) -> None:
    export = CORPUS_FORMATS / "export/GoldenCheetah-GoldenCheetah__4077461142.zip"
    fresh = tmp_path / "fresh.fit"
    shutil.copyfile(OTHER, fresh)
    cache = tmp_path / "cache"
    results = read_activities([str(export), str(fresh)], n_jobs=1, cache=cache)
    assert any("!" in r.path for r in results)
    assert not any("!" in p or p.endswith(".zip") or p.endswith("fresh.fit")
                   for p in FileIndex.open(cache).known)


def test_a_read_only_cache_still_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fileindex, "write_checked", refuse)
    results = read_activities([str(f) for f in FILES], n_jobs=1, cache=tmp_path / "cache")
    assert [r.status for r in results] == ["ok", "ok"]
    assert not (tmp_path / "cache" / INDEX_FILE).exists()
