"""Conformance of the FIT importer with every FIT row of the shared corpus manifest."""

from __future__ import annotations

import pytest

import runtwitch
from runtwitch.model.schema import validate_records
from tests.conftest import HAS_COLUMNS, corpus_path, manifest_rows, read_cached, same_second

pytestmark = pytest.mark.corpus

FIT = ("fit", "fit.gz")

# Where runtwitch deliberately differs from the manifest's has_* facts, and why.
# The test asserts that the difference is exactly this, and that the report says so.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("fit/runalyze__hr-only-zeros.fit", "has_hr"): "heart_rate_zero",
    ("fit/python-fitparse__null_compressed_speed_dist.fit", "has_hr"): "heart_rate_zero",
    ("fit/tormoder-fit__0134902991.fit", "has_hr"): "heart_rate_zero",
    # Pool swims whose chest strap stored heart rate in FIT 'hr' messages: the
    # manifest counts record fields only; runtwitch fills the records from them.
    ("fit/python-fitparse__event_timestamp.fit", "has_hr"): "heart_rate_from_hr_messages",
    ("fit/tormoder-fit__activity_poolswim_with_hr.fit", "has_hr"): "heart_rate_from_hr_messages",
    ("fit/sports-lib__6688025408.fit", "has_hr"): "heart_rate_from_hr_messages",
    # The SDK example's records have no timestamp; they cannot be placed in time.
    ("fit/python-fitparse__DeveloperData.fit", "has_hr"): "no_timestamp",
    ("fit/python-fitparse__DeveloperData.fit", "has_cadence"): "no_timestamp",
}




@pytest.mark.parametrize("row", manifest_rows(FIT, ("activity",)))
def test_activity_matches_manifest(row: dict[str, str]) -> None:
    act = read_cached(str(corpus_path(row)))
    rep = act.report
    assert rep.source_records == int(row["n_records"])
    assert rep.rows + rep.n_dropped == rep.source_records
    assert act.meta.format == "fit"
    assert validate_records(act.records) == []

    first, last = row["first_ts"], row["last_ts"]
    if not first:
        assert rep.source_first_time is None
    elif first.isdigit():
        # Relative device time (seconds since power-on): runtwitch anchors it to a
        # real clock; the span between first and last must be preserved.
        assert rep.repaired.get("relative_timestamp_anchored_to_local_clock") == rep.source_records
        span = (rep.source_last_time - rep.source_first_time).total_seconds()
        assert span == int(last) - int(first)
    else:
        assert same_second(rep.source_first_time, first), (rep.source_first_time, first)
        assert same_second(rep.source_last_time, last), (rep.source_last_time, last)

    cols = set(act.records.columns)
    for fact, names in HAS_COLUMNS.items():
        expected = row[fact] == "yes"
        got = bool(cols & set(names))
        reason = KNOWN_DIFFERENCES.get((row["file"], fact))
        if reason is None:
            assert got == expected, f"{fact}: manifest {row[fact]}, columns {sorted(cols)}"
        else:
            assert got != expected
            assert rep.repaired.get(reason) or rep.dropped.get(reason)


def test_all_zero_heart_rate_is_missing_and_explained(recwarn: pytest.WarningsRecorder) -> None:
    act = runtwitch.read_fit(corpus_path({"file": "fit/runalyze__hr-only-zeros.fit"}))
    assert "heart_rate_bpm" not in act.records
    assert act.report.repaired["heart_rate_zero"] == 2713
    assert any("were 0" in w for w in act.report.warnings)
    assert any(issubclass(w.category, runtwitch.DataQualityWarning) for w in recwarn)


CORRUPT = {
    # file: (error class with errors="raise", records kept in salvage mode, damage offset)
    "fit/python-fitparse__activity-activity-filecrc.fit": (runtwitch.ChecksumError, 28, 1540),
    "fit/python-fitparse__activity-settings-nodata.fit": (runtwitch.TruncatedFileError, 14, 784),
    "fit/python-fitparse__activity-unexpected-eof.fit": (runtwitch.TruncatedFileError, 14, 768),
    "fit/python-fitparse__strava-android-app-201.10-b1218918.fit": (
        runtwitch.CorruptFileError, 473, 7471,
    ),
}


@pytest.mark.parametrize("row", manifest_rows(FIT, ("corrupt",)))
def test_corrupt_file(row: dict[str, str]) -> None:
    path = corpus_path(row)
    if row["file"] not in CORRUPT:
        # Nothing to salvage (the zero-byte file): a typed error in every mode.
        assert int(row["size_bytes"]) == 0
        for mode in ("raise", "warn", "salvage"):
            with pytest.raises(runtwitch.EmptyFileError, match="empty"):
                runtwitch.read_fit(path, errors=mode)
        return
    error, kept, offset = CORRUPT[row["file"]]
    with pytest.raises(error) as info:
        runtwitch.read_fit(path, errors="raise")
    assert info.value.offset == offset
    assert str(path) in str(info.value)
    assert info.value.__cause__ is not None  # the decoder's own exception
    with pytest.warns(runtwitch.PartialImportWarning):
        act = runtwitch.read_fit(path, errors="salvage")
    assert act.report.status == "partial"
    assert act.report.damage is not None and act.report.damage.offset == offset
    assert act.report.source_records == kept == int(row["n_records"])
    assert len(act.records) > 0


def test_warn_mode_keeps_crc_damaged_data_but_raises_on_truncation() -> None:
    crc = corpus_path({"file": "fit/python-fitparse__activity-activity-filecrc.fit"})
    with pytest.warns(runtwitch.PartialImportWarning):
        act = runtwitch.read_fit(crc, errors="warn")
    assert act.report.damage is not None and act.report.damage.kind == "ChecksumError"
    eof = corpus_path({"file": "fit/python-fitparse__activity-unexpected-eof.fit"})
    with pytest.raises(runtwitch.TruncatedFileError):
        runtwitch.read_fit(eof, errors="warn")


@pytest.mark.parametrize("row", manifest_rows(FIT, ("settings", "workout", "monitoring")))
def test_non_activity_files_are_recognised(row: dict[str, str]) -> None:
    with pytest.raises(runtwitch.NotAnActivityError) as info:
        runtwitch.read_fit(corpus_path(row))
    assert row["kind"] in info.value.file_type


def test_errors_argument_is_checked() -> None:
    with pytest.raises(ValueError, match="errors must be"):
        runtwitch.read_fit(corpus_path({"file": "fit/python-fitparse__Activity.fit"}), errors="x")  # type: ignore[arg-type]
