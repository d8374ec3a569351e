"""One athlete, start to finish: the task each cohort worker runs.

:func:`run_athlete` finds the athlete's files, skips the athlete when its
inputs did not change since the stored result, otherwise runs
:func:`runtwitch.analyze` in the worker's own process and commits the
athlete's tables. It never raises for a problem with the athlete's data:
the problem becomes the athlete's status. It returns a small summary (a dict
of plain values) so that thousands of them travel cheaply to the client.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import runtwitch
from runtwitch.cohort import store
from runtwitch.cohort.columns import COHORT_FORMAT, TABLES
from runtwitch.cohort.privacy import relative_name, scrub
from runtwitch.cohort.sources import AthleteInput
from runtwitch.cohort.tables import export
from runtwitch.errors import RuntwitchError
from runtwitch.io.batch import find_activity_files

#: Summary keys of an athlete (the columns of the athletes table, less the pseudonym).
SUMMARY_KEYS = (
    "status", "error_type", "error", "files", "imported", "failed", "runs", "episodes",
    "red_flags", "diary_problems", "warnings", "seconds", "analysed_utc",
)


@dataclass(frozen=True)
class AthleteJob:
    """What a worker needs for one athlete: the inputs, the output folder and the settings.

    Attributes
    ----------
    input
        The athlete's files (absolute paths) and pseudonym.
    out
        The output folder (the same path on every worker).
    include_notes, include_positions
        Export settings (see :func:`runtwitch.cohort.cohort`).
    cache
        The import cache of :func:`runtwitch.analyze` on the worker.
    force
        Analyse even when the inputs did not change.
    """

    input: AthleteInput
    out: str
    include_notes: bool = False
    include_positions: bool = False
    cache: bool | str = True
    force: bool = False


def _summary(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {k: None for k in SUMMARY_KEYS}
    base["warnings"] = []
    base.update(values)
    return base


def error_summary(athlete: str, error_type: str, error: str) -> dict[str, Any]:
    """The summary of an athlete that could not be analysed."""
    return {"athlete": athlete, **_summary(status="error", error_type=error_type, error=error)}


def run_athlete(job: AthleteJob) -> dict[str, Any]:
    """Analyse one athlete and store the tables; return the athlete's summary.

    The summary holds ``athlete`` (the pseudonym) and :data:`SUMMARY_KEYS`.
    ``status`` is ``ok``, ``partial``, ``unchanged`` or ``error``. Only a
    failure to write the output raises (so that the scheduler retries it).
    """
    t0 = time.perf_counter()
    inp, out = job.input, Path(job.out)
    athlete = inp.athlete
    skip = {p for p in (inp.diary, inp.profile) if p is not None}
    files = [f for f in find_activity_files(list(inp.activities)) if os.path.abspath(f) not in skip]
    named = [(relative_name(f, inp.roots), f) for f in files]
    named += [(relative_name(p, inp.roots), p) for p in sorted(skip)]
    previous = store.read_state(out, athlete)
    hashes = store.file_hashes(named, previous["files"] if previous else ())
    settings = {
        "runtwitch": runtwitch.__version__,
        "cohort_format": COHORT_FORMAT,
        "include_notes": job.include_notes,
        "include_positions": job.include_positions,
    }
    key = store.fingerprint(hashes, settings)
    tables = [t.name for t in TABLES if job.include_positions or not t.positions]
    if (
        not job.force
        and previous is not None
        and previous.get("fingerprint") == key
        and store.is_complete(out, athlete, tables)
    ):
        return {"athlete": athlete, **previous["summary"], "status": "unchanged"}
    if not files:
        store.remove(out, athlete)
        return error_summary(athlete, "NoActivityFiles", "no activity files found for the athlete")
    try:
        a = runtwitch.analyze(
            files, diary=inp.diary, athlete=inp.profile, progress=False, n_jobs=1, cache=job.cache
        )
        produced = export(
            a,
            inp.roots,
            diary=inp.diary,
            profile=inp.profile,
            include_notes=job.include_notes,
            include_positions=job.include_positions,
        )
    except RuntwitchError as exc:
        store.remove(out, athlete)
        return error_summary(athlete, type(exc).__name__, scrub(str(exc), inp.roots))
    except Exception as exc:  # a runtwitch bug: reported for this athlete, never fatal to the cohort
        store.remove(out, athlete)
        return error_summary(athlete, "InternalError", scrub(f"{type(exc).__name__}: {exc}", inp.roots))
    summary = _summary(
        status="ok",
        files=len(files),
        imported=sum(r.status in ("ok", "partial") for r in a.imports),
        failed=sum(r.status == "error" for r in a.imports),
        runs=int(a.runs["is_run"].sum()) if len(a.runs) else 0,
        episodes=len(a.explanation.episodes),
        red_flags=int(sum(bool(len(f)) for f in a.explanation.episodes["flags"])),
        diary_problems=len(a.diary.report.problems) if a.diary is not None else 0,
        warnings=[scrub(w, inp.roots) for w in a.warnings],
        seconds=round(time.perf_counter() - t0, 3),
        analysed_utc=pd.Timestamp.now(tz="UTC").isoformat(),
    )
    if summary["failed"] or summary["diary_problems"] or any(r.status == "partial" for r in a.imports):
        summary["status"] = "partial"
    store.commit(out, athlete, produced, {"fingerprint": key, "files": hashes, "summary": summary})
    return {"athlete": athlete, **summary}
