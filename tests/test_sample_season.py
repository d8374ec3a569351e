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
