"""The whole pipeline in one call: files -> activities -> features -> explanation."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from runtwitch.activity import Activity
from runtwitch.athlete import Athlete
from runtwitch.features import daily_features, run_features
from runtwitch.io.batch import ImportResult, read_activities
from runtwitch.io.diary import Diary, read_diary
from runtwitch.link import link_episodes
from runtwitch.model.timezone import resolve_local_time
from runtwitch.rules import Explanation, explain


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
        IANA time zone, overriding the athlete's. The athlete's zone also places
        activities whose files record only local time without an offset or a
        position (:func:`runtwitch.resolve_local_time`).
    progress
        Show a progress bar while importing (default: only on a terminal).
    n_jobs, cache
        Parallel workers and the import cache, see :func:`read_activities`.
    """
    imports = read_activities(paths, n_jobs=n_jobs, cache=cache, progress=progress)
    if isinstance(athlete, Athlete):
        ath = athlete
    elif athlete is not None:
        ath = Athlete.from_toml(athlete)
    else:
        ath = Athlete(timezone=tz or "UTC")
    if tz is not None and tz != ath.timezone:
        ath = Athlete(**{**_athlete_fields(ath), "timezone": tz})
    # Files that hold only local wall-clock time, with no offset or position, are
    # placed in the athlete's zone (docs/schema.md, "Local time"); never in an assumed UTC.
    zone = ath.timezone if athlete is not None or tz is not None else None
    acts = [resolve_local_time(r.activity, zone) for r in imports
            if r.activity is not None and r.status in ("ok", "partial")]
    notes: list[str] = []
    if athlete is None and tz is None:
        notes.append("no time zone given (--tz or athlete.toml): diary times are read as UTC")
    d = diary if isinstance(diary, Diary) or diary is None else read_diary(diary, tz=ath.timezone)
    runs = run_features(acts, d, ath)
    days = daily_features(acts, d, ath, runs=runs)
    eps = d.episodes if d is not None else pd.DataFrame(columns=["episode_id", "date", "time", "muscles"])
    linked = (
        link_episodes(eps, acts, tz=ath.timezone)
        if len(eps)
        else eps.assign(activity_id=pd.Series(dtype="string"), hours_after_run=pd.Series(dtype=float))
    )
    explanation = explain(linked, runs, days)
    return Analysis(imports, acts, d, ath, runs, days, linked, explanation, notes + explanation.warnings)


def _athlete_fields(ath: Athlete) -> dict[str, Any]:
    return {
        k: getattr(ath, k)
        for k in ("timezone", "sex", "birth_year", "body_mass_kg", "max_hr", "resting_hr", "threshold_hr")
    }
