"""Factors of the day around the run: short sleep, caffeine, alcohol, stress."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from runtwitch.rules.base import Context, fmt
from runtwitch.rules.factors.base import (
    Factor,
    Observed,
    Table,
    flag,
    obs,
)


def _sleep_hours(t: Table) -> pd.Series:
    return t.number("diary_sleep_h").fillna(t.daily("sleep_h"))


def _short_sleep(t: Table, th: Mapping[str, float]) -> Observed:
    h = _sleep_hours(t)
    usual = float(h.median()) if h.notna().sum() >= 3 else float("nan")
    cond = (h <= th["short_sleep_h"]) | (h <= usual - th["below_usual_h"])
    return obs(flag(cond, h.notna()), t.index, "logged")


def _say_sleep(ctx: Context, th: Mapping[str, float]) -> str:
    h = ctx.value("diary_sleep_h")
    h = h if h is not None else ctx.daily("sleep_h")
    return f"You slept {fmt(h)} h the night before (tiredness is a common trigger of twitching)."


def _caffeine(t: Table, th: Mapping[str, float]) -> Observed:
    mg = t.number("diary_caffeine_mg")
    usual = float(mg.median()) if mg.notna().sum() >= 3 else float("nan")
    cond = (mg >= th["much_caffeine_mg"]) | (mg >= th["times_usual"] * usual)
    return obs(flag(cond & (mg > 0), mg.notna()), t.index, "logged")


def _say_caffeine(ctx: Context, th: Mapping[str, float]) -> str:
    return (
        f"{fmt(ctx.value('diary_caffeine_mg') or 0, 0)} mg of caffeine that day (up to "
        f"{fmt(th['much_caffeine_mg'], 0)} mg a day is the usual safe mark for adults)."
    )


def _alcohol(t: Table, th: Mapping[str, float]) -> Observed:
    units = t.number("diary_alcohol_units")
    return obs(flag(units >= th["alcohol_units"], units.notna()), t.index, "logged")


def _say_alcohol(ctx: Context, th: Mapping[str, float]) -> str:
    return f"{fmt(ctx.value('diary_alcohol_units') or 0, 0)} units of alcohol the evening before."


def _stress(t: Table, th: Mapping[str, float]) -> Observed:
    s = t.number("diary_stress")
    usual = float(s.median()) if s.notna().sum() >= 3 else float("nan")
    cond = (s >= th["high_stress"]) | (s >= usual + th["above_usual"])
    return obs(flag(cond, s.notna()), t.index, "logged")


def _say_stress(ctx: Context, th: Mapping[str, float]) -> str:
    return f"You rated your stress {fmt(ctx.value('diary_stress') or 0, 0)} of 10."


#: The factors of this family, as :data:`runtwitch.rules.factors.FACTORS` lists them.
FACTORS: tuple[Factor, ...] = (
    Factor(
        "short_sleep",
        "short_sleep",
        "short sleep the night before",
        "limited",
        1.2,
        1.4,
        "NHS (tiredness); Miller et al. 2022; Grandner & Winkelman 2017",
        _short_sleep,
        _say_sleep,
        compare="all",
        p_pop=0.15,
    ),
    Factor(
        "caffeine",
        "caffeine",
        "much caffeine",
        "expert opinion",
        1.0,
        1.3,
        "NHS (caffeine as a trigger of twitching); EFSA 2015 (the 400 mg mark)",
        _caffeine,
        _say_caffeine,
        compare="all",
        p_pop=0.1,
    ),
    Factor(
        "alcohol",
        "alcohol",
        "alcohol the evening before",
        "weak",
        1.3,
        1.2,
        "NHS; Delacour et al. 2018 (nocturnal cramps, people over 60)",
        _alcohol,
        _say_alcohol,
        compare="all",
        p_pop=0.1,
    ),
    Factor(
        "stress",
        "stress",
        "high stress",
        "expert opinion",
        1.0,
        1.3,
        "NHS (stress and anxiety as triggers of twitching)",
        _stress,
        _say_stress,
        compare="all",
        p_pop=0.15,
    ),
)

