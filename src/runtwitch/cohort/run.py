"""``cohort``: many athletes at once, one Dask task each, into one Parquet dataset."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm import tqdm

from runtwitch.cohort import store
from runtwitch.cohort.athlete import AthleteJob, error_summary, run_athlete
from runtwitch.cohort.columns import ATHLETES, EPISODES, PARTITION, PATTERNS, POOLED, table
from runtwitch.cohort.pooling import MIN_ATHLETES, MIN_EPISODES, pooled_patterns
from runtwitch.cohort.privacy import check_salt, default_salt_file, load_or_create_salt, pseudonym
from runtwitch.cohort.sources import AthleteInput, find_athletes
from runtwitch.cohort.summary import to_html
from runtwitch.cohort.tables import arrow_table

if TYPE_CHECKING:
    from distributed import Client

#: Retries of an athlete's task that raised (a failed write); a task lost with a
#: killed worker is re-run by the scheduler up to ``distributed.scheduler.allowed-failures`` times.
RETRIES = 2
INSTALL_HINT = "runtwitch cohorts need Dask: pip install 'runtwitch[cohort]'"


@dataclass
class CohortResult:
    """What :func:`cohort` produced.

    Attributes
    ----------
    out
        The output folder (the dataset, ``athletes.parquet``,
        ``pooled_patterns.parquet`` and ``summary.html``).
    athletes
        One row per athlete of the source (see docs/cohort.md, ``athletes``).
    pooled
        :func:`runtwitch.cohort.pooled_patterns` over the analysed athletes.
    summary
        Path of the HTML summary.
    salt_file
        Where the salt is kept (None when it was given).
    pseudonyms
        Athlete id (folder name or manifest id) -> pseudonym. Kept in memory
        only; it is the key to the names and is written nowhere.
    """

    out: Path
    athletes: pd.DataFrame
    pooled: pd.DataFrame
    summary: Path
    salt_file: Path | None
    pseudonyms: dict[str, str] = field(repr=False)


def cohort(
    source: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    client: Client | str | None = None,
    workers: int | None = None,
    salt: str | bytes | None = None,
    include_positions: bool = False,
    include_notes: bool = False,
    cache: bool | str | os.PathLike[str] = True,
    force: bool = False,
    retries: int = RETRIES,
    min_athletes: int = MIN_ATHLETES,
    min_episodes: int = MIN_EPISODES,
    progress: bool | None = None,
) -> CohortResult:
    """Analyse every athlete of a cohort, one Dask task each, into a Parquet dataset.

    Parameters
    ----------
    source
        A folder with one sub-folder per athlete (activity files, ``diary.csv``,
        ``athlete.toml``), or a CSV manifest (``athlete_id,path,role``); see
        docs/cohort.md.
    out
        The output folder: new, empty, or a previous cohort output (athletes
        whose inputs did not change are not analysed again).
    client
        A ``distributed.Client``, or the address of a Dask scheduler
        (``tcp://host:8786``). Default: a ``LocalCluster`` of ``workers``
        processes on this machine, closed at the end.
    workers
        Worker processes of the default cluster (default: all cores). 0 runs
        every athlete in this process, without Dask (for debugging). Not
        together with ``client``.
    salt
        The secret behind the pseudonyms (at least 16 characters). Default:
        the file ``<out>.salt`` beside the output folder, created on first use.
    include_positions
        Add the ``positions`` table (where each activity started and ended).
    include_notes
        Keep the diary's free text (notes, medicines, recovery measures).
    cache
        The import cache of each worker, as in :func:`runtwitch.analyze`.
    force
        Analyse every athlete, even when the inputs did not change.
    retries
        Retries of an athlete whose task raised (failed writes) on Dask.
    min_athletes, min_episodes
        Minimums of the pooled patterns (:func:`runtwitch.cohort.pooled_patterns`).
    progress
        Show a progress bar (default: only when stderr is a terminal).

    Returns
    -------
    CohortResult
        Per-athlete statuses and the pooled patterns. An athlete that failed
        is reported in ``athletes`` (``status`` error); it never stops the others.

    Raises
    ------
    FileError
        The source is missing or malformed, or ``out`` is a folder that is not
        a cohort output.
    ModuleNotFoundError
        Dask is not installed (``pip install 'runtwitch[cohort]'``).
    """
    if workers is not None and workers < 0:
        raise ValueError(f"workers={workers}: expected 0 (this process) or more worker processes")
    if workers is not None and client is not None:
        raise ValueError("give client= (an existing cluster) or workers= (a local one), not both")
    out_dir = Path(os.fspath(out)).expanduser().resolve()
    entries = find_athletes(source, exclude=[out_dir])
    salt_file = None
    if salt is None:
        salt_file = default_salt_file(out_dir)
        secret = load_or_create_salt(salt_file)
    else:
        secret = check_salt(salt)
    ids = {e.athlete_id: pseudonym(e.athlete_id, secret) for e in entries}
    if len(set(ids.values())) != len(ids):  # 64-bit pseudonyms: practically never
        raise ValueError("two athletes share a pseudonym; run again with another salt")
    store.prepare(out_dir)
    cache_setting: bool | str = cache if isinstance(cache, bool) else os.fspath(cache)
    jobs = [
        AthleteJob(
            AthleteInput(ids[e.athlete_id], e.activities, e.diary, e.profile, e.roots),
            str(out_dir),
            include_notes=include_notes,
            include_positions=include_positions,
            cache=cache_setting,
            force=force,
        )
        for e in entries
    ]
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(jobs), desc="athletes", unit="athlete", disable=not show, leave=False) as bar:
        if workers == 0:
            summaries = []
            for job in jobs:
                try:
                    summaries.append(run_athlete(job))
                except OSError as exc:  # the output could not be written: this athlete only
                    summaries.append(error_summary(job.input.athlete, type(exc).__name__, str(exc)))
                bar.update()
        else:
            summaries = list(_on_dask(jobs, client, workers, retries, bar))
    store.clean_staging(out_dir)
    return _finish(out_dir, summaries, ids, salt_file, min_athletes, min_episodes)


def _distributed() -> Any:
    """The ``distributed`` module (used through Any: it is untyped in places)."""
    try:
        import distributed
    except ImportError as exc:
        raise ModuleNotFoundError(INSTALL_HINT) from exc
    return distributed


def local_cluster(workers: int | None = None) -> Any:
    """A ``LocalCluster`` of ``workers`` processes (default: all cores) set up for runtwitch.

    One thread per worker (the analysis holds the GIL, so processes are what
    run in parallel) and no statistical profiler in the workers (it samples
    the running task every 10 ms and cost about a tenth of the CPU time of
    an athlete). No dashboard.
    """
    dist = _distributed()
    import dask

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return dist.LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )


def _on_dask(
    jobs: list[AthleteJob], client: Client | str | None, workers: int | None, retries: int, bar: tqdm[Any]
) -> Iterator[dict[str, Any]]:
    """Run the jobs as Dask tasks; yield each athlete's summary as it completes."""
    dist = _distributed()
    own_cluster = None
    if client is None:
        own_cluster = local_cluster(workers)
        dask_client = dist.Client(own_cluster)
    elif isinstance(client, str):
        dask_client = dist.Client(client)
    else:
        dask_client = client
    token = uuid.uuid4().hex[:8]
    try:
        futures = {
            dask_client.submit(run_athlete, job, key=f"runtwitch-athlete-{job.input.athlete}-{token}",
                               retries=retries, pure=False): job.input.athlete
            for job in jobs
        }
        for fut in dist.as_completed(futures, raise_errors=False):
            if fut.status == "finished":
                yield fut.result()
            else:  # lost with its workers more often than allowed, or failed writing after retries
                err = fut.exception()
                yield error_summary(futures[fut], type(err).__name__, str(err))
            fut.release()
            bar.update()
    finally:
        if dask_client is not client:
            dask_client.close()
        if own_cluster is not None:
            own_cluster.close()


def _finish(
    out: Path,
    summaries: list[dict[str, Any]],
    ids: dict[str, str],
    salt_file: Path | None,
    min_athletes: int,
    min_episodes: int,
) -> CohortResult:
    """Write the athletes table, the pooled patterns and the summary of this run's athletes."""
    order = {pid: k for k, pid in enumerate(ids.values())}
    summaries.sort(key=lambda s: order.get(s["athlete"], len(order)))
    athletes = pd.DataFrame(summaries, columns=ATHLETES.column_names())
    athletes["analysed_utc"] = pd.to_datetime(athletes["analysed_utc"], utc=True, format="ISO8601")
    analysed = [p for p, s in zip(athletes[PARTITION], athletes["status"], strict=True) if s != "error"]
    counts = read_table(out, PATTERNS.name, analysed)
    pooled = pooled_patterns(counts, min_athletes=min_athletes, min_episodes=min_episodes)
    episodes = read_table(out, EPISODES.name, analysed, columns=["top_cause", "flags"])
    store.write_parquet(out / "athletes.parquet", arrow_table(ATHLETES, athletes))
    store.write_parquet(out / "pooled_patterns.parquet", arrow_table(POOLED, pooled))
    summary = out / "summary.html"
    page = to_html(athletes, pooled, episodes, min_athletes=min_athletes, min_episodes=min_episodes)
    store.write_atomic(summary, page.encode("utf-8"))
    return CohortResult(out, athletes, pooled, summary, salt_file, dict(ids))


def read_table(
    out: str | os.PathLike[str],
    name: str,
    athletes: list[str] | None = None,
    *,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """One table of a cohort dataset as a pandas frame, optionally for some athletes only.

    The ``athlete`` column (the pseudonym) comes first. A table no athlete
    has written yet is returned empty, with its columns.
    """
    import pyarrow.dataset as ds

    folder = Path(os.fspath(out)) / name
    wanted = None if columns is None else [PARTITION, *columns]
    if not folder.is_dir() or (athletes is not None and not athletes):
        return pd.DataFrame(columns=wanted or [PARTITION, *table(name).column_names(include_notes=True)])
    data = ds.dataset(folder, format="parquet", partitioning="hive")
    filt = None if athletes is None else ds.field(PARTITION).isin(athletes)
    frame: pd.DataFrame = data.to_table(columns=wanted, filter=filt).to_pandas()
    frame[PARTITION] = frame[PARTITION].astype(str)
    return frame[[PARTITION, *[c for c in frame.columns if c != PARTITION]]]
