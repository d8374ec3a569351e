"""The import cache folder: listing its entries by kind, pruning what can never be read again."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from runtwitch.cli import main
from runtwitch.io import read_activities
from runtwitch.io.cache import CACHE_FORMAT, DERIVED_DIR
from runtwitch.io.cachedir import COLUMNS, cache_entries, prune_cache
from runtwitch.io.fileindex import INDEX_FILE
from runtwitch.model.schema import SCHEMA_VERSION
from tests.conftest import CORPUS

FILES = [CORPUS / "fit/runalyze__FR70-intervals.fit", CORPUS / "gpx/gpxpy__korita-zbevnica.gpx"]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache of two real imports, one entry of an older version, an old and a young unfinished
    write, the weather cache's folder, a file of the user's and a link to a folder outside."""
    folder = tmp_path / "cache"
    results = read_activities([str(f) for f in FILES], n_jobs=1, cache=folder)
    assert all(r.status == "ok" for r in results)
    current = sorted(p for p in folder.iterdir() if p.name != INDEX_FILE)
    assert len(current) == 2
    assert (folder / INDEX_FILE).is_file()  # corpus files are old enough to be indexed
    key = current[0].name
    version = f"-s{SCHEMA_VERSION}-c{CACHE_FORMAT}"
    stale = folder / key.replace(version, f"-s{SCHEMA_VERSION}-c{CACHE_FORMAT - 1}")
    shutil.copytree(current[0], stale)
    (current[0] / DERIVED_DIR).mkdir()
    (current[0] / DERIVED_DIR / "summary-0123.json").write_text("{}")
    old_tmp = folder / f".{key[:16]}-abc_1234"
    old_tmp.mkdir()
    (old_tmp / "records.arrow").write_bytes(b"x" * 10)
    long_ago = time.time() - 7200
    os.utime(old_tmp, (long_ago, long_ago))
    (folder / f".{key[:16]}-young123").mkdir()
    (folder / "weather").mkdir()
    (folder / "notes.txt").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (folder / stale.name.replace(key[:8], "f" * 8)).symlink_to(outside, target_is_directory=True)
    return folder


def test_entries_are_listed_by_kind(cache: Path) -> None:
    entries = cache_entries(cache)
    assert list(entries.columns) == list(COLUMNS)
    assert entries["kind"].value_counts().to_dict() == {"current": 2, "other": 3, "temporary": 2, "stale": 1,
                                                         "index": 1}
    assert str(entries["modified"].dt.tz) == "UTC"
    current = entries[entries["kind"] == "current"]
    assert (current["schema"] == SCHEMA_VERSION).all() and (current["format"] == CACHE_FORMAT).all()
    assert current["derived_values"].sum() == 1 and current["derived_bytes"].sum() == 2
    assert (entries.loc[entries["kind"].isin(["current", "stale"]), "bytes"] > 0).all()


def test_prune_removes_only_what_is_never_read_again(cache: Path, tmp_path: Path) -> None:
    before = cache_entries(cache)
    planned = prune_cache(cache, dry_run=True)
    assert sorted(planned["kind"]) == ["stale", "temporary"]
    assert not planned["removed"].any() and planned["error"].isna().all()
    pd.testing.assert_frame_equal(cache_entries(cache), before)  # a dry run removes nothing

    removed = prune_cache(cache)
    assert removed["removed"].all() and removed["error"].isna().all()
    pd.testing.assert_frame_equal(removed[list(COLUMNS)], planned[list(COLUMNS)])
    after = cache_entries(cache)
    assert after["kind"].value_counts().to_dict() == {"current": 2, "other": 3, "temporary": 1,
                                                       "index": 1}
    assert (tmp_path / "outside" / "keep.txt").exists()  # a link is never followed
    # the entries of this version still answer: a second import is all cache hits
    again = read_activities([str(f) for f in FILES], n_jobs=1, cache=cache)
    assert [r.status for r in again] == ["ok", "ok"]
    assert len(cache_entries(cache)) == len(after)


def test_prune_derived_values_on_request(cache: Path) -> None:
    removed = prune_cache(cache, derived=True)
    current = removed[removed["kind"] == "current"]
    assert len(current) == 1 and current["bytes"].sum() == 2  # the bytes freed are the derived values'
    assert cache_entries(cache).query("kind == 'current'")["derived_values"].sum() == 0


def test_missing_folder_is_empty(tmp_path: Path) -> None:
    assert cache_entries(tmp_path / "nowhere").empty
    assert prune_cache(tmp_path / "nowhere").empty


def test_cli_info_and_prune(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "info", "--cache-dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "2 entries read by this version" in out and "1 entries of other versions" in out
    assert "runtwitch cache prune" in out
    assert main(["cache", "prune", "--dry-run", "--cache-dir", str(cache)]) == 0
    assert "would remove 1 entries of other versions, 1 unfinished writes" in capsys.readouterr().out
    assert main(["cache", "prune", "--cache-dir", str(cache)]) == 0
    assert "removed 1 entries of other versions, 1 unfinished writes" in capsys.readouterr().out


def test_cli_mistakes_are_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["cache", "info", "--cache-dir", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a folder" in err
    with pytest.raises(SystemExit) as exc:
        main(["cache", "info", "--derived"])  # an option of prune only is refused, not ignored
    assert exc.value.code == 2


def test_module_examples() -> None:
    import doctest

    from runtwitch.io import cachedir

    assert doctest.testmod(cachedir).failed == 0


def test_an_item_that_cannot_be_removed_is_reported(cache: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", refuse)
    pruned = prune_cache(cache)
    assert len(pruned) == 2 and not pruned["removed"].any()
    assert pruned["error"].str.startswith("PermissionError: Permission denied").all()
    assert len(cache_entries(cache)) == 9  # nothing removed, nothing lost (the index included)
    assert main(["cache", "prune", "--cache-dir", str(cache)]) == 1
    captured = capsys.readouterr()
    assert "removed 0 entries of other versions, 0 unfinished writes" in captured.out
    assert captured.err.count("\n") == 1 and "2 could not be removed" in captured.err
