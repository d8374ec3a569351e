"""Fuzz the importers with mutated corpus files; only runtwitch errors may escape.

Short deterministic runs are part of the test suite (tests/fuzz/test_fuzz.py).
A long run, e.g. 100,000 cases per format:

    python -m tests.fuzz.run --cases 100000 --format fit --seed 1

Failures are written to --out (default fuzz-failures/) as reproducible files.
"""

from __future__ import annotations

import argparse
import io
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import runtwitch
from tests.fuzz.mutate import mutations

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
#: Seconds allowed per case: a base plus this much per MB of input.
TIME_BASE_S, TIME_PER_MB_S = 2.0, 4.0

SEEDS = {
    "fit": [
        "fit/python-fitparse__Activity.fit",
        "fit/heartandsole__testdata.fit",
        "fit/python-fitparse__DeveloperData.fit",
        "fit/runalyze__FR70-intervals.fit",
        "fit/python-fitparse__activity-settings.fit",
        "fit/goldencheetah__Morning_Swim.fit",
        "fit/python-fitparse__garmin-fenix-5-run.fit",
        "fit/sports-lib__7617306288.fit",
    ],
    "gpx": [
        "gpx/gpxpy__track-with-less-sec-time.gpx",
        "gpx/runalyze__SpoQ.gpx",
        "gpx/gpxpy__unicode_with_bom.gpx",
        "gpx/runalyze__hr-not-always-there.gpx",
    ],
    "tcx": [
        "tcx/runalyze__Polar-one-lap-indoor-with-distance.tcx",
        "tcx/runalyze__Route-only.tcx",
        "tcx/runalyze__Runtastic.tcx",
        "tcx/runalyze__watt-extension-without-namespace.tcx",
    ],
}
DIARY_SEED = ROOT / "sample_data" / "diary_template.csv"


def readers() -> dict[str, Callable[[bytes], object]]:
    def diary(b: bytes) -> object:
        return runtwitch.read_diary(io.BytesIO(b), tz="Europe/Paris")

    return {
        "fit": lambda b: runtwitch.read_fit(io.BytesIO(b)),
        "gpx": lambda b: runtwitch.read_gpx(io.BytesIO(b)),
        "tcx": lambda b: runtwitch.read_tcx(io.BytesIO(b)),
        "diary": diary,
    }


def seeds(fmt: str, corpus: Path = CORPUS) -> list[bytes]:
    if fmt == "diary":
        return [DIARY_SEED.read_bytes()]
    return [(corpus / s).read_bytes() for s in SEEDS[fmt]]


def run_case(read: Callable[[bytes], object], data: bytes) -> tuple[str | None, float]:
    """Return (failure description or None, seconds)."""
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read(data)
    except runtwitch.RuntwitchError:
        pass
    except Exception:
        return traceback.format_exc(limit=-3), time.perf_counter() - t0
    dt = time.perf_counter() - t0
    if dt > TIME_BASE_S + TIME_PER_MB_S * len(data) / 1e6:
        return f"too slow: {dt:.2f} s for {len(data)} bytes", dt
    return None, dt


def fuzz(fmt: str, cases: int, seed: int, out: Path | None = None) -> list[tuple[str, bytes, str]]:
    """Run ``cases`` mutations spread over the seed files; return the failures."""
    read = readers()[fmt]
    files = seeds(fmt)
    failures = []
    per = max(1, cases // len(files))
    for k, data in enumerate(files):
        for name, mutated in mutations(data, per, seed * 1000 + k):
            why, _ = run_case(read, mutated)
            if why is not None:
                failures.append((name, mutated, why))
                if out is not None:
                    out.mkdir(parents=True, exist_ok=True)
                    (out / f"{fmt}-{seed}-{k}-{len(failures)}.bin").write_bytes(mutated)
    return failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--format", choices=["fit", "gpx", "tcx", "diary", "all"], default="all")
    ap.add_argument("--cases", type=int, default=10_000, help="cases per format")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = ap.parse_args()
    formats = ["fit", "gpx", "tcx", "diary"] if args.format == "all" else [args.format]
    for fmt in formats:
        t0 = time.perf_counter()
        failures = fuzz(fmt, args.cases, args.seed, args.out)
        print(f"{fmt}: {args.cases} cases in {time.perf_counter() - t0:.0f} s, {len(failures)} failures")
        for name, _, why in failures[:5]:
            print(f"  [{name}] {why.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
