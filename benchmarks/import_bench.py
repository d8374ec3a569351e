"""Benchmark FIT import: runtwitch against fitparse and fitdecode, and memory.

    python3.11 -m venv .venv && .venv/bin/python -m pip install -q -e ".[bench]"
    .venv/bin/python benchmarks/import_bench.py [--corpus ../shared/corpus]

(the ``bench`` extra installs fitparse, the baseline; runtwitch does not use it).

Prints, in one run: records/s of each decoder on the largest corpus FIT files
and runtwitch's ratio to fitparse (geometric mean); ``read_fit`` end to end
(decoding, cleaning, the canonical frames, each DataFrame built) against fitparse reading every
message with its values as fitparse users do, min and median of several runs,
as a geometric mean over the same files and for the five slowest corpus FIT
files by ratio (``--fit-only`` prints just this section); and the peak memory
of importing the largest corpus file in a fresh process. The import of a whole
history (cold, warm, memory per activity) is measured by
``benchmarks/history_bench.py``.

Then one row per further format (``--formats-only`` prints just these): the
time to import its largest file in ``../shared/corpus-formats`` (min and median
of five runs) against a same-run baseline, the standard library merely
parsing the same bytes (ElementTree for XML, json for JSON, pandas.read_csv for
CSV, a text split for HRM, zipfile + ElementTree for KMZ), and the ratio of
the two. For an export zip the baseline is runtwitch importing its member
from memory, so the ratio is the archive's own overhead.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import runtwitch

LARGEST = [
    "fit/sports-lib__4623204522.fit",
    "fit/python-fitparse__activity-large-fenxi2-multisport.fit",
    "fit/sports-lib__6914448270.fit",
    "fit/sports-lib__garmin.fit",
    "fit/python-fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit",
]
MEMORY_TARGET_MB = 250.0
#: End-to-end targets: geometric mean over LARGEST, and the slowest corpus FIT file.
E2E_MEAN_TARGET, E2E_FLOOR_TARGET = 100.0, 25.0
#: The slowest five are also printed among files of at least this many records: below it the
#: ratio compares the fixed cost of the canonical frames (a few milliseconds) with fitparse
#: reading a handful of messages, not the cost per record where a slow layout would show.
SLOW_FILE_MIN_RECORDS = 100
#: Peak memory of importing the largest corpus file above 'import runtwitch' alone [MB].
MEMORY_ABOVE_IMPORT_TARGET_MB = 60.0


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def decoders() -> dict[str, object]:
    out: dict[str, object] = {}
    try:
        import fitparse  # type: ignore[import-untyped]

        out["fitparse"] = lambda p: sum(1 for _ in fitparse.FitFile(str(p)).get_messages("record"))
    except ImportError:
        print("fitparse not installed: pip install fitparse (the baseline)")
    import fitdecode

    def fd(p: Path) -> int:
        with fitdecode.FitReader(str(p)) as fr:
            return sum(1 for m in fr if isinstance(m, fitdecode.FitDataMessage) and m.name == "record")

    out["fitdecode"] = fd
    out["runtwitch"] = lambda p: read_fit_frames(p).report.source_records
    return out


def with_frames(act: runtwitch.Activity) -> runtwitch.Activity:
    """``act`` with its records, laps and sessions DataFrames built: an activity holds its frames
    as columns until they are read, and what the benchmarks time is what a user gets."""
    act.records, act.laps, act.sessions  # noqa: B018 - read for the DataFrames they build
    return act


def read_fit_frames(source: Any) -> runtwitch.Activity:
    """``read_fit`` with the frames built (:func:`with_frames`)."""
    return with_frames(runtwitch.read_fit(source))


def _fitparse_all(path: Path) -> int:
    """What a fitparse user does: every message of the file, with its values."""
    import fitparse

    n = 0
    for msg in fitparse.FitFile(str(path)).get_messages():
        msg.get_values()
        n += 1
    return n


def _min_med(times: list[float]) -> tuple[float, float]:
    import statistics

    return min(times), statistics.median(times)


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def end_to_end(corpus: Path, runs: int = 5, corpus_runs: int = 3) -> None:
    """``read_fit`` end to end against fitparse reading every message: LARGEST and the whole corpus."""
    try:
        import fitparse  # noqa: F401
    except ImportError:
        print("fitparse not installed: pip install fitparse (the end-to-end baseline)")
        return

    measured: dict[Path, tuple[float, float, float, float] | None] = {}

    def measure(path: Path, k: int) -> tuple[float, float, float, float] | None:
        if path in measured:  # a largest file is measured once, with the larger number of runs
            return measured[path]
        try:
            read_fit_frames(path)  # warms caches; files that do not import are left out
        except Exception:
            return None
        ours, theirs = [], []
        try:
            for _ in range(k):  # interleaved, so that a burst of load hits both alike
                theirs.append(_time(lambda: _fitparse_all(path)))
                ours.append(_time(lambda: read_fit_frames(path)))
        except Exception:  # fitparse cannot read it: no baseline
            return None
        measured[path] = m = (*_min_med(ours), *_min_med(theirs))
        return m

    print(f"\nread_fit end to end vs fitparse (every message with values), {runs} runs, min / median")
    print(f"{'file':<52} {'runtwitch ms':>17} {'fitparse ms':>17} {'ratio (min/med)':>16}")
    mins, meds = [], []
    for rel in LARGEST:
        m = measure(corpus / rel, runs)
        if m is None:
            continue
        o_min, o_med, t_min, t_med = m
        mins.append(t_min / o_min)
        meds.append(t_med / o_med)
        print(f"{Path(rel).name[:52]:<52} {o_min * 1e3:>7.1f} / {o_med * 1e3:>7.1f} "
              f"{t_min * 1e3:>7.1f} / {t_med * 1e3:>7.1f} {mins[-1]:>6.1f}x / {meds[-1]:>5.1f}x")
    if mins:
        print(f"geometric mean end to end: {_geomean(mins):.1f}x (min) / {_geomean(meds):.1f}x (median) "
              f"(target {E2E_MEAN_TARGET:.0f}x)")
    rows = []
    skipped = 0
    for path in sorted((corpus / "fit").glob("*.fit")):
        m = measure(path, corpus_runs)
        if m is None:
            skipped += 1
            continue
        o_min, o_med, t_min, t_med = m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            n = len(runtwitch.read_fit(path).records)
        rows.append((t_min / o_min, t_med / o_med, o_min, t_min, path.name, n))
    rows.sort()
    print(f"slowest five of {len(rows)} corpus FIT files ({skipped} that do not import or that fitparse "
          "cannot read left out), "
          f"{corpus_runs} runs, ratio min / median (target >= {E2E_FLOOR_TARGET:.0f}x):")
    for r_min, r_med, o_min, t_min, name, n in rows[:5]:
        print(f"  {name[:52]:<52} {r_min:>6.1f}x / {r_med:>5.1f}x  (runtwitch {o_min * 1e3:.1f} ms, "
              f"fitparse {t_min * 1e3:.1f} ms, {n} records)")
    big = [r for r in rows if r[5] >= SLOW_FILE_MIN_RECORDS]
    print(f"slowest five of the {len(big)} with at least {SLOW_FILE_MIN_RECORDS} records:")
    for r_min, r_med, o_min, t_min, name, n in big[:5]:
        print(f"  {name[:52]:<52} {r_min:>6.1f}x / {r_med:>5.1f}x  (runtwitch {o_min * 1e3:.1f} ms, "
              f"fitparse {t_min * 1e3:.1f} ms, {n} records)")
    if rows:
        print(f"geometric mean over the whole corpus: {_geomean([r[0] for r in rows]):.1f}x (min) / "
              f"{_geomean([r[1] for r in rows]):.1f}x (median)")


#: Further formats: (name, largest corpus file, baseline parse of its bytes).
FORMAT_FILES = [
    ("sml", "sml/GoldenCheetah-GoldenCheetah__F783095113000500-2014-10-07T05_01_41-0.sml", "xml"),
    ("suunto_xml", "suuntoxml/Runalyze-Runalyze__Suunto-Ambit-reduced.xml", "xml-wrapped"),
    ("suunto_json", "suuntojson/sports-alliance-sports-lib__suunto.json", "json"),
    ("hrm", "hrm/GoldenCheetah-GoldenCheetah__04010301.hrm", "text"),
    ("polar_xml", "vendor/Runalyze-Runalyze__Polar-with-arrays.xml", "xml"),
    ("pwx", "pwx/GoldenCheetah-GoldenCheetah__lgulseth_Timex_Global_Trainer_2013_03_28_11_50_25.pwx", "xml"),
    ("kml", "kml/Runalyze-Runalyze__TomTom.kml", "xml"),
    ("kmz", "kml/Runalyze-Runalyze__Baechenstock.kmz", "zip-xml"),
    ("gcjson", "gcjson/GoldenCheetah-GoldenCheetah__Compton_Challenge_TA.json", "json"),
    ("wahoo_csv", "vendor/Runalyze-Runalyze__Wahoo.csv", "csv"),
    ("garmin zip", "export/GoldenCheetah-GoldenCheetah__GarminFR955v18.zip", "zip-fit"),
]


def _baseline(kind: str, data: bytes) -> object:
    """Parse the bytes with the standard library only: what any reader must at least do."""
    import io
    import json
    import xml.etree.ElementTree as ET
    import zipfile

    import pandas as pd

    if kind == "xml":
        return ET.fromstring(data)
    if kind == "xml-wrapped":
        body = data.split(b"?>", 1)[1]
        return ET.fromstring(b"<r>" + body + b"</r>")
    if kind == "json":
        return json.loads(data)
    if kind == "csv":
        text = data.decode()
        return pd.read_csv(io.StringIO(text[text.index("\ntime,") + 1:]))
    if kind == "text":
        return [line.split() for line in data.decode("latin-1").splitlines()]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [zf.read(i) for i in zf.infolist()]
    if kind == "zip-xml":
        return [ET.fromstring(m) for m in members]
    # an export: its member read by runtwitch from memory, i.e. the archive's own cost
    return [read_fit_frames(io.BytesIO(m)) for m in members]


def format_rows(corpus_formats: Path, runs: int = 5) -> None:
    """One row per further format: runtwitch import time against the baseline parse."""
    import statistics

    print(f"\n{'format':<12} {'records':>8} {'runtwitch ms (min/med)':>24} {'baseline ms (min/med)':>23} "
          f"{'ratio':>6}  file")
    for fmt, rel, kind in FORMAT_FILES:
        path = corpus_formats / rel
        data = path.read_bytes()
        if fmt == "garmin zip":
            def read(path: Path = path) -> int:
                results = runtwitch.read_activities([path], n_jobs=1)
                return sum(with_frames(r.activity).report.source_records for r in results
                           if r.activity is not None)
        else:
            def read(path: Path = path) -> int:
                return with_frames(runtwitch.read_activity(path)).report.source_records
        records = read()  # also warms caches (and the time-zone finder)
        ours = [_time(read) * 1000 for _ in range(runs)]
        base = [_time(lambda k=kind, d=data: _baseline(k, d)) * 1000 for _ in range(runs)]
        print(f"{fmt:<12} {records:>8} {min(ours):>11.1f} / {statistics.median(ours):>9.1f} "
              f"{min(base):>11.1f} / {statistics.median(base):>8.1f} {min(ours) / min(base):>6.1f}x  "
              f"{Path(rel).name[:48]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    )
    ap.add_argument("--corpus-formats", type=Path,
                    default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus-formats")
    ap.add_argument("--formats-only", action="store_true", help="print only the further-format rows")
    ap.add_argument("--fit-only", action="store_true",
                    help="print only read_fit end to end against fitparse, and the peak memory")
    ap.add_argument("--runs", type=int, default=5, help="runs of each end-to-end measure (largest files)")
    ap.add_argument("--corpus-runs", type=int, default=3, help="runs of each end-to-end measure (corpus)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.formats_only:
        format_rows(args.corpus_formats)
        return
    if args.fit_only:
        end_to_end(args.corpus, args.runs, args.corpus_runs)
        peak_memory(args.corpus)
        return
    decs = decoders()
    print(
        f"{'file':<52} {'records':>8} "
        + " ".join(f"{d + ' rec/s':>16}" for d in decs)
        + "  ratio vs fitparse"
    )
    ratios = []
    for rel in LARGEST:
        path = args.corpus / rel
        n = runtwitch.read_fit(path).report.source_records
        rates = {name: n / _time(lambda f=f, p=path: f(p)) for name, f in decs.items()}  # type: ignore[operator]
        ratio = rates["runtwitch"] / rates["fitparse"] if "fitparse" in rates else float("nan")
        ratios.append(ratio)
        print(
            f"{Path(rel).name[:52]:<52} {n:>8} "
            + " ".join(f"{r:>16,.0f}" for r in rates.values())
            + f"  {ratio:>6.2f}x"
        )
    if all(math.isfinite(r) for r in ratios):
        gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"geometric mean ratio runtwitch / fitparse: {gm:.2f}x (target: 25x)")
    end_to_end(args.corpus, args.runs, args.corpus_runs)

    peak_memory(args.corpus)
    format_rows(args.corpus_formats)


def peak_memory(corpus: Path, runs: int = 3) -> None:
    """Peak RSS of importing the largest corpus file in a fresh process, and of 'import runtwitch'."""
    # Peak RSS from /proc (VmHWM): ru_maxrss would include the parent's memory, which
    # Linux carries across fork and exec.
    hwm = "import re; print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
    largest = str(corpus / LARGEST[0])
    read = f"a = runtwitch.read_fit({largest!r}); a.records, a.laps, a.sessions"  # the frames built
    code = f"import warnings, runtwitch; warnings.simplefilter('ignore'); {read}\n{hwm}"

    def peak(src: str) -> float:
        return int(subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                                  check=True).stdout) / 1024

    above = []
    for _ in range(runs):
        kb, base = peak(code), peak(f"import runtwitch; {hwm}")
        above.append(kb - base)
    lo, med = _min_med(above)
    print(
        f"peak RSS importing {Path(LARGEST[0]).name}: {kb:.0f} MB "
        f"({base:.0f} MB after 'import runtwitch' alone; target {MEMORY_TARGET_MB:.0f} MB); "
        f"above the import: {lo:.0f} / {med:.0f} MB min / median of {runs} "
        f"(target < {MEMORY_ABOVE_IMPORT_TARGET_MB:.0f} MB)"
    )


if __name__ == "__main__":
    main()
