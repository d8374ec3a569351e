"""Write small real activity histories (FIT files) for tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import runtwitch
from runtwitch.io.fitwrite import write_activity


def write_run(
    folder: Path,
    name: str,
    start_utc: datetime,
    minutes: float,
    *,
    utc_offset_s: int | None = 0,
    speed_mps: float = 3.0,
    heart_rate: float = 150.0,
    sport: str = "running",
    step_s: int = 5,
    temperature_c: float | None = None,
) -> Path:
    """Write a steady run as a FIT file and return its path."""
    n = int(minutes * 60 / step_s) + 1
    times = [start_utc + timedelta(seconds=i * step_s) for i in range(n)]
    cols: dict[str, list[float | None]] = {
        "speed": [speed_mps] * n,
        "distance": [speed_mps * i * step_s for i in range(n)],
        "heart_rate": [heart_rate] * n,
        "cadence": [85.0] * n,
    }
    if temperature_c is not None:
        cols["temperature"] = [temperature_c] * n
    path = folder / name
    path.write_bytes(write_activity(times, sport=sport, utc_offset_s=utc_offset_s, **cols))
    return path


def read_all(paths: list[Path]) -> list[runtwitch.Activity]:
    return [runtwitch.read_activity(p, errors="raise") for p in paths]
