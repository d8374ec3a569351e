"""A self-contained HTML report of an analysis: one file, charts embedded, no scripts, opens offline.

Urgent signs and red flags first, then the summary (one row per episode,
from :func:`runtwitch.render.view.summary_rows`, each linking to its
details), the season chart, each episode (from the shared episode view-model),
the personal patterns, what to log next time and the data quality. It reads
on a laptop (1366 px) and on a phone (412 px): no sideways scrolling, no text
under :data:`~runtwitch.render.charts.MIN_TEXT_PX` CSS pixels (charts are
drawn for each width, see :mod:`runtwitch.render.charts`), headings in order,
alt text on every chart, words beside every colour, and a print style.
"""

from __future__ import annotations

import html
import os

import numpy as np
import pandas as pd

from runtwitch.analysis import Analysis
from runtwitch.features.columns import run_column
from runtwitch.io.diary import DIARY_COLUMNS
from runtwitch.render.charts import (
    NARROW_PX,
    WIDE_PX,
    drawn_by_week,
    episode_figure,
    load_unit,
    patterns_figure,
    season_figure,
    size_px,
    svg_uri,
)
from runtwitch.render.view import (
    EpisodeView,
    SummaryRow,
    episode_views,
    human_date,
    needs,
    pattern_views,
    safety_views,
    summary_rows,
)
from runtwitch.render.words import a_number, counted
from runtwitch.rules import DISCLAIMER, Explanation

#: Viewport width [CSS px] up to which the phone layout (cards, charts drawn for a phone) is used.
PHONE_MAX_PX = 640

#: Styles of the summary cards, shared with the notebook display (class selectors only, so they
#: leave a notebook's own page alone).
CARD_CSS = f"""
.runtwitch table{{border-collapse:collapse;width:100%}}
.runtwitch td,.runtwitch th{{border-bottom:1px solid #e4e4e4;padding:5px 6px;text-align:left;vertical-align:top;
font-size:.9375rem}}
.runtwitch th{{font-size:.875rem;color:#333}}.runtwitch .ref{{display:block;color:#4a4a4a;font-size:.8125rem}}
.runtwitch .na{{color:#4a4a4a}}.runtwitch .note{{color:#4a4a4a;font-size:.875rem}}
.runtwitch .badge{{display:inline-block;border:1px solid #a01616;color:#a01616;border-radius:4px;padding:0 5px;
margin:2px 4px 2px 0;font-size:.8125rem;font-weight:600}}
.runtwitch .badge.urgent-b{{background:#7a0b0b;color:#fff;border-color:#7a0b0b}}
.runtwitch .v-likely{{color:#8a1c1c}}.runtwitch .v-possible{{color:#7a4a00}}.runtwitch .v-unlikely{{color:#4a4a4a}}
.runtwitch .flags{{background:#fde8e8;border:3px solid #c81e1e;border-radius:6px;padding:8px 16px;margin:12px 0}}
.runtwitch .flags h2{{border:none;color:#a01616;margin-top:4px}}
.runtwitch .urgent{{background:#7a0b0b;color:#fff;border-radius:6px;padding:8px 16px;margin:12px 0}}
.runtwitch .urgent h2{{border:none;color:#fff;margin-top:4px}}.runtwitch .urgent .note{{color:#f3d6d6}}
@media (max-width:{PHONE_MAX_PX}px){{
.runtwitch table.cards thead{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}}
.runtwitch table.cards tr{{display:block;border:1px solid #ddd;border-radius:6px;margin:0 0 12px 0;padding:6px 10px}}
.runtwitch table.cards td{{display:block;border:none;padding:3px 0}}
.runtwitch table.cards td[data-label]::before{{content:attr(data-label) ": ";font-weight:600}}}}
"""

CSS = CARD_CSS + f"""
*{{box-sizing:border-box}}
body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:16px;max-width:960px;
margin:0 auto;padding:16px;color:#1d1d1d;line-height:1.45;overflow-wrap:anywhere}}
h1{{font-size:1.6em;margin:0 0 .2em 0}}h2{{border-bottom:2px solid #e4e4e4;padding-bottom:4px;margin-top:1.6em}}
h3{{margin:.3em 0}}img{{max-width:100%;height:auto;display:block}}figure{{margin:8px 0}}
figcaption{{color:#4a4a4a;font-size:.875rem}}
.eurgent{{background:#7a0b0b;color:#fff;padding:6px 10px;border-radius:4px;margin:6px 0;font-weight:600}}
.eflag{{background:#fde8e8;border-left:5px solid #c81e1e;padding:6px 10px;margin:6px 0}}
.episode{{border:1px solid #ddd;border-radius:6px;padding:8px 16px;margin:16px 0}}
.cause{{margin:8px 0 12px 0}}
@media (min-width:800px){{.ebody{{display:grid;grid-template-columns:{NARROW_PX + 16}px 1fr;gap:16px}}}}
.verdict{{display:inline-block;min-width:5.5em;font-weight:700}}
.score{{color:#4a4a4a;font-size:.875rem}}
code{{font-size:.875rem;overflow-wrap:anywhere}}
a{{color:#174ea6}}
@media (max-width:{PHONE_MAX_PX}px){{body{{padding:12px}}h1{{font-size:1.35em}}.episode{{border-width:1px 0 0 0;border-radius:0;padding:6px 0}}}}
@media print{{
body{{max-width:none;padding:0;font-size:11pt}}.episode,tr,figure{{break-inside:avoid}}
a{{color:inherit;text-decoration:none}}.urgent,.eurgent{{border:3px solid #7a0b0b}}}}
"""


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _figure_html(wide: str, narrow: str | None, size: tuple[int, int], alt: str, caption: str = "") -> str:
    """A chart: the phone drawing below :data:`PHONE_MAX_PX`, else the wide one; alt text and caption."""
    source = f"<source media='(max-width:{PHONE_MAX_PX}px)' srcset='{narrow}'>" if narrow else ""
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (f"<figure><picture>{source}<img alt='{_e(alt)}' src='{wide}' width='{size[0]}' height='{size[1]}'>"
            f"</picture>{cap}</figure>")


def _diary_hint() -> str:
    header = ",".join(c.name for c in DIARY_COLUMNS[:6])
    return (
        "<p>No diary yet. <b>Add a diary to link twitches to your runs</b>: a CSV file (any spreadsheet "
        "can save one) with one row per twitch episode. Start with this header row and add a row each "
        f"time it happens:</p><p><code>{_e(header)}</code><br><code>2026-06-07,19:30,left calf,twitch,20,4"
        "</code></p><p class='note'>Then run <code>runtwitch analyze FOLDER --diary diary.csv --report "
        "report.html</code>. Every column the diary reads is in the documentation's diary page; "
        "<code>sample_data/diary_template.csv</code> is a template.</p>"
    )


def summary_table(rows: list[SummaryRow], *, link: bool = True) -> str:
    """The summary table (cards on a phone): one row per episode, each linking to its details."""
    body = []
    for r in rows:
        badges = "".join(
            f"<span class='badge{' urgent-b' if w.startswith('Urgent') else ''}'>{_e(w)}</span>"
            for w in r.warnings)
        when = f"<a href='#{_e(r.anchor)}'>{_e(r.when)}</a>" if link else _e(r.when)
        ref = f"{r.ref}" + (f" · diary row {r.row}" if r.row is not None else "")
        cause = (f"{_e(r.cause)} <b class='v-{_e(r.verdict)}'>({_e(r.verdict)})</b>"
                 if r.cause else f"<span class='na'>{_e(r.verdict)}</span>")
        body.append(
            f"<tr><td data-label='When'><b>{when}</b><span class='ref'>{_e(ref)}</span>{badges}</td>"
            f"<td data-label='After'>{_e(r.run)}</td>"
            f"<td data-label='What changed'>{_e(r.changed or '–')}</td>"
            f"<td data-label='Most likely cause'>{cause}</td>"
            f"<td data-label='First thing to do'>{_e(r.first_step)}</td></tr>"
        )
    return (
        "<table class='cards summary'><thead><tr><th scope='col'>When</th><th scope='col'>After</th>"
        "<th scope='col'>What changed against your usual</th><th scope='col'>Most likely cause</th>"
        "<th scope='col'>First thing to do</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def summary_html(explanation: Explanation, runs: pd.DataFrame | None = None, days: pd.DataFrame | None = None,
                 *, diary: bool = True, link: bool = True) -> str:
    """The summary section: one row (a card on a phone) per episode, or what to do when there is none.

    ``runs`` and ``days`` add the run and what changed (see
    :func:`~runtwitch.render.view.summary_rows`); ``diary`` False shows how to
    start one; ``link`` makes each episode link to its details in the report.
    """
    ex = explanation
    out = ["<section id='summary' aria-labelledby='summary-h'><h2 id='summary-h'>Summary</h2>"]
    if not diary:
        out.append(_diary_hint())
    elif not len(ex.episodes):
        out.append("<p>No twitch episodes in your diary. When one happens, add a row with its date, time "
                   "and the muscles that twitched (the <code>muscles</code> column): runtwitch then links it "
                   "to the run before it.</p>")
    else:
        rows = summary_rows(ex, runs, days)
        linked = sum(r.run != "no run linked" for r in rows)
        out.append(f"<p>{len(rows)} episode{'s' if len(rows) != 1 else ''}, {linked} linked to a run. "
                   "Causes are called <b>likely</b>, <b>possible</b> or <b>unlikely</b> from how strongly "
                   "your data supports them.</p>")
        out.append(summary_table(rows, link=link))
    out.append("</section>")
    return "".join(out)


def _episode_link(views: dict[str, EpisodeView], episode_id: str, link: bool) -> str:
    v = views.get(episode_id)
    if v is None:
        return _e(episode_id)
    years = {pd.Timestamp(w.date).year for w in views.values() if not pd.isna(w.date)}
    when = _e(human_date(v.date, v.time, year=len(years) > 1))  # the year once episodes span several
    return f"<a href='#{_e(v.anchor)}'>{when}</a>" if link else when


def alerts_html(explanation: Explanation, *, link: bool = True) -> str:
    """Urgent signs, the disclaimer and the red flags: what every view of an analysis shows first."""
    ex = explanation
    views = {v.id: v for v in episode_views(ex)}
    out = []
    gates = safety_views(ex)
    if gates:  # safety gates: before everything else
        out.append("<section class='urgent' aria-labelledby='urgent-h'><h2 id='urgent-h'>Urgent: signs that "
                   "need medical care</h2><ul>")
        for g in gates:
            out.append(
                f"<li><b>{_e(g.title)}</b> (episode {_episode_link(views, g.episode_id, link)}): "
                f"{_e(g.message)} <b>{_e(g.action)}</b><br><span class='note'>{_e(' '.join(g.evidence))} "
                f"Source: {_e(g.source)}.</span></li>"
            )
        out.append("</ul></section>")
    out.append(f"<p class='note'>{_e(DISCLAIMER)}</p>")
    if len(ex.flags):
        out.append("<section class='flags' aria-labelledby='flags-h'><h2 id='flags-h'>Red flags: please read"
                   "</h2><ul>")
        for _, f in ex.flags.iterrows():
            eps = ", ".join(_episode_link(views, e, link) for e in f["episodes"])
            plural = "s" if len(f["episodes"]) > 1 else ""
            out.append(f"<li><b>{_e(str(f['flag']).replace('_', ' '))}</b> (episode{plural} {eps}): "
                       f"{_e(f['message'])}</li>")
        out.append("</ul></section>")
    return "".join(out)


def _season(a: Analysis) -> str:
    ex = a.explanation
    _, sentence = load_unit(a.days)
    wide = season_figure(a.runs, a.days, ex.episodes, width_px=WIDE_PX)
    narrow = season_figure(a.runs, a.days, ex.episodes, width_px=NARROW_PX)
    by_week = drawn_by_week(a.days)
    bars = ("weekly training load" if by_week else "daily training load by week")
    marks = ("weeks with a hot run" if by_week else "rest days, days with a hot run")
    alt = (f"Bar chart of your {bars} from {a.days.index.min():%d %b %Y} to "
           f"{a.days.index.max():%d %b %Y}, with {marks} and {counted(len(ex.episodes), 'episode')} "
           "marked." if len(a.days) else "An empty season chart: no activities yet.")
    shading = ("Bars of weeks with a hot run are hatched (over more than a year, a bar is a week and rest "
               "days are not drawn)" if by_week else
               "Bars of days with a hot run are hatched; green bands are rest days")
    caption = (f"{_e(sentence)} The solid line is your average daily load over about the last week, the "
               "dashed one over about the last six weeks (weighted towards recent days; Williams et al. 2017). "
               f"{shading}; triangles are episodes, labelled with their day of the month.")
    out = ["<section aria-labelledby='season-h'><h2 id='season-h'>Season</h2>",
           _figure_html(svg_uri(wide), svg_uri(narrow), size_px(wide), alt, caption)]
    runs = a.runs[a.runs[run_column("is_run")]] if len(a.runs) else a.runs
    if len(runs) and not runs[run_column("mean_hr_bpm")].notna().any():
        out.append("<p class='na'>No heart rate in your files: load is counted from effort ratings or "
                   "minutes. A watch or chest strap that records heart rate makes it fairer.</p>")
    if len(runs) and not runs[run_column("heat_risk")].notna().any():
        out.append("<p class='na'>How hot each run was is unknown: your files record no temperature. Add "
                   "<code>air_temp_c</code> and <code>humidity_pct</code> to the diary, or ask for the weather "
                   "(<code>--weather</code>, or your own weather table).</p>")
    out.append("</section>")
    return "".join(out)


def _episodes(a: Analysis, ex: Explanation) -> str:
    by_id = a.season.activities
    cooldown = pd.to_numeric(a.runs[run_column("cooldown_detected_min")], errors="coerce")
    out = ["<section aria-labelledby='episodes-h'><h2 id='episodes-h'>Episodes</h2>"]
    for ep in episode_views(ex):
        row = f" · diary row {ep.row}" if ep.row is not None else ""
        clock = f" ({ep.time})" if ep.time else ""
        out.append(
            f"<article class='episode' id='{_e(ep.anchor)}'><h3>{_e(human_date(ep.date, ep.time, year=True))}"
            f"{_e(clock)}: {_e(', '.join(ep.muscles))} ({_e(ep.kind)})</h3><p class='ref'>{_e(ep.ref)}{_e(row)}</p>"
        )
        for g in ep.urgent:
            out.append(f"<div class='eurgent'>Urgent: {_e(g.title)}. {_e(g.action)}</div>")
        for fl, message in ep.flags:
            out.append(f"<div class='eflag'><b>Red flag ({_e(fl.replace('_', ' '))}):</b> {_e(message)}</div>")
        out.append("<div class='ebody'><div>")
        aid = ep.activity_id
        if aid is not None and aid in by_id:
            out.append(f"<p>After <b>{_e(aid)}</b>{_e(ep.after)}.</p>")
            cd_value = float(cooldown.get(aid, np.nan))
            fig = episode_figure(by_id[aid], cooldown_min=None if np.isnan(cd_value) else cd_value)
            cd_words = ("no cool-down" if cd_value == 0 else f"{a_number(cd_value)}-minute cool-down shaded"
                        if not np.isnan(cd_value) else "cool-down unknown")
            logged = a.runs[run_column("diary_cooldown_min")].get(aid) if aid in a.runs.index else None
            note = (f"Your diary logs {a_number(float(logged))}-minute cool-down, after the recording ended."
                    if logged is not None and not pd.isna(logged) and float(logged) > 0
                    and (np.isnan(cd_value) or cd_value == 0) else "")
            out.append(_figure_html(svg_uri(fig), None, size_px(fig),
                                    f"Heart rate and pace through the run {aid}, the end of the run marked, "
                                    f"{cd_words}.", _e(note)))
        else:
            out.append("<p class='na'>No run linked to this episode (no run on that day or the day before "
                       "in your files).</p>")
        out.append("</div><div>")
        for c in ep.shown:
            ev = "".join(f"<li>{_e(x)}</li>" for x in c.evidence)
            rem = "".join(f"<li>{_e(x)}</li>" for x in c.remedies) + "".join(
                f"<li class='na'>{_e(x)}</li>" for x in c.remedy_notes)
            word = c.verdict
            out.append(
                f"<div class='cause'><span class='verdict v-{word}'>{word}</span> <b>{_e(c.title)}</b> "
                f"<span class='score'>(score {c.score:.2f} on a 0-1 scale)</span><ul>{ev}</ul>"
                f"<p class='note'>Evidence for this cause in general: {_e(c.evidence_grade)}: "
                f"{_e(c.grade_meaning)}</p>"
                + (f"<details><summary>What helps</summary><ul>{rem}</ul></details>" if rem else "")
                + "</div>"
            )
        if not ep.shown:
            out.append("<p class='na'>No cause stands out in the data.</p>")
        if ep.not_assessed:
            out.append(f"<p class='na'>Not assessed for lack of data: {_e(', '.join(ep.not_assessed))}.</p>")
        out.append("</div></div><p class='note'><a href='#summary'>Back to the summary</a></p></article>")
    out.append("</section>")
    return "".join(out)


def _patterns(ex: Explanation) -> str:
    out = ["<section aria-labelledby='patterns-h'><h2 id='patterns-h'>Your patterns</h2>"]
    views, why_not = pattern_views(ex)
    fig = patterns_figure(ex.patterns) if views else None
    if fig is not None:
        out.append(_figure_html(
            svg_uri(fig), None, size_px(fig),
            "Dot-and-range chart: how many times as often an episode followed runs with each factor as runs "
            "without it, with its 95 % range.",
            "Associations in your own history, not proof of cause. A range crossing the dashed 1× line means "
            "the difference could be chance."))
        rows = "".join(
            f"<tr><td data-label='Factor'>{_e(p.label)}</td><td data-label='With it'>{_e(p.with_it)}</td>"
            f"<td data-label='Without it'>{_e(p.without_it)}</td><td data-label='In words'>{_e(p.words)}</td></tr>"
            for p in views)
        out.append("<table class='cards'><thead><tr><th scope='col'>factor</th><th scope='col'>episodes after "
                   "runs with it</th><th scope='col'>without it</th><th scope='col'>in words</th></tr></thead>"
                   f"<tbody>{rows}</tbody></table>")
    else:
        out.append(f"<p class='na'>{_e(why_not)}</p>")
    out.append("</section>")
    return "".join(out)


def to_html(a: Analysis) -> str:
    """Render the analysis as one self-contained HTML document."""
    ex = a.explanation
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        f"content='width=device-width,initial-scale=1'><title>runtwitch report</title><style>{CSS}</style>"
        "</head><body><main class='runtwitch'>",
        "<h1>Post-run muscle twitches: your season</h1>",
    ]
    out.append(alerts_html(ex))
    out.append(summary_html(ex, a.runs, a.days, diary=a.diary is not None))
    out.append(_season(a))
    if len(ex.episodes):
        out.append(_episodes(a, ex))
    out.append(_patterns(ex))
    wanted = needs(ex)
    out.append("<section aria-labelledby='log-h'><h2 id='log-h'>What to log next time</h2>")
    if a.diary is None:
        out.append("<p class='na'>Start a diary (see the summary above): without it no episode can be linked "
                   "to a run and no cause can be weighed.</p>")
    elif wanted.log or wanted.files:
        if wanted.log:
            out.append(_need_list(wanted.log))
        if wanted.files:
            out.append("<p>Not linked, or not compared with your usual, for lack of activity files (add them "
                       "to the folder you analyse):</p>" + _need_list(wanted.files))
    elif len(ex.episodes):
        out.append("<p class='na'>Nothing more: every cause could be assessed for every episode.</p>")
    else:
        out.append("<p class='na'>Nothing yet: log episodes first.</p>")
    out.append("</section>")
    out.append(_data_quality(a))
    out.append("</main></body></html>")
    return "\n".join(out)


def _need_list(items: list[tuple[str, int]]) -> str:
    return "<ul>" + "".join(f"<li>{_e(t)} ({counted(n, 'episode')})</li>" for t, n in items) + "</ul>"


def _data_quality(a: Analysis) -> str:
    out = ["<section aria-labelledby='quality-h'><h2 id='quality-h'>Data quality</h2>"]
    statuses = pd.Series([r.status for r in a.imports], dtype=object).value_counts()
    out.append("<p>" + (", ".join(f"{n} {_e(s)}" for s, n in statuses.items()) or "no") + " files.</p>")
    bad = [r for r in a.imports if r.status in ("error", "partial", "skipped")]
    if bad:
        table_rows: list[str] = []
        for r in bad:
            reason = r.error or "damaged; imported up to the damage"
            table_rows.append(
                f"<tr><td data-label='File'>{_e(os.path.basename(r.path))}</td><td data-label='Status'>"
                f"{_e(r.status)}</td><td data-label='Reason'>{_e(reason)}</td></tr>"
            )
        out.append("<table class='cards'><thead><tr><th scope='col'>file</th><th scope='col'>status</th>"
                   "<th scope='col'>reason</th></tr></thead><tbody>" + "".join(table_rows) + "</tbody></table>")
    if a.diary is not None:
        probs = a.diary.report.problems
        out.append(
            f"<p>Diary: {counted(a.diary.report.rows, 'row')}, {counted(len(a.diary.episodes), 'episode')}, "
            f"{counted(len(probs), 'problem')}.</p>"
        )
        if probs:
            out.append("<ul>" + "".join(f"<li>{_e(p)}</li>" for p in probs[:50]) + "</ul>")
    prov = a.athlete.provenance
    if prov:
        out.append(
            "<p class='note'>Profile: " + "; ".join(f"{_e(k)} {_e(v)}" for k, v in prov.items()) + ".</p>"
        )
    out.append("</section>")
    return "".join(out)


def write_report(a: Analysis, path: str | os.PathLike[str]) -> None:
    """Write :func:`to_html` to ``path``."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(to_html(a))
