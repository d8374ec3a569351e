"""Safety gates: signs that need medical care today or now, checked before any cause.

A gate is a documented rule with its source and the wording shown to the
runner (:data:`GATES`). It looks at an episode's :class:`~runtwitch.rules.signs.Signs`
(the ``symptoms`` column and notes of the episode's own row and of its run's
diary context, ``urine_color``, ``dizziness``, ``weakness``, and the run's body
mass change, fluid and heat) and returns the evidence lines that raised it.

Two tiers (:data:`URGENCY`): ``now`` (call emergency services) and ``today``
(get medical care the same day). runtwitch reads a diary after the fact, so
every message also says what to do when the signs have passed. It does not
diagnose: a gate names what the signs *can* mean.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from runtwitch.features.runs import OVERDRINKING_GAIN_KG
from runtwitch.rules.base import Threshold, fmt
from runtwitch.rules.signs import Signs

Urgency = Literal["now", "today"]

#: What each tier asks the runner to do.
URGENCY: dict[str, str] = {
    "now": "Call emergency services (999 in the UK, 112 in Europe, 911 in North America) or go to an "
    "emergency department now.",
    "today": "Get medical care today: your doctor, an urgent-care service (NHS 111 in England) or an "
    "emergency department.",
}

#: Darkest urine-chart colours (1-8 chart) that count as dark urine for the muscle-breakdown gate.
DARK_URINE_COLOR = 7
#: Drinking faster than this during a run is heavy drinking [L/h]: above the
#: 0.4-0.8 L/h of the IMMDA fluid guideline for marathons (Noakes & Martin 2002,
#: IMMDA advisory statement; the upper end is for fast, heavy runners in heat).
HEAVY_DRINKING_L_PER_H = 0.8
#: Heat-risk categories (ACSM WBGT flags, runtwitch.features.formulas.heat_risk) that make a run hot.
HOT_HEAT_RISK: tuple[str, ...] = ("high", "extreme")
#: Heat-exhaustion signs needed after a hot run (one alone, e.g. a headache, is common after hard runs).
HEAT_EXHAUSTION_MIN_SIGNS = 2

Check = Callable[[Signs, Mapping[str, float]], list[str]]


@dataclass(frozen=True)
class Gate:
    """A sign, or combination of signs, that needs medical care today or now.

    Attributes
    ----------
    id
        Stable identifier.
    title
        What the signs can mean, in a few words ("Possible muscle breakdown").
    urgency
        ``now`` or ``today`` (see :data:`URGENCY`).
    when
        The rule in words (for ``docs/rules.md``).
    message
        What to do, shown to the runner.
    source
        Where the rule and wording come from.
    check
        ``check(signs, thresholds) -> evidence lines``; empty when not raised.
    thresholds
        Named defaults with units and sources.
    unless
        Gates that, when raised, make this one redundant.
    """

    id: str
    title: str
    urgency: Urgency
    when: str
    message: str
    source: str
    check: Check = field(repr=False, compare=False)
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    unless: tuple[str, ...] = ()

    def values(self) -> dict[str, float]:
        return {k: t.value for k, t in self.thresholds.items()}


def _lines(signs: Signs, terms: Sequence[str]) -> list[str]:
    return [f"You reported {signs.say(t)}." for t in terms]


def _dark_urine(signs: Signs, th: Mapping[str, float]) -> list[str]:
    lines = _lines(signs, signs.reported("dark_urine"))
    if signs.urine_color is not None and signs.urine_color >= th["dark_urine_color"]:
        lines.append(f"You logged urine colour {signs.urine_color} of 8 (dark).")
    return lines


def _muscle_breakdown(signs: Signs, th: Mapping[str, float]) -> list[str]:
    dark = _dark_urine(signs, th)
    muscle = signs.reported("muscle_pain", "swelling", "weakness")
    return [*dark, *_lines(signs, muscle)] if dark and muscle else []


def _drank_too_much(signs: Signs, th: Mapping[str, float]) -> list[str]:
    lines = []
    gain = signs.value("body_mass_change_kg")
    if gain is not None and gain > th["overdrinking_gain_kg"]:
        lines.append(f"You weighed {fmt(gain)} kg more after the run than before.")
    fluid, timer = signs.value("fluid_during_l"), signs.value("timer_s")
    if fluid is not None and timer and fluid / (timer / 3600.0) > th["heavy_drinking_l_per_h"]:
        lines.append(
            f"You drank {fmt(fluid)} L during {fmt(timer / 60, 0)} min "
            f"({fmt(fluid / (timer / 3600.0))} L an hour)."
        )
    return lines


def _low_sodium(signs: Signs, th: Mapping[str, float]) -> list[str]:
    drank = _drank_too_much(signs, th)
    found = signs.reported("confusion", "headache", "nausea", "vomiting", "swelling", "seizure")
    return [*drank, *_lines(signs, found)] if drank and found else []


def _hot(signs: Signs) -> list[str]:
    risk = signs.value("heat_risk")
    if risk not in HOT_HEAT_RISK:
        return []
    wbgt = signs.value("wbgt_c")
    return [
        f"The run was hot: heat risk {risk}"
        + (f" (WBGT about {fmt(wbgt, 0)} °C)." if wbgt is not None else ".")
    ]


def _heatstroke(signs: Signs, th: Mapping[str, float]) -> list[str]:
    found = signs.reported("confusion", "fainting", "seizure", "no_sweating", "high_temperature")
    hot = _hot(signs)
    return [*hot, *_lines(signs, found)] if hot and found else []


def _heat_exhaustion(signs: Signs, th: Mapping[str, float]) -> list[str]:
    found = signs.reported("headache", "dizziness", "nausea", "vomiting", "weakness", "palpitations")
    hot = _hot(signs)
    return [*hot, *_lines(signs, found)] if hot and len(found) >= th["min_signs"] else []


def _heart(signs: Signs, th: Mapping[str, float]) -> list[str]:
    found = signs.reported("chest_pain", "fainting")
    if signs.reported("palpitations") and signs.reported(
        "chest_pain", "dizziness", "fainting", "breathlessness"
    ):
        found = signs.reported("chest_pain", "fainting", "palpitations", "dizziness", "breathlessness")
    return _lines(signs, found)


def _palpitations(signs: Signs, th: Mapping[str, float]) -> list[str]:
    return _lines(signs, signs.reported("palpitations"))


def _confusion(signs: Signs, th: Mapping[str, float]) -> list[str]:
    return _lines(signs, signs.reported("confusion", "seizure"))


_IF_PASSED = "If the signs have passed, still tell a doctor about this episode before you run hard again."

GATES: tuple[Gate, ...] = (
    Gate(
        "muscle_breakdown",
        "Possible muscle breakdown (exertional rhabdomyolysis)",
        "today",
        f"dark or cola-coloured urine (`dark_urine`, or `urine_color` {DARK_URINE_COLOR}-8) together with "
        "muscle pain or tenderness, swelling or weakness",
        "Dark or cola-coloured urine with muscle pain, swelling or weakness after exercise can mean "
        "muscle breakdown, which can harm the kidneys. Stop exercising and get medical care today; "
        "ask for a blood test of creatine kinase (CK). If you pass little or no urine, or feel "
        f"confused, go to an emergency department now. {_IF_PASSED}",
        "MedlinePlus, 'Rhabdomyolysis' (dark, red or cola-coloured urine, muscle tenderness, weakness); "
        "CDC/NIOSH, 'Rhabdomyolysis' (stop activity, seek care, ask to be checked with a creatine "
        "kinase blood test)",
        _muscle_breakdown,
        {
            "dark_urine_color": Threshold(
                DARK_URINE_COLOR, "1-8", "urine chart colours that count as dark", "urine colour chart (1-8)"
            )
        },
    ),
    Gate(
        "low_sodium",
        "Possible low blood sodium (exercise-associated hyponatraemia)",
        "now",
        f"a body-mass gain of more than {OVERDRINKING_GAIN_KG:g} kg, or drinking more than "
        f"{HEAVY_DRINKING_L_PER_H:g} L an hour during the run, together with confusion, headache, nausea, "
        "vomiting, swelling or a seizure",
        "After drinking more than you sweated, confusion, headache, nausea, vomiting or swelling of the "
        "hands and feet can mean low blood sodium, which can become life-threatening. If you have these "
        "signs now, get emergency care now and do not drink more; tell them how much you drank. "
        f"{_IF_PASSED}",
        "Hew-Butler et al. 2015, 3rd International Exercise-Associated Hyponatremia Consensus, Clin J "
        "Sport Med 25:303; MedlinePlus, 'Hyponatremia' (confusion, headache, nausea and vomiting); "
        "drinking rate: Noakes & Martin 2002, IMMDA advisory statement (0.4-0.8 L/h)",
        _low_sodium,
        {
            "overdrinking_gain_kg": Threshold(
                OVERDRINKING_GAIN_KG, "kg", "body-mass gain during the run", "runtwitch.features.runs"
            ),
            "heavy_drinking_l_per_h": Threshold(
                HEAVY_DRINKING_L_PER_H, "L/h", "drinking rate during the run", "Noakes & Martin 2002 (IMMDA)"
            ),
        },
    ),
    Gate(
        "heatstroke",
        "Possible heatstroke",
        "now",
        f"a hot run (heat risk {' or '.join(HOT_HEAT_RISK)}) with confusion, fainting, a seizure, a high "
        "body temperature or no sweating while hot",
        "Confusion, fainting, a fit, a very high temperature or hot skin without sweating after a hot "
        "run can mean heatstroke, an emergency. If this is happening now, call emergency services and "
        f"cool the body down (shade, remove clothing, cool water on the skin, fanning). {_IF_PASSED}",
        "NHS, 'Heat exhaustion and heatstroke' (call 999 for confusion, a fit, loss of consciousness, "
        "no sweating while too hot, 40 °C or above); Armstrong et al. 2007, ACSM position stand "
        "'Exertional heat illness during training and competition', Med Sci Sports Exerc 39:556",
        _heatstroke,
    ),
    Gate(
        "heat_exhaustion",
        "Possible heat exhaustion",
        "today",
        f"a hot run (heat risk {' or '.join(HOT_HEAT_RISK)}) with at least {HEAT_EXHAUSTION_MIN_SIGNS} of: "
        "headache, dizziness, nausea, vomiting, weakness, palpitations",
        "These signs after a hot run fit heat exhaustion. Rest in a cool place and cool your skin; it "
        "should ease within 30 minutes. If it does not, or you get confused or faint, call emergency "
        f"services. If you still feel unwell, get medical care today. {_IF_PASSED}",
        "NHS, 'Heat exhaustion and heatstroke' (headache, dizziness, feeling sick, cramps, fast heartbeat; "
        "not better after 30 minutes: call 999); Armstrong et al. 2007 (ACSM)",
        _heat_exhaustion,
        {"min_signs": Threshold(HEAT_EXHAUSTION_MIN_SIGNS, "signs", "heat-exhaustion signs needed", "–")},
        unless=("heatstroke",),
    ),
    Gate(
        "heart",
        "Chest pain, fainting or palpitations with dizziness",
        "now",
        "chest pain or tightness, fainting or collapse, or palpitations together with chest pain, "
        "dizziness, fainting or shortness of breath",
        "Chest pain, fainting, or a racing or irregular heartbeat with dizziness or breathlessness "
        "during or after exercise must be checked by a doctor before you run again. If it is happening "
        "now, call emergency services. If it has passed, get medical care today.",
        "NHS, 'Chest pain' (call 999 for sudden chest pain); NHS, 'Fainting' (call 999 if someone "
        "fainted during exercise or has chest pain or an irregular heartbeat); NHS, 'Heart palpitations' "
        "(call 999 with chest pain, shortness of breath or fainting)",
        _heart,
    ),
    Gate(
        "palpitations",
        "Palpitations",
        "today",
        "palpitations (a racing, pounding or irregular heartbeat) without the signs of the `heart` gate",
        "A racing, pounding or irregular heartbeat after exercise is often harmless, but it should be "
        "checked: talk to a doctor today, and call emergency services if chest pain, breathlessness, "
        "dizziness or fainting come with it.",
        "NHS, 'Heart palpitations' (see a GP if they keep coming back or last long; 999 with chest pain, "
        "shortness of breath or fainting)",
        _palpitations,
        unless=("heart",),
    ),
    Gate(
        "confusion",
        "Confusion or a seizure",
        "now",
        "confusion or a seizure",
        "Confusion or a fit (seizure) during or after exercise needs emergency care: if it is happening "
        f"now, call emergency services. {_IF_PASSED}",
        "NHS, 'When to call 999' (sudden confusion, a seizure); Hew-Butler et al. 2015; NHS heatstroke",
        _confusion,
        unless=("low_sodium", "heatstroke"),
    ),
)


@dataclass(frozen=True)
class GateResult:
    """A gate raised for one episode, with the evidence lines that raised it."""

    gate: Gate
    evidence: tuple[str, ...]


def evaluate(
    signs: Signs,
    *,
    gates: Sequence[Gate] = GATES,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
) -> list[GateResult]:
    """The gates an episode's signs raise, in the order of ``gates``.

    Parameters
    ----------
    signs
        :func:`runtwitch.rules.signs.episode_signs` of the episode.
    gates
        The gates to check (default :data:`GATES`).
    thresholds
        Overrides, ``{gate id: {threshold name: value}}``.
    """
    raised: list[GateResult] = []
    for g in gates:
        values = {**g.values(), **(thresholds or {}).get(g.id, {})}
        lines = g.check(signs, values)
        if lines and not any(r.gate.id in g.unless for r in raised):
            raised.append(GateResult(g, tuple(dict.fromkeys(lines))))
    return raised
