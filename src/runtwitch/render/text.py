"""The text summary of an analysis: urgent signs, data quality, red flags, then each episode's top causes."""

from __future__ import annotations

from runtwitch.analysis import Analysis
from runtwitch.render.view import SHOWN_CAUSES, episode_views, safety_views
from runtwitch.rules import DISCLAIMER, GRADE_MEANING


def summary_text(a: Analysis, *, max_causes: int = SHOWN_CAUSES) -> str:
    """A readable summary: urgent signs first, data quality, red flags, then each episode's top causes."""
    lines: list[str] = []
    gates = safety_views(a.explanation)
    if gates:  # safety gates: before everything else
        lines.append("URGENT - signs that need medical care, please read first")
        for g in gates:
            lines.append(f"  [{g.gate}] episode {g.episode_id}: {g.title}. {g.message}")
            lines.append(f"     {g.action}")
            lines += [f"     - {e}" for e in g.evidence]
        lines.append("")
    n_ok = sum(r.status == "ok" for r in a.imports)
    n_part = sum(r.status == "partial" for r in a.imports)
    bad = [r for r in a.imports if r.status in ("error",)]
    skipped = [r for r in a.imports if r.status == "skipped"]
    absent = [r for r in a.imports if r.status == "missing"]
    lines.append(
        f"Imported {n_ok + n_part} activities ({n_part} partially), {len(bad)} failed, "
        f"{len(skipped)} skipped (courses, merged files)."
        + (f" {len(absent)} files listed in an export's index are missing from it." if absent else "")
    )
    for r in bad:
        lines.append(f"  ! {r.path}: {r.error_type}: {r.error}")
    if a.diary is not None:
        rep = a.diary.report
        lines.append(
            f"Diary: {rep.rows} rows, {len(a.diary.episodes)} episodes, {len(rep.problems)} problems."
        )
        for p in rep.problems[:20]:
            lines.append(f"  ! {p}")
    for w in a.warnings:
        lines.append(f"Note: {w}")
    ex = a.explanation
    if len(ex.flags):
        lines.append("")
        lines.append("RED FLAGS - please read")
        for _, f in ex.flags.iterrows():
            lines.append(f"  [{f['flag']}] episodes {', '.join(f['episodes'])}: {f['message']}")
    for ep in episode_views(ex, shown=max_causes):
        lines.append("")
        link = "no run linked" if ep.activity_id is None else f"after {ep.activity_id}{ep.after}"
        lines.append(f"{ep.id}: {ep.when} - {', '.join(ep.muscles)} ({ep.kind}); {link}")
        for g in ep.urgent:
            lines.append(f"  URGENT [{g.gate}]: {g.title}. {g.action}")
        for fl, message in ep.flags:
            lines.append(f"  RED FLAG [{fl}]: {message}")
        for k, c in enumerate(ep.shown, start=1):
            lines.append(
                f"  {k}. {c.title} (score {c.score:.2f}; evidence for this cause in "
                f"general: {c.evidence_grade})"
            )
            for e in c.evidence:
                lines.append(f"     - {e}")
            lines.append(f"     What helps: {c.remedies[0]}")
        if not ep.shown:
            lines.append("  No cause stands out in the data.")
        if ep.not_assessed:
            lines.append(f"  Not assessed (no data): {', '.join(ep.not_assessed)}")
    missing = ex.missing_summary()
    if len(missing):
        lines.append("")
        lines.append("To sharpen the analysis, log next time:")
        for text, n in missing.head(6).items():
            lines.append(f"  - {text} ({n}x)")
    lines.append("")
    lines.append("Evidence grades: " + "; ".join(f"{g}: {m}" for g, m in GRADE_MEANING.items()) + ".")
    lines.append(DISCLAIMER)
    return "\n".join(lines)
