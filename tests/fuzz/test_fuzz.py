"""Short deterministic fuzz run (part of the suite) and the regression files it produced."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtwitch
from tests.fuzz.run import fuzz, readers

pytestmark = pytest.mark.corpus
HERE = Path(__file__).parent

# Cases per format in the normal suite: a few thousand in all, about 20 s.
IN_SUITE_CASES = {"fit": 800, "gpx": 1200, "tcx": 1200, "diary": 600}
# The further formats (seeds in ../shared/corpus-formats): about 25 s more. Wahoo CSV and HRM
# cases cost most (every case assembles a whole activity).
IN_SUITE_FORMAT_CASES = {"sml": 200, "suunto_xml": 150, "suunto_json": 200, "hrm": 60, "polar_xml": 150,
                         "pwx": 150, "kml": 200, "gcjson": 200, "wahoo_csv": 40, "zip": 120}


@pytest.mark.parametrize("fmt", list(IN_SUITE_CASES))
def test_only_runtwitch_errors_escape(fmt: str) -> None:
    failures = fuzz(fmt, IN_SUITE_CASES[fmt], seed=7)
    assert failures == [], failures[0][2]


@pytest.mark.corpus_formats
@pytest.mark.parametrize("fmt", list(IN_SUITE_FORMAT_CASES))
def test_only_runtwitch_errors_escape_further_formats(fmt: str) -> None:
    failures = fuzz(fmt, IN_SUITE_FORMAT_CASES[fmt], seed=7)
    assert failures == [], failures[0][2]


@pytest.mark.parametrize("path", sorted((HERE / "regressions").iterdir()), ids=lambda p: p.name)
def test_regression_files(path: Path) -> None:
    """Every input the fuzzer once broke on: now a runtwitch error or a clean import."""
    read = readers()[path.suffix.lstrip(".") if path.suffix != ".csv" else "diary"]  # suffix = reader name
    with contextlib.suppress(runtwitch.RuntwitchError):
        read(path.read_bytes())


def test_unknown_xml_encoding_is_a_parse_error() -> None:
    with pytest.raises(runtwitch.ParseError, match="unknown encoding"):
        runtwitch.read_gpx(HERE / "regressions" / "unknown-encoding.gpx")


def test_time_beyond_year_2262_is_dropped_not_a_crash() -> None:
    act = runtwitch.read_tcx(HERE / "regressions" / "year-3018-trackpoint.tcx")
    assert act.report.dropped == {"no_timestamp": 1} and act.report.rows == 2


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(cell, min_size=1, max_size=8), min_size=0, max_size=6),
    st.sampled_from([",", ";", "\t"]),
)
def test_diary_survives_any_cells(rows: list[list[str]], sep: str) -> None:
    header = sep.join(["date", "time", "muscles", "severity", "weakness", "fluid_during_l", "notes", "x"])
    body = "\n".join(sep.join('"' + c.replace('"', '""') + '"' for c in r) for r in rows)
    try:
        d = runtwitch.read_diary(io.BytesIO((header + "\n" + body).encode("utf-8")), tz="Europe/Paris")
    except runtwitch.RuntwitchError:
        return
    assert len(d.context) == d.report.rows  # every non-blank row kept


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_any_reader(data: bytes) -> None:
    for read in readers().values():
        with contextlib.suppress(runtwitch.RuntwitchError):
            read(data)
