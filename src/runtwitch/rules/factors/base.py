"""What every factor is made of: the run table as factors read it, a factor and its observation,
and the helpers that turn measurements into a presence between 0 and 1."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.rules.base import Context, EvidenceGrade

#: A predicted quantity counts at most this much (a coin flip): it never stands for a finding.
PREDICTED_CAP = 0.5
#: Measurement error of a body-mass change [% of body mass]: about 0.15 kg on a home scale for
#: 70 kg (Yorkin et al. 2013).
MASS_CHANGE_SD_PCT = 0.2
#: Body mass used to turn a *predicted* sweat loss into a share of body mass [kg] (the run table
#: carries no body mass; a prediction is capped at :data:`PREDICTED_CAP` anyway).
REFERENCE_MASS_KG = 70.0
_ERF = np.frompyfunc(math.erf, 1, 1)

Source = Literal["measured", "logged", "predicted"]


class Table:
    """The run table as factors read it: checked feature names, daily features aligned to the runs."""

    def __init__(self, runs: pd.DataFrame, days: pd.DataFrame | None) -> None:
        self.runs = runs
        self.days = days

    @property
    def index(self) -> pd.Index:
        return self.runs.index

    def value(self, name: str) -> pd.Series:
        """A run feature (checked name), NaN where absent."""
        col = run_column(name) if name not in self.runs.columns else name
        if col not in self.runs:
            return pd.Series(np.nan, index=self.runs.index)
        return self.runs[col]

    def number(self, name: str) -> pd.Series:
        return pd.to_numeric(self.value(name), errors="coerce").astype(float)

    def daily(self, name: str) -> pd.Series:
        """A daily feature of each run's local date (checked name)."""
        col = daily_column(name)
        if self.days is None or col not in self.days or len(self.runs) == 0:
            return pd.Series(np.nan, index=self.runs.index)
        dates = pd.DatetimeIndex(self.runs[run_column("local_date")])
        return pd.Series(self.days[col].reindex(dates).to_numpy(), index=self.runs.index)


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
    xs = pd.Series(np.asarray(x, dtype=float), index=index)
    src = source if isinstance(source, pd.Series) else pd.Series(source, index=index, dtype=object)
    return Observed(xs, src.where(xs.notna(), None))


def flag(cond: pd.Series, known: pd.Series) -> np.ndarray:
    """1.0 where ``cond`` holds, 0.0 where not, NaN where the value is not ``known``."""
    return np.where(known, cond.fillna(False).astype(bool).astype(float), np.nan)


def above(value: pd.Series, threshold: float, sd: pd.Series | float) -> pd.Series:
    """P(true value >= threshold) for a measurement with error ``sd`` (a step when sd is 0)."""
    z: np.ndarray = ((value - threshold) / np.maximum(sd, 1e-9)).fillna(0.0).clip(-30, 30).to_numpy(float)
    p = 0.5 * (1.0 + _ERF(z / math.sqrt(2.0)).astype(float))
    return pd.Series(p, index=value.index).where(value.notna())
