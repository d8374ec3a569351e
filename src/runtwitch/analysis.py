"""The whole pipeline in one call: files -> activities -> features -> explanation."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm import tqdm

from runtwitch.activity import Activity
from runtwitch.athlete import Athlete
from runtwitch.errors import RuntwitchError
from runtwitch.features import daily_features, run_features
from runtwitch.io.diary import Diary, read_diary
from runtwitch.io.registry import importers, read_activity
from runtwitch.link import link_episodes
from runtwitch.rules import Explanation, explain


@dataclass
class ImportResult:
    """How one input file fared."""

    path: str
    status: str  # ok, partial, error, skipped
    error: str | None = None
    error_type: str | None = None
    activity: Activity | None = None


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


def find_activity_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Files given, plus files under folders (recursively) with a known activity suffix.

    Symbolic links to folders are not followed (no loops); files are sorted.
    """
    suffixes = tuple(s.lower() for imp in importers() for s in imp.suffixes)
    out: list[str] = []
    for p in (os.fspath(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                out.extend(
                    os.path.join(root, f)
                    for f in sorted(files)
                    if f.lower().removesuffix(".gz").endswith(suffixes)
                )
        else:
            out.append(p)
    return out


def read_one(path: str) -> tuple[Activity | None, str | None, str | None]:
    """Import one file without raising: (activity, None, None) or (None, error type, message).

    A runtwitch error keeps its class name; anything else is a runtwitch bug and
    is reported as ``InternalError`` so that one file never stops a batch.
    Warnings stay in the activity's report.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return read_activity(path), None, None
        except RuntwitchError as exc:
            return None, type(exc).__name__, str(exc)
        except Exception as exc:
            return None, "InternalError", f"{type(exc).__name__}: {exc}"


def _dirs_named_like_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    suffixes = tuple(s.lower() for imp in importers() for s in imp.suffixes)
    found = []
    for p in (os.fspath(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, _ in os.walk(p, followlinks=False):
                found += [
                    os.path.join(root, d)
                    for d in sorted(dirs)
                    if d.lower().removesuffix(".gz").endswith(suffixes)
                ]
    return found


def _show_progress(progress: bool | None) -> bool:
    """Progress bars on an interactive terminal only, unless asked explicitly."""
    return sys.stderr.isatty() if progress is None else progress


def import_all(
    paths: Sequence[str | os.PathLike[str]], *, progress: bool | None = None
) -> list[ImportResult]:
    """Import every file; a bad file is reported with its reason, never fatal.

    ``progress``: show a progress bar (default: only when stderr is a terminal).
    """
    results = [
        ImportResult(
            d, "skipped", "a directory named like an activity file (searched as a folder)", "IsADirectory"
        )
        for d in _dirs_named_like_files(paths)
    ]
    files = find_activity_files(paths)
    for path in tqdm(files, desc="importing", unit="file", disable=not _show_progress(progress), leave=False):
        act, error_type, error = read_one(path)
        if act is None:
            results.append(ImportResult(path, "error", error, error_type))
        elif act.meta.kind != "activity":
            results.append(
                ImportResult(path, "skipped", "a course/route, not a recorded activity", "Course", act)
            )
        else:
            results.append(ImportResult(path, act.report.status, None, None, act))
    return results


def analyze(
    paths: Sequence[str | os.PathLike[str]],
    *,
    diary: str | os.PathLike[str] | Diary | None = None,
    athlete: str | os.PathLike[str] | Athlete | None = None,
    tz: str | None = None,
    progress: bool | None = None,
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
    """
    imports = import_all(paths, progress=progress)
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
