"""Zip archives: hostile archives are refused quickly with typed errors; members are read in memory."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest

import runtwitch
from runtwitch.io import archive
from tests.conftest import corpus_formats

pytestmark = pytest.mark.corpus_formats
GARMIN = "export/GoldenCheetah-GoldenCheetah__4077461142.zip"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _declare_size(path: Path, size: int) -> None:
    """Patch every local and central header of a one-member zip to declare ``size`` uncompressed bytes."""
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        data[at + offset : at + offset + 4] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


def _refused(paths: list[Path], error: type[Exception], match: str) -> None:
    t0 = time.perf_counter()
    results = runtwitch.read_activities(paths, n_jobs=1)
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert [r.status for r in results] == ["error"], results
    assert results[0].error_type == error.__name__ and match in (results[0].error or ""), results[0]
    with pytest.raises(error, match=match):
        archive.members(str(paths[0]))


def test_zip_bomb_by_declared_size_is_refused_in_under_a_second(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"run.fit": b"\0" * 1_000_000})
    _declare_size(bomb, 4_000_000_000)  # 4 GB declared by a 1 KB member
    _refused([bomb], runtwitch.LimitExceededError, "zip bomb")


def test_zip_bomb_of_many_members_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_MEMBERS", 50)
    bomb = _zip(tmp_path / "many.zip", {f"{k}.fit": b"x" for k in range(60)})
    _refused([bomb], runtwitch.LimitExceededError, "more than the limit of 50")


def test_zip_bomb_by_total_declared_size_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 5_000_000)
    bomb = _zip(tmp_path / "sum.zip", {f"{k}.fit": b"\0" * 1_000_000 for k in range(6)})
    _refused([bomb], runtwitch.LimitExceededError, "in all")


def test_member_that_expands_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "liar.zip", {"run.fit": b"\0" * 2_000_000})
    _declare_size(bomb, 1000)  # declares 1 KB, inflates to 2 MB: cut at 1 KB, checksum fails
    results = runtwitch.read_activities([bomb], n_jobs=1)
    assert [r.status for r in results] == ["error"]
    assert results[0].error_type in ("CorruptFileError", "LimitExceededError"), results[0]


def test_archives_nested_too_deep_are_refused(tmp_path: Path) -> None:
    inner = b"not a fit file"
    for depth in range(4):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"level{depth}.zip" if depth else "run.fit", inner)
        inner = buf.getvalue()
    path = tmp_path / "deep.zip"
    path.write_bytes(inner)
    _refused([path], runtwitch.LimitExceededError, "nested deeper than 3")


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.fit", "/etc/cron.d/run.fit", "C:\\Windows\\run.fit", "runs/../../escape.fit"]
)
def test_path_traversal_names_are_refused(tmp_path: Path, name: str) -> None:
    path = _zip(tmp_path / "evil.zip", {"ok.fit": b"x", name: b"x"})
    _refused([path], runtwitch.UnsafeArchiveError, "path traversal")


def test_not_a_zip_and_an_empty_zip_are_reported(tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04 this is not a zip")
    empty = _zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8"})
    results = {Path(r.path).name: r for r in runtwitch.read_activities([fake, empty], n_jobs=1)}
    assert results["fake.zip"].error_type == "ParseError"
    assert results["photos.zip"].error_type == "NotAnActivityError"
    assert "no activity file" in (results["photos.zip"].error or "")


def test_garmin_export_zip_imports_its_member(tmp_path: Path) -> None:
    results = runtwitch.read_activities([corpus_formats(GARMIN)], n_jobs=1, cache=tmp_path / "cache")
    assert [(Path(r.path).name, r.status) for r in results] == [
        ("GoldenCheetah-GoldenCheetah__4077461142.zip!4077461142.fit", "ok")
    ]
    act = results[0].activity
    assert act is not None and act.report.source_records == 4948 and act.meta.sport == "running"
    again = runtwitch.read_activities([corpus_formats(GARMIN)], n_jobs=1, cache=tmp_path / "cache")
    assert again[0].activity is not None and again[0].activity.report.source_records == 4948  # from the cache


def test_nested_archive_members_are_named_by_their_path(tmp_path: Path) -> None:
    fit = zipfile.ZipFile(corpus_formats(GARMIN)).read("4077461142.fit")
    part = io.BytesIO()
    with zipfile.ZipFile(part, "w") as zf:
        zf.writestr("UploadedFiles/4077461142.fit", fit)
    outer = _zip(
        tmp_path / "garmin-export.zip",
        {
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part.getvalue(),
            "DI_CONNECT/summary.json": b'{"not": "an activity"}',
        },
    )
    results = runtwitch.read_activities([tmp_path], n_jobs=1)
    assert [r.path.split("!", 1)[1] for r in results] == [
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!UploadedFiles/4077461142.fit"
    ]
    assert results[0].status == "ok" and str(outer) in results[0].path


def test_kmz_is_read_in_memory_under_the_archive_limits(tmp_path: Path) -> None:
    kmz = _zip(tmp_path / "track.kmz", {"doc.kml": b"<kml/>", "../escape.kml": b"<kml/>"})
    with pytest.raises(runtwitch.UnsafeArchiveError):
        runtwitch.read_activity(kmz)
