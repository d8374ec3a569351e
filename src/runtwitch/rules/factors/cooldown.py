"""Factors of stopping without a cool-down."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from runtwitch.features.cooldown import HARD_FINISH_HR_FRACTION, HARD_FINISH_SPEED_FACTOR
from runtwitch.rules.base import Context, fmt
from runtwitch.rules.factors.base import (
    Factor,
    Observed,
    Table,
    flag,
    obs,
)


def _cooldown(t: Table) -> tuple[pd.Series, pd.Series, pd.Series]:
    cd, src = t.number("cooldown_min"), t.value("cooldown_source")
    known = src.isin(["diary", "records"]) & cd.notna()
    hard = t.value("ended_hard").astype("boolean").fillna(False).astype(bool)
    source = pd.Series(np.where(src == "diary", "logged", "measured"), index=t.index, dtype=object)
    return cd.where(known), hard, source


def _stop_dead(t: Table, th: Mapping[str, float]) -> Observed:
    cd, hard, source = t.once("cooldown", _cooldown)
    return obs(flag((cd < th["min_cooldown_min"]) & hard, cd.notna()), t.index, source)


def _no_cooldown(t: Table, th: Mapping[str, float]) -> Observed:
    cd, _, source = t.once("cooldown", _cooldown)  # stopping dead after a hard finish is this and more
    return obs(flag(cd < th["min_cooldown_min"], cd.notna()), t.index, source)


def _say_stop_dead(ctx: Context, th: Mapping[str, float]) -> str:
    pct = ctx.value("final_hr_pct_max")
    if pct is not None and pct >= HARD_FINISH_HR_FRACTION * 100:
        return (f"The run ended at high effort, at {fmt(pct, 0)} % of your max heart rate, "
                "and stopped dead: no cool-down.")
    # a finish fast for the run (ended_hard by speed): its heart rate does not say "high effort"
    quicker = fmt((HARD_FINISH_SPEED_FACTOR - 1) * 100, 0)
    return (f"The run ended fast (its last minute at least {quicker} % quicker than its usual pace) "
            "and stopped dead: no cool-down.")


def _say_no_cooldown(ctx: Context, th: Mapping[str, float]) -> str:
    if ctx.value("ended_hard"):
        return ""  # the stop-dead line says it
    how = "you logged" if ctx.value("cooldown_source") == "diary" else "the file shows"
    minutes = fmt(ctx.value("cooldown_min") or 0, 0)
    return f"No cool-down: {how} {minutes} min of easy jogging or walking at the end."


#: The factors of this family, as :data:`runtwitch.rules.factors.FACTORS` lists them.
FACTORS: tuple[Factor, ...] = (
    Factor(
        "stop_dead",
        "poor_circulation",
        "stopping dead after a hard finish",
        "expert opinion",
        1.1,
        1.1,
        "commonly advised; no study found",
        _stop_dead,
        _say_stop_dead,
        p_pop=0.2,
    ),
    Factor(
        "no_cooldown",
        "poor_circulation",
        "no cool-down",
        "expert opinion",
        1.05,
        1.05,
        "commonly advised; no study found",
        _no_cooldown,
        _say_no_cooldown,
        p_pop=0.5,
    ),
)

