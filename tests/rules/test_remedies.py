"""Remedies fit the person: never drinking advice under over-drinking or an urgent sign, never potassium
food with a potassium-sparing medicine, never advice to stop a medicine; every remedy reaches the output."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtwitch
from runtwitch.rules import RULES
from runtwitch.rules.remedies import (
    DEFAULT_GATE_SUPPRESSES,
    DRINK,
    GATE_SUPPRESSES,
    REMEDY_TAGS,
    fit,
    person,
)
from runtwitch.rules.safety import GATES
from tests.helpers.history import NEUTRAL, read_all, write_diary, write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
TODAY = dt.date(2026, 11, 25)
ATHLETE = runtwitch.Athlete(tz="UTC", sex="female", body_mass_kg=60, max_hr=190, resting_hr=55)
#: Advice to drink, in any remedy (facts such as "you drank 0.4 L" are evidence, not advice).
DRINKING_ADVICE = re.compile(r"\b(drink|drinking|rehydrate|fluids?|water)\b", re.IGNORECASE)
STOP_MEDICINE = re.compile(
    r"\b(stop|quit|discontinue|reduce)\b[^.]*\b(medicine|medication|tablet|dose)", re.IGNORECASE
)


@pytest.fixture(scope="module")
def activities() -> list[runtwitch.Activity]:
    folder = Path(tempfile.mkdtemp(prefix="runtwitch-remedies-"))
    paths = [
        write_run(
            folder,
            f"r{k}.fit",
            START + timedelta(days=2 * k),
            95 if k == 5 else 45,
            cooldown_min=6,
            temperature_c=33 if k == 5 else 15,
        )
        for k in range(6)
    ]
    return read_all(paths)


def explain_day(
    activities: list[runtwitch.Activity],
    context: dict[str, str],
    episode: dict[str, str],
) -> runtwitch.Explanation:
    day = f"{(START + timedelta(days=10)).date()}"
    rows = [{"date": f"{(START + timedelta(days=2 * k)).date()}", **NEUTRAL} for k in range(5)]
    rows += [
        {"date": day, **NEUTRAL, **context},
        {"date": day, "time": "20:00", "muscles": "left calf", **episode},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        diary = runtwitch.read_diary(write_diary(Path(tmp) / "d.csv", rows), tz="UTC", today=TODAY)
    season = runtwitch.Season.build(activities, diary=diary, athlete=ATHLETE)
    runs = runtwitch.run_features(season)
    return runtwitch.explain(season.episodes, runs, runtwitch.daily_features(season, runs=runs))


MEDICINES = [
    "none",
    "spironolactone",
    "Aldactone 25 mg",
    "amiloride",
    "atorvastatin",
    "salmeterol",
    "hydrochlorothiazide",
    "ibuprofen",
]
SYMPTOMS = [
    "",
    "dark urine",
    "muscle pain",
    "swelling",
    "confusion",
    "headache",
    "vomiting",
    "chest pain",
    "nausea",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    after=st.floats(56.0, 62.0).map(lambda x: round(x, 1)),
    fluid=st.sampled_from(["0.1", "0.5", "1.5", "3"]),
    urine=st.sampled_from(["", "2", "6", "8"]),
    thirst=st.sampled_from(["", "yes", "no"]),
    dizzy=st.sampled_from(["", "yes"]),
    weak=st.sampled_from(["", "yes"]),
    symptoms=st.lists(st.sampled_from(SYMPTOMS), max_size=3),
    run_medicine=st.sampled_from(MEDICINES),
    episode_medicine=st.sampled_from(["", *MEDICINES]),
    kind=st.sampled_from(["twitch", "cramp", "spasm"]),
    electrolytes=st.sampled_from(["", "no", "yes"]),
)
def test_no_drinking_advice_under_overdrinking_or_urgent_signs_and_no_potassium_with_a_sparing_medicine(
    activities: list[runtwitch.Activity],
    after: float,
    fluid: str,
    urine: str,
    thirst: str,
    dizzy: str,
    weak: str,
    symptoms: list[str],
    run_medicine: str,
    episode_medicine: str,
    kind: str,
    electrolytes: str,
) -> None:
    context = {
        "weight_before_kg": "60.0",
        "weight_after_kg": f"{after}",
        "fluid_during_l": fluid,
        "urine_color": urine,
        "thirst": thirst,
        "dizziness": dizzy,
        "medications": run_medicine,
        "air_temp_c": "33",
        "humidity_pct": "60",
        "electrolytes": electrolytes,
        "symptoms": "; ".join(s for s in symptoms if s),
    }
    episode = {"kind": kind, "weakness": weak, "medications": episode_medicine}
    ex = explain_day(activities, context, episode)
    ep = ex.episodes.iloc[0]
    causes = ex.causes[ex.causes["episode_id"] == ep["episode_id"]]
    remedies = [r for rs in causes["remedies"] for r in rs]
    notes = [n for ns in causes["remedy_notes"] for n in ns]
    if "overdrinking" in ep["flags"] or ep["urgent"]:
        assert not [r for r in remedies if DRINKING_ADVICE.search(r)], (ep["flags"], ep["urgent"], remedies)
        dehydration = causes.set_index("cause").loc["dehydration"]
        assert not any("signs that fit a fluid loss" in e for e in dehydration["evidence"])
    sparing = {"spironolactone", "Aldactone 25 mg", "amiloride"} & {run_medicine, episode_medicine}
    if sparing:
        assert not [r for r in remedies if "potassium" in r.lower()], remedies
        assert any("talk to your prescriber" in n.lower() for n in notes), notes
    assert not [r for r in remedies + notes if STOP_MEDICINE.search(r) and "do not stop" not in r.lower()]


def test_every_remedy_of_a_cause_reaches_the_output(activities: list[runtwitch.Activity]) -> None:
    ex = explain_day(
        activities,
        {
            "weight_before_kg": "60.0",
            "weight_after_kg": "58.0",
            "fluid_during_l": "0.2",
            "air_temp_c": "33",
            "humidity_pct": "60",
        },
        {"kind": "cramp"},
    )
    by_cause = ex.causes.set_index("cause")
    for rule in RULES:
        assert list(by_cause.loc[rule.id, "remedies"]) == list(rule.remedies), rule.id
        assert list(by_cause.loc[rule.id, "remedy_notes"]) == []


def test_overdrinking_drops_the_drinking_advice_with_a_note(activities: list[runtwitch.Activity]) -> None:
    ex = explain_day(
        activities,
        {
            "weight_before_kg": "60.0",
            "weight_after_kg": "61.0",
            "fluid_during_l": "3",
            "dizziness": "yes",
            "thirst": "yes",
        },
        {"kind": "cramp"},
    )
    assert "overdrinking" in ex.episodes.iloc[0]["flags"]
    row = ex.causes.set_index("cause").loc["dehydration"]
    assert row["remedies"] == [] and "over-drinking" in row["remedy_notes"][0]
    salt = ex.causes.set_index("cause").loc["electrolyte_imbalance"]
    assert all(not DRINKING_ADVICE.search(r) for r in salt["remedies"]) and salt["remedies"]
    assert pd.isna(row["score"]) or row["score"] == 0 or row["verdict"] != "likely"


def _suppressed_under(gate: str, tags: tuple[str, ...]) -> bool:
    """Whether the declared table (or the drinking rule) leaves a remedy with ``tags`` out under ``gate``."""
    table = GATE_SUPPRESSES.get(gate, DEFAULT_GATE_SUPPRESSES)
    return DRINK in tags or any(t in table for t in tags)


def test_every_remedy_says_what_kind_of_advice_it_is() -> None:
    for rule in RULES:
        for text in rule.remedies:
            tags = rule.remedy_tags.get(text, ())
            assert tags and set(tags) <= set(REMEDY_TAGS), (rule.id, text, tags)
    assert {g.id for g in GATES} == set(GATE_SUPPRESSES)
    assert all(set(t) <= set(REMEDY_TAGS) for t in GATE_SUPPRESSES.values())


@pytest.mark.parametrize("gate", [g.id for g in GATES])
def test_every_gate_and_remedy_pair_is_allowed_or_left_out_by_the_declared_table(gate: str) -> None:
    who = person([], [gate], [])
    for rule in RULES:
        kept, notes = fit(rule, who)
        for text in rule.remedies:
            left_out = _suppressed_under(gate, rule.remedy_tags[text])
            assert (text not in kept) is left_out, (gate, rule.id, text)
        assert bool(notes) is (len(kept) < len(rule.remedies)), (gate, rule.id, notes)
    # no advice to jog, walk or train stays below any urgent sign
    training = re.compile(r"\b(jog|cross-training|yoga|easy walk|hard sessions|rest days|build up)\b", re.I)
    assert not [t for r in RULES for t in fit(r, who)[0] if training.search(t)]


def test_muscle_breakdown_leaves_out_massage_stretching_and_potassium_food(
        activities: list[runtwitch.Activity]) -> None:
    """A trial diary's row (2020-12-02: urine colour 8, muscle pain) raised the muscle-breakdown gate
    ("Stop exercising ...") and still listed foam rolling, jogging and stretching among the remedies."""
    ex = explain_day(activities, {}, {"urine_color": "8", "symptoms": "muscle pain"})
    assert list(ex.episodes.iloc[0]["urgent"]) == ["muscle_breakdown"]
    by_cause = ex.causes.set_index("cause")
    remedies = [r for rs in by_cause["remedies"] for r in rs]
    assert not [r for r in remedies if re.search(r"foam|massage|trigger|stretch|jog|potassium", r, re.I)]
    circulation = by_cause.loc["poor_circulation"]
    assert circulation["remedies"] == []
    assert any("breaking down can harm it further" in n for n in circulation["remedy_notes"])
    assert any("stop exercising" in n for n in circulation["remedy_notes"])
    # no home advice at all below an urgent sign: care comes first (a cold review found foam rolling
    # listed under "call emergency services now"); the note says why
    assert by_cause.loc["caffeine", "remedies"] == []
    assert any("home advice for the twitch can wait" in n for n in by_cause.loc["caffeine", "remedy_notes"])


@pytest.mark.parametrize("gate", [g.id for g in GATES])
def test_no_home_advice_stays_below_an_urgent_sign(gate: str) -> None:
    """An urgent sign needs care, not home advice: below any gate only advice to see a doctor or
    pharmacist may stay (a cold review found foam rolling under "call emergency services now")."""
    from runtwitch.rules.remedies import PRESCRIBER

    who = person([], [gate], [])
    for rule in RULES:
        for text in fit(rule, who)[0]:
            assert set(rule.remedy_tags[text]) <= {PRESCRIBER}, (gate, rule.id, text)
