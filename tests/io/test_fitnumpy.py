"""The numpy FIT engine against the reference decoder (fitdecode), on every corpus FIT file."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fitdecode.utils import compute_crc

import runtwitch
from runtwitch.io import _fitcrc, _fitnumpy
from tests.conftest import CORPUS, MANIFEST

pytestmark = pytest.mark.corpus

FIT_FILES = sorted(r["file"] for r in MANIFEST if r["format"] in ("fit", "fit.gz"))


def _read(path: Path, engine: str, errors: str) -> runtwitch.Activity | tuple[str, int | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        try:
            return runtwitch.read_fit(path, engine=engine, errors=errors)  # type: ignore[arg-type]
        except runtwitch.RuntwitchError as exc:
            return type(exc).__name__, getattr(exc, "offset", None)


def _comparable_report(act: runtwitch.Activity) -> dict[str, object]:
    rep = act.report.to_dict()
    rep.pop("warnings")
    if rep.get("damage"):
        rep["damage"] = {k: v for k, v in rep["damage"].items() if k != "reason"}  # type: ignore[union-attr]
    return rep


@pytest.mark.parametrize("errors", ["salvage", "raise"])
@pytest.mark.parametrize("name", FIT_FILES)
def test_numpy_engine_equals_reference(name: str, errors: str) -> None:
    """Same frames, metadata and report (counts, drops, repairs, damage offset) field by field.

    Error messages are worded by each engine; their class and byte offset must agree.
    """
    path = CORPUS / name
    ref = _read(path, "fitdecode", errors)
    got = _read(path, "numpy", errors)
    if isinstance(ref, tuple) or isinstance(got, tuple):
        assert got == ref
        return
    pd.testing.assert_frame_equal(got.records, ref.records)
    pd.testing.assert_frame_equal(got.sessions, ref.sessions)
    pd.testing.assert_frame_equal(got.laps, ref.laps)
    assert got.meta == ref.meta
    assert _comparable_report(got) == _comparable_report(ref)
    assert len(got.report.warnings) == len(ref.report.warnings)


@pytest.mark.parametrize("size", [1, 255, 256, 257, 4096, 100_003])
def test_crc_equals_the_fit_sdk_algorithm(size: int) -> None:
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert _fitcrc.crc16(data) == compute_crc(data)


def test_crc_of_a_whole_corpus_file_matches_its_footer() -> None:
    data = (CORPUS / "fit" / "sports-lib__garmin.fit").read_bytes()
    body = data[0] + int.from_bytes(data[4:8], "little")
    assert _fitcrc.crc16(data[:body]) == int.from_bytes(data[body:body + 2], "little")


def test_profile_version_is_stamped() -> None:
    assert runtwitch.io.fit.PROFILE_SDK_VERSION[0].isdigit()


def test_unknown_engine_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="engine"):
        runtwitch.read_fit(CORPUS / "fit" / "runpandas__run.fit", engine="rust")  # type: ignore[arg-type]


def test_the_equality_test_covers_the_hard_parts() -> None:
    """The corpus exercises compressed timestamps, accumulation, odd field sizes and chaining."""
    seen = {"compressed": 0, "accumulated": 0, "field_size_warnings": 0, "chained": 0}
    for name in ("fit/runalyze__FR70-intervals.fit", "fit/python-fitparse__null_compressed_speed_dist.fit",
                 "fit/python-fitparse__coros-pace-2-cycling-misaligned-fields.fit",
                 "fit/python-fitparse__sample_mulitple_header.fit"):
        framed = _fitnumpy.frame((CORPUS / name).read_bytes())
        seen["compressed"] += len(framed.compressed)
        seen["accumulated"] += sum(
            1 for d in framed.definitions if d.offsets and any(
                f.field is not None and not f.is_dev and f.field.components
                and any(c.accumulate for c in f.field.components) for f in d.fields))
        seen["field_size_warnings"] += len(framed.warnings)
        seen["chained"] += framed.headers > 1
    assert all(seen.values()), seen


def test_framing_never_reads_past_the_declared_data(tmp_path: Path) -> None:
    """A header that claims more data than the file has: truncation at the right offset."""
    data = bytearray((CORPUS / "fit" / "runpandas__run.fit").read_bytes())
    cut = bytes(data[: len(data) // 2])
    framed = _fitnumpy.frame(cut)
    assert framed.failure is not None and framed.failure.kind == "eof"
    assert 0 < (framed.failure.offset or 0) <= len(cut)
    assert os.path.getsize(CORPUS / "fit" / "runpandas__run.fit") > len(cut)
