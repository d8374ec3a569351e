"""Urgent signs are rendered first in the text, JSON and HTML reports."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import runtwitch
from runtwitch.render import summary_text, to_html, to_json
from tests.helpers.history import NEUTRAL, write_diary, write_run
from tests.rules.test_causes import START


def test_urgent_signs_come_first_everywhere(tmp_path: Path) -> None:
    runs = [
        write_run(tmp_path, f"r{k}.fit", START + timedelta(days=2 * k), 40, cooldown_min=8) for k in range(3)
    ]
    day = f"{(START + timedelta(days=4)).date()}"
    rows = [{"date": f"{(START + timedelta(days=2 * k)).date()}", **NEUTRAL} for k in range(3)]
    rows[-1].update({"urine_color": "8", "symptoms": "muscle pain; swollen legs"})
    rows.append({"date": day, "time": "20:00", "muscles": "left calf; tongue", "weakness": "yes"})
    diary = write_diary(tmp_path / "diary.csv", rows)
    a = runtwitch.analyze(runs, diary=diary, tz="UTC", cache=False, progress=False)

    text = summary_text(a)
    assert text.startswith("URGENT") and "muscle_breakdown" in text.splitlines()[1]
    assert text.index("URGENT [muscle_breakdown]") < text.index("RED FLAG [bulbar]")

    doc = json.loads(json.dumps(to_json(a)))
    assert next(iter(doc)) == "safety"
    (gate,) = doc["safety"]
    assert gate["gate"] == "muscle_breakdown" and gate["urgency"] == "today" and gate["evidence"]
    assert doc["episodes"][0]["urgent"] == ["muscle_breakdown"]
    assert {"widespread", "bulbar", "weakness"} <= set(doc["episodes"][0]["flags"])

    page = to_html(a)
    assert page.index("Urgent: signs that need medical care") < page.index("Red flags: please read")
    assert page.index("Red flags: please read") < page.index("<h2 id='summary-h'>Summary</h2>")


#: Diary entries that raise each safety gate after a hot 95-minute run (context row, episode row).
GATE_DIARIES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "muscle_breakdown": ({}, {"urine_color": "8", "symptoms": "muscle pain"}),
    "low_sodium": ({"weight_before_kg": "60", "weight_after_kg": "61", "fluid_during_l": "3"},
                   {"symptoms": "headache; nausea"}),
    "heatstroke": ({"air_temp_c": "34", "humidity_pct": "70"}, {"symptoms": "collapsed"}),
    "heat_exhaustion": ({"air_temp_c": "34", "humidity_pct": "70"}, {"symptoms": "headache; dizzy"}),
    "heart": ({}, {"symptoms": "chest pain"}),
    "palpitations": ({}, {"symptoms": "palpitations"}),
    "confusion": ({}, {"symptoms": "confused"}),
}


def test_no_remedy_a_gate_leaves_out_is_rendered(tmp_path: Path) -> None:
    from runtwitch.rules import RULES
    from runtwitch.rules.remedies import GATE_SUPPRESSES
    from runtwitch.rules.safety import GATES

    assert set(GATE_DIARIES) == {g.id for g in GATES}
    runs = [write_run(tmp_path, f"r{k}.fit", START + timedelta(days=2 * k), 95 if k == 3 else 40,
                      temperature_c=34 if k == 3 else 15) for k in range(4)]
    day = f"{(START + timedelta(days=6)).date()}"
    for gate, (context, episode) in GATE_DIARIES.items():
        rows = [{"date": f"{(START + timedelta(days=2 * k)).date()}", **NEUTRAL} for k in range(3)]
        rows += [{"date": day, **NEUTRAL, "carbs_before_g": "0", "sleep_h": "4", "stress": "9", **context},
                 {"date": day, "time": "20:00", "muscles": "left calf", **episode}]
        a = runtwitch.analyze(runs, diary=write_diary(tmp_path / f"{gate}.csv", rows), tz="UTC",
                              cache=False, progress=False)
        assert gate in a.explanation.episodes.iloc[0]["urgent"], gate
        left_out = [t for r in RULES for t, tags in r.remedy_tags.items()
                    if "drink" in tags or set(tags) & set(GATE_SUPPRESSES[gate])]
        text, doc, page = summary_text(a), json.dumps(to_json(a)), to_html(a)
        for remedy in left_out:
            assert remedy not in text and json.dumps(remedy)[1:-1] not in doc, (gate, remedy)
            assert remedy.replace("'", "&#x27;") not in page, (gate, remedy)
        # what was left out is said where the advice would be, and no empty "What helps" is drawn
        details = summary_text(a, details=True)
        assert any(why in details for why in ("home advice for the twitch can wait",
                                               "until a doctor has seen you")), gate
        assert "<ul></ul></details>" not in page, gate


def test_a_cause_the_urgent_sign_speaks_of_is_never_left_as_a_bare_unlikely(tmp_path: Path) -> None:
    """A trial episode raised heat exhaustion (WBGT about 35 degC) while its only cause shown was
    'Heat and fluid loss, score 0.00, unlikely': the cause a raised gate speaks of now opens with a
    line saying the urgent sign comes first, in every report."""
    from runtwitch.rules.explain import GATE_COVERS

    runs = [write_run(tmp_path, f"r{k}.fit", START + timedelta(days=2 * k), 95 if k == 3 else 40,
                      temperature_c=34 if k == 3 else 15) for k in range(4)]
    day = f"{(START + timedelta(days=6)).date()}"
    context, episode = GATE_DIARIES["heat_exhaustion"]
    rows = [{"date": f"{(START + timedelta(days=2 * k)).date()}", **NEUTRAL} for k in range(3)]
    rows += [{"date": day, **NEUTRAL, **context},
             {"date": day, "time": "20:00", "muscles": "left calf", **episode}]
    a = runtwitch.analyze(runs, diary=write_diary(tmp_path / "d.csv", rows), tz="UTC", cache=False,
                          progress=False)
    causes = a.explanation.causes.set_index("cause")
    for cause in GATE_COVERS["heat_exhaustion"]:
        first = causes.loc[cause, "evidence"][0]
        assert first.startswith("The urgent sign above (possible heat exhaustion) concerns this too"), first
        assert causes.loc[cause, "points"][0] == 0.0  # it says where to look, it weighs nothing
    text = summary_text(a, details=True)
    if "Heat and fluid loss (score" in text:  # shown when among the causes that score
        assert "concerns this too" in text
    for cause in set(causes.index) - set(GATE_COVERS["heat_exhaustion"]):
        assert not any("concerns this too" in e for e in causes.loc[cause, "evidence"]), cause
