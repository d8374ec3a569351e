"""The causes runtwitch weighs for each episode: titles, grades, remedies and the thresholds of their factors.

Each cause is made of factors (:mod:`runtwitch.rules.factors`) that the score
model (:mod:`runtwitch.rules.score`) weighs against the runner's own usual
runs and history. Every cut-off is a named threshold on the rule, so that
``explain(thresholds=...)``, the personal patterns and the generated
``docs/rules.md`` all read the same values. Titles name what was measured,
never a medical state that was not (no blood was tested).
"""

from __future__ import annotations

from dataclasses import replace

from runtwitch.rules.base import Rule, Threshold
from runtwitch.rules.factors import FACTORS, Factor, medicine_factors
from runtwitch.rules.medications import LONG_STANDING_FACTOR, MEDICATION_CLASSES, RECENT_START_DAYS
from runtwitch.rules.remedies import (
    CUT_DOWN,
    DRINK,
    EXERCISE,
    FOOD,
    MUSCLE_WORK,
    POTASSIUM_FOOD,
    PRESCRIBER,
    RELAX,
    SLEEP,
)

T = Threshold


def _of(cause: str) -> tuple[Factor, ...]:
    return tuple(f for f in FACTORS if f.cause == cause)


_FLUID_1 = "Drink through the day before a run; in the heat start well hydrated."
_FLUID_2 = "On runs over an hour carry water or plan a route past fountains; drink to thirst."
_FLUID_3 = (
    "Weigh yourself before and after: each kg lost is about a litre to replace, "
    "but do not gain weight during a run (over-drinking is dangerous)."
)
_FLUID_4 = "Watch for thirst, fatigue, dark urine and dizziness."
_SALT_1 = (
    "Eat foods rich in potassium, calcium and magnesium "
    "(bananas, avocados, dairy, leafy greens, nuts, seeds)."
)
_SALT_2 = "On long or hot runs use an electrolyte drink or tablets, or some salty food."
_SALT_3 = "Rehydrate after the run with fluids that also replace salt."

# Each cause's remedies, in order, with the kinds of advice they are (runtwitch.rules.remedies):
# a remedy is left out when a raised flag, safety gate or logged medicine conflicts with a kind.
_FATIGUE: dict[str, tuple[str, ...]] = {
    "Build up gradually: keep single runs within about 10 % of your longest run of the last month.":
        (EXERCISE,),
    "Plan rest days between hard or long runs, and after several days in a row.": (EXERCISE,),
    "Mix in cross-training (cycling, swimming) so the same muscles are not loaded every day.": (EXERCISE,),
    "Listen to your body: ease off when your legs feel heavy.": (EXERCISE,),
}
_FLUID: dict[str, tuple[str, ...]] = {_FLUID_1: (DRINK,), _FLUID_2: (DRINK,), _FLUID_3: (DRINK,),
                                      _FLUID_4: (DRINK,)}
_SALT: dict[str, tuple[str, ...]] = {_SALT_1: (POTASSIUM_FOOD,), _SALT_2: (DRINK,), _SALT_3: (DRINK,)}
_COOLDOWN: dict[str, tuple[str, ...]] = {
    "Do not stop dead: jog or walk easily for 5-10 minutes at the end.": (EXERCISE,),
    "Then stretch the legs gently.": (EXERCISE, MUSCLE_WORK),  # the end of the cool-down above
    "Foam rolling, massage or trigger-point release can help tight muscles.": (MUSCLE_WORK,),
}
_FUEL: dict[str, tuple[str, ...]] = {
    "Eat 30-60 g of carbohydrate about an hour before a long run.": (FOOD,),
    "On runs over about 90 minutes take 30-60 g of carbohydrate per hour: gels, chews or a banana.": (FOOD,),
}
_MEAL: dict[str, tuple[str, ...]] = {
    "Eat a balanced meal (lean protein, carbohydrate, some healthy fat) 2-4 hours before.": (FOOD,),
    "Skip spicy or heavy food just before a run.": (FOOD,),
}
_MEDICINE: dict[str, tuple[str, ...]] = {
    "Talk to your doctor or pharmacist about it; do not stop or change a medicine on your own.":
        (PRESCRIBER,),
}
_SLEEP: dict[str, tuple[str, ...]] = {
    "Aim for 7-9 hours of sleep, most of all before long or hard runs.": (SLEEP,),
    "If twitches follow short nights, move hard sessions to days after a good night.": (SLEEP, EXERCISE),
}
_CAFFEINE: dict[str, tuple[str, ...]] = {
    "Cut down on coffee, tea, cola and energy drinks, most of all on days with twitches.": (CUT_DOWN,),
}
_ALCOHOL: dict[str, tuple[str, ...]] = {
    "Keep alcohol low, most of all the evening before long or hard runs.": (CUT_DOWN,),
}
_STRESS: dict[str, tuple[str, ...]] = {
    "Ways to relax, such as breathing exercises, yoga or an easy walk, can ease stress-related twitching.":
        (RELAX, EXERCISE),
}

RULES: tuple[Rule, ...] = (
    Rule(
        "fatigue_overuse",
        "Unusually hard or long",
        "moderate",
        "Prospective studies of cramping marathoners and triathletes link cramps to running faster or longer "
        "than usual, to races and to muscle fatigue more consistently than to anything else.",
        tuple(_FATIGUE),
        {
            "spike_ratio": T(
                1.1, "ratio", "run length / longest run of the previous 30 days", "Frandsen et al. 2025"
            ),
            "spike_span": T(
                0.2, "ratio", "a spike this far above spike_ratio counts fully", "runtwitch's choice"
            ),
            "faster_ratio": T(
                1.05,
                "ratio",
                "work speed / usual of the run type (and a robust z above 1)",
                "Schwellnus et al. 2011",
            ),
            "novel_min_runs": T(
                3.0,
                "runs",
                "hard sessions in 90 days below which a hard session is novel",
                "Miller et al. 2022",
            ),
            "long_run_min": T(90.0, "min", "a long run (patterns)"),
            "streak_days": T(6.0, "days", "running days in a row"),
        },
        factors=_of("fatigue_overuse"),
        remedy_tags=_FATIGUE,
    ),
    Rule(
        "dehydration",
        "Heat and fluid loss",
        "weak",
        "Commonly blamed, but cramping and non-cramping athletes usually show the same measured fluid loss; "
        "a large loss on a long, hot effort is the setting where it may matter (one large study of race "
        "medical records).",
        tuple(_FLUID),
        {
            "mass_loss_pct": T(2.0, "%", "body mass lost during the run", "Sawka et al. 2007 (ACSM)"),
            "severe_mass_loss_pct": T(3.0, "%", "a large loss", "Sawka et al. 2007"),
            "against_loss_pct": T(1.0, "%", "a measured loss below this argues against", "Sawka et al. 2007"),
            "heat_min": T(
                60.0,
                "min",
                "a hot run at least this long counts (WBGT high or extreme)",
                "Armstrong et al. 2007",
            ),
        },
        factors=_of("dehydration"),
        remedy_tags=_FLUID,
    ),
    Rule(
        "electrolyte_imbalance",
        "Salt loss in heavy sweating",
        "weak",
        "Salt loss is a popular explanation, but studies find similar blood sodium in athletes with and "
        "without cramps; heavy, salty sweaters in long hot sessions may be the exception. Sodium losses are "
        "predicted, never measured, unless you had a sweat test.",
        tuple(_SALT),
        {
            "big_sweat_l": T(2.5, "L", "a big sweat loss", "Stofan et al. 2005"),
            "replaced_fraction": T(
                0.3, "fraction", "sodium taken / lost, below which it was not replaced", "Stofan et al. 2005"
            ),
            "against_replaced_fraction": T(
                0.5, "fraction", "sodium taken / lost from which it argues against"
            ),
        },
        factors=_of("electrolyte_imbalance"),
        remedy_tags=_SALT,
    ),
    Rule(
        "poor_circulation",
        "Stopping without a cool-down",
        "expert opinion",
        "Stopping dead after a hard effort is commonly linked to post-run twitches; "
        "no study has measured it.",
        tuple(_COOLDOWN),
        {"min_cooldown_min": T(5.0, "min", "easy jogging or walking at the end")},
        factors=_of("poor_circulation"),
        remedy_tags=_COOLDOWN,
    ),
    Rule(
        "low_blood_sugar",
        "Running without fuel",
        "expert opinion",
        "Running long without carbohydrate tires muscles sooner; no study links it to twitches or cramps "
        "directly (blood sugar was not measured).",
        tuple(_FUEL),
        {
            "carbs_before_min_g": T(
                30.0, "g", "carbohydrate in the 2 h before", "seed article; common sports-nutrition advice"
            ),
            "carbs_per_hour_min_g": T(
                30.0, "g/h", "carbohydrate during long runs", "Thomas, Erdman & Burke 2016"
            ),
            "long_run_min": T(75.0, "min", "a run long enough to need fuel before", "Miller et al. 2022"),
            "fuel_during_min": T(
                90.0, "min", "a run long enough to need fuel during", "Thomas, Erdman & Burke 2016"
            ),
            "fasted_hours": T(8.0, "h", "since the last meal: fasted"),
        },
        factors=_of("low_blood_sugar"),
        remedy_tags=_FUEL,
    ),
    Rule(
        "poor_fueling",
        "Meal before the run",
        "expert opinion",
        "A heavy or spicy meal too close to the run is commonly advised against; evidence is anecdotal.",
        tuple(_MEAL),
        {"too_close_hours": T(1.5, "h", "a full meal this close is too close")},
        factors=_of("poor_fueling"),
        remedy_tags=_MEAL,
    ),
    Rule(
        "medication",
        "A medicine",
        "limited",
        "Several medicines list muscle cramps or twitches as side effects. The largest study (Garrison "
        "et al. 2012, 4.2 million people) found clear effects for long-acting inhalers and some "
        "diuretics, small ones for statins; each class weighs its own measured effect "
        "(see Medicines under Safety first). A medicine you have taken on every run weighs little: "
        "it is your usual.",
        tuple(_MEDICINE),
        {
            "recent_days": T(
                RECENT_START_DAYS,
                "days",
                "a start or dose change this recent is called new",
                "Garrison et al. 2012 (effects measured over the year after a start)",
            ),
            "long_standing_factor": T(
                LONG_STANDING_FACTOR,
                "factor",
                "kept for the medicine findings' wording",
                "runtwitch's choice",
            ),
        },
        factors=medicine_factors(),
        remedy_tags=_MEDICINE,
    ),
    Rule(
        "short_sleep",
        "Short sleep",
        "limited",
        "Tiredness is the first trigger health services name for twitching muscles, and sports "
        "physicians ask "
        "about sleep the night before a cramp; studies are cross-sectional.",
        tuple(_SLEEP),
        {
            "short_sleep_h": T(6.0, "h", "sleep the night before at or below this is short", "NHS"),
            "below_usual_h": T(1.5, "h", "or this far below your median", "runtwitch's choice"),
        },
        factors=_of("short_sleep"),
        remedy_tags=_SLEEP,
    ),
    Rule(
        "caffeine",
        "Much caffeine",
        "expert opinion",
        "Caffeine is a commonly named trigger of twitching muscles; no study measured how much it adds.",
        tuple(_CAFFEINE),
        {
            "much_caffeine_mg": T(400.0, "mg", "caffeine that day", "EFSA 2015 (safe up to 400 mg a day)"),
            "times_usual": T(2.0, "factor", "or this many times your median", "runtwitch's choice"),
        },
        factors=_of("caffeine"),
        remedy_tags=_CAFFEINE,
    ),
    Rule(
        "alcohol",
        "Alcohol the evening before",
        "weak",
        "Alcohol is a commonly named trigger of twitching, and was linked to night-time leg cramps in older "
        "people; not studied in runners.",
        tuple(_ALCOHOL),
        {"alcohol_units": T(4.0, "units", "UK units the evening before", "NHS (low-risk guidance)")},
        factors=_of("alcohol"),
        remedy_tags=_ALCOHOL,
    ),
    Rule(
        "stress",
        "Stress",
        "expert opinion",
        "Stress and anxiety are commonly named triggers of twitching muscles (health services); no study "
        "measured how much they add after a run.",
        tuple(_STRESS),
        {
            "high_stress": T(7.0, "0-10", "stress at or above this is high"),
            "above_usual": T(3.0, "points", "or this far above your median"),
        },
        factors=_of("stress"),
        remedy_tags=_STRESS,
    ),
)


def with_current_medicines(rule: Rule) -> Rule:
    """The medicine rule with one factor per medicine class known now (classes registered or loaded
    after import included); any other rule unchanged."""
    if rule.id != "medication":
        return rule
    return replace(rule, factors=medicine_factors(tuple(MEDICATION_CLASSES)))
