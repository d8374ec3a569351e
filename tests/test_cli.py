"""The runtwitch command line."""

from __future__ import annotations

import json
import subprocess
import sys

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
    assert "running" in out and "1 files: 1 ok" in out


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
    assert "1 episodes" in capsys.readouterr().out
    assert main(["diary", "--json", str(f)]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["status"] == "partial" and r["report"]["problems"][0]["column"] == "severity"
