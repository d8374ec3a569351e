"""Shared test fixtures: the real-file corpus in ../shared/corpus and its manifest."""

from __future__ import annotations

import csv
import functools
import gzip
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest

import runtwitch

ROOT = Path(__file__).resolve().parents[1]
# Tests never touch the user's cache: one throw-away cache folder per test session.
os.environ["RUNTWITCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="runtwitch-test-cache-")
CORPUS = Path(os.environ.get("RUNTWITCH_CORPUS", ROOT.parent / "shared" / "corpus"))
#: The further formats (SML, HRM, PWX, KML, exports...), with their own MANIFEST.csv.
CORPUS_FORMATS = Path(
    os.environ.get("RUNTWITCH_CORPUS_FORMATS", ROOT.parent / "shared" / "corpus-formats"))


def _manifest(corpus: Path = CORPUS) -> list[dict[str, str]]:
    path = corpus / "MANIFEST.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


MANIFEST = _manifest()
MANIFEST_FORMATS = _manifest(CORPUS_FORMATS)


def corpus_formats(relative: str = "") -> Path:
    """A path in the further-formats corpus (``../shared/corpus-formats``, or $RUNTWITCH_CORPUS_FORMATS)."""
    return CORPUS_FORMATS / relative


def manifest_rows(formats: tuple[str, ...], kinds: tuple[str, ...] | None = None) -> list:
    """Manifest rows as pytest params (id = file name), filtered by format and kind."""
    rows = [
        r for r in MANIFEST
        if r["format"] in formats and (kinds is None or r["kind"] in kinds)
    ]
    return [pytest.param(r, id=r["file"]) for r in rows]


def corpus_fit_bytes() -> list[tuple[Path, bytes]]:
    """Every FIT file of the corpus with its FIT bytes: ``.fit`` in any case, ``.fit.gz`` unpacked.

    For the tests that compare a fast path with its reference on every file
    (a plain ``glob("*.fit")`` leaves out ``.FIT`` and ``.fit.gz``).
    """
    out = []
    for path in sorted((CORPUS / "fit").iterdir()):
        name = path.name.lower()
        if name.endswith(".fit"):
            out.append((path, path.read_bytes()))
        elif name.endswith(".fit.gz"):
            out.append((path, gzip.decompress(path.read_bytes())))
    return out


def corpus_path(row: dict[str, str]) -> Path:
    return CORPUS / row["file"]


#: Manifest sensor facts -> the record columns that express them.
HAS_COLUMNS = {
    "has_hr": ("heart_rate_bpm",),
    "has_cadence": ("cadence_spm", "cadence_rpm"),
    "has_power": ("power_w",),
    "has_temp": ("temperature_c",),
}


def same_second(a: pd.Timestamp | None, manifest_time: str) -> bool:
    """True if ``a`` is within a second of a manifest timestamp."""
    return a is not None and abs((pd.Timestamp(manifest_time) - a).total_seconds()) < 1


def assert_same_frames(a: runtwitch.Activity, b: runtwitch.Activity,
                       frames: tuple[str, ...] = ("records", "sessions", "laps")) -> None:
    """Two activities' ``frames`` are equal (dtypes included), and so is their metadata."""
    for name in frames:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.meta == b.meta


@functools.cache
def read_cached(path: str) -> runtwitch.Activity:
    """Read a corpus file once per test session (the frames are not modified by tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runtwitch.RuntwitchWarning)
        return runtwitch.read_activity(path)


@pytest.fixture(autouse=True)
def _need_corpus(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("corpus") and not MANIFEST:
        pytest.fail(f"the shared corpus is missing at {CORPUS} (set RUNTWITCH_CORPUS)")
    if request.node.get_closest_marker("corpus_formats") and not MANIFEST_FORMATS:
        pytest.fail(f"the further-formats corpus is missing at {CORPUS_FORMATS} "
                    "(set RUNTWITCH_CORPUS_FORMATS)")


#: The slow tests (over ~5 s each on 2 cores, measured with ``pytest --durations``): whole
#: modules or single tests, by node id prefix. ``pytest -m "not slow"`` leaves them out for a
#: quick check while working (README, CONTRIBUTING.md); CI runs them all.
SLOW = (
    "tests/fuzz/",
    "tests/validation/",
    "tests/test_docs_build.py",
    "tests/test_notebook.py",
    "tests/test_sample_season.py",
    "tests/render/test_html_report.py",
    "tests/test_cli.py::test_inspect_json_over_whole_corpus",
    "tests/features/test_tables.py::test_every_corpus_activity_gets_a_row",
    "tests/io/fit/test_fitnumpy.py::test_numpy_engine_equals_reference",
    "tests/io/fit/test_fitnumpy.py::test_engines_agree_on_damaged_files",
    "tests/io/test_batch_cache.py::test_two_processes_filling_the_cache_at_once",
    "tests/test_testing.py::test_sample_data_fit_files_import_cleanly",
    "tests/test_analysis.py::test_the_sample_season_does_not_depend_on_the_clock",
    "tests/test_cli_bad_input.py::test_the_real_entry_point",
    "tests/render/test_text.py::test_the_example_script_runs_with_the_installed_python",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of :data:`SLOW` ``slow``."""
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
