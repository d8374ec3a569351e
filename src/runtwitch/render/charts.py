"""The report's charts, each a PNG data URI: the season timeline, a run's trace, the patterns.

Charts are drawn on :class:`matplotlib.figure.Figure` objects and written
with the Agg canvas directly: pyplot's global state and the process's
matplotlib backend are never touched. matplotlib itself is imported when the
first chart is drawn, so that the text and JSON reports do not load it.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.features.formulas import WBGT_MODERATE_MAX_C
from runtwitch.model.activity import Activity

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CAUSE_COLOURS = {
    "fatigue_overuse": "#d62728",
    "dehydration": "#1f77b4",
    "electrolyte_imbalance": "#17becf",
    "poor_circulation": "#9467bd",
    "low_blood_sugar": "#ff7f0e",
    "poor_fueling": "#8c564b",
    "medication": "#e377c2",
    None: "#7f7f7f",
}
"""Colour of each cause (``None``: no clear cause) in the timeline and its legend."""
#: Minutes at the end of a run shaded in the episode traces (where a cool-down belongs).
TRACE_TAIL_MIN = 10


def _figure(**kwargs: Any) -> Figure:
    """A new figure of its own (no pyplot, no backend): ``kwargs`` as for ``Figure``."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _png(fig: Figure) -> str:
    """The figure as an embeddable PNG data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def timeline(runs: pd.DataFrame, days: pd.DataFrame, episodes: pd.DataFrame) -> str:
    """Daily load with acute/chronic lines, rest days, run heat and the episodes (colour: top cause).

    ``runs`` and ``days`` are the feature tables, ``episodes`` the explained
    episodes (``Explanation.episodes``).
    """
    fig = _figure(figsize=(9, 4.6))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    if len(days):
        ax1.bar(days.index, days[daily_column("load")], color="#bbb", width=0.9, label="daily load")
        ax1.plot(days.index, days[daily_column("acute_load")], color="#d62728", lw=1.6,
                 label="acute (7-day EWMA)")
        ax1.plot(days.index, days[daily_column("chronic_load")], color="#1f77b4", lw=1.6,
                 label="chronic (42-day EWMA)")
        for d in days.index[days[daily_column("rest_day")].to_numpy(bool)]:
            ax1.axvspan(d - pd.Timedelta(hours=12), d + pd.Timedelta(hours=12), color="#e8f5e9", zorder=0)
    for _, ep in episodes.iterrows():
        if pd.isna(ep["date"]):
            continue
        c = CAUSE_COLOURS.get(ep["top_cause"], CAUSE_COLOURS[None])
        ax1.axvline(pd.Timestamp(ep["date"]), color=c, lw=2.2, alpha=0.85)
        ax1.annotate(
            ep["episode_id"],
            (pd.Timestamp(ep["date"]), ax1.get_ylim()[1] * 0.97),
            color=c,
            fontsize=7,
            rotation=90,
            ha="right",
            va="top",
        )
    ax1.set_ylabel("training load")
    ax1.legend(loc="upper left", fontsize=7, ncol=3, frameon=False)
    ran = runs[runs[run_column("is_run")]]
    heat = ran[run_column("wbgt_c")].astype(float)
    sc = ax2.scatter(
        pd.to_datetime(ran[run_column("local_date")]),
        heat.fillna(np.nan),
        c=heat,
        cmap="YlOrRd",
        vmin=10,
        vmax=32,
        s=18,
        edgecolor="#555",
        lw=0.3,
    )
    ax2.axhline(WBGT_MODERATE_MAX_C, color="#d62728", lw=0.8, ls="--")  # high heat risk from here
    ax2.set_ylabel("WBGT °C")
    fig.colorbar(sc, ax=ax2, pad=0.01, fraction=0.03)
    fig.autofmt_xdate()
    ax1.set_title(
        "Season: load, rest days (green), heat of each run, episodes (colour = top cause)", fontsize=9
    )
    return _png(fig)


def trace(act: Activity, cooldown_min: float | None) -> str:
    """Heart rate and speed of a run, the last minutes shaded."""
    rec = act.records
    fig = _figure(figsize=(7.5, 2.0))
    ax = fig.subplots()
    t = (rec.index - rec.index[0]).total_seconds() / 60.0 if len(rec) else np.array([])
    if "heart_rate_bpm" in rec:
        ax.plot(t, rec["heart_rate_bpm"], color="#d62728", lw=1, label="heart rate [bpm]")
    ax.set_xlabel("minutes")
    if "speed_mps" in rec:
        ax2 = ax.twinx()
        ax2.plot(
            t,
            rec["speed_mps"].rolling(15, min_periods=1).mean() * 3.6,
            color="#1f77b4",
            lw=0.8,
            label="speed [km/h]",
        )
        ax2.set_ylabel("km/h", color="#1f77b4")
    if len(t):
        end = float(t[-1])
        ax.axvspan(max(0.0, end - TRACE_TAIL_MIN), end, color="#fff3cd", zorder=0)
        label = "no cool-down" if not cooldown_min else f"cool-down {cooldown_min:.0f} min"
        ax.text(end, ax.get_ylim()[1], label, ha="right", va="top", fontsize=8)
    ax.set_ylabel("bpm", color="#d62728")
    return _png(fig)


def patterns_chart(p: pd.DataFrame) -> str | None:
    """Relative risk of each personal pattern with its 95 % interval (None without any)."""
    p = p.dropna(subset=["relative_risk"])
    if p.empty:
        return None
    fig = _figure(figsize=(7.5, 0.45 * len(p) + 0.8))
    ax = fig.subplots()
    y = np.arange(len(p))
    ax.errorbar(
        p["relative_risk"],
        y,
        xerr=[p["relative_risk"] - p["ci_low"], p["ci_high"] - p["relative_risk"]],
        fmt="o",
        color="#333",
        ecolor="#999",
        capsize=3,
    )
    ax.axvline(1, color="#c81e1e", lw=0.8)
    ax.set_yticks(y, p["label"], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("relative risk of an episode after such runs (95 % interval)")
    return _png(fig)
