"""Remedies that fit the person: advice that conflicts with a raised flag, a safety gate or a
logged medicine is left out.

Rules tag their remedies with what kind of advice each is
(:attr:`runtwitch.rules.base.Rule.remedy_tags`, the tags of :data:`REMEDY_TAGS`).
Left out, with a note that says why:

* advice to drink (tag ``drink``) while the over-drinking flag or an urgent
  safety gate is raised: drinking more can make low blood sodium worse, and
  an urgent sign needs care, not home advice (Hew-Butler et al. 2015);
* under a safety gate, all home advice (:data:`HOME_ADVICE`, its reasons in
  :data:`GATE_SUPPRESSES`): an urgent sign needs care, not home advice, and no
  advice below a safety message may contradict it (advice to jog, walk or
  train under "stop exercising" or "get checked before you run again"; foam
  rolling, massage or stretching of a muscle that may be breaking down;
  potassium-rich food while damaged muscle releases potassium);
* potassium-rich food (tag ``potassium_food``) with a logged
  potassium-sparing medicine: these medicines raise blood potassium
  (product information of spironolactone, amiloride, eplerenone, triamterene).

runtwitch never advises stopping or changing a prescribed medicine: the
notes send the runner to their prescriber.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from runtwitch.rules.base import Rule
from runtwitch.rules.medications import match_medications
from runtwitch.rules.safety import GATES

#: Remedy tag: advice to drink.
DRINK = "drink"
#: Remedy tag: potassium-rich food.
POTASSIUM_FOOD = "potassium_food"
#: Medicine classes that raise blood potassium (keys of the medicine table).
POTASSIUM_RAISING = frozenset({"potassium_sparing_diuretic"})
#: Remedy tag: advice to jog, walk or train, or how to plan training (it assumes running on).
EXERCISE = "exercise"
#: Remedy tag: foam rolling, massage, trigger-point release or stretching of the muscles.
MUSCLE_WORK = "muscle_work"
#: Remedy tag: what or when to eat (other than potassium-rich food).
FOOD = "food"
#: Remedy tag: sleep.
SLEEP = "sleep"
#: Remedy tag: less of a trigger (caffeine, alcohol).
CUT_DOWN = "cut_down"
#: Remedy tag: ways to relax.
RELAX = "relax"
#: Remedy tag: talk to a doctor or pharmacist.
PRESCRIBER = "prescriber"

#: Every remedy tag, with the words a note uses for the advice left out.
REMEDY_TAGS: dict[str, str] = {
    DRINK: "Advice to drink",
    POTASSIUM_FOOD: "Potassium-rich food",
    EXERCISE: "Advice to jog, walk or train",
    MUSCLE_WORK: "Foam rolling, massage and stretching",
    FOOD: "Advice on food",
    SLEEP: "Advice on sleep",
    CUT_DOWN: "Advice to cut down on caffeine or alcohol",
    RELAX: "Ways to relax",
    PRESCRIBER: "Advice to talk to a doctor or pharmacist",
}

_NO_TRAINING = "the urgent sign above comes first: do not run or train until a doctor has seen you"
_CARE_FIRST = ("the urgent sign above asks for medical care first: home advice for the twitch can wait "
               "until a doctor has seen you")
#: The kinds of home advice: an urgent sign needs care, not home advice, so every safety gate
#: leaves them all out (advice to drink has its own rule, advice to see a prescriber stays).
HOME_ADVICE = (POTASSIUM_FOOD, EXERCISE, MUSCLE_WORK, FOOD, SLEEP, CUT_DOWN, RELAX)
#: Why a gate leaves out a kind of advice, where it has a reason of its own beyond
#: :data:`HOME_ADVICE` (advice that would contradict the gate's message).
_GATE_REASONS: dict[str, dict[str, str]] = {
    "muscle_breakdown": {
        EXERCISE: "the urgent sign above asks you to stop exercising",
        MUSCLE_WORK: "pressing, rolling or stretching a muscle that may be breaking down can harm it "
        "further (MedlinePlus, 'Rhabdomyolysis': rest)",
        POTASSIUM_FOOD: "breaking-down muscle releases potassium into the blood; ask the doctor "
        "before eating more of it (MedlinePlus, 'Rhabdomyolysis': high potassium)",
    },
    "heart": {EXERCISE: "the urgent sign above must be checked by a doctor before you run again"},
    "palpitations": {EXERCISE: "the urgent sign above should be checked by a doctor before you train"},
}
#: What each safety gate (:data:`runtwitch.rules.safety.GATES`) leaves out of the remedies
#: below it, and why: every kind of :data:`HOME_ADVICE`, with the gate's own reason where it has
#: one (training is left out "until a doctor has seen you"), else that care comes first. Every
#: pair of gate and remedy tag is either here (left out) or allowed. Advice to drink is left out
#: under every gate with the over-drinking flag's note (:func:`person`); the tags here add to it.
#: What a gate leaves out unless it has a reason of its own, and what a gate missing from
#: :data:`GATE_SUPPRESSES` (a plugin's) leaves out.
DEFAULT_GATE_SUPPRESSES: dict[str, str] = {tag: _NO_TRAINING if tag == EXERCISE else _CARE_FIRST
                                           for tag in HOME_ADVICE}
GATE_SUPPRESSES: dict[str, dict[str, str]] = {
    gate.id: {**DEFAULT_GATE_SUPPRESSES, **_GATE_REASONS.get(gate.id, {})} for gate in GATES
}


@dataclass(frozen=True)
class Person:
    """What about the person can rule a remedy out."""

    no_drinking: str = ""  # why drinking advice is left out ("" when it is not)
    potassium_raising: tuple[str, ...] = ()  # the logged medicines that raise potassium
    #: remedy tags the raised safety gates leave out, each with why (:data:`GATE_SUPPRESSES`)
    suppressed: Mapping[str, str] = field(default_factory=dict)


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
    suppressed: dict[str, str] = {}
    for gate in gates:
        for tag, because in GATE_SUPPRESSES.get(gate, DEFAULT_GATE_SUPPRESSES).items():
            suppressed.setdefault(tag, because)
    return Person(why, raising, suppressed)


def fit(rule: Rule, who: Person) -> tuple[list[str], list[str]]:
    """The rule's remedies that fit ``who``, and a note for each kind left out."""
    kept, notes = [], []
    dropped_drink = dropped_k = False
    dropped: dict[str, str] = {}  # tag -> why, for the gates' notes
    for text in rule.remedies:
        tags = rule.remedy_tags.get(text, ())
        if DRINK in tags and who.no_drinking:
            dropped_drink = True
            continue
        if POTASSIUM_FOOD in tags and who.potassium_raising:
            dropped_k = True
            continue
        by_gate = [t for t in tags if t in who.suppressed]
        if by_gate:
            dropped.setdefault(by_gate[0], who.suppressed[by_gate[0]])
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
    notes += [f"{REMEDY_TAGS.get(tag, 'Some advice')} is left out: {why}." for tag, why in dropped.items()]
    return kept, notes
