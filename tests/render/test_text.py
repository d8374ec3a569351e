"""The terminal output: the summary first, the details after it or with --details."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import runtwitch
from runtwitch.cli import main
from runtwitch.render import episode_views, summary_text, to_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def analysis() -> runtwitch.Analysis:
    return runtwitch.analyze([SAMPLE], diary=SAMPLE / "diary.csv", athlete=SAMPLE / "athlete.toml",
                             progress=False)


def test_the_summary_comes_first_and_fits_a_screen(analysis: runtwitch.Analysis) -> None:
    short = summary_text(analysis, details=False)
    full = summary_text(analysis)
    views = episode_views(analysis.explanation)
    lines = short.splitlines()
    assert lines[0] == "RED FLAGS - please read"  # no urgent sign in the sample season
    assert len(lines) < 50
    episodes = lines.index(f"EPISODES ({len(views)})")
    assert all(not line.startswith("  [") for line in lines[episodes:])  # every red flag above them
    for k, v in enumerate(views, start=1):  # one line each, in order: date, run, top cause
        line = lines[episodes + k]
        assert line.startswith(f"  {v.id} {v.when}, ") and f"after {v.activity_id}" in line
        assert (f"top cause: {v.top.title}" if v.top is not None else "nothing stands out") in line
    assert "--details" in short and "DETAILS" not in short
    assert full.startswith(short.split("Each episode's evidence")[0].rstrip())  # the same summary, then
    assert full.index("DETAILS of each episode") > full.index(f"EPISODES ({len(views)})")


def test_the_terminal_names_the_same_top_cause_as_the_json_and_html(analysis: runtwitch.Analysis) -> None:
    """One decision of the top cause, read by every report: an "unlikely" cause is never a headline.

    The terminal once named the first ranked cause of every episode, "top cause: Running without
    fuel" at a score of 0.06, where the JSON and the HTML said that no cause stands out.
    """
    text = summary_text(analysis, details=False).splitlines()
    doc = to_json(analysis)
    titles = {c["cause"]: c["title"] for ep in doc["episodes"] for c in ep["causes"]}
    quiet = 0
    for ep, row in zip(doc["episodes"], doc["summary"], strict=True):
        line = next(t for t in text if t.startswith(f"  {ep['id']} "))
        shown = line.split("; ")[-1].split(" [")[0]
        if ep["top_cause"] is None:
            quiet += 1
            assert shown == "nothing stands out" and row["cause"] is None, line
            assert row["verdict"] == "no cause stands out"
        else:
            assert shown == f"top cause: {titles[ep['top_cause']]}" == f"top cause: {row['cause']}", line
            assert row["verdict"] in ("likely", "possible")
    assert quiet >= 5  # the sample season has episodes whose first cause is only "unlikely"


def test_the_details_list_every_remedy_and_ask_only_for_missing_data(analysis: runtwitch.Analysis) -> None:
    full = summary_text(analysis)
    for v in episode_views(analysis.explanation):
        for c in v.shown:
            assert all(f"       * {r}" in full for r in c.remedies), c.title
    assert "took only 0 mg" not in full
    cooled = analysis.runs["cooldown_min"] >= 5  # a cool-down the file shows is not asked for
    hint = "cooldown_min in the diary if the watch was stopped before the cool-down"
    linked = analysis.episodes["activity_id"]
    asked = sum(1 for m in analysis.explanation.causes["missing"] for x in m if x == hint)
    assert asked <= int((~cooled.reindex(linked).fillna(False)).sum())


def test_version_and_python_m(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"runtwitch {runtwitch.__version__}"
    out = subprocess.run([sys.executable, "-m", "runtwitch", "--help"], capture_output=True, text=True,
                         check=True, timeout=120)
    assert "analyze" in out.stdout and "--version" in out.stdout


def test_the_example_script_runs_with_the_installed_python(tmp_path: Path) -> None:
    script = ROOT / "examples" / "analyze_season.py"
    report = tmp_path / "report.html"
    out = subprocess.run([sys.executable, str(script), str(SAMPLE / "2026-06-07-0900-running.fit"), "--tz",
                          "UTC", "--report", str(report)], capture_output=True, text=True, timeout=300,
                         check=False, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Imported 1 activity " in out.stdout and report.exists()
    gone = subprocess.run([sys.executable, str(script), str(tmp_path / "nope")], capture_output=True,
                          text=True, timeout=300, check=False)
    assert gone.returncode == 1 and gone.stderr.strip().endswith("nope: no such file or folder")


def test_what_to_log_and_what_files_to_add_are_told_apart(tmp_path: Path) -> None:
    """Only diary entries are "noted next time"; the run itself and earlier runs are files to add.

    A run with no history and an episode with no run once read "Keep logging; next time note at
    least 3 earlier runs ..." and "next time note no run linked to this episode.", and the
    summary counted one need once per cause: "no run linked to this episode (22x)" for 2 episodes.
    """
    from runtwitch.render.view import summary_rows
    from tests.helpers.history import write_run

    runs = tmp_path / "runs"
    runs.mkdir()
    write_run(runs, "only.fit", datetime(2026, 6, 7, 7, 0, tzinfo=UTC), 50)
    diary = tmp_path / "diary.csv"
    diary.write_text("date,time,muscles\n2026-06-07,19:00,left calf\n2026-05-01,19:00,left calf\n"
                     "2026-05-03,20:00,right calf\n", encoding="utf-8")
    a = runtwitch.analyze([runs], diary=diary, tz="UTC", progress=False, cache=False)
    text = summary_text(a, details=False)
    firsts = {r.episode_id: r.first_step for r in summary_rows(a.explanation, a.runs, a.days)}
    assert "next time note no run linked" not in text and "next time note at least" not in text
    assert firsts["E3"] == firsts["E4"] == ("Add the file of the run this episode followed to the folder "
                                            "you analyse, if you recorded it.")
    assert not firsts["E2"].startswith("Keep logging; next time note at least 3 earlier runs")
    files = text.split("for lack of activity files (add them to the folder you analyse):\n")[1]
    assert "  - no run linked to this episode (2 episodes)" in files
    assert "  - at least 3 earlier runs of the same type (for 'faster than usual') (1 episode)" in files
    logged = text.split("To sharpen the analysis, log next time:\n")[1].split("\n\n")[0]
    assert "earlier runs" not in logged and "no run linked" not in logged
