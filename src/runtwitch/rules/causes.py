"""The causes runtwitch weighs for each episode, with thresholds, weights, evidence grades and remedies.

Every cut-off is a named threshold and every score a named weight on the
rule, so that ``explain(thresholds=...)``, the personal patterns and the
generated ``docs/rules.md`` all read the same values. The weights are the
project's judgement of how much each kind of evidence says; see
``docs/rules.md`` for the thresholds' sources.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from runtwitch.features.runs import SPIKE_WINDOW_DAYS
from runtwitch.rules.base import Assessment, Context, Evidence, Rule, Threshold, fmt, fmt_duration
from runtwitch.rules.medications import LONG_STANDING_FACTOR, RECENT_START_DAYS, assess_medicines

T = Threshold


def _fatigue(ctx: Context, th: Mapping[str, float]) -> Assessment:
    ev: list[Evidence] = []
    missing: list[str] = []
    if ctx.run is None:
        return Assessment.from_evidence([], ["no run linked to this episode"], False)
    spike = max(
        [v for v in (ctx.value("spike_distance_ratio"), ctx.value("spike_duration_ratio")) if v] or [0]
    )
    if spike >= th["spike_ratio"]:
        pts = th["big_spike_points"] if spike >= th["big_spike_ratio"] else th["spike_points"]
        ev.append(
            Evidence(
                f"This run was {fmt((spike - 1) * 100, 0)} % longer than your longest run "
                f"of the previous {SPIKE_WINDOW_DAYS} days (a session spike).",
                pts,
            )
        )
    elif ctx.value("spike_distance_ratio") is None:
        missing.append("a month of earlier runs, to compare this run's length with")
    rel = ctx.value("speed_vs_usual_ratio")
    if rel is not None and rel >= th["faster_ratio"]:
        ev.append(
            Evidence(f"You ran {fmt((rel - 1) * 100, 0)} % faster than usual for a run of this length.",
                     th["faster_points"])
        )
    elif rel is None:
        missing.append("at least 3 earlier runs of similar length (for 'faster than usual')")
    dhr = ctx.value("hr_vs_usual_bpm")
    if dhr is not None and dhr >= th["harder_hr_bpm"]:
        ev.append(
            Evidence(f"Your heart rate averaged {fmt(dhr, 0)} bpm above your usual for such runs.",
                     th["harder_hr_points"])
        )
    timer = ctx.value("timer_s")
    if timer is not None and timer >= th["long_run_min"] * 60:
        ev.append(Evidence(f"A long run: {fmt_duration(timer)}.", th["long_run_points"]))
    rpe = ctx.value("diary_rpe")
    if rpe is not None and rpe >= th["hard_rpe"]:
        ev.append(Evidence(f"You rated the effort {fmt(rpe, 0)}/10.", th["hard_rpe_points"]))
    streak, rest7 = ctx.daily("consecutive_run_days"), ctx.daily("rest_days_7d")
    if streak is not None and streak >= th["streak_days"]:
        ev.append(Evidence(f"Day {int(streak)} of running in a row.", th["streak_points"]))
    if rest7 is not None and rest7 == 0:
        ev.append(Evidence("No rest day in the last 7 days.", th["no_rest_points"]))
    change = ctx.daily("distance_7d_change_pct")
    if change is not None and change >= th["weekly_increase_pct"]:
        ev.append(Evidence(f"Your weekly distance rose {fmt(change, 0)} % on the week before.",
                           th["weekly_increase_points"]))
    cross = ctx.daily("cross_training_28d_min")
    if ev and cross is not None and cross == 0:
        ev.append(Evidence("No cross-training in the last 4 weeks.", th["no_cross_training_points"]))
    if ctx.value("hr_coverage") in (None, 0.0):
        missing.append("heart rate (wear a heart-rate sensor to measure how hard runs are)")
    return Assessment.from_evidence(ev, missing, True)


def _dehydration(ctx: Context, th: Mapping[str, float]) -> Assessment:
    ev: list[Evidence] = []
    missing: list[str] = []
    assessed = False
    change = ctx.value("body_mass_change_pct")
    sweat, src = ctx.value("sweat_loss_l"), ctx.value("sweat_source") or ""
    fluid = ctx.value("fluid_during_l")
    timer = ctx.value("timer_s")
    if change is not None:
        assessed = True
        if change <= -th["mass_loss_pct"]:
            severe = change <= -th["severe_mass_loss_pct"]
            pts = th["severe_mass_loss_points"] if severe else th["mass_loss_points"]
            ev.append(
                Evidence(
                    f"You lost {fmt(-change)} % of your body mass during the run "
                    f"(more than {fmt(th['mass_loss_pct'])} % is the usual dehydration mark).",
                    pts,
                )
            )
    else:
        missing.append("body weight right before and after the run (to measure sweat loss)")
    if sweat is not None and fluid is not None:
        assessed = True
        if sweat >= th["min_sweat_l"] and fluid < th["replaced_fraction"] * sweat:
            how = "measured" if src.startswith("measured") else "estimated"
            where = f"{fmt_duration(timer)}" if timer else "the run"
            air = _air_in_words(ctx)
            at = f" in {air}" if air else ""
            ev.append(
                Evidence(
                    f"{where}{at}; you drank {fmt(fluid)} L against about {fmt(sweat)} L "
                    f"of {how} sweat loss.",
                    th["under_replaced_points"],
                )
            )
    elif fluid is None:
        missing.append("how much you drank during the run (fluid_during_l)")
    risk = ctx.value("heat_risk")
    if risk in ("high", "extreme"):
        assessed = True
        air = _air_in_words(ctx)
        ev.append(
            Evidence(
                f"Heat risk was {risk} (WBGT about {fmt(ctx.value('wbgt_c') or float('nan'), 0)} °C"
                + (f", from {air}" if air else "")
                + ").",
                th["heat_risk_points"],
            )
        )
    signs = ctx.value("dehydration_signs")
    if signs:
        assessed = True
        ev.append(
            Evidence(
                f"You logged signs of dehydration: {ctx.value('dehydration_signs_list')}.",
                min(th["signs_max_points"], th["sign_points"] * signs),
            )
        )
    elif ctx.value("dehydration_signs") == 0 and ctx.run is not None:
        missing.append("thirst, dizziness, fatigue or urine colour, if you notice them")
    if risk is not None:
        assessed = True
    return Assessment.from_evidence(ev, missing, assessed)


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


def _electrolytes(ctx: Context, th: Mapping[str, float]) -> Assessment:
    ev: list[Evidence] = []
    missing: list[str] = []
    lost = ctx.value("sodium_lost_mg")
    took = ctx.value("diary_electrolytes")
    sodium = ctx.value("diary_sodium_mg")
    if lost is None and took is None:
        return Assessment.from_evidence(
            [],
            [
                "body weight before/after or weather (to estimate sweat and salt loss)",
                "whether you took electrolytes",
            ],
            False,
        )
    if lost is not None and lost >= th["big_sodium_loss_mg"]:
        if took is False or (sodium is not None and sodium < th["replaced_fraction"] * lost):
            extra = (
                f" and took only {fmt(sodium, 0)} mg" if sodium  # 0 mg logged is "none", not "only 0 mg"
                else " and took no sodium" if sodium is not None else " and took no electrolytes"
            )
            ev.append(Evidence(f"You lost about {fmt(lost, 0)} mg of sodium in sweat{extra}.",
                               th["not_replaced_points"]))
        elif took is None:
            ev.append(Evidence(f"You lost about {fmt(lost, 0)} mg of sodium in sweat.", th["loss_points"]))
            missing.append("whether you took electrolytes (electrolytes yes/no, sodium_mg)")
    sweat = ctx.value("sweat_loss_l")
    if sweat is not None and sweat >= th["big_sweat_l"]:
        ev.append(Evidence(f"A big sweat loss: about {fmt(sweat)} L.", th["big_sweat_points"]))
    if lost is None:
        missing.append("body weight before/after or weather (to estimate salt loss)")
    return Assessment.from_evidence(ev, missing, True)


def _circulation(ctx: Context, th: Mapping[str, float]) -> Assessment:
    ev: list[Evidence] = []
    src = ctx.value("cooldown_source")
    if ctx.run is None or src in (None, "none"):
        return Assessment.from_evidence([], ["speed in the file, or cooldown_min in the diary"], False)
    cd = ctx.value("cooldown_min")
    hard = ctx.value("ended_hard")
    if cd is not None and cd < th["min_cooldown_min"]:
        how = "you logged" if src == "diary" else "the file shows"
        if hard:
            pct = ctx.value("final_hr_pct_max")
            hr = f" at {fmt(pct, 0)} % of your max heart rate" if pct is not None else ""
            ev.append(Evidence(f"The run ended at high effort{hr} and stopped dead: no cool-down.",
                               th["ended_hard_points"]))
        else:
            ev.append(
                Evidence(f"No cool-down: {how} {fmt(cd, 0)} min of easy jogging or walking at the end.",
                         th["no_cooldown_points"])
            )
        if ctx.value("diary_stretched") is False:
            ev.append(Evidence("You did not stretch afterwards.", th["no_stretch_points"]))
    # Asked for only when the file shows no cool-down: the watch may have been stopped before it.
    shown = cd is not None and cd >= th["min_cooldown_min"]
    missing = (
        [] if src == "diary" or shown
        else ["cooldown_min in the diary if the watch was stopped before the cool-down"]
    )
    return Assessment.from_evidence(ev, missing, True)


def _low_sugar(ctx: Context, th: Mapping[str, float]) -> Assessment:
    ev: list[Evidence] = []
    missing: list[str] = []
    before = ctx.value("diary_carbs_before_g")
    during = ctx.value("diary_carbs_during_g")
    meal = ctx.value("diary_meal_hours_before")
    timer = ctx.value("timer_s") or 0.0
    if before is None and during is None and meal is None:
        return Assessment.from_evidence(
            [], ["carbohydrate before and during the run (carbs_before_g, carbs_during_g)"], False
        )
    if before is not None and before < th["carbs_before_min_g"]:
        pts = th["no_carbs_before_points"] if before == 0 else th["few_carbs_before_points"]
        ev.append(
            Evidence(
                f"{fmt(before, 0)} g of carbohydrate in the 2 h before the run "
                f"(about {fmt(th['carbs_before_min_g'], 0)}-60 g an hour before is advised).",
                pts,
            )
        )
    elif before is None:
        missing.append("carbohydrate before the run (carbs_before_g)")
    long_or_hard = timer >= th["long_run_min"] * 60 or (ctx.value("hrss") or 0) >= th["hard_hrss"]
    if long_or_hard:
        if during is not None and timer > 0 and during / (timer / 3600) < th["carbs_per_hour_min_g"]:
            ev.append(
                Evidence(
                    f"{fmt(during, 0)} g of carbohydrate during {fmt_duration(timer)} "
                    f"({fmt(th['carbs_per_hour_min_g'], 0)}-60 g per hour is advised for runs over an hour).",
                    th["few_carbs_during_points"],
                )
            )
        elif during is None:
            missing.append("carbohydrate during long runs (carbs_during_g)")
    if meal is not None and meal >= th["fasted_hours"]:
        ev.append(Evidence(f"{fmt(meal, 0)} h since your last meal: you ran on an empty tank.",
                           th["fasted_points"]))
    return Assessment.from_evidence(ev, missing, True)


def _fueling(ctx: Context, th: Mapping[str, float]) -> Assessment:
    ev: list[Evidence] = []
    spicy = ctx.value("diary_spicy_meal")
    meal = ctx.value("diary_meal_hours_before")
    if spicy is None and meal is None:
        return Assessment.from_evidence(
            [], ["the time of your last meal (meal_hours_before) and spicy_meal"], False
        )
    if spicy:
        ev.append(Evidence("A spicy meal before the run.", th["spicy_meal_points"]))
    if meal is not None and meal < th["too_close_hours"]:
        ev.append(Evidence(f"Your last full meal was only {fmt(meal)} h before the run.",
                           th["too_close_points"]))
    elif meal is not None and meal > th["no_meal_hours"]:
        ev.append(Evidence(f"No balanced meal in the {fmt(meal, 0)} h before the run.", th["no_meal_points"]))
    return Assessment.from_evidence(
        ev, [] if spicy is not None and meal is not None else ["both meal_hours_before and spicy_meal"], True
    )


def _medication(ctx: Context, th: Mapping[str, float]) -> Assessment:
    # medicines of the run's diary context and of the episode's own row both count
    own = ctx.episode.get("medications")
    meds = [*(ctx.value("diary_medications") or []), *(own if isinstance(own, list) else [])]
    if not meds:  # a blank cell is "not logged"; write "none" when you took nothing
        return Assessment.from_evidence([], ["medicines taken that day (medications), or 'none'"], False)
    found, unknown = assess_medicines(
        list(dict.fromkeys(meds)),
        pd.Timestamp(ctx.episode["date"]),
        ctx.medicines,
        recent_days=th["recent_days"],
        long_standing_factor=th["long_standing_factor"],
    )
    ev = [Evidence(f.sentence, f.points) for f in found]
    ev += [
        Evidence(
            f"'{u.text}' is not a medicine runtwitch knows" + (f" ({u.note})" if u.note else "")
            + ": it was not weighed; a pharmacist can tell whether it can cause cramps."
        )
        for u in unknown
    ]
    return Assessment.from_evidence(ev, [], True)


RULES: tuple[Rule, ...] = (
    Rule(
        "fatigue_overuse",
        "Fatigue and overuse",
        "moderate",
        "Studies of cramping marathoners and triathletes link cramps to running faster or longer than "
        "usual and to muscle fatigue more consistently than to anything else.",
        (
            "Build up gradually: keep single runs within about 10 % of your longest run of the last month.",
            "Plan rest days between hard or long runs, and after several days in a row.",
            "Mix in cross-training (cycling, swimming) so the same muscles are not loaded every day.",
            "Listen to your body: ease off when your legs feel heavy.",
        ),
        {
            "spike_ratio": T(
                1.1, "ratio", "run length / longest run of the previous 30 days", "Frandsen et al. 2025"
            ),
            "big_spike_ratio": T(1.3, "ratio", "a large spike", "Frandsen et al. 2025"),
            "faster_ratio": T(
                1.05, "ratio", "mean speed / usual speed for comparable runs", "Schwellnus et al. 2011"
            ),
            "harder_hr_bpm": T(5.0, "bpm", "mean heart rate above usual"),
            "long_run_min": T(90.0, "min", "a long run"),
            "hard_rpe": T(8.0, "0-10", "a very hard session by feel"),
            "streak_days": T(6.0, "days", "running days in a row"),
            "weekly_increase_pct": T(30.0, "%", "7-day distance up on the week before"),
        },
        _fatigue,
        weights={
            "spike_points": 0.25, "big_spike_points": 0.35, "faster_points": 0.25, "harder_hr_points": 0.15,
            "long_run_points": 0.15, "hard_rpe_points": 0.1, "streak_points": 0.2, "no_rest_points": 0.15,
            "weekly_increase_points": 0.1, "no_cross_training_points": 0.05,
        },
    ),
    Rule(
        "dehydration",
        "Dehydration",
        "weak",
        "Commonly blamed, but cramping and non-cramping athletes usually show the same hydration; it "
        "matters most in heat and for large losses.",
        (
            "Drink through the day before a run; in the heat start well hydrated.",
            "On runs over an hour carry water or plan a route past fountains; drink to thirst.",
            "Weigh yourself before and after: each kg lost is about a litre to replace, "
            "but do not gain weight during a run (over-drinking is dangerous).",
            "Watch for thirst, fatigue, dark urine and dizziness.",
        ),
        {
            "mass_loss_pct": T(2.0, "%", "body mass lost during the run", "Sawka et al. 2007 (ACSM)"),
            "severe_mass_loss_pct": T(3.0, "%", "a large loss", "Sawka et al. 2007"),
            "min_sweat_l": T(1.0, "L", "sweat loss worth replacing"),
            "replaced_fraction": T(0.4, "fraction", "fluid drunk during / sweat lost"),
        },
        _dehydration,
        weights={
            "mass_loss_points": 0.35, "severe_mass_loss_points": 0.45, "under_replaced_points": 0.25,
            "heat_risk_points": 0.15, "sign_points": 0.1, "signs_max_points": 0.3,
        },
    ),
    Rule(
        "electrolyte_imbalance",
        "Electrolyte imbalance",
        "weak",
        "Salt loss is a popular explanation but studies find similar blood sodium in athletes with and "
        "without cramps; heavy, salty sweaters in long hot events may be the exception.",
        (
            "Eat foods rich in potassium, calcium and magnesium "
            "(bananas, avocados, dairy, leafy greens, nuts, seeds).",
            "On long or hot runs use an electrolyte drink or tablets, or some salty food.",
            "Rehydrate after the run with fluids that also replace salt.",
        ),
        {
            "big_sodium_loss_mg": T(1500.0, "mg", "sodium lost in sweat", "Baker 2017"),
            "replaced_fraction": T(0.5, "fraction", "sodium taken / lost"),
            "big_sweat_l": T(1.5, "L", "a big sweat loss"),
        },
        _electrolytes,
        weights={"not_replaced_points": 0.35, "loss_points": 0.15, "big_sweat_points": 0.1},
    ),
    Rule(
        "poor_circulation",
        "No cool-down (poor circulation)",
        "expert opinion",
        "Stopping dead after a hard effort is commonly linked to post-run twitches; "
        "there is little research.",
        (
            "Do not stop dead: jog or walk easily for 5-10 minutes at the end.",
            "Then stretch the legs gently.",
            "Foam rolling, massage or trigger-point release can help tight muscles.",
        ),
        {"min_cooldown_min": T(5.0, "min", "easy jogging or walking at the end")},
        _circulation,
        weights={"ended_hard_points": 0.55, "no_cooldown_points": 0.35, "no_stretch_points": 0.05},
    ),
    Rule(
        "low_blood_sugar",
        "Low blood sugar (running on empty)",
        "weak",
        "Running fasted or without carbohydrate on long runs tires muscles sooner; a direct link to "
        "twitches is not well studied.",
        (
            "Eat 30-60 g of carbohydrate about an hour before the run.",
            "On long or hard runs take a sports drink or gel (30-60 g of carbohydrate per hour).",
        ),
        {
            "carbs_before_min_g": T(
                30.0, "g", "carbohydrate in the 2 h before", "seed article; common sports-nutrition advice"
            ),
            "carbs_per_hour_min_g": T(
                30.0, "g/h", "carbohydrate during runs over an hour", "Thomas, Erdman & Burke 2016"
            ),
            "long_run_min": T(60.0, "min", "a run long enough to need fuel"),
            "hard_hrss": T(100.0, "AU", "a hard run"),
            "fasted_hours": T(8.0, "h", "since the last meal: fasted"),
        },
        _low_sugar,
        weights={
            "no_carbs_before_points": 0.35, "few_carbs_before_points": 0.2, "few_carbs_during_points": 0.3,
            "fasted_points": 0.2,
        },
    ),
    Rule(
        "poor_fueling",
        "Poor fueling (the pre-run meal)",
        "expert opinion",
        "A heavy or spicy meal too close to the run is commonly advised against; evidence is anecdotal.",
        (
            "Eat a balanced meal (lean protein, carbohydrate, some healthy fat) 2-4 hours before.",
            "Skip spicy or heavy food just before a run.",
        ),
        {
            "too_close_hours": T(1.5, "h", "a full meal this close is too close"),
            "no_meal_hours": T(6.0, "h", "no balanced meal in this long"),
        },
        _fueling,
        weights={"spicy_meal_points": 0.45, "too_close_points": 0.3, "no_meal_points": 0.2},
    ),
    Rule(
        "medication",
        "A medicine",
        "limited",
        "Several medicines list muscle cramps or twitches as side effects. The largest study (Garrison "
        "et al. 2012, 4.2 million people) found clear effects for long-acting inhalers and some "
        "diuretics, small ones for statins; each class scores its own evidence weight "
        "(see Medicines under Safety first).",
        ("Talk to your doctor or pharmacist about it; do not stop or change a medicine on your own.",),
        {
            "recent_days": T(
                RECENT_START_DAYS,
                "days",
                "a start or dose change this recent weighs fully",
                "Garrison et al. 2012 (effects measured over the year after a start)",
            ),
            "long_standing_factor": T(
                LONG_STANDING_FACTOR,
                "factor",
                "weight kept by a medicine that is not a recent start",
                "runtwitch's choice",
            ),
        },
        _medication,
    ),
)
