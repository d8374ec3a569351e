"""The runtwitch command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runtwitch.cli import main
from tests.conftest import CORPUS

KEYS = {
    "path", "format", "status", "error", "source_records", "rows", "dropped",
    "source_first_time", "source_last_time", "start", "end", "columns", "sessions", "warnings",
}


@pytest.mark.corpus
def test_inspect_json_over_whole_corpus() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "runtwitch.cli", "inspect", "--json", str(CORPUS)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert "Traceback" not in proc.stderr
    results = json.loads(proc.stdout)
    files = [p for sub in ("fit", "gpx", "tcx") for p in (CORPUS / sub).iterdir()]
    assert len(results) == len(files)
    assert {r["format"] for r in results} == {"fit", "gpx", "tcx"}
    for r in results:
        assert set(r) >= KEYS
        assert r["status"] in ("ok", "partial", "error")
        assert r["error"] is None or r["error"]["type"] != "InternalError", r
        for s in r["sessions"]:
            assert {"sport", "start", "elapsed_s", "timer_s", "moving_s", "distance_m"} <= set(s)
    assert proc.returncode == 1  # the zero-byte and non-activity files are errors


@pytest.mark.corpus
def test_inspect_exit_code_zero_when_all_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", str(CORPUS / "fit" / "runpandas__run.fit")])
    out = capsys.readouterr().out
    assert code == 0
    assert "running" in out and "1 file: 1 ok" in out


def test_inspect_table_names_a_course_shows_repairs_and_keeps_its_columns(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A course was listed as an 'ok' activity of sport 'generic'; a plugin format's longer name
    pushed its row out of the columns; a repaired file showed a plain 'ok'."""
    from tests.conftest import CORPUS_FORMATS

    files = [CORPUS / "tcx" / "runalyze__Route-only.tcx", next(CORPUS_FORMATS.rglob("*Wahoo.csv")),
             CORPUS / "gpx" / "sports-lib__6048438275.gpx"]
    assert main(["inspect", *map(str, files)]) == 0
    lines = capsys.readouterr().out.splitlines()
    column = lines[0].index("file")
    rows = [line for line in lines[2:] if line.startswith("ok")]
    assert len(rows) == 3 and all(row[column:] in map(str, files) for row in rows), lines
    assert "course" in rows[0]
    assert any("repaired: xml_undeclared_prefix_declared 1" in line for line in lines)


def test_inspect_reports_unknown_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "x.unknown"
    f.write_text("hello")
    assert main(["inspect", "--json", str(f)]) == 1
    r = json.loads(capsys.readouterr().out)[0]
    assert r["status"] == "error" and r["error"]["type"] == "UnknownFormatError"


def test_diary_command_prints_the_report(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "diary.csv"
    f.write_text("date,muscles,severity\n2026-06-01,calf,14\n")
    assert main(["diary", str(f), "--tz", "Europe/Paris"]) == 0
    out = capsys.readouterr().out
    assert "row 2, column 'severity': '14'" in out
    assert main(["inspect", str(f)]) == 0
    assert "1 episode," in capsys.readouterr().out
    assert main(["diary", "--json", str(f)]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["status"] == "partial" and r["report"]["problems"][0]["column"] == "severity"


@pytest.mark.corpus
def test_analyze_messy_folder_exits_0_and_writes_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    from datetime import UTC, datetime, timedelta

    from tests.helpers.history import NEUTRAL, write_diary, write_run

    folder = tmp_path / "export"
    folder.mkdir()
    start = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    for k in range(4):
        write_run(folder, f"run{k}.fit", start + timedelta(days=2 * k), 40, cooldown_min=8)
    shutil.copy(CORPUS / "fit" / "python-fitparse__activity-unexpected-eof.fit", folder / "truncated.fit")
    shutil.copy(CORPUS / "fit" / "python-fitparse__Settings.fit", folder / "settings.fit")
    (folder / "notes.fit").write_text("not a FIT file")
    (folder / "empty.gpx").write_bytes(b"")
    diary = write_diary(tmp_path / "diary.csv", [
        {"date": "2026-05-07", **NEUTRAL},
        {"date": "2026-05-07", "time": "19:00", "muscles": "left calf", "severity": "14", "weakness": "yes"},
        {"date": "2026-05-08", "time": "25:61", "muscles": "right calf"},
    ])
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-m", "runtwitch.cli", "analyze", str(folder), "--diary", str(diary),
         "--tz", "UTC", "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "RED FLAG" in proc.stdout and "settings.fit" in proc.stdout
    doc = json.loads(out.read_text())
    assert {"activities", "episodes", "flags", "patterns", "warnings"} <= set(doc)
    assert {a["id"] for a in doc["activities"]} >= {"run0.fit", "run3.fit"}
    statuses = {Path(i["path"]).name: i["status"] for i in doc["imports"]}
    assert statuses["truncated.fit"] == "partial"
    assert statuses["settings.fit"] == statuses["notes.fit"] == statuses["empty.gpx"] == "error"
    ep = {e["id"]: e for e in doc["episodes"]}
    assert set(ep) == {"E3", "E4"}
    assert ep["E3"]["activity_id"] == "run3.fit" and ep["E3"]["time"] == "19:00"
    assert ep["E3"]["severity"] is None  # 14 is out of range: blanked and reported
    assert "weakness" in ep["E3"]["flags"]
    for c in ep["E3"]["causes"]:
        assert {"cause", "score", "evidence", "missing", "remedies", "evidence_grade"} <= set(c)
    assert ep["E3"]["causes"][0]["score"] is None or ep["E3"]["causes"][0]["score"] >= 0
    assert [f["flag"] for f in doc["flags"]] == ["weakness"]
    problems = {(p["row"], p["column"]) for p in doc["diary"]["problems"]}
    assert {(3, "severity"), (4, "time")} <= problems


def test_inspect_names_the_files_it_did_not_read(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(CORPUS / "fit/runalyze__FR70-intervals.fit", tmp_path / "run.fit")
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    assert main(["inspect", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 other files in the folders are not activity files" in out
    assert "notes.txt, photo.jpg" in out and ".DS_Store" not in out
    assert main(["inspect", "--json", str(tmp_path)]) == 0  # stdout stays one JSON document
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 1 and "notes.txt" in captured.err
    os.remove(tmp_path / "run.fit")
    assert main(["inspect", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no activity files" in err and "photo.jpg" in err
