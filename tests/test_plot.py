"""runtwitch.plot: the report's charts as figures of their own, and the rich notebook display."""

from __future__ import annotations

import subprocess
import sys

import pytest

import runtwitch
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def analysis() -> runtwitch.Analysis:
    s = ROOT / "sample_data"
    return runtwitch.analyze([s], diary=s / "diary.csv", athlete=s / "athlete.toml", progress=False)


def test_plots_are_figures_by_episode_id_or_date(analysis: runtwitch.Analysis) -> None:
    from matplotlib.figure import Figure

    from runtwitch import plot

    assert isinstance(plot.season(analysis), Figure)
    by_date, by_row = plot.episode(analysis, "2026-05-23-1900"), plot.episode(analysis, "E13")
    assert isinstance(by_date, Figure)
    assert by_date.get_size_inches().tolist() == by_row.get_size_inches().tolist()
    assert isinstance(plot.patterns(analysis), Figure)
    assert isinstance(plot.patterns(analysis.explanation), Figure)
    with pytest.raises(KeyError, match="the episodes are 2026-05-23-1900"):
        plot.episode(analysis, "2026-05-24")


def test_plotting_leaves_pyplot_and_the_style_alone() -> None:
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        "before = dict(matplotlib.rcParams)\n"
        "import runtwitch\n"
        "from runtwitch import plot\n"
        "a = runtwitch.analyze(['sample_data'], diary='sample_data/diary.csv', progress=False)\n"
        "plot.season(a); plot.episode(a, 'E13'); plot.patterns(a)\n"
        "assert dict(matplotlib.rcParams) == before\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.split() == ["svg", "False"]


def test_rich_display_shows_the_reports_summary_cards(analysis: runtwitch.Analysis) -> None:
    from runtwitch.render.view import summary_rows

    page = analysis._repr_html_()
    assert "Red flags: please read" in page and "Most likely cause" in page
    for row in summary_rows(analysis.explanation, analysis.runs, analysis.days):
        assert row.when in page and row.first_step.replace("'", "&#x27;") in page
    assert "href='#episode-" not in page  # nothing to link to in a notebook
    bare = analysis.explanation._repr_html_()
    assert "Most likely cause" in bare and "diary row 13" in bare
    card = analysis.activities[0]._repr_html_()
    assert "records kept" in card and "<table" in card
