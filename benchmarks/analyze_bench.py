"""Benchmark: the analysis after import at 100 to 15,000 activities, for linear growth.

For each history size N, a fresh process builds in memory a history of N
activities by replicating real corpus runs under new names and dates, one a
day (as ``features_bench.py`` does), and a diary with one episode every four
days plus context on every other run. It then times what :func:`runtwitch.analyze`
does once the activities are imported: ``Season.build``, ``run_features``,
``daily_features`` and ``explain`` (no weather), several times for the
smaller N, and prints the minimum and median of each step.

``run_features`` is printed in two parts: ``record_features`` (a loop of
:func:`runtwitch.features.runs.record_features` over the season's activities,
timed on its own: what reads each activity's records, and what a warm cache
of per-activity values replaces) and the rest of ``run_features`` (timed with
each activity's record values answered from that loop's results, as a warm
cache answers them). "without records" is the analysis less that loop:
everything that works from the per-activity values (linking, comparisons with
earlier runs, run types, diary, daily table, explanations).

Printed for every N: the time of each step and of the whole analysis, the
time per activity and its ratio to the 1,500-activity case (linear growth is
a ratio near 1; the target is at most 1.2), the ratio to a baseline timed in
the same process (one pandas pass per activity: mean heart rate and time
span), and memory: the resident size after ``import runtwitch``, with the
history built, and at peak. The replicas share their seed's record columns
(only the time index is their own), so that 15,000 activities fit in memory:
the peak is mostly what the analysis itself adds.

Targets: the analysis without records of 1,500 activities < 1.5 s (so that,
with the per-activity values read from the cache, a warm ``analyze()`` stays
< 2 s), the whole in-memory analysis < 2 s, and the time per activity of the
analysis without records at most 1.2 times the 1,500 case's at larger N.

    python benchmarks/analyze_bench.py                 # N = 100, 500, 1500, 5000
    python benchmarks/analyze_bench.py --big           # and 15000
    python benchmarks/analyze_bench.py --sizes 1500 --repeat 5
    python benchmarks/analyze_bench.py --profile 1500  # cProfile, by cumulative and own time
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
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import runtwitch
from runtwitch.features import runs as runs_module
from runtwitch.features.runs import RecordFeatures, record_features
from runtwitch.model.schema import is_run
from runtwitch.weather import calibrate_from_weather

sys.path.insert(0, str(Path(__file__).resolve().parent))
from features_bench import SEEDS, baseline  # a sibling script, not a package

#: Target: warm analysis of 1,500 activities [s].
TARGET_1500_S = 2.0
#: Target: the analysis of 1,500 activities without reading records (``record_features``) [s].
TARGET_NO_RECORDS_1500_S = 1.5
#: Target: time per activity at most this times the 1,500 case's.
LINEAR_RATIO = 1.2
#: One diary episode every this many days.
EPISODE_EVERY_DAYS = 4
MUSCLES = ["left calf", "right calf", "left hamstring", "right quadriceps", "left calf; right calf",
           "left foot"]
STEPS = ["Season.build", "record_features", "run_features (rest)", "daily_features", "explain"]
#: The totals printed after the steps.
TOTALS = ["without records", "analyze"]


#: The first day of the replicated histories, and their runner's profile.
DAY0 = pd.Timestamp("2021-01-01", tz="UTC")
ATHLETE = runtwitch.Athlete(tz="Europe/Paris", sex="female", max_hr=190, resting_hr=52, threshold_hr=168,
                            body_mass_kg=60)


def print_profile(run: Callable[[], Any], title: str, lines: int = 25) -> None:
    """Profile one call of ``run`` and print the top ``lines`` by cumulative and by own time."""
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    for key in ("cumulative", "tottime"):
        print(f"--- {title}, sorted by {key} ---")
        pstats.Stats(prof).sort_stats(key).print_stats(lines)


def rss_mb() -> float:
    """Resident size now [MB] (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def replica(act: runtwitch.Activity, k: int, day0: pd.Timestamp) -> runtwitch.Activity:
    """``act`` moved to day ``k`` (07:00 UTC) under a new name; its record columns are shared."""
    assert act.start is not None
    delta = day0 + pd.Timedelta(days=k) - act.start.floor("D") + pd.Timedelta(hours=7)
    rec = act.records.copy(deep=False)
    rec.index = rec.index + delta
    sess = act.sessions.assign(start=act.sessions["start"] + delta, end=act.sessions["end"] + delta)
    laps = act.laps.assign(start=act.laps["start"] + delta, end=act.laps["end"] + delta)
    meta = replace(act.meta, source=f"history/{k:05d}-{Path(act.meta.source).name}")
    return replace(act, records=rec, sessions=sess, laps=laps, meta=meta)


def diary_frame(n: int, day0: pd.Timestamp, seed: int = 18) -> pd.DataFrame:
    """A diary over ``n`` days: context on every other run, an episode every few days."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for k in range(n):
        day = (day0 + pd.Timedelta(days=k)).strftime("%Y-%m-%d")
        if k % 2 == 0:
            rows.append({"date": day, "run": "", "sleep_h": f"{rng.uniform(5, 9):.1f}",
                         "rpe": str(int(rng.integers(3, 9))), "air_temp_c": f"{rng.uniform(5, 30):.0f}",
                         "fluid_during_l": f"{rng.uniform(0, 1):.1f}",
                         "electrolytes": "yes" if rng.random() < 0.3 else "no",
                         "caffeine_mg": str(int(rng.integers(0, 300))),
                         "medications": "none" if rng.random() < 0.9 else "ibuprofen"})
        if k % EPISODE_EVERY_DAYS == 1:
            e = k // EPISODE_EVERY_DAYS
            rows.append({"date": day, "time": f"{18 + e % 4}:{(e * 7) % 60:02d}",
                         "muscles": MUSCLES[e % len(MUSCLES)], "kind": "cramp" if e % 3 == 0 else "twitch",
                         "duration_min": str(5 + e % 30), "severity": str(1 + e % 5)})
    return pd.DataFrame(rows).fillna("")


def records_loop(season: runtwitch.Season) -> dict[str, RecordFeatures]:
    """What ``run_features`` reads from each activity's records: :func:`record_features`, once each."""
    return {aid: record_features(season.activity(aid), season.athlete, is_run=is_run(sport))
            for aid, sport in zip(season.table["activity_id"], season.table["sport"], strict=True)}


@contextmanager
def values_at_hand(season: runtwitch.Season, found: dict[str, RecordFeatures]) -> Iterator[None]:
    """``run_features`` with each activity's record values answered from ``found`` (as a warm cache
    of per-activity values answers them), so that the rest of it is timed on its own."""
    by_activity = {id(act): found[aid] for aid, act in season.activities.items()}

    def known(activity: runtwitch.Activity, athlete: runtwitch.Athlete, *, is_run: bool) -> RecordFeatures:
        return by_activity[id(activity)]

    saved = runs_module.record_features
    runs_module.record_features = known
    try:
        yield
    finally:
        runs_module.record_features = saved


def analysis(history: list[runtwitch.Activity], diary: runtwitch.Diary,
             athlete: runtwitch.Athlete) -> tuple[dict[str, float], int]:
    """What ``analyze`` does after import (without weather): each step's time [s], and the episodes."""
    t0 = time.perf_counter()
    season = runtwitch.Season.build(history, diary=diary, athlete=athlete)
    t1 = time.perf_counter()
    found = records_loop(season)
    tr = time.perf_counter()
    with values_at_hand(season, found):
        t2s = time.perf_counter()
        runs = runtwitch.run_features(season)
        calibrate_from_weather(runs["device_temp_c"], None)
        t2 = time.perf_counter()
    days = runtwitch.daily_features(season, runs=runs)
    t3 = time.perf_counter()
    runtwitch.explain(season.episodes, runs, days)
    t4 = time.perf_counter()
    t = {"Season.build": t1 - t0, "record_features": tr - t1, "run_features (rest)": t2 - t2s,
         "daily_features": t3 - t2, "explain": t4 - t3}
    t["without records"] = t["Season.build"] + t["run_features (rest)"] + t["daily_features"] + t["explain"]
    t["analyze"] = t["without records"] + t["record_features"]
    return t, len(season.episodes)


def child(n: int, repeat: int, corpus: Path, profile: bool) -> dict[str, Any]:
    """One history size, in this (fresh) process."""
    warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
    rss_import = rss_mb()
    seeds = [runtwitch.read_activity(corpus / s) for s in SEEDS]
    day0 = DAY0
    history = [replica(seeds[k % len(seeds)], k, day0) for k in range(n)]
    athlete = ATHLETE
    today = (day0 + pd.Timedelta(days=n)).date()
    diary = runtwitch.read_diary(diary_frame(n, day0), tz=athlete.tz, today=today)
    rss_history = rss_mb()
    base = min(_timed(baseline, history) for _ in range(3))
    if profile:
        print_profile(lambda: analysis(history, diary, athlete), f"N = {n}")
    runs: list[dict[str, float]] = []
    episodes = 0
    for _ in range(repeat):
        t, episodes = analysis(history, diary, athlete)
        runs.append(t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "episodes": episodes, "baseline": base, "rss_import": rss_import,
            "rss_history": rss_history, "rss_peak": peak,
            "min": {k: min(r[k] for r in runs) for k in runs[0]},
            "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]}, "repeat": repeat}


def _timed(fn: Any, *args: Any) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,500,1500,5000", help="history sizes, comma-separated")
    ap.add_argument("--big", action="store_true", help="also 15,000 activities")
    ap.add_argument("--repeat", type=int, default=5, help="runs per size up to 1,500 (larger: 2)")
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))
    ap.add_argument("--profile", type=int, metavar="N", help="profile one analysis of N activities")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None or args.profile is not None:
        n = args.child if args.child is not None else args.profile
        out = child(n, args.repeat, Path(args.corpus), profile=args.profile is not None)
        if args.child is not None:
            print(json.dumps(out))
        return
    sizes = [int(s) for s in args.sizes.split(",")] + ([15000] if args.big else [])
    results = {}
    for n in sizes:
        repeat = args.repeat if n <= 1500 else 2
        proc = subprocess.run([sys.executable, __file__, "--child", str(n), "--repeat", str(repeat),
                               "--corpus", args.corpus], capture_output=True, text=True, check=True)
        results[n] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[n]
        print(f"N = {n:>6}: {r['episodes']} episodes, {repeat} runs", flush=True)
    print()
    print("seconds, min / median of the runs (fresh process per N; no weather)")
    cols = [*STEPS, *TOTALS]
    print(f"{'N':>6} " + " ".join(f"{s:>19}" for s in cols))
    for n, r in results.items():
        cells = [f"{r['min'][s]:>9.2f} / {r['median'][s]:>6.2f}" for s in cols]
        print(f"{n:>6} " + " ".join(cells))
    print()
    ref = results.get(1500)
    print(f"{'N':>6} {'ms/activity':>12} {'no records':>11} {'vs 1,500':>9} {'vs baseline':>12} "
          f"{'RSS import':>11} {'+history':>9} {'peak':>8} {'peak-history':>13}  (MB)")
    for n, r in results.items():
        per = r["min"]["analyze"] / n * 1000
        bare = r["min"]["without records"] / n * 1000
        vs = f"{bare / (ref['min']['without records'] / 1500 * 1000):.2f}x" if ref else "-"
        print(f"{n:>6} {per:>12.2f} {bare:>11.2f} {vs:>9} {r['min']['analyze'] / r['baseline']:>11.1f}x "
              f"{r['rss_import']:>11.0f} {r['rss_history']:>9.0f} {r['rss_peak']:>8.0f} "
              f"{r['rss_peak'] - r['rss_history']:>13.0f}")
    print()
    if ref:
        for key, target in (("without records", TARGET_NO_RECORDS_1500_S), ("analyze", TARGET_1500_S)):
            t = ref["min"][key]
            print(f"target: {key} of 1,500 activities < {target:.1f} s: {t:.2f} s "
                  f"(ratio {t / target:.2f}, {'met' if t < target else 'NOT met'})")
        per_ref = ref["min"]["without records"] / 1500
        for n, r in results.items():
            if n > 1500:
                ratio = r["min"]["without records"] / n / per_ref
                print(f"target: time per activity without records at {n} within {LINEAR_RATIO}x of 1,500: "
                      f"{ratio:.2f}x ({'met' if ratio <= LINEAR_RATIO else 'NOT met'})")


if __name__ == "__main__":
    main()
