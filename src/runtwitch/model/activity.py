"""The canonical activity: frames, metadata and the import report."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal, Protocol, overload

import numpy as np
import pandas as pd

from runtwitch.errors import DataQualityWarning, PartialImportWarning, warn
from runtwitch.model.display import notebook_html
from runtwitch.model.frames import Columns

Status = Literal["ok", "partial"]
#: Where an activity's local time comes from (docs/schema.md, "Local time").
TimezoneSource = Literal["file", "position", "athlete", "none"]
#: ``utc``: records are on true UTC times; ``local``: unresolved wall-clock times.
TimeBasis = Literal["utc", "local"]


@dataclass
class Damage:
    """Where and why decoding of a damaged file stopped or found a fault.

    Attributes
    ----------
    offset
        Byte offset (in the decompressed file) of the fault, if known.
    line
        Line number for text formats, if known.
    kind
        Name of the runtwitch error class that describes the fault.
    reason
        The fault in words.
    """

    offset: int | None
    kind: str
    reason: str
    line: int | None = None


@dataclass
class ImportReport:
    """What an importer found, kept, dropped and repaired. Nothing is lost silently.

    ``rows + sum(dropped.values()) == source_records`` always holds.

    Attributes
    ----------
    source_records
        Record messages (FIT) or trackpoints (GPX/TCX) found in the file.
    rows
        Rows kept in ``Activity.records``.
    dropped
        Rows not kept, by reason (``no_timestamp``, ``duplicate_timestamp``,
        ``time_backwards``, ``clock_jump``...).
    repaired
        Cells set to missing or otherwise repaired, by reason
        (``heart_rate_zero``, ``lat_lon_out_of_range``...). Rows are kept.
    source_first_time, source_last_time
        First and last record timestamps in file order, before any cleaning.
    damage
        Set when the file is damaged: where decoding stopped (salvage) or where
        a checksum failed. ``status`` is then ``"partial"``.
    warnings
        Human-readable warnings, also emitted as :class:`RuntwitchWarning`.
    """

    source_records: int = 0
    rows: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    repaired: dict[str, int] = field(default_factory=dict)
    source_first_time: pd.Timestamp | None = None
    source_last_time: pd.Timestamp | None = None
    damage: Damage | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """``"partial"`` when the file was damaged, else ``"ok"``."""
        return "partial" if self.damage is not None else "ok"

    @property
    def n_dropped(self) -> int:
        """Total rows dropped."""
        return sum(self.dropped.values())

    def drop(self, reason: str, n: int) -> None:
        """Count ``n`` dropped rows under ``reason`` (no-op for 0)."""
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(n)

    def repair(self, reason: str, n: int) -> None:
        """Count ``n`` repaired cells under ``reason`` (no-op for 0)."""
        if n:
            self.repaired[reason] = self.repaired.get(reason, 0) + int(n)

    def warn(self, message: str, category: type[Warning] = DataQualityWarning) -> None:
        """Record a warning and emit it through :mod:`warnings`, pointing at the caller's line."""
        self.warnings.append(message)
        warn(message, category)

    def warn_dropped(self, source: str, what: str = "records") -> None:
        """Warn once with the dropped-row counts, if any rows were dropped."""
        if self.dropped:
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.dropped.items()))
            self.warn(f"{source}: {self.n_dropped} of {self.source_records} {what} dropped ({counts})")

    def check(self) -> None:
        """Assert the bookkeeping invariant (a bug in runtwitch if it fails)."""
        if self.rows + self.n_dropped != self.source_records:
            raise AssertionError(
                f"import report does not add up: {self.rows} rows + {self.n_dropped} dropped "
                f"!= {self.source_records} source records"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values."""
        return {
            "status": self.status,
            "source_records": self.source_records,
            "rows": self.rows,
            "dropped": dict(self.dropped),
            "repaired": dict(self.repaired),
            "source_first_time": iso_utc(self.source_first_time),
            "source_last_time": iso_utc(self.source_last_time),
            "damage": None
            if self.damage is None
            else {
                "offset": self.damage.offset,
                "line": self.damage.line,
                "kind": self.damage.kind,
                "reason": self.damage.reason,
            },
            "warnings": list(self.warnings),
        }


def iso_utc(ts: pd.Timestamp | None) -> str | None:
    """A time as ISO 8601 UTC text (``2026-05-23T12:30:00Z``, fractions kept), None when unknown."""
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


@dataclass
class ActivityMeta:
    """Facts about an activity file.

    Attributes
    ----------
    source
        Path of the file, or ``"<buffer>"``.
    format
        ``"fit"``, ``"gpx"``, ``"tcx"`` or a plugin's format name.
    kind
        ``"activity"`` for a recorded activity, ``"course"`` for a route or
        course (planned points; times, if any, are not a recording).
    sport, sub_sport
        Sport of the whole activity: the first session's, or ``"multisport"``.
    manufacturer, product
        Recording device, as the file names it.
    file_type
        The file's own declared type (FIT ``file_id.type``), if any.
    utc_offset_s
        Local time minus UTC at the activity, in seconds, or ``None`` if unknown.
    utc_offset_source
        Where ``utc_offset_s`` comes from (e.g. ``"fit_activity_local_timestamp"``,
        ``"position"``, ``"athlete"``), or ``"unknown"``. The host machine's time
        zone is never used.
    timezone
        IANA time zone of the activity when known (from the position or the
        athlete), else ``None``.
    timezone_source
        Where the local time comes from: ``"file"`` (an offset recorded in the
        file), ``"position"`` (the zone at the first position fix), ``"athlete"``
        (the caller's zone, see :func:`runtwitch.resolve_local_time`) or ``"none"``.
    time_basis
        ``"utc"`` when ``records`` are indexed by true UTC times; ``"local"``
        when the file holds only local wall-clock times that could not be
        resolved at import: they are kept on the UTC index as written and
        :func:`runtwitch.resolve_local_time` corrects them (see docs/schema.md).
    extra
        Format-specific facts (FIT headers count, software version, creator...).
    """

    source: str
    format: str
    kind: Literal["activity", "course"] = "activity"
    sport: str = "generic"
    sub_sport: str | None = None
    manufacturer: str | None = None
    product: str | None = None
    file_type: str | None = None
    utc_offset_s: int | None = None
    utc_offset_source: str = "unknown"
    timezone: str | None = None
    timezone_source: TimezoneSource = "none"
    time_basis: TimeBasis = "utc"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # An offset the file records is local time from the file, whichever importer set it.
        if self.utc_offset_s is not None and self.timezone_source == "none":
            self.timezone_source = "file"


#: A frame given by a zero-argument callable, called when the frame is first read
#: (the cache's records file, for one). It must pickle when the activity must.
FrameLoader = Callable[[], pd.DataFrame]


class DerivedStore(Protocol):
    """A records loader that can also keep values derived from the frames it loads.

    The import cache's loader (:class:`runtwitch.io.cache.CachedRecords`) is
    one: it keeps them beside the cache entry, so that a later analysis of the
    same file needs no records (:meth:`Activity.derived`). A value is a dict
    that :mod:`json` can write (floats may be NaN).
    """

    def recall(self, name: str) -> dict[str, Any] | None:
        """The value stored under ``name``, or None when there is none (or it is damaged)."""

    def remember(self, name: str, value: dict[str, Any]) -> None:
        """Store ``value`` under ``name``; a store that cannot be written keeps nothing."""


@functools.cache
def code_digest(*modules: str) -> str:
    """A short digest of the source code of ``modules``: part of a derived value's name.

    A value computed by other code (an upgrade, a local edit) is then never
    read back as if it were current. Falls back to the installed version of
    runtwitch when a module's source cannot be read.
    """
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        try:
            with open(spec.origin if spec is not None and spec.origin else "", "rb") as fh:
                digest.update(fh.read())
        except OSError:
            try:
                digest.update(version("runtwitch").encode())
            except PackageNotFoundError:
                digest.update(name.encode())
    return digest.hexdigest()[:12]


def _bound_ns(times: Any, *, last: bool) -> int | None:
    """The earliest (or latest) of ``times`` (a frame's column array) [ns since the epoch, UTC];
    None when all are missing."""
    if times.dtype.kind == "M":  # datetime64, tz-aware or not: with numpy, a tenth of Series.min
        ns = np.asarray(times, dtype="datetime64[ns]")  # UTC when tz-aware
        ns = ns[~np.isnat(ns)]
        return None if not len(ns) else int((ns.max() if last else ns.min()).view(np.int64))
    times = pd.Series(times)
    bound = times.max() if last else times.min()
    return None if pd.isna(bound) else pd.Timestamp(bound).value


def _as(values: Any, dtype: type) -> np.ndarray:
    """A column array as numpy ``dtype`` (as ``Series.to_numpy(dtype)`` gives it)."""
    if isinstance(values, np.ndarray) and values.dtype == dtype:
        return values
    return pd.Series(values).to_numpy(dtype=dtype)


def _summary(act: Activity) -> dict[str, Any]:
    """Start and end [ns since the epoch, UTC], session totals and the number of recordings."""
    sessions = act.held("sessions")
    out: dict[str, Any] = {"start": None, "end": None, "totals": {}, "recordings": 1}
    if len(sessions):
        # the columns as stored, taken once: a Series per column read cost more than the sums
        cols = sessions.arrays()
        if "start" in cols:
            out["start"] = _bound_ns(cols["start"], last=False)
        if "end" in cols:
            out["end"] = _bound_ns(cols["end"], last=True)
        for name in SESSION_TOTALS:
            if name in cols:
                v = _as(cols[name], float)
                out["totals"][name] = float(np.nansum(v)) if np.isfinite(v).any() else math.nan
        if "recording" in cols:
            out["recordings"] = len(np.unique(_as(cols["recording"], np.int64)))
    if out["start"] is None or out["end"] is None:
        index = act.held("records").index
        if len(index):
            out["start"] = out["start"] if out["start"] is not None else pd.Timestamp(index[0]).value
            out["end"] = out["end"] if out["end"] is not None else pd.Timestamp(index[-1]).value
    return out


def summary_name() -> str:
    """The name :meth:`Activity.summary` is kept under (it changes with this module's code)."""
    return f"summary-{code_digest(__name__)}"


#: The session columns summed in :attr:`Activity.totals`.
SESSION_TOTALS = ("elapsed_s", "timer_s", "moving_s", "distance_m")


#: The route of a recorded activity: no planned points, indexed by ``point`` (its frame is what
#: ``pd.DataFrame(index=...)`` gives, built when read).
EMPTY_ROUTE = Columns({}, pd.RangeIndex(0, name="point"))


class _Frame:
    """One of an Activity's frames: a DataFrame, its :class:`Columns`, or a :data:`FrameLoader`.

    The frame is kept in the instance's ``__dict__`` under its own name once
    loaded; its loader is kept in ``__dict__["_loaders"]`` so that
    :meth:`Activity.release` can drop the frame and load it again later.
    A frame given as :class:`Columns` is held in ``__dict__["_columns"]``
    until first read; the DataFrame built then replaces it (the frame is
    then held as if it had been given as a DataFrame). Assigning a
    DataFrame replaces the loader or columns (that frame is then the caller's).
    """

    def __init__(self, default: FrameLoader | None = None) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> FrameLoader: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> pd.DataFrame: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> pd.DataFrame | FrameLoader:
        if obj is None:
            # Read on the class (by @dataclass, for the field's default): the default
            # loader, else no attribute, which makes the field a required one.
            if self.default is None:
                raise AttributeError(self.name)
            return self.default
        state = obj.__dict__
        frame = state.get(self.name)
        if frame is None:
            held = state.get("_columns")
            if held is not None and self.name in held:
                frame = held[self.name]()
                # another thread may have built this frame meanwhile (its frame is kept) or another
                # frame (the dict is read again, so that its columns are not brought back)
                frame = state.setdefault(self.name, frame)
                state["_columns"] = _without(state.get("_columns", {}), self.name)  # the frame holds the data
                return frame  # type: ignore[no-any-return]
            frame = state["_loaders"][self.name]()
            state[self.name] = frame
        return frame  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: pd.DataFrame | Columns | FrameLoader) -> None:
        state = obj.__dict__
        # The dicts of loaders and columns are replaced, never changed: copy.copy(activity) shares them.
        loaders, held = state.get("_loaders"), state.get("_columns")
        if loaders is not None and self.name in loaders:
            state["_loaders"] = _without(loaders, self.name)
        if held is not None and self.name in held:
            state["_columns"] = _without(held, self.name)
        if isinstance(value, pd.DataFrame):
            state[self.name] = value
        elif isinstance(value, Columns):
            state["_columns"] = {**state.get("_columns", {}), self.name: value}
            state.pop(self.name, None)
        else:
            state["_loaders"] = {**state.get("_loaders", {}), self.name: value}
            state.pop(self.name, None)
        state.pop("_derived", None)  # values derived from the old frame are not this one's


def _check_frame(frame: str) -> None:
    if frame not in FRAMES:
        raise ValueError(f"unknown frame {frame!r} (frames: {', '.join(FRAMES)})")


def _without(held: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in held.items() if k != name}


#: The frames of an Activity, in the order of its fields.
FRAMES = ("records", "laps", "sessions", "route")


@dataclass
class Activity:
    """One imported activity file: records, laps, sessions, metadata and report.

    An ``Activity`` holds plain pandas DataFrames (it is not a DataFrame
    subclass); see ``docs/schema.md`` for every column and unit.

    Each frame may also be given as a :data:`FrameLoader`, a zero-argument
    callable that gives the DataFrame: it is called when the frame is first
    read, and the frame is then kept. An activity read from the cache is built
    that way, so a whole history can be imported without holding every
    activity's records: :meth:`loaded` says whether a frame is in memory,
    :meth:`release` drops the frames that can be loaded again. Equality
    compares the frames (and loads them); pickling keeps unloaded frames
    unloaded (the loader is pickled, e.g. the path of a cache file).

    A frame may also be given as its :class:`~runtwitch.model.frames.Columns`
    (what the readers give): its DataFrame is built when first read, and
    :meth:`held` reads the columns without building it.

    To change one field and keep the frames as they are held (unloaded,
    or as columns), copy the activity with :func:`copy.copy` and assign the
    field: ``dataclasses.replace`` passes every frame to the new activity,
    so it reads (builds or loads) them all.

    Attributes
    ----------
    records
        One row per sample, indexed by tz-aware UTC ``time``.
    laps
        One row per lap.
    sessions
        One row per session (a multisport file has one per leg), with the
        three clocks ``elapsed_s``, ``timer_s`` and ``moving_s``.
    meta
        File facts, including the local UTC offset and its source.
    report
        What was found, kept, dropped and repaired.
    route
        For a course or route (``meta.kind == "course"``): the planned points
        (``lat_deg``, ``lon_deg``, ``altitude_m``, ``distance_m``), indexed by
        ``point``. Empty for recorded activities.
    """

    # The frames are _Frame descriptors: @dataclass reads them as required fields (no
    # default) except route, whose default loader gives an empty route.
    records: _Frame = _Frame()
    laps: _Frame = _Frame()
    sessions: _Frame = _Frame()
    meta: ActivityMeta  # type: ignore[misc]  # mypy takes the descriptors for defaults
    report: ImportReport  # type: ignore[misc]
    route: _Frame = _Frame(EMPTY_ROUTE)

    def loaded(self, frame: str = "records") -> bool:
        """Whether ``frame`` (``"records"``, ``"laps"``, ``"sessions"`` or ``"route"``) is in memory
        (as a DataFrame, or as the columns it was given as)."""
        _check_frame(frame)
        return frame in self.__dict__ or frame in self.__dict__.get("_columns", {})

    def held(self, frame: str = "records") -> Columns:
        """The columns of ``frame`` (``"records"``, ``"laps"``, ``"sessions"`` or ``"route"``),
        without building its DataFrame when the frame was given as columns and not read since.

        A frame held as a DataFrame gives read-only views of its data (they
        change should the frame be changed in place); one that is not loaded
        is loaded. Read the arrays with :meth:`Columns.arrays`.
        """
        _check_frame(frame)
        columns = self.__dict__.get("_columns", {}).get(frame)
        if columns is not None and frame not in self.__dict__:  # a DataFrame built is what it holds now
            return columns  # type: ignore[no-any-return]  # the dict holds Columns only
        return Columns.of(getattr(self, frame))

    def release(self) -> None:
        """Drop the frames that a loader can give again (read from the cache); keep the others.

        The next read of a released frame loads it again. Frames given or
        assigned as DataFrames or as columns have no loader and stay in memory.
        """
        for name in self.__dict__.get("_loaders", {}):
            self.__dict__.pop(name, None)

    def derived(self, name: str, compute: Callable[[Activity], dict[str, Any]], *,
                keep: bool = False) -> dict[str, Any]:
        """A value computed from this activity's frames, computed once per file where possible.

        For an activity read from the import cache whose records, laps and
        sessions are still the cached ones (none assigned since), the value
        is kept beside the cache entry (its records loader is a
        :class:`DerivedStore`): the next analysis of the same file reads it
        back instead of the records. Otherwise ``compute(self)`` is called;
        frames it loads (from their loaders) are released again afterwards,
        so that computing a value over a whole history holds one activity's
        records at a time.

        Parameters
        ----------
        name
            What the value is, and everything it depends on besides the
            frames: the code that computes it (:func:`code_digest`) and
            its parameters (e.g. a digest of the athlete's profile).
            Letters, digits, ``-``, ``_`` and ``.`` only.
        compute
            Computes the value from the activity: a dict :mod:`json` can
            write (floats may be NaN; arrays as lists).
        keep
            Also keep the value on this object (for small values asked for
            often); it is dropped when a frame is assigned.
        """
        memo = self.__dict__.get("_derived")
        if memo is not None and name in memo:
            return memo[name]  # type: ignore[no-any-return]  # values are dicts (compute's type)
        loaders = self.__dict__.get("_loaders", {})
        store = loaders.get("records")
        # a DerivedStore, by its two methods (an isinstance() check of a Protocol is slow per activity)
        cached = (callable(getattr(store, "recall", None)) and callable(getattr(store, "remember", None))
                  and all(f in loaders for f in ("laps", "sessions")))
        value = store.recall(name) if cached else None
        if value is None:
            held = [f for f in FRAMES if f in self.__dict__]
            value = compute(self)
            if cached:
                store.remember(name, value)
            for f in loaders:  # frames loaded for this value alone are let go again
                if f not in held:
                    self.__dict__.pop(f, None)
        if keep:
            self.__dict__["_derived"] = {**(memo or {}), name: value}
        return value

    def summary(self) -> dict[str, Any]:
        """What :attr:`start`, :attr:`end`, :attr:`totals` and :attr:`recordings` are read from,
        computed once and kept (with the import-cache entry too, under :func:`summary_name`):
        ``start`` and ``end`` [ns since the epoch, UTC, or None], ``totals`` (session sums
        present in the file) and ``recordings``."""
        return self.derived(summary_name(), _summary, keep=True)

    @property
    def start(self) -> pd.Timestamp | None:
        """Start of the first session (UTC), else of the records; None when unknown."""
        ns = self.summary()["start"]
        return None if ns is None else pd.Timestamp(ns, tz="UTC")

    @property
    def end(self) -> pd.Timestamp | None:
        """End of the last session (UTC), else of the records; None when unknown."""
        ns = self.summary()["end"]
        return None if ns is None else pd.Timestamp(ns, tz="UTC")

    @property
    def totals(self) -> dict[str, float]:
        """``elapsed_s``, ``timer_s``, ``moving_s`` [s] and ``distance_m`` [m] summed over the
        sessions; NaN when no session has the value."""
        found: dict[str, float] = self.summary()["totals"]
        return {name: found.get(name, math.nan) for name in SESSION_TOTALS}

    @property
    def recordings(self) -> int:
        """How many recordings the file holds (see :func:`runtwitch.model.assembly.split_recordings`)."""
        return int(self.summary()["recordings"])

    def __repr__(self) -> str:
        return (
            f"<Activity {self.meta.format} {self.meta.kind} {self.meta.sport!r} "
            f"start={self.start} rows={len(self.held('records'))} sessions={len(self.held('sessions'))} "
            f"status={self.report.status} source={self.meta.source!r}>"
        )

    def _repr_html_(self) -> str:
        """Rich display in a notebook: a card with the file, sport, start, time, distance, heart rate
        and what the import dropped or repaired (drawn by :mod:`runtwitch.render.notebook`).

        The renderer is a later stage of the pipeline, looked up when the object
        is displayed (:func:`runtwitch.model.display.notebook_html`).
        """
        return notebook_html("activity_html", self)


def emit_partial_warning(report: ImportReport, path: str) -> None:
    """Warn that ``path`` was imported only up to its damage."""
    if report.damage is not None:
        d = report.damage
        where = (f"byte {d.offset}" if d.offset is not None
                 else f"line {d.line}" if d.line is not None else "a place the decoder did not give")
        report.warn(
            f"{path}: damaged file ({d.kind} at {where}: {d.reason}); "
            f"kept the {report.rows} records decoded before the damage",
            PartialImportWarning,
        )
