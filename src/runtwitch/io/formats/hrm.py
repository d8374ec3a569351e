"""Polar HRM (``.hrm``, Polar Precision Performance / ProTrainer / WebSync), with its paired GPX.

An HRM file is text in ``[Section]`` blocks. ``[Params]`` gives the version,
the monitor, ``SMode`` (which columns ``[HRData]`` has), the local start
``Date``/``StartTime`` and the sampling ``Interval``; ``[HRData]`` holds one
row per sample; ``[IntTimes]`` the laps. ``Interval=238`` means beat-to-beat
data: each row is an R-R interval in milliseconds. Times are local wall-clock
times without an offset.

Polar watches with GPS wrote the track to a separate GPX file of the same name
(``12010401.hrm`` + ``12010401.gpx``). :func:`read_hrm` merges that GPX when it
is given (``gpx=``) or lies beside the HRM file: the two are aligned by the
UTC offset (a whole quarter hour) that makes their starts meet, the GPX
positions are interpolated onto the HRM samples, and the pairing is reported
(``meta.extra["paired_gpx"]``, ``report.repaired["position_from_paired_gpx"]``).
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.errors import ParseError, RuntwitchError
from runtwitch.io.formats._common import (
    MAX_DECOMPRESSED_BYTES,
    Activity,
    Errors,
    ImportReport,
    Source,
    build_activity,
    floats,
    interpolate_at,
    load,
    seconds,
    source_name,
)
from runtwitch.model import timezone

#: ``Interval`` value that marks beat-to-beat (R-R) data.
RR_INTERVAL = 238
#: A paired GPX is accepted when, after the quarter-hour offset, its first point
#: lies within this many seconds of the HRM start [s].
PAIR_MAX_START_GAP_S = 300.0
#: GPX positions are interpolated between points at most this far apart [s].
PAIR_MAX_POINT_GAP_S = 30.0
#: R-R intervals outside this range are not beats (HR would be below 20 or above 300 bpm) [ms].
RR_RANGE_MS = (200.0, 3000.0)

KMH_TO_MPS = 1.0 / 3.6
MILE_M = 1609.344
FOOT_M = 0.3048

#: ``Monitor`` numbers of the HRM specification -> device.
MONITORS = {
    1: "Polar Sport Tester / Vantage XL",
    2: "Polar Vantage NV",
    3: "Polar Accurex Plus",
    4: "Polar XTrainer Plus",
    6: "Polar S520",
    7: "Polar Coach",
    8: "Polar S210",
    9: "Polar S410",
    10: "Polar S510",
    11: "Polar S610",
    12: "Polar S710",
    13: "Polar S810",
    15: "Polar E600",
    20: "Polar AXN500",
    21: "Polar AXN700",
    22: "Polar S625X / S725X",
    23: "Polar S725",
    33: "Polar CS400",
    34: "Polar CS600X",
    35: "Polar CS600",
    36: "Polar RS400",
    37: "Polar RS800",
    38: "Polar RS800X",
}

_SECTION = re.compile(r"^\[([^\]\r\n]*)\][ \t]*$", re.M)
_CLOCK = re.compile(r"^(\d{1,3}):(\d{1,2}):(\d{1,2}(?:\.\d*)?)$", re.ASCII)


def hrm_head(head: bytes) -> bool:
    """True if the first bytes look like a Polar HRM file."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[Params]")


@dataclass(frozen=True)
class _Params:
    version: int
    smode: str
    interval: float
    start: pd.Timestamp
    monitor: int | None

    def flag(self, i: int) -> bool:
        return len(self.smode) > i and self.smode[i] == "1"

    @property
    def us_units(self) -> bool:
        return self.flag(7)


def _sections(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    marks = list(_SECTION.finditer(text))
    for m, nxt in zip(marks, [*marks[1:], None], strict=False):
        out.setdefault(m.group(1), text[m.end() : nxt.start() if nxt else len(text)])
    return out


def _clock_s(value: str) -> float | None:
    """``h:mm:ss.f`` -> seconds, or None."""
    m = _CLOCK.match(value.strip())
    if m is None:
        return None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def _params(body: str, name: str) -> _Params:
    values = {}
    for line in body.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    try:
        version = int(values.get("Version", "106"))
        interval = float(values["Interval"])
        date = pd.Timestamp(values["Date"][:8])
    except (KeyError, ValueError) as exc:
        raise ParseError(
            name, "[Params] needs Date=YYYYMMDD and a numeric Interval= (a Polar HRM file)"
        ) from exc
    start_s = _clock_s(values.get("StartTime", ""))
    if start_s is None or start_s >= 86400 or not (0 < interval <= 3600 or interval == RR_INTERVAL):
        raise ParseError(
            name,
            f"[Params] StartTime={values.get('StartTime')!r} / Interval={interval:g} "
            "are not a time of day and a sampling interval in seconds",
        )
    monitor = values.get("Monitor", "")
    smode = values.get("SMode", "0")
    if not re.fullmatch(r"[01]{1,12}", smode):
        raise ParseError(name, f"[Params] SMode={smode!r}: expected up to 9 digits 0/1")
    return _Params(
        version,
        smode,
        interval,
        date + pd.Timedelta(seconds=start_s),
        int(monitor) if re.fullmatch(r"[0-9]{1,6}", monitor) else None,
    )


def _table(body: str, ncols: int) -> np.ndarray:
    """The ``[HRData]`` rows as a float matrix of ``ncols`` columns (one split of the whole block)."""
    lines = [ln for ln in body.splitlines() if ln.strip()]
    tokens = body.split()
    if len(lines) and len(tokens) == len(lines) * ncols:
        return floats(tokens).reshape(len(lines), ncols)
    out = np.full((len(lines), ncols), np.nan)  # ragged rows (a damaged file): row by row
    for i, ln in enumerate(lines):
        row = floats(ln.split()[:ncols])
        out[i, : len(row)] = row
    return out


def _columns(p: _Params) -> list[str]:
    """Columns of ``[HRData]`` in file order, from ``SMode``."""
    cols = ["hr"]
    for i, col in enumerate(("speed", "cadence", "altitude", "power")):
        if p.flag(i):
            cols.append(col)
    if p.flag(4) or p.flag(5):
        cols.append("balance")
    if p.version >= 106 and p.flag(8):
        cols.append("air_pressure")
    return cols


def read_hrm(
    source: Source,
    *,
    errors: Errors = "salvage",
    gpx: Source | None = None,
    pair: bool = True,
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> Activity:
    """Read a Polar HRM file (and its paired GPX track) into a canonical :class:`~runtwitch.Activity`.

    Parameters
    ----------
    source
        Path or binary file object.
    errors
        Accepted for a uniform importer interface; an unreadable ``[Params]``
        block always raises.
    gpx
        The GPX track of the same session. Default: a ``.gpx`` file of the
        same name beside ``source`` (when ``pair`` is True and ``source`` is a path).
    pair
        Look for and merge a GPX file beside the HRM file.
    max_bytes
        Largest decompressed size accepted [bytes].

    Raises
    ------
    ParseError
        No ``[Params]``/``[HRData]`` sections, or an unreadable start time or interval.
    """
    loaded = load(source, max_bytes=max_bytes)
    name = loaded.name
    # Polar software writes ISO 8859-1 text with Windows (or old Mac) line ends
    text = loaded.data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    sections = _sections(text)
    if "Params" not in sections or "HRData" not in sections:
        raise ParseError(name, "no [Params] and [HRData] sections: not a Polar HRM file", line=1)
    p = _params(sections["Params"], name)
    cols = _columns(p)
    data = _table(sections["HRData"], len(cols))
    table = {c: data[:, i] for i, c in enumerate(cols)}
    n = len(data)
    offsets: np.ndarray
    if p.interval == RR_INTERVAL:
        rr = table.pop("hr")
        beats = np.where((rr >= RR_RANGE_MS[0]) & (rr <= RR_RANGE_MS[1]), rr, np.nan)
        offsets = np.concatenate([[0.0], np.cumsum(np.nan_to_num(rr, nan=0.0).clip(0, 60_000))[:-1]]) / 1000.0
        samples: dict[str, Any] = {"heart_rate_bpm": 60_000.0 / beats, "ext_rr_interval_ms": rr}
    else:
        offsets = np.arange(n) * p.interval
        samples = {"heart_rate_bpm": table.pop("hr")}
    speed_unit = MILE_M / 3600.0 if p.us_units else KMH_TO_MPS
    if "speed" in table:
        samples["speed_mps"] = table["speed"] / 10.0 * speed_unit  # 0.1 km/h (0.1 mph)
    if "cadence" in table:
        samples["cadence"] = table["cadence"]
    if "altitude" in table:
        samples["altitude_m"] = table["altitude"] * (FOOT_M if p.us_units else 1.0)
    if "power" in table:
        samples["power_w"] = table["power"]
    if "balance" in table:
        samples["ext_left_right_balance_pct"] = np.where(
            np.isfinite(table["balance"]), np.nan_to_num(table["balance"]).astype(np.int64) & 0xFF, np.nan
        ).astype(float)
    if "air_pressure" in table:
        samples["ext_air_pressure"] = table["air_pressure"]
    frame = pd.DataFrame(samples)
    try:
        frame.insert(0, "time", p.start + pd.to_timedelta(offsets, unit="s"))
    except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta) as exc:
        raise ParseError(
            name, f"{n} samples at {p.interval:g} s from {p.start} run past the year 2262"
        ) from exc

    report = ImportReport()
    extra: dict[str, Any] = {
        "hrm_version": p.version,
        "smode": p.smode,
        "interval_s": p.interval,
        "beat_to_beat": p.interval == RR_INTERVAL,
    }
    companion = gpx if gpx is not None else (companion_gpx(source) if pair else None)
    offset = _pair(frame, companion, report, extra, name, p) if companion is not None else None
    sport = "cycling" if p.flag(6) else "generic"  # SMode g: HR + cycling data
    return build_activity(
        frame,
        name=name,
        format="hrm",
        clock="local",
        sport=sport,
        file_offset_s=offset,
        file_offset_source="paired_gpx",
        laps=_laps(sections.get("IntTimes", ""), p),
        manufacturer="polar",
        product=MONITORS.get(
            p.monitor or -1, f"Polar (Monitor={p.monitor})" if p.monitor is not None else None
        ),
        extra=extra,
        report=report,
    )


def companion_gpx(source: Source) -> str | None:
    """The GPX file of the same name beside an HRM file (``x.hrm`` -> ``x.gpx``, any case, or ``.gpx.gz``).

    ``source`` is the HRM's path, or a buffer named by the path of the file it
    was read from (as a batch import hands it over); other buffers have none.
    """
    path = source_name(source)
    if not os.path.isfile(path):
        return None
    folder, base = os.path.split(path)
    stem = re.sub(r"\.hrm(\.gz)?$", "", base, flags=re.I)
    if stem == base:
        return None
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return None
    wanted = {f"{stem}.gpx".lower(), f"{stem}.gpx.gz".lower()}
    found = sorted(n for n in names if n.lower() in wanted)
    return os.path.join(folder, found[0]) if found else None


def companions(path: str) -> list[str]:
    """Files a batch import reads as part of ``path``: its paired GPX, if any."""
    found = companion_gpx(path)
    return [found] if found else []


def _pair(
    frame: pd.DataFrame, gpx: Source, report: ImportReport, extra: dict[str, Any], name: str, p: _Params
) -> float | None:
    """Align the GPX track with the HRM samples and copy its positions; returns the UTC offset [s]."""
    from runtwitch.io import read_gpx  # public reader of the companion track

    gpx_name = os.fspath(gpx) if isinstance(gpx, (str, os.PathLike)) else getattr(gpx, "name", "<buffer>")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            track = read_gpx(gpx)
    except (RuntwitchError, OSError) as exc:
        report.warn(f"{name}: paired GPX {gpx_name} not used: {exc}")
        return None
    rec = track.records
    if track.meta.kind != "activity" or len(rec) == 0 or "lat_deg" not in rec:
        report.warn(f"{name}: paired GPX {gpx_name} not used: it has no timed positions")
        return None
    start_local = p.start
    first_utc = rec.index[0]
    diff = (start_local - first_utc.tz_localize(None)).total_seconds()
    offset = round(diff / 900.0) * 900.0
    if abs(offset) > timezone.MAX_UTC_OFFSET_S or abs(diff - offset) > PAIR_MAX_START_GAP_S:
        report.warn(
            f"{name}: paired GPX {gpx_name} not used: it starts at {first_utc} UTC, which matches "
            f"no UTC offset of the HRM start {start_local} (local)"
        )
        return None
    at = seconds(frame["time"]) - offset
    src = {c: rec[c].to_numpy(dtype=float) for c in ("lat_deg", "lon_deg", "altitude_m") if c in rec}
    found, used = interpolate_at(at, seconds(pd.DatetimeIndex(rec.index)), src, PAIR_MAX_POINT_GAP_S)
    for c, v in found.items():
        if c not in frame:
            frame[c] = v
    report.repair("position_from_paired_gpx", int(used.sum()))
    extra["paired_gpx"] = gpx_name
    extra["paired_gpx_points"] = len(rec)
    fix = timezone.first_fix(rec["lat_deg"], rec["lon_deg"])
    zone = timezone.zone_at(*fix) if fix else None
    if zone is not None and timezone.offset_at(zone, first_utc) != offset:
        report.warn(
            f"{name}: the paired GPX's UTC times imply a UTC offset of {offset / 3600:+g} h, but the "
            f"time zone at its first position ({zone}) had {timezone.offset_at(zone, first_utc) / 3600:+g} "
            "h; the GPX times were taken as UTC (some exporters write local time marked as UTC)"
        )
    return float(offset)


def _laps(body: str, p: _Params) -> pd.DataFrame | None:
    """Laps from ``[IntTimes]``: the first field of each lap block is its end time since the start."""
    ends = [t for t in (_clock_s(ln.split()[0]) for ln in body.splitlines() if ln.split()) if t is not None]
    if not ends:
        return None
    bounds = np.unique(np.concatenate([[0.0], np.asarray(ends, dtype=float)]))
    starts = bounds[:-1] if len(bounds) > 1 else bounds
    elapsed = np.diff(bounds) if len(bounds) > 1 else np.array([np.nan])
    return pd.DataFrame(
        {
            "start": p.start + pd.to_timedelta(starts, unit="s"),
            "elapsed_s": elapsed,
            "timer_s": elapsed,
            "trigger": "manual",
        }
    )


class HrmImporter:
    """The Polar HRM importer: like a :class:`~runtwitch.FunctionImporter`, plus ``companions``.

    ``companions(path)`` names the files an import of ``path`` reads besides it
    (its GPX track), so that a folder import does not import them again as
    activities of their own.
    """

    name = "hrm"
    suffixes: tuple[str, ...] = (".hrm",)

    def sniff(self, head: bytes) -> bool:
        """True if the content starts with ``[Params]``."""
        return hrm_head(head)

    def read(self, source: Source, *, errors: Errors = "salvage") -> Activity:
        """Read the HRM file, merged with the GPX beside it when there is one."""
        return read_hrm(source, errors=errors)

    def companions(self, path: str) -> list[str]:
        """The paired GPX beside ``path``, if any."""
        return companions(path)
