"""This runner's own associations: which run factors are followed by episodes more often."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Runs needed on each side (with and without the factor) before a pattern is shown.
MIN_RUNS_EACH_SIDE = 3
Z95 = 1.959964


@dataclass(frozen=True)
class Factor:
    """A yes/no property of a run; ``test`` returns a boolean Series with NA where unknown."""

    id: str
    label: str
    test: Callable[[pd.DataFrame, pd.DataFrame | None], pd.Series]


def _known(mask: pd.Series, known: pd.Series) -> pd.Series:
    return mask.astype("boolean").where(known, pd.NA)


def _day(runs: pd.DataFrame, days: pd.DataFrame | None, col: str) -> pd.Series:
    if days is None or col not in days:
        return pd.Series(np.nan, index=runs.index)
    return pd.Series(days[col].reindex(pd.DatetimeIndex(runs["local_date"])).to_numpy(), index=runs.index)


FACTORS: tuple[Factor, ...] = (
    Factor(
        "hot",
        "hot run (heat risk high or extreme)",
        lambda r, d: _known(r["heat_risk"].isin(["high", "extreme"]), r["heat_risk"].notna()),
    ),
    Factor(
        "long", "long run (90 min or more)", lambda r, d: _known(r["timer_s"] >= 5400, r["timer_s"].notna())
    ),
    Factor(
        "spike",
        "session spike (>10 % longer than the longest run of the month)",
        lambda r, d: _known(r["spike_distance_ratio"] >= 1.1, r["spike_distance_ratio"].notna()),
    ),
    Factor(
        "faster",
        "faster than usual (5 % or more)",
        lambda r, d: _known(r["speed_vs_usual_ratio"] >= 1.05, r["speed_vs_usual_ratio"].notna()),
    ),
    Factor(
        "no_cooldown", "no cool-down", lambda r, d: _known(r["cooldown_min"] < 5, r["cooldown_min"].notna())
    ),
    Factor(
        "little_fluid",
        "little fluid (under 40 % of sweat loss replaced)",
        lambda r, d: _known(r["fluid_replaced_pct"] < 40, r["fluid_replaced_pct"].notna()),
    ),
    Factor(
        "no_carbs_before",
        "no carbohydrate before (under 30 g)",
        lambda r, d: _known(r["diary_carbs_before_g"] < 30, r["diary_carbs_before_g"].notna()),
    ),
    Factor(
        "no_rest_7d",
        "no rest day in the 7 days before",
        lambda r, d: _known(_day(r, d, "rest_days_7d") == 0, _day(r, d, "rest_days_7d").notna()),
    ),
)


def log_relative_risk(a: int, n1: int, c: int, n0: int, *, continuity: float = 0.5) -> tuple[float, float]:
    """Log risk ratio ``log((a/n1) / (c/n0))`` and its variance (Katz).

    ``a`` of ``n1`` runs with the factor and ``c`` of ``n0`` runs without it were
    followed by an episode. When a cell of the 2x2 table is 0, ``continuity``
    (0.5: the Haldane-Anscombe correction) is added to every cell. The
    variance is ``1/a - 1/n1 + 1/c - 1/n0`` on the (corrected) cells.
    """
    cells = [float(a), float(n1 - a), float(c), float(n0 - c)]
    if min(cells) == 0:
        cells = [x + continuity for x in cells]
    fa, fb, fc, fd = cells
    log_rr = math.log((fa / (fa + fb)) / (fc / (fc + fd)))
    return log_rr, 1 / fa - 1 / (fa + fb) + 1 / fc - 1 / (fc + fd)


def relative_risk(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float]:
    """Risk ratio ``(a/n1) / (c/n0)`` with a 95 % CI (Katz log method).

    ``a`` of ``n1`` runs with the factor and ``c`` of ``n0`` runs without it were
    followed by an episode. When a cell of the 2x2 table is 0, 0.5 is added to
    every cell (Haldane-Anscombe correction), see :func:`log_relative_risk`.
    """
    log_rr, var = log_relative_risk(a, n1, c, n0)
    se = math.sqrt(var)
    return math.exp(log_rr), math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se)


def patterns(runs: pd.DataFrame, followed: pd.Series, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """Relative risk of an episode after runs with each factor against runs without.

    Parameters
    ----------
    runs
        ``run_features`` (running activities are used).
    followed
        Boolean per run (same index): was the run followed by an episode?
    days
        ``daily_features``, for day-level factors.

    Returns
    -------
    pandas.DataFrame
        One row per factor with enough runs on both sides (at least
        :data:`MIN_RUNS_EACH_SIDE`): ``factor``, ``label``, ``runs_with``,
        ``episodes_with``, ``runs_without``, ``episodes_without``,
        ``relative_risk``, ``ci_low``, ``ci_high``. These are associations in
        one person's history, not proof of cause.
    """
    rows = []
    r = runs[runs["is_run"]]
    f = followed.reindex(r.index).fillna(False).astype(bool)
    for factor in FACTORS:
        flag = factor.test(r, days)
        known = flag.notna()
        with_ = known & flag.fillna(False).astype(bool)
        without = known & ~flag.fillna(True).astype(bool)
        n1, n0 = int(with_.sum()), int(without.sum())
        if n1 < MIN_RUNS_EACH_SIDE or n0 < MIN_RUNS_EACH_SIDE:
            continue
        a, c = int((f & with_).sum()), int((f & without).sum())
        if a == 0 and c == 0:
            rr, lo, hi = float("nan"), float("nan"), float("nan")
        else:
            rr, lo, hi = relative_risk(a, n1, c, n0)
        rows.append(
            {
                "factor": factor.id,
                "label": factor.label,
                "runs_with": n1,
                "episodes_with": a,
                "runs_without": n0,
                "episodes_without": c,
                "relative_risk": rr,
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    cols = [
        "factor",
        "label",
        "runs_with",
        "episodes_with",
        "runs_without",
        "episodes_without",
        "relative_risk",
        "ci_low",
        "ci_high",
    ]
    return pd.DataFrame(rows, columns=cols)
