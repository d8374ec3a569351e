"""Fuzz the importers with mutated corpus files; only runtwitch errors may escape.

Short deterministic runs are part of the test suite (tests/fuzz/test_fuzz.py).
A long run, e.g. 100,000 cases per format:

    python -m tests.fuzz.run --cases 100000 --format fit --seed 1

Failures are written to --out (default fuzz-failures/) as reproducible files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import runtwitch
from tests.fuzz.mutate import mutations

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("RUNTWITCH_CORPUS", ROOT.parent / "shared" / "corpus"))
CORPUS_FORMATS = Path(os.environ.get("RUNTWITCH_CORPUS_FORMATS", ROOT.parent / "shared" / "corpus-formats"))
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
#: Seeds of the further formats, in ../shared/corpus-formats (small files: each case re-reads its seed).
FORMAT_SEEDS = {
    "sml": ["sml/Runalyze-Runalyze__Suunto-Ambit-Indoor-reduced.sml",
            "sml/Runalyze-Runalyze__Suunto-Ambit-reduced.sml",
            "sml/jooleeanh-scubalog-wagon__51670658-2016-01-22T14_32_55-0.sml"],
    "suunto_xml": ["suuntoxml/Runalyze-Runalyze__Suunto-Ambit-with-laps-reduced.xml"],
    "suunto_json": ["suuntojson/sports-alliance-sports-lib__multisport.json",
                    "suuntojson/sports-alliance-sports-lib__miltisport-laps.json"],
    "hrm": ["hrm/Runalyze-Runalyze__hrv.hrm", "hrm/Runalyze-Runalyze__15031201.hrm",
            "hrm/GoldenCheetah-GoldenCheetah__10091901.hrm"],
    "polar_xml": ["vendor/Runalyze-Runalyze__Polar.xml"],
    "pwx": ["pwx/GoldenCheetah-GoldenCheetah__argmac_Garmin_FR910XT_2015_01_31_10_17_02.pwx",
            "pwx/GoldenCheetah-GoldenCheetah__10kUNLP2014-Garmin15.pwx"],
    "kml": ["kml/Runalyze-Runalyze__Suunto-Spartan-Ultra.kml", "kml/Runalyze-Runalyze__Route-only.kml",
            "kml/Runalyze-Runalyze__Baechenstock.kmz"],
    "gcjson": ["gcjson/GoldenCheetah-GoldenCheetah__2010_08_15_10_53_30.json",
               "gcjson/GoldenCheetah-GoldenCheetah__2013_05_27_08_56_35.json"],
    "wahoo_csv": ["vendor/Runalyze-Runalyze__Wahoo.csv"],
    "zip": ["export/GoldenCheetah-GoldenCheetah__4077461142.zip"],
}
DIARY_SEED = ROOT / "sample_data" / "diary_template.csv"


ALL_FORMATS = ["fit", "gpx", "tcx", "diary", *FORMAT_SEEDS]


def readers() -> dict[str, Callable[[bytes], object]]:
    def diary(b: bytes) -> object:
        return runtwitch.read_diary(io.BytesIO(b), tz="Europe/Paris")

    def imported(name: str) -> Callable[[bytes], object]:
        importer = next(i for i in runtwitch.importers() if i.name == name)
        return lambda b: importer.read(io.BytesIO(b))

    return {
        "fit": lambda b: runtwitch.read_fit(io.BytesIO(b)),
        "gpx": lambda b: runtwitch.read_gpx(io.BytesIO(b)),
        "tcx": lambda b: runtwitch.read_tcx(io.BytesIO(b)),
        "diary": diary,
        **{name: imported(name) for name in FORMAT_SEEDS if name != "zip"},
        "zip": read_zip_members,
    }


def read_zip_members(data: bytes) -> object:
    """An export archive in memory: its directory checked, each member read and imported."""
    from runtwitch.io import archive

    zf = archive.open_zip(data, "<fuzz>.zip")
    for info in zf.infolist():
        entry = f"<fuzz>.zip!{info.filename}"
        with contextlib.suppress(runtwitch.UnknownFormatError):
            runtwitch.read_activity(archive.entry_source(entry, archive.read_member(zf, info, entry)))
    return zf


def seeds(fmt: str, corpus: Path = CORPUS) -> list[bytes]:
    if fmt == "diary":
        return [DIARY_SEED.read_bytes()]
    if fmt in FORMAT_SEEDS:
        return [(CORPUS_FORMATS / s).read_bytes() for s in FORMAT_SEEDS[fmt]]
    return [(corpus / s).read_bytes() for s in SEEDS[fmt]]


def run_case(read: Callable[[bytes], object], data: bytes) -> tuple[str | None, float]:
    """Return (failure description or None, CPU seconds).

    The bound is on this process's CPU time, not wall time: a loaded machine (CI, or the
    suite on both cores) must not turn a correct case into a "too slow" failure.
    """
    t0 = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read(data)
    except runtwitch.RuntwitchError:
        pass
    except Exception:
        return traceback.format_exc(limit=-3), time.process_time() - t0
    dt = time.process_time() - t0
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
    ap.add_argument("--format", choices=[*ALL_FORMATS, "all"], default="all")
    ap.add_argument("--cases", type=int, default=10_000, help="cases per format")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = ap.parse_args()
    formats = ALL_FORMATS if args.format == "all" else [args.format]
    for fmt in formats:
        t0 = time.perf_counter()
        failures = fuzz(fmt, args.cases, args.seed, args.out)
        print(f"{fmt}: {args.cases} cases in {time.perf_counter() - t0:.0f} s, {len(failures)} failures")
        for name, _, why in failures[:5]:
            print(f"  [{name}] {why.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
