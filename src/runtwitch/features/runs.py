"""The per-run feature table: ``run_features``."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from runtwitch.features import formulas as fm
from runtwitch.features.columns import RUN_COLUMNS
from runtwitch.features.cooldown import detect_cooldown
from runtwitch.features.profiles import speed_profile
from runtwitch.features.runtype import run_types
from runtwitch.features.window import Trailing, masked_medians
from runtwitch.io.diary import DIARY_COLUMNS
from runtwitch.model.activity import Activity, code_digest
from runtwitch.model.athlete import DEFAULT_RESTING_HR, Athlete
from runtwitch.model.frames import column_cells
from runtwitch.model.schema import MOVING_SPEED_MPS, PAUSE_GAP_S, is_run
from runtwitch.season import Season
from runtwitch.weather import DeviceCalibration, calibrate_from_weather, resolve_air

#: Runs of the previous N days used for the session spike (Frandsen et al. 2025).
SPIKE_WINDOW_DAYS = 30
#: Runs of the previous N days that form the runner's usual effort.
NORM_WINDOW_DAYS = 60
#: Comparable runs for the norm: timer time within this factor of the run's.
NORM_DURATION_FACTOR = 2.0
#: Comparable runs needed before a norm is computed.
NORM_MIN_RUNS = 3
#: Humidity assumed for the heat-risk category when humidity is unknown [%].
ASSUMED_HUMIDITY_PCT = 50.0
#: A body-mass gain during a run above this is over-drinking [kg]. Drinking more
#: than is sweated out is the main cause of exercise-associated hyponatraemia
#: (Hew-Butler et al. 2015, 3rd EAH consensus, Clin J Sport Med 25:303), but a
#: gain must stand clear of bathroom-scale noise: two readings of a home scale
#: shown in 0.1 kg steps differ by up to 0.2 kg without any change, dial scales
#: by more (Yorkin et al. 2013, BMC Public Health 13:1194), and sweat in clothes
#: and food or urine between the weighings add a few hundred grams more. Above
#: 0.5 kg the gain is half a litre more drunk than sweated.
OVERDRINKING_GAIN_KG = 0.5


_ARRAY_COLUMNS = {"speed": "speed_mps", "hr": "heart_rate_bpm", "alt": "altitude_m",
                  "dist": "distance_m", "temp": "temperature_c"}


def _arrays(act: Activity) -> dict[str, Any]:
    """The record columns the features need, as float arrays (NaN where absent)."""
    rec = act.records
    n = len(rec)
    index = cast(pd.DatetimeIndex, rec.index)  # records are always time-indexed (schema)
    out: dict[str, Any] = {"t": index.asi8 / 1e9 if n else np.zeros(0), "rec": rec}
    for key, col in _ARRAY_COLUMNS.items():
        # one column at a time: reading a list of columns would copy them all
        out[key] = rec[col].to_numpy(dtype=float) if col in rec.columns else np.full(n, np.nan)
    return out


def _fill_gaps(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaNs (edges held), by sample position."""
    ok = np.isfinite(x)
    if ok.all():
        return x
    pos = np.arange(len(x))
    filled: np.ndarray = np.interp(pos, pos[ok], x[ok])
    return filled


def grade_cost_factor(a: dict[str, Any]) -> np.ndarray | None:
    """Energy cost of each sample's grade relative to level running (Minetti et al. 2002); None
    without altitude and distance. Speed x this factor is the grade-adjusted speed."""
    alt, dist = a["alt"], a["dist"]
    if np.isfinite(alt).sum() <= 10 or np.isfinite(dist).sum() <= 10:
        return None
    # grade over ~50 m of distance, then Minetti cost relative to level
    along, elev = _fill_gaps(dist), _fill_gaps(alt)
    step = 50.0
    rise = np.interp(along + step, along, elev) - np.interp(along - step, along, elev)
    grade = np.clip(rise / (2 * step), -0.45, 0.45)
    factor: np.ndarray = fm.minetti_cost(grade) / fm.minetti_cost(np.zeros(1))[0]
    return factor


def _hrss_denominator(ath: Athlete) -> float:
    """TRIMP of one hour at threshold heart rate (NaN without the profile values)."""
    if not (ath.max_hr and ath.threshold_hr):
        return float("nan")
    return fm.trimp_one_hour_at(ath.threshold_hr, ath.resting_hr or DEFAULT_RESTING_HR, ath.max_hr, ath.sex)


def _intensity(a: dict[str, Any], ath: Athlete, hrss_den: float) -> dict[str, Any]:
    t, speed, hr = a["t"], a["speed"], a["hr"]
    out: dict[str, Any] = {}
    if len(t) < 2:
        return out
    dt = np.diff(t, prepend=t[0])
    dt = np.where(dt <= PAUSE_GAP_S, dt, 0.0)  # pauses count nowhere
    if not np.isfinite(speed).any() and np.isfinite(a["dist"]).sum() > 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = np.diff(a["dist"], prepend=np.nan) / np.where(dt > 0, dt, np.nan)
    moving = np.nan_to_num(speed, nan=0.0) >= MOVING_SPEED_MPS
    moving_s = float(dt[moving].sum())
    valid_hr = np.isfinite(hr)
    out["hr_coverage"] = (
        float(dt[moving & valid_hr].sum() / moving_s) if moving_s > 0 else (1.0 if valid_hr.any() else 0.0)
    )
    if valid_hr.any():
        out["mean_hr_bpm"] = float(np.average(hr[valid_hr], weights=np.maximum(dt[valid_hr], 1e-9)))
        out["max_hr_bpm"] = float(np.nanmax(hr))
        if ath.max_hr:
            frac = hr / ath.max_hr
            bounds = (-np.inf, *fm.HR_ZONE_BOUNDS, np.inf)
            for z in range(5):
                sel = valid_hr & (frac >= bounds[z]) & (frac < bounds[z + 1])
                out[f"hr_zone{z + 1}_s"] = float(dt[sel].sum())
            rest = ath.resting_hr or DEFAULT_RESTING_HR
            out["trimp"] = fm.trimp_banister(hr[valid_hr], dt[valid_hr], rest, ath.max_hr, ath.sex)
            out["hrss"] = out["trimp"] / hrss_den * 100.0
        out["decoupling_pct"] = fm.decoupling_pct(speed, hr, moving)
    if moving_s > 0 and np.isfinite(speed[moving]).any():
        v = float(np.average(np.nan_to_num(speed[moving]), weights=dt[moving] + 1e-9))
        out["mean_speed_mps"] = v
        out["pace_s_per_km"] = 1000.0 / v if v > 0 else np.nan
        factor = grade_cost_factor(a)
        if factor is not None:
            gap = float(np.average(np.nan_to_num(speed[moving] * factor[moving]), weights=dt[moving] + 1e-9))
            out["gap_speed_mps"] = gap
            out["gap_pace_s_per_km"] = 1000.0 / gap if gap > 0 else np.nan
        cd = detect_cooldown(t, speed, hr, ath.max_hr)
        out.update(
            cooldown_detected_min=cd.minutes,
            cooldown_hr_drop_bpm=cd.hr_drop_bpm,
            ended_hard=cd.ended_hard,
            final_hr_pct_max=cd.final_hr_pct_max,
        )
    if np.isfinite(a["temp"]).any():
        out["device_temp_c"] = float(np.nanmedian(a["temp"]))
    return out


_EXTRA_SESSION_COLUMNS = ["training_effect", "workout_rpe", "workout_feel"]


def _extras(act: Activity) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in _EXTRA_SESSION_COLUMNS:
        values = act.sessions[c].to_numpy(dtype=float)
        found = values[np.isfinite(values)]
        if len(found):
            out[f"fit_{c}"] = float(found[0])
    core = [c for c in act.records.columns if c.startswith("dev_") and "core" in c and "temp" in c]
    if core:
        out["core_temp_max_c"] = float(act.records[core[0]].max())
    return out


#: The activity table's columns that :func:`run_features` copies into each row.
_TABLE_COLUMNS = ("activity_id", "source", "sport", "sport_source", "start_utc", "start_local", "local_date",
                  "elapsed_s", "timer_s", "moving_s", "distance_m")


@dataclass(frozen=True)
class RecordFeatures:
    """What :func:`run_features` reads from one activity's records and sessions.

    Attributes
    ----------
    values
        The record-derived columns of the run table (intensity, heart rate,
        grade-adjusted speed, cool-down, device temperature and the file's
        own session values, names as in ``docs/features.md``); a column
        the data cannot give is absent.
    profiles
        The (raw, grade-adjusted) 30-s speed profiles
        (:func:`runtwitch.features.profiles.speed_profile`) of a run, which
        type it against the runner's other runs; None for other sports.
    """

    values: dict[str, Any]
    profiles: tuple[np.ndarray, np.ndarray] | None


def record_features(activity: Activity, athlete: Athlete, *, is_run: bool) -> RecordFeatures:
    """The features of one activity that need its records: a pure function of the activity and
    the athlete (maximum, resting and threshold heart rate, sex).

    :func:`run_features` calls it once per activity (through
    :func:`kept_record_features`, which keeps the result beside the import
    cache), so that no more than one activity's records are needed at a time,
    and a warm analysis of an unchanged history reads none. Everything that compares a run with the
    runner's other runs (spike, usual effort, run type) comes after, from
    these values.

    Parameters
    ----------
    activity
        One imported activity.
    athlete
        The resolved athlete (maximum, resting and threshold heart rate, sex).
    is_run
        Whether the activity counts as a run (its speed profiles are kept).
    """
    arrays = _arrays(activity)
    profiles = None
    if is_run:
        factor = grade_cost_factor(arrays)  # hills can look like intervals on raw speed
        level = arrays["speed"] * factor if factor is not None else arrays["speed"]
        raw = speed_profile(arrays["t"], arrays["speed"])
        adjusted = speed_profile(arrays["t"], level) if factor is not None else raw
        profiles = (raw, adjusted)
    values = _intensity(arrays, athlete, _hrss_denominator(athlete))
    values.update(_extras(activity))
    return RecordFeatures(values, profiles)


#: The modules whose code computes :func:`record_features`: a digest of their source is part of
#: the name under which the values are kept beside a cache entry (see :func:`kept_record_features`).
RECORD_FEATURE_CODE = ("runtwitch.features.runs", "runtwitch.features.formulas",
                       "runtwitch.features.cooldown", "runtwitch.features.profiles", "runtwitch.model.schema",
                       # DEFAULT_RESTING_HR, used when the profile has no resting heart rate
                       "runtwitch.model.athlete")


def _profile_digest(athlete: Athlete) -> str:
    """A short digest of the whole profile (any change computes the features again): of its
    ``repr``, which shows every field (a dataclass's; asked once per activity, so kept cheap)."""
    return hashlib.sha256(repr(athlete).encode()).hexdigest()[:12]


def kept_record_features(activity: Activity, athlete: Athlete, *, is_run: bool) -> RecordFeatures:
    """:func:`record_features`, kept beside the activity's import-cache entry.

    For an activity read from the import cache (and not changed since), the
    values are computed once and read back by later analyses, which then
    read no records (:meth:`runtwitch.Activity.derived`); the name they are
    kept under holds a digest of the code that computes them
    (:data:`RECORD_FEATURE_CODE`), of the athlete's profile and ``is_run``,
    so a change to any of these computes them again. Other activities are
    computed as :func:`record_features` does; the result is the same either
    way.
    """
    return _kept_record_features(activity, athlete, is_run, _kept_name(athlete, is_run))


def _kept_name(athlete: Athlete, is_run: bool) -> str:
    """The name :func:`kept_record_features` keeps its values under (see there)."""
    return (f"record-features-{code_digest(*RECORD_FEATURE_CODE)}-{_profile_digest(athlete)}-"
            f"{'run' if is_run else 'other'}")


def _kept_record_features(activity: Activity, athlete: Athlete, is_run: bool, name: str) -> RecordFeatures:
    """:func:`kept_record_features` under a name already made (once per analysis, not per activity)."""

    def compute(act: Activity) -> dict[str, Any]:
        found = record_features(act, athlete, is_run=is_run)
        profiles = None if found.profiles is None else [_packed(p) for p in found.profiles]
        return {"values": found.values, "profiles": profiles}

    kept = activity.derived(name, compute)
    packed = kept["profiles"]
    profiles = None if packed is None else (_unpacked(packed[0]), _unpacked(packed[1]))
    return RecordFeatures(dict(kept["values"]), profiles)


def _packed(values: np.ndarray) -> str:
    """A float array as base64 of its little-endian float64 bytes: kept exactly (NaN included), and
    read back several times faster than a JSON list of numbers."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def _unpacked(text: str) -> np.ndarray:
    """The array :func:`_packed` wrote (a writable float64 array)."""
    return np.frombuffer(base64.b64decode(text), dtype="<f8").astype(float)


def _context_by_activity(season: Season) -> pd.DataFrame:
    """Diary context per run: the first value logged of each column, and every item of list columns.

    Several rows can describe one run (a context row and the episode's own
    row); list cells (medicines, recovery, symptoms) are united so that
    nothing written on either row is lost. Indexed by ``activity_id``.
    """
    ctx = season.context
    if len(ctx) == 0:
        return pd.DataFrame()
    ctx = ctx[ctx["activity_id"].notna()]
    out = ctx.groupby("activity_id", sort=False).first()
    shared = ctx[ctx["activity_id"].duplicated(keep=False)]  # runs described by more than one row
    if len(shared):
        for name in [c.name for c in DIARY_COLUMNS if c.kind in ("list", "terms") and c.name in ctx]:
            out[name] = _per_run(out, shared, name, _union)
        if "notes" in ctx:
            out["notes"] = _per_run(out, shared, "notes", _joined)
    return out


def _per_run(
    out: pd.DataFrame, shared: pd.DataFrame, name: str, combine: Callable[[list[Any]], Any]
) -> list[Any]:
    """``out[name]``, with the cells of runs described by several rows combined."""
    cells: dict[Any, list[Any]] = {}
    for aid, cell in zip(shared["activity_id"], shared[name], strict=True):
        cells.setdefault(aid, []).append(cell)
    return [combine(cells[a]) if a in cells else v for a, v in zip(out.index, out[name], strict=True)]


def _union(cells: list[Any]) -> list[str]:
    return list(dict.fromkeys(x for c in cells if isinstance(c, list) for x in c))


def _joined(cells: list[Any]) -> str | None:
    return "; ".join(c for c in cells if isinstance(c, str)) or None


def _context_rows(ctx: pd.DataFrame) -> dict[Any, dict[str, Any]]:
    """Each run's diary context (:func:`_context_by_activity`) as a plain mapping, made once: looking
    a run's row up in it costs nothing, where a row of the frame costs a pandas selection."""
    names = list(ctx.columns)
    # each column iterated once: its scalars are those of col[k] (NA, Timestamp, numpy or Python);
    # a string column's in one call (column_cells: the same cells)
    columns = [column_cells(col) if isinstance(col.dtype, pd.StringDtype) else list(col.array)
               for col in (ctx[name] for name in names)]
    return {aid: dict(zip(names, values, strict=True))
            for aid, *values in zip(ctx.index, *columns, strict=True)}


def _ctx(row: Mapping[str, Any] | None, name: str) -> Any:
    if row is None or name not in row:
        return None
    v = row[name]
    # the most common cells first, answered as pd.isna answers them
    if v is None or v is pd.NA:
        return None
    if type(v) is float or type(v) is np.float64:
        return None if v != v else v
    return None if v is None or (not isinstance(v, list) and pd.isna(v)) else v


def run_features(season: Season, *, weather: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per activity: duration, intensity, heat, hydration, fueling, cool-down.

    Parameters
    ----------
    season
        The linked season (:meth:`runtwitch.Season.build`): its activities,
        the diary context linked to them and the resolved athlete.
    weather
        The weather of each activity, :func:`runtwitch.weather.for_runs` of
        the same season (indexed by ``activity_id``). Air temperature and
        humidity come from the diary, else this weather, else the device
        (corrected by the runner's measured gap, see
        :func:`runtwitch.weather.calibrate_from_weather`), else nothing;
        ``heat_source`` and ``humidity_source`` say which.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``activity_id``; every column, unit and source is listed in
        ``docs/features.md`` (``runtwitch.features.columns.RUN_COLUMNS``). A
        feature that needs missing data is NaN, and its ``*_source`` or
        ``*_coverage`` column says why.
    """
    _require_season(season, "run_features")
    ath = season.athlete
    ctx = _context_by_activity(season)
    ids = column_cells(season.table["activity_id"])
    if weather is not None and not set(ids) <= set(weather.index):
        raise ValueError("weather has no rows for some of the season's activities: pass "
                         "runtwitch.weather.for_runs(season) of the same season")
    wx_rows = [weather.loc[i] for i in ids] if weather is not None else [None] * len(ids)
    rows = []
    profiles: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    names = {kind: _kept_name(ath, kind) for kind in (True, False)}
    # one activity at a time: its records are read, reduced to a few numbers and let go
    table = season.table
    for values in zip(*(column_cells(table[name]) for name in _TABLE_COLUMNS), strict=True):
        row: dict[str, Any] = dict(zip(_TABLE_COLUMNS, values, strict=True))
        row["is_run"] = is_run(row["sport"])  # the file's sport, or the one its data shows
        # records read from the import cache for this step alone are let go (Activity.derived)
        found = _kept_record_features(season.activity(row["activity_id"]), ath, row["is_run"],
                                      names[row["is_run"]])
        if found.profiles is not None:
            profiles[row["activity_id"]] = found.profiles
        row.update(found.values)
        rows.append(row)
    device = pd.Series([r.get("device_temp_c", np.nan) for r in rows], index=ids, dtype="float64")
    calibration = calibrate_from_weather(device, weather)
    by_run = _context_rows(ctx)
    for row, wx in zip(rows, wx_rows, strict=True):
        row.update(_diary_features(by_run.get(row["activity_id"]), row, ath, wx, calibration))
    _heat_stress(rows)
    # the frame in the table's column order at once; a column no row has is NaN, of object dtype
    # where the table's is object, else float64 (what the rows give it where only some have it)
    df = pd.DataFrame(rows, columns=[c.name for c in RUN_COLUMNS])
    present = set().union(*rows)
    for col in RUN_COLUMNS:
        empty = object if col.dtype == "object" else np.dtype("float64")
        if col.name not in present and df[col.name].dtype != empty:
            df[col.name] = pd.Series([np.nan] * len(df), dtype=empty, index=df.index)
    for col in RUN_COLUMNS:
        # int64 columns come from _history_features; a column of its dtype already is left as it is
        if col.dtype not in ("object", "datetime", "int64") and str(df[col.name].dtype) != col.dtype:
            df[col.name] = df[col.name].astype(col.dtype)  # type: ignore[call-overload]  # names from RUN_COLUMNS
    df = _history_features(df)
    types = run_types(df, profiles)
    for name in types.columns:
        df[name] = types[name]
    return df.set_index("activity_id")


def _require_season(season: object, function: str) -> None:
    if not isinstance(season, Season):
        raise TypeError(
            f"{function} takes a Season, not {type(season).__name__}: build one with "
            "runtwitch.Season.build(activities, diary=..., athlete=...)"
        )


def _heat(
    c: Mapping[str, Any] | None, row: dict[str, Any], wx: pd.Series | None, calibration: DeviceCalibration
) -> dict[str, Any]:
    out = resolve_air(
        diary_air_c=_ctx(c, "air_temp_c"),
        diary_humidity_pct=_ctx(c, "humidity_pct"),
        weather=wx,
        device_temp_c=row.get("device_temp_c"),
        calibration=calibration,
    )
    return out  # the heat stress of the air found: _heat_stress, for every run at once


def _heat_stress(rows: list[dict[str, Any]]) -> None:
    """Heat index, WBGT, ACSM heat risk and their basis, set on each row with an air temperature
    (rows of :func:`_heat`); the humidity assumed is :data:`ASSUMED_HUMIDITY_PCT` where none is known.

    The formulas (:mod:`runtwitch.features.formulas`) run once over all the rows: numpy's
    element-wise operations give each row the numbers a call for that row alone gives.
    """
    hot = [row for row in rows if np.isfinite(row["air_temp_c"])]
    if not hot:
        return
    temp = np.array([row["air_temp_c"] for row in hot], dtype=float)
    rh = np.array([row["humidity_pct"] for row in hot], dtype=float)
    known = np.isfinite(rh)
    rh_used = np.where(known, rh, ASSUMED_HUMIDITY_PCT)
    heat_index = fm.heat_index_c(temp, rh_used)
    wbgt = fm.wbgt_approx_c(temp, rh_used)
    risk = fm.heat_risk(wbgt)
    assumed = f"temperature only (humidity assumed {ASSUMED_HUMIDITY_PCT:g} %)"
    for k, row in enumerate(hot):
        row["heat_index_c"] = float(heat_index[k]) if known[k] else np.nan
        row["wbgt_c"] = float(wbgt[k])
        row["heat_risk"] = risk[k]
        row["heat_basis"] = "temperature and humidity" if known[k] else assumed


def _diary_features(
    c: Mapping[str, Any] | None,
    row: dict[str, Any],
    ath: Athlete,
    wx: pd.Series | None,
    calibration: DeviceCalibration,
) -> dict[str, Any]:
    out = _heat(c, row, wx, calibration)
    timer_h = (row.get("timer_s") or np.nan) / 3600.0
    wb, wa = _ctx(c, "weight_before_kg"), _ctx(c, "weight_after_kg")
    fd = _ctx(c, "fluid_during_l")
    if wb is not None and wa is not None:
        out["body_mass_change_pct"] = (wa - wb) / wb * 100.0
        out["body_mass_change_kg"] = wa - wb
        out["sweat_loss_l"] = (wb - wa) + (fd or 0.0)
        out["sweat_source"] = "measured (weight before/after + fluid during)"
    elif not row.get("is_run", False):
        # The heat balance's metabolic heat is the cost of running times speed: a ride at 30 km/h
        # would "sweat" 3 L an hour. No prediction for other sports.
        out["sweat_source"] = "none: predicted for runs only"
    else:
        mass = ath.body_mass_kg or wb
        rate = fm.predicted_sweat_rate_l_h(
            row.get("mean_speed_mps", np.nan), mass or np.nan, out.get("air_temp_c", np.nan)
        )
        if np.isfinite(rate) and np.isfinite(timer_h):
            out["sweat_loss_l"] = rate * timer_h
            out["sweat_loss_sd_l"] = rate * timer_h * fm.SWEAT_PREDICTION_REL_SD
            out["sweat_source"] = "predicted (heat balance)"
        else:
            missing = [
                n
                for n, v in (
                    ("body mass", mass),
                    ("temperature", out.get("air_temp_c")),
                    ("speed", row.get("mean_speed_mps")),
                )
                if v is None or not np.isfinite(v)
            ]
            out["sweat_source"] = "none: no " + ", ".join(missing)
    if fd is not None:
        out["fluid_during_l"] = fd
    total_fluid = [v for v in (_ctx(c, "fluid_before_l"), fd, _ctx(c, "fluid_after_l")) if v is not None]
    if total_fluid:
        out["fluid_total_l"] = float(sum(total_fluid))
    if fd is not None and np.isfinite(out.get("sweat_loss_l", np.nan)) and out["sweat_loss_l"] > 0:
        out["fluid_replaced_pct"] = fd / out["sweat_loss_l"] * 100.0
    if np.isfinite(out.get("sweat_loss_l", np.nan)):
        out["sodium_lost_mg"] = max(out["sweat_loss_l"], 0.0) * fm.SWEAT_SODIUM_MG_PER_L
    for name in (
        "sodium_mg",
        "carbs_before_g",
        "carbs_during_g",
        "meal_hours_before",
        "cooldown_min",
        "rpe",
        "sleep_h",
        "urine_color",
        "caffeine_mg",
        "alcohol_units",
        "stress",
    ):
        v = _ctx(c, name)
        if v is not None:
            out[f"diary_{name}"] = float(v)
    for name in ("electrolytes", "spicy_meal", "stretched", "thirst", "dizziness", "fatigue"):
        v = _ctx(c, name)
        if v is not None:
            out[f"diary_{name}"] = bool(v)
    meds = _ctx(c, "medications")
    out["diary_medications"] = list(meds) if isinstance(meds, list) and meds else None
    rec = _ctx(c, "recovery")
    out["diary_recovery"] = list(rec) if isinstance(rec, list) and rec else None
    symptoms = _ctx(c, "symptoms")
    out["diary_symptoms"] = list(symptoms) if isinstance(symptoms, list) and symptoms else None
    out["diary_notes"] = _ctx(c, "notes")
    cb = out.get("diary_carbs_during_g")
    if cb is not None and np.isfinite(timer_h) and timer_h > 0:
        out["carbs_per_hour_g"] = cb / timer_h
    if out.get("diary_rpe") is not None and np.isfinite(timer_h):
        out["srpe_load"] = out["diary_rpe"] * timer_h * 60.0
    signs = [n for n in ("thirst", "dizziness", "fatigue") if out.get(f"diary_{n}") is True]
    # Over-drinking (safety, issue 15): after a body-mass gain above OVERDRINKING_GAIN_KG,
    # dizziness fits low blood sodium as well as dehydration: it is not counted as a dehydration sign.
    if out.get("body_mass_change_kg", 0.0) > OVERDRINKING_GAIN_KG and "dizziness" in signs:
        signs.remove("dizziness")
    if (out.get("diary_urine_color") or 0) >= 6:
        signs.append("dark urine")
    out["dehydration_signs"] = len(signs)
    out["dehydration_signs_list"] = ", ".join(signs) if signs else None
    if out.get("diary_cooldown_min") is not None:
        out["cooldown_min"], out["cooldown_source"] = out["diary_cooldown_min"], "diary"
    elif np.isfinite(row.get("cooldown_detected_min", np.nan)):
        out["cooldown_min"], out["cooldown_source"] = row["cooldown_detected_min"], "records"
    else:
        out["cooldown_source"] = "none"
    return out


def _history_features(df: pd.DataFrame) -> pd.DataFrame:
    """Session spike and effort against the runner's own recent runs."""
    df = df.sort_values("start_utc", kind="stable").reset_index(drop=True)
    start = df["start_utc"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    runs = df["is_run"].to_numpy(dtype=bool)
    dist = df["distance_m"].to_numpy(float)
    dur = df["timer_s"].to_numpy(float)
    speed = df["mean_speed_mps"].to_numpy(float)
    hr = df["mean_hr_bpm"].to_numpy(float)
    n = len(df)
    spike_window = Trailing(start, SPIKE_WINDOW_DAYS * 86400)
    norm_window = Trailing(start, NORM_WINDOW_DAYS * 86400)
    with np.errstate(invalid="ignore", divide="ignore"):
        spike_d = np.where(runs, dist / spike_window.max(dist, runs), np.nan)
        spike_t = np.where(runs, dur / spike_window.max(dur, runs), np.nan)
    norm_n = np.zeros(n)
    usual = {"speed": np.full(n, np.nan), "hr": np.full(n, np.nan)}
    # every run's window at once (Trailing.stacked): its comparable runs are the runs of the window
    # whose timer time is within NORM_DURATION_FACTOR of its own; a usual needs NORM_MIN_RUNS of
    # them, and as many finite values, and is the median of their known (non-NaN) values
    for rows, at, inside in norm_window.stacked(np.flatnonzero(runs)):
        own, other = dur[rows, None], dur[at]
        similar = (other <= own * NORM_DURATION_FACTOR) & (other >= own / NORM_DURATION_FACTOR)
        comp = inside & runs[at] & similar
        count = comp.sum(axis=1)
        norm_n[rows] = count
        for name, values in (("speed", speed), ("hr", hr)):
            v = values[at]
            enough = (count >= NORM_MIN_RUNS) & ((comp & np.isfinite(v)).sum(axis=1) >= NORM_MIN_RUNS)
            usual[name][rows] = masked_medians(v, comp & ~np.isnan(v) & enough[:, None])
    rel_speed = speed / usual["speed"]
    rel_hr = hr - usual["hr"]
    df["spike_distance_ratio"] = spike_d
    df["spike_duration_ratio"] = spike_t
    df["speed_vs_usual_ratio"] = rel_speed
    df["hr_vs_usual_bpm"] = rel_hr
    df["usual_comparable_runs"] = norm_n.astype("int64")
    return df
