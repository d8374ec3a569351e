"""Remedies that fit the person: advice that conflicts with a raised flag or a logged medicine is left out.

Rules tag their remedies (:attr:`runtwitch.rules.base.Rule.remedy_tags`).
Left out, with a note that says why:

* advice to drink (tag ``drink``) while the over-drinking flag or an urgent
  safety gate is raised: drinking more can make low blood sodium worse, and
  an urgent sign needs care, not home advice (Hew-Butler et al. 2015);
* potassium-rich food (tag ``potassium_food``) with a logged
  potassium-sparing medicine: these medicines raise blood potassium
  (product information of spironolactone, amiloride, eplerenone, triamterene).

runtwitch never advises stopping or changing a prescribed medicine: the
notes send the runner to their prescriber.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from runtwitch.rules.base import Rule
from runtwitch.rules.medications import match_medications

#: Remedy tag: advice to drink.
DRINK = "drink"
#: Remedy tag: potassium-rich food.
POTASSIUM_FOOD = "potassium_food"
#: Medicine classes that raise blood potassium (keys of the medicine table).
POTASSIUM_RAISING = frozenset({"potassium_sparing_diuretic"})


@dataclass(frozen=True)
class Person:
    """What about the person can rule a remedy out."""

    no_drinking: str = ""  # why drinking advice is left out ("" when it is not)
    potassium_raising: tuple[str, ...] = ()  # the logged medicines that raise potassium


def person(flags: Sequence[str], gates: Sequence[str], medicines: Iterable[str]) -> Person:
    """The person's flags, urgent gates and logged medicines, as far as remedies care."""
    why = ""
    if gates:
        why = "an urgent sign is raised: get the care it asks for first"
    elif "overdrinking" in flags:
        why = (
            "you gained weight during the run (over-drinking), and drinking more can lower blood sodium "
            "further"
        )
    raising = tuple(
        dict.fromkeys(r for r, c in match_medications(list(medicines)) if c.key in POTASSIUM_RAISING)
    )
    return Person(why, raising)


def fit(rule: Rule, who: Person) -> tuple[list[str], list[str]]:
    """The rule's remedies that fit ``who``, and a note for each kind left out."""
    kept, notes = [], []
    dropped_drink = dropped_k = False
    for text in rule.remedies:
        tags = rule.remedy_tags.get(text, ())
        if DRINK in tags and who.no_drinking:
            dropped_drink = True
            continue
        if POTASSIUM_FOOD in tags and who.potassium_raising:
            dropped_k = True
            continue
        kept.append(text)
    if dropped_drink:
        notes.append(f"Advice to drink is left out: {who.no_drinking}.")
    if dropped_k:
        names = ", ".join(who.potassium_raising)
        notes.append(
            f"Potassium-rich food is left out: you logged {names}, which raises blood potassium. "
            "Talk to your prescriber before changing how much potassium you eat; do not stop or "
            "change the medicine on your own."
        )
    return kept, notes
