"""A small cohort analysed in this process: outputs, re-runs, privacy and the command line.

The Dask path (a real two-process cluster, a killed worker) is in test_dask.py;
here ``workers=0`` runs the same per-athlete task in this process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import runtwitch
from runtwitch.cli import main
from runtwitch.cohort import TABLES, read_table
from runtwitch.errors import FileError
from tests.helpers.cohort import assert_matches_analysis, write_cohort

SALT = "a salt for the tests, long enough"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("club")
    write_cohort(path, 3, weeks=2)
    return path


@pytest.fixture(scope="module")
def first(root: Path, tmp_path_factory: pytest.TempPathFactory) -> runtwitch.CohortResult:
    return runtwitch.cohort(root, out=tmp_path_factory.mktemp("run") / "out", workers=0, progress=False)


def test_every_athlete_is_analysed_like_analyze(root: Path, first: runtwitch.CohortResult) -> None:
    assert list(first.athletes["status"]) == ["ok"] * 3
    assert (first.out / "athletes.parquet").is_file()
    page = first.summary.read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page and "not diagnose" in page  # one offline file
    for name, pid in first.pseudonyms.items():
        assert_matches_analysis(first.out, pid, root / name)
    assert first.salt_file == first.out.parent / "out.salt"
    assert not (first.out / "_staging").exists() or not any((first.out / "_staging").iterdir())


def test_tables_read_back_with_their_documented_columns(first: runtwitch.CohortResult) -> None:
    for t in TABLES:
        folder = first.out / t.name
        if t.positions:
            assert not folder.exists(), "positions are written only when asked for"
            continue
        frame = pd.read_parquet(folder)
        assert set(frame.columns) == {"athlete", *t.column_names()}, t.name
        assert set(frame["athlete"].astype(str)) == set(first.pseudonyms.values())
    athletes = pd.read_parquet(first.out / "athletes.parquet")
    assert list(athletes["athlete"]) == list(first.athletes["athlete"])


def test_nothing_private_leaves_by_default(root: Path, first: runtwitch.CohortResult) -> None:
    columns = {c for f in first.out.rglob("*.parquet") for c in pq.read_schema(f).names}
    assert not {"notes", "diary_medications", "diary_recovery"} & columns
    assert not [c for c in columns if re.search(r"(^|_)(lat|lon|latitude|longitude|position)(_|$)", c)]
    assert_no_trace_of(first.out, [str(root), *first.pseudonyms])


def assert_no_trace_of(out: Path, secrets: list[str]) -> None:
    """No file of the output holds any of the strings (Parquet files are searched decompressed)."""
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        text = str(pq.read_table(path).to_pylist()) if path.suffix == ".parquet" else path.read_text("utf-8")
        for s in secrets:
            assert s not in text, f"{s!r} in {path.relative_to(out)}"


def test_notes_and_positions_when_asked(root: Path, tmp_path: Path) -> None:
    r = runtwitch.cohort(
        root, out=tmp_path / "out", workers=0, salt=SALT, include_notes=True, include_positions=True,
        progress=False,
    )
    runs = read_table(r.out, "runs")
    assert "diary_medications" in runs and "notes" in read_table(r.out, "episodes")
    pos = read_table(r.out, "positions")
    assert len(pos) == len(runs) and pos["start_lat_deg"].between(-90, 90).all()
    assert r.salt_file is None and not (tmp_path / "out.salt").exists()


def test_a_rerun_skips_what_did_not_change(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runtwitch.cohort(root, out=out, workers=0, salt=SALT, progress=False)
    ada = sorted(root.iterdir())[0]
    fit = next(ada.glob("*.fit"))
    os.utime(fit, ns=(fit.stat().st_atime_ns, fit.stat().st_mtime_ns + 10**9))  # touched, same bytes
    again = runtwitch.cohort(root, out=out, workers=0, salt=SALT, progress=False)
    assert list(again.athletes["status"]) == ["unchanged"] * 3
    assert again.athletes["runs"].notna().all()  # the stored summary is reported
    diary = ada / "diary.csv"
    before = diary.read_text(encoding="utf-8")
    try:
        diary.write_text(before + before.splitlines()[1] + "\n", encoding="utf-8")  # one row more
        third = runtwitch.cohort(root, out=out, workers=0, salt=SALT, progress=False)
    finally:
        diary.write_text(before, encoding="utf-8")
    status = dict(zip(third.athletes["athlete"], third.athletes["status"], strict=True))
    assert status.pop(third.pseudonyms[ada.name]) in ("ok", "partial")
    assert set(status.values()) == {"unchanged"}
    forced = runtwitch.cohort(root, out=out, workers=0, salt=SALT, force=True, progress=False)
    assert set(forced.athletes["status"]) == {"ok"}


def test_an_output_folder_that_is_not_a_cohort_is_left_alone(root: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(FileError, match="not a runtwitch cohort output"):
        runtwitch.cohort(root, out=tmp_path, workers=0, salt=SALT)
    assert os.listdir(tmp_path) == ["mine.txt"]


def test_a_manifest_names_athletes_and_their_files(root: Path, tmp_path: Path) -> None:
    folder = sorted(root.iterdir())[1]
    who = "someone@example.org"
    rows = ["athlete_id,path,role", f"{who},{folder},activity", f"{who},{folder / 'diary.csv'},diary",
            f"{who},{folder / 'athlete.toml'},athlete"]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = runtwitch.cohort(tmp_path / "m.csv", out=tmp_path / "out", workers=0, salt=SALT, progress=False)
    assert list(r.athletes["status"]) == ["ok"]
    assert_matches_analysis(r.out, r.pseudonyms["someone@example.org"], folder)
    assert_no_trace_of(r.out, ["someone", folder.name, str(tmp_path)])


def test_command_line(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, ids = tmp_path / "out", tmp_path / "ids.csv"
    code = main(["cohort", str(root), "--out", str(out), "--workers", "0", "--quiet", "--ids-out", str(ids)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "3 athletes: 3 ok" in text and "out.salt" in text
    key = pd.read_csv(ids)
    assert sorted(key["athlete_id"]) == sorted(p.name for p in root.iterdir())
    assert set(key["pseudonym"]) == set(pd.read_parquet(out / "athletes.parquet")["athlete"])
    assert main(["cohort", str(root), "--out", str(out), "--ids-out", str(out / "ids.csv")]) == 2
    assert main(["cohort", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o2")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_import_runtwitch_does_not_import_dask() -> None:
    code = ("import sys, runtwitch; "
            "sys.exit(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_contradictory_settings_are_refused(root: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        runtwitch.cohort(root, out=tmp_path / "o", client="tcp://127.0.0.1:1", workers=2)
    with pytest.raises(ValueError, match="workers=-1"):
        runtwitch.cohort(root, out=tmp_path / "o", workers=-1)
    with pytest.raises(ValueError, match="at least 16 characters"):
        runtwitch.cohort(root, out=tmp_path / "o", workers=0, salt="short")
    assert not (tmp_path / "o").exists()
