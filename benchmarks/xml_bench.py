"""Benchmark GPX/TCX import: runtwitch against gpxpy and a plain lxml iterparse loop.

    python3.11 -m venv .venv && .venv/bin/python -m pip install -q -e ".[test]"
    .venv/bin/python benchmarks/xml_bench.py [--runs 7] [--corpus ../shared/corpus]

Prints, in one run, for the largest GPX and TCX files of the corpus and for a
synthetic six-hour track recorded every second (written from a template, so
that a file's fixed costs do not hide the cost of each point):

- ``read_gpx`` / ``read_tcx`` end to end, and the part of it spent in the
  shared canonical assembly (``model.assembly.build`` and the time-zone
  lookup, the same for every format) shown separately;
- gpxpy (GPX only), which merely parses into its objects;
- a plain lxml ``iterparse`` loop that extracts the same columns (time,
  position, altitude, distance, heart rate, cadence, power, temperature,
  speed) into a DataFrame with UTC times, the least a Python reader built on
  lxml costs;

as min and median of several runs [ms], and the ratio lxml loop / runtwitch
(above 1 means runtwitch is faster than the plain loop), both end to end and
for runtwitch's parsing alone (end to end less the assembly).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

import runtwitch
import runtwitch.io.gpx
import runtwitch.io.tcx
from runtwitch.io.xml import parse, parse_lxml
from runtwitch.model.activity import ImportReport

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import with_frames  # a sibling script, not a package

LARGEST = ["gpx/sports-lib__sports-tracker.gpx", "gpx/sports-lib__6782987395.gpx",
           "tcx/sports-lib__6782987395.tcx", "tcx/sweatpy__activity_4801048867.tcx"]
#: The synthetic long file: one point a second for this long [s].
LONG_S = 6 * 3600
TARGET_RATIO = 1.0

GPX_COLUMNS = {"ele": "{*}ele", "hr": ".//{*}hr", "cad": ".//{*}cad", "atemp": ".//{*}atemp",
               "power": ".//{*}power", "speed": ".//{*}speed"}
TCX_COLUMNS = {"lat": "{*}Position/{*}LatitudeDegrees", "lon": "{*}Position/{*}LongitudeDegrees",
               "ele": "{*}AltitudeMeters", "dist": "{*}DistanceMeters", "hr": "{*}HeartRateBpm/{*}Value",
               "cad": "{*}Cadence", "run_cad": ".//{*}RunCadence", "speed": ".//{*}Speed",
               "power": ".//{*}Watts"}


def _frame(cols: dict[str, list[str | None]]) -> pd.DataFrame:
    out = {k: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy(float)
           for k, v in cols.items() if k != "time"}
    frame = pd.DataFrame(out)
    frame["time"] = pd.to_datetime(pd.Series(cols["time"], dtype=object), utc=True, format="ISO8601",
                                   errors="coerce")
    return frame


def _plain_loop(path: Path, point: str, time_path: str, columns: dict[str, str],
                attributes: tuple[str, ...]) -> pd.DataFrame:
    """The plain lxml loop: iterparse point elements, findtext each column, clear as it goes."""
    cols: dict[str, list[str | None]] = {k: [] for k in ("time", *attributes, *columns)}
    for _, el in etree.iterparse(str(path), events=("end",), tag=point, resolve_entities=False,
                                 no_network=True, load_dtd=False):
        cols["time"].append(el.findtext(time_path))
        for a in attributes:
            cols[a].append(el.get(a))
        for k, p in columns.items():
            cols[k].append(el.findtext(p))
        el.clear(keep_tail=True)
        while el.getprevious() is not None:
            del el.getparent()[0]
    return _frame(cols)


def lxml_gpx(path: Path) -> int:
    return len(_plain_loop(path, "{*}trkpt", "{*}time", GPX_COLUMNS, ("lat", "lon")))


def lxml_tcx(path: Path) -> int:
    return len(_plain_loop(path, "{*}Trackpoint", "{*}Time", TCX_COLUMNS, ()))


def gpxpy_parse(path: Path) -> int:
    import gpxpy

    gpx = gpxpy.parse(path.read_text(encoding="utf-8-sig"))
    return sum(len(s.points) for t in gpx.tracks for s in t.segments)


def write_long(folder: Path, seconds: int = LONG_S, seed: int = 18) -> tuple[Path, Path]:
    """A six-hour run recorded every second, as a Garmin-style GPX and TCX (uneven pace)."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2024-05-04T06:00:00Z")
    speed = np.clip(3.0 + np.cumsum(rng.normal(0, 0.02, seconds)), 2.0, 4.5)
    dist = np.cumsum(speed)
    lat = 46.0 + dist * np.cos(dist / 3000.0) / 111_195.0
    lon = 7.0 + dist * np.sin(dist / 3000.0) / 77_000.0
    ele = 500 + 30 * np.sin(dist / 900.0)
    hr = np.round(120 + 40 * (1 - np.exp(-np.arange(seconds) / 900)) + rng.normal(0, 2, seconds))
    cad = np.round(84 + rng.normal(0, 2, seconds))
    power = np.round(250 + rng.normal(0, 20, seconds))
    stamps = [(t0 + pd.Timedelta(seconds=int(i))).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(seconds)]
    gpx = ['<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="Garmin Connect" version="1.1" '
           'xmlns="http://www.topografix.com/GPX/1/1" '
           'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
           '<trk><name>Long run</name><type>running</type><trkseg>\n']
    tcx = ['<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
           'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
           'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
           f'<Activities><Activity Sport="Running"><Id>{stamps[0]}</Id><Lap StartTime="{stamps[0]}">'
           f"<TotalTimeSeconds>{seconds}</TotalTimeSeconds><DistanceMeters>{dist[-1]:.1f}</DistanceMeters>"
           "<Calories>3000</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>"
           "<Track>\n"]
    for i in range(seconds):
        gpx.append(f'<trkpt lat="{lat[i]:.7f}" lon="{lon[i]:.7f}"><ele>{ele[i]:.1f}</ele>'
                   f"<time>{stamps[i]}</time><extensions><power>{power[i]:.0f}</power>"
                   f"<ns3:TrackPointExtension><ns3:atemp>21.0</ns3:atemp><ns3:hr>{hr[i]:.0f}</ns3:hr>"
                   f"<ns3:cad>{cad[i]:.0f}</ns3:cad></ns3:TrackPointExtension></extensions></trkpt>\n")
        tcx.append(f"<Trackpoint><Time>{stamps[i]}</Time><Position><LatitudeDegrees>{lat[i]:.7f}"
                   f"</LatitudeDegrees><LongitudeDegrees>{lon[i]:.7f}</LongitudeDegrees></Position>"
                   f"<AltitudeMeters>{ele[i]:.1f}</AltitudeMeters><DistanceMeters>{dist[i]:.1f}"
                   f"</DistanceMeters><HeartRateBpm><Value>{hr[i]:.0f}</Value></HeartRateBpm>"
                   f"<Extensions><ns3:TPX><ns3:Speed>{speed[i]:.2f}</ns3:Speed><ns3:RunCadence>"
                   f"{cad[i]:.0f}</ns3:RunCadence><ns3:Watts>{power[i]:.0f}</ns3:Watts></ns3:TPX>"
                   "</Extensions></Trackpoint>\n")
    gpx.append("</trkseg></trk></gpx>\n")
    tcx.append("</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n")
    gpx_path, tcx_path = folder / "long-6h.gpx", folder / "long-6h.tcx"
    gpx_path.write_text("".join(gpx), encoding="utf-8")
    tcx_path.write_text("".join(tcx), encoding="utf-8")
    return gpx_path, tcx_path


class _Assembly:
    """Times the shared assembly (build and time-zone lookup) inside each read."""

    def __init__(self) -> None:
        self.seconds = 0.0
        for module in (runtwitch.io.gpx, runtwitch.io.tcx):
            for attr in ("build",):
                setattr(module, attr, self._wrap(getattr(module, attr)))
            module.timezone = _TimedTimezone(module.timezone, self)  # type: ignore[attr-defined]

    def _wrap(self, fn: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object, **kwargs: object) -> object:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0
        return timed


class _TimedTimezone:
    def __init__(self, module: object, owner: _Assembly) -> None:
        self._module, self.locate = module, owner._wrap(module.locate)  # type: ignore[attr-defined]


def _runs(fn: Callable[[Path], object], path: Path, runs: int,
          assembly: _Assembly | None = None) -> tuple[list[float], list[float]]:
    fn(path)  # warm-up: imports, the time-zone table
    total, asm = [], []
    for _ in range(runs):
        if assembly is not None:
            assembly.seconds = 0.0
        t0 = time.perf_counter()
        fn(path)
        total.append(time.perf_counter() - t0)
        asm.append(assembly.seconds if assembly is not None else 0.0)
    return total, asm


def _ms(values: list[float]) -> str:
    return f"{1e3 * min(values):8.1f} / {1e3 * statistics.median(values):8.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    assembly = _Assembly()
    with tempfile.TemporaryDirectory() as tmp:
        long_gpx, long_tcx = write_long(Path(tmp))
        files = [args.corpus / f for f in LARGEST] + [long_gpx, long_tcx]
        print(f"{'file':<38} {'points':>6}  {'runtwitch ms min/med':>19}  {'assembly':>8}  "
              f"{'lxml loop':>19}  {'gpxpy':>19}  {'end-to-end':>10}  {'parsing':>8}")
        ratios: dict[str, list[float]] = {"long": [], "corpus": []}
        for path in files:
            if not path.exists():
                print(f"{path.name}: missing, skipped")
                continue
            gpx = path.suffix == ".gpx"
            reader = runtwitch.read_gpx if gpx else runtwitch.read_tcx
            ours, asm = _runs(lambda p, r=reader: with_frames(r(p)).report.source_records, path, args.runs,
                              assembly)
            base, _ = _runs(lxml_gpx if gpx else lxml_tcx, path, args.runs)
            other = _ms(_runs(gpxpy_parse, path, args.runs)[0]) if gpx else f"{'-':>19}"
            points = reader(path).report.source_records
            parsing = [t - a for t, a in zip(ours, asm, strict=True)]
            ratio, ratio_parse = min(base) / min(ours), min(base) / min(parsing)
            ratios["long" if path.parent == Path(tmp) else "corpus"].append(ratio)
            print(f"{path.name[:38]:<38} {points:>6}  {_ms(ours)}  {1e3 * min(asm):8.1f}  {_ms(base)}  "
                  f"{other}  {ratio:9.2f}x  {ratio_parse:7.2f}x")
        print("parsing alone, the long files [ms min / median]: defusedxml ElementTree "
              "(runtwitch.io.xml.parse) against lxml (parse_lxml), the same checks and repairs")
        for path in (long_gpx, long_tcx):
            data = path.read_bytes()
            old, _ = _runs(lambda p, d=data: parse(d, p.name, ImportReport()), path, args.runs)
            new, _ = _runs(lambda p, d=data: parse_lxml(d, p.name, ImportReport()), path, args.runs)
            print(f"{path.name:<38} {_ms(old)}  {_ms(new)}  {min(old) / min(new):6.1f}x")
    for kind, values in ratios.items():
        if values:
            gm = math.exp(statistics.fmean(math.log(v) for v in values))
            verdict = "meets" if min(values) >= TARGET_RATIO else "misses"
            print(f"{kind}: lxml loop / runtwitch end to end, geometric mean {gm:.2f}x, lowest "
                  f"{min(values):.2f}x ({verdict} the target >= {TARGET_RATIO:.0f}x on every file)")


if __name__ == "__main__":
    main()
