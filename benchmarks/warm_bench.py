"""Benchmark: a warm analysis — every activity read from the import cache, nothing new.

    python benchmarks/warm_bench.py                  # N = 1500
    python benchmarks/warm_bench.py --sizes 1500,5000 --repeat 5
    python benchmarks/warm_bench.py --profile 1500   # cProfile of one warm analysis

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

#: Target: warm analyze() of 1,500 activities, import included [s].
TARGET_1500_S = 2.0
#: The steps of the analysis after import, as ``runtwitch.analyze`` runs them.
STEPS = ["Season.build", "run_features", "daily_features", "explain"]


def analysis(history: list[runtwitch.Activity], diary: runtwitch.Diary,
             athlete: runtwitch.Athlete) -> tuple[dict[str, float], int]:
    """What ``analyze`` does after import (without weather): each step's time [s], and the episodes.

    Unlike ``analyze_bench.analysis``, which times reading the records apart,
    this is the pipeline as it runs: ``run_features`` reads the per-activity
    values kept beside the cache, or computes and keeps them.
    """
    t0 = time.perf_counter()
    season = runtwitch.Season.build(history, diary=diary, athlete=athlete)
    t1 = time.perf_counter()
    runs = runtwitch.run_features(season)
    calibrate_from_weather(runs["device_temp_c"], None)
    t2 = time.perf_counter()
    days = runtwitch.daily_features(season, runs=runs)
    t3 = time.perf_counter()
    runtwitch.explain(season.episodes, runs, days)
    t4 = time.perf_counter()
    return ({"Season.build": t1 - t0, "run_features": t2 - t1, "daily_features": t3 - t2, "explain": t4 - t3,
             "analyze": t4 - t0}, len(season.episodes))


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
    t0 = time.perf_counter()
    analysis(_load(folder, keys), diary, ATHLETE)
    return {"first": time.perf_counter() - t0}


def warm(n: int, folder: Path, repeat: int, profile: bool) -> dict[str, Any]:
    """Warm analyses of the N activities cached at ``folder`` (this process has imported nothing)."""
    rss_import = rss_mb()
    keys, diary = _inputs(n)
    base = []
    for _ in range(3):
        acts = _load(folder, keys)
        t0 = time.perf_counter()
        for a in acts:
            len(a.records)
            a.release()
        base.append(time.perf_counter() - t0)
    del acts
    if profile:
        acts = _load(folder, keys)
        print_profile(lambda: analysis(acts, diary, ATHLETE), f"N = {n}, warm", 30)
    runs: list[dict[str, float]] = []
    touched = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        acts = _load(folder, keys)
        load_s = time.perf_counter() - t0
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
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args()
    warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
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
    print("seconds, min / median of the warm runs (fresh process per N; no weather)")
    print(f"{'N':>6} {'first':>7} " + " ".join(f"{s:>15}" for s in steps)
          + f" {'read all records':>17} {'total/records':>14} {'records read':>13} {'RSS import':>11}"
            f" {'peak':>6}  (MB)")
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="runtwitch-warm-") as tmp:
            first = _child("--fill", str(n), "--cache", tmp, "--corpus", args.corpus)
            r = _child("--warm", str(n), "--cache", tmp, "--repeat", str(args.repeat))
        cells = [f"{r['min'][s]:>6.2f} / {r['median'][s]:>6.2f}" for s in steps]
        print(f"{n:>6} {first['first']:>7.2f} " + " ".join(cells)
              + f" {r['baseline']:>17.2f} {r['min']['total'] / r['baseline']:>13.2f}x"
              f" {r['touched']:>13} {r['rss_import']:>11.0f} {r['rss_peak']:>6.0f}", flush=True)
    print(f"\ntarget: warm analyze() of 1,500 activities < {TARGET_1500_S:g} s, with the warm import of "
          "history_bench.py (which hashes every file) added to 'total'; 15,000 activities < 1 GB peak")


if __name__ == "__main__":
    main()
