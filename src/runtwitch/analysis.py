"""The conductor: files -> activities -> a linked season -> features -> explanation, in one call."""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from runtwitch.errors import MissingFileError, WeatherWarning
from runtwitch.features import daily_features, run_features
from runtwitch.io.batch import ImportResult, collector_paused, read_activities
from runtwitch.io.diary import Diary, read_diary
from runtwitch.io.source import Errors
from runtwitch.model.activity import Activity
from runtwitch.model.athlete import Athlete
from runtwitch.model.display import notebook_html
from runtwitch.model.timezone import resolve_tz
from runtwitch.paths import expand_path, first_missing
from runtwitch.rules import Explanation, explain
from runtwitch.season import Season
from runtwitch.weather import Archive, DeviceCalibration, calibrate_from_weather, for_runs, weather_sources


def _diary_today(today: date | None, activities: Sequence[Activity], tz: str | None) -> date:
    """The day after which a diary date is "in the future": ``today`` (default: the clock's date
    in ``tz``), or the day after the last imported activity when that is later.

    Runs that were recorded prove their days have happened, whatever the computer's clock says:
    a diary date up to the day after the last run is never taken for a typo, and the sample
    season gives the same answer on a computer whose clock is set before it.
    """
    clock = today if today is not None else datetime.now(ZoneInfo(tz) if tz else UTC).date()
    ends = [a.end for a in activities if a.end is not None]
    recorded = (max(ends) + pd.Timedelta(days=1)).date() if ends else clock
    return max(clock, recorded)


@dataclass
class Analysis:
    """Everything :func:`analyze` produced, for notebooks, the CLI and the reports.

    Attributes
    ----------
    imports
        How every file fared (``status`` ok, partial, error or skipped).
    season
        The linked season: activities by id, the diary linked to them, the
        resolved athlete.
    runs, days
        :func:`runtwitch.run_features` and :func:`runtwitch.daily_features`.
    explanation
        :func:`runtwitch.explain` of the season's episodes.
    warnings
        Remarks about the inputs (e.g. no time zone given).
    weather
        :func:`runtwitch.weather.for_runs` of the season (by ``activity_id``),
        when weather was asked for; else None.
    device_calibration
        How warm the runner's device reads against the air
        (:func:`runtwitch.weather.calibrate_from_weather`).
    """

    imports: list[ImportResult]
    season: Season
    runs: pd.DataFrame
    days: pd.DataFrame
    explanation: Explanation
    warnings: list[str] = field(default_factory=list)
    weather: pd.DataFrame | None = None
    device_calibration: DeviceCalibration | None = None

    @property
    def activities(self) -> list[Activity]:
        """The season's activities, in start order."""
        return list(self.season.activities.values())

    @property
    def diary(self) -> Diary | None:
        """The diary, or None."""
        return self.season.diary

    @property
    def athlete(self) -> Athlete:
        """The resolved athlete."""
        return self.season.athlete

    @property
    def episodes(self) -> pd.DataFrame:
        """The diary's episodes, linked to their runs."""
        return self.season.episodes

    def __repr__(self) -> str:
        """One line: what was imported and explained, and where to look (the frames are not shown)."""
        status = Counter(r.status for r in self.imports)
        files = ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
        return (f"<Analysis: {len(self.imports)} inputs ({files}); {len(self.season.activities)} activities, "
                f"{len(self.explanation.episodes)} episodes; {self.explanation!r}; "
                f".runs {self.runs.shape[0]} x {self.runs.shape[1]}, .days {self.days.shape[0]} x "
                f"{self.days.shape[1]}; runtwitch.render.summary_text(...) gives the summary>")

    def _repr_html_(self) -> str:
        """Rich display in a notebook: urgent signs, red flags and the summary of every episode, as at
        the top of the report (drawn by :mod:`runtwitch.render.notebook`).

        The renderer is a later stage of the pipeline, looked up when the object
        is displayed (:func:`runtwitch.model.display.notebook_html`).
        """
        return notebook_html("analysis_html", self)


def analyze(
    paths: Sequence[str | os.PathLike[str]],
    *,
    diary: str | os.PathLike[str] | Diary | None = None,
    athlete: str | os.PathLike[str] | Athlete | None = None,
    tz: str | None = None,
    progress: bool | None = None,
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike[str] = True,
    errors: Errors = "salvage",
    engine: str | None = None,
    weather: bool | Archive = False,
    weather_table: str | os.PathLike[str] | pd.DataFrame | None = None,
    today: date | None = None,
) -> Analysis:
    """Run the whole analysis on activity files or folders and a diary.

    Parameters
    ----------
    paths
        Activity files or folders (searched recursively).
    diary
        Path of the diary CSV, or a :class:`Diary` already read.
    athlete
        Path of ``athlete.toml`` or an :class:`Athlete`. Without it: ``tz`` and
        estimates from the data.
    tz
        IANA time zone of the diary (and of files that record no UTC offset),
        overriding the athlete's. None: the athlete's, else unknown: a diary
        time is then placed with the run's own UTC offset when its file records
        one, else the episode is linked by its date. The same zone places
        activities whose files record only local time without an offset or a
        position (:func:`runtwitch.resolve_local_time`, in
        :meth:`runtwitch.Season.build`).
    progress
        Show a progress bar while importing (default: only on a terminal).
    n_jobs, cache, errors, engine
        Parallel workers, the import cache, damage handling and the decoding
        engine, see :func:`read_activities`; fetched weather is cached under
        the same folder as the imports.
    weather
        Fetch each run's weather from the archive (True, or an
        :class:`~runtwitch.weather.Archive`). Never needed: without it no
        network is used. A failed fetch is a warning, and heat then comes
        from the next source.
    weather_table
        The runner's own weather table (CSV path or DataFrame, see
        :func:`~runtwitch.weather.read_weather_table`); asked before the
        archive. Precedence for heat: diary, table, archive, device.
    today
        The date taken as today (a demo clock; ``--today`` on the command
        line). A diary date after both it and the day after the last
        imported activity is reported as "in the future" and not placed in
        time. Default: today's date in the diary's time zone. Recorded runs
        prove their days have happened, so an analysis of a diary that ends
        with its runs gives the same answer whatever the computer's clock
        says (the sample season on a computer set before 2026, too).

    Every path may start with ``~`` and hold environment variables
    (``$HOME/runs``); they are expanded as a shell would.

    Raises
    ------
    MissingFileError
        A path, the diary or the profile does not exist ("no such file or
        folder"; also a :class:`FileNotFoundError`), checked before any file
        is read.
    UnknownTimeZoneError
        ``tz`` or the profile's ``timezone`` is not an IANA name.
    DiaryError, ParseError
        The diary or the profile cannot be read at all (a bad cell is not an
        error: it is reported in ``diary.report``).
    """
    resolve_tz(tz)  # a bad time zone fails before any file is read
    found: list[str] = [expand_path(p) for p in paths]
    named = [p for p in (diary, athlete, weather_table) if isinstance(p, (str, os.PathLike))]
    if (gone := first_missing([*found, *named])) is not None:
        raise MissingFileError(gone, "no such file or folder")
    imports = read_activities(found, n_jobs=n_jobs, cache=cache, progress=progress, errors=errors,
                              engine=engine)
    acts = [r.activity for r in imports if r.activity is not None and r.status in ("ok", "partial")]
    profile = athlete if isinstance(athlete, Athlete) or athlete is None else Athlete.from_toml(athlete)
    zone = tz if tz is not None else (profile.tz if profile is not None else None)
    notes: list[str] = []
    if not acts:
        notes.append(f"no activities were imported from {', '.join(found)}: nothing to link the diary to")
    if zone is None:
        notes.append("no time zone given (--tz or athlete.toml): a diary time is placed with its run's "
                      "UTC offset when the file records one, else the episode is linked by its date")
    d = (diary if isinstance(diary, Diary) or diary is None
         else read_diary(diary, tz=zone, today=_diary_today(today, acts, zone)))
    sources = weather_sources(archive=weather, table=weather_table, tz=zone)
    # Like the import, the analysis builds many objects that live on and no reference cycles: the
    # collector would walk every object of the history several times for nothing (docs/features.md).
    with collector_paused():
        season = Season.build(acts, diary=d, athlete=profile, tz=tz)
        wx = None
        if sources:
            with warnings.catch_warnings():  # collected below, into the analysis' notes
                warnings.simplefilter("ignore", WeatherWarning)
                wx = for_runs(season, source=sources, cache=cache)
            notes += wx.attrs["warnings"]
        runs = run_features(season, weather=wx)
        calibration = calibrate_from_weather(runs["device_temp_c"], wx)
        if sources:
            notes.append(calibration.describe())
        days = daily_features(season, runs=runs)
        explanation = explain(season.episodes, runs, days)
    return Analysis(_duplicates_skipped(imports, season), season, runs, days, explanation,
                    notes + explanation.warnings, wx, calibration)


def _duplicates_skipped(imports: list[ImportResult], season: Season) -> list[ImportResult]:
    """The import results, a file whose every activity the season left out as a duplicate
    (:attr:`Season.duplicates`) marked ``skipped``, naming the file kept instead."""
    if not len(season.duplicates):
        return imports
    kept_instead = dict(zip(season.duplicates["source"], season.duplicates["kept_source"], strict=True))
    linked = {act.meta.source for act in season.activities.values()}
    out = []
    for r in imports:
        source = r.activity.meta.source if r.activity is not None else None
        if r.status in ("ok", "partial") and source in kept_instead and source not in linked:
            r = ImportResult(r.path, "skipped", f"the same run as {kept_instead[source]}, which is kept",
                             "Duplicate", r.activity)
        out.append(r)
    return out
