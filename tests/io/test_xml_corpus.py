"""Conformance of the GPX and TCX importers with the shared corpus manifest, and cross-format agreement."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import runtwitch
from runtwitch.model.schema import validate_records
from tests.conftest import HAS_COLUMNS, MANIFEST, corpus_path, manifest_rows, read_cached, same_second

pytestmark = pytest.mark.corpus

XML = ("gpx", "tcx")



@pytest.mark.parametrize("row", manifest_rows(XML, ("activity",)))
def test_activity_matches_manifest(row: dict[str, str]) -> None:
    act = read_cached(str(corpus_path(row)))
    rep = act.report
    assert act.meta.kind == "activity"
    assert act.meta.format == row["format"]
    assert rep.source_records == int(row["n_records"])
    assert rep.rows + rep.n_dropped == rep.source_records
    assert validate_records(act.records) == []
    if row["first_ts"]:
        assert same_second(rep.source_first_time, row["first_ts"])
        assert same_second(rep.source_last_time, row["last_ts"])
    cols = set(act.records.columns)
    for fact, names in HAS_COLUMNS.items():
        assert bool(cols & set(names)) == (row[fact] == "yes"), fact


@pytest.mark.parametrize("row", manifest_rows(XML, ("course",)))
def test_routes_and_courses_are_flagged(row: dict[str, str]) -> None:
    act = read_cached(str(corpus_path(row)))
    assert act.meta.kind == "course"
    assert act.report.source_records == int(row["n_records"]) == len(act.route)
    assert act.report.dropped == {"course_point": len(act.route)}
    assert act.route[["lat_deg", "lon_deg"]].notna().all().all()
    assert len(act.records) == 0
    if row["first_ts"]:
        assert same_second(act.report.source_first_time, row["first_ts"])


def test_waypoint_only_gpx_is_not_an_activity() -> None:
    with pytest.raises(runtwitch.NotAnActivityError, match="waypoints"):
        runtwitch.read_gpx(corpus_path({"file": "gpx/gpxpy__unicode_with_bom.gpx"}))


def test_undeclared_prefix_gpx_is_repaired_and_imported() -> None:
    # gpxpy and strict XML parsers reject this Strava Android export.
    act = read_cached(str(corpus_path({"file": "gpx/sports-lib__6048438275.gpx"})))
    assert act.report.repaired["xml_undeclared_prefix_declared"] == 1
    assert act.report.rows > 4000
    assert {"cadence_spm", "temperature_c"} <= set(act.records.columns)
    assert act.meta.sport == "running"


@pytest.mark.parametrize(
    ("file", "repair"),
    [("tcx/sports-lib__6281425038.tcx", "xml_leading_whitespace_removed"),
     ("tcx/runalyze__Standard.tcx", "xml_byte_order_mark_removed"),
     ("gpx/runalyze__standard.gpx", "trackpoint_missing_lat_lon"),
     ("gpx/runalyze__SpoQ.gpx", "heart_rate_from_track_series")],
)
def test_repairs_are_reported(file: str, repair: str) -> None:
    assert read_cached(str(corpus_path({"file": file}))).report.repaired.get(repair, 0) >= 1


def test_extension_values_gpxpy_does_not_expose() -> None:
    rec = read_cached(str(corpus_path({"file": "gpx/runalyze__hr-not-always-there.gpx"}))).records
    assert {"heart_rate_bpm", "power_w"} <= set(rec.columns)
    rec = read_cached(str(corpus_path({"file": "gpx/sports-lib__movescount.gpx"}))).records
    assert "ext_sealevelpressure" in rec.columns  # unknown extensions kept, not dropped


def test_tcx_multisport_sessions() -> None:
    act = read_cached(str(corpus_path({"file": "tcx/runalyze__Multisport.tcx"})))
    assert list(act.sessions["sport"]) == ["cycling", "running", "cycling"]
    assert act.meta.sport == "multisport"
    run = act.records[act.records["session"] == 1]
    assert run["heart_rate_bpm"].notna().any()


def test_running_cadence_is_steps_in_every_format() -> None:
    for f in ("fit/heartandsole__testdata.fit", "gpx/heartandsole__testdata.gpx",
              "tcx/heartandsole__testdata.tcx"):
        cad = read_cached(str(corpus_path({"file": f}))).records["cadence_spm"]
        assert 110 <= cad[cad > 0].median() <= 130, f  # FR220 walk-run: ~120 spm


def _groups() -> list:
    rows = {r["file"]: r for r in MANIFEST}
    groups: list[frozenset[str]] = []
    for f, r in rows.items():
        m = re.search(r"same activity as: ([^|]+)", r["notes"])
        if not m:
            continue
        g = {f} | {x.strip() for x in m.group(1).split(";") if x.strip() in rows}
        g = frozenset(x for x in g if rows[x]["kind"] == "activity")
        if len(g) > 1 and g not in groups:
            groups.append(g)
    return [pytest.param(sorted(g), id=" = ".join(sorted(g))) for g in groups]


# Differences that come from the files, not from runtwitch.
CROSS_FORMAT_GAPS = {
    "gpx/runpandas__36bb9510-27b3-4c13-9d68-55b59af24ec3.gpx":
        "the GPX copy (re-serialised by gpx.py) ends 11 minutes before the TCX",
}


# Exports that invented heart-rate values the recording does not have: only the
# instants both files have are compared, without the coverage check.
HR_FILLED_BY_EXPORTER = {
    "gpx/sports-lib__4623204522-1.gpx":
        "the FIT swim leg has heart rate only in its last 8 s; Strava back-filled 72 bpm over the swim",
}


@pytest.mark.parametrize("files", _groups())
def test_same_activity_agrees_across_formats(files: list[str]) -> None:
    acts = [read_cached(str(corpus_path({"file": f}))) for f in files]
    truncated = [f for f in files if f in CROSS_FORMAT_GAPS]
    if truncated:
        # Same start; the documented copy ends early (by the minutes in the reason).
        short, full = (acts[0], acts[1]) if files[0] in truncated else (acts[1], acts[0])
        assert abs((short.records.index[0] - full.records.index[0]).total_seconds()) < 1
        missing_min = (full.records.index[-1] - short.records.index[-1]).total_seconds() / 60
        assert round(missing_min) == 11, CROSS_FORMAT_GAPS[truncated[0]]
        return
    ref = acts[0]
    for f, act in zip(files[1:], acts[1:], strict=True):
        # Compare against the session that starts with this file (a GPX of one triathlon leg).
        a, b = _matching(ref, act), act.records
        assert abs((a.index[0] - b.index[0]).total_seconds()) < 1, f
        span_a = (a.index[-1] - a.index[0]).total_seconds()
        span_b = (b.index[-1] - b.index[0]).total_seconds()
        assert span_b == pytest.approx(span_a, rel=0.01, abs=1), f
        if "distance_m" in a and "distance_m" in b:
            da = a["distance_m"].max() - a["distance_m"].min()
            db = b["distance_m"].max() - b["distance_m"].min()
            assert db == pytest.approx(da, rel=0.01), f
        assert ("heart_rate_bpm" in a) == ("heart_rate_bpm" in b), f
        if "heart_rate_bpm" in a:
            # Mean heart rate over the same instants (an export may be downsampled).
            hr_a = a["heart_rate_bpm"].reindex(b.index, method="nearest",
                                               tolerance=pd.Timedelta(seconds=1))
            both = hr_a.notna() & b["heart_rate_bpm"].notna()
            if f not in HR_FILLED_BY_EXPORTER:
                assert both.sum() > 0.9 * b["heart_rate_bpm"].notna().sum(), f
            assert both.sum() >= 5, f
            assert abs(hr_a[both].mean() - b["heart_rate_bpm"][both].mean()) < 1, f


def _matching(ref: runtwitch.Activity, other: runtwitch.Activity) -> pd.DataFrame:
    first = other.records.index[0]
    starts = ref.sessions["start"]
    session = int(((starts - first).abs()).idxmin())
    return ref.records[ref.records["session"] == session]
