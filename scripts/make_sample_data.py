"""Write the sample activity files in sample_data/ (deterministic).

Run from the repository root:  python scripts/make_sample_data.py
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from runtwitch.io.fitwrite import write_activity

OUT = Path(__file__).resolve().parents[1] / "sample_data"
HOME = (45.5017, -73.5673)  # a park loop; the runner lives at UTC-4 in summer


def run(
    start: datetime, minutes: int, pace_mps: float, *, seed: int, air_c: float,
    pause: tuple[int, int] | None = None, sprint_finish: bool = False,
) -> tuple[list[datetime], dict[str, list[float | None]], list[tuple[datetime, datetime]]]:
    """Simulate a 1 Hz run: a loop course, HR drifting up, cadence ~170-180 spm."""
    rng = np.random.default_rng(seed)
    n = minutes * 60
    t = np.arange(n, dtype=float)
    speed = pace_mps + 0.15 * np.sin(t / 90.0) + rng.normal(0, 0.05, n)
    if sprint_finish:
        speed[-120:] = pace_mps * 1.45
    pauses = []
    if pause is not None:
        a, b = pause
        speed[a:b] = 0.0
    dist = np.cumsum(speed)
    angle = dist / 2500.0 * 2 * math.pi  # 2.5 km loop
    r_deg = 2500.0 / (2 * math.pi) / 111_320.0
    lat = HOME[0] + r_deg * np.sin(angle)
    lon = HOME[1] + r_deg * (1 - np.cos(angle)) / math.cos(math.radians(HOME[0]))
    hr = 125 + 30 * (1 - np.exp(-t / 400.0)) + t / n * 8 + (speed - pace_mps) * 25
    hr += rng.normal(0, 1.5, n)
    cadence = np.where(speed > 0.5, 86 + (speed - pace_mps) * 6 + rng.normal(0, 1, n), 0)
    times = [start + timedelta(seconds=float(s)) for s in t]
    if pause is not None:
        a, b = pause
        keep = np.r_[0:a, b:n]
        pauses.append((times[a], times[b]))
        times = [times[i] for i in keep]
        lat, lon, hr, cadence, dist, speed = (x[keep] for x in (lat, lon, hr, cadence, dist, speed))
        t = t[keep]
    cols: dict[str, list[float | None]] = {
        "position_lat": list(lat), "position_long": list(lon),
        "altitude": list(35 + 8 * np.sin(angle[: len(lat)] if pause is None else angle[keep])),
        "heart_rate": list(np.round(hr)), "cadence": list(np.round(cadence)),
        "distance": list(dist), "speed": list(np.clip(speed, 0, None)),
        "temperature": [round(air_c + 6 + 2 * (1 - math.exp(-s / 600))) for s in t],
    }
    return times, cols, pauses


def main() -> None:
    OUT.mkdir(exist_ok=True)
    edt = -4 * 3600
    runs = {
        "2026-06-02-easy-run.fit": dict(
            start=datetime(2026, 6, 2, 10, 30, tzinfo=UTC), minutes=40, pace_mps=2.9,
            seed=1, air_c=18.0),
        "2026-06-07-hot-long-run.fit": dict(
            start=datetime(2026, 6, 7, 15, 0, tzinfo=UTC), minutes=105, pace_mps=3.1,
            seed=2, air_c=29.0, pause=(3000, 3180), sprint_finish=True),
    }
    for name, spec in runs.items():
        times, cols, pauses = run(**spec)  # type: ignore[arg-type]
        data = write_activity(times, sport="running", utc_offset_s=edt, pauses=pauses, **cols)
        (OUT / name).write_bytes(data)
        print(f"wrote {OUT / name} ({len(data)} bytes, {len(times)} records)")


if __name__ == "__main__":
    main()
