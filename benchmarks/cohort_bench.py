"""Benchmark: a synthetic cohort analysed by one process and by a 2-worker Dask LocalCluster.

    python benchmarks/cohort_bench.py [--athletes 200] [--weeks 3] [--repeat 3] [--root DIR]

Builds the cohort once with scripts/make_sample_data.py (one folder per
runner, each a season of its own; reused when --root already holds it).
Then, --repeat times, the same work is timed twice:

- one process: ``runtwitch.cohort(..., workers=0)``, every athlete's task run
  one after the other in a fresh process, no Dask;
- Dask: ``runtwitch.cohort(..., client=...)`` on the ``LocalCluster(n_workers=2,
  threads_per_worker=1, processes=True)`` that ``runtwitch.cohort`` starts
  (:func:`runtwitch.cohort.local_cluster`), started and warmed up with
  ``import runtwitch`` before the clock starts; start-up is printed apart.

Both write a new output folder with a new, empty import cache: a first run of
a study. Printed: the speed-up (one process / Dask) as the min and median over
the repeats (target >= 1.6x on 2 workers), the peak memory (max RSS) of each
worker and of the one process, and per-athlete time, files and output size
(the figures behind the 10,000-athlete plan in docs/cohort.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.6
SALT = "benchmark salt, not a secret one"


def build(root: Path, athletes: int, weeks: int) -> None:
    """Write the cohort unless ``root`` already holds it."""
    if root.is_dir() and len([p for p in root.iterdir() if p.is_dir()]) == athletes:
        return
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_sample_data

    t = time.perf_counter()
    make_sample_data.write_cohort(root, athletes, weeks=weeks)
    print(f"wrote {athletes} athletes ({weeks} weeks each) in {time.perf_counter() - t:.0f} s")


def _one_process(root: str, out: str, cache: str, queue: Any) -> None:
    import runtwitch

    t = time.perf_counter()
    result = runtwitch.cohort(root, out=out, workers=0, salt=SALT, cache=cache, progress=False)
    seconds = time.perf_counter() - t
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               result.athletes["status"].value_counts().to_dict()))


def one_process(root: Path, work: Path) -> tuple[float, float]:
    """Seconds and peak RSS [MB] of the whole cohort in one fresh process (imports not timed)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=_one_process, args=(str(root), str(work / "out1"), str(work / "cache1"), queue))
    p.start()
    seconds, rss, statuses = queue.get()
    p.join()
    print(f"  one process: {seconds:6.1f} s, peak {rss:.0f} MB, {statuses}")
    return seconds, rss


def on_dask(root: Path, work: Path, workers: int) -> tuple[float, list[float]]:
    """Seconds of the whole cohort on a fresh LocalCluster, and each worker's peak RSS [MB]."""
    from distributed import Client, LocalCluster

    import runtwitch

    t = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("runtwitch") and None)
        started = time.perf_counter() - t
        t = time.perf_counter()
        result = runtwitch.cohort(
            root, out=work / "out2", client=client, salt=SALT, cache=work / "cache2", progress=False
        )
        seconds = time.perf_counter() - t
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    rss = sorted(peaks.values())
    print(
        f"  {workers} workers:   {seconds:6.1f} s (cluster start-up {started:.1f} s apart), "
        f"peak per worker {', '.join(f'{r:.0f}' for r in rss)} MB, "
        f"{result.athletes['status'].value_counts().to_dict()}"
    )
    return seconds, rss


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--athletes", type=int, default=200)
    ap.add_argument("--weeks", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--root", type=Path, help="where the cohort is written (default: a temporary folder)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="runtwitch-cohort-bench-"))
    root = args.root or tmp / "cohort"
    try:
        build(root, args.athletes, args.weeks)
        files = sum(1 for p in root.rglob("*") if p.suffix in (".fit", ".gpx", ".tcx"))
        ratios, base, dask, worker_peaks, base_peaks = [], [], [], [], []
        for k in range(args.repeat):
            print(f"run {k + 1} of {args.repeat}")
            work = tmp / f"run{k}"
            work.mkdir()
            s1, r1 = one_process(root, work)
            s2, r2 = on_dask(root, work, args.workers)
            base.append(s1)
            dask.append(s2)
            base_peaks.append(r1)
            worker_peaks += r2
            ratios.append(s1 / s2)
            size = du(work / "out2")
            shutil.rmtree(work / "cache1", ignore_errors=True)
            shutil.rmtree(work / "cache2", ignore_errors=True)
        n = args.athletes
        print()
        print(f"cohort: {n} athletes, {files} activity files ({files / n:.1f} per athlete), "
              f"{os.cpu_count()} cores")
        print(f"one process: min {min(base):.1f} s, median {statistics.median(base):.1f} s "
              f"({statistics.median(base) / n * 1000:.0f} ms per athlete, "
              f"{statistics.median(base) / files * 1000:.0f} ms per file)")
        print(f"{args.workers} workers:   min {min(dask):.1f} s, median {statistics.median(dask):.1f} s")
        print(f"speed-up: min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x "
              f"(target >= {TARGET}x) {'OK' if min(ratios) >= TARGET else 'BELOW TARGET'}")
        print(f"peak memory: per worker max {max(worker_peaks):.0f} MB "
              f"(median {statistics.median(worker_peaks):.0f}); one process max {max(base_peaks):.0f} MB")
        print(f"output: {size / 1e6:.1f} MB, {size / n / 1e3:.0f} kB per athlete "
              f"({size / files / 1e3:.1f} kB per activity file)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
