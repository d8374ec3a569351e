"""The run table (``features/runs.py``): values a physician would not believe are not given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

import runtwitch
from tests.helpers.history import write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)


def test_sweat_is_predicted_for_runs_only(tmp_path: Path) -> None:
    """The heat-balance prediction takes a runner's cost of running times speed as the heat made: a
    3.5-h ride at 30 km/h (a real Edge 500 file gave 10.2 L at 17 degC) would sweat three litres an
    hour. A ride gets no prediction and says why; the same hours run at 3 m/s keep theirs."""
    write_run(tmp_path, "ride.fit", START, 210, sport="cycling", speed_mps=8.3, temperature_c=17.0)
    write_run(tmp_path, "run.fit", START + timedelta(days=1), 60, speed_mps=3.0, temperature_c=17.0)
    acts = [runtwitch.read_activity(tmp_path / n) for n in ("ride.fit", "run.fit")]
    athlete = runtwitch.Athlete(tz="UTC", body_mass_kg=70)
    runs = runtwitch.run_features(runtwitch.Season.build(acts, athlete=athlete))
    ride, run = runs.loc["ride.fit"], runs.loc["run.fit"]
    assert np.isnan(ride["sweat_loss_l"]) and ride["sweat_source"] == "none: predicted for runs only"
    assert run["sweat_source"] == "predicted (heat balance)" and 0.3 < run["sweat_loss_l"] < 1.5
