"""This runner's own associations: which run factors are followed by episodes more often."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.rules.base import Rule, fmt
from runtwitch.rules.causes import RULES

#: Runs needed on each side (with and without the factor) before a pattern is shown.
MIN_RUNS_EACH_SIDE = 3
Z95 = 1.959964


@dataclass(frozen=True)
class Factor:
    """A yes/no property of a run, read from one feature column.

    Attributes
    ----------
    id
        Stable identifier.
    label
        For people; ``{threshold}`` is replaced by the threshold in force.
    column
        The feature the factor reads: a run feature, or with ``daily`` a
        daily feature of the run's local date.
    test
        ``test(values, threshold)``: a boolean Series, True where the run has
        the factor (values are the column, NA where unknown).
    threshold
        ``(rule id, threshold name)`` of the rule threshold the factor
        shares, so the patterns use what the rules use (``explain(thresholds=)``
        included); None for a factor without one.
    scale
        Factor from the threshold's unit to the column's (e.g. 60 for min -> s).
    shown
        The number the label shows for a threshold (e.g. a ratio of 1.1 as 10 %).
    daily
        True when ``column`` is a daily feature.
    """

    id: str
    label: str
    column: str
    test: Callable[[pd.Series, float], pd.Series]
    threshold: tuple[str, str] | None = None
    scale: float = 1.0
    shown: Callable[[float], float] = float
    daily: bool = False


def _known(mask: pd.Series, known: pd.Series) -> pd.Series:
    return mask.astype("boolean").where(known, pd.NA)


def _day(runs: pd.DataFrame, days: pd.DataFrame | None, col: str) -> pd.Series:
    if days is None or col not in days:
        return pd.Series(np.nan, index=runs.index)
    return pd.Series(days[col].reindex(pd.DatetimeIndex(runs["local_date"])).to_numpy(), index=runs.index)


def _percent_above_one(ratio: float) -> float:
    return (ratio - 1.0) * 100.0


def _percent(fraction: float) -> float:
    return fraction * 100.0


FACTORS: tuple[Factor, ...] = (
    Factor("hot", "hot run (heat risk high or extreme)", run_column("heat_risk"),
           lambda v, _: v.isin(["high", "extreme"])),
    Factor("long", "long run ({threshold} min or more)", run_column("timer_s"),
           lambda v, t: v >= t, ("fatigue_overuse", "long_run_min"), scale=60.0),
    Factor("spike", "session spike (>{threshold} % longer than the longest run of the month)",
           run_column("spike_distance_ratio"), lambda v, t: v >= t, ("fatigue_overuse", "spike_ratio"),
           shown=_percent_above_one),
    Factor("faster", "faster than usual ({threshold} % or more)", run_column("speed_vs_usual_ratio"),
           lambda v, t: v >= t, ("fatigue_overuse", "faster_ratio"), shown=_percent_above_one),
    Factor("no_cooldown", "no cool-down", run_column("cooldown_min"),
           lambda v, t: v < t, ("poor_circulation", "min_cooldown_min")),
    Factor("little_fluid", "little fluid (under {threshold} % of sweat loss replaced)",
           run_column("fluid_replaced_pct"), lambda v, t: v < t, ("dehydration", "replaced_fraction"),
           scale=100.0, shown=_percent),
    Factor("no_carbs_before", "no carbohydrate before (under {threshold} g)",
           run_column("diary_carbs_before_g"), lambda v, t: v < t, ("low_blood_sugar", "carbs_before_min_g")),
    Factor("no_rest_7d", "no rest day in the 7 days before", daily_column("rest_days_7d"),
           lambda v, _: v == 0, daily=True),
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


def _threshold(factor: Factor, values: Mapping[str, Mapping[str, float]]) -> tuple[float, str]:
    """The factor's cut-off in the column's unit, and its label, from the rules in force."""
    if factor.threshold is None:
        return float("nan"), factor.label
    rule, name = factor.threshold
    value = values[rule][name]
    return round(value * factor.scale, 9), factor.label.replace("{threshold}", fmt(factor.shown(value), 1))


def relative_risk(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float]:
    """Risk ratio ``(a/n1) / (c/n0)`` with a 95 % CI (Katz log method).

    ``a`` of ``n1`` runs with the factor and ``c`` of ``n0`` runs without it were
    followed by an episode. When a cell of the 2x2 table is 0, 0.5 is added to
    every cell (Haldane-Anscombe correction), see :func:`log_relative_risk`.
    """
    log_rr, var = log_relative_risk(a, n1, c, n0)
    se = math.sqrt(var)
    return math.exp(log_rr), math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se)


def patterns(
    runs: pd.DataFrame,
    followed: pd.Series,
    days: pd.DataFrame | None = None,
    *,
    rules: Sequence[Rule] = RULES,
) -> pd.DataFrame:
    """Relative risk of an episode after runs with each factor against runs without.

    Parameters
    ----------
    runs
        ``run_features`` (running activities are used).
    followed
        Boolean per run (same index): was the run followed by an episode?
    days
        ``daily_features``, for day-level factors.
    rules
        The rules in force: a factor's cut-off is its rule's threshold (the
        built-in rule's when ``rules`` leaves that rule out).

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
    r = runs[runs[run_column("is_run")]]
    f = followed.reindex(r.index).fillna(False).astype(bool)
    values = {**{rule.id: rule.values() for rule in RULES}, **{rule.id: rule.values() for rule in rules}}
    for factor in FACTORS:
        threshold, label = _threshold(factor, values)
        column = _day(r, days, factor.column) if factor.daily else r[factor.column]
        flag = _known(factor.test(column, threshold), column.notna())
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
                "label": label,
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
