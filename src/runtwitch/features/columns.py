"""Columns of the feature tables: one definition for code, dtypes, docs and the rules that read them.

:data:`RUN_COLUMNS` and :data:`DAILY_COLUMNS` define the two tables. The
later stages (rules, patterns, reports) read a feature only by a name these
tables define: :func:`run_column` and :func:`daily_column` check a name and
raise on one they do not define, so that a renamed feature cannot silently
turn evidence off.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureColumn:
    """A feature column: name, dtype, unit, meaning and source."""

    name: str
    dtype: str
    unit: str
    description: str
    source: str = ""


F, OBJ, B = "float64", "object", "boolean"
RUN_COLUMNS: tuple[FeatureColumn, ...] = (
    FeatureColumn("activity_id", OBJ, "", "File name of the activity (made unique); the index."),
    FeatureColumn("source", OBJ, "", "Path of the activity file."),
    FeatureColumn("sport", OBJ, "", "Sport of the activity: the file's, or inferred from its speed, cadence and heart rate when the file names none (runtwitch.season.infer_sport)."),
    FeatureColumn("sport_source", OBJ, "", "Where the sport comes from: file or inferred."),
    FeatureColumn("is_run", "bool", "", "True for running activities."),
    FeatureColumn("start_utc", "datetime", "UTC", "Start time."),
    FeatureColumn("start_local", "datetime", "local", "Start as local wall-clock time (file offset, else athlete time zone)."),
    FeatureColumn("local_date", "datetime", "local", "Local calendar date of the start."),
    FeatureColumn("elapsed_s", F, "s", "Wall-clock duration, pauses included."),
    FeatureColumn("timer_s", F, "s", "Timer duration (pauses excluded)."),
    FeatureColumn("moving_s", F, "s", "Moving time."),
    FeatureColumn("distance_m", F, "m", "Distance."),
    FeatureColumn("spike_distance_ratio", F, "", "Distance / longest run of the previous 30 days (>1.1 is a spike).", "Frandsen et al. 2025, Br J Sports Med (Garmin-RUNSAFE)"),
    FeatureColumn("spike_duration_ratio", F, "", "Timer time / longest run (by time) of the previous 30 days.", "as above"),
    FeatureColumn("mean_speed_mps", F, "m/s", "Mean moving speed."),
    FeatureColumn("pace_s_per_km", F, "s/km", "Mean moving pace."),
    FeatureColumn("gap_speed_mps", F, "m/s", "Grade-adjusted speed: the level speed of equal energy cost.", "Minetti et al. 2002, J Appl Physiol 93:1039"),
    FeatureColumn("gap_pace_s_per_km", F, "s/km", "Grade-adjusted pace.", "Minetti et al. 2002"),
    FeatureColumn("speed_vs_usual_ratio", F, "", "Mean speed / median of comparable runs (0.5-2x the duration) of the previous 60 days; needs 3.", ""),
    FeatureColumn("hr_vs_usual_bpm", F, "bpm", "Mean HR minus the median of comparable runs of the previous 60 days; needs 3.", ""),
    FeatureColumn("run_type", OBJ, "", "easy, long, tempo, intervals or race, from the speed profile against the runner's own runs of the last 90 days (runtwitch.features.runtype).", "type names: Daniels 2014; cut-offs: runtwitch's choice"),
    FeatureColumn("run_type_basis", OBJ, "", "The rule that typed the run, in words."),
    FeatureColumn("work_speed_mps", F, "m/s", "Speed the run was held at, grade-adjusted: the mean of the work bouts for intervals, else the 75th percentile of the moving 30-s speeds (a cool-down walk, a final sprint or stops do not move it)."),
    FeatureColumn("speed_vs_type_ratio", F, "", "Work speed / median of the runner's earlier runs of the same type (90 days; fewer than 3: the same group, steady or hard; steady runs then all runs)."),
    FeatureColumn("speed_vs_type_z", F, "", "Robust z-score of that work speed: (v - median) / (1.4826 MAD), the spread floored at 2 % of the median."),
    FeatureColumn("type_comparable_runs", "int64", "", "Earlier runs behind the two columns above (a hard session with fewer than 3 earlier hard sessions has none: it is novel)."),
    FeatureColumn("usual_comparable_runs", "int64", "", "Comparable runs behind the two 'usual' columns."),
    FeatureColumn("hr_coverage", F, "", "Fraction of moving time with a valid heart rate."),
    FeatureColumn("mean_hr_bpm", F, "bpm", "Time-weighted mean heart rate."),
    FeatureColumn("max_hr_bpm", F, "bpm", "Highest recorded heart rate."),
    FeatureColumn("hr_zone1_s", F, "s", "Time below 60 % of max HR."),
    FeatureColumn("hr_zone2_s", F, "s", "Time at 60-70 % of max HR."),
    FeatureColumn("hr_zone3_s", F, "s", "Time at 70-80 % of max HR."),
    FeatureColumn("hr_zone4_s", F, "s", "Time at 80-90 % of max HR."),
    FeatureColumn("hr_zone5_s", F, "s", "Time at or above 90 % of max HR."),
    FeatureColumn("trimp", F, "AU", "Banister TRIMP, integrated sample by sample, sex-specific constants.", "Banister 1991; Morton, Fitz-Clarke & Banister 1990"),
    FeatureColumn("hrss", F, "AU", "TRIMP relative to one hour at threshold HR (x 100).", "Skiba's HRSS convention"),
    FeatureColumn("decoupling_pct", F, "%", "Aerobic decoupling: drop of speed per beat from the first to the second half.", "Friel, Pa:HR"),
    FeatureColumn("srpe_load", F, "AU", "Session RPE load: diary rpe x timer minutes.", "Foster et al. 2001, J Strength Cond Res 15:109"),
    FeatureColumn("fit_training_effect", F, "", "FIT total_training_effect, when the watch wrote it."),
    FeatureColumn("fit_workout_rpe", F, "", "FIT workout_rpe, when entered on the watch."),
    FeatureColumn("fit_workout_feel", F, "", "FIT workout_feel, when entered on the watch."),
    FeatureColumn("core_temp_max_c", F, "°C", "Highest core temperature from a developer field (e.g. CORE sensor)."),
    FeatureColumn("device_temp_c", F, "°C", "Median of the device's temperature sensor (reads warm on a wrist)."),
    FeatureColumn("air_temp_c", F, "°C", "Air temperature used for heat, over the run: diary, else weather table or archive, else the device corrected by its measured gap (heat_source says which)."),
    FeatureColumn("air_temp_sd_c", F, "°C", "Uncertainty (1 SD) of an air temperature from the device: the spread of the runner's device gap. NaN for other sources."),
    FeatureColumn("humidity_pct", F, "%", "Relative humidity over the run: diary, else weather table or archive (humidity_source says which)."),
    FeatureColumn("heat_source", OBJ, "", "Where air_temp_c comes from, in order of precedence: diary, table, archive, device (... low confidence) or none."),
    FeatureColumn("humidity_source", OBJ, "", "Where humidity_pct comes from: diary, table, archive or none."),
    FeatureColumn("dew_point_c", F, "°C", "Dew point of that temperature and humidity.", "Magnus formula, Alduchov & Eskridge 1996"),
    FeatureColumn("wind_mps", F, "m/s", "Wind speed over the run (weather table or archive)."),
    FeatureColumn("weather_station", OBJ, "", "The station, table place or archive grid point the weather came from (when used)."),
    FeatureColumn("weather_distance_km", F, "km", "Distance from the run's start to it."),
    FeatureColumn("weather_elevation_diff_m", F, "m", "Its elevation minus the run's median altitude."),
    FeatureColumn("heat_index_c", F, "°C", "NWS heat index (needs humidity).", "NWS, Rothfusz 1990 regression with adjustments"),
    FeatureColumn("wbgt_c", F, "°C", "Approximate WBGT.", "Australian Bureau of Meteorology approximation"),
    FeatureColumn("heat_risk", OBJ, "", "ACSM WBGT category: low, moderate, high, extreme.", "Armstrong et al. 2007, ACSM position stand"),
    FeatureColumn("heat_basis", OBJ, "", "What the heat columns rest on."),
    FeatureColumn("sweat_loss_l", F, "L", "Sweat lost: measured from weights and fluid, else predicted.", "Sawka et al. 2007, ACSM fluid replacement position stand"),
    FeatureColumn("sweat_loss_sd_l", F, "L", "Uncertainty (1 SD) of a predicted sweat loss (40 %).", "Baker 2017, Sports Med 47:111"),
    FeatureColumn("sweat_source", OBJ, "", "measured, predicted (heat balance; runs only), or none with the missing inputs."),
    FeatureColumn("body_mass_change_pct", F, "%", "(weight after - before) / before; < -2 % is the usual dehydration mark.", "Sawka et al. 2007"),
    FeatureColumn("body_mass_change_kg", F, "kg", "weight after - before; a gain above runtwitch.features.runs.OVERDRINKING_GAIN_KG (0.5 kg) is over-drinking, smaller changes are within bathroom-scale noise.", "Hew-Butler et al. 2015 (EAH consensus)"),
    FeatureColumn("fluid_during_l", F, "L", "Fluid drunk during the run (diary)."),
    FeatureColumn("fluid_total_l", F, "L", "Fluid before + during + after (diary, what was logged)."),
    FeatureColumn("fluid_replaced_pct", F, "%", "Fluid during / sweat loss."),
    FeatureColumn("sodium_lost_mg", F, "mg", "Sweat loss x 920 mg/L (typical sweat sodium, ~40 mmol/L).", "Baker 2017"),
    FeatureColumn("carbs_per_hour_g", F, "g/h", "Carbohydrate during the run per timer hour (30-60 g/h advised over ~1 h).", "Thomas, Erdman & Burke 2016"),
    FeatureColumn("dehydration_signs", F, "", "Count of logged signs: thirst, dizziness, fatigue, dark urine (colour >= 6); dizziness is not counted after an over-drinking gain (it fits low blood sodium as well)."),
    FeatureColumn("dehydration_signs_list", OBJ, "", "Those signs, in words."),
    FeatureColumn("cooldown_detected_min", F, "min", "Easy stretch at the end of the run, from the records."),
    FeatureColumn("cooldown_hr_drop_bpm", F, "bpm", "Heart-rate fall over that stretch."),
    FeatureColumn("ended_hard", "boolean", "", "No cool-down, and the last minute at >= 85 % of max HR or >= 1.1 x the run's median speed (a stop dead at high effort)."),
    FeatureColumn("final_hr_pct_max", F, "%", "Mean HR of the last minute, % of max HR."),
    FeatureColumn("cooldown_min", F, "min", "Cool-down used: the diary's cooldown_min, else detected."),
    FeatureColumn("cooldown_source", OBJ, "", "diary, records or none."),
    FeatureColumn("diary_sodium_mg", F, "mg", "Sodium taken (diary)."),
    FeatureColumn("diary_carbs_before_g", F, "g", "Carbohydrate in the 2 h before (diary); 30-60 g about an hour before is advised."),
    FeatureColumn("diary_carbs_during_g", F, "g", "Carbohydrate during (diary)."),
    FeatureColumn("diary_meal_hours_before", F, "h", "Hours since the last full meal (diary)."),
    FeatureColumn("diary_cooldown_min", F, "min", "Cool-down logged (diary)."),
    FeatureColumn("diary_rpe", F, "", "Session effort 0-10 (diary)."),
    FeatureColumn("diary_sleep_h", F, "h", "Sleep the night before (diary)."),
    FeatureColumn("diary_urine_color", F, "", "Urine colour 1-8 (diary)."),
    FeatureColumn("diary_caffeine_mg", F, "mg", "Caffeine that day (diary)."),
    FeatureColumn("diary_alcohol_units", F, "units", "Alcohol the evening before, UK units of 8 g (diary)."),
    FeatureColumn("diary_stress", F, "", "Stress 0-10 (diary)."),
    FeatureColumn("diary_electrolytes", B, "", "Electrolytes taken (diary)."),
    FeatureColumn("diary_spicy_meal", B, "", "Spicy meal before (diary)."),
    FeatureColumn("diary_stretched", B, "", "Stretched after (diary)."),
    FeatureColumn("diary_thirst", B, "", "Thirst (diary)."),
    FeatureColumn("diary_dizziness", B, "", "Dizziness (diary)."),
    FeatureColumn("diary_fatigue", B, "", "Fatigue (diary)."),
    FeatureColumn("diary_medications", OBJ, "", "Medicines taken that day (diary), list."),
    FeatureColumn("diary_recovery", OBJ, "", "Recovery measures (diary), list."),
    FeatureColumn("diary_symptoms", OBJ, "", "Symptoms (diary), list of vocabulary terms."),
    FeatureColumn("diary_notes", OBJ, "", "Free-text notes of the diary rows linked to the run."),
)

DAILY_COLUMNS: tuple[FeatureColumn, ...] = (
    FeatureColumn("date", "datetime", "local", "Local calendar date; the index. Every day from the first to the last activity."),
    FeatureColumn("runs", "int64", "", "Runs that day."),
    FeatureColumn("run_distance_m", F, "m", "Running distance that day."),
    FeatureColumn("run_time_s", F, "s", "Running timer time that day."),
    FeatureColumn("cross_training_min", F, "min", "Timer minutes of non-running activities."),
    FeatureColumn("rest_day", "bool", "", "No activity of any kind."),
    FeatureColumn("load", F, "AU", "Daily training load (sum over activities)."),
    FeatureColumn("load_method", OBJ, "", "trimp, srpe or duration (minutes); mixed when the day mixes them."),
    FeatureColumn("consecutive_run_days", "int64", "", "Days in a row with a run, ending today (0 on a day without)."),
    FeatureColumn("days_since_rest", "int64", "", "Days since the last rest day (0 on a rest day); counts from the first day."),
    FeatureColumn("rest_days_7d", "int64", "", "Rest days in the last 7 days (today included)."),
    FeatureColumn("rest_days_28d", "int64", "", "Rest days in the last 28 days."),
    FeatureColumn("acute_load", F, "AU", "EWMA of daily load, 7-day span.", "Williams et al. 2017, Br J Sports Med 51:209"),
    FeatureColumn("chronic_load", F, "AU", "EWMA of daily load, 42-day span.", "Williams et al. 2017"),
    FeatureColumn("form", F, "AU", "chronic_load - acute_load (negative: fatigued)."),
    FeatureColumn("acwr", F, "", "acute_load / chronic_load. Descriptive only: injury thresholds for it are disputed.", "Impellizzeri et al. 2020"),
    FeatureColumn("monotony_7d", F, "", "Mean / SD of daily load over 7 days.", "Foster 1998, Med Sci Sports Exerc 30:1164"),
    FeatureColumn("strain_7d", F, "AU", "Weekly load x monotony.", "Foster 1998"),
    FeatureColumn("distance_7d_m", F, "m", "Running distance of the last 7 days."),
    FeatureColumn("distance_7d_change_pct", F, "%", "Change of the 7-day distance against the 7 days before."),
    FeatureColumn("cross_training_28d_min", F, "min", "Cross-training minutes in the last 28 days."),
    FeatureColumn("sleep_h", F, "h", "Sleep logged in the diary for that date."),
)


#: Names of the run and daily feature columns.
RUN_COLUMN_NAMES = frozenset(c.name for c in RUN_COLUMNS)
DAILY_COLUMN_NAMES = frozenset(c.name for c in DAILY_COLUMNS)


def _checked(name: str, names: frozenset[str], table: str) -> str:
    if name not in names:
        close = difflib.get_close_matches(name, sorted(names), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"{name!r} is not a column of the {table} feature table{hint}")
    return name


def run_column(name: str) -> str:
    """``name``, checked to be a column of the run feature table (:data:`RUN_COLUMNS`).

    Raises
    ------
    KeyError
        No run feature has that name.
    """
    return _checked(name, RUN_COLUMN_NAMES, "run")


def daily_column(name: str) -> str:
    """``name``, checked to be a column of the daily feature table (:data:`DAILY_COLUMNS`).

    Raises
    ------
    KeyError
        No daily feature has that name.
    """
    return _checked(name, DAILY_COLUMN_NAMES, "daily")


def markdown_table(columns: tuple[FeatureColumn, ...]) -> str:
    """Markdown table of feature columns (for docs/features.md)."""
    lines = ["| column | unit | meaning | source |", "|---|---|---|---|"]
    for c in columns:
        lines.append(f"| `{c.name}` | {c.unit or '–'} | {c.description} | {c.source or '–'} |")
    return "\n".join(lines) + "\n"
