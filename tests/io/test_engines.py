"""The optional engines (fitparse for FIT, gpxpy for GPX) against the defaults, file by file.

Each file of the shared corpus is read with both engines. Where they differ,
the difference is one this test names, and docs/formats.md ("Engines") lists:
fitparse 1.2 decodes with an older FIT profile (newer fields come out as
``fit_unknown_<n>``, newer enum values as numbers) and cannot say where a
damaged file broke; gpxpy rejects some real files, follows a file's declared
version and has no track-level heart-rate series.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runtwitch
from tests.conftest import CORPUS

pytest.importorskip("fitparse")
pytest.importorskip("gpxpy")
pytestmark = pytest.mark.corpus

#: FIT files where fitparse gives another activity than its older profile explains, and why.
FITPARSE_DIFFERS = {
    "python-fitparse__coros-pace-2-cycling-misaligned-fields.fit":
        "COROS writes field sizes that are not a multiple of the base type; fitparse stops at the first "
        "such record (1,785 of 11,272 records salvaged), the default engine reads them all",
}
#: Damaged FIT files: the same records, but fitparse's report has no byte offset for the damage.
FIT_DAMAGED = {"python-fitparse__activity-activity-filecrc.fit",
               "python-fitparse__activity-settings-nodata.fit",
               "python-fitparse__activity-unexpected-eof.fit",
               "python-fitparse__strava-android-app-201.10-b1218918.fit"}
#: Session and lap columns whose values come from fields or enum values newer than fitparse's profile.
FIT_PROFILE_COLUMNS = {"workout_rpe", "workout_feel", "intensity"}

#: GPX files where gpxpy gives another result, and why.
GPXPY_DIFFERS = {
    "runalyze__standard.gpx": "gpxpy rejects a track point without lat/lon (ParseError); "
                              "the default keeps it",
    "sports-lib__6048438275.gpx": "gpxpy rejects an undeclared namespace prefix; the default repairs it",
    "runalyze__SpoQ.gpx": "heart rate in a track-level <heartRate> series and a non-standard <speed> "
                          "in GPX 1.1 points: gpxpy exposes neither",
    "runalyze__hr-not-always-there.gpx": "declares version 1.0 but uses 1.1 extensions: gpxpy follows "
                                         "the version and drops heart rate, cadence and power",
}


def _read(reader: object, path: Path, engine: str) -> runtwitch.Activity | str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        try:
            return reader(path, engine=engine)  # type: ignore[operator, no-any-return]
        except runtwitch.RuntwitchError as exc:
            return type(exc).__name__


def _same_values(a: pd.DataFrame, b: pd.DataFrame, columns: set[str]) -> None:
    for c in sorted(columns):
        assert np.allclose(a[c].to_numpy(float), b[c].to_numpy(float), equal_nan=True), c


def _fit_files() -> list[str]:
    return sorted(p.name for p in (CORPUS / "fit").glob("*") if p.is_file())


@pytest.mark.parametrize("name", _fit_files())
def test_fitparse_engine_conforms(name: str) -> None:
    path = CORPUS / "fit" / name
    ours, theirs = _read(runtwitch.read_fit, path, "numpy"), _read(runtwitch.read_fit, path, "fitparse")
    if isinstance(ours, str) or isinstance(theirs, str):
        assert ours == theirs  # the same error class
        return
    if name in FITPARSE_DIFFERS:
        assert len(theirs.records) < len(ours.records)
        return
    assert theirs.records.index.equals(ours.records.index)
    only_ours = set(ours.records.columns) - set(theirs.records.columns)
    only_theirs = set(theirs.records.columns) - set(ours.records.columns)
    # Fields newer than fitparse's profile: the same data under a number instead of a name.
    assert all(c.startswith("fit_unknown_") for c in only_theirs) and len(only_theirs) == len(only_ours)
    _same_values(ours.records, theirs.records, set(ours.records.columns) & set(theirs.records.columns))
    for frame in ("sessions", "laps"):
        a, b = getattr(ours, frame), getattr(theirs, frame)
        assert list(a.columns) == list(b.columns)
        for c in a.columns:
            if c not in FIT_PROFILE_COLUMNS:
                assert a[c].equals(b[c]), (frame, c)
    for key in ("source", "format", "kind", "sport", "sub_sport", "file_type", "utc_offset_s", "timezone",
                "timezone_source", "time_basis"):
        assert getattr(ours.meta, key) == getattr(theirs.meta, key), key
    if name in FIT_DAMAGED:
        assert theirs.report.damage is not None and theirs.report.damage.offset is None
        assert theirs.report.rows == ours.report.rows
    else:
        assert theirs.report.to_dict() == ours.report.to_dict()


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "gpx").glob("*.gpx")))
def test_gpxpy_engine_conforms(name: str) -> None:
    path = CORPUS / "gpx" / name
    ours, theirs = _read(runtwitch.read_gpx, path, "xml"), _read(runtwitch.read_gpx, path, "gpxpy")
    if name in GPXPY_DIFFERS:
        assert theirs == "ParseError" or (
            not isinstance(theirs, str) and not isinstance(ours, str)
            and set(theirs.records.columns) < set(ours.records.columns))
        return
    if isinstance(ours, str) or isinstance(theirs, str):
        assert ours == theirs
        return
    assert theirs.meta.extra.pop("engine") == "gpxpy"
    assert theirs.meta == ours.meta
    assert theirs.records.equals(ours.records)
    assert theirs.sessions.equals(ours.sessions) and theirs.laps.equals(ours.laps)
    assert theirs.route.equals(ours.route)
    assert theirs.report.to_dict() == ours.report.to_dict()


def test_read_gpx_takes_a_gpxpy_object() -> None:
    import gpxpy

    path = CORPUS / "gpx" / "runpandas__run.gpx"
    held = gpxpy.parse(path.read_text(encoding="utf-8"))
    act = runtwitch.read_gpx(held)
    ours = _read(runtwitch.read_gpx, path, "xml")
    assert isinstance(ours, runtwitch.Activity)
    assert act.meta.source == "<gpxpy.GPX>" and act.meta.extra["engine"] == "gpxpy"
    assert act.records.equals(ours.records) and act.sessions.equals(ours.sessions)


def test_engines_are_chosen_by_name_through_the_registry() -> None:
    fit = CORPUS / "fit" / "runpandas__run.fit"
    gpx = CORPUS / "gpx" / "runpandas__run.gpx"
    assert "fitparse" in runtwitch.importer_named("fit").engines  # type: ignore[attr-defined]
    assert "gpxpy" in runtwitch.importer_named("gpx").engines  # type: ignore[attr-defined]
    assert runtwitch.read_activity(gpx, engine="gpxpy").meta.extra["engine"] == "gpxpy"
    assert len(runtwitch.read_activity(fit, engine="fitparse").records) > 0
    with pytest.raises(ValueError, match="no engine 'gpxpy'"):
        runtwitch.read_activity(fit, engine="gpxpy")
    with pytest.raises(ValueError, match="engine"):
        runtwitch.read_gpx(gpx, engine="lxml")  # type: ignore[arg-type]


def test_a_missing_optional_engine_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "gpxpy", None)  # as if not installed
    with pytest.raises(runtwitch.EngineUnavailableError, match=r"pip install 'runtwitch\[gpxpy\]'") as info:
        runtwitch.read_gpx(io.BytesIO((CORPUS / "gpx" / "runpandas__run.gpx").read_bytes()), engine="gpxpy")
    assert isinstance(info.value, ImportError)
