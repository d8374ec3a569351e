"""What every factor is made of: the run table as factors read it, a factor and its observation,
and the helpers that turn measurements into a presence between 0 and 1."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.features.window import Trailing
from runtwitch.rules.base import Context, EvidenceGrade
from runtwitch.rules.score import USUAL_MIN_RUNS, USUAL_WINDOW_DAYS

#: A predicted quantity counts at most this much (a coin flip): it never stands for a finding.
PREDICTED_CAP = 0.5
#: Measurement error of a body-mass change [% of body mass]: about 0.15 kg on a home scale for
#: 70 kg (Yorkin et al. 2013).
MASS_CHANGE_SD_PCT = 0.2
#: Body mass used to turn a *predicted* sweat loss into a share of body mass [kg] (the run table
#: carries no body mass; a prediction is capped at :data:`PREDICTED_CAP` anyway).
REFERENCE_MASS_KG = 70.0
_ERF = np.frompyfunc(math.erf, 1, 1)
_T = TypeVar("_T")

Source = Literal["measured", "logged", "predicted"]


class Table:
    """The run table as factors read it: checked feature names, daily features aligned to the runs.

    Each column is read once per table (several factors read the same ones): :meth:`value`,
    :meth:`number` and :meth:`daily` give the same Series each time, which factors read and never
    change in place; :meth:`once` does the same for a value several factors derive alike.
    """

    def __init__(self, runs: pd.DataFrame, days: pd.DataFrame | None) -> None:
        self.runs = runs
        self.days = days
        self._read: dict[tuple[str, str], Any] = {}

    @property
    def index(self) -> pd.Index:
        return self.runs.index

    def once(self, key: str, compute: Callable[[Table], _T]) -> _T:
        """``compute(self)``, computed once per table under ``key`` (a value factors share)."""
        slot = ("once", key)
        if slot not in self._read:
            self._read[slot] = compute(self)
        found: _T = self._read[slot]
        return found

    def value(self, name: str) -> pd.Series:
        """A run feature (checked name), NaN where absent."""
        slot = ("value", name)
        if slot not in self._read:
            col = run_column(name) if name not in self.runs.columns else name
            self._read[slot] = (self.runs[col] if col in self.runs
                                else pd.Series(np.nan, index=self.runs.index))
        found: pd.Series = self._read[slot]
        return found

    def number(self, name: str) -> pd.Series:
        slot = ("number", name)
        if slot not in self._read:
            self._read[slot] = pd.to_numeric(self.value(name), errors="coerce").astype(float)
        found: pd.Series = self._read[slot]
        return found

    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """What the data hold before each run: the days from their first day (the daily table's,
        which every activity opens, else the runs') to the run's local date, and how many runs
        started in the :data:`~runtwitch.rules.score.USUAL_WINDOW_DAYS` before it (once per table);
        NaN for a run without a date or a start time (its history is not known to be short)."""
        return self.once("history", _history)

    def daily(self, name: str) -> pd.Series:
        """A daily feature of each run's local date (checked name)."""
        slot = ("daily", name)
        if slot not in self._read:
            col = daily_column(name)
            if self.days is None or col not in self.days or len(self.runs) == 0:
                self._read[slot] = pd.Series(np.nan, index=self.runs.index)
            else:
                dates = pd.DatetimeIndex(self.runs[run_column("local_date")])
                self._read[slot] = pd.Series(self.days[col].reindex(dates).to_numpy(), index=self.runs.index)
        found: pd.Series = self._read[slot]
        return found


def _history(t: Table) -> tuple[np.ndarray, np.ndarray]:
    if len(t.runs) == 0:
        return np.zeros(0), np.zeros(0)
    local = pd.DatetimeIndex(t.runs[run_column("local_date")])
    first = pd.Timestamp(t.days.index.min()) if t.days is not None and len(t.days) else local.min()
    when = pd.DatetimeIndex(pd.to_datetime(t.runs[run_column("start_utc")], utc=True))
    start = np.where(when.isna(), np.nan, when.as_unit("ns").asi8 / 1e9)
    days = np.asarray((local - first) / pd.Timedelta(days=1), dtype=float)
    earlier = Trailing(start, USUAL_WINDOW_DAYS * 86400.0).sizes().astype(float)
    return days, np.where(np.isfinite(start), earlier, np.nan)


@dataclass(frozen=True)
class Observed:
    """A factor on every run: presence ``x`` (0-1, NaN unknown) and its ``source``."""

    x: pd.Series
    source: pd.Series


Observe = Callable[[Table, Mapping[str, float]], Observed]
Say = Callable[[Context, Mapping[str, float]], str]
Against = Callable[[Context, Mapping[str, float]], "str | None"]


@dataclass(frozen=True)
class Factor:
    """One factor of a cause.

    Attributes
    ----------
    id
        Stable identifier.
    cause
        The cause (rule id) it belongs to.
    label
        Short words for lists and patterns.
    grade
        Evidence grade of the factor (sets the width of the prior).
    rr_cramp, rr_twitch
        Prior relative risk of an episode of that kind after a run with the
        factor (spasm: see :meth:`prior`).
    source
        The studies behind the prior.
    observe
        ``observe(table, thresholds) -> Observed`` over every run.
    says
        The evidence line when the factor is present on the episode's run
        ("" when another factor's line already says it).
    against
        The line when a measurement on the episode's run argues against the
        cause (the factor absent and measured), or None.
    compare
        ``type``: its usual is the runner's runs of the same type; ``all``:
        all their runs (for factors that are about the type itself, or not
        about the run at all: sleep, medicines).
    p_pop
        Usual presence assumed for a runner with too few runs.
    history_days
        Days before the run that must be in the data (from its first day)
        for the factor's own window of days; on a run with fewer, the factor
        is unknown: not assessed (too little history). 0: no such window.
    needs_usual
        The factor compares the run with the runner's earlier runs (the
        longest of the month, the hard sessions they are used to): it is
        unknown on a run with fewer than
        :data:`runtwitch.rules.score.USUAL_MIN_RUNS` earlier runs in the
        usual's window (:data:`runtwitch.rules.score.USUAL_WINDOW_DAYS`),
        rather than read from runs nobody recorded.
    """

    id: str
    cause: str
    label: str
    grade: EvidenceGrade
    rr_cramp: float
    rr_twitch: float
    source: str
    observe: Observe
    says: Say
    against: Against | None = None
    compare: Literal["type", "all"] = "type"
    p_pop: float = 0.1
    history_days: int = 0
    needs_usual: bool = False

    def observed_on(self, table: Table, thresholds: Mapping[str, float]) -> Observed:
        """:attr:`observe`, unknown on the runs with less history before them than the factor's
        comparison needs (:attr:`history_days`, :attr:`needs_usual`): not assessed (too little
        history), never read as present or absent from days or runs nobody recorded."""
        observed = self.observe(table, thresholds)
        if not self.history_days and not self.needs_usual:
            return observed
        days, earlier = table.history()
        short = days < self.history_days
        if self.needs_usual:
            short |= earlier < USUAL_MIN_RUNS
        if not short.any():
            return observed
        known = pd.Series(~short, index=observed.x.index)
        return Observed(observed.x.where(known), observed.source.where(known, None))

    def prior(self, kind: str) -> float:
        """Prior log relative risk for an episode of ``kind``.

        Spasm (used loosely for both): the cramp prior x 0.75, or for a factor
        only the twitch literature names, the twitch prior x 0.5.
        """
        c, t = math.log(self.rr_cramp), math.log(self.rr_twitch)
        if kind == "cramp":
            return c
        if kind == "twitch":
            return t
        return 0.75 * c if c > 0 else 0.5 * t


def obs(x: pd.Series | np.ndarray, index: pd.Index, source: Source | pd.Series) -> Observed:
    """A factor's presence per run and its source (no source where the presence is unknown)."""
    values = np.asarray(x, dtype=float)
    known = ~np.isnan(values)
    if isinstance(source, pd.Series):
        src = source.where(known, None)
    else:  # one source for every run: None where unknown
        cells = np.full(len(values), source, dtype=object)
        cells[~known] = None
        src = pd.Series(cells, index=index, dtype=object)
    return Observed(pd.Series(values, index=index), src)


def flag(cond: pd.Series, known: pd.Series) -> np.ndarray:
    """1.0 where ``cond`` holds, 0.0 where not, NaN where the value is not ``known``."""
    return np.where(known, cond.fillna(False).astype(bool).astype(float), np.nan)


def above(value: pd.Series, threshold: float, sd: pd.Series | float) -> pd.Series:
    """P(true value >= threshold) for a measurement with error ``sd`` (a step when sd is 0)."""
    v = value.to_numpy(float)
    spread = sd.to_numpy(float) if isinstance(sd, pd.Series) else sd
    z = (v - threshold) / np.maximum(spread, 1e-9)
    z = np.clip(np.where(np.isnan(z), 0.0, z), -30, 30)
    erf = np.asarray(_ERF(z / math.sqrt(2.0)), dtype=float)
    p = 0.5 * (1.0 + erf)
    return pd.Series(np.where(np.isnan(v), np.nan, p), index=value.index)
