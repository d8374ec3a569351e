"""The canonical activity schema: one definition for code, validation and docs.

Every importer produces frames with these columns. Units are part of each
column name (``_m``, ``_mps``, ``_bpm``...), times are tz-aware UTC.
``docs/schema.md`` is generated from this module (``python -m runtwitch.model.schema``)
and a test checks that it is up to date.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pandas as pd

#: Version of the canonical schema. Bump when a column changes meaning or unit.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Column:
    """One column of a canonical frame.

    Attributes
    ----------
    name
        Column name (the unit is part of it).
    dtype
        pandas dtype of the column.
    unit
        Unit in words, ``""`` for dimensionless or categorical columns.
    description
        What the column holds and where it comes from.
    always
        True when the column is always present; otherwise it is present only
        when the file holds at least one valid value for it.
    """

    name: str
    dtype: str
    unit: str
    description: str
    always: bool = False


#: Index of ``Activity.records``.
RECORDS_INDEX = Column(
    "time", "datetime64[ns, UTC]", "UTC", "Sample time, tz-aware UTC, strictly increasing.", True
)

#: Columns of ``Activity.records`` in canonical order.
RECORD_COLUMNS: tuple[Column, ...] = (
    Column("session", "int64", "", "Index of the session (multisport leg) the sample belongs to, from 0.", True),
    Column("lap", "int64", "", "Index of the lap the sample belongs to, from 0 (counted over the whole activity).", True),
    Column("lat_deg", "float64", "degree", "Latitude, WGS84."),
    Column("lon_deg", "float64", "degree", "Longitude, WGS84."),
    Column("altitude_m", "float64", "metre", "Altitude; FIT enhanced_altitude preferred over altitude."),
    Column("distance_m", "float64", "metre", "Cumulative distance as recorded by the device."),
    Column("speed_mps", "float64", "metre per second", "Instantaneous speed; FIT enhanced_speed preferred."),
    Column("heart_rate_bpm", "float64", "beat per minute", "Heart rate. 0 (no strap signal) and values above 250 are missing."),
    Column("cadence_spm", "float64", "step per minute", "Running/walking/hiking cadence in steps (both feet): FIT stride cadence x 2 plus fractional cadence."),
    Column("cadence_rpm", "float64", "cycle per minute", "Cadence of other sports: pedal revolutions, strokes."),
    Column("power_w", "float64", "watt", "Power from the device's native power field (developer fields stay in dev_ columns)."),
    Column("temperature_c", "float64", "degree Celsius", "Temperature sensor of the device. A wrist device reads warmer than the air."),
)

#: dtype of every extra column, whatever the reader or FIT engine that produced it.
EXTRA_COLUMN_DTYPE = "float64"
#: Extra columns an importer may add beside the canonical ones.
EXTRA_COLUMN_PREFIXES: dict[str, str] = {
    "dev_": "Developer (Connect IQ) field: dev_<developer data index>_<field name>[_<unit>].",
    "fit_": "Other native FIT record field: fit_<field name>[_<unit>].",
    "ext_": "Other value of a text format (GPX/TCX extensions, Suunto, PWX, KML, Wahoo...): ext_<name>[_<unit>].",
}

#: Columns of ``Activity.sessions`` (one row per session / multisport leg).
SESSION_COLUMNS: tuple[Column, ...] = (
    Column("session", "int64", "", "Session index, from 0, in time order.", True),
    Column("sport", "string", "", "Sport, lower-case FIT vocabulary (running, cycling, swimming, ...).", True),
    Column("sub_sport", "string", "", "Sub-sport (trail, treadmill, lap_swimming, ...), or <NA>.", True),
    Column("start", "datetime64[ns, UTC]", "UTC", "Start of the session.", True),
    Column("end", "datetime64[ns, UTC]", "UTC", "End of the session (start + elapsed).", True),
    Column("elapsed_s", "float64", "second", "Wall-clock duration from start to end, pauses included.", True),
    Column("timer_s", "float64", "second", "Timer duration: the time the device's timer ran (pauses excluded).", True),
    Column("moving_s", "float64", "second", "Time spent moving, from the record stream (see docs: moving time).", True),
    Column("distance_m", "float64", "metre", "Total distance of the session.", True),
    Column("elapsed_source", "string", "", "Where elapsed_s comes from: session (device total) or records.", True),
    Column("timer_source", "string", "", "Where timer_s comes from: session, events (timer start/stop) or records.", True),
    Column("moving_source", "string", "", "Where moving_s comes from: speed, distance, position, or none.", True),
    Column("avg_heart_rate_bpm", "float64", "beat per minute", "Average heart rate as the device summarised it.", True),
    Column("max_heart_rate_bpm", "float64", "beat per minute", "Maximum heart rate as the device summarised it.", True),
    Column("total_ascent_m", "float64", "metre", "Total ascent as the device summarised it.", True),
    Column("calories_kcal", "float64", "kilocalorie", "Energy as the device estimated it.", True),
    Column("training_effect", "float64", "", "FIT total_training_effect (aerobic, 0-5), when present.", True),
    Column("workout_rpe", "float64", "", "FIT workout_rpe (0-10 scale), when the runner entered it on the watch.", True),
    Column("workout_feel", "float64", "", "FIT workout_feel (0-100), when the runner entered it on the watch.", True),
    Column("recording", "int64", "", "Recording the session belongs to, from 0: legs of one multisport recording share it; a file holding several recordings (tracks hours or days apart) has one per recording, and the analysis treats each as its own activity.", True),
)

#: Columns of ``Activity.laps`` (one row per lap).
LAP_COLUMNS: tuple[Column, ...] = (
    Column("lap", "int64", "", "Lap index, from 0, over the whole activity.", True),
    Column("session", "int64", "", "Session the lap belongs to.", True),
    Column("start", "datetime64[ns, UTC]", "UTC", "Start of the lap.", True),
    Column("end", "datetime64[ns, UTC]", "UTC", "End of the lap.", True),
    Column("elapsed_s", "float64", "second", "Wall-clock duration of the lap.", True),
    Column("timer_s", "float64", "second", "Timer duration of the lap.", True),
    Column("distance_m", "float64", "metre", "Lap distance as the device summarised it.", True),
    Column("avg_heart_rate_bpm", "float64", "beat per minute", "Average heart rate of the lap.", True),
    Column("max_heart_rate_bpm", "float64", "beat per minute", "Maximum heart rate of the lap.", True),
    Column("avg_speed_mps", "float64", "metre per second", "Average speed of the lap.", True),
    Column("intensity", "string", "", "FIT lap intensity (active, rest, warmup, cooldown), or <NA>.", True),
    Column("trigger", "string", "", "What ended the lap (manual, distance, time, session_end...), or <NA>.", True),
)

#: Valid range per canonical column; values outside become missing (repaired,
#: see the cleaning rules in ``runtwitch.model.assembly``). ``cadence`` is the
#: cadence as recorded, before it becomes ``cadence_spm`` or ``cadence_rpm``.
VALID_RANGES: dict[str, tuple[float, float]] = {
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 180.0),
    "altitude_m": (-500.0, 9000.0),
    "distance_m": (0.0, 1.0e7),
    "speed_mps": (0.0, 100.0),
    "heart_rate_bpm": (1.0, 250.0),
    "cadence": (0.0, 300.0),
    "power_w": (0.0, 3000.0),
    "temperature_c": (-60.0, 70.0),
}

#: Samples further apart than this are a pause [s]: the timer and moving clocks
#: (``timer_s``, ``moving_s``) and the run features count no time across them.
PAUSE_GAP_S = 60.0
#: Speed at or above which a sample counts as moving [m/s] (1.8 km/h, slower
#: than any walk): the moving clock and the run features' moving time.
MOVING_SPEED_MPS = 0.5

RUNNING_SPORTS = frozenset({"running", "walking", "hiking"})
"""Sports whose cadence is counted in steps per minute (``cadence_spm``)."""

RUN_SPORTS = frozenset({"running"})
"""Sports whose activities count as runs: linked to episodes, ``is_run`` in the run features."""

UNTYPED_SPORTS = frozenset({"generic", ""})
"""Sports that say the file did not name one (a GPX without ``<type>``, a ``generic`` FIT file):
the season infers such an activity's sport from its data (``runtwitch.season.infer_sport``)."""


def is_run(sport: object) -> bool:
    """True when an activity of this sport counts as a run (see :data:`RUN_SPORTS`)."""
    return sport in RUN_SPORTS


def validate_records(records: pd.DataFrame) -> list[str]:
    """Check a records frame against the schema.

    Parameters
    ----------
    records
        Frame to check.

    Returns
    -------
    list of str
        Problems found, empty when the frame conforms.
    """
    problems: list[str] = []
    idx = records.index
    if not isinstance(idx, pd.DatetimeIndex) or str(idx.tz) != "UTC":
        problems.append("index must be a tz-aware UTC DatetimeIndex")
    elif idx.name != RECORDS_INDEX.name:
        problems.append(f"index must be named {RECORDS_INDEX.name!r}")
    elif not idx.is_monotonic_increasing or not idx.is_unique:
        problems.append("index must be strictly increasing")
    known = {c.name: c for c in RECORD_COLUMNS}
    for col in records.columns:
        name = str(col)
        if name in known:
            if str(records[name].dtype) != known[name].dtype:
                problems.append(f"{name}: dtype {records[name].dtype}, expected {known[name].dtype}")
        elif not any(name.startswith(p) for p in EXTRA_COLUMN_PREFIXES):
            problems.append(f"{name}: not a canonical column and no known extra prefix")
        elif str(records[name].dtype) != EXTRA_COLUMN_DTYPE:
            problems.append(f"{name}: dtype {records[name].dtype}, expected {EXTRA_COLUMN_DTYPE}")
    for c in RECORD_COLUMNS:
        if c.always and c.name not in records.columns:
            problems.append(f"{c.name}: missing")
    return problems


def _table(columns: tuple[Column, ...]) -> str:
    lines = ["| column | dtype | unit | always | description |", "|---|---|---|---|---|"]
    for c in columns:
        lines.append(
            f"| `{c.name}` | `{c.dtype}` | {c.unit or '–'} | {'yes' if c.always else 'no'} "
            f"| {c.description} |"
        )
    return "\n".join(lines)


def markdown_tables() -> str:
    """Return the column tables of ``docs/schema.md`` as Markdown."""
    extras = "\n".join(f"- `{p}*`: {d}" for p, d in EXTRA_COLUMN_PREFIXES.items())
    return (
        f"<!-- generated by `python -m runtwitch.model.schema` (schema version {SCHEMA_VERSION}); "
        "do not edit by hand -->\n\n"
        "### `records`\n\n"
        f"Index: `{RECORDS_INDEX.name}` (`{RECORDS_INDEX.dtype}`): {RECORDS_INDEX.description}\n\n"
        f"{_table(RECORD_COLUMNS)}\n\nExtra columns (all `{EXTRA_COLUMN_DTYPE}`):\n\n{extras}\n\n"
        f"### `sessions`\n\n{_table(SESSION_COLUMNS)}\n\n"
        f"### `laps`\n\n{_table(LAP_COLUMNS)}\n"
    )


if __name__ == "__main__":  # pragma: no cover - documentation helper
    sys.stdout.write(markdown_tables())
