"""The JSON document of an analysis (its fields are listed in ``docs/cli.md``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

import pandas as pd

from runtwitch.analysis import Analysis
from runtwitch.features.columns import run_column
from runtwitch.model.activity import iso_utc
from runtwitch.render.view import episode_views, number, safety_views, summary_rows
from runtwitch.rules import DISCLAIMER


def _model_fields(by_cause: pd.DataFrame, episode_id: str, cause: str) -> dict[str, Any]:
    """A cause's verdict, log relative risk, share per evidence line and the notes on left-out remedies."""
    if (episode_id, cause) not in by_cause.index:
        return {}
    row = cast(pd.Series, by_cause.loc[(episode_id, cause)])
    return {
        "verdict": row["verdict"],
        "log_rr": number(row["log_rr"], 4),
        "points": [number(p, 4) for p in row["points"]],
        "direction": list(row["direction"]),
        "sources": list(row["sources"]),
        "remedy_notes": list(row["remedy_notes"]),
    }


def _episode_fields(by_episode: pd.DataFrame, episode_id: str) -> dict[str, Any]:
    """An episode's top cause, background share, total log relative risk, run type and what changed."""
    if episode_id not in by_episode.index:
        return {}
    row = cast(pd.Series, by_episode.loc[episode_id])
    top = row["top_cause"]
    return {
        "top_cause": top if isinstance(top, str) else None,
        "background": number(row["background"]),
        "log_rr": number(row["log_rr"], 4),
        "run_type": row["run_type"] if isinstance(row["run_type"], str) else None,
        "changed": list(row["changed"]),
    }


def to_json(a: Analysis) -> dict[str, Any]:
    """The analysis as one JSON-ready document (see docs/cli.md for the fields)."""
    runs = a.runs
    columns = [run_column(c)
               for c in ("source", "sport", "sport_source", "start_utc", "timer_s", "distance_m")]
    # Where each run's local time comes from (the season's activity table, docs/schema.md "Local time").
    local = a.season.table.set_index("activity_id")
    activities = [
        {
            "id": aid,
            "path": source,
            "sport": sport,
            "sport_source": sport_source,
            "start": iso_utc(start),
            "timer_s": number(timer),
            "distance_m": number(distance),
            "timezone": zone if isinstance(zone := local.at[aid, "timezone"], str) else None,
            "timezone_source": str(local.at[aid, "offset_source"]),
            "utc_offset_s": number(local.at[aid, "utc_offset_s"]),
        }
        for aid, source, sport, sport_source, start, timer, distance in zip(
            runs.index, *(runs[c] for c in columns), strict=True)
    ]
    ex = a.explanation
    # the score model's fields, read straight from the explanation (added; none removed)
    by_cause = ex.causes.set_index(["episode_id", "cause"])
    by_episode = ex.episodes.set_index("episode_id")
    episodes = [
        {
            "id": ep.id,
            "ref": ep.ref,
            "row": ep.row,
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
                    **_model_fields(by_cause, ep.id, c.cause),
                }
                for c in ep.causes
            ],
            "flags": [fl for fl, _ in ep.flags],
            "urgent": [g.gate for g in ep.urgent],
            **_episode_fields(by_episode, ep.id),
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
        "summary": [asdict(r) for r in summary_rows(ex, a.runs, a.days)],
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
