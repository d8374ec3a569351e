"""Importing a folder never loses a file: every bad input is reported with a reason."""

from __future__ import annotations

import builtins
import gc
import os
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import runtwitch
from runtwitch.io.batch import collector_paused
from runtwitch.testing import FitWriter
from tests.helpers.history import import_all, write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)


def test_batch_with_every_kind_of_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    good = [
        write_run(folder, f"good{k}.fit", START + timedelta(days=k), 20, cooldown_min=5) for k in range(3)
    ]
    broken = folder / "broken.fit"
    broken.write_bytes(good[0].read_bytes()[:3000])  # cut mid-upload
    unreadable = folder / "unreadable.fit"
    unreadable.write_bytes(good[1].read_bytes())
    unreadable.chmod(0)
    (folder / "zero.fit").write_bytes(b"")
    (folder / "folder.fit").mkdir()
    os.symlink(folder / "loop_b.fit", folder / "loop_a.fit")
    os.symlink(folder / "loop_a.fit", folder / "loop_b.fit")
    settings = FitWriter()
    settings.add("file_id", type=2, manufacturer=1, product=1)
    (folder / "settings.fit").write_bytes(settings.to_bytes())
    (folder / "notfit.fit").write_text("hello, I am a text file")

    real_open = builtins.open

    def no_permission(file, *a, **k):  # type: ignore[no-untyped-def]
        if os.fspath(file) == os.fspath(unreadable):  # root ignores chmod 0: refuse here too
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", no_permission)
    results = {Path(r.path).name: r for r in import_all([folder])}
    assert {n for n, r in results.items() if r.status == "ok"} == {"good0.fit", "good1.fit", "good2.fit"}
    expect = {
        "broken.fit": ("partial", None),
        "unreadable.fit": ("error", "Permission denied"),
        "zero.fit": ("error", "empty"),
        "folder.fit": ("skipped", "directory named like an activity file"),
        "loop_a.fit": ("error", "symbolic links"),
        "loop_b.fit": ("error", "symbolic links"),
        "settings.fit": ("error", "'settings' file"),
        "notfit.fit": ("error", "expected '.FIT'"),
    }
    for name, (status, reason) in expect.items():
        r = results[name]
        assert r.status == status, (name, r)
        if reason:
            assert reason in (r.error or ""), (name, r.error)
    assert results["broken.fit"].activity is not None
    assert results["broken.fit"].activity.report.damage is not None
    # nothing was lost: every entry of the folder is accounted for
    assert set(results) == {p.name for p in folder.iterdir()}
    unreadable.chmod(0o600)


def test_progress_bar_only_when_asked_or_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "r.fit", START, 10)
    import_all([tmp_path])  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""
    import_all([tmp_path], progress=True)
    assert "importing" in capsys.readouterr().err



class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_the_pause_hands_what_it_kept_to_the_collector_unwalked() -> None:
    """After a pause the collector is on and owes no walk of what was made during it; garbage
    in reference cycles made during it is still found by the next full collection."""
    gc.collect()
    with collector_paused():
        kept = [[k] for k in range(20_000)]  # tracked objects that live on
        cycle = weakref.ref(_Node())
        assert cycle() is not None
    assert gc.isenabled()
    assert gc.get_count()[0] < 700  # below the first generation's threshold: no walk pending
    assert gc.get_freeze_count() == 0  # nothing left frozen
    assert cycle() is not None  # not collected on the way out...
    gc.collect()
    assert cycle() is None  # ...but by the next full collection
    assert len(kept) == 20_000


def test_a_small_pause_leaves_the_collector_as_it_was() -> None:
    """Below UNWALKED_FROM_OBJECTS nothing is handed on: a cycle made during the pause is young
    garbage, freed by the next collection of the youngest generation."""
    gc.collect()
    with collector_paused():
        cycle = weakref.ref(_Node())
    gc.collect(0)
    assert cycle() is None
    assert gc.isenabled()


def test_a_batch_of_real_files_leaves_the_collector_on_with_no_walk_pending() -> None:
    from tests.conftest import CORPUS

    files = sorted(str(p) for p in (CORPUS / "fit").glob("*.fit"))[:8]
    results = runtwitch.read_activities(files, n_jobs=1, cache=False, progress=False)
    assert sum(r.activity is not None for r in results) >= 6
    assert gc.isenabled()
    assert gc.get_count()[0] < 700


def test_a_programs_own_frozen_objects_stay_frozen() -> None:
    """A program that froze objects (e.g. before forking) gets them back frozen: the pause only
    enables the collector again then."""
    gc.freeze()
    try:
        with collector_paused():
            pass
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_workers_take_files_a_few_at_a_time_and_large_files_alone() -> None:
    from runtwitch.io.batch import BYTES_PER_TASK, FILES_PER_TASK, _Job, _tasks

    def job(n_bytes: int | None, k: int) -> _Job:
        return _Job(f"f{k}", None if n_bytes is None else b"x" * n_bytes, None, None, "salvage", None)

    small = [job(1000, k) for k in range(FILES_PER_TASK * 2 + 1)]
    assert [len(t) for t in _tasks(small)] == [FILES_PER_TASK, FILES_PER_TASK, 1]
    unread = [job(None, k) for k in range(FILES_PER_TASK + 1)]  # no cache: workers read the files
    assert [len(t) for t in _tasks(unread)] == [FILES_PER_TASK, 1]
    mixed = [job(1000, 0), job(BYTES_PER_TASK, 1), job(1000, 2)]
    assert [[j.path for j in t] for t in _tasks(mixed)] == [["f0", "f1"], ["f2"]]
    assert list(_tasks([])) == []
