"""The diary's `symptoms` column: a vocabulary in seven languages, typos read, unknown words reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import runtwitch
from runtwitch.io.diary import ROW_COLUMNS_ON_EPISODES, SYMPTOMS, DiaryError, symptoms_markdown

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 11, 25)

DIARY = """date,time,muscles,symptoms,urine_color,medications,recovery,notes
2026-06-07,,,Dark urine; Muskelschmerzen,7,atorvastatin,,long run
2026-06-07,19:30,left calf,diziness; no headache; blorp; nausée,8,hydrochlorothiazide,massage,felt sick
2026-06-08,,,chest pain,,,,
"""


def test_symptoms_are_read_as_terms_and_unknown_words_reported(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(DIARY, encoding="utf-8")
    d = runtwitch.read_diary(tmp_path / "d.csv", today=TODAY)
    expected = [["dark_urine", "muscle_pain"], ["dizziness", "nausea"], ["chest_pain"]]
    assert list(d.context["symptoms"]) == expected
    (p,) = d.report.problems
    assert (p.row, p.column, p.value) == (3, "symptoms", "blorp")
    assert "not recognised: 'blorp'" in p.expected and "docs/diary.md" in p.expected
    assert "row 3, column 'symptoms': read 'diziness' as dizziness" in d.report.warnings
    # "no headache" says it did not happen: neither a term nor a problem


def test_the_episode_keeps_what_was_written_on_its_own_row(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(DIARY, encoding="utf-8")
    ep = runtwitch.read_diary(tmp_path / "d.csv", today=TODAY).episodes.iloc[0]
    assert set(ROW_COLUMNS_ON_EPISODES) <= set(ep.index)
    assert ep["symptoms"] == ["dizziness", "nausea"] and ep["urine_color"] == 8
    assert ep["medications"] == ["hydrochlorothiazide"] and ep["recovery"] == ["massage"]
    assert ep["notes"] == "felt sick"


def test_strict_mode_refuses_unknown_symptoms(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("date,symptoms\n2026-06-07,blorp\n", encoding="utf-8")
    with pytest.raises(DiaryError, match="blorp"):
        runtwitch.read_diary(tmp_path / "d.csv", today=TODAY, errors="raise")


def test_vocabulary_words_are_unambiguous_and_documented() -> None:
    assert len(SYMPTOMS.terms) >= 20
    doc = (ROOT / "docs" / "diary.md").read_text(encoding="utf-8")
    assert symptoms_markdown() in doc
