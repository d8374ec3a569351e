"""Benchmark: a warm analysis — every activity read from the import cache, nothing new.

    python benchmarks/warm_bench.py                  # N = 1500
    python benchmarks/warm_bench.py --sizes 1500,5000 --repeat 5
    python benchmarks/warm_bench.py --profile 1500   # cProfile of one warm analysis

What ``runtwitch.analyze(folder)`` does the second time on an unchanged
history, after the import (whose warm figure ``history_bench.py`` prints):
the activities come from the import cache (:func:`runtwitch.io.cache.load`:
their records are not in memory), then ``Season.build``, ``run_features``,
``daily_features`` and ``explain`` run on them.

For each N, in a fresh process: N activities are built by replicating real
corpus runs one a day (``analyze_bench.replica``), each stored in a temporary
import cache under its own key, with the diary of ``analyze_bench.py``. Then:

- **first**: one analysis of activities loaded from the cache, computing and
  storing every per-activity derived value (the first analysis after an
  import);
- **warm**: ``--repeat`` more, each on activities loaded afresh from the
  cache (min and median), split into loading the entries and each step;
- **baseline**: in the same process, reading every activity's records once
  from the cache (``len(act.records)``): what any analysis that looks at the
  records must pay at least. The warm analysis should need far less.

Also printed: how many activities had their records read during a warm
analysis (the target is none) and the peak resident memory.

Target (issue 18): the warm ``analyze()`` of 1,500 activities < 2 s, so the
analysis here plus the warm import of ``history_bench.py`` (0.7 s) must stay
within it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analyze_bench import STEPS, analysis, diary_frame, replica  # sibling scripts, not a package
from features_bench import SEEDS

#: Target: warm analyze() of 1,500 activities, import included [s].
TARGET_1500_S = 2.0


def _load(folder: Path, keys: list[str]) -> list[runtwitch.Activity]:
    acts = [import_cache.load(folder, key, f"history/{key}") for key in keys]
    if any(a is None for a in acts):
        raise SystemExit("a cache entry was not found: the benchmark's cache is broken")
    return [a for a in acts if a is not None]


def child(n: int, repeat: int, corpus: Path, profile: bool) -> dict[str, Any]:
    """One history size, in this (fresh) process."""
    warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
    seeds = [runtwitch.read_activity(corpus / s) for s in SEEDS]
    day0 = pd.Timestamp("2021-01-01", tz="UTC")
    athlete = runtwitch.Athlete(tz="Europe/Paris", sex="female", max_hr=190, resting_hr=52,
                                threshold_hr=168, body_mass_kg=60)
    diary = runtwitch.read_diary(diary_frame(n, day0), tz=athlete.tz, today=(day0 + pd.Timedelta(days=n)).date())
    with tempfile.TemporaryDirectory(prefix="runtwitch-warm-") as tmp:
        folder = Path(tmp)
        keys = []
        for k in range(n):
            key = f"bench-{k:05d}"
            if not import_cache.store(folder, key, replica(seeds[k % len(seeds)], k, day0)):
                raise SystemExit(f"activity {k} could not be cached")
            keys.append(key)
        del seeds
        t0 = time.perf_counter()
        first, _ = analysis(_load(folder, keys), diary, athlete)
        first_s = time.perf_counter() - t0
        base = []
        for _ in range(3):
            acts = _load(folder, keys)
            t0 = time.perf_counter()
            for a in acts:
                len(a.records)
            base.append(time.perf_counter() - t0)
        if profile:
            acts = _load(folder, keys)
            prof = cProfile.Profile()
            prof.enable()
            analysis(acts, diary, athlete)
            prof.disable()
            for key in ("cumulative", "tottime"):
                print(f"--- N = {n}, warm, sorted by {key} ---")
                pstats.Stats(prof).sort_stats(key).print_stats(30)
        runs: list[dict[str, float]] = []
        touched = 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            acts = _load(folder, keys)
            load_s = time.perf_counter() - t0
            t, _ = analysis(acts, diary, athlete)
            t["load"] = load_s
            t["total"] = load_s + t["analyze"]
            runs.append(t)
            touched = sum(a.loaded("records") for a in acts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "first": first_s, "first_steps": first, "baseline": min(base), "touched": touched,
            "rss_peak": peak, "repeat": repeat,
            "min": {k: min(r[k] for r in runs) for k in runs[0]},
            "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1500", help="history sizes, comma-separated")
    ap.add_argument("--repeat", type=int, default=5, help="warm analyses per size")
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))
    ap.add_argument("--profile", type=int, metavar="N", help="profile one warm analysis of N activities")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None or args.profile is not None:
        n = args.child if args.child is not None else args.profile
        out = child(n, args.repeat, Path(args.corpus), profile=args.profile is not None)
        if args.child is not None:
            print(json.dumps(out))
        return
    steps = ["load", *STEPS, "total"]
    print("seconds, min / median of the warm runs (fresh process per N; no weather)")
    print(f"{'N':>6} {'first':>7} " + " ".join(f"{s:>15}" for s in steps)
          + f" {'read all records':>17} {'total/records':>14} {'records read':>13} {'peak MB':>8}")
    for n in [int(s) for s in args.sizes.split(",")]:
        proc = subprocess.run([sys.executable, __file__, "--child", str(n), "--repeat", str(args.repeat),
                               "--corpus", args.corpus], capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        cells = [f"{r['min'][s]:>6.2f} / {r['median'][s]:>6.2f}" for s in steps]
        print(f"{n:>6} {r['first']:>7.2f} " + " ".join(cells)
              + f" {r['baseline']:>17.2f} {r['min']['total'] / r['baseline']:>13.2f}x"
              f" {r['touched']:>13} {r['rss_peak']:>8.0f}", flush=True)
    print(f"\ntarget: warm analyze() of 1,500 activities < {TARGET_1500_S:g} s, with the warm import of "
          "history_bench.py (which hashes every file) added to 'total'")


if __name__ == "__main__":
    main()
