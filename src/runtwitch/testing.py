"""Helpers for tests and sample data: a small FIT encoder for activity files.

Not part of the analysis pipeline: ``scripts/make_sample_data.py``, the
benchmarks and the tests write FIT files with it.

It writes just what an activity needs: ``file_id``, ``record``, ``event``
(timer start/stop), ``lap``, ``session`` and ``activity`` messages, with the
FIT header and file CRCs. Field numbers, scales and offsets follow the FIT
profile (Garmin FIT SDK, ``Profile.xlsx``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from runtwitch.io.fit.crc import crc16
from runtwitch.io.fit.types import FIT_EPOCH_UNIX_S

#: The profile version written in the file header (FIT SDK 21.32).
PROFILE_VERSION = 2132

SPORTS = {"generic": 0, "running": 1, "cycling": 2, "transition": 3, "fitness_equipment": 4,
          "swimming": 5, "training": 10, "walking": 11, "hiking": 17}
SUB_SPORTS = {"generic": 0, "treadmill": 1, "street": 2, "trail": 3, "track": 4, "road": 7,
              "indoor_cycling": 6}

# Base types: (code, struct format, invalid value)
_U8, _U16, _U32, _S8, _S32, _ENUM = (
    (0x02, "B", 0xFF), (0x84, "H", 0xFFFF), (0x86, "I", 0xFFFFFFFF),
    (0x01, "b", 0x7F), (0x85, "i", 0x7FFFFFFF), (0x00, "B", 0xFF),
)


_RANGES = {"B": (0, 255), "b": (-128, 127), "H": (0, 65535), "I": (0, 2**32 - 1), "i": (-(2**31), 2**31 - 1)}


def fit_time(t: datetime) -> int:
    """Aware datetime -> FIT date_time (seconds since 1989-12-31 UTC)."""
    return round(t.timestamp()) - FIT_EPOCH_UNIX_S


# message name -> (global number, [(field name, field number, base type, scale, offset)])
_MESSAGES: dict[str, tuple[int, list[tuple[str, int, tuple[int, str, int], float, float]]]] = {
    "file_id": (0, [("type", 0, _ENUM, 1, 0), ("manufacturer", 1, _U16, 1, 0),
                    ("product", 2, _U16, 1, 0), ("serial_number", 3, _U32, 1, 0),
                    ("time_created", 4, _U32, 1, 0)]),
    "record": (20, [("timestamp", 253, _U32, 1, 0), ("position_lat", 0, _S32, 1, 0),
                    ("position_long", 1, _S32, 1, 0), ("altitude", 2, _U16, 5, 500),
                    ("heart_rate", 3, _U8, 1, 0), ("cadence", 4, _U8, 1, 0),
                    ("distance", 5, _U32, 100, 0), ("speed", 6, _U16, 1000, 0),
                    ("power", 7, _U16, 1, 0), ("temperature", 13, _S8, 1, 0)]),
    "event": (21, [("timestamp", 253, _U32, 1, 0), ("event", 0, _ENUM, 1, 0),
                   ("event_type", 1, _ENUM, 1, 0)]),
    "lap": (19, [("timestamp", 253, _U32, 1, 0), ("start_time", 2, _U32, 1, 0),
                 ("total_elapsed_time", 7, _U32, 1000, 0), ("total_timer_time", 8, _U32, 1000, 0),
                 ("total_distance", 9, _U32, 100, 0), ("event", 0, _ENUM, 1, 0),
                 ("event_type", 1, _ENUM, 1, 0)]),
    "session": (18, [("timestamp", 253, _U32, 1, 0), ("start_time", 2, _U32, 1, 0),
                     ("total_elapsed_time", 7, _U32, 1000, 0),
                     ("total_timer_time", 8, _U32, 1000, 0), ("total_distance", 9, _U32, 100, 0),
                     ("sport", 5, _ENUM, 1, 0), ("sub_sport", 6, _ENUM, 1, 0),
                     ("avg_heart_rate", 16, _U8, 1, 0), ("max_heart_rate", 17, _U8, 1, 0),
                     ("event", 0, _ENUM, 1, 0), ("event_type", 1, _ENUM, 1, 0)]),
    "activity": (34, [("timestamp", 253, _U32, 1, 0), ("total_timer_time", 0, _U32, 1000, 0),
                      ("num_sessions", 1, _U16, 1, 0), ("type", 2, _ENUM, 1, 0),
                      ("event", 3, _ENUM, 1, 0), ("event_type", 4, _ENUM, 1, 0),
                      ("local_timestamp", 5, _U32, 1, 0)]),
}


@dataclass
class FitWriter:
    """Accumulates messages and returns FIT bytes.

    Values are given in profile units (m, m/s, s, degrees for positions,
    aware datetimes for times); ``None`` writes the invalid value.
    """

    _body: bytearray = field(default_factory=bytearray)
    _local: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)

    def add(self, message: str, **values: object) -> None:
        """Append one data message (writing a definition first when needed)."""
        number, fields = _MESSAGES[message]
        used = [f for f in fields if f[0] in values]
        key = (message, tuple(f[0] for f in used))
        if key not in self._local:
            local = len(self._local) % 16
            self._local = {k: v for k, v in self._local.items() if v != local}
            self._local[key] = local
            self._body += struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(used))
            for _, num, (code, fmt, _inv), _, _ in used:
                self._body += struct.pack("<BBB", num, struct.calcsize(fmt), code)
        local = self._local[key]
        payload = bytearray([local])
        for name, _num, (_code, fmt, invalid), scale, offset in used:
            v = values[name]
            if v is None:
                raw = invalid
            elif isinstance(v, datetime):
                raw = fit_time(v)
            elif not isinstance(v, (int, float)):
                raise TypeError(f"{message}.{name}: expected a number, a datetime or None, not {v!r}")
            elif name in ("position_lat", "position_long"):
                raw = round(float(v) * 2**31 / 180.0)
            else:
                raw = round((float(v) + offset) * scale)
            lo, hi = _RANGES[fmt]
            if not lo <= raw <= hi:
                raw = invalid  # outside the field's range: written as "no value"
            payload += struct.pack("<" + fmt, raw)
        self._body += payload

    def to_bytes(self) -> bytes:
        """Return the complete file: header (with CRC), messages, file CRC."""
        header = struct.pack("<BBHI4s", 14, 0x20, PROFILE_VERSION, len(self._body), b".FIT")
        header += struct.pack("<H", crc16(header))
        data = header + bytes(self._body)
        return data + struct.pack("<H", crc16(data))


def write_activity(
    times: Sequence[datetime],
    *,
    sport: str = "running",
    sub_sport: str = "generic",
    utc_offset_s: int | None = 0,
    pauses: Sequence[tuple[datetime, datetime]] = (),
    **columns: Sequence[float | None],
) -> bytes:
    """Encode a single-session activity as FIT bytes.

    Parameters
    ----------
    times
        Record times (aware datetimes), increasing.
    sport, sub_sport
        FIT sport names (see :data:`SPORTS`, :data:`SUB_SPORTS`).
    utc_offset_s
        Local time minus UTC, written as ``activity.local_timestamp``; None
        writes no local time (as some devices do).
    pauses
        Timer stop/start pairs (written as timer events; excluded from timer time).
    columns
        Record fields by FIT name: ``position_lat``, ``position_long`` [deg],
        ``altitude`` [m], ``heart_rate`` [bpm], ``cadence`` [strides/min for
        running], ``distance`` [m], ``speed`` [m/s], ``power`` [W],
        ``temperature`` [°C]. Each the same length as ``times``.
    """
    if not times:
        raise ValueError("an activity needs at least one record")
    w = FitWriter()
    start, end = times[0], times[-1]
    w.add("file_id", type=4, manufacturer=255, product=1, serial_number=12345, time_created=end)
    w.add("event", timestamp=start, event=0, event_type=0)
    paused = 0.0
    for i, t in enumerate(times):
        for a, b in pauses:
            if times[i - 1] < a <= t if i else False:
                w.add("event", timestamp=a, event=0, event_type=4)
                w.add("event", timestamp=b, event=0, event_type=0)
                paused += (b - a).total_seconds()
        w.add("record", timestamp=t, **{k: v[i] for k, v in columns.items()})
    w.add("event", timestamp=end, event=0, event_type=4)
    elapsed = (end - start).total_seconds()
    timer = elapsed - paused
    dist = [d for d in columns.get("distance", []) if d is not None]
    total = dist[-1] if dist else None
    hr = [h for h in columns.get("heart_rate", []) if h is not None]
    w.add("lap", timestamp=end, start_time=start, total_elapsed_time=elapsed,
          total_timer_time=timer, total_distance=total, event=9, event_type=1)
    w.add("session", timestamp=end, start_time=start, total_elapsed_time=elapsed,
          total_timer_time=timer, total_distance=total, sport=SPORTS[sport],
          sub_sport=SUB_SPORTS[sub_sport],
          avg_heart_rate=round(sum(hr) / len(hr)) if hr else None,
          max_heart_rate=max(hr) if hr else None, event=8, event_type=1)
    local = (None if utc_offset_s is None
             else datetime.fromtimestamp(end.timestamp() + utc_offset_s, tz=UTC))
    w.add("activity", timestamp=end, total_timer_time=timer, num_sessions=1, type=0, event=26,
          event_type=1, local_timestamp=local)
    return w.to_bytes()
