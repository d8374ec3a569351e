"""Benchmark the cost of importing one FIT file: one-hour runs and small files.

    .venv/bin/python benchmarks/fit_files_bench.py [--corpus ../shared/corpus] [--runs 5]

Reads each file once into memory, then prints for each, as CPU time
(``time.process_time``) per import, min and median of ``--runs`` runs of
``--repeat`` imports each (interleaved file by file, so that a burst of load
hits every measure alike):

- ``read_fit``: the whole import from memory (decoding, the canonical frames built,
  the metadata and the report);
- ``decode``: the numpy engine alone (``runtwitch.io.fit.engines.decode_numpy``,
  framing and decoding every message the importer uses);
- ``rest``: the difference (of the mins, of the medians), what the importer and the assembly add to the
  decoded messages (records, sessions and laps frames, cleaning, the three
  clocks): the part that does not depend on the decoder;
- ``fitparse``: the same-run baseline, fitparse reading every message with its
  values, and the ratio ``fitparse / read_fit`` (issue 18: no corpus FIT file
  below 25x).

The files: the five one-hour runs that ``history_bench.py`` copies into a
history (3,000-4,000 records each: the cost per file of a cold import) and
small files, the slowest of ``import_bench.py --fit-only`` (0-900 records:
their cost is the fixed cost of building one activity). To compare two
versions of the code, run the script with each in turn (``PYTHONPATH``),
several times.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import runtwitch
from runtwitch.io.fit import engines
from runtwitch.model.activity import ImportReport

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import read_fit_frames  # a sibling script, not a package

#: One-hour runs (as ``history_bench.HISTORY_SEEDS``).
HOUR_FILES = [
    "fit/runpandas__run.fit",
    "fit/sports-lib__6782987395.fit",
    "fit/runalyze__garmin-runPower-2.fit",
    "fit/goldencheetah__Garmin920_withFirstbeat.fit",
    "fit/sweatpy__4801048867.fit",
]
#: Small files among the slowest by ratio to fitparse (sessions and laps with few records).
SMALL_FILES = [
    "fit/python-fitparse__Activity.fit",
    "fit/python-fitparse__activity-settings.fit",
    "fit/sports-lib__7617306288.fit",
    "fit/python-fitparse__garmin-fenix-5-run.fit",
    "fit/python-fitparse__antfs-dump.63.fit",
    "fit/python-fitparse__2013-02-06-12-11-14.fit",
    "fit/runalyze__FR70-intervals.fit",
    "fit/runalyze__Standard.fit",
]


def _cpu(fn: Callable[[], Any], repeat: int) -> float:
    """CPU time of one call [s], averaged over ``repeat`` calls."""
    t0 = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - t0) / repeat


def _fitparse_all(data: bytes) -> int:
    """What a fitparse user does: every message of the file, with its values."""
    import fitparse  # type: ignore[import-untyped]

    n = 0
    for msg in fitparse.FitFile(io.BytesIO(data)).get_messages():
        msg.get_values()
        n += 1
    return n


def measure(corpus: Path, names: list[str], runs: int, repeat: int, baseline: bool) -> None:
    datas = {name: (corpus / name).read_bytes() for name in names}
    times: dict[str, dict[str, list[float]]] = {n: {"read": [], "decode": [], "fitparse": []} for n in names}

    def read(data: bytes) -> Callable[[], Any]:
        return lambda: read_fit_frames(io.BytesIO(data))

    def decode(data: bytes, name: str) -> Callable[[], Any]:
        return lambda: engines.decode_numpy(data, name, "salvage", ImportReport())

    records = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, data in datas.items():  # warm up; the number of records
            records[name] = len(runtwitch.read_fit(io.BytesIO(data)).records)
        for _ in range(runs):
            for name, data in datas.items():
                times[name]["read"].append(_cpu(read(data), repeat))
                times[name]["decode"].append(_cpu(decode(data, name), repeat))
                if baseline:
                    times[name]["fitparse"].append(_cpu(lambda data=data: _fitparse_all(data), 1))
    print(f"{'file':<46} {'records':>7} {'read_fit ms':>15} {'decode ms':>15} {'rest ms':>15} "
          f"{'fitparse ms':>17} {'ratio':>15}")
    for name in names:
        t = times[name]
        read_min, read_med = min(t["read"]), statistics.median(t["read"])
        dec_min, dec_med = min(t["decode"]), statistics.median(t["decode"])
        line = (f"{Path(name).name[:46]:<46} {records[name]:>7} "
                f"{read_min * 1e3:>6.2f} / {read_med * 1e3:>6.2f} "
                f"{dec_min * 1e3:>6.2f} / {dec_med * 1e3:>6.2f} "
                f"{(read_min - dec_min) * 1e3:>6.2f} / {(read_med - dec_med) * 1e3:>6.2f}")
        if baseline and t["fitparse"]:
            fp_min, fp_med = min(t["fitparse"]), statistics.median(t["fitparse"])
            line += (f" {fp_min * 1e3:>7.1f} / {fp_med * 1e3:>7.1f} {fp_min / read_min:>5.1f}x / "
                     f"{fp_med / read_med:>5.1f}x")
        print(line)
    for label, group in (("one-hour files", [n for n in names if n in HOUR_FILES]),
                         ("small files", [n for n in names if n not in HOUR_FILES])):
        if group:
            read_mins = [min(times[n]["read"]) for n in group]
            rest_mins = [min(times[n]["read"]) - min(times[n]["decode"]) for n in group]
            print(f"{label}: read_fit {statistics.mean(read_mins) * 1e3:.2f} ms a file (mean of the mins), "
                  f"of which outside the decoder {statistics.mean(rest_mins) * 1e3:.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    ap.add_argument("--runs", type=int, default=5, help="runs of each measure (min and median)")
    ap.add_argument("--repeat", type=int, default=10, help="imports per run (their mean CPU time)")
    ap.add_argument("--no-baseline", action="store_true", help="skip fitparse (the slow baseline)")
    ap.add_argument("--only", choices=["hour", "small"], help="only the one-hour or the small files")
    args = ap.parse_args()
    baseline = not args.no_baseline
    if baseline:
        try:
            import fitparse  # noqa: F401
        except ImportError:
            print("fitparse not installed (pip install -e '.[bench]'): no baseline")
            baseline = False
    names = ([] if args.only == "small" else HOUR_FILES) + ([] if args.only == "hour" else SMALL_FILES)
    print(f"CPU per import, min / median of {args.runs} runs of {args.repeat} imports "
          f"(fitparse: one read a run)")
    measure(args.corpus, names, args.runs, args.repeat, baseline)


if __name__ == "__main__":
    main()
