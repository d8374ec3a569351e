"""Rules as data: thresholds with sources, evidence lines that carry the score."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

#: How well research supports a cause of post-run twitches or cramps in general.
EvidenceGrade = Literal["moderate", "limited", "weak", "expert opinion"]

GRADE_MEANING: dict[str, str] = {
    "moderate": "supported by several studies of exercise-associated muscle cramps",
    "limited": "supported for some people or settings; the research is mixed",
    "weak": "widely believed, but studies of cramping athletes mostly do not find it",
    "expert opinion": "plausible and commonly advised, but little studied",
}


@dataclass(frozen=True)
class Threshold:
    """A named, documented default a user can override."""

    value: float
    unit: str
    meaning: str
    source: str = ""


@dataclass(frozen=True)
class Evidence:
    """One line of evidence: a sentence with the runner's numbers, and the score it adds."""

    text: str
    points: float = 0.0


@dataclass(frozen=True)
class Assessment:
    """What a rule concluded for one episode.

    ``score`` is None when the rule could not be assessed for lack of data.
    """

    score: float | None
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()

    @staticmethod
    def from_evidence(evidence: list[Evidence], missing: list[str], assessed: bool) -> Assessment:
        if not assessed:
            return Assessment(None, tuple(evidence), tuple(missing))
        score = min(1.0, max(0.0, sum(e.points for e in evidence)))
        return Assessment(round(score, 3), tuple(evidence), tuple(missing))


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at for one episode.

    Attributes
    ----------
    episode
        The linked episode row (``link_episodes`` output).
    run
        The linked run's ``run_features`` row, or None when the episode has no run.
    day
        The ``daily_features`` row of the run's local date, or None.
    history
        All linked episodes (for flags that look across time).
    runs
        The whole ``run_features`` table.
    medicines
        :func:`runtwitch.rules.medications.medication_history` of the diary
        (when each medicine was first logged), or None.
    """

    episode: pd.Series
    run: pd.Series | None
    day: pd.Series | None
    history: pd.DataFrame
    runs: pd.DataFrame
    medicines: pd.DataFrame | None = None

    def value(self, name: str) -> Any:
        """A run feature as a plain Python value, or None when absent/NaN (never a made-up number)."""
        return _plain(self.run, name)

    def daily(self, name: str) -> Any:
        """A daily feature of the run's date, or None."""
        return _plain(self.day, name)


def _plain(row: pd.Series | None, name: str) -> Any:
    if row is None or name not in row.index:
        return None
    v = row[name]
    if isinstance(v, list):
        return v
    if v is None or pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v  # numpy scalar -> bool/float/int


Assess = Callable[[Context, Mapping[str, float]], Assessment]


@dataclass(frozen=True)
class Rule:
    """A cause of post-run twitches: how it is recognised, how well it is supported, what helps.

    Attributes
    ----------
    id
        Stable identifier (``dehydration``, ``fatigue_overuse``...).
    title
        Short name for people.
    evidence_grade
        How well research supports this cause in general (see :data:`GRADE_MEANING`).
    grade_note
        One sentence on that evidence.
    remedies
        What helps, in plain words.
    thresholds
        Named defaults with units and sources; override with :meth:`with_thresholds`.
    assess
        ``assess(context, thresholds) -> Assessment``.
    """

    id: str
    title: str
    evidence_grade: EvidenceGrade
    grade_note: str
    remedies: tuple[str, ...]
    thresholds: Mapping[str, Threshold]
    assess: Assess = field(repr=False, compare=False)

    def values(self) -> dict[str, float]:
        return {k: t.value for k, t in self.thresholds.items()}

    def with_thresholds(self, **overrides: float) -> Rule:
        """A copy with some threshold values replaced (unknown names raise)."""
        unknown = set(overrides) - set(self.thresholds)
        if unknown:
            raise KeyError(
                f"rule {self.id!r} has no thresholds {sorted(unknown)}; it has {sorted(self.thresholds)}"
            )
        new = {
            k: replace(t, value=float(overrides[k])) if k in overrides else t
            for k, t in self.thresholds.items()
        }
        return replace(self, thresholds=new)

    def run(self, ctx: Context) -> Assessment:
        return self.assess(ctx, self.values())


def fmt_duration(seconds: float) -> str:
    """1 h 05 min / 42 min."""
    m = round(seconds / 60.0)
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


def fmt(x: float, digits: int = 1) -> str:
    """A number for a sentence: ``digits`` decimals, trailing zeros after the point dropped."""
    if math.isnan(x):
        return "?"
    s = f"{x:.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s
