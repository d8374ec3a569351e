"""The view-model the reports share: each episode as it is shown, and numbers as they are written.

The text summary, the JSON document and the HTML report all show an episode
the same way: when it happened, the run it followed, its red flags, its
ranked causes (the top few with a score) and what could not be assessed.
:func:`episode_views` decides that once; each renderer only lays it out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from runtwitch.rules import FLAGS, GRADE_MEANING, Explanation

#: How an episode without a usable date is shown (it is kept, but not placed in time).
NO_DATE = "not placed in time (no usable date)"
#: Causes shown per episode in the text and HTML reports (the JSON document has them all).
SHOWN_CAUSES = 3


def number(v: Any, digits: int = 3) -> Any:
    """A value ready for JSON: numbers rounded to ``digits``, missing values as None."""
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


@dataclass(frozen=True)
class CauseView:
    """One ranked cause of an episode, as the reports show it."""

    cause: str
    title: str
    score: Any  # float, or missing when not assessed
    status: str
    evidence: list[str]
    missing: list[str]
    remedies: list[str]
    evidence_grade: str

    @property
    def grade_meaning(self) -> str:
        """The evidence grade in words."""
        return GRADE_MEANING[self.evidence_grade]


@dataclass(frozen=True)
class SafetyView:
    """A safety gate that fired (``Explanation.safety``), as every report shows it: before anything else."""

    episode_id: str
    gate: str
    urgency: str
    title: str
    message: str
    action: str
    evidence: list[str]
    source: str


def safety_views(explanation: Explanation) -> list[SafetyView]:
    """Every safety gate raised, in the explanation's order."""
    return [
        SafetyView(g["episode_id"], g["gate"], g["urgency"], g["title"], g["message"], g["action"],
                   list(g["evidence"]), g["source"])
        for _, g in explanation.safety.iterrows()
    ]


@dataclass(frozen=True)
class EpisodeView:
    """One episode, as every report shows it.

    Attributes
    ----------
    when
        Local date (and time) in words, e.g. ``Sat 07 Jun 2026 21:00``.
    after
        ``", 2.0 h after it ended"``, or ``""`` when the time between the run
        and the onset is unknown.
    urgent
        The safety gates this episode raised (shown before its red flags).
    flags
        ``(flag id, message)`` of each red flag the episode raised.
    causes
        Every cause, ranked (not assessed ones last).
    shown
        The causes worth showing: assessed, with a score above 0, the first
        :data:`SHOWN_CAUSES` of them.
    not_assessed
        Titles of the causes that could not be assessed for lack of data.
    """

    id: str
    date: Any  # the local calendar date (Timestamp), or NaT
    time: str | None
    when: str
    muscles: list[str]
    kind: Any
    severity: Any
    activity_id: str | None
    hours_after_run: Any
    after: str
    urgent: list[SafetyView]
    flags: list[tuple[str, str]]
    causes: list[CauseView]
    shown: list[CauseView]
    not_assessed: list[str]


def _causes(ranked: pd.DataFrame) -> list[CauseView]:
    return [
        CauseView(c["cause"], c["title"], c["score"], c["status"], list(c["evidence"]), list(c["missing"]),
                  list(c["remedies"]), c["evidence_grade"])
        for _, c in ranked.iterrows()
    ]


def episode_views(explanation: Explanation, *, shown: int = SHOWN_CAUSES) -> list[EpisodeView]:
    """Every episode of an explanation, in its order, as the reports show it."""
    views = []
    gates = safety_views(explanation)
    for _, ep in explanation.episodes.iterrows():
        time = ep["time"] if isinstance(ep["time"], str) else None
        when = (NO_DATE if pd.isna(ep["date"])  # a bad or missing date cell, reported by the diary reader
                else f"{pd.Timestamp(ep['date']):%a %d %b %Y}" + (f" {time}" if time is not None else ""))
        aid = ep.get("activity_id")
        after = ep.get("hours_after_run")
        causes = _causes(explanation.for_episode(ep["episode_id"]))
        views.append(EpisodeView(
            id=ep["episode_id"],
            date=ep["date"],
            time=time,
            when=when,
            muscles=list(ep["muscles"]),
            kind=ep["kind"],
            severity=ep.get("severity"),
            activity_id=None if pd.isna(aid) else str(aid),
            hours_after_run=after,
            after=f", {after:.1f} h after it ended" if not pd.isna(after) else "",
            urgent=[g for g in gates if g.episode_id == ep["episode_id"]],
            flags=[(fl, FLAGS[fl].message) for fl in ep["flags"]],
            causes=causes,
            shown=[c for c in causes if c.status == "assessed" and c.score][:shown],
            not_assessed=[c.title for c in causes if c.status == "not assessed"],
        ))
    return views
