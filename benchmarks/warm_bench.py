"""Benchmark: a warm analysis — every activity read from the import cache, nothing new.

    python benchmarks/warm_bench.py                  # N = 1500
    python benchmarks/warm_bench.py --sizes 1500,5000 --repeat 5
    python benchmarks/warm_bench.py --profile 1500   # cProfile of one warm analysis
    python benchmarks/warm_bench.py --cache /tmp/warm-1500 --cpu   # a kept cache, CPU time

To compare two versions of the code, keep the cache (``--cache DIR``: filled
on the first use, reused after) and run this script in turn with each
version first on ``PYTHONPATH``, with ``--cpu`` on a shared machine.

What ``runtwitch.analyze(folder)`` does the second time on an unchanged
history, after the import (whose warm figure ``history_bench.py`` prints):
the activities come from the import cache (:func:`runtwitch.io.cache.load`:
their records are not in memory), then ``Season.build``, ``run_features``,
``daily_features`` and ``explain`` run on them.

For each N, a first process builds N activities by replicating real corpus
runs one a day (``analyze_bench.replica``), stores each in a temporary import
cache under its own key and runs the **first** analysis (the one after an
import: it computes and keeps every per-activity derived value). A second,
fresh process then prints:

- **warm**: ``--repeat`` analyses, each on activities loaded afresh from the
  cache (min and median), split into loading the entries and each step, with
  the diary of ``analyze_bench.py``;
- **baseline**: in the same process, reading every activity's records once
  from the cache (``len(act.records)``): what any analysis that looks at the
  records must pay at least. The warm analysis should need far less;
- how many activities had their records read during a warm analysis (the
  target is none), the resident memory after ``import runtwitch`` and the
  peak of the process (which held only the cache entries and the analysis).

Target (issue 18): the warm ``analyze()`` of 1,500 activities < 2 s, so the
analysis here plus the warm import of ``history_bench.py`` (0.7 s) must stay
within it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

import runtwitch
from runtwitch.io import cache as import_cache
from runtwitch.weather import calibrate_from_weather

try:
    from runtwitch.io.batch import collector_paused
except ImportError:  # a version of the code from before the analysis paused the collector
    collector_paused = contextlib.nullcontext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analyze_bench import (  # sibling scripts, not a package
    ATHLETE,
    DAY0,
    diary_frame,
    print_profile,
    replica,
    rss_mb,
)
from features_bench import SEEDS

#: The clock of every time printed: wall time, or the process's CPU time with ``--cpu`` (steadier
#: on a machine other work shares).
CLOCK = time.perf_counter
#: Target: warm analyze() of 1,500 activities, import included [s].
TARGET_1500_S = 2.0
#: The steps of the analysis after import, as ``runtwitch.analyze`` runs them.
STEPS = ["Season.build", "run_features", "daily_features", "explain"]


def analysis(history: list[runtwitch.Activity], diary: runtwitch.Diary,
             athlete: runtwitch.Athlete) -> tuple[dict[str, float], int]:
    """What ``analyze`` does after import (without weather): each step's time [s], and the episodes.

    Unlike ``analyze_bench.analysis``, which times reading the records apart,
    this is the pipeline as it runs: ``run_features`` reads the per-activity
    values kept beside the cache, or computes and keeps them; the cyclic
    garbage collector is paused, as ``analyze`` pauses it.
    """
    with collector_paused():
        t0 = CLOCK()
        season = runtwitch.Season.build(history, diary=diary, athlete=athlete)
        t1 = CLOCK()
        runs = runtwitch.run_features(season)
        calibrate_from_weather(runs["device_temp_c"], None)
        t2 = CLOCK()
        days = runtwitch.daily_features(season, runs=runs)
        t3 = CLOCK()
        runtwitch.explain(season.episodes, runs, days)
        t4 = CLOCK()
    # The whole includes giving the collector back, as analyze() does on its way out: a collector
    # merely enabled again walks what the pause kept at the next allocation of a container.
    _next_allocation: list[Any] = []
    t5 = CLOCK()
    return ({"Season.build": t1 - t0, "run_features": t2 - t1, "daily_features": t3 - t2, "explain": t4 - t3,
             "analyze": t5 - t0}, len(season.episodes))


def _load(folder: Path, keys: list[str]) -> list[runtwitch.Activity]:
    acts = [import_cache.load(folder, key, f"history/{key}") for key in keys]
    if any(a is None for a in acts):
        raise SystemExit("a cache entry was not found: the benchmark's cache is broken")
    return [a for a in acts if a is not None]




def _inputs(n: int) -> tuple[list[str], runtwitch.Diary]:
    today = (DAY0 + pd.Timedelta(days=n)).date()
    return [f"bench-{k:05d}" for k in range(n)], runtwitch.read_diary(diary_frame(n, DAY0), tz=ATHLETE.tz,
                                                                       today=today)


def fill(n: int, folder: Path, corpus: Path) -> dict[str, Any]:
    """Store N replicated activities in the cache at ``folder``, then run the first analysis."""
    seeds = [runtwitch.read_activity(corpus / s) for s in SEEDS]
    keys, diary = _inputs(n)
    for k, key in enumerate(keys):
        if not import_cache.store(folder, key, replica(seeds[k % len(seeds)], k, DAY0)):
            raise SystemExit(f"activity {k} could not be cached")
    del seeds
    t0 = CLOCK()
    analysis(_load(folder, keys), diary, ATHLETE)
    return {"first": CLOCK() - t0}


def warm(n: int, folder: Path, repeat: int, profile: bool) -> dict[str, Any]:
    """Warm analyses of the N activities cached at ``folder`` (this process has imported nothing)."""
    rss_import = rss_mb()
    keys, diary = _inputs(n)
    base = []
    for _ in range(3):
        acts = _load(folder, keys)
        t0 = CLOCK()
        for a in acts:
            len(a.records)
            a.release()
        base.append(CLOCK() - t0)
    del acts
    if profile:
        acts = _load(folder, keys)
        print_profile(lambda: analysis(acts, diary, ATHLETE), f"N = {n}, warm", 30)
    runs: list[dict[str, float]] = []
    touched = 0
    for _ in range(repeat):
        t0 = CLOCK()
        acts = _load(folder, keys)
        load_s = CLOCK() - t0
        t, _ = analysis(acts, diary, ATHLETE)
        t["load"] = load_s
        t["total"] = load_s + t["analyze"]
        runs.append(t)
        touched = sum(a.loaded("records") for a in acts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "baseline": min(base), "touched": touched, "rss_import": rss_import, "rss_peak": peak,
            "min": {k: min(r[k] for r in runs) for k in runs[0]},
            "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]}}


def _child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1500", help="history sizes, comma-separated")
    ap.add_argument("--repeat", type=int, default=5, help="warm analyses per size")
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))
    ap.add_argument("--profile", type=int, metavar="N", help="profile one warm analysis of N activities")
    ap.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--warm", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--cache", help="keep the cache of the N activities here (one N): filled when empty, "
                    "reused after, so that two versions of the code see the same entries")
    ap.add_argument("--cpu", action="store_true", help="time with the process's CPU time, not wall time")
    args = ap.parse_args()
    warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    if args.fill is not None:
        print(json.dumps(fill(args.fill, Path(args.cache), Path(args.corpus))))
        return
    if args.warm is not None:
        print(json.dumps(warm(args.warm, Path(args.cache), args.repeat, profile=False)))
        return
    if args.profile is not None:
        with tempfile.TemporaryDirectory(prefix="runtwitch-warm-") as tmp:
            _child("--fill", str(args.profile), "--cache", tmp, "--corpus", args.corpus)
            warm(args.profile, Path(tmp), 1, profile=True)
        return
    steps = ["load", *STEPS, "total"]
    print(f"seconds{' of CPU' if args.cpu else ''}, min / median of the warm runs (fresh process per N; "
          "no weather)")
    print(f"{'N':>6} {'first':>7} " + " ".join(f"{s:>15}" for s in steps)
          + f" {'read all records':>17} {'total/records':>14} {'records read':>13} {'RSS import':>11}"
            f" {'peak':>6}  (MB)")
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.cache and len(sizes) != 1:
        raise SystemExit("--cache keeps the activities of one N: give one size")
    cpu = ["--cpu"] if args.cpu else []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="runtwitch-warm-") as tmp:
            folder = Path(args.cache or tmp)
            first = {"first": float("nan")}  # a kept cache was filled (and analysed first) before
            if not (folder.is_dir() and any(folder.iterdir())):
                folder.mkdir(parents=True, exist_ok=True)
                first = _child("--fill", str(n), "--cache", str(folder), "--corpus", args.corpus, *cpu)
            r = _child("--warm", str(n), "--cache", str(folder), "--repeat", str(args.repeat), *cpu)
        cells = [f"{r['min'][s]:>6.2f} / {r['median'][s]:>6.2f}" for s in steps]
        print(f"{n:>6} {first['first']:>7.2f} " + " ".join(cells)
              + f" {r['baseline']:>17.2f} {r['min']['total'] / r['baseline']:>13.2f}x"
              f" {r['touched']:>13} {r['rss_import']:>11.0f} {r['rss_peak']:>6.0f}", flush=True)
    print(f"\ntarget: warm analyze() of 1,500 activities < {TARGET_1500_S:g} s, with the warm import of "
          "history_bench.py (files unchanged since the last import are not read again) added to 'total'; "
          "15,000 activities < 1 GB peak")


if __name__ == "__main__":
    main()
