"""Rules as data: thresholds with sources, score weights, evidence lines that carry the score.

A rule reads the features of one episode's run and day through
:class:`Context`, by the names of the feature tables
(``runtwitch.features.columns``): an unknown name raises, it never reads as
"no data".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from runtwitch.features.columns import DAILY_COLUMN_NAMES, RUN_COLUMN_NAMES, daily_column, run_column

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
    days
        The whole ``daily_features`` table, or None.
    medicines
        :func:`runtwitch.rules.medications.medication_history` of the diary
        (when each medicine was first logged), or None.
    """

    episode: pd.Series
    run: pd.Series | None
    day: pd.Series | None
    history: pd.DataFrame
    runs: pd.DataFrame
    days: pd.DataFrame | None = None
    medicines: pd.DataFrame | None = None

    def value(self, name: str) -> Any:
        """A run feature as a plain Python value, or None when absent/NaN (never a made-up number).

        Raises
        ------
        KeyError
            ``name`` is neither a run feature (``RUN_COLUMNS``) nor a column
            of :attr:`runs`.
        """
        if name not in RUN_COLUMN_NAMES and name not in self.runs.columns:
            run_column(name)
        return _plain(self._run_cells, name)

    def daily(self, name: str) -> Any:
        """A daily feature of the run's date, or None when absent/NaN.

        Raises
        ------
        KeyError
            ``name`` is neither a daily feature (``DAILY_COLUMNS``) nor a
            column of :attr:`days`.
        """
        if name not in DAILY_COLUMN_NAMES and (self.days is None or name not in self.days.columns):
            daily_column(name)
        return _plain(self._day_cells, name)

    # The rows' cells by name, read once per context: rules ask for dozens of them. A context is
    # frozen; a rule that changes ``run`` or ``day`` in place is not seen by value() and daily().
    @cached_property
    def _run_cells(self) -> Mapping[Any, Any] | pd.Series | None:
        return row_cells(self.run)

    @cached_property
    def _day_cells(self) -> Mapping[Any, Any] | pd.Series | None:
        return row_cells(self.day)

    def with_cells(self, run: Mapping[Any, Any] | None, day: Mapping[Any, Any] | None) -> Context:
        """This context, told the cells of its run and day rows when the caller has them already
        (what :func:`row_cells` of :attr:`run` and :attr:`day` gives; None: read them when asked)."""
        if run is not None:
            self.__dict__["_run_cells"] = run
        if day is not None:
            self.__dict__["_day_cells"] = day
        return self


def cells(row: pd.Series, names: list[Any] | None = None) -> dict[Any, Any]:
    """A row's cells by name (what ``row[name]`` gives for a label that does not repeat), read once.

    ``names``: ``row.index.tolist()``, when the caller has it (rows of one frame share it).
    """
    values = row.to_numpy() if isinstance(row.dtype, np.dtype) else row.array  # numpy: its own cells
    return dict(zip(row.index.tolist() if names is None else names, values, strict=True))


def row_cells(row: pd.Series | None) -> Mapping[Any, Any] | pd.Series | None:
    """:func:`cells` of a row; the row itself when its labels repeat (``row[name]`` is then
    several cells) or when there is none."""
    return row if row is None or not row.index.is_unique else cells(row)


def _plain(row: Mapping[Any, Any] | pd.Series | None, name: str) -> Any:
    if row is None or name not in (row.index if isinstance(row, pd.Series) else row):
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
        Short name for people: what was measured, never a medical state.
    evidence_grade
        How well research supports this cause in general (see :data:`GRADE_MEANING`).
    grade_note
        One sentence on that evidence.
    remedies
        What helps, in plain words.
    thresholds
        Named defaults with units and sources; override with :meth:`with_thresholds`.
    assess
        For a rule of your own: ``assess(context, values) -> Assessment``,
        where ``values`` maps every threshold and weight name to its value
        (:meth:`values`). Its points are read as a log relative risk (one
        factor, present on this run; see ``docs/rules.md``). The built-in
        rules have :attr:`factors` instead.
    weights
        Named numbers a custom :attr:`assess` uses; override with :meth:`with_weights`.
    factors
        The factors the cause is made of (:mod:`runtwitch.rules.factors`):
        the score model weighs them against the runner's usual and history.
    remedy_tags
        Remedy text -> tags (``drink``: advice to drink; ``potassium_food``),
        so that remedies conflicting with a raised flag or a logged medicine
        are left out (:mod:`runtwitch.rules.remedies`).
    """

    id: str
    title: str
    evidence_grade: EvidenceGrade
    grade_note: str
    remedies: tuple[str, ...]
    thresholds: Mapping[str, Threshold]
    assess: Assess | None = field(default=None, repr=False, compare=False)
    weights: Mapping[str, float] = field(default_factory=dict)
    factors: tuple[Any, ...] = field(default=(), repr=False, compare=False)  # rules.factors.Factor
    remedy_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        both = sorted(set(self.thresholds) & set(self.weights))
        if both:
            raise ValueError(f"rule {self.id!r}: {both} are both a threshold and a weight")

    def values(self) -> dict[str, float]:
        """Every threshold and weight value, by name (what :attr:`assess` receives)."""
        return {**{k: t.value for k, t in self.thresholds.items()}, **self.weights}

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

    def with_weights(self, **overrides: float) -> Rule:
        """A copy with some weights replaced (unknown names raise)."""
        unknown = set(overrides) - set(self.weights)
        if unknown:
            raise KeyError(
                f"rule {self.id!r} has no weights {sorted(unknown)}; it has {sorted(self.weights)}"
            )
        return replace(self, weights={k: float(overrides.get(k, w)) for k, w in self.weights.items()})

    def run(self, ctx: Context) -> Assessment:
        """Assess one episode with this rule's own ``assess`` (a rule of your own).

        Raises
        ------
        TypeError
            The rule has factors and no ``assess``: :func:`runtwitch.explain` weighs it.
        """
        if self.assess is None:
            raise TypeError(f"rule {self.id!r} has no assess: runtwitch.explain weighs its factors")
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
