"""Safety gates: each fires when its signs are there, and stays quiet when they are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from runtwitch.io.diary import COLUMNS_BY_NAME, read_terms
from runtwitch.rules.safety import GATES, URGENCY, evaluate
from runtwitch.rules.signs import episode_signs
from tests.rules.test_causes import history

HOT = {"heat_risk": "extreme", "wbgt_c": 30.0, "air_temp_c": 33.0}
GAIN = {"body_mass_change_kg": 0.9, "fluid_during_l": 2.5, "timer_s": 5400.0}


def gates(episode: dict[str, Any], run: dict[str, Any] | None = None) -> list[str]:
    """Gate ids raised for an episode row and its run (``symptoms`` as a runner writes them)."""
    ep = {"episode_id": "E2", "date": pd.Timestamp("2026-06-01"), "muscles": ["left calf"], **episode}
    if isinstance(ep.get("symptoms"), str):
        ep["symptoms"] = read_terms(COLUMNS_BY_NAME["symptoms"], ep["symptoms"]).terms
    row = pd.Series(run, dtype=object) if run is not None else None
    return [g.gate.id for g in evaluate(episode_signs(pd.Series(ep, dtype=object), row))]


CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, bool]] = [
    ("muscle_breakdown", {"symptoms": "cola-coloured urine; muscle pain"}, None, True),
    ("muscle_breakdown", {"urine_color": 7, "weakness": True}, None, True),
    ("muscle_breakdown", {"symptoms": "orina oscura; hinchazón"}, None, True),
    ("muscle_breakdown", {"urine_color": 7}, None, False),  # dark urine alone: no muscle sign
    ("muscle_breakdown", {"urine_color": 4, "symptoms": "sore muscles"}, None, False),
    ("low_sodium", {"symptoms": "headache; nausea"}, GAIN, True),
    (
        "low_sodium",
        {"notes": "felt confused at the finish"},
        {"fluid_during_l": 2.5, "timer_s": 7200.0},
        True,
    ),
    ("low_sodium", {"symptoms": "headache"}, {"body_mass_change_kg": 0.1}, False),  # scale noise
    ("low_sodium", {}, GAIN, False),  # the over-drinking flag, but no symptom
    ("low_sodium", {"symptoms": "no headache; no nausea"}, GAIN, False),
    ("heatstroke", {"symptoms": "collapsed"}, HOT, True),
    ("heatstroke", {"symptoms": "stopped sweating"}, HOT, True),
    ("heatstroke", {"symptoms": "collapsed"}, {"heat_risk": "low"}, False),
    ("heat_exhaustion", {"symptoms": "headache; dizzy"}, HOT, True),
    ("heat_exhaustion", {"symptoms": "headache"}, HOT, False),  # one sign alone is common
    ("heat_exhaustion", {"symptoms": "headache; dizzy"}, {"heat_risk": "moderate"}, False),
    ("heart", {"symptoms": "chest pain"}, None, True),
    ("heart", {"symptoms": "palpitations; light-headed"}, None, True),
    ("heart", {"symptoms": "fainted"}, None, True),
    ("heart", {"symptoms": "palpitations"}, None, False),
    ("palpitations", {"symptoms": "Herzrasen"}, None, True),
    ("palpitations", {"symptoms": "palpitations; chest pain"}, None, False),  # the heart gate covers it
    ("palpitations", {}, None, False),
    ("confusion", {"symptoms": "confused"}, None, True),
    ("confusion", {"symptoms": "confused"}, GAIN, False),  # low_sodium covers it
    ("confusion", {"notes": "not confused at all"}, None, False),
]


@pytest.mark.parametrize(("gate", "episode", "run", "fires"), CASES)
def test_gate(gate: str, episode: dict[str, Any], run: dict[str, Any] | None, fires: bool) -> None:
    assert (gate in gates(episode, run)) is fires


def test_every_gate_is_documented_and_tested() -> None:
    for g in GATES:
        assert g.source and g.when and g.message and g.urgency in URGENCY
    assert {(c[0], c[3]) for c in CASES} == {(g.id, fires) for g in GATES for fires in (True, False)}


def test_nothing_fires_on_an_ordinary_episode() -> None:
    assert (
        gates({"symptoms": "sore muscles; stiff"}, {"heat_risk": "moderate", "body_mass_change_kg": -0.8})
        == []
    )


def test_gates_read_the_run_row_and_the_episode_row(tmp_path: Path) -> None:
    # dark urine on the run's diary row, muscle pain written next to the twitch
    ex = history(tmp_path, {}, {"urine_color": "8"}, episode={"symptoms": "muscle pain"})
    row = ex.safety.set_index("gate").loc["muscle_breakdown"]
    assert row["urgency"] == "today" and row["action"] == URGENCY["today"]
    assert any("urine colour 8" in e for e in row["evidence"])
    assert any("muscle pain" in e for e in row["evidence"])
    assert ex.episodes.loc[0, "urgent"] == ["muscle_breakdown"]


def test_urgent_gate_after_over_drinking(tmp_path: Path) -> None:
    ex = history(
        tmp_path,
        {},
        {"weight_before_kg": "70", "weight_after_kg": "71", "fluid_during_l": "2.5", "symptoms": "vomiting"},
        episode={"notes": "headache and confused"},
    )
    assert list(ex.safety["gate"]) == ["low_sodium"] and ex.safety.loc[0, "urgency"] == "now"
    assert "overdrinking" in ex.episodes.loc[0, "flags"]
