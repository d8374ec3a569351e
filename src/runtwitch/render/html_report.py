"""A self-contained HTML report of an analysis: one file, images embedded, opens offline.

Red flags first, then the season timeline, each episode (from the shared
episode view-model, ``runtwitch.render.view``), the personal patterns, what
to log next time and the data quality.
"""

from __future__ import annotations

import html
import os

import numpy as np
import pandas as pd

from runtwitch.analysis import Analysis
from runtwitch.features.columns import run_column
from runtwitch.render.charts import CAUSE_COLOURS, patterns_chart, timeline, trace
from runtwitch.render.view import episode_views, safety_views
from runtwitch.rules import DISCLAIMER

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


def _e(x: object) -> str:
    return html.escape(str(x))


def to_html(a: Analysis) -> str:
    """Render the analysis as one self-contained HTML document."""
    ex = a.explanation
    by_id = a.season.activities
    out = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        f"content='width=device-width,initial-scale=1'><title>runtwitch report</title><style>{CSS}</style>"
        "</head><body>",
        "<h1>Post-run muscle twitches: your season</h1>",
    ]
    gates = safety_views(ex)
    if gates:  # safety gates: before everything else
        out.append("<div class='urgent'><h2>Urgent: signs that need medical care</h2><ul>")
        for g in gates:
            out.append(
                f"<li><b>{_e(g.title)}</b> (episode {_e(g.episode_id)}): {_e(g.message)} "
                f"<b>{_e(g.action)}</b><br><span class='note'>{_e(' '.join(g.evidence))} "
                f"Source: {_e(g.source)}.</span></li>"
            )
        out.append("</ul></div>")
    out.append(f"<p class='note'>{_e(DISCLAIMER)}</p>")
    if len(ex.flags):
        out.append("<div class='flags'><h2>Red flags: please read</h2><ul>")
        for _, f in ex.flags.iterrows():
            eps = ", ".join(f["episodes"])
            out.append(f"<li><b>{_e(f['flag'])}</b> (episodes {_e(eps)}): {_e(f['message'])}</li>")
        out.append("</ul></div>")
    out.append(f"<h2>Season</h2><img alt='season timeline' src='{timeline(a.runs, a.days, ex.episodes)}'>")
    legend = " ".join(
        f"<span class='swatch' style='background:{c}'></span>{_e(k or 'no clear cause')}"
        for k, c in CAUSE_COLOURS.items()
    )
    out.append(f"<p class='note'>{legend}</p>")
    out.append("<h2>Episodes</h2>")
    cooldown = pd.to_numeric(a.runs[run_column("cooldown_min")], errors="coerce")
    for ep in episode_views(ex):
        out.append(
            f"<div class='episode'><h3>{_e(ep.id)}: {_e(ep.when)}: {_e(', '.join(ep.muscles))} "
            f"({_e(ep.kind)})</h3>"
        )
        for g in ep.urgent:
            out.append(f"<div class='eurgent'>Urgent: {_e(g.title)}. {_e(g.action)}</div>")
        for fl, message in ep.flags:
            out.append(f"<div class='eflag'>Red flag ({_e(fl)}): {_e(message)}</div>")
        aid = ep.activity_id
        if aid is not None and aid in by_id:
            out.append(f"<p>After <b>{_e(aid)}</b>{_e(ep.after)}.</p>")
            cd_value = cooldown.get(aid, np.nan)
            cd = None if np.isnan(cd_value) else float(cd_value)
            out.append(f"<img alt='heart rate and speed of {_e(aid)}' src='{trace(by_id[aid], cd)}'>")
        else:
            out.append("<p class='na'>No run linked to this episode.</p>")
        for c in ep.shown:
            ev = "".join(f"<li>{_e(x)}</li>" for x in c.evidence)
            rem = "".join(f"<li>{_e(x)}</li>" for x in c.remedies)
            out.append(
                f"<div class='cause'><span class='score'>{c.score:.2f}</span> <b>{_e(c.title)}</b> "
                f"<span class='grade'>(evidence for this cause in general: {_e(c.evidence_grade)}: "
                f"{_e(c.grade_meaning)})</span><ul>{ev}</ul>"
                f"<details><summary>What helps</summary><ul>{rem}</ul></details></div>"
            )
        if not ep.shown:
            out.append("<p class='na'>No cause stands out in the data.</p>")
        if ep.not_assessed:
            out.append(f"<p class='na'>Not assessed for lack of data: {_e(', '.join(ep.not_assessed))}.</p>")
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
    prov = a.athlete.provenance
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
