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

Each family of factors is a module holding its observers, its sentences and
its part of the table: :mod:`~runtwitch.rules.factors.effort` (unusually hard
or long running), :mod:`~runtwitch.rules.factors.fluid` (heat, fluid and salt
loss), :mod:`~runtwitch.rules.factors.cooldown`,
:mod:`~runtwitch.rules.factors.fuel` (fueling and the meal before),
:mod:`~runtwitch.rules.factors.habits` (sleep, caffeine, alcohol, stress) and
:mod:`~runtwitch.rules.factors.medicines`; what they share is in
:mod:`~runtwitch.rules.factors.base`.
"""

from __future__ import annotations

from runtwitch.rules.factors import cooldown, effort, fluid, fuel, habits
from runtwitch.rules.factors.base import (
    MASS_CHANGE_SD_PCT,
    PREDICTED_CAP,
    REFERENCE_MASS_KG,
    Against,
    Factor,
    Observe,
    Observed,
    Say,
    Source,
    Table,
)
from runtwitch.rules.factors.medicines import medicine_factors

#: Every built-in factor but the medicines (:func:`medicine_factors`), in the order of their causes.
FACTORS: tuple[Factor, ...] = (*effort.FACTORS, *fluid.FACTORS, *cooldown.FACTORS, *fuel.FACTORS,
                               *habits.FACTORS)

__all__ = [
    "FACTORS",
    "MASS_CHANGE_SD_PCT",
    "PREDICTED_CAP",
    "REFERENCE_MASS_KG",
    "Against",
    "Factor",
    "Observe",
    "Observed",
    "Say",
    "Source",
    "Table",
    "medicine_factors",
]
