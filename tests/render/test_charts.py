"""The report's charts (``render/charts.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import runtwitch
from runtwitch.render.charts import SEASON_DAILY_MAX_DAYS, season_figure, svg_uri
from tests.helpers.history import write_run

START = datetime(2019, 1, 7, 7, 0, tzinfo=UTC)


def test_a_season_of_years_is_drawn_a_bar_a_week_with_the_year_on_its_axis(tmp_path: Path) -> None:
    """Runs over three years: a chart of daily bars and rest-day bands drew thousands of shapes
    (a new user's 14 years made a 2.8 MB chart and a 5.6 MB report) under day-month labels with no
    year. It draws one bar a week and month-year labels; a season under a year keeps its days."""
    for k in range(0, 3 * 365, 9):
        write_run(tmp_path, f"r{k:04d}.fit", START + timedelta(days=k), 30)
    result = runtwitch.analyze([tmp_path], tz="UTC", cache=False)
    assert (result.days.index.max() - result.days.index.min()).days > SEASON_DAILY_MAX_DAYS
    fig = season_figure(result.runs, result.days, result.explanation.episodes)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_width() > 1]
    assert 150 < len(bars) < 3 * 53 + 2  # one a week (every week, rest weeks at 0)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(label[-4:].isdigit() for label in labels), labels
    assert len(svg_uri(fig)) < 400_000
    short = result.days.iloc[-120:]
    fig = season_figure(result.runs, short, result.explanation.episodes)
    assert all(p.get_width() < 1 for p in fig.axes[0].patches if p.get_height() > 0)  # a bar a day
