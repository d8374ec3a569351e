"""Write the sample season in sample_data/ (deterministic): 16 weeks of one runner.

    python scripts/make_sample_data.py
    python scripts/make_sample_data.py --cohort 200 --weeks 4 --out /tmp/cohort

The second form writes a synthetic cohort instead: one folder per runner,
each a shorter season of its own (seed, home and time zone, pace, profile,
and which stories happen when); see :func:`write_cohort`.

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

import argparse
import csv
import json
import math
from collections.abc import Callable
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


@dataclass(frozen=True)
class Runner:
    """Who runs the season and where: the defaults are the runner of ``sample_data/``.

    ``stories`` places each story (see :data:`STORIES`) in a week (0-based);
    ``speed_scale`` and ``minutes_scale`` make a runner faster or run longer.
    """

    seed: int = SEED
    first_monday: date = FIRST_MONDAY
    weeks: int = WEEKS
    timezone: str = "America/Toronto"
    utc_offset_s: int = UTC_OFFSET_S
    home: tuple[float, float] = HOME
    step_s: int = STEP_S
    speed_scale: float = 1.0
    minutes_scale: float = 1.0
    sex: str = "female"
    birth_year: int = 1990
    body_mass_kg: float = 60.0
    max_hr: int = 188
    resting_hr: int = 50
    stories: tuple[tuple[str, int], ...] = (
        ("hot_dehydration", 2),
        ("streak", 4),
        ("sprint_finish", 6),
        ("fasted", 7),
        ("spicy", 8),
        ("spike", 9),
        ("sprint_finish_again", 10),
        ("salt", 10),
        ("medicine", 11),
        ("recurring", 12),
        ("overdrinking", 14),
        ("hot_again", 15),
    )


class Season:
    """The sessions of a season being planned, looked up by day."""

    def __init__(self, runner: Runner, sessions: list[Session]) -> None:
        self.runner = runner
        self.sessions = sessions
        self.by_day = {s.day: s for s in sessions if s.sport == "running"}

    def monday(self, week: int) -> date:
        return self.runner.first_monday + timedelta(weeks=week)

    def at(self, week: int, weekday: int) -> Session:
        return self.by_day[self.monday(week) + timedelta(days=weekday)]


def _hot_dehydration(season: Season, week: int) -> None:
    # week 3 Saturday: hot long run with little fluid -> dehydration
    s = season.at(week, 5)
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


def _streak(season: Season, week: int) -> None:
    # weeks 4-5: nine running days in a row, the last one faster -> fatigue/overuse
    mon = season.monday(week)
    for k in range(0, 9):
        d = mon + timedelta(days=k - 1)
        if d not in season.by_day:
            extra = Session(d, "07:00", 40 * season.runner.minutes_scale, 3.05 * season.runner.speed_scale,
                            air_c=18)
            season.sessions.append(extra)
            season.by_day[d] = extra
    s = season.by_day[mon + timedelta(days=7)]
    s.speed = 3.5 * season.runner.speed_scale
    s.minutes = 50 * season.runner.minutes_scale
    s.diary = {"rpe": "8"}
    s.episode = {"time": "21:00", "muscles": "right quadriceps", "duration_min": "20", "severity": "4"}
    s.intent = ("fatigue_overuse", [])


def _sprint_finish(season: Season, week: int) -> None:
    # week 7 Thursday: tempo that ends in a sprint to a stop -> no cool-down
    s = season.at(week, 3)
    s.sprint_min, s.cooldown_min = 2.0, 0.0
    s.diary = {"stretched": "no", "rpe": "7"}
    s.episode = {"time": "20:15", "muscles": "left hamstring", "duration_min": "15", "severity": "3"}
    s.intent = ("poor_circulation", [])


def _fasted(season: Season, week: int) -> None:
    # week 8 Saturday: fasted early long run -> low blood sugar
    s = season.at(week, 5)
    s.start_local = "06:00"
    s.diary = {
        "carbs_before_g": "0",
        "carbs_during_g": "0",
        "meal_hours_before": "12",
        "fluid_during_l": "0.5",
    }
    s.episode = {"time": "11:00", "muscles": "left calf", "duration_min": "25", "severity": "4"}
    s.intent = ("low_blood_sugar", [])


def _spicy(season: Season, week: int) -> None:
    # week 9 Tuesday: spicy lunch just before an afternoon run -> poor fueling
    s = season.at(week, 1)
    s.start_local = "14:00"
    s.diary = {"spicy_meal": "yes", "meal_hours_before": "1"}
    s.episode = {"time": "18:00", "muscles": "right calf", "duration_min": "10", "severity": "3"}
    s.intent = ("poor_fueling", [])


def _spike(season: Season, week: int) -> None:
    # week 10 Saturday: a long-run spike, much longer than anything that month
    s = season.at(week, 5)
    s.minutes = 150 * season.runner.minutes_scale
    s.diary = {"carbs_during_g": "90", "fluid_during_l": "0.8", "rpe": "8"}
    s.episode = {
        "time": "17:00",
        "muscles": "left quadriceps; right quadriceps",
        "duration_min": "40",
        "severity": "5",
    }
    s.intent = ("fatigue_overuse", [])


def _sprint_finish_again(season: Season, week: int) -> None:
    # week 11 Thursday: another sprint finish with no cool-down
    s = season.at(week, 3)
    s.sprint_min, s.cooldown_min = 1.5, 0.0
    s.diary = {"stretched": "no", "rpe": "7"}
    s.episode = {"time": "21:30", "muscles": "right calf", "duration_min": "10", "severity": "2"}
    s.intent = ("poor_circulation", [])


def _salt(season: Season, week: int) -> None:
    # week 11 Saturday: big sweat, fluid kept up, no salt -> electrolytes
    s = season.at(week, 5)
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


def _medicine(season: Season, week: int) -> None:
    # week 12 Tuesday: a new medicine
    s = season.at(week, 1)
    s.diary = {"medications": "hydrochlorothiazide"}
    s.episode = {"time": "20:00", "muscles": "left calf", "duration_min": "15", "severity": "3"}
    s.intent = ("medication", [])


def _recurring(season: Season, week: int) -> None:
    # weeks 13-15: weekly episodes despite recovery -> red flags for what they show (separate
    # post-run episodes a week apart are not persistent twitching)
    for wk, wd, muscles, extra, flags in (
        (week, 6, "left calf", {}, []),
        (
            week + 1,
            6,
            "left calf; right forearm; eyelid",
            {"sleep_disrupted": "yes"},
            ["widespread", "sleep_disruption"],
        ),
        (week + 2, 6, "left calf; right calf", {"weakness": "yes"}, ["weakness"]),
    ):
        s = season.at(wk, wd)
        s.diary = {"recovery": "foam rolling; massage", "electrolytes": "yes", "stretched": "yes"}
        s.episode = {"time": "20:00", "muscles": muscles, "duration_min": "60", "severity": "5", **extra}
        s.intent = ("", flags)


def _overdrinking(season: Season, week: int) -> None:
    # week 15 Saturday: drank far more than sweated -> over-drinking flag
    s = season.at(week, 5)
    s.diary = {
        "weight_before_kg": "60.0",
        "weight_after_kg": "60.9",
        "fluid_during_l": "2.5",
        "air_temp_c": "20",
        "humidity_pct": "50",
    }
    s.episode = {"time": "17:00", "muscles": "right hamstring", "duration_min": "10", "severity": "3"}
    s.intent = ("", ["overdrinking"])


def _hot_again(season: Season, week: int) -> None:
    # week 16 Saturday: hot and dry-mouthed again -> dehydration
    s = season.at(week, 5)
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
    s.intent = ("dehydration", [])


#: The stories a season can hold, with the weeks each one spans (from its start week).
STORIES: dict[str, tuple[Callable[[Season, int], None], int]] = {
    "hot_dehydration": (_hot_dehydration, 1),
    "streak": (_streak, 2),
    "sprint_finish": (_sprint_finish, 1),
    "fasted": (_fasted, 1),
    "spicy": (_spicy, 1),
    "spike": (_spike, 1),
    "sprint_finish_again": (_sprint_finish_again, 1),
    "salt": (_salt, 1),
    "medicine": (_medicine, 1),
    "recurring": (_recurring, 3),
    "overdrinking": (_overdrinking, 1),
    "hot_again": (_hot_again, 1),
}


def plan(runner: Runner = Runner()) -> list[Session]:
    """The season, week by week, with the stories placed in it."""
    sessions: list[Session] = []
    weeks = runner.weeks
    for w in range(weeks):
        mon = runner.first_monday + timedelta(weeks=w)
        warm = warmth(w, weeks)
        base = (3.0 + 0.01 * w) * runner.speed_scale
        long_min = min(70 + 4 * w, 115) * runner.minutes_scale
        m = runner.minutes_scale
        week = [
            Session(mon + timedelta(days=1), "07:00", 42 * m, base, air_c=warm - 4),
            Session(
                mon + timedelta(days=3), "18:30", 45 * m, base * 1.08, air_c=warm + 2, diary={"rpe": "6"}
            ),
            Session(mon + timedelta(days=5), "08:00", long_min, base * 0.97, air_c=warm),
            Session(mon + timedelta(days=6), "09:00", 38 * m, base * 0.95, air_c=warm),
        ]
        if w % 2 == 1:
            week.append(
                Session(
                    mon + timedelta(days=2), "17:30", 60 * m, 7.0, sport="cycling", cooldown_min=0,
                    air_c=warm + 1,
                )
            )
        sessions += week
    season = Season(runner, sessions)
    for name, week in runner.stories:
        story, span = STORIES[name]
        if week + span <= weeks:
            story(season, week)
    # Formats and warts.
    runs = sorted((s for s in season.sessions if s.sport == "running"), key=lambda s: s.day)
    for k, s in enumerate(runs):
        if s.episode is None and k % 7 == 3:
            s.fmt = "gpx"
        elif s.episode is None and k % 9 == 5:
            s.fmt = "tcx"
    warts: dict[int, Callable[[Session], None]] = {
        4: lambda s: setattr(s, "wart", "hr_dropout"),  # a chest strap that lost contact for a minute
        10: lambda s: setattr(s, "wart", "duplicate_seconds"),  # a firmware writing some seconds twice
        20: lambda s: setattr(s, "pause_s", 90),  # waiting at a traffic light
        33: lambda s: setattr(s, "pause_s", 240),
    }
    for k, wart in warts.items():
        if k < len(runs):
            wart(runs[k])
    return sorted(season.sessions, key=lambda s: (s.day, s.start_local))


def simulate(s: Session, rng: np.random.Generator, runner: Runner = Runner()) -> dict[str, np.ndarray]:
    step = runner.step_s
    steady = int(s.minutes * 60 / step)
    sprint = int(s.sprint_min * 60 / step)
    cool = int(s.cooldown_min * 60 / step)
    n = steady + sprint + cool
    t = np.arange(n) * step
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
    dist = np.cumsum(v) * step
    angle = dist / 3000.0 * 2 * math.pi
    r = 3000.0 / (2 * math.pi) / 111_320.0
    home = runner.home
    lat = home[0] + r * np.sin(angle)
    lon = home[1] + r * (1 - np.cos(angle)) / math.cos(math.radians(home[0]))
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


def start_utc(s: Session, runner: Runner) -> datetime:
    h, m = map(int, s.start_local.split(":"))
    local = datetime(s.day.year, s.day.month, s.day.day, h, m, tzinfo=UTC)
    return local - timedelta(seconds=runner.utc_offset_s)


def write_fit(path: Path, s: Session, d: dict[str, np.ndarray], runner: Runner) -> None:
    t0 = start_utc(s, runner)
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
    data = write_activity(times, sport=s.sport, utc_offset_s=runner.utc_offset_s, pauses=pauses, **cols)
    path.write_bytes(data)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_gpx(path: Path, s: Session, d: dict[str, np.ndarray], runner: Runner) -> None:
    t0 = start_utc(s, runner)
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


def write_tcx(path: Path, s: Session, d: dict[str, np.ndarray], runner: Runner) -> None:
    t0 = start_utc(s, runner)
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


def warmth(week: int, weeks: int = WEEKS) -> float:
    """The season's typical air temperature in a week [°C]: summer peaks mid-season."""
    return 16 + 10 * math.sin(math.pi * (week + 1) / (weeks + 2))


def diurnal(hour: float) -> float:
    """Shape of the day's temperature, -1 at 03:00 and +1 at 15:00 local time."""
    return math.sin(2 * math.pi * (hour - 9) / 24)


def write_weather(path: Path, sessions: list[Session], runner: Runner = Runner()) -> None:
    """Hourly air temperature, humidity and wind of the season at STATION (local times, UTC offset given)."""
    rng = np.random.default_rng(WEATHER_SEED)
    first_session: dict[date, Session] = {}
    for s in sorted(sessions, key=lambda s: (s.sport != "running", s.start_local)):
        first_session.setdefault(s.day, s)
    name, lat, lon, elev = STATION
    utc_offset_s = runner.utc_offset_s
    offset = f"{'-' if utc_offset_s < 0 else '+'}{abs(utc_offset_s) // 3600:02d}:00"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["time", "air_temp_c", "humidity_pct", "wind_mps", "station", "lat_deg", "lon_deg",
                    "elevation_m"])
        for k in range(runner.weeks * 7):
            day = runner.first_monday + timedelta(days=k)
            level = warmth(k // 7, runner.weeks)
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


def write_season(out: Path, runner: Runner = Runner(), *, expected: bool = True) -> tuple[int, int]:
    """Write a runner's season into ``out``: activity files, diary.csv, athlete.toml.

    ``expected.json`` (the intended cause and flags of each episode) and
    ``weather.csv`` (the hourly weather table near home) are written too
    unless ``expected`` is False. Returns (activities, episodes).
    """
    rng = np.random.default_rng(runner.seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("*.fit")) + list(out.glob("*.gpx")) + list(out.glob("*.tcx")):
        old.unlink()
    sessions = plan(runner)
    diary_rows: list[dict[str, str]] = []
    episodes = []
    writers = {"fit": write_fit, "gpx": write_gpx, "tcx": write_tcx}
    for s in sessions:
        d = simulate(s, rng, runner)
        stem = f"{s.day.isoformat()}-{s.start_local.replace(':', '')}-{s.sport}"
        path = out / f"{stem}.{s.fmt}"
        writers[s.fmt](path, s, d, runner)
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
            episodes.append(
                {
                    "date": s.day.isoformat(),
                    "time": s.episode["time"],
                    "run": path.name,
                    "cause": cause or None,
                    "flags": flags,
                }
            )
    names = [c.name for c in DIARY_COLUMNS]
    with open(out / "diary.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(names)
        for r in diary_rows:
            w.writerow([r.get(n, "") for n in names])
    if expected:
        (out / "expected.json").write_text(json.dumps(episodes, indent=1) + "\n", encoding="utf-8")
        write_weather(out / "weather.csv", sessions, runner)
    (out / "athlete.toml").write_text(
        "# The runner of the sample season. Only timezone is required; see docs/features.md.\n"
        f'timezone = "{runner.timezone}"\nsex = "{runner.sex}"\nbirth_year = {runner.birth_year}\n'
        f"body_mass_kg = {runner.body_mass_kg:.1f}\nmax_hr = {runner.max_hr}\n"
        f"resting_hr = {runner.resting_hr}\n",
        encoding="utf-8",
    )
    return len(sessions), len(episodes)


#: Homes of the synthetic cohort: time zone, UTC offset in May-September [s], position [deg].
HOMES = (
    ("America/Toronto", -4 * 3600, (43.6532, -79.3832)),
    ("Europe/Paris", 2 * 3600, (48.8566, 2.3522)),
    ("Asia/Tokyo", 9 * 3600, (35.6762, 139.6503)),
    ("America/Denver", -6 * 3600, (39.7392, -104.9903)),
    ("Australia/Brisbane", 10 * 3600, (-27.4698, 153.0251)),
)
FIRST_NAMES = ("ada", "ben", "chloe", "dev", "elena", "femi", "grace", "hugo", "ines", "jonas")
LAST_NAMES = ("martin", "okafor", "sato", "garcia", "novak", "larsen", "rossi", "khan", "dubois", "smith")


def cohort_runner(k: int, *, weeks: int = 4, seed: int = SEED, step_s: int = 5) -> Runner:
    """The k-th runner of a synthetic cohort: own seed, home, pace, profile and stories.

    Short single-week stories are placed in distinct random slots of the
    ``weeks``-week season (the multi-week ones only when the season is long
    enough), so that runners differ in what happened to them and when.
    """
    rng = np.random.default_rng([seed, k])
    tz, offset, home = HOMES[int(rng.integers(len(HOMES)))]
    jitter = rng.normal(0, 0.02, 2)
    stories: list[tuple[str, int]] = []
    used: set[int] = set()
    for name in rng.permutation(sorted(STORIES)):
        span = STORIES[str(name)][1]
        free = [w for w in range(1, weeks - span + 1) if not any(w + i in used for i in range(span))]
        if free and rng.random() < 0.7:
            week = int(rng.choice(free))
            used.update(range(week, week + span))
            stories.append((str(name), week))
    max_hr = int(rng.integers(172, 200))
    return Runner(
        seed=int(rng.integers(2**31)),
        first_monday=FIRST_MONDAY + timedelta(weeks=int(rng.integers(0, 9))),
        weeks=weeks,
        timezone=tz,
        utc_offset_s=offset,
        home=(home[0] + float(jitter[0]), home[1] + float(jitter[1])),
        step_s=step_s,
        speed_scale=float(rng.uniform(0.85, 1.2)),
        minutes_scale=float(rng.uniform(0.5, 0.8)),
        sex=str(rng.choice(["female", "male"])),
        birth_year=int(rng.integers(1960, 2005)),
        body_mass_kg=float(np.round(rng.uniform(50, 90), 1)),
        max_hr=max_hr,
        resting_hr=int(rng.integers(42, 65)),
        stories=tuple(sorted(stories, key=lambda s: s[1])),
    )


def write_cohort(
    root: Path, athletes: int, *, weeks: int = 4, seed: int = SEED, step_s: int = 5
) -> list[Path]:
    """Write a synthetic cohort: one folder per runner (named like a person) under ``root``.

    Each runner's season is :func:`write_season` with a :func:`cohort_runner`
    of their own. Returns the athlete folders.
    """
    folders = []
    for k in range(athletes):
        first = FIRST_NAMES[k % len(FIRST_NAMES)]
        last = LAST_NAMES[(k // len(FIRST_NAMES)) % len(LAST_NAMES)]
        folder = root / f"{first}-{last}-{k:04d}"
        write_season(folder, cohort_runner(k, weeks=weeks, seed=seed, step_s=step_s), expected=False)
        folders.append(folder)
    return folders


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cohort", type=int, metavar="N", help="write a synthetic cohort of N runners instead")
    ap.add_argument("--out", type=Path, help="where the cohort goes (one folder per runner)")
    ap.add_argument("--weeks", type=int, default=4, help="weeks per cohort runner (default 4)")
    ap.add_argument("--seed", type=int, default=SEED, help="seed of the cohort")
    args = ap.parse_args()
    if args.cohort is None:
        n, e = write_season(OUT)
        total = sum(p.stat().st_size for p in OUT.iterdir())
        print(f"wrote {n} activities, {e} episodes, {total / 1e6:.1f} MB to {OUT}")
        return
    if args.out is None:
        ap.error("--cohort needs --out DIR")
    folders = write_cohort(args.out, args.cohort, weeks=args.weeks, seed=args.seed)
    print(f"wrote {len(folders)} runners ({args.weeks} weeks each) to {args.out}")


if __name__ == "__main__":
    main()
