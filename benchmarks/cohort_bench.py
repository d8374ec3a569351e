"""Benchmark: a synthetic cohort analysed by one process and by a 2-worker Dask LocalCluster.

    python benchmarks/cohort_bench.py [--athletes 200] [--weeks 3] [--repeat 3] [--root DIR]

Builds the cohort once with scripts/make_sample_data.py (one folder per
runner, each a season of its own; reused when --root already holds it).
Then, --repeat times, the same work is timed three ways:

- one process: ``runtwitch.cohort(..., workers=0)``, every athlete's task run
  one after the other in a fresh process, no Dask (the baseline);
- Dask: ``runtwitch.cohort(..., client=...)`` on the ``LocalCluster(n_workers=2,
  threads_per_worker=1, processes=True)`` that ``runtwitch.cohort`` starts
  (:func:`runtwitch.cohort.local_cluster`), started and warmed up with
  ``import runtwitch`` before the clock starts; start-up is printed apart;
- the machine's ceiling: two plain processes (no Dask), each with half of
  the athletes, started together. No way of running two processes can do
  better than this on the same machine at the same moment.

Each run writes a new output folder with a new, empty import cache (a first
run of a study). Printed: the speed-up of Dask over one process as the min
and median over the repeats (target >= 1.6x on 2 workers), the ceiling's
speed-up and the share of it Dask reaches, the CPU time each way, the peak
memory (max RSS) of each worker and of the one process, and per-athlete
time, files and output size (the figures behind the 10,000-athlete plan in
docs/cohort.md).
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


def _cpu() -> float:
    """CPU seconds (user + system) of this process so far, all threads."""
    t = os.times()
    return t.user + t.system


def _in_process(root: str, out: str, cache: str, start: Any, queue: Any) -> None:
    """One process's share: wait for the start, analyse ``root``, report times and peak RSS."""
    import runtwitch

    start.wait()
    t, cpu = time.perf_counter(), _cpu()
    result = runtwitch.cohort(root, out=out, workers=0, salt=SALT, cache=cache, progress=False)
    end, cpu = time.perf_counter(), _cpu() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((t, end, cpu, rss, result.athletes["status"].value_counts().to_dict()))


def plain_processes(roots: list[Path], work: Path, name: str) -> tuple[float, float, float]:
    """Seconds (first start to last end), CPU seconds and peak RSS [MB] of one fresh process per root.

    The processes import runtwitch first and start together (imports not timed).
    """
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start = ctx.Barrier(len(roots) + 1)
    procs = [
        ctx.Process(target=_in_process,
                    args=(str(r), str(work / f"{name}-out{k}"), str(work / f"{name}-cache{k}"), start, queue))
        for k, r in enumerate(roots)
    ]
    for p in procs:
        p.start()
    start.wait()
    done = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = max(d[1] for d in done) - min(d[0] for d in done)
    cpu, rss = sum(d[2] for d in done), max(d[3] for d in done)
    statuses: dict[str, int] = {}
    for d in done:
        for s, n in d[4].items():
            statuses[s] = statuses.get(s, 0) + n
    label = "one process" if len(roots) == 1 else f"{len(roots)} processes"
    print(f"  {label + ':':<13}{seconds:7.1f} s, {cpu:6.1f} CPU s, peak {rss:.0f} MB, {statuses}")
    return seconds, cpu, rss


def on_dask(root: Path, work: Path, workers: int) -> tuple[float, float, list[float]]:
    """Seconds and CPU seconds (workers, scheduler, client) on a new LocalCluster; peak RSS per worker."""
    from distributed import Client

    import runtwitch
    from runtwitch.cohort import local_cluster

    t = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("runtwitch") and None)
        started = time.perf_counter() - t
        before = sum(client.run(_cpu).values()) + _cpu()
        t = time.perf_counter()
        result = runtwitch.cohort(
            root, out=work / "dask-out", client=client, salt=SALT, cache=work / "dask-cache", progress=False
        )
        seconds = time.perf_counter() - t
        cpu = sum(client.run(_cpu).values()) + _cpu() - before
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    rss = sorted(peaks.values())
    print(
        f"  {'Dask:':<13}{seconds:7.1f} s, {cpu:6.1f} CPU s (workers, scheduler and client; cluster "
        f"start-up {started:.1f} s apart), peak per worker {', '.join(f'{r:.0f}' for r in rss)} MB, "
        f"{result.athletes['status'].value_counts().to_dict()}"
    )
    return seconds, cpu, rss


def halves(root: Path, into: Path, parts: int) -> list[Path]:
    """The athlete folders of ``root`` split into ``parts`` folders of links."""
    athletes = sorted(p for p in root.iterdir() if p.is_dir())
    out = []
    for k in range(parts):
        part = into / f"part{k}"
        part.mkdir(parents=True)
        for a in athletes[k::parts]:
            (part / a.name).symlink_to(a.resolve())
        out.append(part)
    return out


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
        parts = halves(root, tmp / "parts", args.workers)
        base, dask, ceiling, cpus, worker_peaks, base_peaks = [], [], [], [], [], []
        for k in range(args.repeat):
            print(f"run {k + 1} of {args.repeat}")
            work = tmp / f"run{k}"
            work.mkdir()
            s1, c1, r1 = plain_processes([root], work, "one")
            s2, c2, r2 = on_dask(root, work, args.workers)
            s3, _, _ = plain_processes(parts, work, "split")
            base.append(s1)
            dask.append(s2)
            ceiling.append(s3)
            cpus.append((c1, c2))
            base_peaks.append(r1)
            worker_peaks += r2
            size = du(work / "dask-out")
            for cache in work.glob("*cache*"):
                shutil.rmtree(cache, ignore_errors=True)
        n = args.athletes
        ratios = [b / d for b, d in zip(base, dask, strict=True)]
        ceilings = [b / c for b, c in zip(base, ceiling, strict=True)]
        shares = [r / c for r, c in zip(ratios, ceilings, strict=True)]
        med = statistics.median
        print()
        print(f"cohort: {n} athletes, {files} activity files ({files / n:.1f} per athlete), "
              f"{os.cpu_count()} cores")
        print(f"one process: min {min(base):.1f} s, median {med(base):.1f} s "
              f"({med(base) / n * 1000:.0f} ms per athlete, {med(base) / files * 1000:.0f} ms per file)")
        print(f"Dask, {args.workers} workers: min {min(dask):.1f} s, median {med(dask):.1f} s")
        print(f"speed-up: min {min(ratios):.2f}x, median {med(ratios):.2f}x "
              f"(target >= {TARGET}x) {'OK' if min(ratios) >= TARGET else 'BELOW TARGET'}")
        print(f"ceiling of this machine ({args.workers} plain processes, half the athletes each): "
              f"min {min(ceilings):.2f}x, median {med(ceilings):.2f}x; Dask reaches min {min(shares):.0%}, "
              f"median {med(shares):.0%} of it")
        c1, c2 = (med(c) for c in zip(*cpus, strict=True))
        print(f"CPU time: one process {c1:.0f} s, Dask {c2:.0f} s ({c2 / c1:.2f}x)")
        print(f"peak memory: per worker max {max(worker_peaks):.0f} MB (median {med(worker_peaks):.0f}); "
              f"one process max {max(base_peaks):.0f} MB")
        print(f"output: {size / 1e6:.1f} MB, {size / n / 1e3:.0f} kB per athlete "
              f"({size / files / 1e3:.1f} kB per activity file)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
