"""``runtwitch analyze`` end to end on a runner's mistakes: never a traceback, never silence.

Every case runs the real command (``runtwitch.cli.main``, a few through
``python -m runtwitch``) on the same small real history: ten days of the
sample season (FIT and GPX runs), with a diary damaged in one way or another,
a damaged or missing path, a bad athlete file or a bad argument. Each case
ends either with exit 0 and the problem reported in the output, or with a
short clear message and a non-zero exit; no episode row of the diary ever
disappears without its row being named.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from runtwitch.cli import main
from runtwitch.io.diary import DIARY_COLUMNS, DiaryColumn
from tests.conftest import CORPUS, ROOT

SAMPLE = ROOT / "sample_data"
#: Nine days of the sample season: FIT and GPX runs; the diary's rows of those days hold one
#: episode (row 10); each case adds its own at row 12.
DAYS = [f"2026-06-{d:02d}" for d in range(1, 10)]
ATHLETE = SAMPLE / "athlete.toml"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runs of 1-9 June of the sample season, in a folder of their own (imported once, then cached)."""
    folder = tmp_path_factory.mktemp("home") / "runs"
    folder.mkdir()
    for f in SAMPLE.iterdir():
        if f.name[:10] in DAYS:
            shutil.copy(f, folder / f.name)
    return folder


def _base_rows() -> tuple[list[str], list[list[str]]]:
    """The sample diary's rows of :data:`DAYS`, with every diary column (the sample leaves some out)."""
    with open(SAMPLE / "diary.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    more = [c.name for c in DIARY_COLUMNS if c.name not in table[0]]
    return table[0] + more, [r + [""] * len(more) for r in table[1:] if r[0][:10] in DAYS]


HEADER, BASE = _base_rows()


def episode(**cells: str) -> list[str]:
    """A diary row (in :data:`HEADER`'s order) of an episode on 7 June in the evening, plus ``cells``."""
    row = dict.fromkeys(HEADER, "")
    row.update({"date": "2026-06-07", "time": "19:30", "muscles": "left calf", "severity": "4"})
    assert set(cells) <= set(HEADER), cells
    row.update(cells)
    return [row[c] for c in HEADER]


def diary_text(extra: list[list[str]], *, header: list[str] = HEADER, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows([*BASE, *extra])
    return buf.getvalue()


@dataclass
class Case:
    """One bad input: how to make it, and what the command must answer."""

    id: str
    args: Callable[[Path, Path], list[str]]  # (history folder, tmp folder) -> argv after "analyze"
    code: int = 0
    says: tuple[str, ...] = ()  # in stdout when the code is 0, in stderr otherwise
    episode_rows: tuple[int, ...] = field(default=(12,))  # diary rows that are episodes
    before_analysis: bool = False  # refused before any file is read: nothing on stdout


Make = Callable[[Path, Path], list[str]]


def with_diary(content: bytes | str, *more: str, encoding: str = "utf-8") -> Make:
    def make(hist: Path, tmp: Path) -> list[str]:
        d = tmp / "diary.csv"
        d.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        rest = [m.replace("TMP", str(tmp)) for m in more]
        return [str(hist), "--diary", str(d), "--athlete", str(ATHLETE), *rest]
    return make


def with_athlete(toml: str | bytes | None, *, directory: bool = False) -> Callable[[Path, Path], list[str]]:
    def make(hist: Path, tmp: Path) -> list[str]:
        a = tmp / "athlete.toml"
        if directory:
            a.mkdir()
        elif isinstance(toml, bytes):
            a.write_bytes(toml)
        elif toml is not None:
            a.write_text(toml, encoding="utf-8")
        return [str(hist), "--diary", str(SAMPLE / "diary.csv"), "--athlete", str(a)]
    return make


def args(*argv: str) -> Callable[[Path, Path], list[str]]:
    def make(hist: Path, tmp: Path) -> list[str]:
        return [a.replace("HIST", str(hist)).replace("TMP", str(tmp)) for a in argv]
    return make


def folder(files: dict[str, bytes | Path], *, diary: str | None = None) -> Callable[[Path, Path], list[str]]:
    def make(hist: Path, tmp: Path) -> list[str]:
        d = tmp / "runs"
        d.mkdir()
        for name, content in files.items():
            if isinstance(content, Path):
                shutil.copy(content, d / name)
            else:
                (d / name).write_bytes(content)
        if diary is None:
            return [str(d), "--athlete", str(ATHLETE)]
        (tmp / "diary.csv").write_text(diary, encoding="utf-8")
        return [str(d), "--diary", str(tmp / "diary.csv"), "--athlete", str(ATHLETE), "--details"]
    return make


ROW = 12  # the spreadsheet row of the case's own episode (header 1, ten base rows)
OK_ROWS = (10, ROW)  # the sample diary's own episode (8 June) and the case's


WRONG_TYPE = {"date": "yesterday", "time": "7pm", "bool": "maybe", "number": "lots", "integer": "two",
              "choice": "sometimes", "terms": "xyzzy"}


def every_column(bad: Callable[[DiaryColumn], str | None], name: str) -> Case:
    """One episode row per typed column, each with that column's cell bad (one analysis for all)."""
    cols = [(c.name, v) for c in DIARY_COLUMNS if (v := bad(c)) is not None]
    rows = [episode(**{"time": f"19:{k:02d}", col: value}) for k, (col, value) in enumerate(cols)]
    says = tuple(f"row {ROW + k}, column '{col}': '{value}'" for k, (col, value) in enumerate(cols))
    return Case(name, with_diary(diary_text(rows), "--details"), says=says,
                episode_rows=(10, *range(ROW, ROW + len(rows))))


LATIN = diary_text([episode(notes="crampe à la cuisse, très fatigué")])
SEMI = diary_text([episode(fluid_before_l="0,5", duration_min="2,5")], delimiter=";")
FIT = CORPUS / "fit"

CASES: list[Case] = [
    # dates and times a runner types
    Case("date-month-13", with_diary(diary_text([episode(date="2026-13-01")]), "--report", "TMP/r.html",
                                     "--json", "TMP/r.json"),
         says=(f"row {ROW}, column 'date': '2026-13-01'", "not placed in time", "Wrote"),
         episode_rows=OK_ROWS),
    Case("date-blank", with_diary(diary_text([episode(date="")])),
         says=(f"row {ROW}, column 'date'", "not placed in time"), episode_rows=OK_ROWS),
    Case("date-day-first", with_diary(diary_text([episode(date="14/09/2019")])),
         says=(f"row {ROW}, column 'date': '14/09/2019'", "not placed in time"), episode_rows=OK_ROWS),
    Case("date-feb-30", with_diary(diary_text([episode(date="2026-02-30")])),
         says=(f"row {ROW}, column 'date'",), episode_rows=OK_ROWS),
    Case("date-in-the-future", with_diary(diary_text([episode(date="2026-06-20")]), "--today", "2026-06-10"),
         says=(f"row {ROW}, column 'date': '2026-06-20' – expected a date not after 2026-06-10",
               "not placed in time"), episode_rows=OK_ROWS),
    Case("time-25-61", with_diary(diary_text([episode(time="25:61")])),
         says=(f"row {ROW}, column 'time': '25:61'",), episode_rows=OK_ROWS),
    Case("time-without-date", with_diary(diary_text([episode(date="", time="21:00")])),
         says=(f"row {ROW}, column 'date'",), episode_rows=OK_ROWS),
    Case("time-in-dst-gap", with_diary(diary_text([episode(date="2026-03-08", time="02:30")])),
         says=(f"row {ROW}, column 'time': '02:30' – expected a local time that exists once",),
         episode_rows=OK_ROWS),
    # cells and rows
    every_column(lambda c: WRONG_TYPE.get(c.kind), "every-column-wrong-type"),
    every_column(lambda c: None if c.high is None else f"{c.high * 10 + 1:g}",
                 "every-column-out-of-range"),
    Case("muscles-only-separators", with_diary(diary_text([episode(muscles=";;;")])),
         says=(f"row {ROW}, column 'muscles': ';;;'", "muscles not readable"), episode_rows=OK_ROWS),
    Case("duplicate-episode", with_diary(diary_text([episode(), episode()])),
         says=(f"row {ROW + 1}, column 'muscles'", f"repeats row {ROW}"), episode_rows=(10, ROW, ROW + 1)),
    Case("cells-beyond-header", with_diary(diary_text([[*episode(), "extra", "cells"]])),
         says=(f"row {ROW}, column '(beyond last column)'",), episode_rows=OK_ROWS),
    Case("cell-too-long", with_diary(diary_text([episode(notes="x" * 5000)])),
         says=(f"row {ROW}, column 'notes'", "at most 2000 characters"), episode_rows=OK_ROWS),
    Case("formula-cell", with_diary(diary_text([episode(notes="=HYPERLINK(\"http://x\")")])),
         episode_rows=OK_ROWS),
    # encodings and delimiters
    Case("utf8-bom", with_diary(diary_text([episode()]).encode("utf-8-sig")), episode_rows=OK_ROWS),
    Case("latin-1", with_diary(LATIN, encoding="latin-1"), says=("not UTF-8",), episode_rows=OK_ROWS),
    Case("utf-16", with_diary(LATIN, encoding="utf-16"), says=("UTF-16",), episode_rows=OK_ROWS),
    Case("utf-16-no-bom", with_diary(LATIN, encoding="utf-16-le"), code=2, says=("NUL byte",)),
    Case("semicolons-decimal-commas", with_diary(SEMI), says=("';'-delimited",), episode_rows=OK_ROWS),
    Case("crlf-line-ends", with_diary(diary_text([episode()]).replace("\n", "\r\n")), episode_rows=OK_ROWS),
    # files that are not a diary
    Case("header-only", with_diary(",".join(HEADER) + "\n"), says=("Diary: 0 rows", "No twitch episodes"),
         episode_rows=()),
    Case("zero-bytes", with_diary(b""), code=2, says=("empty",)),
    Case("random-bytes", with_diary(bytes(range(256)) * 8), code=2, says=("diary.csv",)),
    Case("unknown-headers", with_diary("Datum,Zeit,Muskel\n2026-06-07,19:30,calf\n"), code=2,
         says=("no 'date' column", "'Datum' (closest known: date)")),
    Case("unknown-extra-headers", with_diary(diary_text([[*episode(), "x"]], header=[*HEADER, "Muskel"])),
         says=("'Muskel' (closest known: muscle", "not recognised"), episode_rows=OK_ROWS),
    Case("no-muscles-column", with_diary("date,wo\n2026-06-07,calf\n"),
         says=("No twitch episodes", "'wo'"), episode_rows=()),
    Case("diary-missing", args("HIST", "--diary", "TMP/nope.csv"), code=2, says=("no such file or folder",)),
    Case("diary-is-a-folder", args("HIST", "--diary", "HIST"), code=2, says=("directory",)),
    # paths
    Case("path-missing", args("TMP/my-runs", "--diary", str(SAMPLE / "diary.csv")), code=2,
         says=("my-runs: no such file or folder",)),
    Case("one-of-paths-missing", args("HIST", "TMP/other"), code=2, says=("other: no such file or folder",)),
    Case("empty-folder", folder({}), code=1, says=("no activities found",)),
    # a diary but no run to link it to: the episodes are listed unlinked, never a traceback
    Case("empty-folder-with-diary", folder({}, diary=diary_text([episode()])), code=1,
         says=("no activities found",)),
    Case("only-a-ride-with-diary", folder({"ride.fit.gz": FIT / "goldencheetah__14582164182.fit.gz"},
                                          diary=diary_text([episode()])),
         says=("Imported 1 activity ", "is not linked to a run"), episode_rows=OK_ROWS),
    Case("only-a-course-with-diary", folder({"route.tcx": CORPUS / "tcx" / "runalyze__Route-only.tcx"},
                                            diary=diary_text([episode()])),
         code=1, says=("no activities found",)),
    Case("only-junk-files", folder({"notes.fit": b"not a FIT file", "empty.gpx": b"", "x.tcx": b"<a>"}),
         code=1, says=("no activities found",)),
    Case("one-good-among-broken", folder({"run.fit": SAMPLE / "2026-06-07-0900-running.fit",
                                          "cut.fit": FIT / "python-fitparse__activity-unexpected-eof.fit",
                                          "empty.gpx": b""}),
         says=("empty.gpx", "1 failed"), episode_rows=()),
    Case("unknown-suffix-file", args(str(SAMPLE / "diary_template.csv")), code=1,
         says=("no activities found",)),
    Case("tilde-path", args("~/runs", "--athlete", str(ATHLETE)), says=("Imported 9 activities",),
         episode_rows=()),
    Case("env-var-path", args("$RUNTWITCH_TEST_RUNS", "--athlete", str(ATHLETE)),
         says=("Imported 9 activities",), episode_rows=()),
    # athlete files
    Case("athlete-missing", with_athlete(None), code=2, says=("athlete.toml: no such file or folder",)),
    Case("athlete-not-toml", with_athlete("timezone = Europe/Paris\n"), code=2, says=("not valid TOML",)),
    Case("athlete-unknown-key", with_athlete('timezone = "UTC"\nweight = 60\n'), code=2,
         says=("unknown keys ['weight']",)),
    Case("athlete-no-timezone", with_athlete("max_hr = 190\n"), code=2, says=("missing 'timezone'",)),
    Case("athlete-bad-timezone", with_athlete('timezone = "Europe/Pariss"\n'), code=2,
         says=("'Europe/Pariss'", "Europe/Paris")),
    Case("athlete-wrong-type", with_athlete('timezone = "UTC"\nmax_hr = "high"\n'), code=2,
         says=("athlete.toml",)),
    Case("athlete-out-of-range", with_athlete('timezone = "UTC"\nbody_mass_kg = -60\n'), code=2,
         says=("athlete.toml",)),
    Case("athlete-is-a-folder", with_athlete(None, directory=True), code=2, says=("athlete.toml",)),
    Case("athlete-is-an-image", with_athlete(b"\x89PNG\r\n\x1a\n" + bytes(range(256))), code=2,
         says=("athlete.toml", "not a TOML text file", "byte 0")),
    Case("athlete-latin-1",
         with_athlete('timezone = "Europe/Paris"\n# coureur \xe0 pied\n'.encode("latin-1")),
         code=2, says=("athlete.toml", "UTF-8")),
    # arguments
    Case("tz-typo", args("HIST", "--tz", "Europe/Pariss"), code=2, says=("'Europe/Pariss'", "Europe/Paris")),
    Case("tz-offset", args("HIST", "--tz", "+02:00"), code=2, says=("'+02:00'", "Europe/Paris")),
    Case("tz-abbreviation", args("HIST", "--tz", "CEST"), code=2, says=("'CEST'", "Europe/Paris")),
    Case("jobs-zero", args("HIST", "--jobs", "0"), code=2, says=("--jobs",)),
    Case("jobs-not-a-number", args("HIST", "--jobs", "many"), code=2, says=("--jobs",)),
    Case("today-not-a-date", args("HIST", "--today", "tomorrow"), code=2, says=("--today", "YYYY-MM-DD")),
    Case("no-paths", args(), code=2, says=("PATH",)),
    Case("unknown-option", args("HIST", "--diry", "d.csv"), code=2, says=("--diry",)),
    Case("report-into-missing-folder", args("HIST", "--report", "TMP/no/such/report.html"), code=2,
         says=("cannot write", "does not exist"), before_analysis=True),
    Case("json-into-missing-folder", args("HIST", "--json", "TMP/no/such/out.json"), code=2,
         says=("cannot write", "does not exist"), before_analysis=True),
    Case("report-is-a-folder", args("HIST", "--report", "TMP"), code=2, says=("cannot write", "a folder"),
         before_analysis=True),
    Case("weather-table-missing", args("HIST", "--weather-table", "TMP/w.csv"), code=2,
         says=("no such file or folder",)),
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(["analyze", "--quiet", *argv])
    except SystemExit as exc:  # argparse: usage errors exit 2 after one "error:" line
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(history.parent))
    monkeypatch.setenv("RUNTWITCH_TEST_RUNS", str(history))
    code, out, err = _run(case.args(history, tmp_path), capsys)
    assert "Traceback" not in out + err
    assert code == case.code, (out, err)
    if code == 0:
        for text in case.says:
            assert text in out, (text, out)
        for row in case.episode_rows:  # listed as an episode, or its row named in a reported problem
            assert f"  E{row} " in out or f"row {row}," in out, (row, out)
    else:
        message = err.strip().splitlines()
        assert message and message[-1].startswith("runtwitch"), err
        assert len(message[-1]) < 400 and all(len(line) < 400 for line in message[-3:]), err
        for text in case.says:
            assert text in err, (text, err)
        if case.before_analysis:
            assert out == "", out


def test_the_real_entry_point(history: Path, tmp_path: Path) -> None:
    """``python -m runtwitch``: a damaged diary reports and exits 0, a bad zone is one line and exit 2."""
    d = tmp_path / "diary.csv"
    d.write_text(diary_text([episode(date="2026-13-01")]), encoding="utf-8")
    run = [sys.executable, "-m", "runtwitch", "analyze", str(history), "--quiet"]
    env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}
    ok = subprocess.run([*run, "--diary", str(d), "--athlete", str(ATHLETE)], capture_output=True,
                        text=True, timeout=300, check=False, env=env)
    assert ok.returncode == 0 and "Traceback" not in ok.stderr and "not placed in time" in ok.stdout
    bad = subprocess.run([*run, "--tz", "Europe/Pariss"], capture_output=True, text=True, timeout=300,
                         check=False, env=env)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == ("runtwitch analyze: unknown time zone 'Europe/Pariss': expected an IANA "
                                  "name such as 'Europe/Paris'")


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_the_python_api_expands_paths_too(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``~/runs`` (as docs/getting-started.md writes it) and ``$VAR`` mean the same in Python."""
    import runtwitch

    monkeypatch.setenv("HOME", str(history.parent))
    monkeypatch.setenv("RUNTWITCH_SAMPLE", str(SAMPLE))
    assert len([r for r in runtwitch.read_activities(["~/runs"], n_jobs=1) if r.status == "ok"]) == 9
    assert runtwitch.read_activity("~/runs/2026-06-07-0900-running.fit").meta.sport == "running"
    assert runtwitch.Athlete.from_toml("$RUNTWITCH_SAMPLE/athlete.toml").tz == "America/Toronto"
    assert len(runtwitch.read_diary("${RUNTWITCH_SAMPLE}/diary.csv").episodes) == 14
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        runtwitch.analyze(["~/no-runs-here"], progress=False)
