"""Write small real activity histories (FIT files) and diaries for tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

import runtwitch
from runtwitch.testing import write_activity


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
    cooldown_min: float = 0.0,
    sprint_min: float = 0.0,
) -> Path:
    """Write a run as a FIT file: steady effort, then an optional sprint and cool-down walk.

    ``minutes`` is the steady part; a sprint (1.45x speed, HR rising to 180)
    and a cool-down walk (1.4 m/s, HR falling by 45 bpm) are added after it.
    """
    steady = int(minutes * 60 / step_s) + 1
    sprint = int(sprint_min * 60 / step_s)
    cool = int(cooldown_min * 60 / step_s)
    speed = np.r_[np.full(steady, speed_mps), np.full(sprint, speed_mps * 1.45), np.full(cool, 1.4)]
    hr = np.r_[np.full(steady, heart_rate), np.linspace(heart_rate, 180, sprint),
               np.linspace(heart_rate, heart_rate - 45, cool)]
    n = len(speed)
    times = [start_utc + timedelta(seconds=i * step_s) for i in range(n)]
    cols: dict[str, list[float | None]] = {
        "speed": list(speed),
        "distance": list(np.cumsum(speed) * step_s),
        "heart_rate": list(np.round(hr)),
        "cadence": [85.0] * n,
    }
    if temperature_c is not None:
        cols["temperature"] = [temperature_c] * n
    path = folder / name
    path.write_bytes(write_activity(times, sport=sport, utc_offset_s=utc_offset_s, **cols))
    return path


def import_all(paths: list[Path], *, progress: bool | None = None) -> list[runtwitch.ImportResult]:
    """Import every file in this process, without the cache (see :func:`runtwitch.read_activities`)."""
    return runtwitch.read_activities(paths, n_jobs=1, cache=False, progress=progress)


def read_all(paths: list[Path]) -> list[runtwitch.Activity]:
    return [runtwitch.read_activity(p, errors="raise") for p in paths]


#: Diary context of an unremarkable run: nothing in it points to any cause.
NEUTRAL = {
    "fluid_before_l": "0.4", "fluid_during_l": "0.4", "weight_before_kg": "70.0", "weight_after_kg": "69.6",
    "electrolytes": "yes", "carbs_before_g": "40", "carbs_during_g": "0", "meal_hours_before": "3",
    "spicy_meal": "no", "medications": "none", "air_temp_c": "15", "humidity_pct": "50", "rpe": "4",
    "stretched": "yes",
}


def write_diary(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write diary rows (dicts of cells) as CSV with the union of their columns."""
    cols: list[str] = []
    for r in rows:
        cols += [c for c in r if c not in cols]
    lines = [",".join(cols)] + [",".join(r.get(c, "") for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
