"""The HTML report: one self-contained file with the timeline, every episode and the flags first."""

from __future__ import annotations

import re

import pytest

import runtwitch
from runtwitch.render import to_html
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def page() -> str:
    s = ROOT / "sample_data"
    return to_html(runtwitch.analyze([s], diary=s / "diary.csv", athlete=s / "athlete.toml"))


def test_report_is_self_contained(page: str) -> None:
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "<script" not in page
    assert re.search(r"<img alt='season timeline' src='data:image/png;base64,", page)


def test_report_has_every_episode_and_flags_first(page: str) -> None:
    import json

    expected = json.loads((ROOT / "sample_data" / "expected.json").read_text())
    assert page.count("<div class='episode'>") == len(expected)
    assert page.index("Red flags: please read") < page.index("<h2>Season</h2>")
    assert "weakness" in page and "does not diagnose" in page
    assert "What to log next time" in page and "Data quality" in page
    assert "max-width:960px" in page  # readable without scrolling sideways
