"""The factors the causes are made of: what each reads, its threshold, its grade and prior, its source.

One table (:data:`FACTORS`) drives the score (:mod:`runtwitch.rules.score`),
the evidence lines, the "what changed against your usual" list, the personal
patterns and the generated ``docs/rules.md``. A factor's ``observe`` reads
the whole run table at once and returns, per run, its presence ``x`` (0-1;
NaN when not known) and where that came from:

``measured``
    weights, heart rate, speed, duration: the probability that the true
    value crossed the threshold given the measurement error;
``logged``
    the diary, at face value;
``predicted``
    sweat and sodium from the heat balance: never above
    :data:`PREDICTED_CAP`, so a prediction never counts as a finding.

Prior relative risks (``rr_cramp``, ``rr_twitch``) and their sources are in
the table; ``docs/rules.md`` lists them with the studies behind them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.features.runtype import HARD_TYPES
from runtwitch.rules.base import Context, EvidenceGrade, fmt, fmt_duration
from runtwitch.rules.medications import MEDICATION_CLASSES, MedicationClass, match_medications

#: A predicted quantity counts at most this much (a coin flip): it never stands for a finding.
PREDICTED_CAP = 0.5
#: Measurement error of a body-mass change [% of body mass]: about 0.15 kg on a home scale for
#: 70 kg (Yorkin et al. 2013).
MASS_CHANGE_SD_PCT = 0.2
#: Relative SD of a predicted sweat loss (Baker 2017, Sports Med 47:111).
PREDICTED_REL_SD = 0.4
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


def _obs(x: pd.Series | np.ndarray, index: pd.Index, source: Source | pd.Series) -> Observed:
    xs = pd.Series(np.asarray(x, dtype=float), index=index)
    src = source if isinstance(source, pd.Series) else pd.Series(source, index=index, dtype=object)
    return Observed(xs, src.where(xs.notna(), None))


def _known(v: pd.Series) -> pd.Series:
    return v.notna()


def _flag(cond: pd.Series, known: pd.Series) -> np.ndarray:
    return np.where(known, cond.fillna(False).astype(bool).astype(float), np.nan)


def _above(value: pd.Series, threshold: float, sd: pd.Series | float) -> pd.Series:
    """P(true value >= threshold) for a measurement with error ``sd`` (a step when sd is 0)."""
    z: np.ndarray = ((value - threshold) / np.maximum(sd, 1e-9)).fillna(0.0).clip(-30, 30).to_numpy(float)
    p = 0.5 * (1.0 + _ERF(z / math.sqrt(2.0)).astype(float))
    return pd.Series(p, index=value.index).where(value.notna())


# --- unusually hard or long -------------------------------------------------------------------


def _effort(t: Table, th: Mapping[str, float]) -> Observed:
    z, ratio = t.number("speed_vs_type_z"), t.number("speed_vs_type_ratio")
    x = ((z - 1.0) / 2.0).clip(0.0, 1.0).where(ratio >= th["faster_ratio"], 0.0).where(z.notna())
    return _obs(x, t.index, "measured")


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
    return _obs(_flag(kind == "race", kind.notna()), t.index, "measured")


def _say_race(ctx: Context, th: Mapping[str, float]) -> str:
    return f"A race or race-pace effort ({ctx.value('run_type_basis')})."


def _spike(t: Table, th: Mapping[str, float]) -> Observed:
    ratio = pd.concat([t.number("spike_distance_ratio"), t.number("spike_duration_ratio")], axis=1).max(
        axis=1
    )
    x = ((ratio - th["spike_ratio"]) / th["spike_span"]).clip(0.0, 1.0)
    return _obs(x, t.index, "measured")


def _say_spike(ctx: Context, th: Mapping[str, float]) -> str:
    ratio = max(v for v in (ctx.value("spike_distance_ratio"), ctx.value("spike_duration_ratio"), 0.0) if v)
    return (
        f"This run was {fmt((ratio - 1) * 100, 0)} % longer than your longest run of the previous "
        "30 days (a session spike)."
    )


def _novel(t: Table, th: Mapping[str, float]) -> Observed:
    kind, n = t.value("run_type"), t.number("type_comparable_runs")
    hard = kind.isin(list(HARD_TYPES))
    return _obs(_flag(hard & (n < th["novel_min_runs"]), kind.notna()), t.index, "measured")


def _say_novel(ctx: Context, th: Mapping[str, float]) -> str:
    n = int(ctx.value("type_comparable_runs") or 0)
    return (
        f"A hard session ({ctx.value('run_type')}: {ctx.value('run_type_basis')}) with only {n} hard "
        "sessions in the 90 days before: more strenuous than you are used to."
    )


def _streak(t: Table, th: Mapping[str, float]) -> Observed:
    streak, rest = t.daily("consecutive_run_days"), t.daily("rest_days_7d")
    cond = (streak >= th["streak_days"]) | (rest == 0)
    return _obs(_flag(cond, streak.notna() | rest.notna()), t.index, "measured")


def _say_streak(ctx: Context, th: Mapping[str, float]) -> str:
    streak = ctx.daily("consecutive_run_days")
    if streak is not None and streak >= th["streak_days"]:
        return f"Day {int(streak)} of running in a row."
    return "No rest day in the last 7 days."


# --- heat and fluid loss ------------------------------------------------------------------------


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
    loss, sd, source = _loss_pct(t)
    x = _cap_predicted(_above(loss, th["severe_mass_loss_pct"], sd), source)
    return _obs(x, t.index, source)


def _moderate_loss(t: Table, th: Mapping[str, float]) -> Observed:
    loss, sd, source = _loss_pct(t)
    above2 = _above(loss, th["mass_loss_pct"], sd)
    above3 = _above(loss, th["severe_mass_loss_pct"], sd)
    return _obs(_cap_predicted(above2 - above3, source), t.index, source)


def _say_loss(ctx: Context, th: Mapping[str, float]) -> str:
    change = ctx.value("body_mass_change_pct")
    fluid = ctx.value("fluid_during_l")
    drank = f"; you drank {fmt(fluid)} L" if fluid is not None else ""
    if change is not None:
        return (
            f"Your measured body mass fell {fmt(-change)} % during the run{drank} (more than "
            f"{fmt(th['mass_loss_pct'])} % is the usual mark of a large fluid loss)."
        )
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
    x = pd.Series(_flag(hot & ~measured, risk.notna()), index=t.index)
    heat_src = t.value("heat_source").astype(str)
    source = pd.Series(np.where(heat_src == "diary", "logged", "measured"), index=t.index, dtype=object)
    return _obs(x, t.index, source)


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
    return _obs((n / 2.0).clip(0.0, 1.0), t.index, "logged")


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
    big = _above(sweat, th["big_sweat_l"], sd.where(predicted, 0.0).fillna(0.0))
    replaced = _sodium_replaced(t)
    not_replaced = (replaced < th["replaced_fraction"]).astype(float).where(replaced.notna(), 0.5)
    source = pd.Series(
        np.where(predicted | replaced.isna(), "predicted", "measured"), index=t.index, dtype=object
    )
    x = _cap_predicted(big * not_replaced, source)
    return _obs(x, t.index, source)


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


# --- stopping without a cool-down ---------------------------------------------------------------


def _cooldown(t: Table) -> tuple[pd.Series, pd.Series, pd.Series]:
    cd, src = t.number("cooldown_min"), t.value("cooldown_source")
    known = src.isin(["diary", "records"]) & cd.notna()
    hard = t.value("ended_hard").astype("boolean").fillna(False).astype(bool)
    source = pd.Series(np.where(src == "diary", "logged", "measured"), index=t.index, dtype=object)
    return cd.where(known), hard, source


def _stop_dead(t: Table, th: Mapping[str, float]) -> Observed:
    cd, hard, source = _cooldown(t)
    return _obs(_flag((cd < th["min_cooldown_min"]) & hard, cd.notna()), t.index, source)


def _no_cooldown(t: Table, th: Mapping[str, float]) -> Observed:
    cd, _, source = _cooldown(t)  # stopping dead after a hard finish is this and more
    return _obs(_flag(cd < th["min_cooldown_min"], cd.notna()), t.index, source)


def _say_stop_dead(ctx: Context, th: Mapping[str, float]) -> str:
    pct = ctx.value("final_hr_pct_max")
    hr = f" at {fmt(pct, 0)} % of your max heart rate" if pct is not None else ""
    return f"The run ended at high effort{hr} and stopped dead: no cool-down."


def _say_no_cooldown(ctx: Context, th: Mapping[str, float]) -> str:
    if ctx.value("ended_hard"):
        return ""  # the stop-dead line says it
    how = "you logged" if ctx.value("cooldown_source") == "diary" else "the file shows"
    minutes = fmt(ctx.value("cooldown_min") or 0, 0)
    return f"No cool-down: {how} {minutes} min of easy jogging or walking at the end."


# --- running without fuel, the meal before ------------------------------------------------------


def _fasted(t: Table, th: Mapping[str, float]) -> Observed:
    before, meal, timer = (
        t.number("diary_carbs_before_g"),
        t.number("diary_meal_hours_before"),
        t.number("timer_s"),
    )
    cond = ((before < th["carbs_before_min_g"]) | (meal >= th["fasted_hours"])) & (
        timer >= th["long_run_min"] * 60
    )
    return _obs(_flag(cond, before.notna() | meal.notna()), t.index, "logged")


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
    return _obs(short.where(long, 0.0).where(per_hour.notna()), t.index, "logged")


def _say_no_fuel(ctx: Context, th: Mapping[str, float]) -> str:
    return (
        f"{fmt(ctx.value('diary_carbs_during_g') or 0, 0)} g of carbohydrate during "
        f"{fmt_duration(ctx.value('timer_s') or 0)} ({fmt(th['carbs_per_hour_min_g'], 0)}-60 g per hour "
        "is advised on runs over about 90 minutes)."
    )


def _meal(t: Table, th: Mapping[str, float]) -> Observed:
    spicy, meal = t.value("diary_spicy_meal").astype("boolean"), t.number("diary_meal_hours_before")
    cond = spicy.fillna(False).astype(bool) | (meal < th["too_close_hours"])
    return _obs(_flag(cond, spicy.notna() | meal.notna()), t.index, "logged")


def _say_meal(ctx: Context, th: Mapping[str, float]) -> str:
    meal = ctx.value("diary_meal_hours_before")
    parts = ["a spicy meal before the run"] if ctx.value("diary_spicy_meal") else []
    if meal is not None and meal < th["too_close_hours"]:
        parts.append(f"your last full meal only {fmt(meal)} h before it")
    return f"You logged {' and '.join(parts)}."


# --- sleep, caffeine, alcohol, stress ---------------------------------------------------------------


def _sleep_hours(t: Table) -> pd.Series:
    return t.number("diary_sleep_h").fillna(t.daily("sleep_h"))


def _short_sleep(t: Table, th: Mapping[str, float]) -> Observed:
    h = _sleep_hours(t)
    usual = float(h.median()) if h.notna().sum() >= 3 else float("nan")
    cond = (h <= th["short_sleep_h"]) | (h <= usual - th["below_usual_h"])
    return _obs(_flag(cond, h.notna()), t.index, "logged")


def _say_sleep(ctx: Context, th: Mapping[str, float]) -> str:
    h = ctx.value("diary_sleep_h")
    h = h if h is not None else ctx.daily("sleep_h")
    return f"You slept {fmt(h)} h the night before (tiredness is a common trigger of twitching)."


def _caffeine(t: Table, th: Mapping[str, float]) -> Observed:
    mg = t.number("diary_caffeine_mg")
    usual = float(mg.median()) if mg.notna().sum() >= 3 else float("nan")
    cond = (mg >= th["much_caffeine_mg"]) | (mg >= th["times_usual"] * usual)
    return _obs(_flag(cond & (mg > 0), mg.notna()), t.index, "logged")


def _say_caffeine(ctx: Context, th: Mapping[str, float]) -> str:
    return (
        f"{fmt(ctx.value('diary_caffeine_mg') or 0, 0)} mg of caffeine that day (up to "
        f"{fmt(th['much_caffeine_mg'], 0)} mg a day is the usual safe mark for adults)."
    )


def _alcohol(t: Table, th: Mapping[str, float]) -> Observed:
    units = t.number("diary_alcohol_units")
    return _obs(_flag(units >= th["alcohol_units"], units.notna()), t.index, "logged")


def _say_alcohol(ctx: Context, th: Mapping[str, float]) -> str:
    return f"{fmt(ctx.value('diary_alcohol_units') or 0, 0)} units of alcohol the evening before."


def _stress(t: Table, th: Mapping[str, float]) -> Observed:
    s = t.number("diary_stress")
    usual = float(s.median()) if s.notna().sum() >= 3 else float("nan")
    cond = (s >= th["high_stress"]) | (s >= usual + th["above_usual"])
    return _obs(_flag(cond, s.notna()), t.index, "logged")


def _say_stress(ctx: Context, th: Mapping[str, float]) -> str:
    return f"You rated your stress {fmt(ctx.value('diary_stress') or 0, 0)} of 10."


# --- medicines --------------------------------------------------------------------------------------


def _class_rr(c: MedicationClass) -> float:
    """Prior relative risk of a medicine class: the study's effect, else from the class weight
    (weight = 1 - 1 / RR, see :attr:`MedicationClass.evidence_weight`)."""
    if c.evidence == "study" and c.effect is not None:
        return float(c.effect)
    w = min(c.evidence_weight, 0.9)
    return 1.0 / (1.0 - w)


def _class_grade(c: MedicationClass) -> EvidenceGrade:
    return {"study": "limited", "regulator": "limited", "product information": "weak"}.get(
        c.evidence, "expert opinion"
    )  # type: ignore[return-value]


def _medicine_observer(key: str) -> Observe:
    def observe(t: Table, th: Mapping[str, float]) -> Observed:
        meds = t.value("diary_medications")
        cache: dict[tuple[str, ...], bool] = {}
        out = []
        for cell in meds:
            if not isinstance(cell, list) or not cell:
                out.append(np.nan)
                continue
            k = tuple(cell)
            if k not in cache:
                cache[k] = any(c.key == key for _, c in match_medications(cell))
            out.append(1.0 if cache[k] else 0.0)
        return _obs(np.array(out, dtype=float), t.index, "logged")

    return observe


def _medicine_sayer(c: MedicationClass) -> Say:
    def say(ctx: Context, th: Mapping[str, float]) -> str:
        return f"A {c.label} ({c.note})."  # replaced by the medicine finding's own sentence in explain

    return say


def medicine_factors(classes: Sequence[MedicationClass] = MEDICATION_CLASSES) -> tuple[Factor, ...]:
    """One factor per medicine class (the table in ``rules/medicines.toml`` and registered classes)."""
    out = []
    for c in classes:
        rr = _class_rr(c)
        out.append(
            Factor(
                f"medicine:{c.key}",
                "medication",
                c.label,
                _class_grade(c),
                rr,
                math.exp(0.5 * math.log(rr)),
                c.cite or c.source or "reported, no study found",
                _medicine_observer(c.key),
                _medicine_sayer(c),
                compare="all",
                p_pop=0.05,
            )
        )
    return tuple(out)


F = Factor
#: Every built-in factor but the medicines (:func:`medicine_factors`), in the order of their causes.
FACTORS: tuple[Factor, ...] = (
    F(
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
    F(
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
    F(
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
    ),
    F(
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
    ),
    F(
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
    ),
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
    F(
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
