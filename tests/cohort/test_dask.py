"""Twenty athletes on a two-process Dask cluster: a broken diary, an empty folder, a killed worker."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import runtwitch
from runtwitch.cohort import local_cluster
from tests.helpers.cohort import assert_matches_analysis, write_cohort

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

ATHLETES = 20
#: Folder-name endings of the athlete with a broken diary and of the one without files.
BROKEN_DIARY, NO_FILES = "-0003", "-0007"
SALT = "a salt for the tests, long enough"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("club")
    folders = {f.name[-5:]: f for f in write_cohort(path, ATHLETES, weeks=3)}
    # a diary saved from the wrong sheet: no 'date' column at all
    (folders[BROKEN_DIARY] / "diary.csv").write_text("weight;steps\n61;12000\n", encoding="utf-8")
    for f in folders[NO_FILES].iterdir():  # an athlete who has not uploaded any activity yet
        if f.suffix in (".fit", ".gpx", ".tcx"):
            f.unlink()
    return path


@pytest.fixture(scope="module")
def client() -> Any:
    # LocalCluster(n_workers=2, processes=True), one thread each, as runtwitch.cohort starts it
    with local_cluster(2) as cluster, distributed.Client(cluster) as c:
        yield c


def _kill_a_busy_worker(client: Any, out: Path, done: threading.Event) -> int | None:
    """Once an athlete is stored, SIGKILL a worker that is running an athlete; its pid."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not done.is_set():
        if any((out / "_state").glob("*.json")):
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                pid: int = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                return pid
        time.sleep(0.05)
    return None


def test_twenty_athletes_on_two_workers(root: Path, client: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    found: dict[str, runtwitch.CohortResult] = {}
    done = threading.Event()

    def run() -> None:
        try:
            found["result"] = runtwitch.cohort(root, out=out, client=client, salt=SALT, progress=False)
        finally:
            done.set()

    worker = threading.Thread(target=run)
    worker.start()
    killed = _kill_a_busy_worker(client, out, done)
    worker.join(timeout=600)
    assert killed is not None, "no worker was busy to be killed"
    assert killed not in client.run(os.getpid).values()  # the nanny started a new worker
    result = found["result"]

    names = sorted(p.name for p in root.iterdir())
    by_end = {n[-5:]: n for n in names}
    status = result.athletes.set_index("athlete")
    broken = status.loc[result.pseudonyms[by_end[BROKEN_DIARY]]]
    assert (broken["status"], broken["error_type"]) == ("error", "DiaryError")
    assert "no 'date' column" in broken["error"] and by_end[BROKEN_DIARY] not in broken["error"]
    empty = status.loc[result.pseudonyms[by_end[NO_FILES]]]
    assert (empty["status"], empty["error_type"]) == ("error", "NoActivityFiles")
    good = [n for n in names if n[-5:] not in (BROKEN_DIARY, NO_FILES)]
    # "unchanged" when the worker was killed after storing the athlete and before reporting it:
    # the retry finds the stored result complete and up to date
    assert status.loc[[result.pseudonyms[n] for n in good], "status"].isin(["ok", "unchanged"]).all()

    # no athlete lost to the killed worker: every one equals its single-process analysis
    for n in good:
        assert_matches_analysis(out, result.pseudonyms[n], root / n)

    # the dataset reads back with pandas and with dask.dataframe; ids are pseudonyms
    for table in ("runs", "days", "episodes", "causes", "patterns", "imports"):
        frame = pd.read_parquet(out / table)
        lazy = dd.read_parquet(out / table)
        assert len(lazy) == len(frame) > 0, table
        stored = set(frame["athlete"].astype(str))
        assert stored <= {result.pseudonyms[n] for n in good} and not set(names) & stored
    assert set(pd.read_parquet(out / "runs")["athlete"]) == {result.pseudonyms[n] for n in good}
    assert "DiaryError" in result.summary.read_text(encoding="utf-8")

    # a second run on the same cluster finds nothing changed
    again = runtwitch.cohort(root, out=out, client=client, salt=SALT, progress=False)
    assert (again.athletes.set_index("athlete").loc[[result.pseudonyms[n] for n in good], "status"]
            == "unchanged").all()
    assert set(again.athletes["status"]) == {"unchanged", "error"}
