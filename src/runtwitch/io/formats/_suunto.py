"""The vocabulary Suunto's SML, Moveslink XML and app JSON logs share: fields, units, sports.

Suunto devices store heart rate and cadence in hertz (beats or cycles per
second), temperature in kelvin and GPS latitude/longitude in radians; speed,
distance and altitude are already metres and metres per second. Running
cadence counts one foot (strides), like FIT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from runtwitch.io.formats._common import KELVIN_OFFSET, snake

#: Suunto field -> (canonical column, factor, offset): value * factor + offset.
FIELDS: dict[str, tuple[str, float, float]] = {
    "HR": ("heart_rate_bpm", 60.0, 0.0),  # Hz -> beats per minute
    "Cadence": ("cadence", 60.0, 0.0),  # Hz -> cycles (strides) per minute, as recorded
    "Temperature": ("temperature_c", 1.0, -KELVIN_OFFSET),  # K -> degC
    "Speed": ("speed_mps", 1.0, 0.0),
    "Distance": ("distance_m", 1.0, 0.0),
    "Altitude": ("altitude_m", 1.0, 0.0),
    "Power": ("power_w", 1.0, 0.0),
    "Latitude": ("lat_deg", float(np.degrees(1.0)), 0.0),  # rad -> degree
    "Longitude": ("lon_deg", float(np.degrees(1.0)), 0.0),
}

#: Other fields whose unit is known: extra column name (unit in the name).
EXTRA_FIELDS: dict[str, str] = {
    "VerticalSpeed": "ext_vertical_speed_mps",
    "SeaLevelPressure": "ext_sea_level_pressure_pa",
    "AbsPressure": "ext_abs_pressure_pa",
    "GPSAltitude": "ext_gps_altitude_m",
    "GPSSpeed": "ext_gps_speed_mps",
    "GPSHeading": "ext_gps_heading_rad",
    "EHPE": "ext_ehpe_m",
    "Depth": "ext_depth_m",
    "TankPressure": "ext_tank_pressure_pa",
}

#: Fields that locate a sample rather than measure something.
NOT_MEASUREMENTS = frozenset({"Time", "UTC", "TimeISO8601", "SampleType", "Events"})

#: Suunto ``ActivityType`` (device log numbering) -> (sport, sub-sport), FIT vocabulary.
#: Numbers as listed by sports-lib's Suunto activity-id map.
ACTIVITY_TYPES: dict[int, tuple[str, str | None]] = {
    1: ("generic", None),
    2: ("multisport", None),
    3: ("running", None),
    4: ("cycling", None),
    5: ("cycling", "mountain"),
    6: ("swimming", "lap_swimming"),
    11: ("hiking", None),
    12: ("walking", None),
    14: ("kayaking", None),
    15: ("rowing", None),
    16: ("rock_climbing", None),
    17: ("cycling", "indoor_cycling"),
    18: ("training", None),
    20: ("alpine_skiing", None),
    21: ("snowboarding", None),
    22: ("cross_country_skiing", None),
    23: ("training", "strength_training"),
    51: ("diving", None),
    52: ("diving", None),
    55: ("multisport", None),
    56: ("multisport", None),
    57: ("multisport", None),
    64: ("fitness_equipment", "elliptical"),
    71: ("rowing", "indoor_rowing"),
    72: ("paddling", None),
    74: ("mountaineering", None),
    75: ("running", None),
    78: ("cross_country_skiing", "backcountry"),
    81: ("running", "track"),
    82: ("running", "trail"),
    83: ("swimming", "open_water"),
    84: ("walking", None),
    85: ("snowshoeing", None),
    88: ("cross_country_skiing", None),
    89: ("stand_up_paddleboarding", None),
    93: ("running", "treadmill"),
    95: ("training", None),
    96: ("hiking", None),
}


def sport_of(activity_type: object) -> tuple[str, str | None] | None:
    """Sport and sub-sport of a Suunto ``ActivityType`` number, or None when unknown."""
    try:
        return ACTIVITY_TYPES.get(int(str(activity_type).strip()))
    except (TypeError, ValueError):
        return None


def canonical(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Suunto field columns -> canonical and ``ext_`` columns in canonical units."""
    out: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        if name in NOT_MEASUREMENTS:
            continue
        if name in FIELDS:
            col, factor, offset = FIELDS[name]
            out[col] = values * factor + offset
        else:
            out[EXTRA_FIELDS.get(name, f"ext_{snake(name)}")] = values
    return out


_OFFSET = re.compile(r"(?:([+-])(\d{2}):?(\d{2})|Z)\s*$")


def text_offset_s(value: str | None) -> tuple[bool, float | None]:
    """Whether an ISO time text carries a zone designator, and its UTC offset [s] (None for ``Z``)."""
    if not value:
        return False, None
    m = _OFFSET.search(value.strip())
    if m is None:
        return False, None
    if m.group(1) is None:
        return True, None
    sign = -1.0 if m.group(1) == "-" else 1.0
    return True, sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60)


#: Local header times and UTC sample times are compared to the nearest quarter hour [s].
OFFSET_STEP_S = 900.0


def header_offset_s(header_local: pd.Timestamp | None, start_utc: pd.Timestamp | None) -> float | None:
    """UTC offset implied by a local header time and the UTC time of the same moment [s]."""
    if header_local is None or start_utc is None or pd.isna(header_local) or pd.isna(start_utc):
        return None
    diff = (
        pd.Timestamp(header_local) - pd.Timestamp(start_utc).tz_convert("UTC").tz_localize(None)
    ).total_seconds()
    return float(round(diff / OFFSET_STEP_S) * OFFSET_STEP_S)
