"""The athlete profile: athlete.toml and the estimates of what it leaves out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import runtwitch
from tests.helpers.history import read_all, write_run


def test_athlete_toml_and_estimates(tmp_path: Path) -> None:
    (tmp_path / "athlete.toml").write_text('timezone = "Europe/Paris"\nsex = "female"\nbody_mass_kg = 58\n')
    ath = runtwitch.Athlete.from_toml(tmp_path / "athlete.toml")
    assert ath.sex == "female" and ath.provenance == {"sex": "given", "body_mass_kg": "given"}
    start = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    paths = [
        write_run(tmp_path, f"r{k}.fit", start + timedelta(days=k), 20, heart_rate=150 + k, step_s=1)
        for k in range(6)
    ]
    acts = read_all(paths)
    acts[0].records.iloc[100, acts[0].records.columns.get_loc("heart_rate_bpm")] = 240.0  # a one-sample spike
    res = ath.resolved(acts)
    assert res.max_hr == 155.0  # sustained peak, not the spike
    assert res.provenance["max_hr"].startswith("estimated")
    assert res.threshold_hr == pytest.approx(0.88 * 155, abs=0.1)
    assert res.provenance["resting_hr"].startswith("assumed")
    (tmp_path / "bad.toml").write_text('sex = "female"\n')
    with pytest.raises(runtwitch.FileError, match="timezone"):
        runtwitch.Athlete.from_toml(tmp_path / "bad.toml")
    (tmp_path / "bad2.toml").write_text('timezone = "Europe/Paris"\nweight = 3\n')
    with pytest.raises(runtwitch.FileError, match="unknown keys"):
        runtwitch.Athlete.from_toml(tmp_path / "bad2.toml")
