"""One set of options everywhere: every reader validates and honours errors=, engine= reaches FIT."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.io.source import check_errors, load, named_buffer, read_file
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus

FIT = CORPUS / "fit" / "runpandas__run.fit"
GPX = CORPUS / "gpx" / "runalyze__standard.gpx"
TCX = CORPUS / "tcx" / "runalyze__Standard.tcx"
UNDECLARED_PREFIX = CORPUS / "gpx" / "sports-lib__6048438275.gpx"


@pytest.mark.parametrize(
    ("read", "path"),
    [(runtwitch.read_fit, FIT), (runtwitch.read_gpx, GPX), (runtwitch.read_tcx, TCX),
     (runtwitch.read_activity, GPX), (runtwitch.read_activity, FIT)],
    ids=["fit", "gpx", "tcx", "activity-gpx", "activity-fit"],
)
def test_every_reader_rejects_an_unknown_errors_mode(read, path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="errors must be 'raise', 'warn' or 'salvage', not 'bogus'"):
        read(path, errors="bogus")


def test_batch_and_analyze_reject_an_unknown_errors_mode_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="errors must be"):
        runtwitch.read_activities([tmp_path], errors="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="errors must be"):
        runtwitch.analyze([tmp_path], errors="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no format offers the engine 'rust'"):
        runtwitch.read_activities([tmp_path], engine="rust")


def test_check_errors() -> None:
    assert [check_errors(m) for m in ("raise", "warn", "salvage")] == ["raise", "warn", "salvage"]
    with pytest.raises(ValueError, match="not None"):
        check_errors(None)


def test_xml_errors_raise_refuses_what_the_other_modes_repair() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        for mode in ("warn", "salvage"):
            act = runtwitch.read_gpx(UNDECLARED_PREFIX, errors=mode)  # type: ignore[arg-type]
            assert act.report.repaired["xml_undeclared_prefix_declared"] == 1
    with pytest.raises(runtwitch.ParseError, match="not well-formed XML") as info:
        runtwitch.read_gpx(UNDECLARED_PREFIX, errors="raise")
    assert info.value.line is not None
    assert runtwitch.read_tcx(TCX, errors="raise").report.rows > 0  # a byte order mark is no fault


def test_read_activity_passes_the_engine_on() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        ref = runtwitch.read_activity(FIT, engine="fitdecode")
        default = runtwitch.read_activity(FIT)
    pd.testing.assert_frame_equal(ref.records, default.records)
    with pytest.raises(ValueError, match="'gpx' importer has no engine 'fitdecode'"):
        runtwitch.read_activity(GPX, engine="fitdecode")
    with pytest.raises(ValueError, match="engines: numpy, fitdecode"):
        runtwitch.read_activity(FIT, engine="rust")


def test_batch_and_analyze_pass_errors_and_engine_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for f in (FIT, GPX):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    seen: list[tuple[str, object, object]] = []
    real = runtwitch.io.batch.read_activity

    def spy(source, *, importer=None, errors="salvage", engine=None):  # type: ignore[no-untyped-def]
        seen.append((Path(runtwitch.io.source.source_name(source)).suffix, errors, engine))
        return real(source, importer=importer, errors=errors, engine=engine)

    monkeypatch.setattr(runtwitch.io.batch, "read_activity", spy)
    runtwitch.analyze([tmp_path], errors="raise", engine="fitdecode", cache=False, n_jobs=1, progress=False)
    assert sorted(seen) == [(".fit", "raise", "fitdecode"), (".gpx", "raise", None)]


def test_a_format_chosen_by_name(tmp_path: Path) -> None:
    odd = tmp_path / "track.xml"
    odd.write_bytes(GPX.read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        assert runtwitch.read_activity(odd, importer="gpx").meta.format == "gpx"
    with pytest.raises(ValueError, match="root element is <gpx>, expected <kml>"):
        runtwitch.read_activity(odd, importer="kml")
    with pytest.raises(ValueError, match="no importer named 'bogus'"):
        runtwitch.read_activity(odd, importer="bogus")


def test_a_named_buffer_reads_like_the_file() -> None:
    data = read_file(FIT)
    buffer = named_buffer(data, str(FIT))
    assert runtwitch.io.source.source_name(buffer) == str(FIT)
    assert load(buffer).data == load(io.BytesIO(data)).data == data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        a = runtwitch.read_activity(named_buffer(data, str(FIT)))
        b = runtwitch.read_activity(FIT)
    pd.testing.assert_frame_equal(a.records, b.records)
    assert a.meta == b.meta
