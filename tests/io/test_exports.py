"""Whole exports (Strava folder and zip, Garmin zip) and paired files, through read_activities and the CLI."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

import runtwitch
from runtwitch.cli import main
from tests.conftest import corpus_formats

pytestmark = pytest.mark.corpus_formats
STRAVA = "export/slalom007-strava-running-analysis__strava_export"
PRESENT = {
    "15216885946": ("Morning Swim", "swimming"),
    "15346361175": ("Lunch ride", "cycling"),
    "16932586040": ("Afternoon Run", "running"),
}


def _by_status(results: list[runtwitch.ImportResult]) -> dict[str, list[runtwitch.ImportResult]]:
    out: dict[str, list[runtwitch.ImportResult]] = {}
    for r in results:
        out.setdefault(r.status, []).append(r)
    return out


def _check_strava(results: list[runtwitch.ImportResult]) -> None:
    groups = _by_status(results)
    assert set(groups) == {"ok", "missing"}
    assert len(groups["ok"]) == 3
    # 237 index rows name a file; the export holds 3 of them: every other one is reported, by name.
    assert len(groups["missing"]) == 234
    assert all(
        "listed in" in (r.error or "") and r.error_type == "MissingFromExport" for r in groups["missing"]
    )
    for r in groups["ok"]:
        act = r.activity
        assert act is not None
        file_id = Path(r.path.replace("!", "/")).name.split(".")[0]
        name, sport = PRESENT[file_id]
        assert act.meta.extra["activity_name"] == name
        assert act.meta.sport == sport
        assert act.meta.extra["strava_activity_type"] in ("Run", "Ride", "Swim")


def test_strava_export_folder() -> None:
    _check_strava(runtwitch.read_activities([corpus_formats(STRAVA)], n_jobs=1))


def test_strava_export_zip(tmp_path: Path) -> None:
    src = corpus_formats(STRAVA)
    path = tmp_path / "export_12345.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(src.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(src).as_posix())
    results = runtwitch.read_activities([path], n_jobs=1)
    _check_strava(results)
    ok = [r.path for r in results if r.status == "ok"]
    assert all(p.startswith(f"{path}!activities/") for p in ok), ok


def test_strava_type_fills_a_sport_the_file_lacks(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(corpus_formats(STRAVA), folder)
    gpx = corpus_formats("hrm/Runalyze-Runalyze__15031201.gpx")  # a GPX track without <type>
    shutil.copy(gpx, folder / "activities" / "999.gpx")
    index = folder / "activities.csv"
    lines = index.read_text(encoding="utf-8").splitlines()
    columns = lines[0].split(",")
    row = [""] * len(columns)
    row[0], row[1], row[2], row[3] = "999", '"Mar 12, 2015, 12:42:48 PM"', "Polar run", "Run"
    row[columns.index("Filename")] = "activities/999.gpx"
    index.write_text("\n".join([*lines, ",".join(row)]) + "\n", encoding="utf-8")
    results = {Path(r.path).name: r for r in runtwitch.read_activities([folder], n_jobs=1)}
    act = results["999.gpx"].activity
    assert act is not None and act.meta.sport == "running"
    assert act.meta.extra["sport_source"] == "strava_activities_csv"
    assert list(act.sessions["sport"]) == ["running"]


def test_cli_analyze_reads_a_zip_export_and_reports_each_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "analysis.json"
    code = main(
        [
            "analyze",
            str(corpus_formats("export/GoldenCheetah-GoldenCheetah__GarminFR955v18.zip")),
            str(corpus_formats(STRAVA)),
            "--tz",
            "Europe/Budapest",
            "--json",
            str(out),
            "--quiet",
            "--no-cache",
            "--jobs",
            "1",
        ]
    )
    assert code == 0
    imports = json.loads(out.read_text())["imports"]
    zipped = [i for i in imports if "GarminFR955v18.zip!" in i["path"]]
    assert [(i["path"].split("!")[1], i["status"]) for i in zipped] == [("14211916346_ACTIVITY.fit", "ok")]
    assert sum(i["status"] == "missing" for i in imports) == 234
    assert "234 files listed in an export's index are missing" in capsys.readouterr().out


def test_hrm_and_its_gpx_are_one_activity_in_a_folder(tmp_path: Path) -> None:
    for f in ("Runalyze-Runalyze__15031201.hrm", "Runalyze-Runalyze__15031201.gpx"):
        shutil.copy(corpus_formats(f"hrm/{f}"), tmp_path / f)
    results = {Path(r.path).name: r for r in runtwitch.read_activities([tmp_path], n_jobs=1)}
    assert results["Runalyze-Runalyze__15031201.hrm"].status == "ok"
    gpx = results["Runalyze-Runalyze__15031201.gpx"]
    assert gpx.status == "skipped" and gpx.error_type == "MergedIntoPair"
    act = results["Runalyze-Runalyze__15031201.hrm"].activity
    assert act is not None and "lat_deg" in act.records


def test_folder_search_sniffs_generic_suffixes(tmp_path: Path) -> None:
    shutil.copy(corpus_formats("vendor/Runalyze-Runalyze__Wahoo.csv"), tmp_path / "wahoo.csv")
    shutil.copy(
        corpus_formats("gcjson/GoldenCheetah-GoldenCheetah__2013_05_27_08_56_35.json"), tmp_path / "ride.json"
    )
    (tmp_path / "diary.csv").write_text("date,time,muscles\n2026-05-01,18:00,calf\n")
    (tmp_path / "settings.json").write_text('{"units": "metric"}')
    (tmp_path / "notes.xml").write_text("<notes/>")
    found = sorted(Path(p).name for p in runtwitch.io.batch.find_activity_files([tmp_path]))
    assert found == ["ride.json", "wahoo.csv"]
