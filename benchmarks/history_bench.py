"""Benchmark importing a whole history: cold and warm import, memory per activity.

    .venv/bin/python benchmarks/history_bench.py [--n 1500 5000] [--runs 3] [--jobs 2]
    .venv/bin/python benchmarks/history_bench.py --n 15000 --replicate   # no cold import
    .venv/bin/python benchmarks/history_bench.py --n 300 --split-only    # the CPU split per file alone

Builds a synthetic history of N files (five real corpus runs of about an hour,
copied under new names and each made unique, so that every file has its own
cache entry), then prints for each N, min and median of ``--runs`` runs:

- **floor**: reading and SHA-256 hashing every file's bytes on one core, the
  least any import that checks the cache must do (the same-run baseline that
  makes the other figures comparable across machines);
- **cold**: importing the history into an empty cache with ``--jobs`` worker
  processes, and the CPU time per file the worker processes and the calling
  process spent on it (what crossing the process boundary costs shows as
  workers' CPU above the split below);
- **cold, per file**: the CPU time per file of each part of a cold import
  (read + hash, import, store, the caller loading the entry), median over a
  sample of files imported one by one in this process; and, apart from the
  cold import, reading the stored records back (what an analysis of a cached
  activity pays the first time it reads its records);
- **warm**: importing it again, every file a cache hit (no file read: the
  cache's index of files read knows them, :mod:`runtwitch.io.fileindex`),
  and the same with the index deleted before each run (every file read and
  hashed again, as before the index);
- **memory**: in a fresh process, the warm import of the whole history held in
  a list: peak RSS, and the resident memory per activity (RSS after the import
  minus RSS after importing one file and dropping it, divided by N); then the same after
  every activity's records have been read once (``len(act.records)``).

Targets (issue 18): 1,500 files cold < 10 s and warm < 1 s on 2 cores;
15,000 activities well under 1 GB resident when their records are not touched.
Absolute times vary with the load of the machine: read them against the floor.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import runtwitch
from runtwitch.io.fileindex import INDEX_FILE
from runtwitch.testing import FitWriter

#: Real runs of about an hour (3,000-4,000 records each), copied to build the history.
HISTORY_SEEDS = [
    "fit/runpandas__run.fit",
    "fit/sports-lib__6782987395.fit",
    "fit/runalyze__garmin-runPower-2.fit",
    "fit/goldencheetah__Garmin920_withFirstbeat.fit",
    "fit/sweatpy__4801048867.fit",
]
COLD_TARGET_S, WARM_TARGET_S, MEMORY_TARGET_MB = 10.0, 1.0, 1024.0


def write_history(folder: Path, corpus: Path, n: int) -> None:
    """N files: the seeds in turn, each followed by a tiny FIT file with its own serial number."""
    folder.mkdir(parents=True)
    seeds = [(corpus / s).read_bytes() for s in HISTORY_SEEDS]
    for k in range(n):
        # Identical copies would share one cache entry; a chained FIT file is still valid FIT.
        tail = FitWriter()
        tail.add("file_id", type=4, manufacturer=255, product=1, serial_number=k + 1)
        (folder / f"{k:05d}.fit").write_bytes(seeds[k % len(seeds)] + tail.to_bytes())


def fill_by_replication(folder: Path, cache: Path) -> None:
    """Fill the cache without a cold import: each file gets a copy of its seed's entry.

    For histories too large to import cold on a shared machine. The first
    copy of each seed is imported and stored; every other file's entry (named
    by its own bytes) is a copy of that entry. The warm import then finds
    every file's entry and loads it as usual (reading and hashing each file
    the first time, then from the index of files read); only the tiny FIT file
    chained to each copy is missing from its entry's metadata.
    """
    from runtwitch.io import cache as cache_mod

    files = sorted(folder.iterdir())
    seeds: list[Path] = []
    for p in files[:len(HISTORY_SEEDS)]:
        key = cache_mod.content_key(p.read_bytes())
        cache_mod.store(cache, key, runtwitch.read_activity(p))
        seeds.append(cache / key)
    for k, p in enumerate(files[len(seeds):], start=len(seeds)):
        shutil.copytree(seeds[k % len(seeds)], cache / cache_mod.content_key(p.read_bytes()))


def floor_s(folder: Path) -> float:
    """Seconds to read and hash every file once, on one core."""
    t0 = time.perf_counter()
    for p in sorted(folder.iterdir()):
        hashlib.sha256(p.read_bytes()).digest()
    return time.perf_counter() - t0


def cold_parts_ms(folder: Path, sample: int = 40) -> dict[str, list[float]]:
    """CPU milliseconds per file of each part of a cold import, in this process, over a sample.

    The parts a worker does for a file that is not in the cache: reading and
    hashing its bytes, importing them (decoding and the canonical frames) and
    storing the entry; then what the calling process does with the key it
    gets back (reading the entry's JSON). "read records" is not part of the
    cold import: reading the stored records back from the entry, as a later
    analysis does. Process time, not wall time, so the split is less
    sensitive to the machine's load.
    """
    from runtwitch.io import cache as cache_mod
    from runtwitch.io.source import named_buffer

    parts: dict[str, list[float]] = {"read + hash": [], "import": [], "store": [], "load entry": [],
                                     "read records": []}
    files = sorted(folder.iterdir())[:sample]
    with tempfile.TemporaryDirectory() as tmp:
        for p in files:
            t0 = time.process_time()
            data = p.read_bytes()
            key = cache_mod.content_key(data)
            t1 = time.process_time()
            act = runtwitch.read_activity(named_buffer(data, str(p)))
            t2 = time.process_time()
            cache_mod.store(Path(tmp), key, act)
            t3 = time.process_time()
            hit = cache_mod.load(Path(tmp), key, str(p))
            t4 = time.process_time()
            if hit is not None:
                len(hit.records)
            t5 = time.process_time()
            for name, took in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                parts[name].append(took * 1000)
    return parts


def import_s(folder: Path, cache: Path, jobs: int, cpu: list[tuple[float, float]] | None = None) -> float:
    """Wall seconds of importing the history; appends (this process, its workers) CPU seconds to ``cpu``."""
    self0, child0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    results = runtwitch.read_activities([folder], cache=cache, n_jobs=jobs, progress=False)
    took = time.perf_counter() - t0
    self1, child1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:  # the workers are joined when the import returns: their time is in RUSAGE_CHILDREN
        cpu.append(tuple(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime  # type: ignore[misc]
                         for a, b in ((self0, self1), (child0, child1))))
    bad = [r for r in results if r.status not in ("ok", "partial")]
    if bad:
        raise SystemExit(f"{len(bad)} files failed: {bad[0].path}: {bad[0].error}")
    return took


#: Run in a fresh process: RSS figures of holding the whole (warm) history.
_MEMORY_CODE = """
import gc, json, re, sys, warnings
def status(key):
    return int(re.search(key + r':\\s+(\\d+)', open('/proc/self/status').read()).group(1)) / 1024
import os, runtwitch
warnings.simplefilter('ignore')
# One file first, dropped: what a first import loads once (modules, importers) is not per activity.
one = os.path.join(sys.argv[1], sorted(os.listdir(sys.argv[1]))[0])
len(runtwitch.read_activities([one], cache=sys.argv[2], n_jobs=1, progress=False)[0].activity.records)
gc.collect()
base = status('VmRSS')
results = runtwitch.read_activities([sys.argv[1]], cache=sys.argv[2], n_jobs=int(sys.argv[3]), progress=False)
acts = [r.activity for r in results if r.activity is not None]
gc.collect()
held, peak = status('VmRSS'), status('VmHWM')
rows = sum(len(a.records) for a in acts)
gc.collect()
touched, peak_touched = status('VmRSS'), status('VmHWM')
print(json.dumps({"base": base, "held": held, "peak": peak, "touched": touched,
                  "peak_touched": peak_touched, "n": len(acts), "rows": rows}))
"""


def memory(folder: Path, cache: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _MEMORY_CODE, str(folder), str(cache), str(jobs)],
                         capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out))


def _mm(xs: list[float]) -> str:
    return f"{min(xs):6.2f} / {statistics.median(xs):6.2f}"


def split_only(n: int, corpus: Path) -> None:
    """Print only the CPU split per file of a cold import (a few seconds: for before/after comparisons)."""
    with tempfile.TemporaryDirectory(prefix="runtwitch-history-") as tmp:
        write_history(Path(tmp) / "history", corpus, n)
        split = cold_parts_ms(Path(tmp) / "history")
    medians = {k: statistics.median(v) for k, v in split.items()}
    total = sum(v for k, v in medians.items() if k != "read records")
    print(f"cold, CPU per file on 1 core (median of {len(split['import'])} files), load average "
          f"{os.getloadavg()[0]:.1f}: " + ", ".join(f"{k} {v:.2f}" for k, v in medians.items())
          + f"; cold import all included {total:.2f} ms")


def bench(n: int, corpus: Path, runs: int, cold_runs: int, jobs: int, replicate: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="runtwitch-history-"))
    cpu: list[tuple[float, float]] = []
    try:
        hist = tmp / "history"
        write_history(hist, corpus, n)
        floor_s(hist)  # the files into the page cache, as in every later pass
        floors = [floor_s(hist) for _ in range(runs)]
        colds = []
        if replicate:
            fill_by_replication(hist, tmp / "cache")
        for _ in range(0 if replicate else cold_runs):
            shutil.rmtree(tmp / "cache", ignore_errors=True)
            colds.append(import_s(hist, tmp / "cache", jobs, cpu))
        rehashed = []
        for _ in range(runs):  # every file read and hashed again: the index of files read deleted
            (tmp / "cache" / INDEX_FILE).unlink(missing_ok=True)
            rehashed.append(import_s(hist, tmp / "cache", jobs))
        import_s(hist, tmp / "cache", jobs)  # the index complete (files younger than RACY_S are left out)
        warms = [import_s(hist, tmp / "cache", jobs) for _ in range(runs)]
        split = cold_parts_ms(hist) if colds else {}
        mem = memory(hist, tmp / "cache", jobs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f = min(floors)
    per_held = (mem["held"] - mem["base"]) / n * 1024
    per_touched = (mem["touched"] - mem["base"]) / n * 1024
    print(f"\nhistory of {n} files ({mem['rows']:,} records), {jobs} workers, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; seconds min / median:")
    print(f"  floor (read + SHA-256, 1 core) {_mm(floors)}")
    if colds:
        print(f"  cold import                   {_mm(colds)}  = {min(colds) / f:5.1f}x floor "
              f"(target for 1,500: {COLD_TARGET_S:.0f} s); CPU per file, min / median: workers "
              f"{_mm([c[1] / n * 1000 for c in cpu])} ms, "
              f"this process {_mm([c[0] / n * 1000 for c in cpu])} ms")
        cold = {k: v for k, v in split.items() if k != "read records"}
        total = sum(statistics.median(v) for v in cold.values())
        print(f"  cold, CPU per file on 1 core (median of {len(split['import'])} files): "
              + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in cold.items())
              + f" = {total:.1f} ms (target for 1,500 files in {COLD_TARGET_S:.0f} s on {jobs} workers: "
              f"{COLD_TARGET_S * jobs / 1.5:.1f} ms); reading the stored records back "
              f"{statistics.median(split['read records']):.1f} ms")
    else:
        print("  cold import                   not run (--replicate: the cache was filled with copies)")
    print(f"  warm import                   {_mm(warms)}  = {min(warms) / f:5.1f}x floor "
          f"(target for 1,500: {WARM_TARGET_S:.0f} s)")
    print(f"  warm, every file read again   {_mm(rehashed)}  = {min(rehashed) / f:5.1f}x floor "
          f"(the index of files read deleted before each run)")
    print(f"  memory, whole history held: peak RSS {mem['peak']:.0f} MB, resident {mem['held']:.0f} MB "
          f"({mem['base']:.0f} MB before): {per_held:.1f} KB per activity "
          f"-> {per_held * 15000 / 1024:.0f} MB for 15,000 (target < {MEMORY_TARGET_MB:.0f} MB)")
    print(f"  after reading every activity's records once: resident {mem['touched']:.0f} MB "
          f"({per_touched:.1f} KB per activity), peak {mem['peak_touched']:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[1500], help="files in each synthetic history")
    ap.add_argument("--runs", type=int, default=3, help="runs of the floor and the warm import")
    ap.add_argument("--cold-runs", type=int, default=3, help="runs of the cold import (slow)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--split-only", action="store_true",
                    help="print only the CPU split per file of a cold import (for before/after comparisons)")
    ap.add_argument("--replicate", action="store_true",
                    help="fill the cache by copying entries instead of a cold import (large N)")
    ap.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    )
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    for n in args.n:
        if args.split_only:
            split_only(n, args.corpus)
        else:
            bench(n, args.corpus, args.runs, args.cold_runs, args.jobs, args.replicate)


if __name__ == "__main__":
    main()
