"""Simulated runners: weeks of training with their own habits, weather, diaries and episodes.

The generator is independent of the cause engine: it knows physiology, training
and diary habits, not the engine's rules. Each runner is an :class:`Archetype`
(habits that define the kind of runner) drawn with a seed (physiology, start
date, weather, day-to-day luck), so every seed gives another runner of the
same kind.

Three stages, each a pure function of its inputs and a seed:

1. **Planning** (:func:`simulate_runner`): a training history of
   :class:`PlannedRun` objects. A planned run holds the truth: its structure
   (warm-up, reps, cool-down), the weather, what the runner ate, drank, slept
   and took, the sweat and mass loss, and the diary cells the runner wrote
   (following their logging habits).
2. **Rendering** (:func:`render_activity`): the run's sample stream, 1 Hz or
   smart recording, with grade, pace noise, traffic stops, heart-rate kinetics
   (lag, cardiac drift with heat, duration and fluid loss, recovery in a
   cool-down) and sensor faults (optical cadence lock, drop-outs), turned into
   a canonical activity with :func:`runtwitch.activity_from_samples`.
3. **The diary** (:func:`diary_csv`, :func:`read_history_diary`): context rows
   and episode rows written as CSV text and read with
   :func:`runtwitch.read_diary`.

True episodes follow :data:`EPISODE_RISK`, a hazard model read from the cramp
and twitch literature (see the table's sources). The validation checks never
compare the engine with this truth directly; they check generic properties
(base rates, ablation, history, confounders).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

import runtwitch
from runtwitch.features.formulas import minetti_cost  # published physics, not a rule of the engine

#: Columns the diary format does not know yet; issue 14 proposes them. They are
#: written by runners who log them and read back as unknown (text) columns.
NEW_DIARY_COLUMNS = ("caffeine_mg", "alcohol_units", "stress")
#: The diary columns in the order they are written (the documented format first).
DIARY_ORDER = (
    "date", "time", "muscles", "kind", "duration_min", "severity", "run", "fluid_before_l",
    "fluid_during_l", "fluid_after_l", "electrolytes", "sodium_mg", "carbs_before_g", "carbs_during_g",
    "meal_hours_before", "spicy_meal", "cooldown_min", "stretched", "weight_before_kg", "weight_after_kg",
    "urine_color", "thirst", "dizziness", "fatigue", "air_temp_c", "humidity_pct", "rpe", "sleep_h",
    "medications", "recovery", "notes", *NEW_DIARY_COLUMNS,
)

#: Run kinds. "ride" is a cross-training bike ride.
RUN_KINDS = ("easy", "recovery", "runwalk", "long", "tempo", "intervals", "race", "ride")
HARD_KINDS = frozenset({"tempo", "intervals", "race"})
WALK_MPS = 1.45


# --- climate ------------------------------------------------------------------


@dataclass(frozen=True)
class Climate:
    """Where a runner lives: a seasonal temperature curve, a daily cycle and humidity.

    Attributes
    ----------
    timezone
        IANA zone of home.
    mean_c, amplitude_c
        Annual mean of the daily mean temperature and its seasonal half-range [°C].
    warmest_doy
        Day of year of the warmest days.
    diurnal_c
        Half-range of the daily cycle (coolest near 05:00, warmest near 15:00) [°C].
    humidity_pct
        Relative humidity at dawn; it falls by about a third by mid-afternoon [%].
    day_sd_c
        Day-to-day weather noise (AR(1), 3-day memory) [°C].
    away_zone
        Where this runner travels to on business trips.
    """

    timezone: str
    mean_c: float
    amplitude_c: float
    warmest_doy: int
    diurnal_c: float
    humidity_pct: float
    day_sd_c: float
    away_zone: str


CLIMATES: dict[str, Climate] = {
    "temperate": Climate("Europe/Berlin", 10.0, 9.5, 200, 5.0, 82, 3.0, "America/New_York"),
    "maritime": Climate("Europe/London", 11.0, 6.5, 205, 4.0, 85, 2.5, "America/New_York"),
    "continental": Climate("America/Chicago", 10.5, 14.0, 200, 6.0, 78, 4.0, "Europe/London"),
    "mediterranean": Climate("Europe/Madrid", 15.5, 9.0, 205, 7.0, 65, 2.5, "Europe/Berlin"),
    "hot_humid": Climate("Australia/Brisbane", 21.0, 5.0, 20, 4.5, 88, 2.0, "Asia/Singapore"),
}


def air_at(climate: Climate, day: date, hour: float, anomaly_c: float) -> tuple[float, float]:
    """Air temperature [°C] and relative humidity [%] at a local hour of a day."""
    doy = day.timetuple().tm_yday
    season = math.cos(2 * math.pi * (doy - climate.warmest_doy) / 365.25)
    daily = climate.mean_c + climate.amplitude_c * season
    cycle = -math.cos(2 * math.pi * (hour - 5.0) / 24.0)  # -1 at 05:00, +1 at 17:00
    cycle = (cycle + 0.25 * math.sin(2 * math.pi * (hour - 5.0) / 24.0))  # peak pulled to mid-afternoon
    temp = daily + anomaly_c + climate.diurnal_c * cycle
    rh = climate.humidity_pct * (1.0 - 0.18 * (cycle + 1.0))
    return round(temp, 1), float(np.clip(rh, 20.0, 100.0))


# --- habits -------------------------------------------------------------------

Cells = tuple[tuple[str, float], ...]

#: What diligent, moderate, sparse and non-loggers write for a run (probability
#: per column, given that the run gets a row at all). ``weights`` stands for the
#: pair weight_before_kg / weight_after_kg.
DILIGENT: Cells = (
    ("fluid_before_l", 0.7), ("fluid_during_l", 0.95), ("fluid_after_l", 0.6), ("electrolytes", 0.9),
    ("sodium_mg", 0.6), ("carbs_before_g", 0.9), ("carbs_during_g", 0.85), ("meal_hours_before", 0.9),
    ("spicy_meal", 0.6), ("cooldown_min", 0.7), ("stretched", 0.8), ("weights", 0.8), ("urine_color", 0.4),
    ("thirst", 0.5), ("dizziness", 0.3), ("fatigue", 0.5), ("air_temp_c", 0.5), ("humidity_pct", 0.4),
    ("rpe", 0.95), ("sleep_h", 0.9), ("medications", 0.9), ("recovery", 0.3), ("caffeine_mg", 0.8),
    ("alcohol_units", 0.7), ("stress", 0.7), ("run", 0.5),
)
MODERATE: Cells = (
    ("fluid_during_l", 0.5), ("electrolytes", 0.3), ("carbs_before_g", 0.4), ("meal_hours_before", 0.4),
    ("spicy_meal", 0.2), ("cooldown_min", 0.1), ("stretched", 0.3), ("weights", 0.1), ("thirst", 0.1),
    ("air_temp_c", 0.25), ("rpe", 0.8), ("sleep_h", 0.5), ("medications", 0.6), ("recovery", 0.1),
    ("caffeine_mg", 0.15),
)
SPARSE: Cells = (("rpe", 0.5), ("sleep_h", 0.2), ("medications", 0.3), ("fluid_during_l", 0.2))


@dataclass(frozen=True)
class Logging:
    """A diary habit: how often a run gets a row, and which cells are filled."""

    row: float
    cells: Cells
    extra: Cells = ()  # added or overriding probabilities for this runner

    def probability(self, column: str) -> float:
        table = dict(self.cells) | dict(self.extra)
        return table.get(column, 0.0)


@dataclass(frozen=True)
class Archetype:
    """A kind of runner: training week, physiology ranges, habits and devices.

    Ranges ``(low, high)`` are drawn uniformly per runner (seed); probabilities
    are per run.
    """

    name: str
    summary: str
    climate: str
    week: tuple[str, ...]  # Monday..Sunday: a run kind, "ride" or "" for rest
    sex: str
    age: tuple[int, int]
    mass_kg: tuple[float, float]
    lt_speed: tuple[float, float]  # speed at lactate threshold [m/s]
    easy_min: tuple[float, float]
    long_min: tuple[float, float]  # first and peak long run [min]
    hours: tuple[float, float]  # weekday local start hour range
    weekend_hours: tuple[float, float]
    logging: Logging
    skip: float = 0.08
    race_every: int = 0  # weeks between races, 0 = none
    double: float = 0.0  # probability of a second easy run on an easy day
    cooldown_easy: float = 0.3
    cooldown_hard: float = 0.7
    watch_off_before_cooldown: float = 0.2
    fasted_morning: float = 0.1  # probability that a run before 09:00 is fasted
    fasted_long: float = 0.1
    spicy: float = 0.03
    fluid_l_h: float = 0.4  # drinking rate on runs of 50 min or more
    electrolytes: float = 0.2  # probability on runs of 60 min or more
    fuel_g_h: float = 30.0  # carbohydrate per hour on long runs (0: never fuels)
    sweat_scale: tuple[float, float] = (0.8, 1.2)
    sweat_sodium_mmol: tuple[float, float] = (25.0, 50.0)
    stretch: float = 0.4
    sleep_h: tuple[float, float] = (7.3, 0.7)  # mean, sd
    caffeine_mg: tuple[float, float] = (150.0, 60.0)
    alcohol: float = 0.1
    stress: tuple[float, float] = (3.5, 1.5)
    medications: tuple[str, ...] = ()
    episode_rate: float = 0.03  # per-run probability of a benign episode before risk factors
    recording: str = "smart"  # or "1s"
    hr: str = "chest"  # chest, wrist or none
    temp_sensor: bool = True
    offset_in_file: bool = True
    profile: bool = True  # athlete.toml gives max/resting HR and body mass
    autopause: bool = False
    strides: float = 0.0
    travel_every: int = 0
    hills_m: tuple[float, float] = (3.0, 15.0)
    stops_per_run: float = 0.5
    season_start_doy: tuple[int, int] = (1, 365)


L = Logging
ARCHETYPES: dict[str, Archetype] = {
    a.name: a
    for a in (
        Archetype(
            "no_cooldown_stopper", "habitually stops dead at the door after every run; logs some context",
            "temperate", ("", "easy", "tempo", "", "easy", "", "long"), "male", (28, 45), (68, 82),
            (3.6, 4.3), (35, 50), (70, 100), (6.5, 7.5), (8.0, 10.0), L(0.75, MODERATE),
            cooldown_easy=0.02, cooldown_hard=0.05, stretch=0.1, episode_rate=0.04,
        ),
        Archetype(
            "fasted_long_runner", "runs long on an empty stomach every weekend; logs carbs and meals",
            "continental", ("", "easy", "intervals", "easy", "", "", "long"), "female", (25, 40), (55, 66),
            (3.4, 4.0), (35, 55), (80, 130), (6.0, 7.0), (6.5, 8.0),
            L(0.85, MODERATE, (("carbs_before_g", 0.95), ("meal_hours_before", 0.95),
                               ("carbs_during_g", 0.9))),
            fasted_morning=0.6, fasted_long=0.9, fuel_g_h=0.0, cooldown_hard=0.6, episode_rate=0.03,
        ),
        Archetype(
            "salty_sweater_hot", "heavy, salty sweater in a hot humid climate; weighs before and after",
            "hot_humid", ("easy", "", "tempo", "easy", "", "long", ""), "male", (30, 50), (78, 92),
            (3.3, 3.9), (40, 55), (75, 110), (5.3, 6.3), (5.0, 6.0),
            L(0.8, MODERATE, (("weights", 0.75), ("air_temp_c", 0.7), ("humidity_pct", 0.5),
                              ("electrolytes", 0.8), ("sodium_mg", 0.5), ("fluid_during_l", 0.9))),
            sweat_scale=(1.4, 1.8), sweat_sodium_mmol=(65.0, 90.0), fluid_l_h=0.6, electrolytes=0.35,
            episode_rate=0.05, season_start_doy=(300, 365),
        ),
        Archetype(
            "beginner_low_volume", "three short runs a week (some run/walk); wrist heart rate; logs little",
            "mediterranean", ("", "runwalk", "", "easy", "", "runwalk", "ride"), "female", (30, 55), (58, 80),
            (2.6, 3.1), (20, 35), (30, 45), (18.0, 20.0), (9.0, 11.0), L(0.3, SPARSE),
            skip=0.15, cooldown_easy=0.5, cooldown_hard=0.5, hr="wrist", profile=False, offset_in_file=False,
            autopause=True, fluid_l_h=0.0, electrolytes=0.0, fuel_g_h=0.0, episode_rate=0.03,
        ),
        Archetype(
            "marathoner_high_volume", "six days a week: intervals, tempo, long runs, races; logs everything",
            "maritime", ("", "intervals", "easy", "tempo", "recovery", "easy", "long"), "male", (26, 42),
            (62, 74), (4.3, 5.0), (45, 65), (100, 150), (6.0, 7.0), (7.5, 9.0), L(0.95, DILIGENT),
            skip=0.04, race_every=5, double=0.2, cooldown_easy=0.2, cooldown_hard=0.95,
            watch_off_before_cooldown=0.1, fluid_l_h=0.5, electrolytes=0.5, fuel_g_h=45.0, stretch=0.7,
            recording="1s", strides=0.4, episode_rate=0.02, caffeine_mg=(220.0, 80.0),
        ),
        Archetype(
            "minimal_logger", "runs five times a week and writes nothing but the episodes",
            "mediterranean", ("easy", "", "easy", "tempo", "", "long", "easy"), "male", (30, 50), (70, 85),
            (3.5, 4.2), (35, 55), (75, 100), (19.0, 21.0), (8.0, 10.0), L(0.03, SPARSE),
            hr="wrist", profile=False, cooldown_easy=0.3, episode_rate=0.03,
        ),
        Archetype(
            "medicated_veteran", "older runner on a statin and a thiazide for years; cycles once a week",
            "temperate", ("", "easy", "ride", "easy", "", "long", ""), "male", (56, 68), (72, 88),
            (3.0, 3.6), (35, 50), (60, 90), (9.0, 11.0), (8.5, 9.5),
            L(0.7, MODERATE, (("medications", 0.95),)),
            medications=("atorvastatin", "hydrochlorothiazide"), cooldown_easy=0.5, cooldown_hard=0.6,
            episode_rate=0.05, stretch=0.6,
        ),
        Archetype(
            "traveller", "flies to another time zone every few weeks and runs at dawn there",
            "maritime", ("", "easy", "easy", "", "tempo", "", "long"), "female", (30, 48), (56, 68),
            (3.5, 4.1), (35, 50), (70, 100), (6.0, 7.0), (8.0, 9.5), L(0.6, MODERATE),
            travel_every=3, cooldown_easy=0.3, episode_rate=0.03, sleep_h=(6.8, 1.0),
        ),
        Archetype(
            "stressed_shift_worker", "short and irregular sleep, much coffee and stress; logs those",
            "continental", ("easy", "", "tempo", "", "easy", "long", ""), "female", (25, 45), (55, 72),
            (3.2, 3.8), (30, 50), (60, 90), (14.0, 19.0), (10.0, 16.0),
            L(0.7, SPARSE, (("sleep_h", 0.9), ("caffeine_mg", 0.85), ("stress", 0.8),
                            ("alcohol_units", 0.6))),
            sleep_h=(5.9, 1.3), caffeine_mg=(380.0, 140.0), alcohol=0.2, stress=(6.0, 2.0),
            episode_rate=0.05, hr="wrist",
        ),
    )
}


# --- runners and runs -----------------------------------------------------------


@dataclass(frozen=True)
class Runner:
    """One simulated person: an archetype drawn with a seed."""

    name: str
    archetype: Archetype
    seed: int
    sex: str
    birth_year: int
    mass_kg: float
    max_hr: float
    resting_hr: float
    lt_speed: float  # [m/s]
    lt_hrr: float  # heart-rate reserve fraction at threshold
    sweat_scale: float
    sweat_sodium_mmol: float
    start: date  # a Monday

    @property
    def climate(self) -> Climate:
        return CLIMATES[self.archetype.climate]

    @property
    def timezone(self) -> str:
        return self.climate.timezone

    def athlete(self) -> runtwitch.Athlete:
        """The profile this runner gives runtwitch (only the time zone when they give nothing)."""
        if not self.archetype.profile:
            return runtwitch.Athlete(tz=self.timezone)
        return runtwitch.Athlete(
            tz=self.timezone, sex=self.sex, birth_year=self.birth_year,
            body_mass_kg=round(self.mass_kg), max_hr=round(self.max_hr), resting_hr=round(self.resting_hr),
        )


Segment = tuple[str, float, float]  # (what, seconds, speed m/s); what: run, work, jog, walk, stop, cool


@dataclass(frozen=True)
class PlannedRun:
    """The truth about one session, and what the runner wrote about it.

    ``log`` holds the diary cells exactly as typed; ``None`` means no diary row.
    """

    key: str
    day: date  # local date where it was run
    start_local: datetime  # naive local wall-clock start
    zone: str
    kind: str
    segments: tuple[Segment, ...]
    air_c: float
    humidity_pct: float
    cooldown_min: float  # easy jogging/walking at the end, done
    cooldown_recorded: bool  # ... and still on the watch
    sweat_l: float
    fluid_during_l: float
    mass_before_kg: float
    mass_after_kg: float
    sleep_h: float
    seed: int
    log: tuple[tuple[str, str], ...] | None = None
    facts: tuple[tuple[str, float], ...] = ()  # other truths (carbs, caffeine, sodium...) for the risk model

    @property
    def sport(self) -> str:
        return "cycling" if self.kind == "ride" else "running"

    @property
    def utc_offset_s(self) -> int:
        off = self.start_local.replace(tzinfo=ZoneInfo(self.zone)).utcoffset()
        return int(off.total_seconds()) if off is not None else 0

    @property
    def start_utc(self) -> datetime:
        return self.start_local - timedelta(seconds=self.utc_offset_s)

    @property
    def minutes(self) -> float:
        """Minutes of the session as recorded."""
        return self.recorded_seconds() / 60.0

    def recorded_seconds(self) -> float:
        segs = self.segments if self.cooldown_recorded else [s for s in self.segments if s[0] != "cool"]
        return float(sum(s[1] for s in segs))

    @property
    def end_local(self) -> datetime:
        return self.start_local + timedelta(seconds=float(sum(s[1] for s in self.segments)))

    def fact(self, name: str, default: float = 0.0) -> float:
        return dict(self.facts).get(name, default)

    def logged(self, **cells: object) -> PlannedRun:
        """A copy with these diary cells set (a value of None removes the cell)."""
        current = dict(self.log or ())
        for k, v in cells.items():
            if v is None:
                current.pop(k, None)
            else:
                current[k] = _fmt(v)
        return replace(self, log=tuple(current.items()))

    @property
    def mass_change_pct(self) -> float:
        return (self.mass_after_kg - self.mass_before_kg) / self.mass_before_kg * 100.0


@dataclass(frozen=True)
class Episode:
    """A twitch/cramp episode as the runner logs it (a diary row)."""

    date: date
    time: str | None
    muscles: str
    kind: str
    duration_min: float
    severity: float
    after: str  # key of the run it followed (the truth; not written to the diary)

    def row(self) -> dict[str, str]:
        row = {"date": self.date.isoformat(), "muscles": self.muscles, "kind": self.kind,
               "duration_min": _fmt(self.duration_min), "severity": _fmt(self.severity)}
        if self.time is not None:
            row["time"] = self.time
        return row


@dataclass(frozen=True)
class History:
    """A runner's simulated training history: runs (time order) and logged episodes."""

    runner: Runner
    runs: tuple[PlannedRun, ...]
    episodes: tuple[Episode, ...]

    @property
    def last_day(self) -> date:
        return max(r.day for r in self.runs)

    def first_weeks(self, weeks: int) -> History:
        """The first ``weeks`` weeks of this history (runs and episodes)."""
        end = self.runner.start + timedelta(weeks=weeks)
        runs = tuple(r for r in self.runs if r.day < end)
        keys = {r.key for r in runs}
        return replace(self, runs=runs, episodes=tuple(e for e in self.episodes if e.after in keys))

    def with_runs(self, runs: Sequence[PlannedRun], episodes: Sequence[Episode] | None = None) -> History:
        ordered = tuple(sorted(runs, key=lambda r: r.start_utc))
        return replace(self, runs=ordered, episodes=tuple(self.episodes if episodes is None else episodes))


def _fmt(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def _draw(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    return float(rng.uniform(lo_hi[0], lo_hi[1]))


def seed_of(*parts: object) -> int:
    """A stable integer seed from names and numbers (the same on every machine and Python)."""
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def make_runner(archetype: str | Archetype, seed: int) -> Runner:
    """Draw one runner of an archetype (physiology, start date) from a seed."""
    a = ARCHETYPES[archetype] if isinstance(archetype, str) else archetype
    rng = np.random.default_rng([seed_of(a.name), seed])
    age = int(rng.integers(a.age[0], a.age[1] + 1))
    max_hr = float(np.clip(208.0 - 0.7 * age + rng.normal(0, 7), 150, 205))  # Tanaka 2001, SD ~7 bpm
    doy = int(rng.integers(a.season_start_doy[0], a.season_start_doy[1] + 1))
    year = 2024 + int(rng.integers(0, 2))
    first = date(year, 1, 1) + timedelta(days=doy - 1)
    start = first - timedelta(days=first.weekday())
    return Runner(
        name=f"{a.name}#{seed}", archetype=a, seed=seed, sex=a.sex, birth_year=year - age,
        mass_kg=round(_draw(rng, a.mass_kg), 1), max_hr=round(max_hr),
        resting_hr=round(float(rng.uniform(44, 64))),
        lt_speed=_draw(rng, a.lt_speed), lt_hrr=float(rng.uniform(0.80, 0.90)),
        sweat_scale=_draw(rng, a.sweat_scale), sweat_sodium_mmol=_draw(rng, a.sweat_sodium_mmol), start=start,
    )


# --- planning -----------------------------------------------------------------------


def _round5(minutes: float) -> float:
    return max(5.0, round(minutes / 5.0) * 5.0)


def structure(kind: str, runner: Runner, minutes: float, rng: np.random.Generator) -> list[Segment]:
    """The segments of a session of this kind (without the cool-down)."""
    v = runner.lt_speed
    easy = v * float(rng.uniform(0.72, 0.80))
    if kind in ("easy", "recovery"):
        pace = easy if kind == "easy" else v * float(rng.uniform(0.66, 0.71))
        segs: list[Segment] = [("run", minutes * 60.0, pace)]
        if kind == "easy" and rng.random() < runner.archetype.strides:
            segs += [s for _ in range(4) for s in (("work", 20.0, v * 1.25), ("jog", 60.0, v * 0.5))]
        return segs
    if kind == "runwalk":
        segs = []
        left = minutes * 60.0
        while left > 0:
            segs += [("run", min(left, 240.0), easy), ("walk", min(max(left - 240.0, 0.0), 60.0), WALK_MPS)]
            left -= 300.0
        return [s for s in segs if s[1] > 0]
    if kind == "long":
        segs = [("run", minutes * 60.0 * 0.85, easy * 0.98)]
        finish = v * 0.86 if rng.random() < 0.3 else easy * 0.98  # sometimes a progressive finish
        return [*segs, ("run", minutes * 60.0 * 0.15, finish)]
    if kind == "tempo":
        warm = float(rng.uniform(10, 15)) * 60.0
        block = max(minutes * 60.0 - warm, 15 * 60.0)
        return [("run", warm, easy), ("work", block, v * float(rng.uniform(0.95, 1.01)))]
    if kind == "intervals":
        warm = float(rng.uniform(12, 16)) * 60.0
        reps, work, rest, factor = [(6, 180, 120, 1.10), (5, 300, 150, 1.05), (10, 60, 60, 1.18),
                                    (4, 600, 120, 1.00), (8, 120, 90, 1.12)][int(rng.integers(0, 5))]
        segs = [("run", warm, easy)]
        for k in range(reps):
            segs.append(("work", float(work), v * factor))
            if k < reps - 1:
                segs.append(("jog", float(rest), v * 0.5))
        return segs
    if kind == "race":
        km = 10.0 if rng.random() < 0.6 else 21.1
        factor = 1.03 if km == 10.0 else 0.97
        race_s = km * 1000.0 / (v * factor)
        return [("work", race_s - 60.0, v * factor), ("work", 60.0, v * factor * 1.1)]
    if kind == "ride":
        return [("ride", minutes * 60.0, float(rng.uniform(6.5, 8.0)))]
    raise ValueError(f"unknown run kind {kind!r}")


def cooldown_segment(runner: Runner, minutes: float, rng: np.random.Generator) -> Segment:
    """A cool-down: an easy jog or a walk home."""
    if minutes <= 0:
        return ("cool", 0.0, 0.0)
    walk = minutes < 3.0 or rng.random() < 0.4
    speed = WALK_MPS if walk else runner.lt_speed * float(rng.uniform(0.5, 0.6))
    return ("cool", minutes * 60.0, speed)


def sweat_rate_l_h(runner: Runner, speed_frac: float, air_c: float, humidity_pct: float) -> float:
    """The runner's true sweat rate [L/h]: effort, heat and humidity, times their own scale.

    About 0.6 L/h on a cool easy run, 1.0 L/h at 20 °C and 1.5 L/h at 30 °C for an
    average sweater (Sawka et al. 2007 give 0.5-2 L/h for runners); heavy
    sweaters reach 2.5 L/h in humid heat.
    """
    heat = max(0.0, air_c - 12.0) * (1.0 + 0.01 * max(0.0, humidity_pct - 50.0))
    return runner.sweat_scale * (0.15 + 0.6 * speed_frac + 0.05 * heat)


def finish_run(runner: Runner, run: PlannedRun, rng: np.random.Generator, *,
               fluid_during_l: float | None = None, extra_loss_kg: float = 0.0) -> PlannedRun:
    """Recompute the sweat, fluid and body-mass truths of a run from its structure and weather."""
    secs = sum(s[1] for s in run.segments if s[0] != "stop")
    if secs <= 0:
        return run
    speed = sum(s[1] * s[2] for s in run.segments) / secs
    rate = sweat_rate_l_h(runner, speed / runner.lt_speed * (0.6 if run.kind == "ride" else 1.0),
                          run.air_c, run.humidity_pct)
    hours = secs / 3600.0
    sweat = rate * hours
    a = runner.archetype
    if fluid_during_l is None:
        fluid = 0.0
        if run.minutes >= 50 and a.fluid_l_h > 0:
            fluid = a.fluid_l_h * hours * float(rng.uniform(0.6, 1.3)) * (1.3 if run.air_c > 24 else 1.0)
        fluid_during_l = round(fluid, 1)
    before = run.mass_before_kg
    after = before - sweat + fluid_during_l - 0.05 * hours - extra_loss_kg  # respiratory water, substrate
    return replace(run, sweat_l=round(sweat, 2), fluid_during_l=fluid_during_l, mass_after_kg=after)


def _walk_to_the_door(rng: np.random.Generator) -> float:
    """Minutes walked after stopping the run without a cool-down (often none)."""
    return float(rng.uniform(0.5, 2.0)) if rng.random() < 0.3 else 0.0


def _rpe(kind: str, air_c: float, rng: np.random.Generator) -> float:
    lo, hi = {"easy": (2, 4), "recovery": (2, 3), "runwalk": (3, 5), "long": (4, 6), "tempo": (6, 7),
              "intervals": (7, 9), "race": (8, 10), "ride": (3, 5)}[kind]
    return float(min(10, int(rng.integers(lo, hi + 1)) + (1 if air_c > 27 else 0)))


def _cells(runner: Runner, run: PlannedRun, facts: dict[str, float], rng: np.random.Generator,
           multi: bool) -> tuple[tuple[str, str], ...] | None:
    """The diary cells the runner writes for this run, following their habits."""
    a = runner.archetype
    if rng.random() >= a.logging.row:
        return None
    truth: dict[str, object] = {
        "fluid_before_l": round(float(rng.uniform(0.2, 0.6)), 1),
        "fluid_during_l": run.fluid_during_l,
        "fluid_after_l": round(float(rng.uniform(0.3, 0.9)), 1),
        "electrolytes": bool(facts["electrolytes"]),
        "sodium_mg": round(facts["sodium_taken_mg"] / 50.0) * 50.0,
        "carbs_before_g": round(facts["carbs_before_g"] / 5.0) * 5.0,
        "carbs_during_g": round(facts["carbs_during_g"] / 5.0) * 5.0,
        "meal_hours_before": round(facts["meal_hours_before"] * 2.0) / 2.0,
        "spicy_meal": bool(facts["spicy"]),
        "cooldown_min": round(run.cooldown_min),
        "stretched": bool(facts["stretched"]),
        "urine_color": int(np.clip(round(2.5 + max(0.0, -run.mass_change_pct - 1.0) * 1.5
                                         + rng.normal(0, 0.8)), 1, 8)),
        "thirst": bool((-run.mass_change_pct > 2.0 and rng.random() < 0.8) or rng.random() < 0.08),
        "dizziness": bool(rng.random() < 0.02),
        "fatigue": bool((run.sleep_h < 6.0 and rng.random() < 0.4) or rng.random() < 0.06),
        "air_temp_c": round(run.air_c),
        "humidity_pct": round(run.humidity_pct / 5.0) * 5.0,
        "rpe": facts["rpe"],
        "sleep_h": round(run.sleep_h * 2.0) / 2.0,
        "medications": "; ".join(a.medications) if a.medications else "none",
        "recovery": str(rng.choice(["foam rolling", "massage", "foam rolling; stretching"])),
        "caffeine_mg": round(facts["caffeine_mg"] / 10.0) * 10.0,
        "alcohol_units": round(facts["alcohol_units"]),
        "stress": round(facts["stress"]),
    }
    cells: dict[str, str] = {}
    for column in DIARY_ORDER:
        p = a.logging.probability("weights" if column.startswith("weight_") else column)
        if column in ("weight_before_kg", "weight_after_kg", "date", "time", "muscles", "kind"):
            continue
        if column == "run":
            if multi or rng.random() < p:
                cells["run"] = run.start_local.strftime("%H:%M")
            continue
        if column == "recovery" and rng.random() >= 0.3:
            continue
        if column in truth and rng.random() < p:
            cells[column] = _fmt(truth[column])
    weigh = a.logging.probability("weights") * (1.5 if run.minutes >= 70 or run.air_c > 25 else 0.6)
    if rng.random() < weigh:
        noise = rng.normal(0, 0.1, 2)  # bathroom scale: 0.1 kg resolution, ~0.1 kg repeatability
        cells["weight_before_kg"] = _fmt(round(run.mass_before_kg + noise[0], 1))
        cells["weight_after_kg"] = _fmt(round(run.mass_after_kg + noise[1], 1))
    if not cells:
        return None
    return tuple(cells.items())


def plan_history(runner: Runner, weeks: int) -> list[PlannedRun]:
    """The runner's sessions over ``weeks`` weeks, habits and weather included."""
    a = runner.archetype
    rng = np.random.default_rng([seed_of(runner.name, "plan"), weeks])
    climate = runner.climate
    anomaly = 0.0
    runs: list[PlannedRun] = []
    for w in range(weeks):
        cut = w % 4 == 3
        race_week = a.race_every > 0 and w > 1 and w % a.race_every == a.race_every - 1
        away = a.travel_every > 0 and w % a.travel_every == a.travel_every - 1
        long_min = a.long_min[0] + (a.long_min[1] - a.long_min[0]) * min(1.0, w / max(weeks - 2, 1))
        for d, planned in enumerate(a.week):
            day = runner.start + timedelta(weeks=w, days=d)
            anomaly = 0.7 * anomaly + float(rng.normal(0, climate.day_sd_c * 0.71))
            if not planned or rng.random() < (a.skip if planned != "ride" else 0.3):
                continue
            kind = planned
            if race_week and kind == "long":
                kind = "race"
            elif race_week and kind in ("intervals", "tempo"):
                kind = "easy"
            zone = climate.away_zone if away and 1 <= d <= 4 else climate.timezone
            sessions = [kind]
            if kind == "easy" and rng.random() < a.double:
                sessions.append("recovery")
            for s_no, k in enumerate(sessions):
                weekend = d >= 5
                lo, hi = a.weekend_hours if weekend and k in ("long", "race") else a.hours
                hour = float(rng.uniform(lo, hi)) if s_no == 0 else float(rng.uniform(17.5, 19.0))
                if zone != climate.timezone:
                    hour = float(rng.uniform(5.8, 6.8))
                if k == "race":
                    hour = float(rng.choice([8.0, 8.5, 9.0]))
                start = datetime(day.year, day.month, day.day) + timedelta(minutes=round(hour * 60 / 5) * 5)
                runs.append(plan_run(runner, k, day, start, zone, anomaly, long_min, cut,
                                      multi=len(sessions) > 1, rng=rng))
    return runs


def plan_run(runner: Runner, kind: str, day: date, start: datetime, zone: str, anomaly: float,
             long_min: float, cut: bool, *, multi: bool, rng: np.random.Generator,
             minutes: float | None = None) -> PlannedRun:
    """One session with the runner's habits: structure, cool-down, weather, food, fluid and diary cells.

    ``minutes`` fixes the planned duration (default: drawn from the runner's habits).
    """
    a = runner.archetype
    climate = runner.climate
    drawn = {
        "easy": _draw(rng, a.easy_min), "recovery": _draw(rng, (20, 35)), "runwalk": _draw(rng, a.easy_min),
        "long": long_min * float(rng.uniform(0.92, 1.05)), "tempo": _draw(rng, (40, 55)),
        "intervals": 0.0, "race": 0.0, "ride": _draw(rng, (45, 80)),
    }[kind] * (0.8 if cut else 1.0)
    minutes = drawn if minutes is None else minutes
    segments = structure(kind, runner, _round5(minutes) if minutes else 0.0, rng)
    hard = kind in HARD_KINDS
    cooled = rng.random() < (a.cooldown_hard if hard else a.cooldown_easy) and kind != "ride"
    cd_min = float(rng.uniform(5, 12)) if cooled else _walk_to_the_door(rng)
    cd = cooldown_segment(runner, cd_min, rng)
    recorded = cd_min > 0 and rng.random() >= a.watch_off_before_cooldown
    mid_hour = start.hour + start.minute / 60.0 + sum(s[1] for s in segments) / 7200.0
    air, rh = air_at(climate, day, mid_hour, anomaly)
    sleep = float(np.clip(rng.normal(*a.sleep_h), 3.0, 10.0))
    morning = start.hour < 9
    fasted = morning and kind != "ride" and (rng.random() < a.fasted_morning or
                                            (kind == "long" and rng.random() < a.fasted_long))
    dinner_gap = start.hour + start.minute / 60.0 + 24.0 - float(rng.uniform(18.5, 20.5))
    fed = float(rng.uniform(1.0, 2.5)) if morning else float(rng.uniform(1.5, 4.5))
    meal_h = dinner_gap if fasted else fed
    run = PlannedRun(
        key=f"{runner.name.replace('#', '-')}-{start:%Y%m%d-%H%M}", day=day, start_local=start, zone=zone,
        kind=kind, segments=(*segments, cd) if cd[1] > 0 else tuple(segments), air_c=air, humidity_pct=rh,
        cooldown_min=round(cd_min, 1), cooldown_recorded=recorded, sweat_l=0.0, fluid_during_l=0.0,
        mass_before_kg=runner.mass_kg + float(rng.normal(0, 0.4)), mass_after_kg=0.0, sleep_h=sleep,
        seed=seed_of(runner.name, start.isoformat()),
    )
    run = finish_run(runner, run, rng)
    long_enough = run.minutes >= 60
    electrolytes = long_enough and rng.random() < a.electrolytes
    facts = {
        "fasted": float(fasted),
        "carbs_before_g": 0.0 if fasted else float(rng.uniform(20, 70) if meal_h < 2.5
                                                   else rng.uniform(0, 30)),
        "carbs_during_g": a.fuel_g_h * run.minutes / 60.0 * float(rng.uniform(0.7, 1.2))
        if run.minutes >= 75 and not fasted else 0.0,
        "meal_hours_before": meal_h,
        "spicy": float(not morning and rng.random() < a.spicy),
        "electrolytes": float(electrolytes),
        "sodium_taken_mg": float(rng.uniform(300, 1000)) if electrolytes else 0.0,
        "sodium_lost_mg": run.sweat_l * runner.sweat_sodium_mmol * 23.0,
        "stretched": float(rng.random() < a.stretch),
        "rpe": _rpe(kind, air, rng),
        "caffeine_mg": float(max(0.0, rng.normal(*a.caffeine_mg))),
        "alcohol_units": float(rng.uniform(2, 6)) if rng.random() < a.alcohol else 0.0,
        "stress": float(np.clip(rng.normal(*a.stress), 0, 10)),
    }
    run = replace(run, facts=tuple(facts.items()))
    return replace(run, log=_cells(runner, run, facts, rng, multi))


# --- true episodes -------------------------------------------------------------------

#: The generator's hazard model: per-run probability of an episode = the runner's
#: base rate x the product of the multipliers that apply (capped at 0.6). Read
#: from the literature; effects without a study behind them are 1.0.
EPISODE_RISK: dict[str, tuple[float, str]] = {
    "race": (4.0, "cramps cluster in races and at the end of hard efforts: Schwellnus et al. 2011 "
                  "(faster than predicted race pace), Shang et al. 2011; 46 % vs 19 % racing vs training"),
    "duration_spike": (2.0, "a session longer than anything in the last 30 days (Miller et al. 2022: "
                            "novel or more strenuous sessions)"),
    "hot_and_dry": (1.5, "large body-mass loss in the heat; Ironman medical-tent data OR 1.6 (limited)"),
    "salty_sweater": (2.0, "heavy, salty sweaters losing much sodium unreplaced "
                           "(Stofan et al. 2005; limited)"),
    "new_medicine": (2.0, "medicine started within 30 days: Garrison et al. 2012 (LABA 2.4, K-sparing 2.1)"),
    "old_medicine": (1.15, "a medicine taken for months or years (small residual effect)"),
    "short_sleep": (1.4, "tiredness as a twitch trigger (NHS); no effect size published"),
    "caffeine": (1.3, "much caffeine as a twitch trigger (NHS); no effect size published"),
    "stress": (1.3, "stress and anxiety as twitch triggers (NHS); no effect size published"),
    "no_cooldown": (1.0, "no study links skipped cool-downs to cramps or twitches"),
    "fasted": (1.0, "no study links fasted running to cramps or twitches"),
    "spicy": (1.0, "no study links spicy meals to cramps or twitches"),
}
MUSCLES = ("left calf", "right calf", "left calf; right calf", "left quadriceps", "right hamstring",
           "left foot", "right calf; right foot", "left hamstring")
TWITCH_MUSCLES = ("left calf", "right calf", "left eyelid", "right quadriceps", "left thigh")


def risk_factors(runner: Runner, run: PlannedRun, longest_30d_min: float) -> list[str]:
    """The :data:`EPISODE_RISK` factors that apply to a run."""
    out = []
    if run.kind == "race":
        out.append("race")
    if longest_30d_min > 0 and run.minutes > 1.2 * longest_30d_min:
        out.append("duration_spike")
    if run.air_c >= 25 and run.mass_change_pct <= -3.0:
        out.append("hot_and_dry")
    lost, taken = run.fact("sodium_lost_mg"), run.fact("sodium_taken_mg")
    if runner.sweat_sodium_mmol >= 60 and lost >= 3000 and taken < 0.3 * lost:
        out.append("salty_sweater")
    if runner.archetype.medications:
        out.append("old_medicine")
    if run.sleep_h < 6.0:
        out.append("short_sleep")
    if run.fact("caffeine_mg") > 400:
        out.append("caffeine")
    if run.fact("stress") >= 7:
        out.append("stress")
    return out


def draw_episode(runner: Runner, run: PlannedRun, rng: np.random.Generator, *, nxt: PlannedRun | None = None,
                 kind: str | None = None, timed: bool | None = None) -> Episode | None:
    """An episode after ``run``, logged with a local onset time before the next run starts."""
    end = run.end_local
    latest = (nxt.start_local - timedelta(minutes=20)) if nxt is not None and nxt.zone == run.zone else None
    onset = end + timedelta(minutes=float(rng.uniform(30, 8 * 60)))
    if latest is not None and onset > latest:
        onset = end + (latest - end) / 2
        if onset <= end + timedelta(minutes=10):
            return None
    if kind is None:
        kind = str(rng.choice(["twitch", "cramp", "spasm"], p=[0.65, 0.3, 0.05]))
    muscles = str(rng.choice(TWITCH_MUSCLES if kind == "twitch" else MUSCLES))
    timed = bool(rng.random() < 0.9) if timed is None else timed
    return Episode(
        date=onset.date(), time=onset.strftime("%H:%M") if timed else None, muscles=muscles, kind=kind,
        duration_min=float(rng.choice([1, 2, 5, 10, 15, 30])), severity=float(rng.integers(2, 7)),
        after=run.key,
    )


def true_episodes(runner: Runner, runs: Sequence[PlannedRun]) -> list[Episode]:
    """Episodes drawn from :data:`EPISODE_RISK` after each run."""
    rng = np.random.default_rng([seed_of(runner.name, "episodes"), len(runs)])
    out: list[Episode] = []
    for k, run in enumerate(runs):
        if run.kind == "ride":
            continue
        window = [r.minutes for r in runs[:k] if r.kind != "ride" and (run.day - r.day).days <= 30]
        factors = risk_factors(runner, run, max(window, default=0.0))
        p = runner.archetype.episode_rate * math.prod(EPISODE_RISK[f][0] for f in factors)
        if rng.random() < min(p, 0.6):
            crampy = {"race", "duration_spike", "hot_and_dry", "salty_sweater"} & set(factors)
            kind = "cramp" if crampy else None
            ep = draw_episode(runner, run, rng, nxt=runs[k + 1] if k + 1 < len(runs) else None, kind=kind)
            if ep is not None:
                out.append(ep)
    return out


#: Weeks of training simulated by default.
WEEKS = 8


@functools.lru_cache(maxsize=64)
def simulate_runner(archetype: str, seed: int, weeks: int = WEEKS, *, episodes: bool = True) -> History:
    """A runner's whole simulated history (cached: histories are immutable)."""
    runner = make_runner(archetype, seed)
    runs = plan_history(runner, weeks)
    return History(runner, tuple(runs), tuple(true_episodes(runner, runs)) if episodes else ())


# --- rendering ------------------------------------------------------------------------


def _ar1(rng: np.random.Generator, n: int, sd: float, memory_s: float) -> np.ndarray:
    """Stationary AR(1)-like noise with standard deviation ``sd`` and memory ``memory_s`` [s]."""
    phi = math.exp(-1.0 / memory_s)
    kernel = phi ** np.arange(int(memory_s * 5))
    white = rng.normal(0, sd * math.sqrt(1 - phi * phi), n + len(kernel))
    return np.convolve(white, kernel, mode="valid")[:n]


def _lag(x: np.ndarray, start: float) -> np.ndarray:
    """Heart-rate kinetics: a fast (25 s) and a slow (150 s) first-order response to the target."""
    kernel = 0.75 * np.exp(-np.arange(600) / 25.0) / 25.0 + 0.25 * np.exp(-np.arange(600) / 150.0) / 150.0
    kernel /= kernel.sum()
    padded = np.r_[np.full(len(kernel), start), x]
    return np.convolve(padded, kernel, mode="full")[len(kernel): len(kernel) + len(x)]


def _cost(grade: np.ndarray) -> np.ndarray:
    """Energy cost of running on a slope relative to level (Minetti et al. 2002)."""
    return np.asarray(minetti_cost(grade) / minetti_cost(np.zeros(1))[0])


def samples(runner: Runner, run: PlannedRun) -> pd.DataFrame:
    """The sample stream a watch would record for this run (time-ordered, UTC)."""
    a = runner.archetype
    rng = np.random.default_rng(run.seed)
    segs = [s for s in run.segments if s[1] > 0 and (s[0] != "cool" or run.cooldown_recorded)]
    what = np.concatenate([np.full(int(s[1]), s[0]) for s in segs])
    target = np.concatenate([np.full(int(s[1]), s[2]) for s in segs])
    n = len(target)
    # traffic stops (speed 0 for 10-60 s; the runner walks into and out of them)
    for _ in range(int(rng.poisson(a.stops_per_run * n / 3000.0))):
        k, length = int(rng.integers(60, max(61, n - 120))), int(rng.integers(10, 60))
        target[k: k + length] = 0.0
        what[k: k + length] = "stop"
    # terrain: two waves along the route, a new route phase each run
    hills = _draw(rng, a.hills_m)
    d0 = np.cumsum(target)
    p1, p2 = rng.uniform(0, 2 * math.pi, 2)
    alt = 100 + hills * (np.sin(2 * math.pi * d0 / 2400.0 + p1) + 0.4 * np.sin(2 * math.pi * d0 / 700.0 + p2))
    grade = np.gradient(alt) / np.maximum(target, 0.5)
    if run.kind != "ride":
        factor = (1.0 / _cost(grade)) ** 0.7  # keeps the effort roughly even uphill and down
        speed = target * factor * (1.0 + _ar1(rng, n, 0.025, 30.0))
    else:
        speed = target * (1.0 - 2.5 * np.clip(grade, -0.05, 0.08)) * (1.0 + _ar1(rng, n, 0.05, 20.0))
    speed = np.where(target == 0.0, 0.0, np.maximum(speed, 0.3))
    speed = np.convolve(np.r_[np.full(3, speed[0]), speed], np.ones(4) / 4, mode="valid")  # accelerations
    dist = np.cumsum(speed)
    # heart rate: effort -> target heart rate, plus heat, drift and fluid loss, then the lag
    effort = speed * (_cost(grade) if run.kind != "ride" else 1.0) / runner.lt_speed
    if run.kind == "ride":
        effort = 0.55 * speed / 7.0 + 0.15
    hrr = np.clip(runner.lt_hrr + 0.95 * (effort - 1.0), 0.12, 1.0)
    hrr = np.where(speed < 0.5, 0.15, hrr)
    t = np.arange(n, dtype=float)
    rate = run.sweat_l / max(n / 3600.0, 1e-6)
    loss_pct = np.clip((rate - run.fluid_during_l / max(n / 3600.0, 1e-6)) * t / 3600.0, 0, None) \
        / runner.mass_kg * 100.0
    heat = 0.3 * max(0.0, run.air_c - 15.0) * (1.0 + 0.01 * max(0.0, run.humidity_pct - 50.0))
    drift_h = 2.0 + 0.3 * max(0.0, run.air_c - 10.0)  # cardiac drift [bpm/h] (Coyle & Gonzalez-Alonso 2001)
    form = float(rng.normal(0, 2.5)) + (3.0 if run.sleep_h < 6 else 0.0)
    hr_target = runner.resting_hr + hrr * (runner.max_hr - runner.resting_hr)
    strain = heat + drift_h * t / 3600.0 + 3.0 * loss_pct
    hr_target = hr_target + strain * np.clip(hrr / 0.6, 0.3, 1.2) + form
    hr = _lag(np.minimum(hr_target, runner.max_hr + 2), runner.resting_hr + 30.0)
    cols: dict[str, np.ndarray] = {"speed_mps": speed, "distance_m": dist, "altitude_m": alt}
    if a.hr != "none":
        if a.hr == "chest":
            hr = hr + _ar1(rng, n, 1.0, 5.0)
            if rng.random() < 0.15:  # a dry strap reads low for the first minutes
                k = int(rng.integers(60, 240))
                hr[:k] = hr[:k] * np.linspace(0.7, 1.0, k)
        else:
            shift = int(rng.integers(4, 10))  # optical sensors lag
            hr = np.r_[np.full(shift, hr[0]), hr[:-shift]] + _ar1(rng, n, 3.0, 8.0)
            if rng.random() < 0.15:  # cadence lock: the sensor follows the step rate
                k, length = int(rng.integers(0, max(1, n - 300))), int(rng.integers(60, 300))
                locked = 2 * (80 + 5 * (speed[k: k + length] - 2.5)) if run.kind != "ride" else 88.0
                hr[k: k + length] = locked
            if rng.random() < 0.1:
                k, length = int(rng.integers(0, max(1, n - 120))), int(rng.integers(10, 90))
                hr[k: k + length] = np.nan
        cols["heart_rate_bpm"] = np.round(np.clip(hr, 40, 225))
    if a.temp_sensor:
        skin = float(rng.uniform(3.0, 8.0))  # a wrist sensor reads the skin, not the air
        cols["temperature_c"] = np.round(run.air_c + skin + (22.0 - run.air_c - skin) * np.exp(-t / 480.0))
    keep = np.ones(n, dtype=bool)
    if a.autopause:
        keep &= speed >= 0.5
    if a.recording == "smart":
        gaps = rng.choice([1, 2, 3, 4, 5, 6, 7, 8], size=n, p=[0.1, 0.15, 0.2, 0.2, 0.15, 0.1, 0.05, 0.05])
        picked = np.zeros(n, dtype=bool)
        picked[np.cumsum(gaps)[np.cumsum(gaps) < n]] = True
        picked[[0, n - 1]] = True
        change = np.flatnonzero(what[1:] != what[:-1]) + 1  # a new segment is always recorded
        picked[change] = True
        keep &= picked
    start = pd.Timestamp(run.start_utc, tz="UTC")
    frame = pd.DataFrame({k: v[keep] for k, v in cols.items()})
    frame.insert(0, "time", start + pd.to_timedelta(t[keep], unit="s"))
    return frame


def render_activity(runner: Runner, run: PlannedRun) -> runtwitch.Activity:
    """The canonical activity of a planned run.

    Cached on what the recording depends on: two runs that differ only in the
    diary are rendered once.
    """
    return _render(runner, replace(run, log=None, facts=()))


@functools.lru_cache(maxsize=4096)
def _render(runner: Runner, run: PlannedRun) -> runtwitch.Activity:
    return runtwitch.activity_from_samples(
        samples(runner, run), source=f"{run.key}.sim", format="simulated", sport=run.sport,
        utc_offset_s=run.utc_offset_s if runner.archetype.offset_in_file else None,
        utc_offset_source="simulated device clock" if runner.archetype.offset_in_file else "unknown",
    )


def activities(history: History) -> list[runtwitch.Activity]:
    """Every activity of the history, in time order."""
    return [render_activity(history.runner, r) for r in history.runs]


# --- the diary -----------------------------------------------------------------------


def diary_rows(history: History, extra: Sequence[Episode] = ()) -> list[dict[str, str]]:
    """Context rows of the logged runs and the episode rows, in date order."""
    rows: list[tuple[datetime, dict[str, str]]] = []
    for run in history.runs:
        if run.log:
            rows.append((run.start_local, {"date": run.day.isoformat(), **dict(run.log)}))
    for ep in (*history.episodes, *extra):
        clock = datetime.combine(ep.date, datetime.min.time()) + (
            timedelta(hours=int(ep.time[:2]), minutes=int(ep.time[3:])) if ep.time else timedelta(hours=23))
        rows.append((clock, ep.row()))
    return [r for _, r in sorted(rows, key=lambda x: x[0])]


def diary_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """The diary as CSV text: the union of the columns used, in the documented order."""
    used = {"date"} | {c for r in rows for c in r}
    columns = [c for c in DIARY_ORDER if c in used] + sorted(used - set(DIARY_ORDER))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return out.getvalue()


def read_history_diary(history: History, extra: Sequence[Episode] = ()) -> runtwitch.Diary:
    """The runner's diary (plus extra episode rows) as runtwitch reads it from CSV."""
    text = diary_csv(diary_rows(history, extra))
    today = history.last_day + timedelta(days=30)
    return runtwitch.read_diary(io.BytesIO(text.encode("utf-8")), tz=history.runner.timezone, today=today)


@dataclass
class Inputs:
    """What runtwitch is given for one simulated runner: activities, diary and profile."""

    activities: list[runtwitch.Activity]
    diary: runtwitch.Diary
    athlete: runtwitch.Athlete


def inputs(history: History, extra: Sequence[Episode] = ()) -> Inputs:
    """Everything runtwitch needs for this history, extra (pretend) episodes included."""
    return Inputs(activities(history), read_history_diary(history, extra), history.runner.athlete())
