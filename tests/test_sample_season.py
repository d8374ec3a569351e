"""End-to-end regression test of the whole pipeline on the sample season."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtwitch
from runtwitch.render import to_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def season() -> dict:  # type: ignore[type-arg]
    result = runtwitch.analyze([SAMPLE], diary=SAMPLE / "diary.csv", athlete=SAMPLE / "athlete.toml")
    return to_json(result)


def test_every_sample_file_imports(season: dict) -> None:  # type: ignore[type-arg]
    statuses = {Path(i["path"]).suffix: i["status"] for i in season["imports"]}
    assert set(statuses) == {".fit", ".gpx", ".tcx"}
    assert all(i["status"] == "ok" for i in season["imports"])
    assert 60 <= len(season["activities"]) <= 80
    assert season["diary"]["problems"] == []


def test_intended_causes_rank_first_and_every_red_flag_is_raised(season: dict) -> None:  # type: ignore[type-arg]
    expected = json.loads((SAMPLE / "expected.json").read_text())
    assert 10 <= len(expected) <= 15
    by_key = {(e["date"], e["time"]): e for e in season["episodes"]}
    with_cause = [x for x in expected if x["cause"]]
    hits = 0
    for x in expected:
        ep = by_key[(x["date"], x["time"])]
        assert ep["activity_id"] == x["run"], x
        assert set(x["flags"]) <= set(ep["flags"]), (x, ep["flags"])
        if x["cause"]:
            hits += ep["causes"][0]["cause"] == x["cause"]
    assert hits / len(with_cause) >= 0.8, f"{hits} of {len(with_cause)}"


def test_warts_are_reported(season: dict) -> None:  # type: ignore[type-arg]
    acts = {Path(p).name: runtwitch.read_activity(p) for p in sorted(SAMPLE.glob("*.fit"))}
    assert any(a.report.repaired.get("heart_rate_zero") for a in acts.values())
    assert any(a.report.dropped.get("duplicate_timestamp") for a in acts.values())
    assert any(
        s < t
        for a in acts.values()
        for s, t in zip(a.sessions["timer_s"], a.sessions["elapsed_s"], strict=True)
    )


@pytest.fixture(scope="module")
def with_table() -> runtwitch.Analysis:
    return runtwitch.analyze([SAMPLE], diary=SAMPLE / "diary.csv", athlete=SAMPLE / "athlete.toml",
                             weather_table=SAMPLE / "weather.csv")


def test_weather_table_becomes_the_heat_source(with_table: runtwitch.Analysis) -> None:
    plain = runtwitch.analyze([SAMPLE], diary=SAMPLE / "diary.csv", athlete=SAMPLE / "athlete.toml")
    before, after = plain.runs, with_table.runs
    logged = before["heat_source"] == "diary"  # hot days logged in the diary keep it (precedence)
    assert logged.sum() >= 5 and (after.loc[logged, "heat_source"] == "diary").all()
    device = before["heat_source"].str.startswith("device")
    assert device.sum() >= 50
    assert (before.loc[~logged & ~device, "heat_source"] == "none").all()  # TCX files: no sensor
    assert (after.loc[~logged, "heat_source"] == "table").all()
    assert (after["humidity_source"].isin(["table", "diary"])).all()
    # Heat features follow: air from the table (the watch read about 6 °C warm, not the assumed 5),
    # humidity known, so the heat index exists and WBGT no longer assumes 50 %.
    moved = (after.loc[device, "air_temp_c"] - before.loc[device, "air_temp_c"]).abs()
    assert moved.median() > 0.3
    assert after.loc[~logged, "heat_index_c"].notna().all()
    assert before.loc[~logged, "heat_index_c"].isna().all()
    assert (after.loc[~logged, "heat_basis"] == "temperature and humidity").all()
    assert (after.loc[~logged, "weather_station"] == "Toronto sample station").all()
    assert after.loc[~logged, "weather_distance_km"].between(0.5, 3.0).all()
    cal = with_table.device_calibration
    assert cal is not None and cal.measured and 5.0 < cal.bias_c < 7.0 and cal.runs >= 60
    assert with_table.weather is not None and (with_table.weather["source"] == "table").sum() >= 70
    assert cal.describe() in with_table.warnings


def test_analyze_command_with_weather_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from runtwitch.cli import main

    out = tmp_path / "out.json"
    code = main(["analyze", str(SAMPLE), "--diary", str(SAMPLE / "diary.csv"), "--athlete",
                 str(SAMPLE / "athlete.toml"), "--weather-table", str(SAMPLE / "weather.csv"), "--quiet",
                 "--json", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    assert any("warmer than the air" in w for w in doc["warnings"])
    evidence = [e for ep in doc["episodes"] for c in ep["causes"] for e in c["evidence"]]
    assert any("% humidity at Toronto sample station, 1 km away" in e for e in evidence), evidence
    assert "Traceback" not in capsys.readouterr().err
    bad = tmp_path / "weather.csv"
    bad.write_text("when,humidity\n")
    assert main(["analyze", str(SAMPLE / "2026-07-05-0900-running.fit"), "--weather-table", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "weather.csv" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
