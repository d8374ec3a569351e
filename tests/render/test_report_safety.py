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
