"""read_activities: parallel import and the Parquet cache."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

import runtwitch
from runtwitch.io import cache as cache_mod
from runtwitch.io.fileindex import INDEX_FILE
from tests.helpers.history import write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _folder(tmp: Path, n: int = 10) -> Path:
    folder = tmp / "runs"
    folder.mkdir()
    for k in range(n):
        write_run(folder, f"r{k:02d}.fit", START + timedelta(days=k), 20 + k, cooldown_min=5)
    (folder / "bad.fit").write_bytes(b"not a fit file")
    return folder


def _frames(results: list[runtwitch.ImportResult]) -> dict[str, pd.DataFrame]:
    return {Path(r.path).name: r.activity.records for r in results if r.activity is not None}


def test_warm_import_equals_cold_and_reads_only_the_cache(tmp_path: Path) -> None:
    folder, cdir = _folder(tmp_path), tmp_path / "cache"
    cold = runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    assert len(list(cdir.iterdir())) == 10  # the bad file is not cached
    warm = runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    assert [(Path(r.path).name, r.status) for r in warm] == [(Path(r.path).name, r.status) for r in cold]
    for name, rec in _frames(cold).items():
        pd.testing.assert_frame_equal(rec, _frames(warm)[name])
    a = next(r.activity for r in cold if r.path.endswith("r00.fit"))
    b = next(r.activity for r in warm if r.path.endswith("r00.fit"))
    assert a is not None and b is not None
    pd.testing.assert_frame_equal(a.sessions, b.sessions)
    assert a.report == b.report and a.meta == b.meta


def test_parallel_equals_sequential(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    seq = runtwitch.read_activities([folder], n_jobs=1, cache=False)
    par = runtwitch.read_activities([folder], n_jobs=2, cache=False)
    assert [(r.path, r.status, r.error_type) for r in seq] == [(r.path, r.status, r.error_type) for r in par]
    for name, rec in _frames(seq).items():
        pd.testing.assert_frame_equal(rec, _frames(par)[name])


def test_changed_file_is_reimported(tmp_path: Path) -> None:
    folder, cdir = _folder(tmp_path, 2), tmp_path / "cache"
    first = runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    write_run(folder, "r00.fit", START, 45, cooldown_min=5)  # same name, new content
    second = runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    assert len(_frames(second)["r00.fit"]) > len(_frames(first)["r00.fit"])


def test_damaged_entries_are_rebuilt_never_returned(tmp_path: Path) -> None:
    folder, cdir = _folder(tmp_path, 2), tmp_path / "cache"
    good = _frames(runtwitch.read_activities([folder], cache=cdir, n_jobs=1))
    entries = sorted(cdir.iterdir())
    rec = entries[0] / cache_mod.RECORDS_FILE
    rec.write_bytes(rec.read_bytes()[:100])  # truncated
    meta = entries[1] / "entry.json"
    data = bytearray(meta.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit, still valid JSON: the checksum catches it
    meta.write_bytes(bytes(data))
    again = runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    for name, frame in _frames(again).items():
        pd.testing.assert_frame_equal(frame, good[name])
    key = entries[0].name
    assert cache_mod.load(cdir, key, "x") is not None  # rebuilt and valid again


def test_cached_frames_can_be_modified_in_place(tmp_path: Path) -> None:
    """Frames rebuilt from pyarrow buffers are writable copies (zero-copy ones are read-only)."""
    folder, cdir = _folder(tmp_path, 1), tmp_path / "cache"
    runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    results = runtwitch.read_activities([folder], cache=cdir, n_jobs=1)
    act = next(r.activity for r in results if r.path.endswith("r00.fit"))
    assert act is not None
    act.records.loc[act.records.index[0], "session"] = 5
    act.records.iloc[0, act.records.columns.get_loc("heart_rate_bpm")] = 1.0
    act.sessions.loc[0, "sport"] = "walking"
    act.laps.loc[0, "timer_s"] = 1.0
    assert act.records["session"].iloc[0] == 5 and act.sessions.loc[0, "sport"] == "walking"


def test_two_processes_filling_the_cache_at_once(tmp_path: Path) -> None:
    folder, cdir = _folder(tmp_path, 6), tmp_path / "cache"
    code = (
        "import sys, runtwitch\n"
        f"res = runtwitch.read_activities([{str(folder)!r}], cache={str(cdir)!r}, n_jobs=1)\n"
        "print(sum(len(r.activity.records) for r in res if r.activity is not None))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    fresh = runtwitch.read_activities([folder], n_jobs=1, cache=False)
    expected = sum(len(f) for f in _frames(fresh).values())
    assert outs == [str(expected), str(expected)]
    # one entry per file, no temporary leftovers (and the index of the files read)
    assert len([p for p in cdir.iterdir() if p.name != INDEX_FILE]) == 6
