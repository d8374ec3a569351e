"""Rich notebook display: the report's summary cards for an Analysis, an Explanation and an Activity.

``Analysis._repr_html_``, ``Explanation._repr_html_`` and
``Activity._repr_html_`` call these functions, so that a notebook shows the
same urgent signs, red flags and summary rows as the HTML report
(:mod:`runtwitch.render.html_report`), with the same styles (scoped to the
``runtwitch`` class: a notebook's own page is left alone).
"""

from __future__ import annotations

import html
import os

from runtwitch.analysis import Analysis
from runtwitch.model.activity import Activity
from runtwitch.render.html_report import CARD_CSS, alerts_html, summary_html
from runtwitch.rules import Explanation
from runtwitch.rules.base import fmt, fmt_duration


def _wrap(body: str) -> str:
    return f"<div class='runtwitch'><style>{CARD_CSS}</style>{body}</div>"


def analysis_html(analysis: Analysis) -> str:
    """Urgent signs, red flags and the summary of every episode (with its run and what changed)."""
    a = analysis
    ok = sum(r.status in ("ok", "partial") for r in a.imports)
    head = (f"<p><b>runtwitch analysis</b>: {ok} activities imported of {len(a.imports)} files, "
            f"{len(a.explanation.episodes)} episodes. The full report: "
            "<code>runtwitch.render.write_report(analysis, 'report.html')</code>.</p>")
    ex = a.explanation
    return _wrap(head + alerts_html(ex, link=False)
                 + summary_html(ex, a.runs, a.days, diary=a.diary is not None, link=False))


def explanation_html(explanation: Explanation) -> str:
    """Urgent signs, red flags and the summary of every episode (without run details: an explanation
    alone does not carry the run table)."""
    ex = explanation
    head = f"<p><b>runtwitch explanation</b>: {len(ex.episodes)} episodes.</p>"
    return _wrap(head + alerts_html(ex, link=False) + summary_html(ex, link=False))


def activity_html(activity: Activity) -> str:
    """One card: what the file is, when, how long and far, heart rate, and what the import dropped."""
    act = activity
    s = act.sessions.iloc[0] if len(act.sessions) else None
    rows: list[tuple[str, str]] = [("file", os.path.basename(act.meta.source or "") or "(buffer)"),
                                   ("sport", str(act.meta.sport or "unknown"))]
    start = act.start
    if start is not None:
        rows.append(("start", f"{start:%a %d %b %Y %H:%M} UTC"))
    if s is not None:
        timer = s.get("timer_s")
        if timer is not None and timer == timer:
            rows.append(("time", fmt_duration(float(timer))))
        dist = s.get("distance_m")
        if dist is not None and dist == dist:
            rows.append(("distance", f"{fmt(float(dist) / 1000.0, 2)} km"))
        hr = s.get("avg_heart_rate_bpm")
        rows.append(("heart rate", f"{fmt(float(hr), 0)} bpm on average" if hr is not None and hr == hr
                     else "not recorded"))
    rep = act.report
    dropped = sum(rep.dropped.values())
    rows.append(("import", f"{rep.status}: {rep.rows} records kept of {rep.source_records}"
                 + (f", {dropped} dropped ({', '.join(f'{k}: {n}' for k, n in rep.dropped.items())})"
                    if dropped else "")
                 + (f", repaired: {', '.join(f'{k}: {n}' for k, n in rep.repaired.items())}"
                    if rep.repaired else "")))
    body = "".join(f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    return _wrap(f"<table class='activity'>{body}</table>")
