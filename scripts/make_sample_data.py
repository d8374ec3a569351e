"""Write the sample season in sample_data/ (deterministic): 16 weeks of one runner.

    python scripts/make_sample_data.py

The runner (Toronto, UTC-4 in summer) runs four or five times a week and
cycles some Wednesdays. The diary logs context for most runs and 13 twitch
episodes whose causes are meant to be recoverable from the data; the intended
cause and red flags of each are written to sample_data/expected.json, which
the end-to-end test checks. sample_data/weather.csv is an hourly weather table
of the season at a station near home (for ``--weather-table``): its air
temperature passes through each session's air temperature at the start, which
is what the watch's sensor read, 6 °C warmer.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from runtwitch.io.diary import DIARY_COLUMNS
from runtwitch.testing import write_activity

OUT = Path(__file__).resolve().parents[1] / "sample_data"
SEED = 20260504
FIRST_MONDAY = date(2026, 5, 4)
WEEKS = 16
UTC_OFFSET_S = -4 * 3600
HOME = (43.6532, -79.3832)
STEP_S = 2  # smart recording
#: The weather table's station: about 1.5 km north-west of home.
STATION = ("Toronto sample station", 43.6629, -79.3957, 113.0)
WEATHER_SEED = SEED + 1  # its own generator: the activities' random stream stays as it was


@dataclass
class Session:
    day: date
    start_local: str
    minutes: float
    speed: float
    sport: str = "running"
    cooldown_min: float = 8.0
    sprint_min: float = 0.0
    pause_s: int = 0
    air_c: float = 18.0
    fmt: str = "fit"
    diary: dict[str, str] = field(default_factory=dict)
    episode: dict[str, str] | None = None
    intent: tuple[str, list[str]] | None = None  # (intended top cause, intended flags)
    wart: str = ""


NEUTRAL = {
    "fluid_before_l": "0.4",
    "fluid_during_l": "0.3",
    "electrolytes": "no",
    "carbs_before_g": "40",
    "meal_hours_before": "3",
    "spicy_meal": "no",
    "medications": "none",
    "stretched": "yes",
    "sleep_h": "7.5",
    "rpe": "4",
}


def plan(rng: np.random.Generator) -> list[Session]:
    """The season, week by week, with the stories placed in it."""
    sessions: list[Session] = []
    for w in range(WEEKS):
        mon = FIRST_MONDAY + timedelta(weeks=w)
        warm = warmth(w)
        base = 3.0 + 0.01 * w
        long_min = min(70 + 4 * w, 115)
        week = [
            Session(mon + timedelta(days=1), "07:00", 42, base, air_c=warm - 4),
            Session(mon + timedelta(days=3), "18:30", 45, base * 1.08, air_c=warm + 2, diary={"rpe": "6"}),
            Session(mon + timedelta(days=5), "08:00", long_min, base * 0.97, air_c=warm),
            Session(mon + timedelta(days=6), "09:00", 38, base * 0.95, air_c=warm),
        ]
        if w % 2 == 1:
            week.append(
                Session(
                    mon + timedelta(days=2), "17:30", 60, 7.0, sport="cycling", cooldown_min=0, air_c=warm + 1
                )
            )
        sessions += week
    by_day = {s.day: s for s in sessions if s.sport == "running"}

    def at(week: int, weekday: int) -> Session:
        return by_day[FIRST_MONDAY + timedelta(weeks=week, days=weekday)]

    # 1. week 3 Saturday: hot long run with little fluid -> dehydration
    s = at(2, 5)
    s.air_c = 31
    s.start_local = "12:30"
    s.diary = {
        "air_temp_c": "31",
        "humidity_pct": "65",
        "fluid_during_l": "0.2",
        "fluid_after_l": "0.3",
        "weight_before_kg": "60.0",
        "weight_after_kg": "58.1",
        "thirst": "yes",
        "urine_color": "7",
        "electrolytes": "yes",
        "sodium_mg": "1500",
        "rpe": "7",
    }
    s.episode = {"time": "19:00", "muscles": "left calf; right calf", "duration_min": "30", "severity": "5"}
    s.intent = ("dehydration", [])
    # 2. weeks 4-5: nine running days in a row, the last one faster -> fatigue/overuse
    mon = FIRST_MONDAY + timedelta(weeks=4)
    for k in range(0, 9):
        d = mon + timedelta(days=k - 1)
        if d not in by_day:
            extra = Session(d, "07:00", 40, 3.05, air_c=18)
            sessions.append(extra)
            by_day[d] = extra
    s = by_day[mon + timedelta(days=7)]
    s.speed = 3.5
    s.minutes = 50
    s.diary = {"rpe": "8"}
    s.episode = {"time": "21:00", "muscles": "right quadriceps", "duration_min": "20", "severity": "4"}
    s.intent = ("fatigue_overuse", [])
    # 3. week 7 Thursday: tempo that ends in a sprint to a stop -> no cool-down
    s = at(6, 3)
    s.sprint_min, s.cooldown_min = 2.0, 0.0
    s.diary = {"stretched": "no", "rpe": "7"}
    s.episode = {"time": "20:15", "muscles": "left hamstring", "duration_min": "15", "severity": "3"}
    s.intent = ("poor_circulation", [])
    # 4. week 8 Saturday: fasted early long run -> low blood sugar
    s = at(7, 5)
    s.start_local = "06:00"
    s.diary = {
        "carbs_before_g": "0",
        "carbs_during_g": "0",
        "meal_hours_before": "12",
        "fluid_during_l": "0.5",
    }
    s.episode = {"time": "11:00", "muscles": "left calf", "duration_min": "25", "severity": "4"}
    s.intent = ("low_blood_sugar", [])
    # 5. week 9 Tuesday: spicy lunch just before an afternoon run -> poor fueling
    s = at(8, 1)
    s.start_local = "14:00"
    s.diary = {"spicy_meal": "yes", "meal_hours_before": "1"}
    s.episode = {"time": "18:00", "muscles": "right calf", "duration_min": "10", "severity": "3"}
    s.intent = ("poor_fueling", [])
    # 6. week 10 Saturday: a long-run spike, much longer than anything that month
    s = at(9, 5)
    s.minutes = 150
    s.diary = {"carbs_during_g": "90", "fluid_during_l": "0.8", "rpe": "8"}
    s.episode = {
        "time": "17:00",
        "muscles": "left quadriceps; right quadriceps",
        "duration_min": "40",
        "severity": "5",
    }
    s.intent = ("fatigue_overuse", [])
    # 7. week 11 Thursday: another sprint finish with no cool-down
    s = at(10, 3)
    s.sprint_min, s.cooldown_min = 1.5, 0.0
    s.diary = {"stretched": "no", "rpe": "7"}
    s.episode = {"time": "21:30", "muscles": "right calf", "duration_min": "10", "severity": "2"}
    s.intent = ("poor_circulation", [])
    # 8. week 11 Saturday: big sweat, fluid kept up, no salt -> electrolytes
    s = at(10, 5)
    s.diary = {
        "air_temp_c": "24",
        "humidity_pct": "50",
        "weight_before_kg": "60.0",
        "weight_after_kg": "59.4",
        "fluid_during_l": "1.5",
        "electrolytes": "no",
        "sodium_mg": "0",
        "carbs_during_g": "60",
    }
    s.episode = {"time": "16:00", "muscles": "left calf; left foot", "duration_min": "20", "severity": "4"}
    s.intent = ("electrolyte_imbalance", [])
    # 9. week 12 Tuesday: a new medicine
    s = at(11, 1)
    s.diary = {"medications": "hydrochlorothiazide"}
    s.episode = {"time": "20:00", "muscles": "left calf", "duration_min": "15", "severity": "3"}
    s.intent = ("medication", [])
    # 10-12. weeks 13-15: twitching that keeps coming back despite recovery -> red flags
    for wk, wd, muscles, extra, flags in (
        (12, 6, "left calf", {}, []),
        (
            13,
            6,
            "left calf; right forearm; eyelid",
            {"sleep_disrupted": "yes"},
            ["widespread", "sleep_disruption"],
        ),
        (14, 6, "left calf; right calf", {"weakness": "yes"}, ["persistent", "weakness"]),
    ):
        s = at(wk, wd)
        s.diary = {"recovery": "foam rolling; massage", "electrolytes": "yes", "stretched": "yes"}
        s.episode = {"time": "20:00", "muscles": muscles, "duration_min": "60", "severity": "5", **extra}
        s.intent = ("", flags)
    # 13. week 15 Saturday: drank far more than sweated -> over-drinking flag
    s = at(14, 5)
    s.diary = {
        "weight_before_kg": "60.0",
        "weight_after_kg": "60.9",
        "fluid_during_l": "2.5",
        "air_temp_c": "20",
        "humidity_pct": "50",
    }
    s.episode = {"time": "17:00", "muscles": "right hamstring", "duration_min": "10", "severity": "3"}
    s.intent = ("", ["overdrinking"])
    # 14. week 16 Saturday: hot and dry-mouthed again -> dehydration
    s = at(15, 5)
    s.air_c = 30
    s.diary = {
        "air_temp_c": "30",
        "humidity_pct": "70",
        "fluid_during_l": "0.3",
        "weight_before_kg": "60.2",
        "weight_after_kg": "58.5",
        "thirst": "yes",
        "dizziness": "yes",
        "electrolytes": "yes",
        "sodium_mg": "1500",
    }
    s.episode = {"time": "18:30", "muscles": "right calf", "duration_min": "20", "severity": "4"}
    s.intent = ("dehydration", ["persistent"])
    # Formats and warts.
    runs = sorted((s for s in sessions if s.sport == "running"), key=lambda s: s.day)
    for k, s in enumerate(runs):
        if s.episode is None and k % 7 == 3:
            s.fmt = "gpx"
        elif s.episode is None and k % 9 == 5:
            s.fmt = "tcx"
    runs[4].wart = "hr_dropout"  # a chest strap that lost contact for a minute (HR 0)
    runs[10].wart = "duplicate_seconds"  # a firmware that writes some seconds twice
    runs[20].pause_s = 90  # waiting at a traffic light
    runs[33].pause_s = 240
    return sorted(sessions, key=lambda s: (s.day, s.start_local))


def simulate(s: Session, rng: np.random.Generator) -> dict[str, np.ndarray]:
    steady = int(s.minutes * 60 / STEP_S)
    sprint = int(s.sprint_min * 60 / STEP_S)
    cool = int(s.cooldown_min * 60 / STEP_S)
    n = steady + sprint + cool
    t = np.arange(n) * STEP_S
    v = np.r_[
        s.speed + 0.12 * np.sin(t[:steady] / 97.0) + rng.normal(0, 0.05, steady),
        np.full(sprint, s.speed * 1.45),
        np.full(cool, 1.4 if s.sport == "running" else 4.0),
    ]
    heat = max(0.0, s.air_c - 15) * 0.8
    drift = 6 * t / max(t[-1], 1)
    effort = (s.speed - 3.0) * 30 if s.sport == "running" else 0.0
    hr = np.r_[
        128 + 28 * (1 - np.exp(-t[:steady] / 300)) + effort + heat,
        np.linspace(160, 183, sprint),
        np.linspace(150, 108, cool),
    ]
    hr = np.clip(hr + drift + rng.normal(0, 1.5, n), 60, 195)
    if s.sport == "running":
        cad = np.where(v > 2.2, 84 + (v - 3.0) * 8, 55) + rng.normal(0, 0.8, n)
    else:
        cad = 85 + rng.normal(0, 3, n)
    dist = np.cumsum(v) * STEP_S
    angle = dist / 3000.0 * 2 * math.pi
    r = 3000.0 / (2 * math.pi) / 111_320.0
    lat = HOME[0] + r * np.sin(angle)
    lon = HOME[1] + r * (1 - np.cos(angle)) / math.cos(math.radians(HOME[0]))
    alt = 90 + 12 * np.sin(angle * 2)
    temp = np.full(n, s.air_c + 6) + rng.normal(0, 0.3, n)
    return {
        "t": t.astype(float),
        "speed": v,
        "hr": np.round(hr),
        "cad": np.round(cad),
        "dist": dist,
        "lat": lat,
        "lon": lon,
        "alt": alt,
        "temp": np.round(temp),
    }


def start_utc(s: Session) -> datetime:
    h, m = map(int, s.start_local.split(":"))
    local = datetime(s.day.year, s.day.month, s.day.day, h, m, tzinfo=UTC)
    return local - timedelta(seconds=UTC_OFFSET_S)


def write_fit(path: Path, s: Session, d: dict[str, np.ndarray]) -> None:
    t0 = start_utc(s)
    times = [t0 + timedelta(seconds=float(x)) for x in d["t"]]
    hr = list(d["hr"])
    pauses = []
    if s.pause_s:
        k = len(times) // 2
        pauses.append((times[k], times[k] + timedelta(seconds=s.pause_s)))
        times = times[:k] + [x + timedelta(seconds=s.pause_s) for x in times[k:]]
    if s.wart == "hr_dropout":
        hr[300:330] = [0] * 30
    cols = {
        "position_lat": list(d["lat"]),
        "position_long": list(d["lon"]),
        "altitude": list(d["alt"]),
        "heart_rate": hr,
        "cadence": list(d["cad"]),
        "distance": list(d["dist"]),
        "speed": list(d["speed"]),
        "temperature": list(d["temp"]),
    }
    if s.wart == "duplicate_seconds":
        for k in range(200, len(times), 400):
            times.insert(k, times[k])
            for c in cols.values():
                c.insert(k, c[k])
    data = write_activity(times, sport=s.sport, utc_offset_s=UTC_OFFSET_S, pauses=pauses, **cols)
    path.write_bytes(data)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_gpx(path: Path, s: Session, d: dict[str, np.ndarray]) -> None:
    t0 = start_utc(s)
    pts = []
    for k in range(0, len(d["t"]), 2):
        pts.append(
            f'<trkpt lat="{d["lat"][k]:.7f}" lon="{d["lon"][k]:.7f}"><ele>{d["alt"][k]:.1f}</ele>'
            f"<time>{iso(t0 + timedelta(seconds=float(d['t'][k])))}</time>"
            "<extensions><gpxtpx:TrackPointExtension>"
            f"<gpxtpx:atemp>{d['temp'][k]:.0f}</gpxtpx:atemp><gpxtpx:hr>{d['hr'][k]:.0f}</gpxtpx:hr>"
            f"<gpxtpx:cad>{d['cad'][k]:.0f}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="runtwitch sample generator" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<trk><name>{escape(s.day.isoformat())} run</name><type>running</type><trkseg>\n"
        + "\n".join(pts)
        + "\n</trkseg></trk></gpx>\n",
        encoding="utf-8",
    )


def write_tcx(path: Path, s: Session, d: dict[str, np.ndarray]) -> None:
    t0 = start_utc(s)
    pts = []
    for k in range(0, len(d["t"]), 2):
        pts.append(
            f"<Trackpoint><Time>{iso(t0 + timedelta(seconds=float(d['t'][k])))}</Time><Position>"
            f"<LatitudeDegrees>{d['lat'][k]:.7f}</LatitudeDegrees><LongitudeDegrees>{d['lon'][k]:.7f}"
            f"</LongitudeDegrees></Position><AltitudeMeters>{d['alt'][k]:.1f}</AltitudeMeters>"
            f"<DistanceMeters>{d['dist'][k]:.1f}</DistanceMeters><HeartRateBpm><Value>{d['hr'][k]:.0f}</Value>"
            f"</HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>{d['speed'][k]:.3f}</ns3:Speed>"
            f"<ns3:RunCadence>{d['cad'][k]:.0f}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>"
        )
    total = float(d["t"][-1])
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n<Activities>'
        f'<Activity Sport="Running"><Id>{iso(t0)}</Id><Lap StartTime="{iso(t0)}">'
        f"<TotalTimeSeconds>{total:.0f}</TotalTimeSeconds><DistanceMeters>{d['dist'][-1]:.1f}</DistanceMeters>"
        "<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n"
        + "\n".join(pts)
        + "\n</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n",
        encoding="utf-8",
    )


def warmth(week: int) -> float:
    """The season's typical air temperature in a week [°C]: summer peaks mid-season."""
    return 16 + 10 * math.sin(math.pi * (week + 1) / (WEEKS + 2))


def diurnal(hour: float) -> float:
    """Shape of the day's temperature, -1 at 03:00 and +1 at 15:00 local time."""
    return math.sin(2 * math.pi * (hour - 9) / 24)


def write_weather(path: Path, sessions: list[Session]) -> None:
    """Hourly air temperature, humidity and wind of the season at STATION (local times, UTC offset given)."""
    rng = np.random.default_rng(WEATHER_SEED)
    first_session: dict[date, Session] = {}
    for s in sorted(sessions, key=lambda s: (s.sport != "running", s.start_local)):
        first_session.setdefault(s.day, s)
    name, lat, lon, elev = STATION
    offset = f"{'-' if UTC_OFFSET_S < 0 else '+'}{abs(UTC_OFFSET_S) // 3600:02d}:00"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["time", "air_temp_c", "humidity_pct", "wind_mps", "station", "lat_deg", "lon_deg",
                    "elevation_m"])
        for k in range(WEEKS * 7):
            day = FIRST_MONDAY + timedelta(days=k)
            level = warmth(k // 7)
            s = first_session.get(day)
            if s is not None:  # the day's curve passes through the session's air at its start
                h, m = map(int, s.start_local.split(":"))
                level = s.air_c - 5 * diurnal(h + m / 60)
            for hour in range(24):
                shape = diurnal(hour)
                temp = level + 5 * shape
                rh = min(max(68 - 18 * shape + rng.normal(0, 3), 20), 100)
                wind = max(1.5 + 1.2 * (shape + 1) + rng.normal(0, 0.4), 0)
                w.writerow([f"{day.isoformat()}T{hour:02d}:00{offset}", f"{temp:.1f}", f"{rh:.0f}",
                            f"{wind:.1f}", name, lat, lon, elev])


def main() -> None:
    rng = np.random.default_rng(SEED)
    OUT.mkdir(exist_ok=True)
    for old in list(OUT.glob("*.fit")) + list(OUT.glob("*.gpx")) + list(OUT.glob("*.tcx")):
        old.unlink()
    sessions = plan(rng)
    diary_rows: list[dict[str, str]] = []
    expected = []
    for s in sessions:
        d = simulate(s, rng)
        stem = f"{s.day.isoformat()}-{s.start_local.replace(':', '')}-{s.sport}"
        path = OUT / f"{stem}.{s.fmt}"
        {"fit": write_fit, "gpx": write_gpx, "tcx": write_tcx}[s.fmt](path, s, d)
        if s.sport != "running":
            continue
        row = {"date": s.day.isoformat(), "run": s.start_local, **NEUTRAL, **s.diary}
        if s.air_c >= 26 and "air_temp_c" not in row:
            row["air_temp_c"] = f"{s.air_c:.0f}"
        diary_rows.append(row)
        if s.episode is not None:
            ep = {"date": s.day.isoformat(), **s.episode}
            diary_rows.append(ep)
            cause, flags = s.intent or ("", [])
            expected.append(
                {
                    "date": s.day.isoformat(),
                    "time": s.episode["time"],
                    "run": path.name,
                    "cause": cause or None,
                    "flags": flags,
                }
            )
    names = [c.name for c in DIARY_COLUMNS]
    with open(OUT / "diary.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(names)
        for r in diary_rows:
            w.writerow([r.get(n, "") for n in names])
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    write_weather(OUT / "weather.csv", sessions)
    (OUT / "athlete.toml").write_text(
        "# The runner of the sample season. Only timezone is required; see docs/features.md.\n"
        'timezone = "America/Toronto"\nsex = "female"\nbirth_year = 1990\nbody_mass_kg = 60.0\n'
        "max_hr = 188\nresting_hr = 50\n",
        encoding="utf-8",
    )
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(sessions)} activities, {len(expected)} episodes, {total / 1e6:.1f} MB to {OUT}")


if __name__ == "__main__":
    main()
