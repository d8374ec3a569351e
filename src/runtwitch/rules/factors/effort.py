"""Factors of unusually hard or long running: a run faster than usual, a race, a session spike,
a hard session rarely done, a streak without rest."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from runtwitch.features.runtype import HARD_TYPES
from runtwitch.rules.base import Context, fmt
from runtwitch.rules.factors.base import (
    Factor,
    Observed,
    Table,
    flag,
    obs,
)

#: Days before the run that the rest days of the last 7 days (the run's day included) look at.
REST_HISTORY_DAYS = 6


def _effort(t: Table, th: Mapping[str, float]) -> Observed:
    z, ratio = t.number("speed_vs_type_z"), t.number("speed_vs_type_ratio")
    x = ((z - 1.0) / 2.0).clip(0.0, 1.0).where(ratio >= th["faster_ratio"], 0.0).where(z.notna())
    return obs(x, t.index, "measured")


def _say_effort(ctx: Context, th: Mapping[str, float]) -> str:
    ratio, kind, n = (
        ctx.value("speed_vs_type_ratio"),
        ctx.value("run_type"),
        ctx.value("type_comparable_runs"),
    )
    what = "work bouts" if kind == "intervals" else "pace"
    return (
        f"Your {what} was {fmt((ratio - 1) * 100, 0)} % faster than your usual {kind} runs "
        f"(the median of {n} in the last 90 days)."
    )


def _race(t: Table, th: Mapping[str, float]) -> Observed:
    kind = t.value("run_type")
    return obs(flag(kind == "race", kind.notna()), t.index, "measured")


def _say_race(ctx: Context, th: Mapping[str, float]) -> str:
    return f"A race or race-pace effort ({ctx.value('run_type_basis')})."


def _spike(t: Table, th: Mapping[str, float]) -> Observed:
    ratio = pd.concat([t.number("spike_distance_ratio"), t.number("spike_duration_ratio")], axis=1).max(
        axis=1
    )
    x = ((ratio - th["spike_ratio"]) / th["spike_span"]).clip(0.0, 1.0)
    return obs(x, t.index, "measured")


def _say_spike(ctx: Context, th: Mapping[str, float]) -> str:
    ratio = max(v for v in (ctx.value("spike_distance_ratio"), ctx.value("spike_duration_ratio"), 0.0) if v)
    return (
        f"This run was {fmt((ratio - 1) * 100, 0)} % longer than your longest run of the previous "
        "30 days (a session spike)."
    )


def _novel(t: Table, th: Mapping[str, float]) -> Observed:
    kind, n = t.value("run_type"), t.number("type_comparable_runs")
    hard = kind.isin(list(HARD_TYPES))
    return obs(flag(hard & (n < th["novel_min_runs"]), kind.notna()), t.index, "measured")


def _say_novel(ctx: Context, th: Mapping[str, float]) -> str:
    n = int(ctx.value("type_comparable_runs") or 0)
    how_many = "no hard session" if n == 0 else f"only {n} hard session{'s' if n != 1 else ''}"
    return (
        f"A hard session ({ctx.value('run_type')}: {ctx.value('run_type_basis')}) with {how_many} "
        "among your runs of the 90 days before: more strenuous than you are used to."
    )


def _streak(t: Table, th: Mapping[str, float]) -> Observed:
    streak, rest = t.daily("consecutive_run_days"), t.daily("rest_days_7d")
    cond = (streak >= th["streak_days"]) | (rest == 0)
    return obs(flag(cond, streak.notna() | rest.notna()), t.index, "measured")


def _say_streak(ctx: Context, th: Mapping[str, float]) -> str:
    streak = ctx.daily("consecutive_run_days")
    if streak is not None and streak >= th["streak_days"]:
        return f"Day {int(streak)} of running in a row."
    return "No rest day in the last 7 days."


#: The factors of this family, as :data:`runtwitch.rules.factors.FACTORS` lists them.
FACTORS: tuple[Factor, ...] = (
    Factor(
        "effort",
        "fatigue_overuse",
        "faster than your usual runs of the type",
        "moderate",
        2.0,
        1.2,
        "Schwellnus, Drew & Collins 2011 (faster race times predict cramps); Shang et al. 2011; "
        "Miller et al. 2022",
        _effort,
        _say_effort,
    ),
    Factor(
        "race",
        "fatigue_overuse",
        "a race",
        "moderate",
        2.5,
        1.2,
        "Shang et al. 2011 (46 % of Ironman athletes cramp in races against 19 % in training); "
        "Schwellnus et al. 2011",
        _race,
        _say_race,
        compare="all",
        p_pop=0.05,
    ),
    Factor(
        "spike",
        "fatigue_overuse",
        "a session spike (longer than your longest run of the month)",
        "limited",
        1.6,
        1.3,
        "Frandsen et al. 2025 (session spikes and injury); Miller et al. 2022 (a novel session)",
        _spike,
        _say_spike,
        compare="all",
        p_pop=0.05,
        needs_usual=True,
    ),
    Factor(
        "novel_hard",
        "fatigue_overuse",
        "a hard session you rarely do",
        "limited",
        1.6,
        1.2,
        "Miller et al. 2022 (a session more strenuous than anticipated); Schwellnus et al. 2011",
        _novel,
        _say_novel,
        compare="all",
        p_pop=0.1,
        needs_usual=True,
    ),
    Factor(
        "load_streak",
        "fatigue_overuse",
        "no rest day for a week, or many days in a row",
        "weak",
        1.2,
        1.2,
        "fatigue as a mechanism: Maughan & Shirreffs 2019",
        _streak,
        _say_streak,
        compare="all",
        p_pop=0.2,
        history_days=REST_HISTORY_DAYS,
    ),
)

