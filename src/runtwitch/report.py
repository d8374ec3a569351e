"""What a runner reads: the text summary and the JSON document of an analysis."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from runtwitch.activity import _iso
from runtwitch.analysis import Analysis
from runtwitch.rules.base import GRADE_MEANING
from runtwitch.rules.explain import DISCLAIMER
from runtwitch.rules.flags import FLAGS


def _num(v: Any, digits: int = 3) -> Any:
    if v is None or v is pd.NA:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        return v
    if isinstance(v, (int, float)) or hasattr(v, "item"):
        f = float(v)
        return None if math.isnan(f) else round(f, digits)
    return v


def to_json(a: Analysis) -> dict[str, Any]:
    """The analysis as one JSON-ready document (see docs/cli.md for the fields)."""
    runs = a.runs
    activities = [
        {
            "id": aid,
            "path": r["source"],
            "sport": r["sport"],
            "start": _iso(r["start_utc"]),
            "timer_s": _num(r["timer_s"]),
            "distance_m": _num(r["distance_m"]),
        }
        for aid, r in runs.iterrows()
    ]
    ex = a.explanation
    episodes = []
    for _, ep in ex.episodes.iterrows():
        causes = ex.for_episode(ep["episode_id"])
        episodes.append(
            {
                "id": ep["episode_id"],
                "date": f"{pd.Timestamp(ep['date']):%Y-%m-%d}" if not pd.isna(ep["date"]) else None,
                "time": None if pd.isna(ep["time"]) else str(ep["time"]),
                "muscles": list(ep["muscles"]),
                "kind": None if pd.isna(ep["kind"]) else str(ep["kind"]),
                "severity": _num(ep.get("severity")),
                "activity_id": None if pd.isna(ep.get("activity_id")) else str(ep["activity_id"]),
                "hours_after_run": _num(ep.get("hours_after_run"), 2),
                "causes": [
                    {
                        "cause": c["cause"],
                        "title": c["title"],
                        "score": _num(c["score"]),
                        "status": c["status"],
                        "evidence": list(c["evidence"]),
                        "missing": list(c["missing"]),
                        "remedies": list(c["remedies"]),
                        "evidence_grade": c["evidence_grade"],
                    }
                    for _, c in causes.iterrows()
                ],
                "flags": list(ep["flags"]),
            }
        )
    return {
        "activities": activities,
        "episodes": episodes,
        "flags": [
            {"flag": f["flag"], "episodes": list(f["episodes"]), "message": f["message"]}
            for _, f in ex.flags.iterrows()
        ],
        "patterns": [{k: _num(v) for k, v in p.items()} for p in ex.patterns.to_dict("records")],
        "imports": [
            {"path": r.path, "status": r.status, "error": r.error, "error_type": r.error_type}
            for r in a.imports
        ],
        "diary": a.diary.report.to_dict() if a.diary is not None else None,
        "athlete": {"timezone": a.athlete.timezone, "provenance": runs.attrs.get("athlete_provenance", {})},
        "warnings": list(a.warnings),
        "disclaimer": DISCLAIMER,
    }


def summary_text(a: Analysis, *, max_causes: int = 3) -> str:
    """A readable summary: data quality, red flags first, then each episode's top causes."""
    lines: list[str] = []
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
    for _, ep in ex.episodes.iterrows():
        lines.append("")
        when = f"{pd.Timestamp(ep['date']):%a %d %b %Y}" + (
            f" {ep['time']}" if isinstance(ep["time"], str) else ""
        )
        run = ep.get("activity_id")
        after = ep.get("hours_after_run")
        link = (
            "no run linked"
            if pd.isna(run)
            else (f"after {run}" + (f", {after:.1f} h after it ended" if not pd.isna(after) else ""))
        )
        lines.append(f"{ep['episode_id']}: {when} - {', '.join(ep['muscles'])} ({ep['kind']}); {link}")
        for fl in ep["flags"]:
            lines.append(f"  RED FLAG [{fl}]: {FLAGS[fl].message}")
        ranked = ex.for_episode(ep["episode_id"])
        shown = 0
        for _, c in ranked.iterrows():
            if c["status"] != "assessed" or not c["score"] or shown >= max_causes:
                continue
            shown += 1
            lines.append(
                f"  {shown}. {c['title']} (score {c['score']:.2f}; evidence for this cause in "
                f"general: {c['evidence_grade']})"
            )
            for e in c["evidence"]:
                lines.append(f"     - {e}")
            lines.append(f"     What helps: {c['remedies'][0]}")
        if shown == 0:
            lines.append("  No cause stands out in the data.")
        not_assessed = [c["title"] for _, c in ranked.iterrows() if c["status"] == "not assessed"]
        if not_assessed:
            lines.append(f"  Not assessed (no data): {', '.join(not_assessed)}")
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
