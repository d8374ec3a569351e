"""The report's charts as matplotlib figures, for notebooks and scripts.

Each function returns a new :class:`matplotlib.figure.Figure` of its own: no
pyplot, no current figure, no backend or style changed, so a notebook's or an
application's matplotlib state is left as it was. Show one in a notebook by
leaving it as a cell's last value (with ``%matplotlib inline``, the default in
Jupyter), save it with ``fig.savefig(...)``.

The figures are those of the HTML report (:mod:`runtwitch.render.charts`):
sized in CSS pixels for the width they are drawn for (``width_px``), with no
text under :data:`~runtwitch.render.charts.MIN_FONT_PT` points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from runtwitch.analysis import Analysis
from runtwitch.features.columns import run_column
from runtwitch.render.charts import (
    NARROW_PX,
    WIDE_PX,
    episode_figure,
    message_figure,
    patterns_figure,
    season_figure,
)
from runtwitch.render.view import episode_views
from runtwitch.rules import Explanation
from runtwitch.rules.patterns import PATTERN_MIN_EPISODES, PATTERN_MIN_RUNS_EACH_SIDE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["episode", "patterns", "season"]


def season(analysis: Analysis, *, width_px: float = WIDE_PX) -> Figure:
    """Daily training load by week, rest days, hot runs and the episodes of the season.

    ``width_px`` is the width [CSS px] the chart is drawn for (below 600 px:
    a phone's layout).
    """
    return season_figure(analysis.runs, analysis.days, analysis.explanation.episodes, width_px=width_px)


def episode(analysis: Analysis, episode_id: str, *, width_px: float = NARROW_PX) -> Figure:
    """Heart rate and pace of the run an episode followed, its end and its cool-down shaded.

    ``episode_id`` is the episode's date-based id (``2026-05-23-1900``, see
    :func:`runtwitch.render.view.episode_refs`) or its ``episode_id`` (``E13``).
    An unknown id raises ``KeyError`` (the message lists the episodes); an
    episode linked to no run gives a chart that says so.
    """
    views = episode_views(analysis.explanation)
    view = next((v for v in views if episode_id in (v.ref, v.id)), None)
    if view is None:
        known = ", ".join(v.ref for v in views) or "none"
        raise KeyError(f"no episode {episode_id!r}: the episodes are {known}")
    act = analysis.season.activities.get(view.activity_id) if view.activity_id is not None else None
    cooldown = pd.to_numeric(analysis.runs[run_column("cooldown_detected_min")], errors="coerce")
    value = cooldown.get(view.activity_id) if act is not None else None
    return episode_figure(act,
                          cooldown_min=None if value is None or pd.isna(value) else float(value),
                          width_px=width_px)


def patterns(source: Analysis | Explanation, *, width_px: float = NARROW_PX) -> Figure:
    """How many times as often an episode followed runs with each factor, with its range.

    ``source`` is an :class:`~runtwitch.Analysis` or its
    :class:`~runtwitch.Explanation`. While no factor has enough runs on both
    sides and enough episodes (:func:`runtwitch.rules.patterns.patterns`), the
    figure says so in words instead.
    """
    ex = source.explanation if isinstance(source, Analysis) else source
    fig = patterns_figure(ex.patterns, width_px=width_px)
    if fig is not None:
        return fig
    return message_figure(
        "No personal pattern yet: a factor is shown once at least "
        f"{PATTERN_MIN_RUNS_EACH_SIDE} runs had it and {PATTERN_MIN_RUNS_EACH_SIDE} did not, "
        f"with at least {PATTERN_MIN_EPISODES} episodes after them.",
        width_px=width_px,
    )
