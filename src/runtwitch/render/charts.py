"""The charts of the report and of :mod:`runtwitch.plot`: the season, one episode's run, the patterns.

Each chart is a :class:`matplotlib.figure.Figure` of its own, sized in CSS
pixels for the width it is shown at (:data:`WIDE_PX` on a laptop,
:data:`NARROW_PX` on a phone) with text no smaller than :data:`MIN_FONT_PT`,
so that a chart shown at its own width has no text under
:data:`MIN_TEXT_PX` CSS pixels. The report embeds each figure as SVG
(:func:`svg`, text kept as text) at the width it was drawn for. pyplot and the
process's matplotlib backend are never touched; matplotlib itself is imported
when the first chart is drawn, so that the text and JSON reports do not load
it.
"""

from __future__ import annotations

import base64
import io
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.model.activity import Activity

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Width [CSS px] of the charts drawn for a laptop (the report's column, 960 px less its padding).
WIDE_PX = 928
#: Width [CSS px] of the charts drawn for a phone (fits a 360 px screen less the page's padding).
NARROW_PX = 340
#: CSS pixels per inch: a chart drawn ``w`` px wide is a figure of ``w / 96`` inches.
CSS_PX_PER_IN = 96.0
#: Smallest font of any chart text [pt]: at the chart's own width a point is 96/72 CSS px.
MIN_FONT_PT = 9.5
#: Smallest text of the report, HTML and charts alike [CSS px] (checked in headless Chromium).
MIN_TEXT_PX = 12.0
#: Font of axis labels, legends and annotations [pt].
FONT_PT = 10.0

HEART = "#c0392b"
PACE = "#1f5fa8"
LOAD = "#8a96a3"
HOT = "#e07b00"
EPISODE = "#6a1b9a"
REST = "#dcefdc"

#: Load unit and one sentence per daily ``load_method`` (features/daily.py).
LOAD_UNITS = {
    "trimp": ("TRIMP", "TRIMP (training impulse, Banister) counts the minutes of a session weighted by "
              "how hard your heart worked: an easy hour scores roughly 60-80, a hard hour 150 or more."),
    "srpe": ("session RPE × minutes", "Session RPE × minutes multiplies how hard the session felt "
             "(0-10) by its length in minutes: an easy hour at 3 scores 180."),
    "duration": ("minutes", "Without heart rate or a rating of effort, a session's load is its length "
                 "in minutes."),
}


def load_unit(days: pd.DataFrame) -> tuple[str, str]:
    """The name of the load's unit on the chart's axis, and one sentence explaining it.

    Days without any activity (``load_method`` ``none``) do not count; a season
    mixing methods names each.
    """
    column = daily_column("load_method")
    used = set(days[column]) if column in days else set()
    methods = [m for m in LOAD_UNITS if m in used]
    mixed = "mixed" in used
    if not methods:
        return "training load", "There is no training load yet: no activity in the season."
    if len(methods) == 1 and not mixed:
        unit, sentence = LOAD_UNITS[methods[0]]
        return f"training load ({unit})", sentence
    unit = ", ".join(LOAD_UNITS[m][0] for m in methods)
    return f"training load ({unit})", " ".join(LOAD_UNITS[m][1] for m in methods) + (
        " Each session uses the first that it has, in this order.")


def _figure(width_px: float, height_px: float) -> Figure:
    """A new figure of its own (no pyplot, no backend), ``width_px`` by ``height_px`` CSS pixels."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_px / CSS_PX_PER_IN, height_px / CSS_PX_PER_IN), layout="constrained")


def message_figure(text: str, *, width_px: float = NARROW_PX) -> Figure:
    """A small figure that says, in words, why there is nothing to draw yet."""
    import textwrap

    chars = int(width_px * 72 / CSS_PX_PER_IN / (0.62 * FONT_PT))
    lines = textwrap.fill(text, chars)
    fig = _figure(width_px, 40 + 18 * (lines.count("\n") + 1))
    ax = fig.subplots()  # an axes, hidden: notebooks do not display a figure without one
    ax.axis("off")
    ax.text(0.0, 0.5, lines, fontsize=FONT_PT, va="center", ha="left", color="#444", transform=ax.transAxes)
    return fig


def _style(ax: Axes) -> None:
    ax.tick_params(labelsize=MIN_FONT_PT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def svg(fig: Figure) -> str:
    """The figure as an SVG document whose text stays text (readable, searchable, measurable).

    Only ``svg.fonttype`` and ``svg.hashsalt`` are set, for the duration of
    the save (so the output is reproducible); the metadata block (with its
    links) is left out.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "runtwitch"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)


def svg_uri(fig: Figure) -> str:
    """The figure as an embeddable ``data:image/svg+xml`` URI (see :func:`svg`)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(fig).encode("utf-8")).decode("ascii")


def size_px(fig: Figure) -> tuple[int, int]:
    """The figure's width and height in CSS pixels."""
    w, h = fig.get_size_inches()
    return round(w * CSS_PX_PER_IN), round(h * CSS_PX_PER_IN)


def _levels(xs: list[float], min_gap: float, n_levels: int) -> list[int]:
    """A level (row) for each label at position ``xs`` (sorted), so labels closer than ``min_gap`` differ.

    The lowest free level is taken; at most ``n_levels`` (then the level
    whose last label is furthest left).
    """
    last: list[float] = [-np.inf] * max(n_levels, 1)
    out = []
    for x in xs:
        level = next((k for k in range(len(last)) if x - last[k] >= min_gap), int(np.argmin(last)))
        last[level] = x
        out.append(level)
    return out


#: A season longer than this [days] is drawn a bar a week (daily bars and rest-day bands would be
#: thousands of shapes, megabytes of SVG), its axis labelled by month and year.
SEASON_DAILY_MAX_DAYS = 366


def drawn_by_week(days: pd.DataFrame) -> bool:
    """Whether :func:`season_figure` draws the daily table ``days`` a bar a week (a season longer
    than :data:`SEASON_DAILY_MAX_DAYS`)."""
    return bool(len(days)) and (days.index.max() - days.index.min()).days > SEASON_DAILY_MAX_DAYS

_SEASON_WORDS = {"load": "daily load", "hot": "day with a hot run", "rest": "rest day",
                 "acute": "average of the last week", "chronic": "average of the last 6 weeks",
                 "episode": "episode (day of the month)"}
_SEASON_SHORT = {"load": "daily load", "hot": "hot run", "rest": "rest day", "acute": "week's average",
                 "chronic": "6 weeks' average", "episode": "episode (day)"}


def season_figure(runs: pd.DataFrame, days: pd.DataFrame, episodes: pd.DataFrame, *,
                  width_px: float = WIDE_PX) -> Figure:
    """Daily training load by week, rest days, hot runs and the episodes.

    Parameters
    ----------
    runs, days
        The run and daily feature tables.
    episodes
        The explained episodes (``Explanation.episodes``): each is marked by
        a triangle labelled with its day of the month, staggered so that no
        two labels overlap.
    width_px
        Width [CSS px] the chart is drawn for; below 600 px the legend and
        the week labels are thinned for a phone.
    """
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    narrow = width_px < 600
    words = _SEASON_SHORT if narrow else _SEASON_WORDS
    fig = _figure(width_px, 400 if narrow else 380)
    ax = fig.subplots()
    _style(ax)
    unit, _ = load_unit(days)
    handles: list[Any] = []
    if len(days):
        load = days[daily_column("load")].astype(float).fillna(0.0)
        hot_days: set[pd.Timestamp] = set()
        ran = runs[runs[run_column("is_run")]] if len(runs) else runs
        if len(ran):
            hot = ran[ran[run_column("heat_risk")].isin(["high", "extreme"])]
            hot_days = set(pd.to_datetime(hot[run_column("local_date")]))
        is_hot = np.array([d in hot_days for d in days.index])
        by_week = drawn_by_week(days)
        if by_week:  # years of days: a bar a week, no band a rest day (thousands of them)
            mondays = pd.DatetimeIndex(days.index).to_period("W-SUN").start_time
            load = load.groupby(mondays).sum()
            is_hot = pd.Series(is_hot, index=days.index).groupby(mondays).any().to_numpy()
            words = {**words, "load": "weekly load", "hot": "week with a hot run"}
        # a week's bar centred on its seven days, a day's on its day
        x = mdates.date2num(pd.DatetimeIndex(load.index).to_pydatetime()) + (3.0 if by_week else 0.0)  # type: ignore[no-untyped-call]
        width = 6.0 if by_week else 0.85
        ax.bar(x[~is_hot], load[~is_hot], width=width, color=LOAD, label=words["load"])
        if is_hot.any():
            ax.bar(x[is_hot], load[is_hot], width=width, color=HOT, hatch="////", edgecolor="#7a4300", lw=0,
                   label=words["hot"])
        handles += ax.get_legend_handles_labels()[0]
        if not by_week:
            rest = days.index[days[daily_column("rest_day")].fillna(False).to_numpy(bool)]
            spans = [(mdates.date2num(d) - 0.5, 1.0) for d in rest]  # type: ignore[no-untyped-call]
            ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), color=REST, zorder=0,
                           lw=0)  # one band per rest day, one artist for all
            handles.append(Patch(color=REST, label=words["rest"]))
        (acute,) = ax.plot(days.index, days[daily_column("acute_load")], color="#333", lw=1.8,
                           label=words["acute"])
        (chronic,) = ax.plot(days.index, days[daily_column("chronic_load")], color="#333", lw=1.6, ls="--",
                             label=words["chronic"])
        handles += [acute, chronic]
        top = float(np.nanmax(load.to_numpy())) if len(load) else 1.0
    else:
        top = 1.0
    dates = sorted(pd.Timestamp(d) for d in episodes["date"] if not pd.isna(d)) if len(episodes) else []
    span_days = max((days.index.max() - days.index.min()).days if len(days) else 1, 1)
    per_px = span_days / (width_px * 0.85)
    levels = _levels([d.value / 86400e9 for d in dates], per_px * 22, len(dates))
    n_levels = max(levels, default=0) + 1
    rail = top * 1.08
    step = top * 0.1
    ax.set_ylim(0, rail + step * n_levels + top * 0.04)
    if dates:
        for d, level in zip(dates, levels, strict=True):
            y = rail + step * level
            x = mdates.date2num(d)  # type: ignore[no-untyped-call]
            ax.plot([x, x], [0, y], color=EPISODE, lw=0.9, ls=":", zorder=1)
            ax.plot([x], [y], marker="v", color=EPISODE, ms=7, zorder=3)
            ax.annotate(f"{d.day}", (d, y), xytext=(0, 5), textcoords="offset points", ha="center",
                        va="bottom", fontsize=FONT_PT, color=EPISODE)
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color=EPISODE, marker="v", ls=":", label=words["episode"]))
    ax.set_ylabel(unit if not narrow else unit.replace("training load ", "load "), fontsize=FONT_PT)
    weeks = 1 if not narrow else 4
    span = (days.index.max() - days.index.min()).days if len(days) else 0
    if not narrow and span > 7 * 20:
        weeks = 2
    if drawn_by_week(days):  # months or years, labelled with the year
        locator = mdates.AutoDateLocator(maxticks=6 if narrow else 12)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]
        ax.set_xlabel("weeks", fontsize=FONT_PT)
    else:
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=weeks))  # type: ignore[no-untyped-call]
        ax.xaxis.set_minor_locator(mdates.WeekdayLocator(byweekday=mdates.MO))  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
        ax.set_xlabel("week starting (Monday)", fontsize=FONT_PT)
    fig.legend(handles=handles, loc="outside lower center", ncol=2 if narrow else 3, fontsize=MIN_FONT_PT,
               frameon=False)
    return fig


def _smooth(values: pd.Series, seconds: int) -> pd.Series:
    return values.resample(f"{seconds}s").mean()


def episode_figure(act: Activity | None, *, cooldown_min: float | None = None, width_px: float = NARROW_PX,
                   bin_s: int = 15) -> Figure:
    """Heart rate and pace of the run an episode followed, its end and its cool-down.

    Parameters
    ----------
    act
        The run; None draws a chart that says the episode is linked to no run.
    cooldown_min
        The cool-down detected at the end of the run [min] (the run feature
        ``cooldown_detected_min``): that many minutes are shaded before the
        end; 0 marks "no cool-down", None "not known".
    width_px
        Width [CSS px] the chart is drawn for.
    bin_s
        Samples are averaged over this many seconds (keeps the chart small).
    """
    fig = _figure(width_px, 230 if width_px < 600 else 260)
    ax = fig.subplots()
    _style(ax)
    if act is None:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no run linked to this episode", ha="center", va="center", fontsize=FONT_PT)
        return fig
    rec = act.records
    handles: list[Any] = []
    end = 0.0
    if len(rec):
        start = rec.index[0]
        end = float((rec.index[-1] - start).total_seconds()) / 60.0
        if "heart_rate_bpm" in rec and rec["heart_rate_bpm"].notna().any():
            hr = _smooth(rec["heart_rate_bpm"].astype(float), bin_s)
            (line,) = ax.plot((hr.index - start).total_seconds() / 60.0, hr, color=HEART, lw=1.3,
                              label="heart rate")
            handles.append(line)
            ax.set_ylabel("heart rate (bpm)", fontsize=FONT_PT)
        else:
            ax.text(0.02, 0.5, "no heart rate recorded", transform=ax.transAxes, fontsize=FONT_PT,
                    color="#555")
            ax.set_yticks([])
        if "speed_mps" in rec and rec["speed_mps"].notna().any():
            v = _smooth(rec["speed_mps"].astype(float), bin_s).rolling(4, min_periods=1).mean()
            pace = (1000.0 / 60.0 / v.where(v > 1.0)).clip(upper=12.0)  # min/km; walking and stops left out
            ax2 = ax.twinx()
            _style(ax2)
            ax2.spines["right"].set_visible(True)
            (pline,) = ax2.plot((pace.index - start).total_seconds() / 60.0, pace, color=PACE, lw=1.0,
                                ls="--", label="pace (faster up)")
            ax2.invert_yaxis()
            ax2.set_ylabel("pace (min/km)", fontsize=FONT_PT)
            handles.append(pline)
    from matplotlib.patches import Patch

    if end > 0:
        ax.axvline(end, color="#222", lw=1.2)
        if cooldown_min is not None and not np.isnan(cooldown_min) and cooldown_min > 0:
            ax.axvspan(end - cooldown_min, end, facecolor="#ffe9a8", hatch="\\\\", edgecolor="#b08900", lw=0,
                       zorder=0)
            handles.append(Patch(facecolor="#ffe9a8", hatch="\\\\", edgecolor="#b08900",
                                 label=f"cool-down ({cooldown_min:.0f} min)"))
        elif cooldown_min is not None and not np.isnan(cooldown_min):
            ax.annotate("no cool-down", (end, 1.0), xycoords=("data", "axes fraction"), xytext=(-4, -2),
                        textcoords="offset points", ha="right", va="top", fontsize=FONT_PT,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_xlabel("minutes from the start (line: end of the run)", fontsize=FONT_PT)
    if handles:
        ncol = min(len(handles), 3 if width_px >= 600 else 2)
        fig.legend(handles=handles, loc="outside lower center", ncol=ncol, fontsize=MIN_FONT_PT,
                   frameon=False)
    return fig


#: Relative-risk ticks of the pattern chart and their labels.
RISK_TICKS = {0.125: "⅛×", 0.25: "¼×", 0.5: "½×", 1.0: "1×", 2.0: "2×", 4.0: "4×", 8.0: "8×", 16.0: "16×"}


def patterns_figure(patterns: pd.DataFrame, *, width_px: float = NARROW_PX) -> Figure | None:
    """How much more often an episode followed runs with each factor, with its interval.

    One row per pattern with a relative risk (``Explanation.patterns``), its
    label written above its range; None when there is none.
    """
    import textwrap

    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    p = patterns.dropna(subset=["relative_risk"]).reset_index(drop=True)
    if p.empty:
        return None
    chars = int(width_px * 72 / CSS_PX_PER_IN / (0.62 * MIN_FONT_PT))  # what fits on a line
    labels = [textwrap.fill(str(label), chars) for label in p["label"]]
    lines = [label.count("\n") + 1 for label in labels]
    fig = _figure(width_px, 80 + sum(34 + 17 * n for n in lines))
    ax = fig.subplots()
    _style(ax)
    y = -np.cumsum([0.0] + [1.0 + 0.5 * (n - 1) for n in lines[1:]])
    rr = p["relative_risk"]
    ax.errorbar(rr, y, xerr=[rr - p["ci_low"], p["ci_high"] - rr], fmt="o", color="#222", ecolor="#777",
                capsize=3)
    for yy, label in zip(y, labels, strict=True):
        ax.annotate(str(label), (0, yy), xycoords=("axes fraction", "data"), xytext=(0, 7),
                    textcoords="offset points", fontsize=MIN_FONT_PT, va="bottom", ha="left")
    ax.axvline(1, color="#555", lw=0.8, ls="--")
    ax.set_xscale("log")
    lo = min(float(p["ci_low"].min()), 0.5)
    hi = max(float(p["ci_high"].max()), 2.0)
    ax.set_xlim(lo / 1.3, hi * 1.3)
    ticks = [t for t in RISK_TICKS if lo / 1.3 <= t <= hi * 1.3]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: RISK_TICKS.get(v, f"{v:g}×")))
    ax.set_ylim(y[-1] - 0.6, 0.5 + 0.5 * lines[0])
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("times as often as without (1× = same)", fontsize=FONT_PT)
    return fig
