"""The text summary of an analysis, as a runner reads it in a terminal.

The summary comes first and fits a screen: signs that need medical care, the
red flags, then one line per episode (when, the run it followed, its top cause
or "nothing stands out"), what was read and what was wrong with it, and what
to log next time. The details of each episode (evidence, every remedy, what
could not be assessed) follow when asked for.
"""

from __future__ import annotations

import pandas as pd

from runtwitch.analysis import Analysis
from runtwitch.render.view import SHOWN_CAUSES, EpisodeView, episode_views, needs, safety_views
from runtwitch.render.words import counted
from runtwitch.rules import DISCLAIMER, GRADE_MEANING, POSSIBLE_SHARE

#: Diary problems and remarks listed in the summary; with details, or ``runtwitch diary FILE``, all are.
SHOWN_DIARY_LINES = 20
#: Lines of "what to log next time".
SHOWN_HINTS = 6


def summary_text(a: Analysis, *, max_causes: int = SHOWN_CAUSES, details: bool = True) -> str:
    """A readable report: the summary first, then (``details=True``) each episode in full.

    Parameters
    ----------
    a
        The analysis.
    max_causes
        Causes detailed per episode.
    details
        Add each episode's ranked causes with their evidence, every remedy
        and what could not be assessed, after the summary. The command line
        shows them with ``--details``.
    """
    views = episode_views(a.explanation, shown=max_causes)
    sports = _inferred_sports(a)
    lines = _urgent(a) + _red_flags(a)
    lines += _episode_lines(a, views, sports)
    lines += ["", *_data_lines(a, every=details)]
    lines += _hints(a)
    if details and views:
        lines.append("")
        lines.append("DETAILS of each episode")
        for ep in views:
            lines += ["", *_episode_details(ep, sports)]
    elif views:
        lines += ["", "Each episode's evidence and what helps: run again with --details, or write the "
                      "HTML report with --report report.html."]
    lines.append("")
    lines.append("Evidence grades: " + "; ".join(f"{g}: {m}" for g, m in GRADE_MEANING.items()) + ".")
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _urgent(a: Analysis) -> list[str]:
    gates = safety_views(a.explanation)
    if not gates:
        return []
    lines = ["URGENT - signs that need medical care, please read first"]
    for g in gates:
        lines.append(f"  [{g.gate}] episode {g.episode_id}: {g.title}. {g.message}")
        lines.append(f"     {g.action}")
        lines += [f"     - {e}" for e in g.evidence]
    return [*lines, ""]


def _red_flags(a: Analysis) -> list[str]:
    flags = a.explanation.flags
    if not len(flags):
        return []
    lines = ["RED FLAGS - please read"]
    for _, f in flags.iterrows():
        lines.append(f"  [{f['flag']}] episodes {', '.join(f['episodes'])}: {f['message']}")
    return [*lines, ""]


def _inferred_sports(a: Analysis) -> dict[str, str]:
    """``activity_id -> sport`` of the activities whose sport was inferred from their data."""
    table = a.season.table
    if "sport_source" not in table:
        return {}
    inferred = table[table["sport_source"] == "inferred"]
    return dict(zip(inferred["activity_id"], inferred["sport"], strict=True))


def _run_words(ep: EpisodeView, sports: dict[str, str]) -> str:
    if ep.activity_id is None:
        return "no run linked"
    notes = [f"{ep.hours_after_run:.1f} h earlier"] if not pd.isna(ep.hours_after_run) else []
    if ep.activity_id in sports:
        notes.append(f"sport inferred from its data: {sports[ep.activity_id]}")
    return f"after {ep.activity_id}" + (f" ({'; '.join(notes)})" if notes else "")


def _muscles(ep: EpisodeView) -> str:
    return ", ".join(ep.muscles) if ep.muscles else "muscles not readable"


def _episode_lines(a: Analysis, views: list[EpisodeView], sports: dict[str, str]) -> list[str]:
    if not views:
        return ["No twitch episodes to explain: " + _why_no_episodes(a)]
    lines = [f"EPISODES ({len(views)})"]
    for ep in views:
        top = f"top cause: {ep.top.title}" if ep.top is not None else "nothing stands out"
        flags = f" [red flags: {', '.join(f for f, _ in ep.flags)}]" if ep.flags else ""
        urgent = f" [URGENT: {', '.join(g.gate for g in ep.urgent)}]" if ep.urgent else ""
        lines.append(f"  {ep.id} {ep.when}, {_muscles(ep)}; {_run_words(ep, sports)}; {top}{urgent}{flags}")
    return lines


def _why_no_episodes(a: Analysis) -> str:
    if a.diary is None:
        return "no diary was given (--diary diary.csv; its format is in docs/diary.md)."
    rep = a.diary.report
    if rep.rows == 0:
        return "the diary has no rows below its header."
    unknown = " Some columns were not recognised (see the diary note below)." if rep.unknown_columns else ""
    return ("no diary row has its 'muscles' cell filled (a row is an episode when it names the muscles)."
            + unknown)


def _data_lines(a: Analysis, *, every: bool) -> list[str]:
    n_ok = sum(r.status == "ok" for r in a.imports)
    n_part = sum(r.status == "partial" for r in a.imports)
    bad = [r for r in a.imports if r.status == "error"]
    skipped = [r for r in a.imports if r.status == "skipped"]
    absent = [r for r in a.imports if r.status == "missing"]
    lines = [
        f"Imported {counted(n_ok + n_part, 'activity', 'activities')} ({n_part} partially), "
        f"{len(bad)} failed, "
        f"{len(skipped)} skipped (courses, merged files, duplicates)."
        + (f" {counted(len(absent), 'file')} listed in an export's index "
           f"{'is' if len(absent) == 1 else 'are'} missing from it." if absent else "")
    ]
    lines += [f"  ! {r.path}: {r.error_type}: {r.error}" for r in bad]
    lines += [f"  = {r.path}: {r.error}" for r in skipped if r.error_type == "Duplicate"]
    if a.diary is not None:
        rep = a.diary.report
        lines.append(f"Diary: {counted(rep.rows, 'row')}, {counted(len(a.diary.episodes), 'episode')}, "
                     f"{counted(len(rep.problems), 'problem')}"
                     + (" (bad cells were left blank; the rows are kept)." if rep.problems else "."))
        remarks = [f"! {p}" for p in rep.problems] + [f"note: {w}" for w in rep.warnings]
        shown = len(remarks) if every else SHOWN_DIARY_LINES
        lines += [f"  {r}" for r in remarks[:shown]]
        if len(remarks) > shown:
            lines.append(f"  ... and {len(remarks) - shown} more: --details (or `runtwitch diary DIARY.csv`) "
                         "lists them all.")
    lines += [f"Note: {w}" for w in a.warnings]
    return lines


def _hints(a: Analysis) -> list[str]:
    wanted = needs(a.explanation)
    lines = []
    if wanted.log:
        lines += ["", "To sharpen the analysis, log next time:"]
        lines += [f"  - {text} ({counted(n, 'episode')})" for text, n in wanted.log[:SHOWN_HINTS]]
    if wanted.files:
        lines += ["", "Not linked, or not compared with your usual, for lack of activity files (add them to "
                      "the folder you analyse):"]
        lines += [f"  - {text} ({counted(n, 'episode')})" for text, n in wanted.files]
    return lines


def _episode_details(ep: EpisodeView, sports: dict[str, str]) -> list[str]:
    lines = [f"{ep.id}: {ep.when} - {_muscles(ep)} ({ep.kind}); {_run_words(ep, sports)}"]
    for g in ep.urgent:
        lines.append(f"  URGENT [{g.gate}]: {g.title}. {g.action}")
    for fl, message in ep.flags:
        lines.append(f"  RED FLAG [{fl}]: {message}")
    if ep.shown and ep.top is None:
        lines.append(f"  No cause stands out: each cause weighed scores below {POSSIBLE_SHARE:.2f} "
                     "(unlikely).")
    said: set[str] = set()  # a note on advice left out, once per episode
    for k, c in enumerate(ep.shown, start=1):
        lines.append(f"  {k}. {c.title} (score {c.score:.2f}; evidence for this cause in general: "
                     f"{c.evidence_grade})")
        lines += [f"     - {e}" for e in c.evidence]
        if c.remedies:
            lines.append("     What helps:")
            lines += [f"       * {r}" for r in c.remedies]
        lines += [f"     {n}" for n in c.remedy_notes if n not in said]
        said.update(c.remedy_notes)
    if not ep.shown:
        lines.append("  Nothing stands out in the data.")
    if ep.not_assessed:
        lines.append(f"  Not assessed (no data): {', '.join(ep.not_assessed)}")
    return lines
