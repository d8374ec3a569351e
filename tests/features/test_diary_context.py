"""Diary context reaches the run: lists of several rows united, over-drinking not read as dehydration."""

from __future__ import annotations

from pathlib import Path

from tests.rules.test_causes import inputs


def test_dizziness_after_a_weight_gain_is_not_a_dehydration_sign(tmp_path: Path) -> None:
    gain = {"weight_before_kg": "70", "weight_after_kg": "70.8", "fluid_during_l": "2", "dizziness": "yes"}
    _, runs, _ = inputs(tmp_path, {}, gain)
    target = runs.loc["target.fit"]
    assert abs(target["body_mass_change_kg"] - 0.8) < 1e-9
    assert target["dehydration_signs"] == 0 and target["dehydration_signs_list"] is None
    assert target["diary_dizziness"]  # still logged, for the safety gates


def test_dizziness_after_a_loss_is_a_dehydration_sign(tmp_path: Path) -> None:
    loss = {"weight_before_kg": "70", "weight_after_kg": "68.9", "fluid_during_l": "0.2", "dizziness": "yes"}
    _, runs, _ = inputs(tmp_path, {}, loss)
    assert "dizziness" in runs.loc["target.fit", "dehydration_signs_list"]


def test_lists_of_the_run_row_and_the_episode_row_are_united(tmp_path: Path) -> None:
    _, runs, _ = inputs(
        tmp_path,
        {},
        {"medications": "none", "recovery": "massage"},
        episode={"medications": "atorvastatin", "recovery": "foam rolling", "symptoms": "headache"},
    )
    target = runs.loc["target.fit"]
    assert target["diary_medications"] == ["none", "atorvastatin"]
    assert target["diary_recovery"] == ["massage", "foam rolling"]
    assert target["diary_symptoms"] == ["headache"]
