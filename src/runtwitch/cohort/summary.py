"""The cohort summary: one offline HTML file with the counts, the red flags and the pooled patterns."""

from __future__ import annotations

import html
from collections import Counter

import pandas as pd

from runtwitch.rules import DISCLAIMER, FLAGS


def _e(x: object) -> str:
    return html.escape(str(x))


def to_html(
    athletes: pd.DataFrame,
    pooled: pd.DataFrame,
    episodes: pd.DataFrame,
    *,
    min_athletes: int,
    min_episodes: int,
) -> str:
    """Render the cohort summary as one self-contained HTML document.

    Parameters
    ----------
    athletes
        The athletes table (one row per athlete, see docs/cohort.md).
    pooled
        :func:`runtwitch.cohort.pooled_patterns`.
    episodes
        ``athlete``, ``top_cause`` and ``flags`` (list of flag ids) of every episode.
    min_athletes, min_episodes
        The minimums the pooled patterns were shown with.
    """
    # matplotlib only when a summary is written
    from runtwitch.render.charts import WIDE_PX, patterns_figure, svg_uri
    from runtwitch.render.html_report import CSS

    statuses = athletes["status"].value_counts()
    n = len(athletes)
    done = athletes[athletes["status"] != "error"]
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        "content='width=device-width,initial-scale=1'><title>runtwitch cohort summary</title>"
        f"<style>{CSS}</style></head><body>",
        "<h1>Post-run muscle twitches: the cohort</h1>",
        f"<p class='note'>{_e(DISCLAIMER)}</p>",
        f"<p>{n} athletes: " + ", ".join(f"{int(k)} {_e(s)}" for s, k in statuses.items()) + ". "
        f"{int(done['runs'].fillna(0).sum())} runs, {int(done['episodes'].fillna(0).sum())} episodes, "
        f"{int(done['failed'].fillna(0).sum())} activity files that could not be read. "
        "Athletes are shown by pseudonym; the key to the names stays with whoever holds the salt.</p>",
    ]
    by_flag: dict[str, set[str]] = {}
    for athlete, ids in zip(episodes["athlete"], episodes["flags"], strict=True):
        for f in ids if ids is not None else ():
            by_flag.setdefault(str(f), set()).add(str(athlete))
    if by_flag:
        out.append("<div class='flags'><h2>Red flags: please read</h2><ul>")
        for fid, who in sorted(by_flag.items()):
            message = FLAGS[fid].message if fid in FLAGS else fid
            names = ", ".join(sorted(who))
            out.append(f"<li><b>{_e(fid)}</b> ({len(who)} athletes: {_e(names)}): {_e(message)}</li>")
        out.append("</ul></div>")
    failed = athletes[athletes["status"] == "error"]
    if len(failed):
        out.append("<h2>Athletes not analysed</h2><table><tr><th>athlete</th><th>why</th></tr>")
        out += [
            f"<tr><td>{_e(r['athlete'])}</td><td>{_e(r['error_type'])}: {_e(r['error'])}</td></tr>"
            for r in failed.to_dict("records")
        ]
        out.append("</table>")
    out.append("<h2>Pooled patterns</h2>")
    shown = pooled[pooled["shown"]]
    if len(shown):
        fig = patterns_figure(shown, width_px=WIDE_PX)
        if fig is not None:
            out.append(
                "<img style='max-width:100%;height:auto' alt='Pooled relative risk of each factor with its "
                f"95 % interval; the table below gives the same numbers' src='{svg_uri(fig)}'>"
            )
        out.append(
            "<table><tr><th>factor</th><th>athletes</th><th>episodes after runs with it</th>"
            "<th>without it</th><th>pooled relative risk (95 % interval)</th><th>I²</th><th>tau²</th></tr>"
        )
        out += [
            f"<tr><td>{_e(p['label'])}</td><td>{p['athletes']}</td><td>{p['episodes_with']}/{p['runs_with']}</td>"
            f"<td>{p['episodes_without']}/{p['runs_without']}</td><td>{p['relative_risk']:.2f} "
            f"({p['ci_low']:.2f}-{p['ci_high']:.2f})</td><td>{p['i2_pct']:.0f} %</td><td>{p['tau2']:.3f}</td>"
            "</tr>"
            for p in shown.to_dict("records")
        ]
        out.append("</table>")
    else:
        out.append("<p class='na'>No factor has enough athletes and episodes yet.</p>")
    out.append(
        "<p class='note'>Across athletes, runs with a factor were followed by an episode this many times "
        "as often as runs without it (each athlete compared with themselves, then pooled by a "
        "DerSimonian-Laird random-effects meta-analysis). These are associations, not proof of cause. "
        f"A factor is shown with at least {min_athletes} contributing athletes and {min_episodes} runs "
        "followed by an episode; I² is the share of the spread between athletes beyond chance.</p>"
    )
    hidden = pooled[~pooled["shown"]]
    if len(hidden):
        out.append(
            "<p class='na'>Not enough data yet: "
            + "; ".join(
                f"{_e(p['label'])} ({p['athletes']} athletes, {p['episodes_with'] + p['episodes_without']} "
                "episodes)"
                for p in hidden.to_dict("records")
            )
            + ".</p>"
        )
    causes = Counter("no clear cause" if pd.isna(c) else str(c) for c in episodes["top_cause"])
    if causes:
        out.append("<h2>Top cause of each episode</h2><table><tr><th>cause</th><th>episodes</th></tr>")
        out += [f"<tr><td>{_e(c)}</td><td>{k}</td></tr>" for c, k in causes.most_common()]
        out.append("</table><p class='note'>The cause runtwitch ranked first for each episode "
                   "(see docs/rules.md); likely causes, not diagnoses.</p>")
    out.append("</body></html>")
    return "\n".join(out)
