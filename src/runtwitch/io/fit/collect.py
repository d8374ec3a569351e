"""What a FIT decoding engine hands the FIT importer: the collector and the record table.

Both engines (``runtwitch.io.fit.engines``) fill a :class:`Collector`: the
messages the importer uses (sessions, laps, timer events, file ids, the
activity, sport and hr messages) as dicts of decoded values, and the records
either as one dict per message (fitdecode, or the one-by-one path) or as
bulk-decoded groups (numpy). :func:`record_table` turns either into record
times [FIT s] and value columns (float64 arrays) named the canonical way, with
the same rules in both cases.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

import numpy as np

from runtwitch.io.fit.bulk import Group
from runtwitch.io.fit.hr import HrBeats
from runtwitch.io.fit.types import FIT_EPOCH

#: Degrees per semicircle, the FIT unit of latitude and longitude.
SEMICIRCLE_TO_DEG = 180.0 / 2**31

#: FIT record field -> canonical column. Enhanced fields win over plain ones.
RECORD_FIELDS: dict[str, str] = {
    "position_lat": "lat_deg",
    "position_long": "lon_deg",
    "enhanced_altitude": "altitude_m",
    "altitude": "altitude_m",
    "distance": "distance_m",
    "enhanced_speed": "speed_mps",
    "speed": "speed_mps",
    "heart_rate": "heart_rate_bpm",
    "cadence": "cadence",
    "fractional_cadence": "_fractional_cadence",
    "power": "power_w",
    "temperature": "temperature_c",
}
_PLAIN_FALLBACK = {"altitude", "speed"}

#: The FIT session field of each session column but the start (numbers, or names kept as strings):
#: what the importer reads of a session message.
SESSION_FIELDS = {"sport": "sport", "sub_sport": "sub_sport", "elapsed_s": "total_elapsed_time",
                  "timer_s": "total_timer_time", "distance_m": "total_distance",
                  "avg_heart_rate_bpm": "avg_heart_rate", "max_heart_rate_bpm": "max_heart_rate",
                  "total_ascent_m": "total_ascent", "calories_kcal": "total_calories",
                  "training_effect": "total_training_effect", "workout_rpe": "workout_rpe",
                  "workout_feel": "workout_feel"}
#: What a FIT lap message gives each lap number column (the importer reads the start, end, speed,
#: intensity and trigger besides).
LAP_NUMBERS = {"elapsed_s": "total_elapsed_time", "timer_s": "total_timer_time",
               "distance_m": "total_distance", "avg_heart_rate_bpm": "avg_heart_rate",
               "max_heart_rate_bpm": "max_heart_rate"}

#: The fields the FIT importer reads of each message besides records and hr, by message
#: name: the collector keeps only these in its dicts (whichever engine decoded them), and
#: the numpy engine decodes only these (and what decoding them needs;
#: ``rows.decode_row(..., only=)``). A field the importer reads must be listed here:
#: ``tests/io/fit/test_collect.py`` checks that every field the importer asks the
#: collector for is, on every corpus file, and that decoding every field gives the same
#: activities.
READ_FIELDS: dict[str, frozenset[str]] = {
    "session": frozenset({"start_time", *SESSION_FIELDS.values()}),
    "lap": frozenset({"start_time", "timestamp", *LAP_NUMBERS.values(), "enhanced_avg_speed", "avg_speed",
                      "intensity", "lap_trigger"}),
    "event": frozenset({"event", "event_type", "timestamp"}),
    "file_id": frozenset({"type", "manufacturer", "product_name", "garmin_product", "product"}),
    "activity": frozenset({"local_timestamp", "timestamp"}),
    "timestamp_correlation": frozenset({"timestamp", "system_timestamp"}),
    "sport": frozenset({"sport", "sub_sport"}),
}

_UNIT_SUFFIX = {
    "m": "m", "mm": "mm", "cm": "cm", "km": "km", "s": "s", "ms": "ms", "m/s": "mps",
    "%": "pct", "percent": "pct", "bpm": "bpm", "rpm": "rpm", "watts": "w", "w": "w",
    "c": "c", "kcal": "kcal", "degrees": "deg", "kg": "kg", "v": "v", "spm": "spm",
}


def _snake(text: str) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return s or "field"


def _unit_suffix(units: object) -> str:
    if not isinstance(units, str) or not units.strip():
        return ""
    key = units.strip().lower()
    return "_" + _UNIT_SUFFIX.get(key, _snake(key))


def column_name(name: Any, units: Any, dev_data_index: int | None) -> str:
    """The record column of a FIT field: ``dev_<index>_<name>[_<unit>]`` for a developer
    field, the canonical name (``heart_rate_bpm``...) or ``fit_<name>[_<unit>]``."""
    if dev_data_index is not None:
        return f"dev_{dev_data_index}_{_snake(str(name))}{_unit_suffix(units)}"
    if name in RECORD_FIELDS:
        return RECORD_FIELDS[name]
    return f"fit_{_snake(str(name))}{_unit_suffix(units)}"


def is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


class Collector:
    """Gathers the messages runtwitch uses while fitdecode streams the file."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.laps: list[dict[str, Any]] = []
        self.timer_events: list[tuple[Any, str]] = []
        self.file_ids: list[dict[str, Any]] = []
        self.activity: dict[str, Any] | None = None
        self.correlation: tuple[Any, Any] | None = None
        self.sports: list[tuple[Any, Any]] = []
        self.hr: list[dict[str, Any]] = []
        #: Beats of the hr messages decoded in bulk by the numpy engine (instead of ``hr``).
        self.hr_beats: HrBeats | None = None
        self.headers = 0
        self.not_kept: set[str] = set()
        #: Records decoded in bulk by the numpy engine (instead of ``records``).
        self.record_groups: list[Group] | None = None
        self.compressed_ts: dict[int, int] = {}
        #: Record times [FIT s] and value columns, assembled once (see record_table).
        self.table: tuple[np.ndarray, dict[str, np.ndarray]] | None = None

    @property
    def n_records(self) -> int:
        if self.record_groups is not None:
            return sum(len(g.seqs) for g in self.record_groups)
        return len(self.records)

    def add(self, frame: Any) -> None:
        name = frame.name
        if name == "record":
            self.records.append(self._record(frame))
        elif name == "session":
            self.sessions.append(self._values(frame))
        elif name == "lap":
            self.laps.append(self._values(frame))
        elif name == "event":
            v = self._values(frame)
            if v.get("event") == "timer" and v.get("timestamp") is not None:
                self.timer_events.append((v["timestamp"], str(v.get("event_type"))))
        elif name == "file_id":
            self.file_ids.append(self._values(frame))
        elif name == "activity" and self.activity is None:
            self.activity = self._values(frame)
        elif name == "timestamp_correlation" and self.correlation is None:
            v = self._values(frame)
            if v.get("timestamp") is not None and v.get("system_timestamp") is not None:
                self.correlation = (v["timestamp"], v["system_timestamp"])
        elif name == "hr":
            self.hr.append({f.name: (f.raw_value if f.name == "event_timestamp_12" else f.value)
                            for f in frame.fields})
        elif name == "sport":
            v = self._values(frame)
            self.sports.append((v.get("sport"), v.get("sub_sport")))

    @staticmethod
    def _values(frame: Any) -> dict[str, Any]:
        """The message's fields the importer reads (:data:`READ_FIELDS`) that hold a value, by name
        (the first of a name repeated)."""
        wanted = READ_FIELDS[frame.name]
        out: dict[str, Any] = {}
        for f in frame.fields:
            if f.value is not None and f.name in wanted and f.name not in out:
                out[f.name] = f.value
        return out

    def _record(self, frame: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"time": None}
        for f in frame.fields:
            v = f.value
            fname = f.name
            if fname == "timestamp":
                row["time"] = v
                continue
            if v is None:
                continue
            fdef = f.field_def
            is_dev = fdef is not None and getattr(fdef, "is_dev", False)
            col = column_name(fname, f.units, fdef.dev_data_index if is_dev else None)
            if not is_dev and fname in RECORD_FIELDS:
                if fname in _PLAIN_FALLBACK and row.get(col) is not None:
                    continue
                if col in ("lat_deg", "lon_deg") and is_number(v):
                    v = v * SEMICIRCLE_TO_DEG
            if is_number(v):
                row[col] = v
            elif isinstance(v, bool):
                row[col] = float(v)
            else:
                self.not_kept.add(col)
        return row


def _fit_seconds(v: Any) -> float:
    """A decoded FIT time (aware datetime or number of seconds) as FIT seconds."""
    if isinstance(v, datetime):
        return (v - FIT_EPOCH).total_seconds()
    if is_number(v):
        return float(v)
    return np.nan


def record_table(col: Collector) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Record times as FIT seconds (NaN when missing) and the record values, in file order.

    The values are one float64 array per column (NaN where a record has no
    value), named the canonical way: what the assembly takes directly
    (:func:`runtwitch.model.assembly.build_arrays`), without a frame.
    """
    if col.table is not None:
        return col.table
    table = _groups_table(col) if col.record_groups is not None else _records_table(col.records)
    col.table = table
    return table


def _records_table(records: list[dict[str, Any]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`record_table` of records decoded one by one (each a dict of numbers and ``time``)."""
    seconds = np.array([_fit_seconds(r["time"]) for r in records], dtype=float)
    names = list(dict.fromkeys(k for r in records for k in r if k != "time"))
    nan = np.nan
    return seconds, {k: np.array([r.get(k, nan) for r in records], dtype=np.float64) for k in names}


def _groups_table(col: Collector) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Assemble bulk-decoded record groups with the same rules as :meth:`Collector._record`.

    Each column is gathered as one piece per group (the group's values where
    they are numbers, NaN elsewhere and in groups without the column) and
    allocated once; the canonical name of each (FIT name, units, developer
    index) is found once per process (:func:`_column_name`). Two fields of a
    group with one name (``speed`` and ``enhanced_speed``) are merged as
    :meth:`Collector._record` does: the first number of a row wins for the
    plain fallbacks, the last otherwise.
    """
    groups = col.record_groups or []
    sizes = [len(g.seqs) for g in groups]
    total = sum(sizes)
    # Times of messages with a compressed header, as sorted arrays (seq -> FIT seconds).
    c_seqs = np.fromiter(col.compressed_ts, dtype=np.int64, count=len(col.compressed_ts))
    c_order = np.argsort(c_seqs)
    c_seqs = c_seqs[c_order]
    c_times = np.fromiter(col.compressed_ts.values(), dtype=np.float64, count=len(c_seqs))[c_order]
    times: list[np.ndarray] = []
    # per column name: the piece of each group that holds it (group number -> values)
    pieces: dict[str, dict[int, tuple[np.ndarray, np.ndarray | None]]] = {}
    for gi, g in enumerate(groups):
        t = g.time
        if len(c_seqs):
            at = np.minimum(np.searchsorted(c_seqs, g.seqs), len(c_seqs) - 1)
            hit = c_seqs[at] == g.seqs
            if hit.any():
                t = np.where(hit, c_times[at], t)
        times.append(t)
        for c in g.columns:
            dev_index = c.dev_data_index if c.is_dev else None
            if np.count_nonzero(c.other):
                col.not_kept.add(column_name(c.name, c.other_units, dev_index))
            n_valid = np.count_nonzero(c.valid)
            if not n_valid:
                continue
            key = _column_name(c.name, c.units, dev_index)
            v = c.values * SEMICIRCLE_TO_DEG if key in ("lat_deg", "lon_deg") and not c.is_dev else c.values
            mine = pieces.setdefault(key, {})
            held = mine.get(gi)
            if held is None:
                mine[gi] = (v, None) if n_valid == len(v) else (np.where(c.valid, v, np.nan), c.valid)
                continue
            # a plain fallback fills only rows without a value; another field wins where it has one
            fallback = not c.is_dev and c.name in _PLAIN_FALLBACK
            before, isset = held
            if isset is None:  # every row has a value already
                if not fallback:
                    mine[gi] = (np.where(c.valid, v, before), None)
                continue
            mask = c.valid & ~isset if fallback else c.valid
            merged = isset | mask
            mine[gi] = (np.where(mask, v, before), None if merged.all() else merged)
    time = np.concatenate(times) if times else np.zeros(0)
    if len(groups) > 1:
        seqs = np.concatenate([g.seqs for g in groups])
        if not bool((np.diff(seqs) > 0).all()):  # groups interleaved (several layouts): file order
            order = np.argsort(seqs, kind="stable")
            row = np.empty(total, dtype=np.intp)  # where each group's row goes in file order
            row[order] = np.arange(total)
            return time[order], {key: _joined(mine, sizes, total, row) for key, mine in pieces.items()}
    return time, {key: _joined(mine, sizes, total) for key, mine in pieces.items()}


def _joined(pieces: dict[int, tuple[np.ndarray, np.ndarray | None]], sizes: list[int],
            total: int, row: np.ndarray | None = None) -> np.ndarray:
    """One column of the record table from its pieces by group (values, and which rows hold one:
    None for all), NaN in the groups without one.

    ``row``: the row of the table each row of the groups (one after the
    other) goes to, when the groups interleave; each piece is then written
    to its rows at once (what putting the pieces one after the other and
    taking them in file order gives, with one copy less).
    """
    if len(sizes) == 1:
        return np.array(pieces[0][0], dtype=np.float64)  # a copy: never a view of decoded data
    out = np.empty(total, dtype=np.float64) if len(pieces) == len(sizes) else np.full(total, np.nan)
    start = 0
    for gi, n in enumerate(sizes):
        piece = pieces.get(gi)
        if piece is not None:
            if row is None:
                out[start:start + n] = piece[0]
            else:
                out[row[start:start + n]] = piece[0]
        start += n
    return out


@functools.lru_cache(maxsize=4096)
def _cached_name(name: Any, units: Any, dev_data_index: int | None) -> str:
    return column_name(name, units, dev_data_index)


def _column_name(name: Any, units: Any, dev_data_index: int | None) -> str:
    """:func:`column_name`, found once per process for each (name, units, index) that hashes."""
    try:
        return _cached_name(name, units, dev_data_index)
    except TypeError:  # units that are not hashable: named every time
        return column_name(name, units, dev_data_index)
