"""Factors of running without fuel: fasted, no carbohydrate on a long run, the meal before."""

from __future__ import annotations

from collections.abc import Mapping

from runtwitch.rules.base import Context, fmt, fmt_duration
from runtwitch.rules.factors.base import (
    Factor,
    Observed,
    Table,
    flag,
    obs,
)


def _fasted(t: Table, th: Mapping[str, float]) -> Observed:
    before, meal, timer = (
        t.number("diary_carbs_before_g"),
        t.number("diary_meal_hours_before"),
        t.number("timer_s"),
    )
    cond = ((before < th["carbs_before_min_g"]) | (meal >= th["fasted_hours"])) & (
        timer >= th["long_run_min"] * 60
    )
    return obs(flag(cond, before.notna() | meal.notna()), t.index, "logged")


def _say_fasted(ctx: Context, th: Mapping[str, float]) -> str:
    before, meal = ctx.value("diary_carbs_before_g"), ctx.value("diary_meal_hours_before")
    parts = []
    if before is not None and before < th["carbs_before_min_g"]:
        parts.append(f"{fmt(before, 0)} g of carbohydrate in the 2 h before")
    if meal is not None and meal >= th["fasted_hours"]:
        parts.append(f"{fmt(meal, 0)} h since your last meal")
    return (
        f"{' and '.join(parts).capitalize()} a run of {fmt_duration(ctx.value('timer_s') or 0)} "
        f"(about {fmt(th['carbs_before_min_g'], 0)}-60 g an hour before is advised)."
    )


def _no_fuel(t: Table, th: Mapping[str, float]) -> Observed:
    per_hour, timer = t.number("carbs_per_hour_g"), t.number("timer_s")
    long = timer >= th["fuel_during_min"] * 60.0
    # how far under the advised minimum: none at all counts fully, 27 of 30 g/h hardly
    short = ((th["carbs_per_hour_min_g"] - per_hour) / th["carbs_per_hour_min_g"]).clip(0.0, 1.0)
    return obs(short.where(long, 0.0).where(per_hour.notna()), t.index, "logged")


def _say_no_fuel(ctx: Context, th: Mapping[str, float]) -> str:
    return (
        f"{fmt(ctx.value('diary_carbs_during_g') or 0, 0)} g of carbohydrate during "
        f"{fmt_duration(ctx.value('timer_s') or 0)} ({fmt(th['carbs_per_hour_min_g'], 0)}-60 g per hour "
        "is advised on runs over about 90 minutes)."
    )


def _meal(t: Table, th: Mapping[str, float]) -> Observed:
    spicy, meal = t.value("diary_spicy_meal").astype("boolean"), t.number("diary_meal_hours_before")
    cond = spicy.fillna(False).astype(bool) | (meal < th["too_close_hours"])
    return obs(flag(cond, spicy.notna() | meal.notna()), t.index, "logged")


def _say_meal(ctx: Context, th: Mapping[str, float]) -> str:
    meal = ctx.value("diary_meal_hours_before")
    parts = ["a spicy meal before the run"] if ctx.value("diary_spicy_meal") else []
    if meal is not None and meal < th["too_close_hours"]:
        parts.append(f"your last full meal only {fmt(meal)} h before it")
    return f"You logged {' and '.join(parts)}."


#: The factors of this family, as :data:`runtwitch.rules.factors.FACTORS` lists them.
FACTORS: tuple[Factor, ...] = (
    Factor(
        "fasted",
        "low_blood_sugar",
        "little or no carbohydrate before a long run",
        "expert opinion",
        1.1,
        1.05,
        "Miller et al. 2022 (indirect, through fatigue)",
        _fasted,
        _say_fasted,
        p_pop=0.2,
    ),
    Factor(
        "no_fuel",
        "low_blood_sugar",
        "no carbohydrate during a run of 90 minutes or more",
        "expert opinion",
        1.1,
        1.0,
        "Thomas, Erdman & Burke 2016 (performance, not cramps)",
        _no_fuel,
        _say_no_fuel,
        p_pop=0.3,
    ),
    Factor(
        "meal",
        "poor_fueling",
        "a spicy meal or a meal just before",
        "expert opinion",
        1.05,
        1.05,
        "commonly advised; no study found",
        _meal,
        _say_meal,
        compare="all",
        p_pop=0.05,
    ),
)

