"""What the further format importers share: bytes in, columns out, one call to build the activity.

The private runtwitch modules the importers need (safe loading, the safe XML
layer, course handling) are imported here and nowhere else in this package,
so that they can be re-pointed in one place. Everything else is public API:
each format builds its :class:`~runtwitch.Activity` through
:func:`runtwitch.activity_from_samples`, like a third-party plugin would.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from runtwitch.errors import ParseError
from runtwitch.io._xmlrecords import cadence_counts_steps, course_activity, sport_from_text
from runtwitch.io.registry import FunctionImporter
from runtwitch.io.source import MAX_DECOMPRESSED_BYTES, Errors, Loaded, Source, load, source_name
from runtwitch.io.xml import UnsafeXMLError, child, children, local, text
from runtwitch.io.xml import parse as _parse_xml
from runtwitch.model import timezone
from runtwitch.model.activity import Activity, ActivityMeta, ImportReport
from runtwitch.model.assembly import activity_from_samples

__all__ = [
    "KELVIN_OFFSET",
    "MAX_DECOMPRESSED_BYTES",
    "Activity",
    "ActivityMeta",
    "Clock",
    "Errors",
    "ImportReport",
    "Loaded",
    "SniffedImporter",
    "Source",
    "UnsafeXMLError",
    "build_activity",
    "cadence_counts_steps",
    "child",
    "children",
    "column",
    "column_values",
    "course",
    "elements_by_name",
    "floats",
    "interpolate_at",
    "json_object",
    "leaf_texts",
    "load",
    "load_json",
    "local",
    "parse_times",
    "parse_xml",
    "seconds",
    "snake",
    "source_name",
    "sport_from_text",
    "text",
    "text_column",
]

#: ``utc``: the samples' times are UTC; ``local``: naive local wall-clock times.
Clock = Literal["utc", "local"]

#: Kelvin to degrees Celsius [K].
KELVIN_OFFSET = 273.15


@dataclass(frozen=True)
class SniffedImporter(FunctionImporter):
    """A :class:`~runtwitch.FunctionImporter` for formats that share a generic suffix.

    ``suffixes`` stays empty so that the suffix never claims a file by itself
    (``.json``, ``.xml`` and ``.csv`` are written by many programs, and a
    twitch diary is a ``.csv``); ``sniff_suffixes`` tells a folder search
    which files to sniff: a file with one of them is imported only when an
    importer recognises its content.
    """

    sniff_suffixes: Sequence[str] = ()
    predicate: Callable[[bytes], bool] | None = None

    def sniff(self, head: bytes) -> bool:
        """The format's own test of the first bytes when it has one, else the signature and markers."""
        return self.predicate(head) if self.predicate is not None else super().sniff(head)


def parse_xml(loaded: Loaded, report: ImportReport) -> ET.Element:
    """Parse the loaded bytes with the safe XML layer (entities refused, repairs counted)."""
    return _parse_xml(loaded.data, loaded.name, report)


def floats(values: Sequence[str | None] | np.ndarray) -> np.ndarray:
    """Numbers from text in one vectorised pass; anything that is not a number becomes NaN."""
    if len(values) == 0:
        return np.zeros(0, dtype=float)
    try:
        out = np.asarray(values, dtype=float)
        if out.ndim == 1:
            return out
    except (TypeError, ValueError, OverflowError):
        pass
    plain = [v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None for v in values]
    return pd.to_numeric(pd.Series(plain, dtype=object), errors="coerce").to_numpy(dtype=float)


def leaf_texts(
    elements: Sequence[ET.Element], *, skip: Iterable[str] = ()
) -> dict[str, tuple[np.ndarray, list[str | None]]]:
    """Text of the leaf children of each element, per local tag name: (row indexes, texts).

    One pass over the elements; nested children (events, satellites) are
    skipped. Used to turn XML samples into columns without building one
    dictionary per sample.
    """
    skipped = set(skip)
    rows: dict[str, list[int]] = {}
    texts: dict[str, list[str | None]] = {}
    names: dict[str, str] = {}  # tag -> local name: tags repeat in every sample
    for i, el in enumerate(elements):
        for c in el:
            tag = c.tag
            if len(c) or not isinstance(tag, str):
                continue
            name = names.get(tag)
            if name is None:
                name = names[tag] = local(tag)
            if name in skipped:
                continue
            rows.setdefault(name, []).append(i)
            texts.setdefault(name, []).append(c.text.strip() if c.text else None)
    return {name: (np.asarray(idx, dtype=np.intp), texts[name]) for name, idx in rows.items()}


def elements_by_name(root: ET.Element, names: Sequence[str]) -> dict[str, list[ET.Element]]:
    """Every element of the tree whose local name is one of ``names``, by name, in one pass."""
    wanted = set(names)
    out: dict[str, list[ET.Element]] = {n: [] for n in names}
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str):
            name = tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag.rsplit(":", 1)[-1]
            if name in wanted:
                out[name].append(el)
    return out


def column(n: int, found: tuple[np.ndarray, list[str | None]] | None) -> np.ndarray:
    """A float column of ``n`` rows from :func:`leaf_texts` output (NaN where absent or not a number)."""
    out = np.full(n, np.nan)
    if found is not None:
        idx, texts = found
        out[idx] = floats(texts)
    return out


def text_column(n: int, found: tuple[np.ndarray, list[str | None]] | None) -> np.ndarray:
    """An object column of ``n`` rows from :func:`leaf_texts` output (None where absent)."""
    out = np.full(n, None, dtype=object)
    if found is not None:
        idx, texts = found
        out[idx] = texts
    return out


def column_values(elements: Sequence[ET.Element], *, skip: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """Leaf children of each element as float columns, one array per local tag name."""
    return {name: column(len(elements), found) for name, found in leaf_texts(elements, skip=skip).items()}


def parse_times(values: Sequence[str | None] | np.ndarray, *, utc: bool) -> pd.Series:
    """ISO 8601 text to times in one pass: UTC (``utc=True``) or naive wall clock; bad text is NaT."""
    series = pd.Series(list(values), dtype=object)
    if utc:
        return pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")
    parsed = pd.to_datetime(series, errors="coerce", format="ISO8601")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # an offset after all: keep the wall clock
        parsed = parsed.dt.tz_localize(None)
    return parsed


def snake(name: str) -> str:
    """A column-name fragment: ``SeaLevelPressure`` -> ``sea_level_pressure``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", spaced).strip("_").lower() or "value"


def seconds(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Times as float seconds since 1970 (NaN for NaT); tz-aware times are taken in UTC."""
    values = pd.Series(pd.to_datetime(times))
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = values.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
    ns[values.isna().to_numpy()] = np.nan
    return ns / 1e9


def interpolate_at(
    at_s: np.ndarray, src_s: np.ndarray, values: dict[str, np.ndarray], max_gap_s: float
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Values of a second stream at the times of the first, linearly interpolated.

    Parameters
    ----------
    at_s, src_s
        Times of the target rows and of the source stream [s] (NaN allowed).
    values
        Source columns (same length as ``src_s``); rows where any is NaN are ignored.
    max_gap_s
        Only between source samples at most this far apart (or at a source
        sample's own time) is a value given; elsewhere NaN [s].

    Returns
    -------
    (columns at the target times, mask of target rows that received values)
    """
    ok = np.isfinite(src_s)
    for v in values.values():
        ok &= np.isfinite(v)
    t = src_s[ok]
    empty = {k: np.full(len(at_s), np.nan) for k in values}
    if len(t) == 0 or len(at_s) == 0:
        return empty, np.zeros(len(at_s), dtype=bool)
    order = np.argsort(t, kind="stable")
    t = t[order]
    cols = {k: v[ok][order] for k, v in values.items()}
    pos = np.searchsorted(t, at_s, side="left")
    lo, hi = np.clip(pos - 1, 0, len(t) - 1), np.clip(pos, 0, len(t) - 1)
    with np.errstate(invalid="ignore"):
        exact = np.abs(t[hi] - at_s) <= 1e-3
        inside = (at_s >= t[0]) & (at_s <= t[-1]) & ((t[hi] - t[lo]) <= max_gap_s)
    use = np.isfinite(at_s) & (exact | inside)
    out = {k: np.where(use, np.interp(np.nan_to_num(at_s), t, v), np.nan) for k, v in cols.items()}
    return out, use


def load_json(data: bytes, name: str) -> Any:
    """Decode JSON bytes (UTF-8, an optional byte-order mark), raising :class:`~runtwitch.ParseError`."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ParseError(
            name, f"not UTF-8 text: {exc.reason} (expected a JSON document)", offset=exc.start
        ) from exc
    except json.JSONDecodeError as exc:
        raise ParseError(name, f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise ParseError(name, "JSON nested too deeply") from exc


def json_object(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (a damaged document)."""
    return value if isinstance(value, dict) else {}


def first_valid_time(times: pd.Series) -> pd.Timestamp | None:
    """First non-missing time of a column (naive or tz-aware), or None."""
    valid = times.dropna()
    return None if valid.empty else pd.Timestamp(valid.iloc[0])


def build_activity(
    samples: pd.DataFrame,
    *,
    name: str,
    format: str,
    clock: Clock,
    sport: str = "generic",
    sub_sport: str | None = None,
    file_offset_s: float | None = None,
    file_offset_source: str = "file",
    sessions: pd.DataFrame | None = None,
    laps: pd.DataFrame | None = None,
    cadence_in_steps: bool = False,
    manufacturer: str | None = None,
    product: str | None = None,
    extra: dict[str, Any] | None = None,
    report: ImportReport | None = None,
) -> Activity:
    """Resolve local time, then build the activity with :func:`runtwitch.activity_from_samples`.

    Parameters
    ----------
    samples
        One row per sample in file order: ``time`` (UTC, or naive local
        wall-clock time when ``clock == "local"``) and canonical columns in
        canonical units.
    clock
        Whether ``samples["time"]`` (and the ``start``/``end`` of ``sessions``
        and ``laps``) are UTC or local wall-clock times.
    file_offset_s, file_offset_source
        A UTC offset the file records [s], and the field it came from.
    sessions, laps
        Declared sessions/laps (their times in the same clock as the samples).
    report
        Repairs and warnings found while parsing (e.g. by the XML layer); they
        are added to the activity's report.
    Other parameters go to :func:`runtwitch.activity_from_samples` and ``meta``.
    """
    times = samples["time"] if "time" in samples else pd.Series(dtype="datetime64[ns]")
    position = None
    if "lat_deg" in samples and "lon_deg" in samples:
        position = timezone.first_fix(samples["lat_deg"], samples["lon_deg"])
    start = first_valid_time(times)
    if clock == "utc" and start is not None:
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    local_time = timezone.resolve(
        start, file_offset_s=file_offset_s, file_offset_source=file_offset_source, position=position
    )
    unresolved = clock == "local" and not local_time.resolved
    if clock == "local" and local_time.resolved:
        shift = pd.Timedelta(seconds=local_time.offset_s or 0)
        samples = samples.assign(time=times - shift)
        sessions = _shift(sessions, shift)
        laps = _shift(laps, shift)
    if sub_sport is not None and sessions is None:
        sessions = pd.DataFrame({"sport": [sport], "sub_sport": [sub_sport]})
    act = activity_from_samples(
        samples,
        source=name,
        format=format,
        sport=sport,
        sessions=sessions,
        laps=laps,
        cadence_in_steps=cadence_in_steps,
        utc_offset_s=local_time.offset_s,
        utc_offset_source=local_time.offset_source,
    )
    meta = act.meta
    sports = [s for s in act.sessions["sport"].dropna().unique() if s != "transition"]
    meta.sport = "multisport" if len(sports) > 1 else (str(sports[0]) if sports else sport)
    meta.sub_sport = sub_sport if len(sports) <= 1 else None
    meta.manufacturer, meta.product, meta.file_type = manufacturer, product, format
    meta.timezone, meta.timezone_source = local_time.timezone, local_time.source
    meta.time_basis = "local" if unresolved else "utc"
    meta.extra.update(extra or {})
    if report is not None:
        _merge(report, act.report)
    if unresolved:
        act.report.warn(
            f"{name}: the file records local wall-clock time without a UTC offset and no position to "
            "find its time zone; the times are kept as written on the UTC index (meta.time_basis "
            "'local') until runtwitch.resolve_local_time() or analyze() applies the athlete's zone"
        )
    return act


def _shift(frame: pd.DataFrame | None, shift: pd.Timedelta) -> pd.DataFrame | None:
    if frame is None:
        return None
    out = frame.copy()
    for column in ("start", "end"):
        if column in out:
            out[column] = pd.to_datetime(out[column]) - shift
    return out


def _merge(found: ImportReport, into: ImportReport) -> None:
    for reason, n in found.repaired.items():
        into.repair(reason, n)
    into.warnings[:0] = found.warnings


def course(
    points: pd.DataFrame,
    *,
    name: str,
    format: str,
    why: str,
    report: ImportReport | None = None,
    extra: dict[str, Any] | None = None,
) -> Activity:
    """A route or course (points without a recording's times): ``meta.kind == "course"``."""
    meta = ActivityMeta(source=name, format=format, file_type=format, extra=dict(extra or {}))
    raw = points if "time" in points else points.assign(time=pd.Series(pd.NaT, index=points.index,
                                                                         dtype="datetime64[ns]"))
    return course_activity(raw, report or ImportReport(), meta, why)


def parse_error(name: str, reason: str, **where: Any) -> ParseError:
    """A :class:`~runtwitch.ParseError` (helper for readers that build their message in one place)."""
    return ParseError(name, reason, **where)


def reader_importer(
    name: str,
    reader: Callable[..., Activity],
    *,
    suffixes: Sequence[str] = (),
    markers: Sequence[bytes] = (),
    sniff_suffixes: Sequence[str] = (),
    sniff: Callable[[bytes], bool] | None = None,
) -> FunctionImporter:
    """The importer of one of these formats: by suffix when it is the format's own, else by sniffing."""
    if sniff_suffixes or sniff is not None:
        return SniffedImporter(
            name,
            tuple(suffixes),
            reader,
            markers=tuple(markers),
            sniff_suffixes=tuple(sniff_suffixes),
            predicate=sniff,
        )
    return FunctionImporter(name, tuple(suffixes), reader, markers=tuple(markers))
