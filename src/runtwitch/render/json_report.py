"""The JSON document of an analysis (its fields are listed in ``docs/cli.md``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from runtwitch.analysis import Analysis
from runtwitch.features.columns import run_column
from runtwitch.model.activity import iso_utc
from runtwitch.render.view import episode_views, number, safety_views
from runtwitch.rules import DISCLAIMER


def to_json(a: Analysis) -> dict[str, Any]:
    """The analysis as one JSON-ready document (see docs/cli.md for the fields)."""
    runs = a.runs
    columns = [run_column(c)
               for c in ("source", "sport", "sport_source", "start_utc", "timer_s", "distance_m")]
    activities = [
        {
            "id": aid,
            "path": source,
            "sport": sport,
            "sport_source": sport_source,
            "start": iso_utc(start),
            "timer_s": number(timer),
            "distance_m": number(distance),
        }
        for aid, source, sport, sport_source, start, timer, distance in zip(
            runs.index, *(runs[c] for c in columns), strict=True)
    ]
    ex = a.explanation
    episodes = [
        {
            "id": ep.id,
            "date": f"{pd.Timestamp(ep.date):%Y-%m-%d}" if not pd.isna(ep.date) else None,
            "time": ep.time,
            "muscles": ep.muscles,
            "kind": None if pd.isna(ep.kind) else str(ep.kind),
            "severity": number(ep.severity),
            "activity_id": ep.activity_id,
            "hours_after_run": number(ep.hours_after_run, 2),
            "causes": [
                {
                    "cause": c.cause,
                    "title": c.title,
                    "score": number(c.score),
                    "status": c.status,
                    "evidence": c.evidence,
                    "missing": c.missing,
                    "remedies": c.remedies,
                    "evidence_grade": c.evidence_grade,
                }
                for c in ep.causes
            ],
            "flags": [fl for fl, _ in ep.flags],
            "urgent": [g.gate for g in ep.urgent],
        }
        for ep in episode_views(ex)
    ]
    return {
        "safety": [
            {
                "episode": g.episode_id,
                "gate": g.gate,
                "urgency": g.urgency,
                "title": g.title,
                "message": g.message,
                "action": g.action,
                "evidence": g.evidence,
                "source": g.source,
            }
            for g in safety_views(ex)
        ],
        "activities": activities,
        "episodes": episodes,
        "flags": [
            {"flag": f["flag"], "episodes": list(f["episodes"]), "message": f["message"]}
            for _, f in ex.flags.iterrows()
        ],
        "patterns": [{k: number(v) for k, v in p.items()} for p in ex.patterns.to_dict("records")],
        "imports": [
            {"path": r.path, "status": r.status, "error": r.error, "error_type": r.error_type}
            for r in a.imports
        ],
        "diary": a.diary.report.to_dict() if a.diary is not None else None,
        "athlete": {"timezone": a.athlete.tz, "provenance": dict(a.athlete.provenance)},
        "warnings": list(a.warnings),
        "disclaimer": DISCLAIMER,
    }
