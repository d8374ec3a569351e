"""Factors of heat and fluid loss: a large or moderate loss of body mass, heat, signs of fluid
loss, salt lost in sweat."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from runtwitch.rules.base import Context, fmt, fmt_duration
from runtwitch.rules.factors.base import (
    MASS_CHANGE_SD_PCT,
    PREDICTED_CAP,
    REFERENCE_MASS_KG,
    Factor,
    Observed,
    Table,
    above,
    flag,
    obs,
)


def _loss_pct(t: Table) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(body-mass loss [% of mass, positive = loss], its SD, source) per run."""
    measured = -t.number("body_mass_change_pct")
    sweat, sd = t.number("sweat_loss_l"), t.number("sweat_loss_sd_l")
    fluid = t.number("fluid_during_l").fillna(0.0)
    src = t.value("sweat_source").astype(str)
    predicted = src.str.startswith("predicted")
    per_kg = 100.0 / REFERENCE_MASS_KG  # a predicted loss: sweat minus what was drunk
    pred = ((sweat - fluid) * per_kg).where(predicted)
    loss = measured.fillna(pred)
    sd_loss = pd.Series(MASS_CHANGE_SD_PCT, index=t.index).where(
        measured.notna(), (sd * per_kg).where(predicted)
    )
    labels = [
        "measured" if m else "predicted" if p else None
        for m, p in zip(measured.notna(), predicted, strict=True)
    ]
    source = pd.Series(labels, index=t.index, dtype=object)
    return loss, sd_loss, source


def _cap_predicted(x: pd.Series, source: pd.Series) -> pd.Series:
    return x.where(source != "predicted", np.minimum(x, PREDICTED_CAP))


def _large_loss(t: Table, th: Mapping[str, float]) -> Observed:
    loss, sd, source = t.once("loss_pct", _loss_pct)
    x = _cap_predicted(above(loss, th["severe_mass_loss_pct"], sd), source)
    return obs(x, t.index, source)


def _moderate_loss(t: Table, th: Mapping[str, float]) -> Observed:
    loss, sd, source = t.once("loss_pct", _loss_pct)
    above2 = above(loss, th["mass_loss_pct"], sd)
    above3 = above(loss, th["severe_mass_loss_pct"], sd)
    return obs(_cap_predicted(above2 - above3, source), t.index, source)


def _say_loss(ctx: Context, th: Mapping[str, float]) -> str:
    change = ctx.value("body_mass_change_pct")
    fluid = ctx.value("fluid_during_l")
    drank = f"; you drank {fmt(fluid)} L" if fluid is not None else ""
    if change is not None:  # named by the band the loss is in, as the two factors name them
        mark, large = th["mass_loss_pct"], th["severe_mass_loss_pct"]
        band = (f"a large fluid loss ({fmt(large)} % or more)" if -change >= large
                else f"a moderate fluid loss ({fmt(mark)}-{fmt(large)} %)" if -change >= mark
                else f"less than {fmt(mark)} %, the usual mark of a meaningful fluid loss")
        return f"Your measured body mass fell {fmt(-change)} % during the run{drank}: {band}."
    sweat, sd = ctx.value("sweat_loss_l") or 0.0, ctx.value("sweat_loss_sd_l") or 0.0
    return (
        f"About {fmt(sweat)} L of sweat (predicted from the heat and your pace, likely "
        f"{fmt(max(sweat - sd, 0))}-{fmt(sweat + sd)} L){drank}: a prediction, not a measurement."
    )


def _against_loss(ctx: Context, th: Mapping[str, float]) -> str | None:
    change = ctx.value("body_mass_change_pct")
    if change is None or -change >= th["against_loss_pct"]:
        return None
    fluid, sweat = ctx.value("fluid_during_l"), ctx.value("sweat_loss_l")
    replaced = ""
    if fluid is not None and sweat and sweat > 0:
        replaced = f" and you drank {fmt(fluid)} L against about {fmt(sweat)} L of sweat"
    fell = f"fell {fmt(-change)} %" if change < 0 else f"changed by {fmt(change, 1)} %"
    return f"Your measured body mass {fell}{replaced}: this argues against a large fluid loss."


def _heat(t: Table, th: Mapping[str, float]) -> Observed:
    risk, timer = t.value("heat_risk"), t.number("timer_s")
    hot = risk.isin(["high", "extreme"]) & (timer >= th["heat_min"] * 60.0)
    measured = t.number("body_mass_change_pct").notna()
    # hydration measured: the weights speak, heat alone adds nothing
    x = pd.Series(flag(hot & ~measured, risk.notna()), index=t.index)
    heat_src = t.value("heat_source").astype(str)
    source = pd.Series(np.where(heat_src == "diary", "logged", "measured"), index=t.index, dtype=object)
    return obs(x, t.index, source)


def _say_heat(ctx: Context, th: Mapping[str, float]) -> str:
    air = _air_in_words(ctx)
    return (
        f"Heat risk was {ctx.value('heat_risk')} (WBGT about {fmt(ctx.value('wbgt_c') or float('nan'), 0)} °C"
        + (f", from {air}" if air else "")
        + f") over {fmt_duration(ctx.value('timer_s') or 0)}; "
        "your fluid loss was not measured."
    )


def _signs(t: Table, th: Mapping[str, float]) -> Observed:
    n = t.number("dehydration_signs")
    return obs((n / 2.0).clip(0.0, 1.0), t.index, "logged")


def _say_signs(ctx: Context, th: Mapping[str, float]) -> str:
    return f"You logged signs that fit a fluid loss: {ctx.value('dehydration_signs_list')}."


def _air_in_words(ctx: Context) -> str:
    """The run's air and where it was measured, e.g. "29 °C and 70 % humidity at the nearest
    archive grid point, 4 km away"; empty when unknown or only from the device."""
    air, src = ctx.value("air_temp_c"), ctx.value("heat_source")
    rh, rh_src = ctx.value("humidity_pct"), ctx.value("humidity_source")
    if air is None or src not in ("diary", "table", "archive"):
        return ""
    if rh is not None and rh_src == src:
        return f"{fmt(air, 0)} °C and {fmt(rh, 0)} % humidity {_measured_where(ctx, src)}"
    humid = f", and {fmt(rh, 0)} % humidity {_measured_where(ctx, rh_src)}" if rh is not None else ""
    return f"{fmt(air, 0)} °C {_measured_where(ctx, src)}{humid}"


def _measured_where(ctx: Context, src: str) -> str:
    if src == "diary":
        return "as logged in your diary"
    km = ctx.value("weather_distance_km")
    if km is None:
        return "in your weather table"
    place = "the nearest archive grid point" if src == "archive" else ctx.value("weather_station")
    return f"at {place}, " + (f"{fmt(km, 0)} km away" if km >= 1 else "under 1 km away")


# --- salt loss ------------------------------------------------------------------------------------


def _sodium_replaced(t: Table) -> pd.Series:
    """Share of the sweat sodium replaced (0 when no electrolytes were taken; NaN unknown)."""
    took, sodium, lost = (
        t.value("diary_electrolytes"),
        t.number("diary_sodium_mg"),
        t.number("sodium_lost_mg"),
    )
    share = (sodium / lost.where(lost > 0)).clip(0.0, 10.0)
    none = took.astype("boolean").eq(False).fillna(False).astype(bool)
    return share.where(~none, 0.0)


def _salt(t: Table, th: Mapping[str, float]) -> Observed:
    sweat, sd = t.number("sweat_loss_l"), t.number("sweat_loss_sd_l")
    src = t.value("sweat_source").astype(str)
    predicted = src.str.startswith("predicted")
    big = above(sweat, th["big_sweat_l"], sd.where(predicted, 0.0).fillna(0.0))
    replaced = _sodium_replaced(t)
    not_replaced = (replaced < th["replaced_fraction"]).astype(float).where(replaced.notna(), 0.5)
    source = pd.Series(
        np.where(predicted | replaced.isna(), "predicted", "measured"), index=t.index, dtype=object
    )
    x = _cap_predicted(big * not_replaced, source)
    return obs(x, t.index, source)


def _say_salt(ctx: Context, th: Mapping[str, float]) -> str:
    lost = ctx.value("sodium_lost_mg") or 0.0
    took, sodium = ctx.value("diary_electrolytes"), ctx.value("diary_sodium_mg")
    what = (
        "you took no electrolytes"
        if took is False or sodium == 0
        else f"you took {fmt(sodium, 0)} mg"
        if sodium is not None
        else "whether you took any is not logged"
    )
    return (
        f"About {fmt(ctx.value('sweat_loss_l') or 0)} L of sweat: about {fmt(round(lost, -2), 0)} mg "
        "of sodium at "
        f"typical sweat saltiness (predicted: sweat sodium varies about 10-90 mmol/L between people), "
        f"and {what}."
    )


def _against_salt(ctx: Context, th: Mapping[str, float]) -> str | None:
    sodium, lost = ctx.value("diary_sodium_mg"), ctx.value("sodium_lost_mg")
    if sodium is None or not lost or sodium < th["against_replaced_fraction"] * lost:
        return None
    return (
        f"You took {fmt(sodium, 0)} mg of sodium against about {fmt(round(lost, -2), 0)} mg lost in sweat: "
        "you replaced most of it, which argues against salt loss."
    )


#: The factors of this family, as :data:`runtwitch.rules.factors.FACTORS` lists them.
FACTORS: tuple[Factor, ...] = (
    Factor(
        "large_loss",
        "dehydration",
        "a large fluid loss (3 % of body mass or more)",
        "limited",
        1.6,
        1.1,
        "Kona medical records 1989-2019 (dehydration OR 1.63); null in Schwellnus et al. 2004 and 2011, "
        "Hoffman & Stuempfle 2015",
        _large_loss,
        _say_loss,
        _against_loss,
        p_pop=0.05,
    ),
    Factor(
        "moderate_loss",
        "dehydration",
        "a fluid loss of 2-3 % of body mass",
        "weak",
        1.2,
        1.05,
        "Sawka et al. 2007 (the 2 % mark); the cramp cohorts found no difference",
        _moderate_loss,
        _say_loss,
        _against_loss,
        p_pop=0.1,
    ),
    Factor(
        "heat",
        "dehydration",
        "a hot run, hydration not measured",
        "weak",
        1.1,
        1.0,
        "Miller et al. 2022 (cramps are not related to body temperature)",
        _heat,
        _say_heat,
        p_pop=0.1,
    ),
    Factor(
        "fluid_signs",
        "dehydration",
        "logged thirst, dizziness or dark urine",
        "weak",
        1.1,
        1.0,
        "Sawka et al. 2007 (signs of a fluid deficit); not studied for cramps",
        _signs,
        _say_signs,
        p_pop=0.1,
    ),
    Factor(
        "salt_loss",
        "electrolyte_imbalance",
        "a big sweat loss with little salt replaced",
        "weak",
        1.15,
        1.0,
        "Stofan et al. 2005; Horswill et al. 2009 (heavy, salty sweaters); null outside that pattern "
        "(Schwellnus et al. 2004, Hoffman & Stuempfle 2015)",
        _salt,
        _say_salt,
        _against_salt,
        p_pop=0.1,
    ),
)

