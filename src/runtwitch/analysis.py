"""The whole pipeline in one call: files -> activities -> features -> explanation."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from runtwitch.activity import Activity
from runtwitch.athlete import Athlete
from runtwitch.errors import WeatherWarning
from runtwitch.features import daily_features, run_features
from runtwitch.io.batch import ImportResult, read_activities
from runtwitch.io.diary import Diary, read_diary
from runtwitch.link import link_episodes
from runtwitch.rules import Explanation, explain
from runtwitch.weather import Archive, for_runs, weather_sources


@dataclass
class Analysis:
    """Everything :func:`analyze` produced, for notebooks, the CLI and the report."""

    imports: list[ImportResult]
    activities: list[Activity]
    diary: Diary | None
    athlete: Athlete
    runs: pd.DataFrame
    days: pd.DataFrame
    episodes: pd.DataFrame
    explanation: Explanation
    warnings: list[str] = field(default_factory=list)
    weather: pd.DataFrame | None = None
    """:func:`runtwitch.weather.for_runs` of ``activities`` (same order), when weather was asked for."""


def import_all(
    paths: Sequence[str | os.PathLike[str]], *, progress: bool | None = None
) -> list[ImportResult]:
    """Import every file in this process, without the cache (see :func:`read_activities`)."""
    return read_activities(paths, n_jobs=1, cache=False, progress=progress)


def analyze(
    paths: Sequence[str | os.PathLike[str]],
    *,
    diary: str | os.PathLike[str] | Diary | None = None,
    athlete: str | os.PathLike[str] | Athlete | None = None,
    tz: str | None = None,
    progress: bool | None = None,
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike[str] = True,
    weather: bool | Archive = False,
    weather_table: str | os.PathLike[str] | pd.DataFrame | None = None,
) -> Analysis:
    """Run the whole analysis on activity files or folders and a diary.

    Parameters
    ----------
    paths
        Activity files or folders (searched recursively).
    diary
        Path of the diary CSV, or a :class:`Diary` already read.
    athlete
        Path of ``athlete.toml`` or an :class:`Athlete`. Without it: ``tz`` (or
        UTC) and estimates from the data.
    tz
        IANA time zone, overriding the athlete's.
    progress
        Show a progress bar while importing (default: only on a terminal).
    n_jobs, cache
        Parallel workers and the import cache, see :func:`read_activities`;
        fetched weather is cached under the same folder.
    weather
        Fetch each run's weather from the archive (True, or an
        :class:`~runtwitch.weather.Archive`). Never needed: without it no
        network is used. A failed fetch is a warning, and heat then comes
        from the next source.
    weather_table
        The runner's own weather table (CSV path or DataFrame, see
        :func:`~runtwitch.weather.read_weather_table`); asked before the
        archive. Precedence for heat: diary, table, archive, device.
    """
    imports = read_activities(paths, n_jobs=n_jobs, cache=cache, progress=progress)
    acts = [r.activity for r in imports if r.activity is not None and r.status in ("ok", "partial")]
    if isinstance(athlete, Athlete):
        ath = athlete
    elif athlete is not None:
        ath = Athlete.from_toml(athlete)
    else:
        ath = Athlete(timezone=tz or "UTC")
    if tz is not None and tz != ath.timezone:
        ath = Athlete(**{**_athlete_fields(ath), "timezone": tz})
    notes: list[str] = []
    if athlete is None and tz is None:
        notes.append("no time zone given (--tz or athlete.toml): diary times are read as UTC")
    d = diary if isinstance(diary, Diary) or diary is None else read_diary(diary, tz=ath.timezone)
    sources = weather_sources(archive=weather, table=weather_table, tz=ath.timezone)
    wx = None
    if sources:
        with warnings.catch_warnings():  # collected below, into the analysis' notes
            warnings.simplefilter("ignore", WeatherWarning)
            wx = for_runs(acts, source=sources, cache=cache)
        notes += wx.attrs["warnings"]
    runs = run_features(acts, d, ath, weather=wx)
    if sources:
        notes.append(runs.attrs["device_calibration"]["text"])
    days = daily_features(acts, d, ath, runs=runs)
    eps = d.episodes if d is not None else pd.DataFrame(columns=["episode_id", "date", "time", "muscles"])
    linked = (
        link_episodes(eps, acts, tz=ath.timezone)
        if len(eps)
        else eps.assign(activity_id=pd.Series(dtype="string"), hours_after_run=pd.Series(dtype=float))
    )
    explanation = explain(linked, runs, days)
    return Analysis(imports, acts, d, ath, runs, days, linked, explanation, notes + explanation.warnings, wx)


def _athlete_fields(ath: Athlete) -> dict[str, Any]:
    return {
        k: getattr(ath, k)
        for k in ("timezone", "sex", "birth_year", "body_mass_kg", "max_hr", "resting_hr", "threshold_hr")
    }
