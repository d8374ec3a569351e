"""The HTML report: one self-contained file, flags first, then the summary, the season and every episode."""

from __future__ import annotations

import itertools
import json
import re

import pytest

import runtwitch
from runtwitch.render import to_html
from runtwitch.render.view import episode_views
from tests.conftest import ROOT

#: The sample season's report must stay one file under this size [bytes] (issue 20).
MAX_REPORT_BYTES = 1_500_000


@pytest.fixture(scope="module")
def analysis() -> runtwitch.Analysis:
    s = ROOT / "sample_data"
    return runtwitch.analyze([s], diary=s / "diary.csv", athlete=s / "athlete.toml", progress=False)


@pytest.fixture(scope="module")
def page(analysis: runtwitch.Analysis) -> str:
    return to_html(analysis)


def test_report_is_self_contained_and_small(page: str) -> None:
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "<script" not in page
    chart = r"<img alt='Bar chart of your daily training load[^']*' src='data:image/svg\+xml;base64,"
    assert re.search(chart, page)
    assert len(page.encode("utf-8")) < MAX_REPORT_BYTES


def test_summary_comes_first_below_the_flags_and_links_every_episode(
        page: str, analysis: runtwitch.Analysis) -> None:
    expected = json.loads((ROOT / "sample_data" / "expected.json").read_text())
    assert page.count("<article class='episode'") == len(expected)
    flags, summary = page.index("Red flags: please read"), page.index("<h2 id='summary-h'>Summary</h2>")
    assert flags < summary < page.index("<h2 id='season-h'>Season</h2>")
    between = page[page.index("</section>", flags) + len("</section>"):page.index("<section id='summary'")]
    assert not between.strip()  # nothing between the flags and the summary
    table = page[summary:page.index("</table>", summary)]
    for view in episode_views(analysis.explanation):
        assert f"<a href='#{view.anchor}'>" in table and f"id='{view.anchor}'" in page
        assert f"diary row {view.row}" in table
    assert "weakness" in page and "does not diagnose" in page
    assert "What to log next time" in page and "Data quality" in page


def test_plain_words_for_runners(page: str) -> None:
    text = re.sub(r"data:[^']+'", "'", page)
    for jargon in ("EWMA", "fatigue_overuse", "snake", "10^0", "acute (", "chronic ("):
        assert jargon not in text
    assert "training load (TRIMP)" in base64_svgs(page)
    assert "(possible)" in text and re.search(r"score 0\.\d\d on a 0-1 scale", text)


def base64_svgs(page: str) -> str:
    import base64

    uris = re.findall(r"data:image/svg\+xml;base64,([^']+)", page)
    return "".join(base64.b64decode(u).decode() for u in uris)


def test_headings_in_order_and_every_chart_described(page: str) -> None:
    levels = [int(h) for h in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    imgs = re.findall(r"<img [^>]*>", page)
    assert imgs and all(re.search(r"alt='[^']{20,}'", i) for i in imgs)
    assert "@media print" in page
