"""A self-contained HTML report of an analysis: one file, images embedded, opens offline."""

from __future__ import annotations

import base64
import html
import io
import os
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display needed; must precede pyplot
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from runtwitch.activity import Activity
from runtwitch.analysis import Analysis
from runtwitch.link import _activity_table
from runtwitch.rules.base import GRADE_MEANING
from runtwitch.rules.explain import DISCLAIMER
from runtwitch.rules.flags import FLAGS

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
#: Minutes at the end of a run shaded in the episode traces (where a cool-down belongs).
TRACE_TAIL_MIN = 10

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:960px;margin:0 auto;
padding:16px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:2px solid #eee;padding-bottom:4px;margin-top:1.6em}
img{max-width:100%;height:auto}.flags{background:#fde8e8;border:3px solid #c81e1e;border-radius:6px;
padding:8px 16px;margin:12px 0}.flags h2{border:none;color:#c81e1e;margin-top:4px}
.urgent{background:#7a0b0b;color:#fff;border-radius:6px;padding:8px 16px;margin:12px 0}
.urgent h2{border:none;color:#fff;margin-top:4px}.urgent .note{color:#f3d6d6}
.eurgent{background:#7a0b0b;color:#fff;padding:6px 10px;border-radius:4px;margin:6px 0;font-weight:600}
.episode{border:1px solid #ddd;border-radius:6px;padding:8px 16px;margin:16px 0}
.eflag{background:#c81e1e;color:#fff;padding:6px 10px;border-radius:4px;margin:6px 0;font-weight:600}
.cause{margin:6px 0 10px 0}.score{display:inline-block;min-width:3em;font-weight:700}
.grade{color:#555;font-size:.9em}.na{color:#777;font-size:.9em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;font-size:.92em;vertical-align:top}
.note{color:#555;font-size:.9em}.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;
margin-right:4px;vertical-align:middle}
"""


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _e(x: object) -> str:
    return html.escape(str(x))


def timeline(a: Analysis) -> str:
    """Daily load with acute/chronic lines, rest days, run heat and the episodes."""
    days = a.days
    fig, (ax1, ax2) = plt.subplots(
        2, 1, figsize=(9, 4.6), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    if len(days):
        ax1.bar(days.index, days["load"], color="#bbb", width=0.9, label="daily load")
        ax1.plot(days.index, days["acute_load"], color="#d62728", lw=1.6, label="acute (7-day EWMA)")
        ax1.plot(days.index, days["chronic_load"], color="#1f77b4", lw=1.6, label="chronic (42-day EWMA)")
        for d in days.index[days["rest_day"].to_numpy(bool)]:
            ax1.axvspan(d - pd.Timedelta(hours=12), d + pd.Timedelta(hours=12), color="#e8f5e9", zorder=0)
    for _, ep in a.explanation.episodes.iterrows():
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
    runs = a.runs[a.runs["is_run"]]
    heat = runs["wbgt_c"].astype(float)
    sc = ax2.scatter(
        pd.to_datetime(runs["local_date"]),
        heat.fillna(np.nan),
        c=heat,
        cmap="YlOrRd",
        vmin=10,
        vmax=32,
        s=18,
        edgecolor="#555",
        lw=0.3,
    )
    ax2.axhline(22.2, color="#d62728", lw=0.8, ls="--")
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
    fig, ax = plt.subplots(figsize=(7.5, 2.0))
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
    p = p.dropna(subset=["relative_risk"])
    if p.empty:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(p) + 0.8))
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


def to_html(a: Analysis) -> str:
    """Render the analysis as one self-contained HTML document."""
    ex = a.explanation
    table, positions = _activity_table(a.activities, a.athlete.timezone)
    by_id = {aid: a.activities[p] for aid, p in zip(table["activity_id"], positions, strict=True)}
    out = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        f"content='width=device-width,initial-scale=1'><title>runtwitch report</title><style>{CSS}</style>"
        "</head><body>",
        "<h1>Post-run muscle twitches: your season</h1>",
    ]
    if len(ex.safety):  # safety gates: before everything else
        out.append("<div class='urgent'><h2>Urgent: signs that need medical care</h2><ul>")
        for _, g in ex.safety.iterrows():
            out.append(
                f"<li><b>{_e(g['title'])}</b> (episode {_e(g['episode_id'])}): {_e(g['message'])} "
                f"<b>{_e(g['action'])}</b><br><span class='note'>{_e(' '.join(g['evidence']))} "
                f"Source: {_e(g['source'])}.</span></li>"
            )
        out.append("</ul></div>")
    out.append(f"<p class='note'>{_e(DISCLAIMER)}</p>")
    if len(ex.flags):
        out.append("<div class='flags'><h2>Red flags: please read</h2><ul>")
        for _, f in ex.flags.iterrows():
            eps = ", ".join(f["episodes"])
            out.append(f"<li><b>{_e(f['flag'])}</b> (episodes {_e(eps)}): {_e(f['message'])}</li>")
        out.append("</ul></div>")
    out.append(f"<h2>Season</h2><img alt='season timeline' src='{timeline(a)}'>")
    legend = " ".join(
        f"<span class='swatch' style='background:{c}'></span>{_e(k or 'no clear cause')}"
        for k, c in CAUSE_COLOURS.items()
    )
    out.append(f"<p class='note'>{legend}</p>")
    out.append("<h2>Episodes</h2>")
    for _, ep in ex.episodes.iterrows():
        when = f"{pd.Timestamp(ep['date']):%a %d %b %Y}" + (
            f" {ep['time']}" if isinstance(ep["time"], str) else ""
        )
        out.append(
            f"<div class='episode'><h3>{_e(ep['episode_id'])}: {_e(when)}: {_e(', '.join(ep['muscles']))} "
            f"({_e(ep['kind'])})</h3>"
        )
        for _, g in ex.safety[ex.safety["episode_id"] == ep["episode_id"]].iterrows():
            out.append(f"<div class='eurgent'>Urgent: {_e(g['title'])}. {_e(g['action'])}</div>")
        for fl in ep["flags"]:
            out.append(f"<div class='eflag'>Red flag ({_e(fl)}): {_e(FLAGS[fl].message)}</div>")
        aid = ep.get("activity_id")
        if isinstance(aid, str) and aid in by_id:
            after = ep.get("hours_after_run")
            hrs = f", {after:.1f} h after it ended" if not pd.isna(after) else ""
            out.append(f"<p>After <b>{_e(aid)}</b>{_e(hrs)}.</p>")
            cd_value = pd.to_numeric(a.runs["cooldown_min"], errors="coerce").get(aid, np.nan)
            cd = None if np.isnan(cd_value) else float(cd_value)
            out.append(f"<img alt='heart rate and speed of {_e(aid)}' src='{trace(by_id[aid], cd)}'>")
        else:
            out.append("<p class='na'>No run linked to this episode.</p>")
        ranked = ex.for_episode(ep["episode_id"])
        shown = 0
        for _, c in ranked.iterrows():
            if c["status"] != "assessed" or not c["score"] or shown >= 3:
                continue
            shown += 1
            ev = "".join(f"<li>{_e(x)}</li>" for x in c["evidence"])
            rem = "".join(f"<li>{_e(x)}</li>" for x in c["remedies"])
            out.append(
                f"<div class='cause'><span class='score'>{c['score']:.2f}</span> <b>{_e(c['title'])}</b> "
                f"<span class='grade'>(evidence for this cause in general: {_e(c['evidence_grade'])}: "
                f"{_e(GRADE_MEANING[c['evidence_grade']])})</span><ul>{ev}</ul>"
                f"<details><summary>What helps</summary><ul>{rem}</ul></details></div>"
            )
        if shown == 0:
            out.append("<p class='na'>No cause stands out in the data.</p>")
        na = [c["title"] for _, c in ranked.iterrows() if c["status"] == "not assessed"]
        if na:
            out.append(f"<p class='na'>Not assessed for lack of data: {_e(', '.join(na))}.</p>")
        out.append("</div>")
    out.append("<h2>Your patterns</h2>")
    chart = patterns_chart(ex.patterns)
    if chart:
        out.append(
            f"<img alt='relative risks' src='{chart}'><p class='note'>Associations in your own history, "
            "not proof of cause; shown only with at least 3 runs with and without the factor.</p>"
        )
        rows = "".join(
            f"<tr><td>{_e(p.label)}</td><td>{p.episodes_with}/{p.runs_with}</td>"
            f"<td>{p.episodes_without}/{p.runs_without}</td><td>{p.relative_risk:.2f} "
            f"({p.ci_low:.2f}-{p.ci_high:.2f})</td></tr>"
            for p in ex.patterns.dropna(subset=["relative_risk"]).itertuples()
        )
        out.append(
            "<table><tr><th>factor</th><th>episodes after runs with it</th><th>without it</th>"
            f"<th>relative risk (95 % interval)</th></tr>{rows}</table>"
        )
    else:
        out.append("<p class='na'>Not enough runs yet to compare runs with and without each factor.</p>")
    missing = ex.missing_summary()
    out.append("<h2>What to log next time</h2>")
    if len(missing):
        out.append("<ul>" + "".join(f"<li>{_e(t)} ({n} episodes)</li>" for t, n in missing.items()) + "</ul>")
    else:
        out.append("<p class='na'>Nothing: every cause could be assessed.</p>")
    out.append("<h2>Data quality</h2>")
    statuses = pd.Series([r.status for r in a.imports], dtype=object).value_counts()
    out.append("<p>" + ", ".join(f"{n} {_e(s)}" for s, n in statuses.items()) + " files.</p>")
    bad = [r for r in a.imports if r.status in ("error", "partial", "skipped")]
    if bad:
        table_rows: list[str] = []
        for r in bad:
            reason = r.error or "damaged; imported up to the damage"
            table_rows.append(
                f"<tr><td>{_e(os.path.basename(r.path))}</td><td>{_e(r.status)}</td>"
                f"<td>{_e(reason)}</td></tr>"
            )
        out.append("<table><tr><th>file</th><th>status</th><th>reason</th></tr>" + "".join(table_rows) + "</table>")
    if a.diary is not None:
        probs = a.diary.report.problems
        out.append(
            f"<p>Diary: {a.diary.report.rows} rows, {len(a.diary.episodes)} episodes, "
            f"{len(probs)} problems.</p>"
        )
        if probs:
            out.append("<ul>" + "".join(f"<li>{_e(p)}</li>" for p in probs[:50]) + "</ul>")
    prov = a.runs.attrs.get("athlete_provenance", {})
    if prov:
        out.append(
            "<p class='note'>Profile: " + "; ".join(f"{_e(k)} {_e(v)}" for k, v in prov.items()) + ".</p>"
        )
    out.append("</body></html>")
    return "\n".join(out)


def write_report(a: Analysis, path: str | os.PathLike[str]) -> None:
    """Write :func:`to_html` to ``path``."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(to_html(a))
