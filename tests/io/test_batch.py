"""Importing a folder never loses a file: every bad input is reported with a reason."""

from __future__ import annotations

import builtins
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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
