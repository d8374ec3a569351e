"""Conformance of the further-format importers with every row of ../shared/corpus-formats/MANIFEST.csv.

For each file: the number of source records, the first and last time (UTC
where the manifest's time ends in ``Z``; otherwise the same local wall-clock
time), which sensor columns exist, and the kind (activity, course, other).
Where runtwitch differs from the manifest on purpose, the difference is in
:data:`DIFFERENCES` with its reason, and the test asserts runtwitch's own value
exactly: a difference is recorded, never tolerated.
"""

from __future__ import annotations

import functools
import warnings

import pandas as pd
import pytest

import runtwitch
from runtwitch.model.schema import validate_records
from tests.conftest import HAS_COLUMNS, MANIFEST_FORMATS, corpus_formats

pytestmark = pytest.mark.corpus_formats

#: file -> {fact: (runtwitch's value, why it differs from the manifest)}.
DIFFERENCES: dict[str, dict[str, tuple[object, str]]] = {
    "kml/Runalyze-Runalyze__Route-only.kml": {
        "source_records": (
            11,
            "a route's points are its source records in runtwitch (each reported as dropped "
            "'course_point', as for GPX/TCX courses); the manifest counts timed <when> samples",
        ),
    },
}



def _rows(kinds: tuple[str, ...]) -> list:
    return [pytest.param(r, id=r["file"]) for r in MANIFEST_FORMATS if r["kind"] in kinds]


@functools.cache
def _read(file: str) -> runtwitch.Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        path = corpus_formats(file)
        if file.lower().endswith(".zip"):
            results = runtwitch.read_activities([path], n_jobs=1)
            assert [r.status for r in results] == ["ok"], results
            act = results[0].activity
            assert act is not None
            return act
        return runtwitch.read_activity(path)


def _expected(row: dict[str, str], fact: str, manifest_value: object) -> object:
    recorded = DIFFERENCES.get(row["file"], {}).get(fact)
    return recorded[0] if recorded is not None else manifest_value


def _wall_clock(act: runtwitch.Activity, t: pd.Timestamp) -> pd.Timestamp:
    """The local wall-clock time of a report time: as written when unresolved, else UTC + offset."""
    if act.meta.time_basis == "local":
        return t.tz_convert("UTC").tz_localize(None)
    assert act.meta.utc_offset_s is not None, "a resolved local-time file must carry its offset"
    return (t + pd.Timedelta(seconds=act.meta.utc_offset_s)).tz_convert("UTC").tz_localize(None)


def _same_time(act: runtwitch.Activity, got: pd.Timestamp | None, manifest: str) -> bool:
    assert got is not None
    if manifest.endswith("Z"):
        want = pd.Timestamp(manifest)
        return abs((got - want).total_seconds()) < 1
    return abs((_wall_clock(act, got) - pd.Timestamp(manifest)).total_seconds()) < 1


@pytest.mark.parametrize("row", _rows(("activity",)))
def test_activity_matches_manifest(row: dict[str, str]) -> None:
    act = _read(row["file"])
    rep = act.report
    assert act.meta.kind == "activity"
    assert rep.source_records == _expected(row, "source_records", int(row["n_records"]))
    assert rep.rows + rep.n_dropped == rep.source_records
    assert validate_records(act.records) == []
    assert _same_time(act, rep.source_first_time, row["first_ts"]), (rep.source_first_time, row["first_ts"])
    assert _same_time(act, rep.source_last_time, row["last_ts"]), (rep.source_last_time, row["last_ts"])
    cols = set(act.records.columns)
    for fact, names in HAS_COLUMNS.items():
        assert bool(cols & set(names)) == (_expected(row, fact, row[fact]) == "yes"), fact
    if not row["first_ts"].endswith("Z"):
        # A local-time file is placed in a zone (file, position) or says it is not.
        assert (act.meta.time_basis == "local") == (act.meta.timezone_source == "none")
        assert act.meta.time_basis == "utc" or any("local wall-clock" in w for w in rep.warnings)


@pytest.mark.parametrize("row", _rows(("course",)))
def test_course_matches_manifest(row: dict[str, str]) -> None:
    act = _read(row["file"])
    assert act.meta.kind == "course"
    assert act.report.source_records == _expected(row, "source_records", int(row["n_records"]))
    assert act.report.dropped == {"course_point": len(act.route)}
    assert act.route[["lat_deg", "lon_deg"]].notna().all().all()
    assert len(act.records) == 0


@pytest.mark.parametrize("row", _rows(("other",)))
def test_other_files_are_not_activities(row: dict[str, str]) -> None:
    # The Strava index is read by batch imports of its export (tests/io/test_exports.py), not as an activity.
    with pytest.raises(runtwitch.UnknownFormatError):
        runtwitch.read_activity(corpus_formats(row["file"]))


def test_every_manifest_row_is_covered() -> None:
    kinds = {r["kind"] for r in MANIFEST_FORMATS}
    assert kinds <= {"activity", "course", "other"}, kinds
    assert len(MANIFEST_FORMATS) >= 40
    for file in DIFFERENCES:
        assert any(r["file"] == file for r in MANIFEST_FORMATS), f"{file} is no longer in the manifest"


@pytest.mark.parametrize(
    ("file", "fmt"),
    [
        ("sml/Runalyze-Runalyze__Suunto-Ambit-reduced.sml", "sml"),
        ("suuntoxml/Runalyze-Runalyze__Suunto-Ambit-with-laps-reduced.xml", "suunto_xml"),
        ("suuntojson/sports-alliance-sports-lib__suunto.json", "suunto_json"),
        ("hrm/Runalyze-Runalyze__12010401.hrm", "hrm"),
        ("vendor/Runalyze-Runalyze__Polar-with-arrays.xml", "polar_xml"),
        ("pwx/GoldenCheetah-GoldenCheetah__10kUNLP2014-Garmin15.pwx", "pwx"),
        ("kml/Runalyze-Runalyze__Baechenstock.kmz", "kml"),
        ("gcjson/GoldenCheetah-GoldenCheetah__Compton_Challenge_TA.json", "gcjson"),
        ("vendor/Runalyze-Runalyze__Wahoo.csv", "wahoo_csv"),
    ],
)
def test_importer_is_chosen_by_suffix_or_content(file: str, fmt: str) -> None:
    assert runtwitch.find_importer(corpus_formats(file)).name == fmt
    assert _read(file).meta.format == fmt


def test_suunto_units_are_converted() -> None:
    """Heart rate and cadence in Hz, temperature in kelvin, positions in radians -> canonical units."""
    rec = _read("sml/GoldenCheetah-GoldenCheetah__F783095113000500-2014-10-07T05_01_41-0.sml").records
    assert 60 < rec["heart_rate_bpm"].median() < 200
    assert 150 < rec["cadence_spm"].median() < 200  # 1.45 Hz strides -> ~174 steps per minute
    assert (
        rec["lat_deg"].dropna().between(45, 46).all() and rec["lat_deg"].notna().mean() > 0.9
    )  # radians -> deg
    rec = _read("suuntojson/sports-alliance-sports-lib__suunto.json").records
    assert 5 < rec["temperature_c"].median() < 40
    assert 40 < rec["lat_deg"].median() < 45 and 0 < rec["lon_deg"].median() < 2  # Pyrenees, in degrees
    assert rec["speed_mps"].max() < 10


def test_kilometres_per_hour_become_metres_per_second() -> None:
    rec = _read("gcjson/GoldenCheetah-GoldenCheetah__2013_05_27_08_56_35.json").records
    assert rec["speed_mps"].iloc[0] == pytest.approx(27 / 3.6)
    assert rec["distance_m"].iloc[0] == pytest.approx(4.27778)
    rec = _read("hrm/GoldenCheetah-GoldenCheetah__10091901.hrm").records
    assert rec["speed_mps"].iloc[1] == pytest.approx(5.0 / 3.6)  # "50" in 0.1 km/h


def test_running_cadence_counts_steps_in_every_new_format() -> None:
    for file in (
        "sml/Runalyze-Runalyze__Suunto-Ambit-reduced.sml",
        "vendor/Runalyze-Runalyze__Wahoo.csv",
        "suuntojson/sports-alliance-sports-lib__suunto.json",
    ):
        cad = _read(file).records["cadence_spm"]
        assert 140 < cad[cad > 0].median() < 200, file


def test_multisport_suunto_log_has_one_session_per_leg() -> None:
    act = _read("suuntojson/sports-alliance-sports-lib__miltisport-laps.json")
    assert list(act.sessions["sport"]) == ["hiking", "running", "hiking"]
    assert act.meta.sport == "multisport"
    assert len(act.laps) >= 3


def test_beat_to_beat_hrm_gives_heart_rate_from_intervals() -> None:
    rec = _read("hrm/Runalyze-Runalyze__hrv.hrm").records
    assert rec["heart_rate_bpm"].iloc[0] == pytest.approx(60_000 / 755)
    assert (rec.index[1] - rec.index[0]).total_seconds() == pytest.approx(0.755)


def test_hrm_is_merged_with_the_gpx_beside_it_and_says_so() -> None:
    act = _read("hrm/Runalyze-Runalyze__15031201.hrm")
    assert act.meta.extra["paired_gpx"].endswith("Runalyze-Runalyze__15031201.gpx")
    assert act.report.repaired["position_from_paired_gpx"] >= 700
    assert act.records[["lat_deg", "lon_deg"]].notna().all(axis=1).mean() > 0.9
    assert act.meta.time_basis == "utc" and act.meta.utc_offset_source == "paired_gpx"
    # Polar WebSync wrote local time marked as UTC: the zone at the track says otherwise; the report tells.
    assert any("Europe/Berlin" in w for w in act.report.warnings)
    with pytest.warns(runtwitch.DataQualityWarning, match="local wall-clock"):
        alone = runtwitch.read_activity(
            corpus_formats("hrm/Runalyze-Runalyze__15031201.hrm"), importer=_no_pairing()
        )
    assert "lat_deg" not in alone.records and alone.meta.time_basis == "local"


def _no_pairing() -> runtwitch.FunctionImporter:
    from runtwitch.io.formats import read_hrm

    return runtwitch.FunctionImporter("hrm", (".hrm",), lambda s, errors="salvage": read_hrm(s, pair=False))


def test_dive_log_is_local_time_until_a_zone_is_given() -> None:
    act = _read("sml/jooleeanh-scubalog-wagon__51670658-2016-01-22T14_32_55-0.sml")
    assert act.meta.time_basis == "local" and act.meta.timezone_source == "none"
    placed = runtwitch.resolve_local_time(act, "Asia/Manila")
    assert placed.records.index[0] == pd.Timestamp("2016-01-22T06:32:55Z")
    assert placed.meta.timezone == "Asia/Manila" and placed.meta.timezone_source == "athlete"
    assert placed.sessions["start"].iloc[0] == pd.Timestamp("2016-01-22T06:32:55Z")
    assert act.records.index[0] == pd.Timestamp("2016-01-22T14:32:55Z")  # the original is unchanged
